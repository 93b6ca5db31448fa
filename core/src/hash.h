/*
 * hash.h — FNV-1a, and one open-addressing hash table from 64-bit keys to 64-bit values.
 *
 * Contract:
 *  - Keys: any uint64_t, 0 and UINT64_MAX included: no key is reserved. Where the key is
 *    a hash of larger data (a string, a stack), the table may hold several entries with
 *    the same key: hash_add always adds, and the caller walks the entries of a key with
 *    hash_probe_next and compares the data it stored behind each value.
 *  - Values: 0 .. HASH_VALUE_MAX (UINT64_MAX - 1): an index, an id or a pointer. The
 *    reserved value is UINT64_MAX (a slot stores value + 1, and 0 there marks it empty).
 *  - Load factor at most 1/2: hash_add doubles the slots before it would pass it. There
 *    is no removal (no user needs one).
 *  - Memory: the table owns its slot array only (hash_free releases it); what the values
 *    stand for belongs to the caller. An all-zero struct hash_table is an empty table.
 *  - Threads: none of its own; the caller serialises every call on a table.
 *  - Signals: the FNV-1a functions are pure and async-signal-safe. hash_add, hash_reserve
 *    and hash_free call malloc/free: never from a signal handler. hash_find and
 *    hash_probe_next only read the slots, in a bounded loop: a handler may use them on a
 *    table sized in advance with hash_reserve to which nothing is added while the handler
 *    can run. No table is used by a handler today (handler.c reaches the sampler's
 *    accept, the unwinders and ring_write, none of which looks anything up; a thread's
 *    label set reaches the handler as an id, labels.c's table stays outside it).
 * The why and the probing protocol are at the top of hash.c.
 */
#ifndef HZPROF_HASH_H
#define HZPROF_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- FNV-1a, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/) --- */

#define FNV1A_INIT 0xcbf29ce484222325ull /* the offset basis: the hash of no bytes */
#define FNV1A_PRIME 0x100000001b3ull

/* h extended by n bytes. Start from FNV1A_INIT; chain calls to hash several pieces. */
static inline uint64_t fnv1a_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * FNV1A_PRIME;
    return h;
}

/* h extended by the bytes of s, without its terminating NUL. */
static inline uint64_t fnv1a_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * FNV1A_PRIME;
    return h;
}

/* h extended by the 8 bytes of w, least significant first (its bytes in memory on
 * x86-64). */
static inline uint64_t fnv1a_u64(uint64_t h, uint64_t w)
{
    for (int i = 0; i < 8; i++)
        h = (h ^ ((w >> (i * 8)) & 0xff)) * FNV1A_PRIME;
    return h;
}

/* --- the table --- */

#define HASH_VALUE_MAX (UINT64_MAX - 1)

struct hash_slot {
    uint64_t key;
    uint64_t stored; /* value + 1; 0: the slot is empty */
};

struct hash_table {
    struct hash_slot *slots;
    size_t size;    /* slots: 0 or a power of two, >= 2 * count */
    size_t count;   /* entries */
    unsigned shift; /* 64 - log2(size): the home slot is the top bits of the mixed key */
};

/* An empty table without memory (the same as zeroing it). */
void hash_init(struct hash_table *t);

/* Releases the slots; the table is empty again and may be reused. */
void hash_free(struct hash_table *t);

/* Makes room for n entries in all, so that adding up to n - count of them allocates
 * nothing. 0, or -1 when memory runs out (the table is unchanged). */
int hash_reserve(struct hash_table *t, size_t n);

/* Adds key -> value (value <= HASH_VALUE_MAX), even when the key is there already.
 * 0, or -1 when memory runs out or value is UINT64_MAX (the table is then unchanged). */
int hash_add(struct hash_table *t, uint64_t key, uint64_t value);

/* A walk over the entries of one key: slot is where the next probe looks. */
struct hash_probe {
    uint64_t key;
    size_t slot;
};

static inline size_t hash_home(const struct hash_table *t, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> t->shift);
}

static inline struct hash_probe hash_probe_start(const struct hash_table *t, uint64_t key)
{
    return (struct hash_probe){key, t->size ? hash_home(t, key) : 0};
}

/* The next entry of the probe's key: true with *value set, or false when there is none
 * left. Entries of one key come in no particular order. */
static inline bool hash_probe_next(const struct hash_table *t, struct hash_probe *pr,
                                   uint64_t *value)
{
    if (t->size == 0)
        return false;
    /* The table is never full, so the walk meets an empty slot before the bound. */
    size_t i = pr->slot;
    for (size_t steps = 0; steps < t->size; steps++, i = (i + 1) & (t->size - 1)) {
        const struct hash_slot *s = &t->slots[i];
        if (s->stored == 0)
            return false;
        if (s->key == pr->key) {
            *value = s->stored - 1;
            pr->slot = (i + 1) & (t->size - 1);
            return true;
        }
    }
    return false;
}

/* The first entry of the key: for tables whose keys are unique (the caller adds a key
 * only after hash_find did not find it). */
static inline bool hash_find(const struct hash_table *t, uint64_t key, uint64_t *value)
{
    struct hash_probe pr = hash_probe_start(t, key);
    return hash_probe_next(t, &pr, value);
}

#endif
