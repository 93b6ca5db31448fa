/*
 * flame.c — flame graph SVG writer (see flame.h; the model is in flame_graph.h).
 *
 * Build: every sample becomes a stack of interned name ids (root to leaf, inlined calls
 * expanded; leaf to root with --reverse), folded text directly (flame_folded.c) without
 * a profile in between. Layout, as flamegraph.pl does it: the stacks are sorted by name,
 * frame by frame, so every frame of the graph is a run of neighbouring stacks sharing its
 * path; one walk over them opens a frame where a stack leaves the previous one's path and
 * closes it where the path ends, so its start and width are exact sums of the values
 * before and inside it, and siblings come out sorted by name. There is no tree: memory
 * is the stacks (4 bytes a frame) and the frames drawn. Frames narrower than --minwidth
 * px (and so their children) are left out. Stacks may be as deep as memory allows.
 *
 * Output: one <g> per frame, pre-order (parents before children, left to right):
 *   <g data-s="START" data-v="VALUE"><title>NAME (VALUE IN UNITS, PCT%)</title>
 *   <rect x=".." y=".." width=".." height=".." fill="#rrggbb"/><text ..>LABEL</text></g>
 * START and VALUE are exact (in the sample type's unit), so the script (flame.js) zooms
 * and measures searches without the rounding of pixel coordinates; those have one
 * decimal (none when it is 0), as much as a screen shows, and the shared rounded corners
 * and fonts are one style sheet. A label is written only where it fits (the script adds
 * the others when a zoom makes room). The title holds what a hover shows, in the sample
 * type's unit, so the SVG reads the same without the script.
 */
#define _GNU_SOURCE
#include "flame.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flame_graph.h"
#include "hash.h" /* core/src: FNV-1a for the colours */

const char *const flame_palettes[] = {"hot",  "mem",    "io",     "red",    "green", "blue",
                                      "aqua", "yellow", "purple", "orange", NULL};

void flame_options_init(struct flame_options *o)
{
    memset(o, 0, sizeof *o);
    o->width = 1200;
    o->frame_height = 16;
    o->min_width = 0.1;
    o->colors = "hot";
}

/* --- the graph: interned names and stacks --- */

uint64_t flame_hash(const char *s, size_t n)
{
    uint64_t h = FLAME_HASH_SEED;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = flame_hash_word(h, w);
    }
    uint64_t rest = 0;
    memcpy(&rest, s + i, n - i);
    return flame_hash_end(h, rest, n);
}

