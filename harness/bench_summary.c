/* bench_summary.c — statistics of a bench run (see bench_summary.h). */
#define _GNU_SOURCE
#include "bench_summary.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bench_bias.h"
#include "bench_budget.h"
#include "bench_pairs.h"
#include "json_path.h"
#include "machine.h"
#include "stats.h"
#include "text_file.h"

#define MAX_VALUES BENCH_CONFIG_MAX_TRIALS

static bool is_config(cJSON *cfg, const struct bench_config_key *k)
{
    const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "workload")),
               *s = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "sampler")),
               *u = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "unwinder"));
    if (!w || strcmp(w, k->workload) != 0)
        return false;
    if (!k->sampler)
        return cJSON_IsNull(cJSON_GetObjectItem(cfg, "sampler"));
    const double budget = num(cJSON_GetObjectItem(cfg, "max_overhead_pct"));
    return s && strcmp(s, k->sampler) == 0 && u && strcmp(u, k->unwinder) == 0 &&
           num(cJSON_GetObjectItem(cfg, "rate")) == k->rate &&
           (isfinite(budget) ? budget : 0) == k->budget_pct;
}

/* The first line of an error message, at most 200 bytes, into buf. */
static void first_line(const char *text, char *buf, size_t n)
{
    while (*text == '\n' || *text == ' ')
        text++;
    size_t len = strcspn(text, "\n");
    if (len > 200)
        len = 200;
    snprintf(buf, n, "%.*s", (int)len, text);
}

size_t bench_select_trials(cJSON *trials, const struct bench_config_key *key, cJSON **out,
                           size_t max, const char **unavailable, struct bench_failures *fail)
{
    size_t n = 0;
    *unavailable = NULL;
    if (fail) {
        fail->count = 0;
        fail->error[0] = '\0';
    }
    for (cJSON *t = trials->child; t; t = t->next) {
        if (!is_config(cJSON_GetObjectItem(t, "config"), key))
            continue;
        const char *un = cJSON_GetStringValue(cJSON_GetObjectItem(t, "unavailable"));
        if (un)
            *unavailable = un;
        const bool ok = num(cJSON_GetObjectItem(t, "exit_status")) == 0 &&
                        cJSON_IsObject(cJSON_GetObjectItem(t, "output"));
        if (!ok && fail && !un && !cJSON_IsTrue(cJSON_GetObjectItem(t, "skipped"))) {
            const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(t, "error"));
            if (!fail->count)
                first_line(e && *e ? e
                           : cJSON_IsNumber(cJSON_GetObjectItem(t, "exit_status"))
                               ? "exited non-zero, no error message"
                               : "no output",
                           fail->error, sizeof fail->error);
            fail->count++;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) || !ok)
            continue;
        if (n < max)
            out[n++] = t;
    }
    return n;
}

static cJSON *estimate_json(struct estimate e, double scale)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "value", e.value * scale);
    if (isfinite(e.lo)) {
        cJSON_AddNumberToObject(o, "lo", e.lo * scale);
        cJSON_AddNumberToObject(o, "hi", e.hi * scale);
    } else {
        cJSON_AddNullToObject(o, "lo");
        cJSON_AddNullToObject(o, "hi");
    }
    return o;
}

static const char *const per_sample_counters[] = {"instructions", "cache-misses",
                                                  "L1-dcache-load-misses", "LLC-load-misses"};

static double median_counter(cJSON **trials, size_t n, const char *name, bool *available)
{
    struct bench_values s = {.n = 0};
    for (size_t i = 0; i < n; i++)
        bench_values_add(&s,
                         num(get(get(trials[i], "output", "counters", name), "value", NULL, NULL)));
    *available = s.n == n && n > 0;
    return s.n ? stats_median(s.v, s.n) : NAN;
}

static double median_cachegrind(cJSON **trials, size_t n, const char *a, const char *b)
{
    struct bench_values s = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        cJSON *cg = cJSON_GetObjectItem(trials[i], "cachegrind");
        bench_values_add(&s, num(cJSON_GetObjectItem(cg, a)) + num(cJSON_GetObjectItem(cg, b)));
    }
    return s.n ? stats_median(s.v, s.n) : NAN;
}

