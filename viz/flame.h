/*
 * flame.h — interactive flame graph SVGs from a profile (pprof or folded input), in the
 * manner of Brendan Gregg's flamegraph.pl: hover for details, click to zoom, search by
 * regular expression; differential graphs against a base profile.
 *
 * Frames are merged by name along the stack; siblings are sorted by name (so identical
 * stacks always land in the same place), widths are proportional to the chosen sample
 * value. Every name is XML-escaped, invalid UTF-8 and control characters are replaced,
 * so the SVG is well-formed whatever the symbols contain.
 */
#ifndef HZPROF_FLAME_H
#define HZPROF_FLAME_H

#include <stdbool.h>
#include <stdio.h>

#include "pprof/profile.h"

struct flame_options {
    const char *title;      /* default "Flame Graph" ("Icicle Graph" inverted) */
    const char *subtitle;   /* NULL: none */
    unsigned width;         /* image width in px (1200) */
    unsigned frame_height;  /* px per frame (16) */
    double min_width;       /* px; narrower frames are omitted (0.1) */
    const char *colors;     /* palette: hot, mem, io, red, green, blue, aqua, yellow, purple,
                               orange (hot) */
    bool hash;              /* colour by name only (stable across graphs) */
    bool inverted;          /* icicle: root at the top */
    bool reverse;           /* merge by leaf: stacks reversed */
    const char *count_name; /* "samples" */
    int value_index;        /* sample value to weigh by */
    const char *tag_key, *tag_value; /* only samples with this label (NULL: all) */
    unsigned max_depth;              /* 0: no limit */
    const struct pp_profile *base;   /* --diff: the base profile (NULL: normal graph) */
    int base_value_index;
};

void flame_options_init(struct flame_options *o);

/* The palettes flame_write accepts, NULL-terminated. */
extern const char *const flame_palettes[];

/* Writes the SVG. Returns 0, or -1 with errno set (write error or out of memory). */
int flame_write(const struct pp_profile *p, const struct flame_options *o, FILE *out);

#endif
