/*
 * flame.c — flame graph SVG writer (see flame.h).
 *
 * Build: every sample's frames (root to leaf, inlined calls expanded; leaf to root with
 * --reverse) are merged into a tree of nodes keyed by (parent, name), each node summing
 * the values of the samples through it. Layout: a depth-first walk with siblings sorted
 * by name; a node's width is its value over the total, times the drawable width; nodes
 * under --minwidth px (and so their children) are left out. Stacks may be as deep as
 * memory allows (deep recursion gives 100,000 frames and more): the frame buffers grow
 * on the heap and the walk keeps an explicit stack, never recursing. The SVG carries a small
 * script of our own for hover details, click-to-zoom, reset, and regular-expression
 * search (also on Ctrl-F) with the matched percentage; it needs no network.
 */
#define _GNU_SOURCE
#include "flame.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const flame_palettes[] = {"hot",  "mem",    "io",     "red",    "green", "blue",
                                      "aqua", "yellow", "purple", "orange", NULL};

void flame_options_init(struct flame_options *o)
{
    memset(o, 0, sizeof *o);
    o->width = 1200;
    o->frame_height = 16;
    o->min_width = 0.1;
    o->colors = "hot";
    o->count_name = "samples";
    o->value_index = -1;
    o->base_value_index = -1;
}

/* --- the tree --- */

struct node {
    const char *name;
    uint64_t name_hash;
    double value, base;
    uint32_t parent, first_child, next_sibling;
    uint32_t depth, nchildren;
};

struct slot {
    uint32_t node; /* node index + 1; 0: empty */
    uint32_t tag;  /* the key hash's high half */
};

/* Children are found by walking the parent's child list while it has at most
 * LIST_CHILDREN of them: most nodes of a profile have one child or none, and a new node
 * under a new parent then costs no cache miss at all. Children of parents with more go
 * into an open-addressing table on (parent, name) too. */
#define LIST_CHILDREN 8

struct tree {
    struct node *nodes;
    size_t n, cap;
    /* slot -> node index + 1, with the key hash's high half beside it, so a probe touches
     * a node only when the tags agree. Holds the children of parents with more than
     * LIST_CHILDREN children (nhashed of them). */
    struct slot *slots;
    size_t nslots, nhashed;
};

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static uint64_t key_hash(uint32_t parent, uint64_t hash)
{
    uint64_t k = hash ^ (parent * 0x9e3779b97f4a7c15ull);
    return k ^ (k >> 29);
}

/* An empty tree with room for about `expect` nodes (a hint: it grows past it). */
static int tree_init(struct tree *t, size_t expect)
{
    memset(t, 0, sizeof *t);
    t->cap = expect > 1024 ? expect + 1 : 1024;
    t->nodes = malloc(t->cap * sizeof *t->nodes);
    t->nslots = 4096;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    if (!t->nodes || !t->slots)
        return -1;
    t->nodes[0] = (struct node){.name = "all"};
    t->n = 1;
    return 0;
}

static void tree_free(struct tree *t)
{
    free(t->nodes);
    free(t->slots);
}

static void slot_put(struct slot *slots, size_t nslots, const struct node *nodes, uint32_t id)
{
    uint64_t k = key_hash(nodes[id].parent, nodes[id].name_hash);
    size_t s = k & (nslots - 1);
    while (slots[s].node)
        s = (s + 1) & (nslots - 1);
    slots[s] = (struct slot){id + 1, (uint32_t)(k >> 32)};
}

/* Puts node id in the table, growing it to stay at most half full. */
static int tree_hash_node(struct tree *t, uint32_t id)
{
    if (2 * (t->nhashed + 1) > t->nslots) {
        size_t nslots = t->nslots * 2;
        struct slot *slots = calloc(nslots, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t s = 0; s < t->nslots; s++)
            if (t->slots[s].node)
                slot_put(slots, nslots, t->nodes, t->slots[s].node - 1);
        free(t->slots);
        t->slots = slots;
        t->nslots = nslots;
    }
    slot_put(t->slots, t->nslots, t->nodes, id);
    t->nhashed++;
    return 0;
}

static bool same_name(const struct node *c, const char *name, uint64_t hash)
{
    return c->name_hash == hash && (c->name == name || strcmp(c->name, name) == 0);
}

/* The child of `parent` named `name` (whose name_hash is `hash`); created if `create`,
 * else 0 when absent. Names of one profile are interned, so equal pointers are the
 * common case and strcmp runs only for another profile's names (--diff). */
