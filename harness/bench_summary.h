/*
 * bench_summary.h — turns DIR/trials.jsonl into DIR/results.json (summary.md, its tables
 * in Markdown, is drawn from that by viz/summary_md.h).
 *
 * Per configuration (workload x sampler x unwinder x rate; warm-up trials excluded):
 * median throughput with its 95% bootstrap CI; overhead = 1 - median(on)/median(off)
 * against the same workload's profiling-off trials, with a 95% bootstrap CI of the ratio
 * and a flag when the CI includes zero; requested vs achieved rate; lost samples;
 * handler ns per sample (median and p99 over trials); counters per sample (on minus off,
 * over samples) where the counters exist; truth attribution error.
 * Per workload x sampler x unwinder: cost per sample in µs, the slope of process CPU time
 * against samples taken across its rates and the off runs, with a bootstrap CI.
 */
#ifndef HZPROF_BENCH_SUMMARY_H
#define HZPROF_BENCH_SUMMARY_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench_config.h"

#define BENCH_SCHEMA_VERSION 1
#define BENCH_RESAMPLES 2000

/* Writes results.json. Returns -1 with a one-line reason in err when it cannot, else the
 * number of configurations whose trials all failed (not unavailable by design: those are
 * expected); the command names them from results.json (bench_config_all_failed,
 * bench_config_failure). Prints nothing. */
int bench_summarize(const struct bench_config *c, const char *dir, char *err, size_t err_size);

/* The most trials of one configuration that the summary reads (more are left out). */
#define BENCH_CONFIG_MAX_TRIALS 4096

/* One figure's finite values over a configuration's trials (NaN, a figure missing, is
 * left out), at most BENCH_CONFIG_MAX_TRIALS. */
struct bench_values {
    double v[BENCH_CONFIG_MAX_TRIALS];
    size_t n;
};

static inline void bench_values_add(struct bench_values *s, double v)
{
    if (s->n < BENCH_CONFIG_MAX_TRIALS && isfinite(v))
        s->v[s->n++] = v;
}

/* A configuration as its trials' records name it (trials.jsonl "config"): the workload,
 * sampler and unwinder (both NULL: profiling off), the rate, and the budget in percent
 * (budget mode, bench_budget.h: rate 0) or 0. */
struct bench_config_key {
    const char *workload, *sampler, *unwinder;
    double rate, budget_pct;
};

/* What went wrong with a configuration's trials: those that ran and failed (warm-up
 * included; not the unavailable or skipped ones), and the first one's error, its first
 * line ("" when none failed). */
struct bench_failures {
    size_t count;
    char error[256];
};

/* The measured trials (not warm-up, successful: exit status 0 and an output) of the
 * configuration key, in file order, at most max of them into out; returns how many.
 * *unavailable: why the configuration cannot run where a trial says so, else NULL; fail
 * (optional) receives the failures. */
size_t bench_select_trials(cJSON *trials, const struct bench_config_key *key, cJSON **out,
                           size_t max, const char **unavailable, struct bench_failures *fail);

/* The trial records of a trials.jsonl as a cJSON array, in file order: lines that are
 * not a JSON object with a trial number and a config {id, workload} are skipped (counted
 * in *damaged when not NULL). NULL when the file cannot be read. */
cJSON *bench_trials_load(const char *path, size_t *damaged);

/* A summary configuration that ran and never succeeded ("failed", n 0, not unavailable). */
bool bench_config_all_failed(cJSON *c);
/* The line that names a failed configuration, as bench, summary.md and report print it:
 * "matmul-l2 perf-clock/fp 1000 Hz: failed: <first error line> (N trials)". */
void bench_config_failure(cJSON *c, char *buf, size_t n);
/* The configurations of a summary (summary.configs, then summary.budget) whose trials all
 * failed: calls each, when not NULL, with the line that names one (bench_config_failure);
 * returns how many there are. */
size_t bench_failed_configs(cJSON *summary, void (*each)(const char *line, void *ctx), void *ctx);

#endif
