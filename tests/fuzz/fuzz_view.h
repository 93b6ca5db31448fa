/*
 * fuzz_view.h — what the fuzz targets do with every profile a parser accepts: what the
 * viewing commands do with it (hzprof top for each sample value, flame, folded output),
 * written to /dev/null. A profile we accept must also be viewable; a crash or undefined
 * behaviour there is as much a bug as one in the parser.
 */
#ifndef HZPROF_FUZZ_VIEW_H
#define HZPROF_FUZZ_VIEW_H

#include <stdio.h>
#include <stdlib.h>

#include "flame.h"
#include "folded.h"
#include "pprof/profile.h"
#include "top.h"

static inline FILE *fuzz_null(void)
{
    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w")))
        abort();
    return null;
}

static inline void fuzz_view(const struct pp_profile *p)
{
    FILE *out = fuzz_null();
    for (size_t i = 0; i < p->nsample_types; i++) {
        top_write(p, (int)i, 0, i % 2 == 1, out);
        folded_write(p, i, FOLDED_LABELS, out);
    }
    if (p->nsample_types > 0) {
        struct flame_options o;
        flame_options_init(&o);
        flame_write(p, &o, out);
        /* And with the options that change the walk: inverted, reversed, cut at depth 3,
         * and a differential graph against itself, weighed by the first sample type. */
        o.inverted = o.reverse = true;
        o.max_depth = 3;
        struct flame_graph *g = flame_graph_new(&o);
        if (g && flame_graph_add_profile(g, p, -1, false) == 0 &&
            flame_graph_add_profile(g, p, 0, true) == 0)
            flame_graph_write(g, out);
        flame_graph_free(g);
    }
}

#endif
