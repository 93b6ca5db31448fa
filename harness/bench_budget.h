/*
 * bench_budget.h — budget mode in the bench: how well the overhead it predicts matches
 * the overhead measured (summary.budget in results.json, "Budget mode: predicted vs
 * measured" in summary.md).
 *
 * A budget configuration (bench_config.h "max_overhead_pct") runs each workload with
 * --max-overhead B%: the workload's hzprof_start calibrates, chooses the rate and reports
 * the rate, the predicted overhead and the cost per sample in its JSON (profiling.hz,
 * predicted_overhead_pct, cost_ns_per_sample). Its trials pair with profiling-off trials
 * like every profiled configuration, so its measured overhead is the paired one
 * (bench_pairs.h) with its 95% interval. One row per workload x sampler x unwinder x
 * budget: {workload, sampler, unwinder, max_overhead_pct, n (measured trials),
 * chosen_rate_hz, achieved_hz, predicted_overhead_pct, cost_us_per_sample (medians over
 * the measured profiled trials; each trial calibrates anew), paired (bench_pairs_budget),
 * verdict, over_budget, and failed / failed_trials / unavailable as summary.configs rows}.
 *
 * The verdict compares the prediction with the measured interval: "within" when the
 * interval holds the predicted overhead, "below" when the whole interval is under it
 * (profiling cost less than predicted), "above" when over it; "no interval" with fewer
 * than BENCH_MIN_PAIRS pairs, "no trials" without a successful one. over_budget: the
 * whole interval is above the budget itself.
 */
#ifndef HZPROF_BENCH_BUDGET_H
#define HZPROF_BENCH_BUDGET_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "bench_config.h"
#include "bench_pairs.h"

/* The rows of summary.budget (an empty array without budgets). aa: summary.aa, for each
 * workload's minimum detectable effect. */
cJSON *bench_budget_rows(cJSON *trials, const struct trial_index *ix, const struct bench_config *c,
                         cJSON *aa);

/* The verdict of a prediction against a measured interval (lo, hi in percent; NAN: no
 * interval), as above. */
const char *bench_budget_verdict(double predicted_pct, double lo, double hi);

#endif
