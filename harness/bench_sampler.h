/*
 * bench_sampler.h — a sampler as the bench names it: a libhzprof sampler with optional
 * modifiers, "NAME[+jitter=uniform|exp][+no-interrupt]" (e.g. "perf-clock+jitter=exp",
 * "wall+no-interrupt"), so the bias preset can put fixed and jittered intervals, or the
 * wall sampler's two modes, side by side as configurations of their own. The whole
 * string is the configuration's label in results; the workload gets the base name and
 * --jitter / --no-interrupt.
 */
#ifndef HZPROF_BENCH_SAMPLER_H
#define HZPROF_BENCH_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>

struct bench_sampler {
    char base[32];     /* the libhzprof sampler */
    char jitter[16];   /* "none", "uniform", "exp" */
    bool no_interrupt; /* the wall sampler's mode */
};

/* Parses and checks a spec against what the sampler can do (hzprof_sampler_caps).
 * Returns 0, or -1 with a one-line reason in err. */
int bench_sampler_parse(const char *spec, struct bench_sampler *out, char *err, size_t n);

/* Whether spec's sampler samples wall time (its truth is the wall-time split). False for
 * a spec that does not parse (a baseline's name). */
bool bench_sampler_is_wall(const char *spec);

#endif
