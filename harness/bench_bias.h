/*
 * bench_bias.h — where samples land (issue 15): for every truth workload x sampler x
 * unwinder x rate, the attribution error (the largest difference, in points, between a
 * function's share of the samples and its true share of the time) and the skid (the share
 * of samples whose leaf is a system-call site minus its true share), each the median over
 * the measured trials with a 95% bootstrap interval, beside what the case was: its period
 * over the sampling interval (periodic: lockstep shows where it is a whole number), its
 * extra busy threads (saturated), its system-call spacing.
 */
#ifndef HZPROF_BENCH_BIAS_H
#define HZPROF_BENCH_BIAS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "bench_config.h"

/* summary.bias: one row per configuration of a truth workload that has scored trials;
 * NULL when the configuration has no truth workload. */
cJSON *bench_bias_summary(const struct bench_config *c, cJSON *trials, uint64_t seed);

#endif