static cJSON *summarize_config(cJSON *trials, const char *workload, const char *sampler,
                               const char *unwinder, double rate, cJSON **off, size_t n_off,
                               uint64_t seed)
{
    static cJSON *sel[MAX_VALUES];
    const char *unavailable;
    struct bench_failures fail;
    const struct bench_config_key key = {workload, sampler, unwinder, rate, 0};
    size_t n = bench_select_trials(trials, &key, sel, MAX_VALUES, &unavailable, &fail);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "workload", workload);
    if (sampler) {
        cJSON_AddStringToObject(o, "sampler", sampler);
        cJSON_AddStringToObject(o, "unwinder", unwinder);
    } else {
        cJSON_AddNullToObject(o, "sampler");
        cJSON_AddNullToObject(o, "unwinder");
    }
    cJSON_AddNumberToObject(o, "rate", rate);
    cJSON_AddNumberToObject(o, "n", (double)n);
    if (unavailable)
        cJSON_AddStringToObject(o, "unavailable", unavailable);
    if (fail.count) { /* never silent: how many failed, and the first reason */
        cJSON_AddNumberToObject(o, "failed_trials", (double)fail.count);
        cJSON_AddStringToObject(o, "failed", fail.error);
    }
    if (n == 0)
        return o;
    struct bench_values thr = {.n = 0}, hz = {.n = 0}, handler = {.n = 0}, cpu = {.n = 0},
                        err = {.n = 0};
    double lost = 0;
    size_t lost_known = 0; /* baselines do not report lost samples: null, not 0 */
    for (size_t i = 0; i < n; i++) {
        bench_values_add(&thr, num(get(sel[i], "output", "measured", "throughput")));
        bench_values_add(&cpu, num(get(sel[i], "output", "measured", "cpu_seconds")));
        bench_values_add(&hz, num(get(sel[i], "output", "profiling", "achieved_hz")));
        bench_values_add(&handler, num(get(sel[i], "output", "profiling", "handler_ns_mean")));
        bench_values_add(&err, num(cJSON_GetObjectItem(sel[i], "attribution_error_pts")));
        double l = num(get(sel[i], "output", "profiling", "lost"));
        if (isfinite(l)) {
            lost += l;
            lost_known++;
        }
    }
    cJSON *t = estimate_json(stats_median_ci(thr.v, thr.n, BENCH_RESAMPLES, 0.95, seed), 1);
    const char *unit = cJSON_GetStringValue(get(sel[0], "output", "measured", "unit"));
    if (unit)
        cJSON_AddStringToObject(t, "unit", unit);
    else /* the workload did not say: null, not a guess */
        cJSON_AddNullToObject(t, "unit");
    cJSON_AddItemToObject(o, "throughput", t);
    cJSON_AddNumberToObject(o, "cpu_seconds_median", stats_median(cpu.v, cpu.n));
    if (sampler && n_off) {
        struct bench_values offs = {.n = 0};
        for (size_t i = 0; i < n_off; i++)
            bench_values_add(&offs, num(get(off[i], "output", "measured", "throughput")));
        struct estimate ov =
            stats_overhead_ci(offs.v, offs.n, thr.v, thr.n, BENCH_RESAMPLES, 0.95, seed + 1);
        cJSON *ovj = estimate_json(ov, 100);
        cJSON_AddStringToObject(ovj, "unit", "percent");
        cJSON_AddBoolToObject(ovj, "ci_includes_zero", estimate_includes_zero(ov));
        cJSON_AddItemToObject(o, "overhead", ovj);
    }
    if (sampler && rate > 0) { /* rate 0: a baseline's twin with profiling off */
        cJSON_AddNumberToObject(o, "achieved_hz_median", stats_median(hz.v, hz.n));
        if (lost_known)
            cJSON_AddNumberToObject(o, "lost_samples_total", lost);
        else
            cJSON_AddNullToObject(o, "lost_samples_total");
        cJSON *h = cJSON_AddObjectToObject(o, "handler_ns_per_sample");
        cJSON_AddNumberToObject(h, "median", stats_median(handler.v, handler.n));
        cJSON_AddNumberToObject(h, "p99", stats_percentile(handler.v, handler.n, 0.99));
        /* Counters per sample: what profiling added, over the samples it took. */
        struct bench_values smp = {.n = 0};
        for (size_t i = 0; i < n; i++)
            bench_values_add(&smp, num(get(sel[i], "output", "profiling", "samples")));
        const double samples = stats_median(smp.v, smp.n);
        cJSON *ps = cJSON_AddObjectToObject(o, "per_sample");
        for (size_t k = 0; k < sizeof per_sample_counters / sizeof per_sample_counters[0]; k++) {
            bool a_on, a_off;
            double on_v = median_counter(sel, n, per_sample_counters[k], &a_on);
            double off_v = median_counter(off, n_off, per_sample_counters[k], &a_off);
            if (a_on && a_off && samples > 0)
                cJSON_AddNumberToObject(ps, per_sample_counters[k], (on_v - off_v) / samples);
            else
                cJSON_AddNullToObject(ps, per_sample_counters[k]);
        }
        if (cJSON_GetObjectItem(sel[0], "cachegrind") && n_off && samples > 0) {
            cJSON *cg = cJSON_AddObjectToObject(ps, "cachegrind");
            cJSON_AddStringToObject(cg, "source", "cachegrind");
            cJSON_AddNumberToObject(cg, "D1_misses",
                                    (median_cachegrind(sel, n, "D1mr", "D1mw") -
                                     median_cachegrind(off, n_off, "D1mr", "D1mw")) /
                                        samples);
            cJSON_AddNumberToObject(cg, "LL_misses",
                                    (median_cachegrind(sel, n, "DLmr", "DLmw") -
                                     median_cachegrind(off, n_off, "DLmr", "DLmw")) /
                                        samples);
        }
        if (err.n)
            cJSON_AddNumberToObject(o, "attribution_error_pts_median", stats_median(err.v, err.n));
    }
    return o;
}

