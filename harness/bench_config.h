/*
 * bench_config.h — what `hzprof bench` runs: workloads (a name, a program from
 * workloads/, its arguments), samplers, unwinders, rates, repetitions, warm-up, seed.
 *
 * A configuration comes from a preset ("quick", "full") or a JSON file, then flags
 * override single fields. Parsing is strict: an unknown key, a value of the wrong type
 * or out of range, an unknown workload program, sampler or unwinder is an error that
 * names the key — before any trial runs.
 */
#ifndef HZPROF_BENCH_CONFIG_H
#define HZPROF_BENCH_CONFIG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define BENCH_MAX_ITEMS 32
#define BENCH_MAX_ARGS 24

struct bench_workload {
    char *name;    /* unique label, e.g. "matmul-l2" */
    char *program; /* matmul, io or truth */
    char *args[BENCH_MAX_ARGS];
    size_t nargs;
};

/* A headline figure of the adaptive design: the paired cost per sample of every
 * configuration that matches (NULL / 0: any). */
struct bench_target {
    char *workload, *sampler, *unwinder;
    unsigned rate;
};

struct bench_config {
    struct bench_workload workloads[BENCH_MAX_ITEMS];
    size_t nworkloads;
    char *samplers[BENCH_MAX_ITEMS];
    size_t nsamplers;
    char *unwinders[BENCH_MAX_ITEMS];
    size_t nunwinders;
    /* Other profilers measured the same way (optional): "gperftools", "perf-record". */
    char *baselines[BENCH_MAX_ITEMS];
    size_t nbaselines;
    unsigned rates[BENCH_MAX_ITEMS]; /* Hz; profiling-off runs are always added */
    size_t nrates;
    /* Budget mode (hzprof_config.max_overhead), from "max_overhead_pct": [1, 0.5]: every
     * workload x sampler x unwinder also runs at each budget, in percent, the workload
     * choosing its rate (--max-overhead); such a configuration has rate 0 and its budget.
     * With budgets, "rates" may be left out (only budget configurations then). */
    double budgets_pct[BENCH_MAX_ITEMS];
    size_t nbudgets;
    /* Rates above this are not run for the sampler of the same index (0: no cap); from
     * "max_rate_by_sampler": {"itimer": 1000, ...}: tick samplers cannot pass CONFIG_HZ,
     * so one point above it says so and more would only repeat it. */
    unsigned sampler_max_rate[BENCH_MAX_ITEMS];
    unsigned repetitions, warmup;
    unsigned long long seed;
    unsigned trial_timeout_s;
    bool cachegrind;
    /* Adaptive rounds ("adaptive": {precision, budget_s, max_repetitions, targets}): after
     * the planned blocks, more pairs of the target configurations whose cost per sample
     * has a 95% interval wider than +-precision of its value, round by round, until all
     * meet it, the run has taken budget_s, or max_repetitions blocks. precision 0: off. */
    double precision;
    unsigned budget_s, max_repetitions;
    struct bench_target targets[BENCH_MAX_ITEMS];
    size_t ntargets;
};

/* Whether rate is run for sampler (the cap of "max_rate_by_sampler"). */
bool bench_config_runs(const struct bench_config *c, size_t sampler, unsigned rate);

/* Whether a configuration is one of the adaptive design's targets (true for every
 * profiled one when no targets are given). */
bool bench_config_is_target(const struct bench_config *c, const char *workload, const char *sampler,
                            const char *unwinder, unsigned rate);

/* Parses a preset name or a JSON file path. Returns 0, or -1 with a message in err. */
int bench_config_load(const char *preset_or_path, struct bench_config *c, char *err, size_t n);
/* Parses JSON text. */
int bench_config_parse(const char *json, struct bench_config *c, char *err, size_t n);
/* Applies one override: key is "workloads" (comma list of names to keep), "samplers",
 * "unwinders", "rates", "repetitions", "warmup", "seed". Returns 0 or -1 with err. */
int bench_config_override(struct bench_config *c, const char *key, const char *value, char *err,
                          size_t n);
cJSON *bench_config_to_json(const struct bench_config *c);
void bench_config_free(struct bench_config *c);

extern const char *const bench_presets[]; /* NULL-terminated names */

#endif
