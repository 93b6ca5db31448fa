/*
 * hash.c — the open-addressing table of hash.h.
 *
 * Why one module: the output side (pprof building, interning, folded parsing, the
 * symbolizer's cache, the reader's thread set, label interning) had six hand-rolled
 * tables, chained or probed, each with its own growth rule, its own idea of an empty
 * slot (key 0, id 0, a NULL name; one set a high bit on addresses so that 0 could be
 * stored), and four copies of FNV-1a. Every one of them maps a 64-bit key to an index,
 * an id or a pointer, so one small table serves them all, and its corner cases (key 0,
 * growth, colliding keys) are tested once (tests/test_hash.c). map.c keeps its own
 * chained map on purpose (see there).
 *
 * Layout. `size` slots (a power of two), each a key and `stored` = value + 1; stored == 0
 * marks an empty slot, so a zeroed array is an empty table and every key, 0 included,
 * can be stored. Keys are not hashed again: a key is mixed by one multiplication with
 * 2^64 / golden ratio (Fibonacci hashing) and its top log2(size) bits give its home slot,
 * so keys that differ only in their high bits (addresses, tids) spread as well as hashes.
 *
 * Protocol (linear probing).
 *  add:    if one more entry would make the table more than half full, double it
 *          (16 slots at first) and reinsert every entry. Then walk from the key's home
 *          slot to the first empty one and fill it. Nothing is ever removed, so an entry
 *          sits in the run of full slots that starts at its home slot.
 *  lookup: walk from the home slot; an empty slot ends the walk (the key is not there,
 *          or has no more entries); a slot with the key is an entry. Several entries of
 *          one key (callers keying on a hash of their data) are met in turn, and the
 *          caller checks its data behind each value: a collision of 64-bit hashes costs
 *          a comparison, never a wrong answer.
 * At most half full, a walk is short (about 1.5 slots for a hit, 2.5 for a miss) and
 * always ends.
 */
#include "hash.h"

#include <stdlib.h>

#define HASH_MIN_SIZE 16

void hash_init(struct hash_table *t)
{
    *t = (struct hash_table){0};
}

void hash_free(struct hash_table *t)
{
    free(t->slots);
    hash_init(t);
}

/* Fills the first empty slot from the key's home slot (the table has one). */
static void put(struct hash_table *t, uint64_t key, uint64_t stored)
{
    size_t i = hash_home(t, key);
    while (t->slots[i].stored)
        i = (i + 1) & (t->size - 1);
    t->slots[i] = (struct hash_slot){key, stored};
}

/* Grows to the smallest power of two, at least HASH_MIN_SIZE, that holds n entries at
 * most half full. */
int hash_reserve(struct hash_table *t, size_t n)
{
    if (n > SIZE_MAX / 2 / sizeof(struct hash_slot))
        return -1;
    size_t size = HASH_MIN_SIZE;
    unsigned shift = 64 - 4;
    while (size < 2 * n) {
        size *= 2;
        shift--;
    }
    if (size <= t->size)
        return 0;
    struct hash_table grown = {calloc(size, sizeof(struct hash_slot)), size, t->count, shift};
    if (!grown.slots)
        return -1;
    for (size_t i = 0; i < t->size; i++)
        if (t->slots[i].stored)
            put(&grown, t->slots[i].key, t->slots[i].stored);
    free(t->slots);
    *t = grown;
    return 0;
}

int hash_add(struct hash_table *t, uint64_t key, uint64_t value)
{
    if (value > HASH_VALUE_MAX)
        return -1;
    if (2 * (t->count + 1) > t->size && hash_reserve(t, t->size ? t->size : HASH_MIN_SIZE / 2) != 0)
        return -1;
    put(t, key, value + 1);
    t->count++;
    return 0;
}