/* Doubles *cap (from `first`) until it holds `need` elements of `size` bytes. */
static int grow(void **array, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    void *grown = realloc(*array, c * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = c;
    return 0;
}

uint32_t flame_name_id(struct flame_graph *g, const char *s, size_t len, uint64_t hash)
{
    if (2 * (g->nnames + 1) > g->nslots) { /* at most half full: probes stay short */
        size_t nslots = g->nslots ? 2 * g->nslots : 4096;
        uint32_t *slots = calloc(nslots, sizeof *slots);
        if (!slots)
            return UINT32_MAX;
        for (size_t i = 0; i < g->nnames; i++) {
            size_t k = g->names[i].hash & (nslots - 1);
            while (slots[k])
                k = (k + 1) & (nslots - 1);
            slots[k] = (uint32_t)i + 1;
        }
        free(g->slots);
        g->slots = slots;
        g->nslots = nslots;
    }
    size_t k = hash & (g->nslots - 1);
    for (; g->slots[k]; k = (k + 1) & (g->nslots - 1)) {
        const struct flame_name *n = &g->names[g->slots[k] - 1];
        if (n->hash == hash && n->len == len && memcmp(g->text + n->at, s, len) == 0)
            return g->slots[k] - 1;
    }
    if (g->nnames >= UINT32_MAX - 1 ||
        grow((void **)&g->names, &g->names_cap, g->nnames + 1, sizeof *g->names, 1024) != 0 ||
        grow((void **)&g->text, &g->text_cap, g->text_len + len, 1, 1 << 16) != 0)
        return UINT32_MAX;
    memcpy(g->text + g->text_len, s, len);
    g->names[g->nnames] = (struct flame_name){hash, g->text_len, len};
    g->text_len += len;
    g->slots[k] = (uint32_t)++g->nnames;
    return (uint32_t)g->nnames - 1;
}

int flame_frames_reserve(struct flame_graph *g, size_t n)
{
    return grow((void **)&g->frames, &g->frames_cap, g->nframes + n, sizeof *g->frames, 1 << 16);
}

int flame_stack_end(struct flame_graph *g, size_t first, double value, bool base)
{
    uint32_t *f = g->frames + first;
    size_t n = g->nframes - first;
    if (!(value > 0)) {
        g->nframes = first;
        return 0;
    }
    if (g->o->reverse)
        for (size_t i = 0; i < n / 2; i++) {
            uint32_t t = f[i];
            f[i] = f[n - 1 - i];
            f[n - 1 - i] = t;
        }
    if (g->o->max_depth && n > g->o->max_depth)
        n = g->o->max_depth;
    if (n > UINT32_MAX - 1 ||
        grow((void **)&g->stacks, &g->stacks_cap, g->nstacks + 1, sizeof *g->stacks, 1024) != 0)
        return -1;
    g->nframes = first + n;
    g->stacks[g->nstacks++] =
        (struct flame_stack){first, (uint32_t)n, base ? 0 : value, base ? value : 0};
    if (n > g->deepest)
        g->deepest = (uint32_t)n;
    if (base)
        g->base_total += value;
    else
        g->total += value;
    return 0;
}

struct flame_graph *flame_graph_new(const struct flame_options *o)
{
    struct flame_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->o = o;
    /* The frames array exists from the start: a stack with no frames (a sample with no
     * locations) still computes frames + first, and NULL + 0 is undefined (fuzzing found
     * it: tests/fixtures/fuzz-regressions/flame-empty-sample.valid.pb.gz). */
    if (flame_frames_reserve(g, 1) != 0) {
        free(g);
        return NULL;
    }
    return g;
}

void flame_graph_free(struct flame_graph *g)
{
    if (!g)
        return;
    free(g->names);
    free(g->slots);
    free(g->text);
    free(g->frames);
    free(g->stacks);
    free(g);
}

/* --- pprof input --- */

/* Each location's frame names (string indices, root-most inlined call first), looked up
 * once per location instead of once per sample that passes through it. */
struct location_names {
    int64_t *names; /* flat: location i's names at names[first[i]] .. names[first[i+1]-1] */
    size_t *first;  /* p->nlocations + 1 */
};

static int location_names_init(struct location_names *ln, const struct pp_profile *p)
{
    size_t total = 0;
    for (size_t i = 0; i < p->nlocations; i++)
        total += p->locations[i].nlines ? p->locations[i].nlines : 1;
    ln->names = malloc((total ? total : 1) * sizeof *ln->names);
    ln->first = malloc((p->nlocations + 1) * sizeof *ln->first);
    if (!ln->names || !ln->first)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < p->nlocations; i++) {
        const struct pp_location *l = &p->locations[i];
        ln->first[i] = k;
        if (l->nlines == 0)
            ln->names[k++] = 0;
        for (size_t j = l->nlines; j-- > 0;) { /* lines are leaf (innermost) first */
            const struct pp_function *f = profile_function(p, l->lines[j].function_id);
            ln->names[k++] = f ? f->name : 0;
        }
    }
    ln->first[p->nlocations] = k;
    return 0;
}

/* The index in p->locations of location `id`: ids are usually 1..n in order. */
static long location_index(const struct pp_profile *p, uint64_t id)
{
    if (id >= 1 && id <= p->nlocations && p->locations[id - 1].id == id)
        return (long)(id - 1);
    const struct pp_location *l = profile_location(p, id);
    return l ? (long)(l - p->locations) : -1;
}

static bool sample_has_tag(const struct pp_profile *p, const struct pp_sample *s, const char *key,
                           const char *value)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(profile_string(p, s->labels[i].key), key) == 0 &&
            strcmp(profile_string(p, s->labels[i].str), value) == 0)
            return true;
    return false;
}