static uint32_t tree_child(struct tree *t, uint32_t parent, const char *name, uint64_t hash,
                           bool create)
{
    if (t->nodes[parent].nchildren <= LIST_CHILDREN) {
        for (uint32_t c = t->nodes[parent].first_child; c; c = t->nodes[c].next_sibling)
            if (same_name(&t->nodes[c], name, hash))
                return c;
    } else {
        const uint64_t k = key_hash(parent, hash);
        const uint32_t tag = (uint32_t)(k >> 32);
        for (size_t s = k & (t->nslots - 1); t->slots[s].node; s = (s + 1) & (t->nslots - 1)) {
            const struct node *c = &t->nodes[t->slots[s].node - 1];
            if (t->slots[s].tag == tag && c->parent == parent && same_name(c, name, hash))
                return t->slots[s].node - 1;
        }
    }
    if (!create)
        return 0;
    if (t->n == t->cap) {
        struct node *grown = realloc(t->nodes, 2 * t->cap * sizeof *grown);
        if (!grown)
            return 0;
        t->nodes = grown;
        t->cap *= 2;
    }
    uint32_t id = (uint32_t)t->n++;
    struct node *pn = &t->nodes[parent];
    t->nodes[id] = (struct node){.name = name,
                                 .name_hash = hash,
                                 .parent = parent,
                                 .next_sibling = pn->first_child,
                                 .depth = pn->depth + 1};
    pn->first_child = id;
    if (++pn->nchildren == LIST_CHILDREN + 1) { /* from now on: by the table */
        for (uint32_t c = pn->first_child; c; c = t->nodes[c].next_sibling)
            if (tree_hash_node(t, c) != 0)
                return 0;
    } else if (pn->nchildren > LIST_CHILDREN + 1 && tree_hash_node(t, id) != 0) {
        return 0;
    }
    return id;
}

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

static void location_names_free(struct location_names *ln)
{
    free(ln->names);
    free(ln->first);
}

/* The index in p->locations of location `id`: ids are usually 1..n in order. */
static long location_index(const struct pp_profile *p, uint64_t id)
{
    if (id >= 1 && id <= p->nlocations && p->locations[id - 1].id == id)
        return (long)(id - 1);
    const struct pp_location *l = profile_location(p, id);
    return l ? (long)(l - p->locations) : -1;
}

/* The frames of the sample being added and the path of the one before it, grown to the
 * deepest sample: a stack's depth is bounded only by memory (recursive programs easily
 * have thousands of frames; a fixed cap would silently cut them). */
struct frame_buf {
    int64_t *names, *prev_names;
    uint32_t *prev_nodes;
    size_t cap;
};

/* Room for `need` frames; prev_names and prev_nodes keep their contents. */
static int frame_buf_reserve(struct frame_buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    int64_t *names = realloc(b->names, cap * sizeof *names);
    if (!names)
        return -1;
    b->names = names;
    int64_t *prev_names = realloc(b->prev_names, cap * sizeof *prev_names);
    if (!prev_names)
        return -1;
    b->prev_names = prev_names;
    uint32_t *prev_nodes = realloc(b->prev_nodes, cap * sizeof *prev_nodes);
    if (!prev_nodes)
        return -1;
    b->prev_nodes = prev_nodes;
    b->cap = cap;
    return 0;
}

static void frame_buf_free(struct frame_buf *b)
{
    free(b->names);
    free(b->prev_names);
    free(b->prev_nodes);
}

/* A sample's frames as string indices of p (0 = unknown), root first (leaf first with
 * reverse), into b->names. Returns how many, or (size_t)-1 when out of memory. */
