/*
 * flame_graph.h — the inside of a flame graph (flame.c), shared with the folded reader
 * (flame_folded.c); not for other users, who see flame.h.
 *
 * A graph is a list of stacks: each a run of name ids in `frames` (root first, as added),
 * a value and a base value. Names are interned by their bytes, copied once into `text`
 * (compact: a lookup compares with a name in cache, not with its first occurrence
 * somewhere in a large input), so stacks from a profile, folded text and a base of either
 * kind compare by id. No tree is built: flame_graph_write sorts the
 * stacks by name and walks them once, and every frame is a run of neighbouring stacks
 * that share its path (as flamegraph.pl does), so its start and width are exact sums.
 */
#ifndef HZPROF_FLAME_GRAPH_H
#define HZPROF_FLAME_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flame.h"

struct flame_name {
    uint64_t hash;
    size_t at; /* in text */
    size_t len;
};

struct flame_stack {
    size_t first; /* index in frames */
    uint32_t depth;
    double value, base;
};

struct flame_graph {
    const struct flame_options *o;
    /* Interned names; slots: open addressing on the hash, name id + 1 (0: empty). */
    struct flame_name *names;
    size_t nnames, names_cap;
    uint32_t *slots;
    size_t nslots;
    char *text;
    size_t text_len, text_cap;
    uint32_t *frames;
    size_t nframes, frames_cap;
    struct flame_stack *stacks;
    size_t nstacks, stacks_cap;
    double total, base_total; /* sums of the values and base values added */
    bool has_input, has_base;
    uint32_t deepest; /* frames in the deepest stack */
    /* The sample types of the values (of the first input that is not a base) and of the
     * base values; NULL until such an input is added. */
    const char *type, *unit, *base_type, *base_unit;
};

/* The hash of a name, eight bytes at a time (it runs over every byte of folded input):
 * flame_hash_word for each whole word from the start, then flame_hash_end with the rest
 * (0 to 7 bytes, zero-padded) and the length. flame_folded.c computes it while it looks
 * for the end of the name; flame_hash does it for a name whose length is known. */
#define FLAME_HASH_SEED 0x9e3779b97f4a7c15ull

static inline uint64_t flame_hash_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

static inline uint64_t flame_hash_end(uint64_t h, uint64_t rest, size_t n)
{
    h = (h ^ rest ^ ((uint64_t)n << 32)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

uint64_t flame_hash(const char *s, size_t n);

/* The id of the name s[0..len) (hash = flame_hash(s, len)), interned (copied) if new.
 * Returns UINT32_MAX when out of memory. */
uint32_t flame_name_id(struct flame_graph *g, const char *s, size_t len, uint64_t hash);

/* Room for n more frames. Returns 0, or -1 when out of memory. */
int flame_frames_reserve(struct flame_graph *g, size_t n);

/* Ends the stack whose frames are frames[first..nframes) (root first): reversed and cut
 * as the options say, added with `value` (a base value with `base`). A value <= 0 drops
 * it. Returns 0, or -1 when out of memory. */
int flame_stack_end(struct flame_graph *g, size_t first, double value, bool base);

#endif
