/*
 * folded_parse.c — folded stacks into a profile, and the line reader that viz's flame
 * graph reader shares (see folded_parse.h).
 */
#define _GNU_SOURCE
#include "folded_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int folded_next_line(struct folded_reader *r, struct folded_entry *l, char *err, size_t err_size)
{
    while (r->next < r->end) {
        const char *line = r->next;
        const char *nl = memchr(line, '\n', (size_t)(r->end - line));
        const char *stop = nl ? nl : r->end;
        r->lineno++;
        r->next = nl ? nl + 1 : r->end;
        if (stop > line && stop[-1] == '\r')
            stop--;
        if (stop == line) /* blank line */
            continue;
        if (memchr(line, '\0', (size_t)(stop - line))) {
            snprintf(err, err_size,
                     "line %zu: contains a NUL byte (binary data, not folded stacks?)", r->lineno);
            return -1;
        }
        const char *space = stop;
        while (space > line && space[-1] != ' ')
            space--;
        if (space == line || space == stop) {
            snprintf(err, err_size, "line %zu: expected 'frame;frame;... COUNT'", r->lineno);
            return -1;
        }
        char count_text[32];
        const size_t clen = (size_t)(stop - space);
        if (clen >= sizeof count_text) {
            snprintf(err, err_size, "line %zu: count too long", r->lineno);
            return -1;
        }
        memcpy(count_text, space, clen);
        count_text[clen] = '\0';
        char *cend;
        errno = 0;
        const unsigned long long count = strtoull(count_text, &cend, 10);
        if (errno || *cend || count_text[0] == '-' || count > INT64_MAX) {
            snprintf(err, err_size, "line %zu: '%s' is not a sample count", r->lineno, count_text);
            return -1;
        }
        const char *frames_end = space - 1; /* the space before the count */
        if (frames_end <= line) {
            snprintf(err, err_size, "line %zu: no frames before the count", r->lineno);
            return -1;
        }
        *l = (struct folded_entry){.frames = line, .frames_end = frames_end, .count = count};
        return 1;
    }
    return 0;
}

int folded_next_label(const char *text, size_t n, const char **pos, struct folded_label *l)
{
    const char *end = text + n - 1; /* the closing '}' */
    const char *q = *pos ? *pos : text + 1;
    if (q >= end)
        return 0;
    const char *comma = memchr(q, ',', (size_t)(end - q));
    const char *stop = comma ? comma : end;
    const char *eq = memchr(q, '=', (size_t)(stop - q));
    if (!eq || eq == q)
        return -1;
    *l = (struct folded_label){.key = q,
                               .key_len = (size_t)(eq - q),
                               .value = eq + 1,
                               .value_len = (size_t)(stop - eq - 1)};
    *pos = stop + 1;
    return 1;
}

/* Frame name -> location id, for the parser: hash.h's table, keyed by a hash of the name
 * and checked against the function's name in the profile. The key is not FNV-1a: this
 * hash runs over every byte of the input (a lookup per frame of every line, and frame
 * names are long), and takes eight bytes a step where FNV-1a takes one. */