static size_t sample_frames(const struct pp_profile *p, const struct location_names *ln,
                            const struct pp_sample *s, bool reverse, struct frame_buf *b)
{
    size_t n = 0;
    for (size_t i = s->nlocations; i-- > 0;) {
        long li = location_index(p, s->location_ids[i]);
        if (li < 0)
            continue;
        if (frame_buf_reserve(b, n + (ln->first[li + 1] - ln->first[li])) != 0)
            return (size_t)-1;
        for (size_t k = ln->first[li]; k < ln->first[li + 1]; k++)
            b->names[n++] = ln->names[k];
    }
    int64_t *names = b->names;
    if (reverse)
        for (size_t i = 0; i < n / 2; i++) {
            int64_t t = names[i];
            names[i] = names[n - 1 - i];
            names[n - 1 - i] = t;
        }
    return n;
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

/* Adds every sample of p to the tree (into value, or base when `base`). With `base`,
 * paths are only followed, never created. Returns the total value added, or NAN on
 * error. */
static double tree_add_profile(struct tree *t, const struct pp_profile *p, int vi,
                               const struct flame_options *o, bool base, double scale)
{
    struct frame_buf fb = {0};
    size_t prev_n = 0; /* the previous sample's path: sorted input shares long prefixes */
    /* Each string's hash, once. */
    uint64_t *hashes = malloc((p->nstrings ? p->nstrings : 1) * sizeof *hashes);
    struct location_names ln = {0};
    double total = NAN;
    if (!hashes || location_names_init(&ln, p) != 0)
        goto out;
    for (size_t i = 0; i < p->nstrings; i++)
        hashes[i] = name_hash(p->strings[i]);
    const uint64_t unknown_hash = name_hash("[unknown]");
    total = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const struct pp_sample *s = &p->samples[i];
        if (vi < 0 || (size_t)vi >= s->nvalues || s->values[vi] <= 0)
            continue;
        if (o->tag_key && !sample_has_tag(p, s, o->tag_key, o->tag_value))
            continue;
        const double v = (double)s->values[vi] * scale;
        size_t n = sample_frames(p, &ln, s, o->reverse, &fb);
        if (n == (size_t)-1) {
            total = NAN; /* out of memory */
            goto out;
        }
        if (o->max_depth && n > o->max_depth)
            n = o->max_depth;
        total += v;
        uint32_t node = 0;
        if (base)
            t->nodes[0].base += v;
        else
            t->nodes[0].value += v;
        size_t k = 0;
        bool shared = true; /* still on the previous sample's path */
        for (; k < n; k++) {
            uint32_t child;
            const int64_t name_k = fb.names[k];
            if (shared && k < prev_n && name_k == fb.prev_names[k]) {
                child = fb.prev_nodes[k];
            } else {
                shared = false;
                const char *name = name_k ? profile_string(p, name_k) : "[unknown]";
                uint64_t hash = name_k ? hashes[name_k] : unknown_hash;
                child = tree_child(t, node, name, hash, !base);
            }
            if (!child) {
                if (!base) {
                    total = NAN; /* out of memory */
                    goto out;
                }
                break;
            }
            node = child;
            fb.prev_names[k] = name_k;
            fb.prev_nodes[k] = child;
            if (base)
                t->nodes[node].base += v;
            else
                t->nodes[node].value += v;
        }
        prev_n = k;
    }
out:
    free(hashes);
    location_names_free(&ln);
    frame_buf_free(&fb);
    return total;
}

/* Frames in all samples of p: the most nodes its tree can have. */
static size_t frames_in(const struct pp_profile *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        n += p->samples[i].nlocations;
    return n;
}

/* --- output --- */

/* Writes s XML-escaped; invalid UTF-8 and characters XML 1.0 forbids become '?'. At most
 * `limit` characters (then ".."), if limit > 0. */
static void xml_escape(FILE *f, const char *s, size_t limit)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    while (*p) {
        if (limit && chars == limit) {
            fputs("..", f);
            return;
        }
        unsigned c = *p;
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool valid = len > 0;
        for (size_t k = 1; valid && k < len; k++)
            valid = (p[k] & 0xc0) == 0x80;
        if (valid && len == 2 && c < 0xc2)
            valid = false; /* overlong */
        if (valid && len == 3) {
            unsigned cp = ((c & 0x0f) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
            valid = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) && cp != 0xfffe && cp != 0xffff;
        }
        if (valid && len == 4) {
            unsigned cp = ((c & 0x07) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
                          (p[3] & 0x3fu);
            valid = cp >= 0x10000 && cp <= 0x10ffff;
        }
        if (!valid) {
            fputc('?', f);
            p++;
        } else if (len > 1) {
            fwrite(p, 1, len, f);
            p += len;
        } else {
            switch (c) {
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '&': fputs("&amp;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&apos;", f); break;
            default: fputc(c < 0x20 && c != '\t' ? '?' : (int)c, f);
            }
            p++;
        }
        chars++;
    }
}

struct rgb {
    int r, g, b;
};

