/*
 * bench_pairs.h — the paired analysis of a bench run (bench.h's protocol).
 *
 * Every profiled trial ("on") ran right beside a trial of its workload with profiling
 * off ("off"); each pair gives ratios that the machine's drift cancels out of:
 *   cpu ratio        CPU seconds on / off (the measured region; the process tree for
 *                    baselines, whose helper processes spend CPU outside the workload)
 *   throughput ratio throughput on / off
 *   cost per sample  (CPU on - CPU off) / samples taken on, in µs
 * A configuration's overhead is the median over its pairs with a percentile-bootstrap
 * 95% interval over pairs: CPU overhead = median cpu ratio - 1, throughput overhead =
 * 1 - median throughput ratio.
 *
 * A/A pairs (off and off) give the floor: the bootstrap interval of their median cpu
 * ratio around 1. The minimum detectable effect (MDE) of a workload is the larger end of
 * that interval, in percent. An overhead is "resolved" when its whole interval lies
 * beyond ±MDE; otherwise it is reported as "< X %" with X the larger of its upper bound
 * and the MDE, and it is not a number to interpret.
 */
#ifndef HZPROF_BENCH_PAIRS_H
#define HZPROF_BENCH_PAIRS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A rate counts as achieved at this fraction of it: a tick sampler above CONFIG_HZ gets a
 * quarter at 1 kHz; I/O-bound work under a CPU-time timer gets ~90% (time in the kernel
 * the task clock does not see the same way). */
#define BENCH_ACHIEVED_FRACTION 0.75

/* Fewer pairs than this never resolve: the exact distribution-free 95% interval of a
 * median needs 6 observations, and a bootstrap of fewer understates its width. */
#define BENCH_MIN_PAIRS 6

/* Trials by their trial number (NULL where none): what the pair lookups index. */
struct trial_index {
    cJSON **by_trial;
    size_t n;
};

int trial_index_make(cJSON *trials, struct trial_index *ix);
void trial_index_free(struct trial_index *ix);

/* {pairs, cpu_ratio {value, lo, hi}, mde_pct, trial_seconds_median} for a workload's
 * A/A pairs, or NULL when it has none. */
cJSON *bench_pairs_aa(const struct trial_index *ix, const char *workload, uint64_t seed);

/* The "paired" object of one configuration: {pairs, cpu_overhead, throughput_overhead
 * (each {value, lo, hi, unit: percent}), cost_per_sample_us {value, lo, hi},
 * handler_us_per_sample {value, lo, hi} (ours only), resolved, text}; NULL without pairs.
 * mde_pct: the workload's MDE (NAN when unknown: then nothing counts as resolved). seed:
 * the run's; the bootstrap mixes the configuration's names and rate into it. */
cJSON *bench_pairs_config(const struct trial_index *ix, const char *workload, const char *sampler,
                          const char *unwinder, double rate, bool baseline, double mde_pct,
                          uint64_t seed);

/* The "paired" object of a budget-mode configuration (rate 0, its budget in percent):
 * the same figures, from its trials. */
cJSON *bench_pairs_budget(const struct trial_index *ix, const char *workload, const char *sampler,
                          const char *unwinder, double budget_pct, double mde_pct, uint64_t seed);

/* Where a sample's time goes, from the summary's configurations (their "paired"):
 * for every workload x sampler x unwinder x rate that has an "empty" twin at the same
 * rate, {workload, sampler, unwinder, rate, total_us, platform_us (the empty handler's
 * cost per sample), handler_us (our handler, timed inside it), rest_us (total - platform
 * - handler: the reader thread, cache refill, ...)}, each {value, lo, hi}. The rest's
 * interval combines the three half-widths in quadrature (independent pairs). */
cJSON *bench_pairs_layers(cJSON *configs);

/* Dose-response per workload x sampler x unwinder: {workload, sampler, unwinder, points
 * [{rate, achieved_hz, achieved (false when under 75% of the rate: a tick sampler above
 * CONFIG_HZ; such a point is not a separate dose), cost_us {value, lo, hi}}],
 * nonlinear (two achieved rates whose cost intervals do not overlap), note}. */
cJSON *bench_pairs_dose(cJSON *configs);

/* Two runs' results.json compared (`hzprof report A B`): {machine_differences [strings:
 * CPU, caches, kernel, CONFIG_HZ, cores that differ], figures [{figure, a, b, diff (each
 * {value, lo, hi}), rel_diff (diff / a), agree}], agree, total}. A figure is every paired
 * CPU overhead (%) and cost per sample (µs) the two runs share, and every A/A floor; the
 * difference's interval combines both half-widths in quadrature (independent runs), and
 * the two agree when it includes zero. */
cJSON *bench_compare(cJSON *a, cJSON *b);

/* The adaptive design's stopping rule for one configuration's "paired" object at a
 * requested rate: true when its cost per sample has an interval whose half-width is at
 * most precision x its (positive) value. *half_pct: that half-width in % of the value
 * (NAN when there is no interval). *reachable: false for a rate the sampler did not
 * achieve (under BENCH_ACHIEVED_FRACTION of it: a tick sampler above CONFIG_HZ), which is
 * no target at all. */
bool bench_pairs_meets(cJSON *paired, unsigned rate, double precision, double *half_pct,
                       bool *reachable);

/* The verdict text of an overhead: "24.0 [22.1, 26.9]" when resolved, "< 3.2" when not. */
void bench_pairs_text(char *buf, size_t n, double value, double lo, double hi, double mde_pct,
                      bool *resolved);

#endif
