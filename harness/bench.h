/*
 * bench.h — `hzprof bench`: runs the trials of a bench_config and writes the results
 * directory (trials.jsonl, config.json, results.json, summary.md, profiles/).
 *
 * Protocol. The configurations are every workload with profiling off, plus every
 * workload x sampler x unwinder x rate. Trials run in blocks; each block holds every
 * configuration once, in an order shuffled with the seed and the block number, so drift
 * in the machine hits all configurations alike; the first `warmup` blocks are recorded
 * but excluded from the statistics. Each trial is a fresh process of the workload binary,
 * with an environment variable of random length (Mytkowicz et al.: environment size moves
 * results), and is appended to trials.jsonl as soon as it ends, so an interrupted run
 * loses nothing and `--resume DIR` runs only the trials missing from the file.
 *
 * Baselines are other profilers measured the same way: gperftools (setitimer),
 * gperftools-thread (its per-thread timer mode), perf-record (perf record -g, a separate
 * process), and go-pprof (Go's runtime/pprof). go-pprof profiles the Go twin of a workload
 * (workloads/go), a different program, so it brings its own reference: the twin with
 * profiling off, configuration rate 0, against which its overhead is computed.
 */
#ifndef HZPROF_BENCH_H
#define HZPROF_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "bench_config.h"

struct bench_config_entry {
    size_t workload;      /* index into config.workloads */
    const char *sampler;  /* NULL: profiling off; for a baseline, its name */
    const char *unwinder; /* "builtin" for baselines (they unwind their own way) */
    unsigned rate;
    bool baseline; /* another profiler (gperftools, perf record), not libhzprof */
};

struct bench_plan {
    struct bench_config_entry *configs;
    size_t nconfigs;
    size_t *order; /* ntrials config ids: block by block */
    size_t ntrials, nblocks;
};

/* True for a baseline that runs its own twin program (go-pprof): its rate-0
 * configuration is the twin with profiling off. */
bool bench_baseline_has_twin(const char *baseline);

int bench_plan_make(const struct bench_config *c, struct bench_plan *p);
void bench_plan_free(struct bench_plan *p);

/* Runs (or resumes) the benchmark into dir. bin_dir holds the workload binaries.
 * Returns 0; 1 with a message printed; or BENCH_SOME_FAILED when every file was written
 * but some configuration (not unavailable by design) had no successful trial (one line
 * printed per such configuration). */
#define BENCH_SOME_FAILED 4
int bench_run(const struct bench_config *c, const char *dir, const char *bin_dir, int resume);

#endif
