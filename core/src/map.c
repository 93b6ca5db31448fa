/*
 * map.c — chained hash map of profile entries (see map.h).
 *
 * The key is hashed with FNV-1a (hash.h) over its words. The table doubles when it holds
 * more entries than buckets, so chains stay short; entries are never removed (a profile
 * only grows), which keeps the structure simple.
 *
 * It is kept apart from hash.h's table on purpose: it mirrors Go's profMap, whose entries
 * are allocated with their stack inline, chained, and linked in insertion order for
 * deterministic output, so that the comparison with Go's profiler stays one of design
 * and not of data structures; hash.h's table maps a key to one word and would need the
 * same entries beside it anyway.
 */
#include "map.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define MAP_INITIAL_BUCKETS 1024

static uint64_t key_hash(unsigned kind, unsigned flags, uint32_t label_set, const uintptr_t *pcs,
                         uint32_t depth)
{
    uint64_t h =
        fnv1a_u64(FNV1A_INIT, ((uint64_t)kind << 48) | ((uint64_t)flags << 32) | label_set);
    for (uint32_t i = 0; i < depth; i++)
        h = fnv1a_u64(h, pcs[i]);
    return h;
}

void map_init(struct map *m)
{
    memset(m, 0, sizeof *m);
}

void map_free(struct map *m)
{
    struct map_entry *e = m->first;
    while (e) {
        struct map_entry *next = e->next_in_order;
        free(e);
        e = next;
    }
    free(m->buckets);
    map_init(m);
}

static int map_grow(struct map *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : MAP_INITIAL_BUCKETS;
    struct map_entry **b = calloc(n, sizeof *b);
    if (!b)
        return -1;
    for (struct map_entry *e = m->first; e; e = e->next_in_order) {
        size_t i = e->hash & (n - 1);
        e->next_in_bucket = b[i];
        b[i] = e;
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
    return 0;
}

static int key_equal(const struct map_entry *e, uint64_t hash, unsigned kind, unsigned flags,
                     uint32_t label_set, const uintptr_t *pcs, uint32_t depth)
{
    return e->hash == hash && e->kind == kind && e->flags == flags && e->label_set == label_set &&
           e->depth == depth && (depth == 0 || memcmp(e->pcs, pcs, depth * sizeof *pcs) == 0);
}

int map_add(struct map *m, unsigned kind, unsigned flags, uint32_t label_set, const uintptr_t *pcs,
            uint32_t depth, uint64_t count, uint64_t nanos)
{
    if (m->nentries >= m->nbuckets && map_grow(m) != 0)
        return -1;
    const uint64_t hash = key_hash(kind, flags, label_set, pcs, depth);
    const size_t i = hash & (m->nbuckets - 1);
    for (struct map_entry *e = m->buckets[i]; e; e = e->next_in_bucket) {
        if (key_equal(e, hash, kind, flags, label_set, pcs, depth)) {
            e->count += count;
            e->nanos += nanos;
            return 0;
        }
    }
    struct map_entry *e = malloc(sizeof *e + depth * sizeof *pcs);
    if (!e)
        return -1;
    e->hash = hash;
    e->count = count;
    e->nanos = nanos;
    e->label_set = label_set;
    e->kind = (uint16_t)kind;
    e->flags = (uint16_t)flags;
    e->depth = depth;
    if (depth) /* pcs may be NULL then (a lost entry), and memcpy(x, NULL, 0) is undefined */
        memcpy(e->pcs, pcs, depth * sizeof *pcs);
    e->next_in_bucket = m->buckets[i];
    m->buckets[i] = e;
    e->next_in_order = NULL;
    if (m->last)
        m->last->next_in_order = e;
    else
        m->first = e;
    m->last = e;
    m->nentries++;
    return 0;
}

uint64_t map_total_count(const struct map *m)
{
    uint64_t total = 0;
    map_foreach(m, e) total += e->count;
    return total;
}
