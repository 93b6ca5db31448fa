/*
 * labels.h — interned, immutable label sets (key=value pairs sorted by key).
 *
 * Contract: a label set is identified by a 32-bit id; id 0 is the empty set. Sets are
 * never freed or changed once made, so an id read in a signal handler stays valid for
 * the life of the process. Interning and lookup take a mutex: never call them from a
 * signal handler (the handler only copies hz_thread.label_set).
 */
#ifndef HZPROF_LABELS_H
#define HZPROF_LABELS_H

#include <stdint.h>

#define LABELS_EMPTY 0u
#define LABELS_INVALID UINT32_MAX

struct label {
    const char *key;
    const char *value;
};

struct label_set {
    uint32_t id;
    uint32_t count;
    struct label labels[]; /* sorted by key, keys unique */
};

/* The id of the set `base` with key=value added (replacing key's old value), interning it
 * if new. LABELS_INVALID on bad arguments or when memory runs out. */
uint32_t labels_with(uint32_t base, const char *key, const char *value);

/* The set with this id, or NULL. The returned set lives as long as the process. */
const struct label_set *labels_lookup(uint32_t id);

#endif
