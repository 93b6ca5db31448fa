/*
 * bench.h — `hzprof bench`: runs the trials of a bench_config and writes the results
 * directory (trials.jsonl, config.json, results.json, summary.md, profiles/).
 *
 * Protocol. The configurations are every workload with profiling off, plus every
 * workload x sampler x unwinder x rate, and x budget for budget mode (rate 0). Trials run in pairs:
 * each profiled configuration
 * ("on") is paired with a trial of the same workload with profiling off, run right
 * before or after it (the order drawn at random), so the pair shares the machine's state
 * and the overhead is a ratio within the pair; each workload also gets an A/A pair (off
 * and off), whose spread is the smallest effect the machine can show. A block holds every
 * pair once, in an order shuffled with the seed and the block number, so drift hits all
 * configurations alike; the first `warmup` blocks are recorded but excluded from the
 * statistics. Where there are two CPUs or more, the workload runs pinned to one CPU and
 * the harness on the others (bench_pin_cpu). Each trial is a fresh process of the workload binary,
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
    /* Budget mode (bench_config.h "max_overhead_pct"): the budget in percent, rate 0,
     * the workload choosing its rate; 0 for every other configuration. */
    double budget_pct;
};

/* A trial's part in its pair (trials 2i and 2i+1 are pair i, run back to back). */
enum bench_role {
    BENCH_ROLE_OFF, /* the reference of an on/off pair: its workload, profiling off */
    BENCH_ROLE_ON,  /* the profiled configuration of an on/off pair */
    BENCH_ROLE_AA,  /* both sides of an A/A pair: profiling off twice (the noise floor) */
};

struct bench_plan {
    struct bench_config_entry *configs;
    size_t nconfigs;
    size_t *order;       /* ntrials config ids: block by block, pair by pair */
    unsigned char *role; /* ntrials enum bench_role */
    size_t ntrials, nblocks;
    size_t pairs_per_block; /* one per profiled configuration, one A/A per workload */
};

extern const char *const bench_role_names[]; /* "off", "on", "aa" */

/* True for a baseline that runs its own twin program (go-pprof): its rate-0
 * configuration is the twin with profiling off. */
bool bench_baseline_has_twin(const char *baseline);

/* Returns 0, or -1 (out of memory) with nothing left to free. */
int bench_plan_make(const struct bench_config *c, struct bench_plan *p);
/* The profiling-off configuration that an on configuration is paired with: the
 * workload's off run, or for a baseline with a twin (go-pprof) its twin's off run. */
size_t bench_plan_off_of(const struct bench_plan *p, size_t config);
void bench_plan_free(struct bench_plan *p);

/* Told as the run goes, so the command can show it (bench_run never prints). Any member
 * may be NULL; strings live for the call only. */
struct bench_trial_done {
    size_t trial;       /* its number (planned or adaptive) */
    size_t done, total; /* trials recorded, resumed ones included; total grows with each
                           adaptive round */
    const char *what;   /* its configuration: "mm perf-clock/fp 1000 Hz", "mm off/- 0 Hz" */
    double elapsed_s;   /* since this run (or resume) started */
    double eta_s;       /* the rest at the mean pace so far */
    bool skipped;       /* not run: unavailable here, or its pair's profiled side is */
    int exit_status;    /* exit status, 128+signal, -1 on timeout; 0 when skipped */
    const char *error;  /* what it recorded as its error (the tail of its stderr), or NULL:
                           the run goes on, the summary counts it */
};

struct bench_progress {
    void (*trial_done)(void *ctx, const struct bench_trial_done *t);
    /* Something the run survives, in one line without the command's prefix: "DIR/trials.jsonl:
     * 2 damaged lines kept and skipped" on resume. */
    void (*note)(void *ctx, const char *line);
    void *ctx;
};

/* Runs (or resumes) the benchmark into dir, which exists. bin_dir holds the workload
 * binaries. p may be NULL. Returns 0; BENCH_SOME_FAILED when every file was written but
 * some configuration (not unavailable by design) had no successful trial; or -1 with a
 * one-line reason in err: the run cannot start or trials.jsonl cannot be written (what
 * was written stays valid for --resume). Every file, child process and allocation of the
 * run is released on each return. The configurations that failed are named in
 * results.json (bench_summary.h), for the command to print. */
#define BENCH_SOME_FAILED 4
/* Trial numbers (planned and adaptive) stay below this. */
#define BENCH_MAX_TRIALS (1u << 20)
int bench_run(const struct bench_config *c, const char *dir, const char *bin_dir, bool resume,
              const struct bench_progress *p, char *err, size_t err_size);

#endif
