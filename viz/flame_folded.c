/*
 * flame_folded.c — folded stacks straight into a flame graph (see flame.h).
 *
 * `hzprof flame` on folded text could parse it into a profile (profile/folded_parse.c)
 * and draw that, but a profile is built for every view: a function, a location and a string
 * per name, an allocation or two per line. A flame graph needs only each line's names as
 * interned ids and its count, so this reader goes from the text to the graph's stacks in
 * one pass. It reads the lines and the label pairs with folded_parse.h's reader, so it
 * accepts and rejects exactly what folded_parse does, with the same messages
 * (tests/e2e_flame.sh compares the two on bad input): the format has one definition.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame_graph.h"
#include "folded_parse.h"

/* Whether the label frame [text, text + n) has the tag filter's key with its value
 * (*match). Returns 0, or -1 when malformed (folded_next_label). */
static int labels_match(const char *text, size_t n, const char *key, const char *value, bool *match)
{
    const char *pos = NULL;
    struct folded_label kv;
    int more;
    while ((more = folded_next_label(text, n, &pos, &kv)) == 1)
        if (key && strlen(key) == kv.key_len && memcmp(kv.key, key, kv.key_len) == 0 &&
            strlen(value) == kv.value_len && memcmp(kv.value, value, kv.value_len) == 0)
            *match = true;
    return more;
}

/* The end of the frame that starts at f (the first ';' before end, or end), hashed on the
 * way (flame_graph.h): one pass over its bytes, eight at a time, where finding the ';'
 * (memchr) and hashing would be two. x86-64 only, as all of hzprof: little-endian. */
static const char *scan_frame(const char *f, const char *end, uint64_t *hash)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull,
                   semis = ones * (uint64_t)';';
    uint64_t h = FLAME_HASH_SEED;
    const char *p = f;
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        /* A byte of x is 0 where w has a ';'; m flags the lowest such byte exactly (a
         * borrow can flag bytes above it, never below). */
        const uint64_t x = w ^ semis, m = (x - ones) & ~x & highs;
        if (m) {
            const unsigned i = (unsigned)__builtin_ctzll(m) / 8;
            *hash = flame_hash_end(h, w & ((1ull << (8 * i)) - 1), (size_t)(p - f) + i);
            return p + i;
        }
        h = flame_hash_word(h, w);
    }
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *fend = semi ? semi : end;
    uint64_t rest = 0;
    memcpy(&rest, p, (size_t)(fend - p));
    *hash = flame_hash_end(h, rest, (size_t)(fend - f));
    return fend;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, err_size, __VA_ARGS__);                                                      \
        goto fail;                                                                                 \
    } while (0)

int flame_graph_add_folded(struct flame_graph *g, const char *data, size_t len, bool base,
                           char *err, size_t err_size)
{
    const size_t nstacks = g->nstacks, nframes = g->nframes;
    const double total = g->total, base_total = g->base_total;
    const char *tag_key = g->o->tag_key;
    size_t samples = 0;
    struct folded_reader r;
    struct folded_entry l;
    int got;
    folded_reader_init(&r, data, len);
    while ((got = folded_next_line(&r, &l, err, err_size)) == 1) {
        const char *line = l.frames, *frames_end = l.frames_end;
        const size_t lineno = r.lineno;
        samples++;
        /* Room for every frame the line can hold: a byte and a ';' each. */
        if (flame_frames_reserve(g, (size_t)(frames_end - line) / 2 + 1) != 0)
            goto oom;
        const size_t first = g->nframes;
        bool tagged = !tag_key;
        for (const char *f = line; f < frames_end;) {
            uint64_t hash;
            const char *fend = scan_frame(f, frames_end, &hash);
            if (fend == f)
                FAIL("line %zu: empty frame name", lineno);
            if (folded_is_label_frame(line, f, fend)) {
                if (labels_match(f, (size_t)(fend - f), tag_key, g->o->tag_value, &tagged) != 0)
                    FAIL("line %zu: malformed label frame", lineno);
            } else {
                const uint32_t id = flame_name_id(g, f, (size_t)(fend - f), hash);
                if (id == UINT32_MAX)
                    goto oom;
                g->frames[g->nframes++] = id;
            }
            f = fend + 1;
        }
        if (g->nframes == first)
            FAIL("line %zu: no frames, only labels", lineno);
        if (flame_stack_end(g, first, tagged ? (double)l.count : 0, base) != 0)
            goto oom;
    }
    if (got < 0)
        goto fail;
    if (samples == 0)
        FAIL("no samples: empty input");
    if (base) {
        g->base_type = "samples";
        g->base_unit = "count";
    } else if (!g->has_input) {
        g->type = "samples";
        g->unit = "count";
    }
    g->has_input |= !base;
    g->has_base |= base;
    return 0;
oom:
    snprintf(err, err_size, "out of memory");
    errno = ENOMEM;
fail:
    /* Nothing of a bad text stays in the graph (names past the kept frames are unused). */
    g->nstacks = nstacks;
    g->nframes = nframes;
    g->total = total;
    g->base_total = base_total;
    return -1;
}