/* Slope of CPU seconds against samples taken over the off trials and every rate of one
 * sampler x unwinder. With twin, the off trials are the baseline's own twin program at
 * rate 0, not the workload's. process_cpu: the whole process tree's CPU (wait4), else the
 * workload's measured region. Returns false when there are too few points. */
static bool fit_cost(cJSON *trials, const char *workload, const char *sampler, const char *unwinder,
                     uint64_t seed, bool process_cpu, bool twin, struct estimate *slope,
                     size_t *points)
{
    static double x[MAX_VALUES], y[MAX_VALUES];
    size_t n = 0;
    for (cJSON *t = trials->child; t && n < MAX_VALUES; t = t->next) {
        cJSON *cfg = cJSON_GetObjectItem(t, "config");
        cJSON *s = cJSON_GetObjectItem(cfg, "sampler");
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "workload")),
                   *sn = cJSON_GetStringValue(s),
                   *un = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "unwinder"));
        if (!w || strcmp(w, workload) || cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) ||
            num(cJSON_GetObjectItem(t, "exit_status")) != 0 ||
            cJSON_GetObjectItem(cfg, "max_overhead_pct")) /* budget mode: bench_budget.c */
            continue;
        double samples;
        if (cJSON_IsNull(s) && !twin)
            samples = 0;
        else if (cJSON_IsNull(s))
            continue;
        else if (sn && un && strcmp(sn, sampler) == 0 && strcmp(un, unwinder) == 0)
            samples = num(cJSON_GetObjectItem(cfg, "rate")) == 0
                          ? 0
                          : num(get(t, "output", "profiling", "samples"));
        else
            continue;
        double cpu = process_cpu ? num(cJSON_GetObjectItem(t, "process_cpu_seconds"))
                                 : num(get(t, "output", "measured", "cpu_seconds"));
        if (isfinite(samples) && isfinite(cpu)) {
            x[n] = samples;
            y[n++] = cpu;
        }
    }
    double intercept;
    *points = n;
    return stats_slope_ci(x, y, n, BENCH_RESAMPLES, 0.95, seed, slope, &intercept);
}

static cJSON *cost_json(struct estimate slope)
{
    cJSON *us = estimate_json(slope, 1e6);
    cJSON_AddStringToObject(us, "unit", "microseconds of CPU per sample");
    cJSON_AddBoolToObject(us, "ci_includes_zero", estimate_includes_zero(slope));
    return us;
}

/* Cost per sample, in microseconds: "cost_per_sample" on the CPU of the workload's
 * measured region for our samplers and of the whole process tree for baselines (they may
 * spend CPU outside the workload: perf's own process), and "cost_per_sample_process_tree"
 * on the process tree for all, so ours and the baselines compare like with like there
 * (the tree's CPU also holds start-up, and for ours the symbolization at stop). */
