/*
 * stats.h — the statistics of the overhead study (Kalibera & Jones style): medians,
 * percentile-bootstrap confidence intervals of a median and of an overhead ratio, and a
 * least-squares slope with a bootstrap interval (cost per sample = slope of CPU time
 * against samples taken).
 *
 * Everything random is drawn from a seeded generator, so a result is reproducible from
 * its recorded seed. Functions copy their inputs; none keeps a pointer.
 */
#ifndef HZPROF_STATS_H
#define HZPROF_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t state;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);          /* splitmix64 */
double rng_uniform(struct rng *r);         /* [0, 1) */
size_t rng_below(struct rng *r, size_t n); /* [0, n) */
double rng_normal(struct rng *r);          /* standard normal (Box-Muller) */

/* A point estimate with a confidence interval. */
struct estimate {
    double value, lo, hi;
};

double stats_median(const double *x, size_t n);
/* Linear interpolation between order statistics, q in [0, 1]. */
double stats_percentile(const double *x, size_t n, double q);

/* Median of x with a percentile-bootstrap interval at `level` (e.g. 0.95). */
struct estimate stats_median_ci(const double *x, size_t n, unsigned resamples, double level,
                                uint64_t seed);

/* Overhead = 1 - median(on) / median(off), where on and off are throughputs, with a
 * bootstrap interval that resamples both sides independently. */
struct estimate stats_overhead_ci(const double *off, size_t n_off, const double *on, size_t n_on,
                                  unsigned resamples, double level, uint64_t seed);

/* Least-squares slope of y on x, with a bootstrap (resampling (x, y) pairs) interval.
 * Returns false if x has no spread (fewer than two distinct values). */
bool stats_slope_ci(const double *x, const double *y, size_t n, unsigned resamples, double level,
                    uint64_t seed, struct estimate *slope, double *intercept);

/* Paired design (bench_pairs.h): the median over pairs of on[i] / off[i] with a
 * percentile-bootstrap interval that resamples whole pairs. Pairs with off[i] <= 0 or a
 * non-finite value are left out. */
struct estimate stats_paired_ratio_ci(const double *on, const double *off, size_t n,
                                      unsigned resamples, double level, uint64_t seed);

/* The minimum detectable effect of an A/A ratio estimate (off beside off), as a fraction:
 * the larger distance of its interval's ends from 1. NAN without an interval. */
double stats_aa_mde(struct estimate aa_ratio);

/* An effect (a fraction, e.g. ratio - 1) is resolved when its whole interval lies beyond
 * +-mde; never with an unknown mde or no interval. */
bool stats_resolved(struct estimate effect, double mde);

static inline bool estimate_includes_zero(struct estimate e)
{
    return e.lo <= 0 && e.hi >= 0;
}

#endif
