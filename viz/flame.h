/*
 * flame.h — interactive flame graph SVGs from profiles (pprof or folded stacks), in the
 * manner of Brendan Gregg's flamegraph.pl: hover for details, click to zoom, search by
 * regular expression; differential graphs against a base profile.
 *
 * Frames are merged by name along the stack; siblings are sorted by name (so identical
 * stacks always land in the same place), widths are proportional to the chosen sample
 * value. Every name is XML-escaped, invalid UTF-8 and control characters are replaced,
 * so the SVG is well-formed whatever the symbols contain. The output is deterministic:
 * the same input and options give the same bytes.
 *
 * Values are labelled in the unit of the sample type they come from: a graph weighed by
 * cpu/nanoseconds reads "all (9.49 s, 100.00%)", one weighed by samples/count
 * "all (1897 samples, 100.00%)"; the subtitle names the sample type.
 *
 * Use: flame_graph_new, then flame_graph_add_profile or flame_graph_add_folded for the
 * input (and again with base = true for --diff), flame_graph_write, flame_graph_free.
 * flame_write does all of it for one profile.
 */
#ifndef HZPROF_FLAME_H
#define HZPROF_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pprof/profile.h"

struct flame_options {
    const char *title;      /* default "Flame Graph" ("Icicle Graph" inverted) */
    const char *subtitle;   /* NULL: none; the sample type is named after it */
    unsigned width;         /* image width in px (1200) */
    unsigned frame_height;  /* px per frame (16) */
    double min_width;       /* px; narrower frames are omitted (0.1) */
    const char *colors;     /* palette: hot, mem, io, red, green, blue, aqua, yellow, purple,
                               orange (hot) */
    bool hash;              /* colour by name only (stable across graphs) */
    bool inverted;          /* icicle: root at the top */
    bool reverse;           /* merge by leaf: stacks reversed */
    const char *count_name; /* NULL: from the sample type's unit (samples, s, B, ...);
                               else values are printed as numbers followed by this */
    const char *tag_key, *tag_value; /* only samples with this label (NULL: all) */
    unsigned max_depth;              /* 0: no limit */
};

void flame_options_init(struct flame_options *o);

/* The palettes flame_graph_write accepts, NULL-terminated. */
extern const char *const flame_palettes[];

struct flame_graph;

/* A graph to add stacks to. NULL when out of memory. o (and its strings) must outlive it. */
struct flame_graph *flame_graph_new(const struct flame_options *o);
void flame_graph_free(struct flame_graph *g);

/* Adds every sample of p, weighed by sample value `value_index` (-1: the last sample
 * type). The first input added (not base) sets the graph's sample type. With base, the
 * samples are the base of a differential graph: they colour the frames (normalised to
 * the same total), never add frames. p must outlive the graph (the sample type's name
 * is not copied).
 * Returns 0, or -1 with errno ENOMEM. */
int flame_graph_add_profile(struct flame_graph *g, const struct pp_profile *p, int value_index,
                            bool base);

/* The same for folded stacks ("root;...;leaf COUNT" per line, a first frame "{k=v,...}"
 * holding labels), read straight from the text: the graph needs no profile, and keeps
 * nothing of the text. Sample type samples/count. The text is checked as folded_parse
 * (profile/folded_parse.h) checks it, with the same messages.
 * Returns 0, or -1 with a one-line reason in err ("line 3: empty frame name", or errno
 * ENOMEM and "out of memory"). */
int flame_graph_add_folded(struct flame_graph *g, const char *text, size_t len, bool base,
                           char *err, size_t err_size);

/* Writes the SVG, once (it sorts the graph's stacks in place). Returns 0, or -1 with errno
 * set (write error or out of memory). */
int flame_graph_write(struct flame_graph *g, FILE *out);

/* All of the above for one profile, weighed by its last sample type. */
int flame_write(const struct pp_profile *p, const struct flame_options *o, FILE *out);

#endif