static cJSON *cost_per_sample(cJSON *trials, const char *workload, const char *sampler,
                              const char *unwinder, uint64_t seed, bool baseline, bool twin)
{
    struct estimate slope, tree;
    size_t n, n_tree;
    if (!fit_cost(trials, workload, sampler, unwinder, seed, baseline, twin, &slope, &n))
        return NULL;
    if (baseline) /* already fitted on the process tree */
        tree = slope;
    else if (!fit_cost(trials, workload, sampler, unwinder, seed, true, twin, &tree, &n_tree))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "workload", workload);
    cJSON_AddStringToObject(o, "sampler", sampler);
    cJSON_AddStringToObject(o, "unwinder", unwinder);
    cJSON_AddItemToObject(o, "cost_per_sample", cost_json(slope));
    cJSON_AddNumberToObject(o, "points", (double)n);
    cJSON_AddStringToObject(o, "cpu",
                            baseline ? "process tree (wait4 rusage)" : "workload measured region");
    cJSON_AddItemToObject(o, "cost_per_sample_process_tree", cost_json(tree));
    return o;
}

cJSON *bench_trials_load(const char *path, size_t *damaged)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    cJSON *arr = cJSON_CreateArray();
    char *line = NULL;
    size_t cap = 0, bad = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *t = cJSON_Parse(line);
        cJSON *cfg = cJSON_GetObjectItem(t, "config");
        if (cJSON_IsNumber(cJSON_GetObjectItem(t, "trial")) &&
            cJSON_IsNumber(cJSON_GetObjectItem(cfg, "id")) &&
            cJSON_IsString(cJSON_GetObjectItem(cfg, "workload"))) {
            cJSON_AddItemToArray(arr, t);
        } else {
            bad += line[0] != '\n';
            cJSON_Delete(t);
        }
    }
    free(line);
    fclose(f);
    if (damaged)
        *damaged = bad;
    return arr;
}

bool bench_config_all_failed(cJSON *c)
{
    return num(cJSON_GetObjectItem(c, "n")) == 0 &&
           cJSON_IsString(cJSON_GetObjectItem(c, "failed")) &&
           !cJSON_IsString(cJSON_GetObjectItem(c, "unavailable"));
}

size_t bench_failed_configs(cJSON *summary, void (*each)(const char *line, void *ctx), void *ctx)
{
    cJSON *lists[] = {cJSON_GetObjectItem(summary, "configs"),
                      cJSON_GetObjectItem(summary, "budget")};
    size_t nfailed = 0;
    for (size_t l = 0; l < 2; l++)
        for (cJSON *c = lists[l] ? lists[l]->child : NULL; c; c = c->next)
            if (bench_config_all_failed(c)) {
                nfailed++;
                if (each) {
                    char line[512];
                    bench_config_failure(c, line, sizeof line);
                    each(line, ctx);
                }
            }
    return nfailed;
}

void bench_config_failure(cJSON *c, char *buf, size_t n)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")),
               *u = cJSON_GetStringValue(cJSON_GetObjectItem(c, "unwinder")),
               *w = cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload")),
               *e = cJSON_GetStringValue(cJSON_GetObjectItem(c, "failed"));
    char rate[48] = "off";
    if (num(cJSON_GetObjectItem(c, "rate")) > 0)
        snprintf(rate, sizeof rate, "%.0f Hz", num(cJSON_GetObjectItem(c, "rate")));
    else if (num(cJSON_GetObjectItem(c, "max_overhead_pct")) > 0) /* bench_budget.h */
        snprintf(rate, sizeof rate, "budget %g%%", num(cJSON_GetObjectItem(c, "max_overhead_pct")));
    snprintf(buf, n, "%s %s/%s %s: failed: %s (%.0f trials)", w ? w : "?", s ? s : "off",
             u ? u : "-", rate, e ? e : "?", num(cJSON_GetObjectItem(c, "failed_trials")));
}

/* The build that ran the trials, from a results.json written before in dir: its
 * trials_build, else its build; NULL when there is none. */
static cJSON *earlier_build(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text = read_file(path, NULL);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    cJSON *b = cJSON_GetObjectItem(doc, "trials_build");
    if (!b)
        b = cJSON_GetObjectItem(doc, "build");
    cJSON *copy = b ? cJSON_Duplicate(b, true) : NULL;
    cJSON_Delete(doc);
    return copy;
}

/* Which headline figures met the precision target of the adaptive design (bench_config.h,
 * bench_pairs_meets): every target configuration its sampler can reach, with its cost
 * per sample's half-width. NULL when the run had no target. */
