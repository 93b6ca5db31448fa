/*
 * folded.c — folded-stack output (see folded.h); the parser is the tools'
 * (profile/folded_parse.c).
 */
#define _GNU_SOURCE
#include "folded.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