static struct rgb palette_color(const char *palette, const char *name, uint32_t depth, bool hash)
{
    uint64_t h = name_hash(name);
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

struct layout {
    FILE *f;
    const struct tree *t;
    const struct flame_options *o;
    double total, scale; /* px per value unit */
    unsigned height, ypad1, ypad2, xpad;
    double max_delta;
};

/* A frame still to draw, at its left edge x. */
struct pending {
    uint32_t id;
    double x;
};

/* Siblings by name, descending: the stack then pops them left to right. */
static int cmp_pending_desc(const void *a, const void *b, void *ctx)
{
    const struct tree *t = ctx;
    return strcmp(t->nodes[((const struct pending *)b)->id].name,
                  t->nodes[((const struct pending *)a)->id].name);
}

static void format_count(char *buf, size_t n, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.2f", v);
}

/* Writes node id's frame at x. Returns false, writing nothing, when it is narrower than
 * --minwidth (and so are its children). */
static bool draw_frame(const struct layout *L, uint32_t id, double x)
{
    const struct node *nd = &L->t->nodes[id];
    const double w = nd->value * L->scale;
    if (w < L->o->min_width)
        return false;
    const unsigned fh = L->o->frame_height;
    const double y = L->o->inverted ? L->ypad1 + (double)nd->depth * fh
                                    : L->height - L->ypad2 - (double)(nd->depth + 1) * fh;
    char count[64];
    format_count(count, sizeof count, nd->value);
    struct rgb c;
    double delta = 0;
    if (L->o->base) {
        delta = nd->value - nd->base;
        c = diff_color(delta, L->max_delta);
    } else {
        c = palette_color(L->o->colors, nd->name, nd->depth, L->o->hash);
    }
    fputs("<g data-n=\"", L->f);
    xml_escape(L->f, nd->name, 0);
    fputs("\"><title>", L->f);
    xml_escape(L->f, nd->name, 0);
    fprintf(L->f, " (%s %s, %.2f%%", count, L->o->count_name, 100 * nd->value / L->total);
    if (L->o->base)
        fprintf(L->f, "; %+.2f%% vs base", 100 * delta / L->total);
    fprintf(L->f,
            ")</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%u\" "
            "fill=\"rgb(%d,%d,%d)\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">",
            x, y, w, fh - 1, c.r, c.g, c.b, x + 3, y + fh - 5);
    const size_t fit = w > 3 ? (size_t)((w - 3) / (12 * 0.59)) : 0;
    if (fit >= 3)
        xml_escape(L->f, nd->name, strlen(nd->name) > fit ? fit - 2 : 0);
    fputs("</text></g>\n", L->f);
    return true;
}

/* Draws the tree depth first from the root at x, children sorted by name left to right.
 * An explicit stack on the heap rather than recursion: stacks are as deep as the profiled
 * program's (100,000 frames and more for deep recursion), far beyond the thread's stack.
 * It holds the frames still to draw, at most one entry per node. Returns -1 with errno
 * ENOMEM when out of memory. */
static int draw_frames(const struct layout *L, double x)
{
    size_t n = 0, cap = 1024;
    struct pending *stack = malloc(cap * sizeof *stack);
    if (!stack)
        return -1;
    stack[n++] = (struct pending){0, x};
    while (n > 0) {
        const struct pending top = stack[--n];
        if (!draw_frame(L, top.id, top.x))
            continue;
        const struct node *nd = &L->t->nodes[top.id];
        if (cap - n < nd->nchildren) {
            size_t grown_cap = cap * 2;
            while (grown_cap - n < nd->nchildren)
                grown_cap *= 2;
            struct pending *grown = realloc(stack, grown_cap * sizeof *grown);
            if (!grown) {
                free(stack);
                errno = ENOMEM;
                return -1;
            }
            stack = grown;
            cap = grown_cap;
        }
        struct pending *kids = stack + n;
        size_t k = 0;
        for (uint32_t c = nd->first_child; c; c = L->t->nodes[c].next_sibling)
            kids[k++].id = c;
        qsort_r(kids, k, sizeof *kids, cmp_pending_desc, (void *)L->t);
        /* Left edges are summed from the leftmost (last) child rightwards, the order of
         * a left-to-right walk, so the floating-point sums round the same way and every
         * x is the same to the last digit printed. */
        double cx = top.x;
        for (size_t i = k; i-- > 0;) {
            kids[i].x = cx;
            cx += L->t->nodes[kids[i].id].value * L->scale;
        }
        n += k;
    }
    free(stack);
    return 0;
}

static unsigned visible_depth(const struct tree *t, double scale, double min_width)
{
    unsigned max = 0;
    for (size_t i = 1; i < t->n; i++)
        if (t->nodes[i].value * scale >= min_width && t->nodes[i].depth > max)
            max = t->nodes[i].depth;
    return max;
}

extern const char flame_script[];

int flame_write(const struct pp_profile *p, const struct flame_options *o, FILE *out)
{
    struct tree t;
    if (tree_init(&t, frames_in(p)) != 0) {
        tree_free(&t);
        return -1;
    }
    int vi = o->value_index >= 0 ? o->value_index : (int)p->nsample_types - 1;
    double total = tree_add_profile(&t, p, vi, o, false, 1);
    if (isnan(total)) {
        tree_free(&t);
        errno = ENOMEM;
        return -1;
    }
    double max_delta = 0;
    if (o->base) {
        /* Normalise the base to the same total, then follow its paths. */
        struct tree probe;
        int bvi = o->base_value_index >= 0 ? o->base_value_index : (int)o->base->nsample_types - 1;
        if (tree_init(&probe, frames_in(o->base)) != 0) {
            tree_free(&probe);
            tree_free(&t);
            return -1;
        }
        double base_total = tree_add_profile(&probe, o->base, bvi, o, false, 1);
        tree_free(&probe);
        tree_add_profile(&t, o->base, bvi, o, true, base_total > 0 ? total / base_total : 0);
        for (size_t i = 1; i < t.n; i++)
            if (fabs(t.nodes[i].value - t.nodes[i].base) > max_delta)
                max_delta = fabs(t.nodes[i].value - t.nodes[i].base);
    }
    const unsigned xpad = 10, ypad1 = o->subtitle ? 60 : 42, ypad2 = 34;
    const double scale = total > 0 ? (double)(o->width - 2 * xpad) / total : 0;
    const unsigned depth = visible_depth(&t, scale, o->min_width);
    const unsigned height = ypad1 + ypad2 + (depth + 1) * o->frame_height;
    const char *title = o->title ? o->title : o->inverted ? "Icicle Graph" : "Flame Graph";

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
            "xmlns=\"http://www.w3.org/2000/svg\" data-total=\"%.17g\" data-xpad=\"%u\" "
            "data-inverted=\"%d\" data-count=\"",
            o->width, height, o->width, height, total, xpad, o->inverted ? 1 : 0);
    xml_escape(out, o->count_name, 0);
    fprintf(out, "\">\n<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" "
                 "x2=\"0\"><stop stop-color=\"#eeeeee\" offset=\"5%%\"/><stop "
                 "stop-color=\"#eeeeb0\" offset=\"95%%\"/></linearGradient></defs>\n"
                 "<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
                 "#title{text-anchor:middle;font-size:17px}#subtitle{text-anchor:middle;"
                 "fill:#555}#search,#unzoom{cursor:pointer}#frames g{cursor:pointer}"
                 "#frames text{pointer-events:none}.hide{display:none}"
                 "#frames g:hover rect{stroke:#000;stroke-width:0.5}</style>\n"
                 "<script type=\"text/ecmascript\"><![CDATA[\n");
    fputs(flame_script, out);
    fprintf(out,
            "]]></script>\n<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" "
            "fill=\"url(#background)\"/>\n<text id=\"title\" x=\"%u\" y=\"24\">",
            o->width, height, o->width / 2);
    xml_escape(out, title, 0);
    fputs("</text>\n", out);
    if (o->subtitle) {
        fprintf(out, "<text id=\"subtitle\" x=\"%u\" y=\"44\">", o->width / 2);
        xml_escape(out, o->subtitle, 0);
        fputs("</text>\n", out);
    }
    fprintf(out,
            "<text id=\"details\" x=\"%u\" y=\"%u\"> </text>\n"
            "<text id=\"unzoom\" x=\"%u\" y=\"24\" class=\"hide\">Reset Zoom</text>\n"
            "<text id=\"search\" x=\"%u\" y=\"24\">Search</text>\n"
            "<text id=\"matched\" x=\"%u\" y=\"%u\"> </text>\n<g id=\"frames\">\n",
            xpad, height - 17, xpad, o->width - 110, o->width - 110, height - 17);
    struct layout L = {out, &t, o, total, scale, height, ypad1, ypad2, xpad, max_delta};
    if (total > 0 && draw_frames(&L, xpad) != 0) {
        tree_free(&t);
        return -1;
    }
    fputs("</g>\n</svg>\n", out);
    tree_free(&t);
    return ferror(out) ? -1 : 0;
}