static cJSON *precision_json(const struct bench_config *c, cJSON *configs)
{
    if (c->precision <= 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "target_pct", 100 * c->precision);
    cJSON *list = cJSON_AddArrayToObject(o, "figures");
    double met = 0, total = 0;
    for (cJSON *row = configs->child; row; row = row->next) {
        cJSON *p = cJSON_GetObjectItem(row, "paired");
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(row, "workload")),
                   *s = cJSON_GetStringValue(cJSON_GetObjectItem(row, "sampler")),
                   *u = cJSON_GetStringValue(cJSON_GetObjectItem(row, "unwinder"));
        const double rate = num(cJSON_GetObjectItem(row, "rate"));
        if (!p || !w || !s || !u || !(rate > 0) ||
            !bench_config_is_target(c, w, s, u, (unsigned)rate))
            continue;
        double half;
        bool reachable;
        const bool ok = bench_pairs_meets(p, (unsigned)rate, c->precision, &half, &reachable);
        if (!reachable)
            continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "workload", w);
        cJSON_AddStringToObject(f, "sampler", s);
        cJSON_AddStringToObject(f, "unwinder", u);
        cJSON_AddNumberToObject(f, "rate", rate);
        cJSON_AddNumberToObject(f, "pairs", num(cJSON_GetObjectItem(p, "pairs")));
        const char *cost = cJSON_GetStringValue(cJSON_GetObjectItem(p, "cost_text"));
        cJSON_AddStringToObject(f, "cost_text", cost ? cost : "-");
        if (isfinite(half))
            cJSON_AddNumberToObject(f, "half_width_pct", half);
        else
            cJSON_AddNullToObject(f, "half_width_pct");
        cJSON_AddBoolToObject(f, "met", ok);
        cJSON_AddItemToArray(list, f);
        total++;
        met += ok;
    }
    cJSON_AddNumberToObject(o, "met", met);
    cJSON_AddNumberToObject(o, "total", total);
    return o;
}

