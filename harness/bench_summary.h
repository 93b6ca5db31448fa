/*
 * bench_summary.h — turns DIR/trials.jsonl into DIR/results.json and DIR/summary.md.
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
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bench_config.h"

#define BENCH_SCHEMA_VERSION 1
#define BENCH_RESAMPLES 2000

/* Writes results.json and summary.md. Returns -1 when they cannot be written, else the
 * number of configurations whose trials all failed (not unavailable by design: those are
 * expected), after printing one line per such configuration to stderr. */
int bench_summarize(const struct bench_config *c, const char *dir);

/* The trial records of a trials.jsonl as a cJSON array, in file order: lines that are
 * not a JSON object with a trial number and a config {id, workload} are skipped (counted
 * in *damaged when not NULL). NULL when the file cannot be read. */
cJSON *bench_trials_load(const char *path, size_t *damaged);

/* A summary configuration that ran and never succeeded ("failed", n 0, not unavailable). */
bool bench_config_all_failed(cJSON *c);
/* The line that names a failed configuration, as bench, summary.md and report print it:
 * "matmul-l2 perf-clock/fp 1000 Hz: failed: <first error line> (N trials)". */
void bench_config_failure(cJSON *c, char *buf, size_t n);

/* The summary of a results.json document as Markdown (what summary.md holds). */
void bench_write_markdown(FILE *f, cJSON *results);

#endif
