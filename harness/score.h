/*
 * score.h — how well a profile attributes time, against a ground truth.
 *
 * A truth is a list of (leaf function, percent) pairs: the share of samples whose
 * innermost frame should be that function ("[off-cpu]" is the wall sampler's leaf for a
 * sleeping thread). The profile's share of a function is the chosen sample value of the
 * samples whose innermost frame is that function, over the total of all samples. The
 * attribution error is the largest absolute difference over the truth's functions, in
 * percentage points.
 *
 * A truth may also name its syscall sites: functions whose body is a system call, so that
 * a sample whose leaf is one of them is "at a system call". A sampler whose signal waits
 * for the thread's next return from the kernel puts there samples that belong elsewhere
 * (skid): the skid score is the profile's share of samples at syscall sites minus the
 * truth's share of those functions, in points.
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
    char **sites; /* result.truth.syscall_sites (strings only; none if absent) */
    size_t nsites;
};

/* Parses `len` bytes of JSON output, and result.truth.syscall_sites when it is there.
 * Returns 0, or -1 with a one-line reason in err that starts with 'NAME': not valid JSON
 * (with the line and column where it breaks), or valid JSON without a result.truth.KIND
 * object (and which kinds it has, if any). */
int truth_parse(const char *text, size_t len, const char *kind, const char *name, struct truth *t,
                char *err, size_t err_size);
void truth_free(struct truth *t);

/* Fills t[i].profile_pct and returns the attribution error in points (0 if n == 0). */
double score_attribution(const struct pp_profile *p, size_t value_index, struct truth_share *t,
                         size_t n);

struct skid_score {
    double profile_pct; /* share of the samples whose leaf is a syscall site */
    double truth_pct;   /* the truth's share of the syscall sites (0 for one it lacks) */
    double skid_pts;    /* profile_pct - truth_pct */
};

/* Fills out with the skid score of a profile against the truth t[0..n) and its syscall
 * sites (a site named twice counts once). Returns 0, or -1 when out of memory. */
int score_skid(const struct pp_profile *p, size_t value_index, const struct truth_share *t,
               size_t n, const char *const *sites, size_t nsites, struct skid_score *out);

#endif