int bench_summarize(const struct bench_config *c, const char *dir, char *err, size_t err_size)
{
    char tpath[4096];
    snprintf(tpath, sizeof tpath, "%s/trials.jsonl", dir);
    size_t damaged = 0;
    cJSON *trials = bench_trials_load(tpath, &damaged);
    if (!trials) {
        snprintf(err, err_size, "no trials in '%s'", dir);
        return -1;
    }
    cJSON *results = cJSON_CreateObject();
    cJSON_AddNumberToObject(results, "schema_version", BENCH_SCHEMA_VERSION);
    char created[64];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(results, "created", created);
    cJSON_AddItemToObject(results, "machine", machine_metadata());
    cJSON_AddItemToObject(results, "build", build_metadata());
    /* Summarizing again (--resume of a finished run, after an upgrade): the build that ran
     * the trials is kept as trials_build, so results never credit them to a later build. */
    cJSON *earlier = earlier_build(dir);
    if (earlier)
        cJSON_AddItemToObject(results, "trials_build", earlier);
    cJSON_AddItemToObject(results, "config", bench_config_to_json(c));
    cJSON_AddNumberToObject(results, "trials_damaged", (double)damaged);

    /* Counters unavailable, and why: from the first trial that ran. */
    cJSON *unavailable = cJSON_AddObjectToObject(results, "counters_unavailable");
    for (cJSON *t = trials->child; t; t = t->next) {
        cJSON *counters = get(t, "output", "counters", NULL);
        if (!cJSON_IsObject(counters))
            continue;
        for (cJSON *e = counters->child; e; e = e->next)
            if (cJSON_IsNull(cJSON_GetObjectItem(e, "value")))
                cJSON_AddStringToObject(unavailable, e->string,
                                        cJSON_GetStringValue(cJSON_GetObjectItem(e, "reason")));
        break;
    }

    cJSON *summary = cJSON_CreateObject();
    cJSON *configs = cJSON_AddArrayToObject(summary, "configs");
    cJSON *costs = cJSON_AddArrayToObject(summary, "cost_per_sample");
    static cJSON *off[MAX_VALUES];
    uint64_t seed = c->seed;
    struct trial_index ix;
    if (trial_index_make(trials, &ix) != 0) {
        cJSON_Delete(results);
        cJSON_Delete(summary);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    cJSON *aa_list = cJSON_AddArrayToObject(summary, "aa");
    cJSON *pinning = cJSON_AddObjectToObject(summary, "pinning");
    cJSON *first_cpu = trials->child ? cJSON_GetObjectItem(trials->child, "cpu") : NULL;
    if (cJSON_IsNumber(first_cpu)) {
        cJSON_AddNumberToObject(pinning, "workload_cpu", cJSON_GetNumberValue(first_cpu));
        cJSON_AddStringToObject(pinning, "harness", "every other CPU of its affinity mask");
    } else {
        cJSON_AddNullToObject(pinning, "workload_cpu");
        cJSON_AddStringToObject(pinning, "workload_cpu_reason",
                                "fewer than two CPUs (or a run from before pinning)");
    }
    for (size_t w = 0; w < c->nworkloads; w++) {
        const char *name = c->workloads[w].name;
        const char *un;
        cJSON *aa = bench_pairs_aa(&ix, name, seed++);
        double mde = NAN;
        if (aa) {
            cJSON_AddStringToObject(aa, "workload", name);
            cJSON *m = cJSON_GetObjectItem(aa, "mde_pct");
            mde = num(m);
            cJSON_AddItemToArray(aa_list, aa);
        }
        const struct bench_config_key off_key = {name, NULL, NULL, 0, 0};
        size_t n_off = bench_select_trials(trials, &off_key, off, MAX_VALUES, &un, NULL);
        cJSON_AddItemToArray(configs,
                             summarize_config(trials, name, NULL, NULL, 0, off, n_off, seed++));
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++) {
                for (size_t r = 0; r < c->nrates; r++) {
                    if (!bench_config_runs(c, s, c->rates[r]))
                        continue;
                    cJSON *row = summarize_config(trials, name, c->samplers[s], c->unwinders[u],
                                                  c->rates[r], off, n_off, seed++);
                    cJSON *paired = bench_pairs_config(&ix, name, c->samplers[s], c->unwinders[u],
                                                       c->rates[r], false, mde, c->seed);
                    if (paired)
                        cJSON_AddItemToObject(row, "paired", paired);
                    cJSON_AddItemToArray(configs, row);
                }
                cJSON *cost = cost_per_sample(trials, name, c->samplers[s], c->unwinders[u], seed++,
                                              false, false);
                if (cost)
                    cJSON_AddItemToArray(costs, cost);
            }
        for (size_t b = 0; b < c->nbaselines; b++) {
            const char *bl = c->baselines[b];
            const bool twin = bench_baseline_has_twin(bl);
            static cJSON *twin_off[MAX_VALUES];
            size_t n_twin_off = 0;
            if (twin) { /* its own reference: the twin program with profiling off */
                const struct bench_config_key twin_key = {name, bl, "builtin", 0, 0};
                n_twin_off =
                    bench_select_trials(trials, &twin_key, twin_off, MAX_VALUES, &un, NULL);
                cJSON_AddItemToArray(
                    configs, summarize_config(trials, name, bl, "builtin", 0, NULL, 0, seed++));
            }
            for (size_t r = 0; r < c->nrates; r++) {
                cJSON *row =
                    summarize_config(trials, name, bl, "builtin", c->rates[r],
                                     twin ? twin_off : off, twin ? n_twin_off : n_off, seed++);
                /* A twin's own noise floor is not measured: its overheads are not judged. */
                cJSON *paired = bench_pairs_config(&ix, name, bl, "builtin", c->rates[r], true,
                                                   twin ? NAN : mde, c->seed);
                if (paired)
                    cJSON_AddItemToObject(row, "paired", paired);
                cJSON_AddItemToArray(configs, row);
            }
            cJSON *cost = cost_per_sample(trials, name, bl, "builtin", seed++, true, twin);
            if (cost)
                cJSON_AddItemToArray(costs, cost);
        }
    }
    cJSON *budget = c->nbudgets ? bench_budget_rows(trials, &ix, c, aa_list) : NULL;
    if (budget)
        cJSON_AddItemToObject(summary, "budget", budget);
    trial_index_free(&ix);
    cJSON_AddItemToObject(summary, "layers", bench_pairs_layers(configs));
    cJSON_AddItemToObject(summary, "dose", bench_pairs_dose(configs));
    cJSON *precision = precision_json(c, configs);
    if (precision)
        cJSON_AddItemToObject(summary, "precision", precision);
    cJSON *bias = bench_bias_summary(c, trials, seed++);
    if (bias)
        cJSON_AddItemToObject(summary, "bias", bias);
    cJSON_AddItemToObject(results, "summary", summary);
    cJSON_AddItemToObject(results, "trials", trials);

    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    FILE *f = fopen(path, "w");
    char *text = cJSON_Print(results);
    int rc = f && text && fputs(text, f) >= 0 ? 0 : -1;
    if (f && file_close_checked(f) != 0)
        rc = -1;
    free(text);
    if (rc)
        snprintf(err, err_size, "cannot write '%s'", path);
    const size_t nfailed = rc ? 0 : bench_failed_configs(summary, NULL, NULL);
    cJSON_Delete(results);
    return rc ? -1 : (int)nfailed;
}
