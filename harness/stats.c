/* stats.c — see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rng_seed(struct rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

size_t rng_below(struct rng *r, size_t n)
{
    return n ? (size_t)(rng_uniform(r) * (double)n) : 0;
}

double rng_normal(struct rng *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile_sorted(const double *s, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (q <= 0)
        return s[0];
    if (q >= 1)
        return s[n - 1];
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double frac = pos - (double)i;
    return i + 1 < n ? s[i] + frac * (s[i + 1] - s[i]) : s[i];
}

double stats_percentile(const double *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double v = percentile_sorted(s, n, q);
    free(s);
    return v;
}

double stats_median(const double *x, size_t n)
{
    return stats_percentile(x, n, 0.5);
}

/* Median of a bootstrap resample of x, using scratch (n doubles). */
static double resampled_median(const double *x, size_t n, struct rng *r, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = x[rng_below(r, n)];
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return percentile_sorted(scratch, n, 0.5);
}

/* Fills e->lo/hi from the bootstrap distribution `dist` (sorted in place). */
static void interval_from(double *dist, size_t m, double level, struct estimate *e)
{
    qsort(dist, m, sizeof *dist, cmp_double);
    e->lo = percentile_sorted(dist, m, (1 - level) / 2);
    e->hi = percentile_sorted(dist, m, 1 - (1 - level) / 2);
}

struct estimate stats_median_ci(const double *x, size_t n, unsigned resamples, double level,
                                uint64_t seed)
{
    struct estimate e = {stats_median(x, n), NAN, NAN};
    double *scratch = malloc((n ? n : 1) * sizeof *scratch);
    double *dist = malloc((resamples ? resamples : 1) * sizeof *dist);
    if (n && resamples && scratch && dist) {
        struct rng r;
        rng_seed(&r, seed);
        for (unsigned b = 0; b < resamples; b++)
            dist[b] = resampled_median(x, n, &r, scratch);
        interval_from(dist, resamples, level, &e);
    }
    free(scratch);
    free(dist);
    return e;
}

struct estimate stats_overhead_ci(const double *off, size_t n_off, const double *on, size_t n_on,
                                  unsigned resamples, double level, uint64_t seed)
{
    const double m_off = stats_median(off, n_off), m_on = stats_median(on, n_on);
    struct estimate e = {1 - m_on / m_off, NAN, NAN};
    size_t big = n_off > n_on ? n_off : n_on;
    double *scratch = malloc((big ? big : 1) * sizeof *scratch);
    double *dist = malloc((resamples ? resamples : 1) * sizeof *dist);
    if (n_off && n_on && resamples && scratch && dist) {
        struct rng r;
        rng_seed(&r, seed);
        for (unsigned b = 0; b < resamples; b++) {
            double a = resampled_median(off, n_off, &r, scratch);
            double c = resampled_median(on, n_on, &r, scratch);
            dist[b] = 1 - c / a;
        }
        interval_from(dist, resamples, level, &e);
    }
    free(scratch);
    free(dist);
    return e;
}

/* Ordinary least squares; false if x has no spread. */
static bool fit_line(const double *x, const double *y, const size_t *idx, size_t n, double *slope,
                     double *intercept)
{
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[idx ? idx[i] : i];
        my += y[idx ? idx[i] : i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[idx ? idx[i] : i] - mx;
        sxx += dx * dx;
        sxy += dx * (y[idx ? idx[i] : i] - my);
    }
    if (sxx <= 0)
        return false;
    *slope = sxy / sxx;
    *intercept = my - *slope * mx;
    return true;
}

bool stats_slope_ci(const double *x, const double *y, size_t n, unsigned resamples, double level,
                    uint64_t seed, struct estimate *slope, double *intercept)
{
    if (n < 2 || !fit_line(x, y, NULL, n, &slope->value, intercept))
        return false;
    slope->lo = slope->hi = NAN;
    size_t *idx = malloc(n * sizeof *idx);
    double *dist = malloc((resamples ? resamples : 1) * sizeof *dist);
    size_t m = 0;
    if (idx && dist) {
        struct rng r;
        rng_seed(&r, seed);
        for (unsigned b = 0; b < resamples; b++) {
            for (size_t i = 0; i < n; i++)
                idx[i] = rng_below(&r, n);
            double s, c;
            if (fit_line(x, y, idx, n, &s, &c)) /* resamples without spread are skipped */
                dist[m++] = s;
        }
        if (m)
            interval_from(dist, m, level, slope);
    }
    free(idx);
    free(dist);
    return true;
}

struct estimate stats_paired_ratio_ci(const double *on, const double *off, size_t n,
                                      unsigned resamples, double level, uint64_t seed)
{
    double *ratio = malloc((n ? n : 1) * sizeof *ratio);
    size_t m = 0;
    for (size_t i = 0; ratio && i < n; i++)
        if (off[i] > 0 && isfinite(on[i]) && isfinite(off[i]))
            ratio[m++] = on[i] / off[i];
    struct estimate e = {NAN, NAN, NAN};
    if (ratio && m)
        e = stats_median_ci(ratio, m, resamples, level, seed);
    free(ratio);
    return e;
}

double stats_aa_mde(struct estimate aa_ratio)
{
    if (!isfinite(aa_ratio.lo) || !isfinite(aa_ratio.hi))
        return NAN;
    return fmax(fabs(aa_ratio.lo - 1), fabs(aa_ratio.hi - 1));
}

bool stats_resolved(struct estimate effect, double mde)
{
    return isfinite(mde) && isfinite(effect.lo) && isfinite(effect.hi) &&
           (effect.lo > mde || effect.hi < -mde);
}
