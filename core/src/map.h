/*
 * map.h — the profile: a hash map from (stack, label set, kind) to (count, nanoseconds),
 * as Go's profMap (runtime/pprof/map.go).
 *
 * Contract: used by one thread at a time (the reader thread while profiling, then the
 * output writers after stop); it is not touched by signal handlers. Stacks are leaf-first
 * program counters; the first is the interrupted PC, the others are return addresses.
 */
#ifndef HZPROF_MAP_H
#define HZPROF_MAP_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of entry (part of the key). */
enum map_entry_kind {
    MAP_KIND_CPU = 0,     /* an on-CPU sample */
    MAP_KIND_OFF_CPU = 1, /* a wall sample of a thread that was not running */
    MAP_KIND_LOST = 2,    /* samples dropped on ring overflow (no stack) */
};

#define MAP_FLAG_TRUNCATED 1u

struct map_entry {
    struct map_entry *next_in_bucket;
    struct map_entry *next_in_order; /* insertion order, for deterministic output */
    uint64_t hash;
    uint64_t count;
    uint64_t nanos;
    uint32_t label_set;
    uint16_t kind;
    uint16_t flags;
    uint32_t depth;
    uintptr_t pcs[]; /* depth entries, leaf first */
};

struct map {
    struct map_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t nentries;
    struct map_entry *first, *last;
};

void map_init(struct map *m);
void map_free(struct map *m);

/* Adds `count` samples worth `nanos` to the entry for the key, creating it if needed.
 * Returns 0, or -1 if memory ran out (the samples are then not counted). */
int map_add(struct map *m, unsigned kind, unsigned flags, uint32_t label_set, const uintptr_t *pcs,
            uint32_t depth, uint64_t count, uint64_t nanos);

/* Entries in insertion order. */
#define map_foreach(m, e) for (struct map_entry *e = (m)->first; e; e = e->next_in_order)

uint64_t map_total_count(const struct map *m);

#endif
