/*
 * score.h — how well a profile attributes time, against a ground truth.
 *
 * A truth is a list of (leaf function, percent) pairs: the share of samples whose
 * innermost frame should be that function ("[off-cpu]" is the wall sampler's leaf for a
 * sleeping thread). The profile's share of a function is the chosen sample value of the
 * samples whose innermost frame is that function, over the total of all samples. The
 * attribution error is the largest absolute difference over the truth's functions, in
 * percentage points.
 */
#ifndef HZPROF_SCORE_H
#define HZPROF_SCORE_H

#include <stddef.h>

#include "pprof/profile.h"

struct truth_share {
    const char *function;
    double percent;     /* the truth */
    double profile_pct; /* filled by score_attribution */
};

/* The truth measured by a truth-workload run: the object result.truth.KIND of its JSON
 * output, function -> percent (entries that are not numbers are skipped). */
struct truth {
    struct truth_share *shares; /* function names are owned by the truth */
    size_t n;
};

/* Parses `len` bytes of JSON output. Returns 0, or -1 with a one-line reason in err that
 * starts with 'NAME': not valid JSON (with the line and column where it breaks), or valid
 * JSON without a result.truth.KIND object (and which kinds it has, if any). */
int truth_parse(const char *text, size_t len, const char *kind, const char *name, struct truth *t,
                char *err, size_t err_size);
void truth_free(struct truth *t);

/* Fills t[i].profile_pct and returns the attribution error in points (0 if n == 0). */
double score_attribution(const struct pp_profile *p, size_t value_index, struct truth_share *t,
                         size_t n);

#endif