int flame_graph_add_profile(struct flame_graph *g, const struct pp_profile *p, int value_index,
                            bool base)
{
    const int vi = value_index >= 0 ? value_index : (int)p->nsample_types - 1;
    if (vi >= 0 && (size_t)vi < p->nsample_types) {
        const char *type = profile_string(p, p->sample_types[vi].type),
                   *unit = profile_string(p, p->sample_types[vi].unit);
        if (base) {
            g->base_type = type;
            g->base_unit = unit;
        } else if (!g->has_input) {
            g->type = type;
            g->unit = unit;
        }
    }
    g->has_input |= !base;
    g->has_base |= base;
    if (vi < 0)
        return 0;
    /* Each string's name id, once: UINT32_MAX until the string is first used. */
    uint32_t *ids = malloc((p->nstrings ? p->nstrings : 1) * sizeof *ids);
    struct location_names ln = {0};
    int rc = -1;
    if (!ids || location_names_init(&ln, p) != 0)
        goto out;
    memset(ids, 0xff, (p->nstrings ? p->nstrings : 1) * sizeof *ids);
    const char *const unknown = "[unknown]";
    const uint32_t unknown_id =
        flame_name_id(g, unknown, strlen(unknown), flame_hash(unknown, strlen(unknown)));
    if (unknown_id == UINT32_MAX)
        goto out;
    for (size_t i = 0; i < p->nsamples; i++) {
        const struct pp_sample *s = &p->samples[i];
        if ((size_t)vi >= s->nvalues || s->values[vi] <= 0)
            continue;
        if (g->o->tag_key && !sample_has_tag(p, s, g->o->tag_key, g->o->tag_value))
            continue;
        const size_t first = g->nframes;
        for (size_t j = s->nlocations; j-- > 0;) { /* locations are leaf first */
            const long li = location_index(p, s->location_ids[j]);
            if (li < 0)
                continue;
            if (flame_frames_reserve(g, ln.first[li + 1] - ln.first[li]) != 0)
                goto out;
            for (size_t k = ln.first[li]; k < ln.first[li + 1]; k++) {
                const int64_t name = ln.names[k];
                uint32_t id = unknown_id;
                if (name > 0 && (size_t)name < p->nstrings) {
                    if (ids[name] == UINT32_MAX) {
                        const char *str = p->strings[name];
                        ids[name] =
                            flame_name_id(g, str, strlen(str), flame_hash(str, strlen(str)));
                        if (ids[name] == UINT32_MAX)
                            goto out;
                    }
                    id = ids[name];
                }
                g->frames[g->nframes++] = id;
            }
        }
        if (flame_stack_end(g, first, (double)s->values[vi], base) != 0)
            goto out;
    }
    rc = 0;
out:
    free(ids);
    free(ln.names);
    free(ln.first);
    if (rc)
        errno = ENOMEM;
    return rc;
}

/* --- layout --- */

/* A frame to draw: a name id (UINT32_MAX: the root), its depth (root 0), and its start,
 * value and base value in the sample type's unit. */
struct frame {
    uint32_t name, depth;
    double start, value, base;
};

struct frames {
    struct frame *f;
    size_t n, cap;
};

