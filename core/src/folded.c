/*
 * folded.c — folded-stack output and input (see folded.h).
 */
#define _GNU_SOURCE
#include "folded.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct strbuf {
    char *data;
    size_t len, cap;
    int failed;
};

static void sb_append_n(struct strbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_append(struct strbuf *b, const char *s)
{
    sb_append_n(b, s, strlen(s));
}

/* Appends a frame name, replacing the format's separators (';', newline) inside it. */
static void sb_append_frame(struct strbuf *b, const char *name)
{
    if (b->len)
        sb_append(b, ";");
    size_t start = b->len;
    sb_append(b, name);
    if (b->failed)
        return;
    for (char *p = b->data + start; *p; p++)
        if (*p == ';' || *p == '\n' || *p == '\r')
            *p = ':';
}

static int label_cmp(const void *a, const void *b, void *ctx)
{
    const struct pp_profile *p = ctx;
    return strcmp(profile_string(p, ((const struct pp_label *)a)->key),
                  profile_string(p, ((const struct pp_label *)b)->key));
}

static void append_labels(struct strbuf *b, const struct pp_profile *p, const struct pp_sample *s)
{
    if (s->nlabels == 0)
        return;
    struct pp_label *sorted = malloc(s->nlabels * sizeof *sorted);
    if (!sorted) {
        b->failed = 1;
        return;
    }
    memcpy(sorted, s->labels, s->nlabels * sizeof *sorted);
    qsort_r(sorted, s->nlabels, sizeof *sorted, label_cmp, (void *)p);
    struct strbuf f = {0};
    sb_append(&f, "{");
    for (size_t i = 0; i < s->nlabels; i++) {
        char num[32];
        sb_append(&f, i ? "," : "");
        sb_append(&f, profile_string(p, sorted[i].key));
        sb_append(&f, "=");
        if (sorted[i].str) {
            sb_append(&f, profile_string(p, sorted[i].str));
        } else {
            snprintf(num, sizeof num, "%" PRId64, sorted[i].num);
            sb_append(&f, num);
        }
    }
    sb_append(&f, "}");
    if (f.failed)
        b->failed = 1;
    else
        sb_append_frame(b, f.data);
    free(f.data);
    free(sorted);
}

static const struct pp_mapping *mapping_of(const struct pp_profile *p, uint64_t id)
{
    for (size_t i = 0; i < p->nmappings; i++)
        if (p->mappings[i].id == id)
            return &p->mappings[i];
    return NULL;
}

static void append_location(struct strbuf *b, const struct pp_profile *p,
                            const struct pp_location *l)
{
    char buf[512];
    if (l->nlines == 0) {
        const struct pp_mapping *m = l->mapping_id ? mapping_of(p, l->mapping_id) : NULL;
        if (m && m->filename) {
            const char *path = profile_string(p, m->filename);
            const char *base = strrchr(path, '/');
            snprintf(buf, sizeof buf, "%s+0x%" PRIx64, base ? base + 1 : path,
                     l->address - m->memory_start + m->file_offset);
        } else {
            snprintf(buf, sizeof buf, "0x%" PRIx64, l->address);
        }
        sb_append_frame(b, buf);
        return;
    }
    for (size_t k = l->nlines; k-- > 0;) {
        const struct pp_function *f = profile_function(p, l->lines[k].function_id);
        sb_append_frame(b, f ? profile_string(p, f->name) : "[unknown]");
    }
}

static char *sample_text(const struct pp_profile *p, const struct pp_sample *s, unsigned flags)
{
    struct strbuf b = {0};
    if (flags & FOLDED_LABELS)
        append_labels(&b, p, s);
    for (size_t i = s->nlocations; i-- > 0;) {
        const struct pp_location *l = profile_location(p, s->location_ids[i]);
        if (l)
            append_location(&b, p, l);
    }
    if (b.len == 0)
        sb_append(&b, "[empty]");
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

struct line {
    char *text;
    int64_t count;
};

static int line_cmp(const void *a, const void *b)
{
    return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

int folded_write(const struct pp_profile *p, size_t value_index, unsigned flags, FILE *out)
{
    struct line *lines = calloc(p->nsamples ? p->nsamples : 1, sizeof *lines);
    if (!lines)
        return -1;
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const struct pp_sample *s = &p->samples[i];
        if (value_index >= s->nvalues || s->values[value_index] == 0)
            continue;
        lines[n].text = sample_text(p, s, flags);
        if (!lines[n].text) {
            rc = -1;
            errno = ENOMEM;
            goto out;
        }
        lines[n++].count = s->values[value_index];
    }
    qsort(lines, n, sizeof *lines, line_cmp);
    for (size_t i = 0; i < n;) {
        int64_t count = 0;
        size_t j = i;
        for (; j < n && strcmp(lines[j].text, lines[i].text) == 0; j++) {
            /* A sum past INT64_MAX (the folded parser's limit) is written as more than one
             * line of the stack: readers add them up, and the total stays exact. */
            int64_t sum;
            if (!__builtin_add_overflow(count, lines[j].count, &sum)) {
                count = sum;
                continue;
            }
            if (fprintf(out, "%s %" PRId64 "\n", lines[i].text, count) < 0) {
                rc = -1;
                goto out;
            }
            count = lines[j].count;
        }
        if (fprintf(out, "%s %" PRId64 "\n", lines[i].text, count) < 0) {
            rc = -1;
            goto out;
        }
        i = j;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(lines[i].text);
    free(lines);
    return rc;
}

/* --- parsing --- */

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
    /* text is "{k=v,k2=v2}" */
    const char *end = text + n - 1;
    for (const char *q = text + 1; q < end;) {
        const char *comma = memchr(q, ',', (size_t)(end - q));
        const char *stop = comma ? comma : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        if (!eq || eq == q)
            return -1;
        char *key = strndup(q, (size_t)(eq - q)), *value = strndup(eq + 1, (size_t)(stop - eq - 1));
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
        q = stop + 1;
    }
    return 0;
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

    size_t lineno = 0;
    for (const char *line = data, *end = data + len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *stop = nl ? nl : end;
        lineno++;
        const char *next = nl ? nl + 1 : end;
        if (stop > line && stop[-1] == '\r')
            stop--;
        if (stop == line) { /* blank line */
            line = next;
            continue;
        }
        if (memchr(line, '\0', (size_t)(stop - line)))
            PARSE_FAIL("line %zu: contains a NUL byte (binary data, not folded stacks?)", lineno);
        const char *space = stop;
        while (space > line && space[-1] != ' ')
            space--;
        if (space == line || space == stop)
            PARSE_FAIL("line %zu: expected 'frame;frame;... COUNT'", lineno);
        char count_text[32];
        size_t clen = (size_t)(stop - space);
        if (clen >= sizeof count_text)
            PARSE_FAIL("line %zu: count too long", lineno);
        memcpy(count_text, space, clen);
        count_text[clen] = '\0';
        char *cend;
        errno = 0;
        unsigned long long count = strtoull(count_text, &cend, 10);
        if (errno || *cend || count_text[0] == '-' || count > INT64_MAX)
            PARSE_FAIL("line %zu: '%s' is not a sample count", lineno, count_text);
        const char *frames_end = space - 1; /* the space before the count */
        if (frames_end <= line)
            PARSE_FAIL("line %zu: no frames before the count", lineno);

        struct pp_sample *s = profile_add_sample(p);
        if (!s || !(s->values = calloc(1, sizeof *s->values)))
            PARSE_FAIL("out of memory");
        s->values[0] = (int64_t)count;
        s->nvalues = 1;
        size_t depth = 0;
        for (const char *f = line; f < frames_end;) {
            const char *semi = memchr(f, ';', (size_t)(frames_end - f));
            const char *fend = semi ? semi : frames_end;
            if (fend == f)
                PARSE_FAIL("line %zu: empty frame name", lineno);
            if (f == line && *f == '{' && fend[-1] == '}' && fend - f >= 2) {
                if (parse_labels(p, s, f, (size_t)(fend - f)) != 0)
                    PARSE_FAIL("line %zu: malformed label frame", lineno);
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
            PARSE_FAIL("line %zu: no frames, only labels", lineno);
        s->location_ids = malloc(depth * sizeof *s->location_ids);
        if (!s->location_ids)
            PARSE_FAIL("out of memory");
        for (size_t i = 0; i < depth; i++) /* folded is root first; samples are leaf first */
            s->location_ids[i] = stack[depth - 1 - i];
        s->nlocations = depth;
        line = next;
    }
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
