/*
 * folded.c — folded-stack output (see folded.h).
 *
 * Each map entry becomes a line built root first (the map holds stacks leaf first);
 * every frame but the leaf is a return address and is looked up at pc - 1. The lines are
 * then sorted so that equal stacks are adjacent and can be merged in one pass.
 */
#include "folded.h"

#include "hzprof.h"
#include "labels.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct line {
    char *text;
    uint64_t count;
};

struct strbuf {
    char *data;
    size_t len, cap;
};

static int sb_append(struct strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return -1;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
    return 0;
}

/* Appends a frame name, replacing the folded format's separator ';' inside it. */
static int sb_append_frame(struct strbuf *b, const char *name)
{
    if (b->len && sb_append(b, ";") != 0)
        return -1;
    size_t start = b->len;
    if (sb_append(b, name) != 0)
        return -1;
    for (char *p = b->data + start; *p; p++)
        if (*p == ';')
            *p = ':';
    return 0;
}

/* "{k=v,k2=v2}" for a non-empty label set. */
static int sb_append_labels(struct strbuf *b, uint32_t id)
{
    const struct label_set *set = labels_lookup(id);
    if (!set || set->count == 0)
        return 0;
    struct strbuf f = {0};
    int rc = sb_append(&f, "{");
    for (uint32_t i = 0; i < set->count; i++) {
        rc |= sb_append(&f, i ? "," : "");
        rc |= sb_append(&f, set->labels[i].key);
        rc |= sb_append(&f, "=");
        rc |= sb_append(&f, set->labels[i].value);
    }
    rc |= sb_append(&f, "}");
    if (rc == 0)
        rc = sb_append_frame(b, f.data);
    free(f.data);
    return rc;
}

static char *entry_text(const struct map_entry *e, struct symbolizer *sym, unsigned flags)
{
    struct strbuf b = {0};
    int rc = 0;
    if (e->kind == MAP_KIND_LOST)
        return strdup("[lost]");
    if (flags & HZPROF_FOLDED_LABELS)
        rc |= sb_append_labels(&b, e->label_set);
    if (e->flags & MAP_FLAG_TRUNCATED)
        rc |= sb_append_frame(&b, "[truncated]");
    for (uint32_t i = e->depth; i-- > 0;) {
        uintptr_t pc = i == 0 ? e->pcs[i] : e->pcs[i] - 1;
        rc |= sb_append_frame(&b, symbolizer_lookup(sym, pc)->function);
    }
    if (e->kind == MAP_KIND_OFF_CPU)
        rc |= sb_append_frame(&b, "[off-cpu]");
    if (rc != 0 || !b.data) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

int folded_write(const struct map *m, struct symbolizer *sym, unsigned flags, FILE *out)
{
    struct line *lines = calloc(m->nentries ? m->nentries : 1, sizeof *lines);
    if (!lines)
        return -1;
    size_t n = 0;
    int rc = 0;
    map_foreach(m, e)
    {
        lines[n].text = entry_text(e, sym, flags);
        if (!lines[n].text) {
            rc = -1;
            errno = ENOMEM;
            goto out;
        }
        lines[n++].count = e->count;
    }
    qsort(lines, n, sizeof *lines, line_cmp);
    for (size_t i = 0; i < n;) {
        uint64_t count = 0;
        size_t j = i;
        for (; j < n && strcmp(lines[j].text, lines[i].text) == 0; j++)
            count += lines[j].count;
        if (fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)count) < 0) {
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