static int cmp_names(const void *a, const void *b, void *ctx)
{
    const struct flame_graph *g = ctx;
    const struct flame_name *x = &g->names[*(const uint32_t *)a],
                            *y = &g->names[*(const uint32_t *)b];
    int c = memcmp(g->text + x->at, g->text + y->at, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Sorting the stacks, frame by frame (names as ranks), a stack after those it is a prefix
 * of, so a frame's children start at its left edge and its own (self) value is at its
 * right, as in a tree laid out child by child. Stacks share long prefixes (every one
 * starts with main, and so on), which a comparison sort compares again at every step:
 * multikey quicksort (Bentley & Sedgewick) partitions on one frame at a time instead and
 * reads each stack's frames about once. Iterative (stacks may be 100,000 frames deep). */

/* What the sort reads: the frames, and each name id's rank in name order. */
struct sort_keys {
    const uint32_t *frames, *rank;
};

/* The rank of frame d of stack s, or past its end UINT32_MAX (after every rank). */
static inline uint32_t frame_at(const struct sort_keys *k, const struct flame_stack *s, uint32_t d)
{
    return d < s->depth ? k->rank[k->frames[s->first + d]] : UINT32_MAX;
}

static void swap_stacks(struct flame_stack *a, struct flame_stack *b)
{
    struct flame_stack t = *a;
    *a = *b;
    *b = t;
}

/* Stacks that agree on their first d frames, by their frames from d on. */
static int cmp_from(const struct sort_keys *k, const struct flame_stack *x,
                    const struct flame_stack *y, uint32_t d)
{
    for (;; d++) {
        const uint32_t a = frame_at(k, x, d), b = frame_at(k, y, d);
        if (a != b)
            return a < b ? -1 : 1;
        if (a == UINT32_MAX)
            return 0;
    }
}

static uint32_t median3(uint32_t a, uint32_t b, uint32_t c)
{
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

struct sort_task {
    size_t lo, hi; /* stacks[lo..hi) agree on their first d frames */
    uint32_t d;
};

static int sort_stacks(struct flame_stack *st, size_t n, const struct sort_keys *k)
{
    size_t ntasks = 0, cap = 64;
    struct sort_task *tasks = malloc(cap * sizeof *tasks);
    if (!tasks)
        return -1;
    tasks[ntasks++] = (struct sort_task){0, n, 0};
    while (ntasks) {
        struct sort_task t = tasks[--ntasks];
        while (t.hi - t.lo > 1) {
            if (t.hi - t.lo < 12) { /* a few: insertion sort */
                for (size_t i = t.lo + 1; i < t.hi; i++)
                    for (size_t j = i; j > t.lo && cmp_from(k, &st[j - 1], &st[j], t.d) > 0; j--)
                        swap_stacks(&st[j - 1], &st[j]);
                break;
            }
            /* Pivot: the median of three frames at d (sorted input stays n log n). */
            const uint32_t pivot = median3(frame_at(k, &st[t.lo], t.d),
                                           frame_at(k, &st[t.lo + (t.hi - t.lo) / 2], t.d),
                                           frame_at(k, &st[t.hi - 1], t.d));
            /* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
            size_t lt = t.lo, i = t.lo, gt = t.hi;
            while (i < gt) {
                const uint32_t f = frame_at(k, &st[i], t.d);
                if (f < pivot)
                    swap_stacks(&st[lt++], &st[i++]);
                else if (f > pivot)
                    swap_stacks(&st[i], &st[--gt]);
                else
                    i++;
            }
            if (ntasks + 2 > cap) {
                struct sort_task *grown = realloc(tasks, 2 * cap * sizeof *tasks);
                if (!grown) {
                    free(tasks);
                    return -1;
                }
                tasks = grown;
                cap *= 2;
            }
            if (lt - t.lo > 1)
                tasks[ntasks++] = (struct sort_task){t.lo, lt, t.d};
            if (t.hi - gt > 1)
                tasks[ntasks++] = (struct sort_task){gt, t.hi, t.d};
            if (pivot == UINT32_MAX) /* the equal ones have all ended: the same stack */
                break;
            t = (struct sort_task){lt, gt, t.d + 1};
        }
    }
    free(tasks);
    return 0;
}

static int cmp_frames(const void *a, const void *b)
{
    const struct frame *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->depth > y->depth) - (x->depth < y->depth);
}

/* Each name id's rank in name order, into *rank. */
static int rank_names(const struct flame_graph *g, uint32_t **rank)
{
    uint32_t *ord = malloc((g->nnames ? g->nnames : 1) * sizeof *ord);
    uint32_t *r = malloc((g->nnames ? g->nnames : 1) * sizeof *r);
    if (!ord || !r) {
        free(ord);
        free(r);
        return -1;
    }
    for (size_t i = 0; i < g->nnames; i++)
        ord[i] = (uint32_t)i;
    qsort_r(ord, g->nnames, sizeof *ord, cmp_names, (void *)g);
    for (size_t i = 0; i < g->nnames; i++)
        r[ord[i]] = (uint32_t)i;
    free(ord);
    *rank = r;
    return 0;
}

struct walk {
    struct frames *out;
    double cum, bcum;    /* values and base values of the stacks walked so far */
    double scale, min_w; /* px per unit; --minwidth */
    double max_delta;    /* over every frame, drawn or not */
    bool diff;
};

/* A frame ends: kept if it is at least min_w px wide. */
static int close_frame(struct walk *w, uint32_t name, uint32_t depth, double start,
                       double base_start)
{
    const double value = w->cum - start, base = w->bcum - base_start;
    if (!(value > 0)) /* only in the base */
        return 0;
    if (w->diff && fabs(value - base) > w->max_delta)
        w->max_delta = fabs(value - base);
    if (value * w->scale < w->min_w)
        return 0;
    struct frames *o = w->out;
    if (grow((void **)&o->f, &o->cap, o->n + 1, sizeof *o->f, 1024) != 0)
        return -1;
    o->f[o->n++] = (struct frame){name, depth, start, value, base};
    return 0;
}

/* Walks the sorted stacks (see the top of the file): the frames to draw into *out, in
 * pre-order. */
static int layout(const struct flame_graph *g, struct walk *w)
{
    const size_t cap = (size_t)g->deepest + 1;
    uint32_t *name = malloc(cap * sizeof *name);
    double *start = malloc(cap * sizeof *start), *bstart = malloc(cap * sizeof *bstart);
    int rc = -1;
    if (!name || !start || !bstart)
        goto out;
    size_t open = 0; /* frames open below the root: name[0..open) */
    for (size_t i = 0; i < g->nstacks; i++) {
        const struct flame_stack *s = &g->stacks[i];
        const uint32_t *f = g->frames + s->first;
        size_t c = 0;
        while (c < open && c < s->depth && name[c] == f[c])
            c++;
        for (; open > c; open--)
            if (close_frame(w, name[open - 1], (uint32_t)open, start[open - 1], bstart[open - 1]) !=
                0)
                goto out;
        for (; open < s->depth; open++) {
            name[open] = f[open];
            start[open] = w->cum;
            bstart[open] = w->bcum;
        }
        w->cum += s->value;
        w->bcum += s->base;
    }
    for (; open > 0; open--)
        if (close_frame(w, name[open - 1], (uint32_t)open, start[open - 1], bstart[open - 1]) != 0)
            goto out;
    if (close_frame(w, UINT32_MAX, 0, 0, 0) != 0)
        goto out;
    qsort(w->out->f, w->out->n, sizeof *w->out->f, cmp_frames);
    rc = 0;
out:
    free(name);
    free(start);
    free(bstart);
    return rc;
}

/* --- output --- */

/* A buffer of our own: frames are written in pieces of a few bytes, and stdio's default
 * buffer would cost a write syscall every 4 KiB. */
struct out {
    FILE *f;
    size_t n;
    int err; /* errno of the first failed write; 0: none */
    char buf[1 << 16];
};

static void out_write(struct out *w, const char *s, size_t n)
{
    if (fwrite(s, 1, n, w->f) != n && !w->err)
        w->err = errno ? errno : EIO;
}

static void out_flush(struct out *w)
{
    out_write(w, w->buf, w->n);
    w->n = 0;
}

static void put_n(struct out *w, const char *s, size_t n)
{
    if (w->n + n > sizeof w->buf) {
        out_flush(w);
        if (n > sizeof w->buf) {
            out_write(w, s, n);
            return;
        }
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

static void put(struct out *w, const char *s)
{
    put_n(w, s, strlen(s));
}

static void put_uint(struct out *w, uint64_t v)
{
    char digits[24];
    size_t i = sizeof digits;
    do
        digits[--i] = (char)('0' + v % 10);
    while (v /= 10);
    put_n(w, digits + i, sizeof digits - i);
}

/* A pixel coordinate with one decimal, none when it is 0: "12.3", "12". */
static void put_px(struct out *w, double v)
{
    if (v < 0) {
        put_n(w, "-", 1);
        v = -v;
    }
    const uint64_t tenths = (uint64_t)llround(v * 10);
    put_uint(w, tenths / 10);
    if (tenths % 10) {
        char d[2] = {'.', (char)('0' + tenths % 10)};
        put_n(w, d, 2);
    }
}

/* A value exactly: an integer (the common case) or all the digits a double has. */
static void put_exact(struct out *w, double v)
{
    if (v >= 0 && v < 9007199254740992.0 && v == floor(v)) {
        put_uint(w, (uint64_t)v);
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g", v);
        put(w, buf);
    }
}

/* Bytes that need more than copying: XML metacharacters, controls, non-ASCII. */
static bool plain[256];

static void init_plain(void)
{
    for (int c = 0x20; c < 0x80; c++)
        plain[c] = !strchr("<>&\"'", c);
}

/* Writes s[0..len) XML-escaped; invalid UTF-8 and characters XML 1.0 forbids become '?'.
 * At most `limit` characters (then ".."), if limit > 0. */
static void put_escaped(struct out *w, const char *s, size_t len, size_t limit)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t chars = 0;
    while (p < end) {
        if (!limit) { /* a run of plain bytes at once */
            const unsigned char *q = p;
            while (q < end && plain[*q])
                q++;
            if (q > p) {
                put_n(w, (const char *)p, (size_t)(q - p));
                p = q;
                continue;
            }
        } else if (chars == limit) {
            put_n(w, "..", 2);
            return;
        }
        unsigned c = *p;
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool valid = n > 0 && n <= (size_t)(end - p);
        for (size_t k = 1; valid && k < n; k++)
            valid = (p[k] & 0xc0) == 0x80;
        if (valid && n == 2 && c < 0xc2)
            valid = false; /* overlong */
        if (valid && n == 3) {
            unsigned cp = ((c & 0x0f) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
            valid = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) && cp != 0xfffe && cp != 0xffff;
        }
        if (valid && n == 4) {
            unsigned cp = ((c & 0x07) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
                          (p[3] & 0x3fu);
            valid = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!valid) {
            put_n(w, "?", 1);
            p++;
        } else if (n > 1) {
            put_n(w, (const char *)p, n);
            p += n;
        } else {
            switch (c) {
            case '<': put(w, "&lt;"); break;
            case '>': put(w, "&gt;"); break;
            case '&': put(w, "&amp;"); break;
            case '"': put(w, "&quot;"); break;
            case '\'': put(w, "&apos;"); break;
            default: {
                char ch = c < 0x20 && c != '\t' ? '?' : (char)c;
                put_n(w, &ch, 1);
            }
            }
            p++;
        }
        chars++;
    }
}

/* --- units --- */

struct scale {
    double div;
    const char *suffix;
};

static const struct scale time_scales[] = {{1, "ns"}, {1e3, "\xc2\xb5s"}, {1e6, "ms"}, {1e9, "s"}};
static const struct scale byte_scales[] = {{1, "B"},
                                           {1024.0, "KiB"},
                                           {1024.0 * 1024, "MiB"},
                                           {1024.0 * 1024 * 1024, "GiB"},
                                           {1024.0 * 1024 * 1024 * 1024, "TiB"}};

/* v (in the smallest unit of scales) with three significant digits in the largest unit
 * that keeps it at least 1: "9.49 s", "380 ms". Rounded half up from the exact value
 * (9485000000 ns is 9.49 s, where printf("%.2f", 9.485) gives 9.48). */
static void format_scaled(char *buf, size_t n, double v, const struct scale *scales, size_t nscales)
{
    const double a = fabs(v);
    size_t u = 0;
    while (u + 1 < nscales && a >= scales[u + 1].div)
        u++;
    for (;;) {
        for (int dec = 2; dec >= 0; dec--) {
            const double p10 = dec == 2 ? 100 : dec == 1 ? 10 : 1;
            const double r = floor(a / (scales[u].div / p10) + 0.5);
            if (r < 1000 || (dec == 0 && u + 1 == nscales)) {
                snprintf(buf, n, "%s%.*f %s", v < 0 ? "-" : "", dec, r / p10, scales[u].suffix);
                return;
            }
        }
        u++; /* 999.5 and up: the next unit */
    }
}

/* How values read: "1897 samples", "9.49 s", "1.50 MiB", "42 widgets". */
struct units {
    const struct scale *scales; /* NULL: a plain number and `name` */
    size_t nscales;
    double factor; /* to the first scale's unit */
    const char *name;
};

static struct units units_of(const struct flame_graph *g)
{
    static const struct {
        const char *unit;
        bool time;
        double factor;
    } known[] = {{"nanoseconds", true, 1},    {"ns", true, 1},
                 {"microseconds", true, 1e3}, {"us", true, 1e3},
                 {"milliseconds", true, 1e6}, {"ms", true, 1e6},
                 {"seconds", true, 1e9},      {"s", true, 1e9},
                 {"bytes", false, 1},         {"B", false, 1}};
    if (g->o->count_name)
        return (struct units){NULL, 0, 1, g->o->count_name};
    const char *unit = g->unit ? g->unit : "count";
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(unit, known[i].unit) == 0)
            return known[i].time ? (struct units){time_scales, 4, known[i].factor, NULL}
                                 : (struct units){byte_scales, 5, known[i].factor, NULL};
    /* A count is of what the sample type says: samples (folded input, `hzprof record`),
     * or e.g. alloc_objects. */
    if (strcmp(unit, "count") == 0 || !*unit)
        return (struct units){NULL, 0, 1, g->type && *g->type ? g->type : "samples"};
    return (struct units){NULL, 0, 1, unit};
}

static void format_value(const struct units *u, double v, char *buf, size_t n)
{
    if (u->scales)
        format_scaled(buf, n, v * u->factor, u->scales, u->nscales);
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f %s", v, u->name);
    else
        snprintf(buf, n, "%.2f %s", v, u->name);
}

/* --- colours --- */

struct rgb {
    int r, g, b;
};

static struct rgb palette_color(const char *palette, const char *name, size_t len, uint32_t depth,
                                bool hash)
{
    uint64_t h = fnv1a_bytes(FNV1A_INIT, name, len);
    if (!hash)
        h ^= (uint64_t)depth * 0x9e3779b97f4a7c15ull;
    h *= 0xbf58476d1ce4e5b9ull;
    const double v1 = (double)(h >> 40 & 0xff) / 255, v2 = (double)(h >> 48 & 0xff) / 255,
                 v3 = (double)(h >> 56) / 255;
    if (strcmp(palette, "mem") == 0)
        return (struct rgb){0, 190 + (int)(50 * v2), (int)(210 * v1)};
    if (strcmp(palette, "io") == 0) {
        int r = 80 + (int)(60 * v1);
        return (struct rgb){r, r, 190 + (int)(55 * v2)};
    }
    if (strcmp(palette, "red") == 0) {
        int x = (int)(80 * v1);
        return (struct rgb){200 + (int)(55 * v1), x, x};
    }
    if (strcmp(palette, "green") == 0) {
        int x = (int)(60 * v1);
        return (struct rgb){x, 200 + (int)(55 * v1), x};
    }
    if (strcmp(palette, "blue") == 0) {
        int x = 80 + (int)(60 * v1);
        return (struct rgb){x, x, 205 + (int)(50 * v1)};
    }
    if (strcmp(palette, "aqua") == 0)
        return (struct rgb){50 + (int)(60 * v1), 165 + (int)(55 * v1), 165 + (int)(55 * v1)};
    if (strcmp(palette, "yellow") == 0) {
        int x = 175 + (int)(55 * v1);
        return (struct rgb){x, x, 50 + (int)(20 * v1)};
    }
    if (strcmp(palette, "purple") == 0) {
        int x = 190 + (int)(65 * v1);
        return (struct rgb){x, 80 + (int)(60 * v1), x};
    }
    if (strcmp(palette, "orange") == 0)
        return (struct rgb){190 + (int)(65 * v1), 90 + (int)(65 * v1), 0};
    return (struct rgb){205 + (int)(50 * v3), (int)(230 * v1), (int)(55 * v2)}; /* hot */
}

/* Differential colour: white to red where the frame grew, to blue where it shrank. */
static struct rgb diff_color(double delta, double max_delta)
{
    double r = max_delta > 0 ? fabs(delta) / max_delta : 0;
    int fade = (int)(255 * (1 - r));
    return delta > 0   ? (struct rgb){255, fade, fade}
           : delta < 0 ? (struct rgb){fade, fade, 255}
                       : (struct rgb){250, 250, 250};
}

/* --- the SVG --- */

struct page {
    struct out *w;
    const struct flame_graph *g;
    struct units units;
    double total, scale, max_delta;
    unsigned height, ypad1, ypad2, xpad;
};

static void draw_frame(const struct page *P, const struct frame *fr)
{
    static const char hex[] = "0123456789abcdef";
    struct out *w = P->w;
    const struct flame_options *o = P->g->o;
    const char *name = "all";
    size_t len = 3;
    if (fr->name != UINT32_MAX) {
        const struct flame_name *n = &P->g->names[fr->name];
        name = P->g->text + n->at;
        len = n->len;
    }
    const unsigned fh = o->frame_height;
    const unsigned y =
        o->inverted ? P->ypad1 + fr->depth * fh : P->height - P->ypad2 - (fr->depth + 1) * fh;
    const double x = P->xpad + fr->start * P->scale, width = fr->value * P->scale;
    const struct rgb c = P->g->has_base ? diff_color(fr->value - fr->base, P->max_delta)
                                        : palette_color(o->colors, name, len, fr->depth, o->hash);
    char buf[160];
    put(w, "<g data-s=\"");
    put_exact(w, fr->start);
    put(w, "\" data-v=\"");
    put_exact(w, fr->value);
    put(w, "\"><title>");
    put_escaped(w, name, len, 0);
    format_value(&P->units, fr->value, buf, sizeof buf);
    put(w, " (");
    put(w, buf);
    snprintf(buf, sizeof buf, ", %.2f%%", 100 * fr->value / P->total);
    put(w, buf);
    if (P->g->has_base) {
        snprintf(buf, sizeof buf, "; %+.2f%% vs base", 100 * (fr->value - fr->base) / P->total);
        put(w, buf);
    }
    put(w, ")</title><rect x=\"");
    put_px(w, x);
    put(w, "\" y=\"");
    put_uint(w, y);
    put(w, "\" width=\"");
    put_px(w, width);
    put(w, "\" height=\"");
    put_uint(w, fh - 1);
    const char fill[] = {'#',           hex[c.r >> 4], hex[c.r & 15], hex[c.g >> 4],
                         hex[c.g & 15], hex[c.b >> 4], hex[c.b & 15]};
    put(w, "\" fill=\"");
    put_n(w, fill, sizeof fill);
    put(w, "\"/>");
    /* The label: as many characters as fit at 12 px Verdana (0.59 em each), two of them
     * ".." when cut; none under three. */
    const size_t fit = width > 3 ? (size_t)((width - 3) / (12 * 0.59)) : 0;
    if (fit >= 3) {
        size_t chars = 0; /* UTF-8 characters in the name */
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)name[i] & 0xc0) != 0x80;
        put(w, "<text x=\"");
        put_px(w, x + 3);
        put(w, "\" y=\"");
        put_uint(w, y + fh - 5);
        put(w, "\">");
        put_escaped(w, name, len, chars > fit ? fit - 2 : 0);
        put(w, "</text>");
    }
    put(w, "</g>\n");
}

extern const char flame_script[];

static void put_type(struct out *w, const char *type, const char *unit)
{
    put_escaped(w, type, strlen(type), 0);
    put(w, "/");
    put_escaped(w, unit, strlen(unit), 0);
}

int flame_graph_write(struct flame_graph *g, FILE *f)
{
    const struct flame_options *o = g->o;
    struct out *w = malloc(sizeof *w);
    uint32_t *rank = NULL;
    struct frames frames = {0};
    int rc = -1;
    if (!w)
        goto out;
    w->f = f;
    w->n = 0;
    w->err = 0;
    init_plain();
    /* Base values at the same total as the values, so only shares differ. */
    if (g->has_base)
        for (size_t i = 0; i < g->nstacks; i++)
            g->stacks[i].base *= g->base_total > 0 ? g->total / g->base_total : 0;
    if (rank_names(g, &rank) != 0)
        goto out;
    const struct sort_keys keys = {g->frames, rank};
    if (sort_stacks(g->stacks, g->nstacks, &keys) != 0)
        goto out;
    const unsigned xpad = 10, ypad2 = 34;
    const double total = g->total;
    const double scale = total > 0 ? (double)(o->width - 2 * xpad) / total : 0;
    struct walk walk = {&frames, 0, 0, scale, o->min_width, 0, g->has_base};
    if (total > 0 && layout(g, &walk) != 0)
        goto out;
    unsigned depth = 0;
    for (size_t i = 0; i < frames.n; i++)
        if (frames.f[i].depth > depth)
            depth = frames.f[i].depth;
    const bool typed = g->type && g->unit;
    const unsigned ypad1 = o->subtitle || typed ? 60 : 42;
    const unsigned height = ypad1 + ypad2 + (depth + 1) * o->frame_height;
    const char *title = o->title ? o->title : o->inverted ? "Icicle Graph" : "Flame Graph";
    char buf[512];

    snprintf(buf, sizeof buf,
             "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
             "<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
             "xmlns=\"http://www.w3.org/2000/svg\" data-xpad=\"%u\" data-inverted=\"%d\">\n",
             o->width, height, o->width, height, xpad, o->inverted ? 1 : 0);
    put(w, buf);
    put(w, "<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\"><stop "
           "stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" "
           "offset=\"95%\"/></linearGradient></defs>\n"
           "<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
           "#title{text-anchor:middle;font-size:17px}#subtitle{text-anchor:middle;"
           "fill:#555}#search,#unzoom{cursor:pointer}#frames g{cursor:pointer}"
           "#frames rect{rx:2px;ry:2px}#frames text{pointer-events:none}.hide{display:none}"
           "#frames g:hover rect{stroke:#000;stroke-width:0.5}</style>\n"
           "<script type=\"text/ecmascript\"><![CDATA[\n");
    put(w, flame_script);
    snprintf(buf, sizeof buf,
             "]]></script>\n<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" "
             "fill=\"url(#background)\"/>\n<text id=\"title\" x=\"%u\" y=\"24\">",
             o->width, height, o->width / 2);
    put(w, buf);
    put_escaped(w, title, strlen(title), 0);
    put(w, "</text>\n");
    if (o->subtitle || typed) {
        snprintf(buf, sizeof buf, "<text id=\"subtitle\" x=\"%u\" y=\"44\">", o->width / 2);
        put(w, buf);
        if (o->subtitle)
            put_escaped(w, o->subtitle, strlen(o->subtitle), 0);
        if (o->subtitle && typed)
            put(w, " \xc2\xb7 ");
        if (typed) {
            put(w, "sample type: ");
            put_type(w, g->type, g->unit);
            if (g->has_base && g->base_type && g->base_unit &&
                (strcmp(g->base_type, g->type) || strcmp(g->base_unit, g->unit))) {
                put(w, ", base: ");
                put_type(w, g->base_type, g->base_unit);
            }
        }
        put(w, "</text>\n");
    }
    snprintf(buf, sizeof buf,
             "<text id=\"details\" x=\"%u\" y=\"%u\"> </text>\n"
             "<text id=\"unzoom\" x=\"%u\" y=\"24\" class=\"hide\">Reset Zoom</text>\n"
             "<text id=\"search\" x=\"%u\" y=\"24\">Search</text>\n"
             "<text id=\"matched\" x=\"%u\" y=\"%u\"> </text>\n<g id=\"frames\">\n",
             xpad, height - 17, xpad, o->width - 110, o->width - 110, height - 17);
    put(w, buf);
    struct page P = {w, g, units_of(g), total, scale, walk.max_delta, height, ypad1, ypad2, xpad};
    for (size_t i = 0; i < frames.n; i++)
        draw_frame(&P, &frames.f[i]);
    put(w, "</g>\n</svg>\n");
    out_flush(w);
    rc = w->err || ferror(f) ? -1 : 0;
    if (rc)
        errno = w->err ? w->err : EIO;
    free(w);
    free(rank);
    free(frames.f);
    return rc;
out:
    free(w);
    free(rank);
    free(frames.f);
    errno = ENOMEM;
    return -1;
}

int flame_write(const struct pp_profile *p, const struct flame_options *o, FILE *out)
{
    struct flame_graph *g = flame_graph_new(o);
    int rc = g && flame_graph_add_profile(g, p, -1, false) == 0 ? flame_graph_write(g, out) : -1;
    if (!g)
        errno = ENOMEM;
    flame_graph_free(g);
    return rc;
}