static uint64_t hash_n(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

/* The location id for a frame name (n bytes, no NUL among them), creating function and
 * location when new. The parser creates them only here, in step: location id k has
 * function id k, named by the frame. */
static uint64_t frame_location(struct pp_profile *p, struct hash_table *t, const char *name,
                               size_t n)
{
    const uint64_t h = hash_n(name, n);
    struct hash_probe pr = hash_probe_start(t, h);
    uint64_t id;
    while (hash_probe_next(t, &pr, &id)) {
        const char *known = p->strings[p->functions[id - 1].name];
        if (strncmp(known, name, n) == 0 && known[n] == '\0')
            return id;
    }
    char *copy = strndup(name, n);
    struct pp_function *f = copy ? profile_add_function(p) : NULL;
    if (!f) {
        free(copy);
        return 0;
    }
    f->id = p->nfunctions;
    f->name = f->system_name = profile_intern(p, copy);
    free(copy);
    struct pp_location *l = profile_add_location(p);
    struct pp_line *line = l ? pp_grow((void **)&l->lines, &l->nlines, sizeof *line) : NULL;
    if (f->name < 0 || !line)
        return 0;
    l->id = p->nlocations;
    line->function_id = f->id;
    return hash_add(t, h, l->id) == 0 ? l->id : 0;
}

static int parse_labels(struct pp_profile *p, struct pp_sample *s, const char *text, size_t n)
{
    const char *pos = NULL;
    struct folded_label kv;
    int more;
    while ((more = folded_next_label(text, n, &pos, &kv)) == 1) {
        char *key = strndup(kv.key, kv.key_len), *value = strndup(kv.value, kv.value_len);
        struct pp_label *l =
            key && value ? pp_grow((void **)&s->labels, &s->nlabels, sizeof *l) : NULL;
        if (l) {
            l->key = profile_intern(p, key);
            l->str = profile_intern(p, value);
        }
        free(key);
        free(value);
        if (!l || l->key < 0 || l->str < 0)
            return -1;
    }
    return more;
}

#define PARSE_FAIL(...)                                                                            \
    do {                                                                                           \
        snprintf(err, err_size, __VA_ARGS__);                                                      \
        goto fail;                                                                                 \
    } while (0)

int folded_parse(const char *data, size_t len, struct pp_profile *p, char *err, size_t err_size)
{
    profile_init(p);
    struct hash_table names = {0};
    uint64_t *stack = NULL;
    size_t stack_cap = 0;
    if (profile_intern(p, "") != 0)
        PARSE_FAIL("out of memory");
    struct pp_value_type *st = pp_grow((void **)&p->sample_types, &p->nsample_types, sizeof *st);
    if (!st)
        PARSE_FAIL("out of memory");
    st->type = profile_intern(p, "samples");
    st->unit = profile_intern(p, "count");
    p->period_type = *st;

    struct folded_reader r;
    struct folded_entry line;
    int got;
    folded_reader_init(&r, data, len);
    while ((got = folded_next_line(&r, &line, err, err_size)) == 1) {
        struct pp_sample *s = profile_add_sample(p);
        if (!s || !(s->values = calloc(1, sizeof *s->values)))
            PARSE_FAIL("out of memory");
        s->values[0] = (int64_t)line.count;
        s->nvalues = 1;
        size_t depth = 0;
        for (const char *f = line.frames; f < line.frames_end;) {
            const char *semi = memchr(f, ';', (size_t)(line.frames_end - f));
            const char *fend = semi ? semi : line.frames_end;
            if (fend == f)
                PARSE_FAIL("line %zu: empty frame name", r.lineno);
            if (folded_is_label_frame(line.frames, f, fend)) {
                if (parse_labels(p, s, f, (size_t)(fend - f)) != 0)
                    PARSE_FAIL("line %zu: malformed label frame", r.lineno);
            } else {
                if (depth == stack_cap) {
                    stack_cap = stack_cap ? stack_cap * 2 : 64;
                    uint64_t *grown = realloc(stack, stack_cap * sizeof *stack);
                    if (!grown)
                        PARSE_FAIL("out of memory");
                    stack = grown;
                }
                if (!(stack[depth++] = frame_location(p, &names, f, (size_t)(fend - f))))
                    PARSE_FAIL("out of memory");
            }
            f = fend + 1;
        }
        if (depth == 0)
            PARSE_FAIL("line %zu: no frames, only labels", r.lineno);
        s->location_ids = malloc(depth * sizeof *s->location_ids);
        if (!s->location_ids)
            PARSE_FAIL("out of memory");
        for (size_t i = 0; i < depth; i++) /* folded is root first; samples are leaf first */
            s->location_ids[i] = stack[depth - 1 - i];
        s->nlocations = depth;
    }
    if (got < 0)
        goto fail;
    const char *error;
    if (p->nsamples == 0)
        PARSE_FAIL("no samples: empty input");
    if (profile_index(p, &error) != 0)
        PARSE_FAIL("%s", error);
    hash_free(&names);
    free(stack);
    return 0;
fail:
    hash_free(&names);
    free(stack);
    profile_free(p);
    return -1;
}
