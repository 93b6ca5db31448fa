/*
 * labels.c — label set interning and the per-thread label stack (hzprof_label_push/pop).
 *
 * Sets are interned so that a sample carries one 32-bit id and the profile map can key on
 * it: sets[id] holds the set, and a hash.h table from the set's FNV-1a to its id finds an
 * existing one (checked label by label). Interning happens on label changes, not on
 * samples, so it is off the hot path; the handler only copies the thread's id.
 */
#include "labels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "thread_state.h"

static pthread_mutex_t labels_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct label_set **sets; /* sets[id]; sets[0] is the empty set */
static uint32_t nsets, capsets;
static struct hash_table sets_by_hash; /* set_hash -> id */

/* FNV-1a over each key and value with its NUL, so that ("ab", "c") and ("a", "bc")
 * differ. */
static uint64_t set_hash(const struct label *labels, uint32_t n)
{
    uint64_t h = FNV1A_INIT;
    for (uint32_t i = 0; i < n; i++) {
        h = fnv1a_bytes(h, labels[i].key, strlen(labels[i].key) + 1);
        h = fnv1a_bytes(h, labels[i].value, strlen(labels[i].value) + 1);
    }
    return h;
}

static int sets_equal(const struct label_set *s, const struct label *labels, uint32_t n)
{
    if (s->count != n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(s->labels[i].key, labels[i].key) || strcmp(s->labels[i].value, labels[i].value))
            return 0;
    return 1;
}

/* Copies labels[0..n) (and their strings) into one allocation. */
static struct label_set *set_new(const struct label *labels, uint32_t n)
{
    size_t size = sizeof(struct label_set) + n * sizeof(struct label);
    for (uint32_t i = 0; i < n; i++)
        size += strlen(labels[i].key) + strlen(labels[i].value) + 2;
    struct label_set *s = malloc(size);
    if (!s)
        return NULL;
    s->count = n;
    char *p = (char *)&s->labels[n];
    for (uint32_t i = 0; i < n; i++) {
        size_t kl = strlen(labels[i].key) + 1, vl = strlen(labels[i].value) + 1;
        s->labels[i].key = memcpy(p, labels[i].key, kl);
        p += kl;
        s->labels[i].value = memcpy(p, labels[i].value, vl);
        p += vl;
    }
    return s;
}

/* With labels_mutex held. */
static int sets_ensure_empty(void)
{
    if (nsets)
        return 0;
    capsets = 16;
    sets = calloc(capsets, sizeof *sets);
    if (!sets || !(sets[0] = set_new(NULL, 0)) ||
        hash_add(&sets_by_hash, set_hash(NULL, 0), LABELS_EMPTY) != 0)
        return -1;
    sets[0]->id = LABELS_EMPTY;
    nsets = 1;
    return 0;
}

/* With labels_mutex held. */
static uint32_t sets_intern(const struct label *labels, uint32_t n)
{
    const uint64_t hash = set_hash(labels, n);
    struct hash_probe pr = hash_probe_start(&sets_by_hash, hash);
    uint64_t id;
    while (hash_probe_next(&sets_by_hash, &pr, &id))
        if (sets_equal(sets[id], labels, n))
            return (uint32_t)id;
    if (nsets == LABELS_INVALID - 1)
        return LABELS_INVALID;
    if (nsets == capsets) {
        struct label_set **grown = realloc(sets, 2 * capsets * sizeof *sets);
        if (!grown)
            return LABELS_INVALID;
        sets = grown;
        capsets *= 2;
    }
    struct label_set *s = set_new(labels, n);
    if (!s)
        return LABELS_INVALID;
    if (hash_add(&sets_by_hash, hash, nsets) != 0) {
        free(s);
        return LABELS_INVALID;
    }
    s->id = nsets;
    sets[nsets] = s;
    return nsets++;
}

uint32_t labels_with(uint32_t base, const char *key, const char *value)
{
    if (!key || !value || !*key)
        return LABELS_INVALID;
    pthread_mutex_lock(&labels_mutex);
    uint32_t id = LABELS_INVALID;
    if (sets_ensure_empty() != 0 || base >= nsets)
        goto out;
    const struct label_set *b = sets[base];
    struct label *merged = malloc((b->count + 1) * sizeof *merged);
    if (!merged)
        goto out;
    /* Insert key in sorted position, replacing an equal key. */
    uint32_t n = 0, i = 0;
    while (i < b->count && strcmp(b->labels[i].key, key) < 0)
        merged[n++] = b->labels[i++];
    merged[n++] = (struct label){key, value};
    if (i < b->count && strcmp(b->labels[i].key, key) == 0)
        i++;
    while (i < b->count)
        merged[n++] = b->labels[i++];
    id = sets_intern(merged, n);
    free(merged);
out:
    pthread_mutex_unlock(&labels_mutex);
    return id;
}

const struct label_set *labels_lookup(uint32_t id)
{
    pthread_mutex_lock(&labels_mutex);
    const struct label_set *s = NULL;
    if (sets_ensure_empty() == 0 && id < nsets)
        s = sets[id];
    pthread_mutex_unlock(&labels_mutex);
    return s;
}

int hzprof_label_push(const char *key, const char *value)
{
    if (!key || !*key || !value)
        return error_set(HZPROF_ERR_INVALID, "label key must be non-empty and value non-NULL");
    if (hz_thread.label_depth >= HZPROF_LABEL_STACK_MAX)
        return error_set(HZPROF_ERR_LABELS, "label stack full (%d nested pushes)",
                         HZPROF_LABEL_STACK_MAX);
    uint32_t id = labels_with(hz_thread.label_set, key, value);
    if (id == LABELS_INVALID)
        return error_set(HZPROF_ERR_NO_MEMORY, "cannot intern label set");
    hz_thread.label_stack[hz_thread.label_depth++] = hz_thread.label_set;
    /* One word store, read by this thread's own signal handler: the signal can land
     * before or after it, and either way sees a complete id. */
    hz_thread.label_set = id;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return HZPROF_OK;
}

int hzprof_label_pop(void)
{
    if (hz_thread.label_depth == 0)
        return error_set(HZPROF_ERR_LABELS, "label stack empty (pop without push)");
    hz_thread.label_set = hz_thread.label_stack[--hz_thread.label_depth];
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return HZPROF_OK;
}
