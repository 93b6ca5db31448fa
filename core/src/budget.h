/*
 * budget.h — budget mode (hzprof_config.max_overhead): the pure choice of a rate for a
 * budget, the calibration that measures what one sample costs, and the start that puts
 * them together. The public side is in hzprof.h (hzprof_budget_rate, hzprof_calibrate,
 * hzprof_overhead_parse); this is what profiler.c and budget.c share.
 *
 * Why in the library: `hzprof record` (through the preload library), the workloads of
 * the bench and any program that links libhzprof get the same choice from the same
 * calibration, and the profile itself records what was chosen (pprof comments,
 * hzprof_stats).
 */
#ifndef HZPROF_BUDGET_H
#define HZPROF_BUDGET_H

#include "hzprof.h"

/* What the session started in budget mode chose, for hzprof_stats and the comments. */
struct budget_info {
    double max_overhead;       /* fraction; 0: not budget mode */
    double predicted_overhead; /* fraction */
    double cost_ns;            /* the cost per sample used */
    double ceiling_hz;         /* hzprof_calibration.ceiling_hz */
    int calibrated;            /* 1: measured at this start */
};

/* hzprof_start in budget mode (cfg->max_overhead != 0): checks cfg, calibrates unless
 * cfg->calibration is given, chooses the rate and starts the session with it. */
int budget_start(const struct hzprof_config *cfg);

/* profiler.c: starts a session with cfg (its max_overhead ignored) and records budget
 * (NULL: not budget mode) for the statistics and the comments. */
int profiler_start(const struct hzprof_config *cfg, const struct budget_info *budget);

/* profiler.c: forgets the last profile and its statistics, as if no session had run
 * (after a calibration, whose sessions are not the caller's). No-op while running. */
void profiler_discard(void);

/* config checks shared with config_resolve: HZPROF_OK, or HZPROF_ERR_INVALID with the
 * detail, for a budget out of range or a sampler budget mode cannot use. */
int budget_check(const struct hzprof_config *cfg);

#endif
