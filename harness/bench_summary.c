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

#define MAX_VALUES 4096

struct series {
    double v[MAX_VALUES];
    size_t n;
};

static void push(struct series *s, double v)
{
    if (s->n < MAX_VALUES && isfinite(v))
        s->v[s->n++] = v;
}

static bool same_config(cJSON *cfg, const char *workload, const char *sampler, const char *unwinder,
                        double rate)
{
    cJSON *s = cJSON_GetObjectItem(cfg, "sampler"), *u = cJSON_GetObjectItem(cfg, "unwinder");
    if (strcmp(cJSON_GetObjectItem(cfg, "workload")->valuestring, workload) != 0)
        return false;
    if (!sampler)
        return cJSON_IsNull(s);
    return cJSON_IsString(s) && strcmp(s->valuestring, sampler) == 0 && cJSON_IsString(u) &&
           strcmp(u->valuestring, unwinder) == 0 && num(cJSON_GetObjectItem(cfg, "rate")) == rate;
}

/* What went wrong with a configuration's trials. */
struct failures {
    size_t count;      /* trials that ran and failed (warm-up included) */
    const char *error; /* the first failed trial's error, NULL if none */
};

/* The measured (non-warm-up, successful) trials of one configuration; fail (optional)
 * receives the trials that ran and failed. */
static size_t select_trials(cJSON *trials, const char *workload, const char *sampler,
                            const char *unwinder, double rate, cJSON **out, size_t max,
                            const char **unavailable, struct failures *fail)
{
    size_t n = 0;
    *unavailable = NULL;
    if (fail)
        *fail = (struct failures){0, NULL};
    for (cJSON *t = trials->child; t; t = t->next) {
        if (!same_config(cJSON_GetObjectItem(t, "config"), workload, sampler, unwinder, rate))
            continue;
        cJSON *un = cJSON_GetObjectItem(t, "unavailable");
        if (cJSON_IsString(un))
            *unavailable = un->valuestring;
        const bool ok = num(cJSON_GetObjectItem(t, "exit_status")) == 0 &&
                        cJSON_IsObject(cJSON_GetObjectItem(t, "output"));
        if (!ok && fail && !cJSON_IsString(un) &&
            !cJSON_IsTrue(cJSON_GetObjectItem(t, "skipped"))) {
            cJSON *e = cJSON_GetObjectItem(t, "error");
            if (!fail->error)
                fail->error = cJSON_IsString(e) && e->valuestring[0] ? e->valuestring
                              : cJSON_IsNumber(cJSON_GetObjectItem(t, "exit_status"))
                                  ? "exited non-zero, no error message"
                                  : "no output";
            fail->count++;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) || !ok)
            continue;
        if (n < max)
            out[n++] = t;
    }
    return n;
}

/* The first line of an error message, at most 200 bytes, into buf. */
static const char *first_line(const char *text, char *buf, size_t n)
{
    while (*text == '\n' || *text == ' ')
        text++;
    size_t len = strcspn(text, "\n");
    if (len > 200)
        len = 200;
    snprintf(buf, n, "%.*s", (int)len, text);
    return buf;
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
    struct series s = {.n = 0};
    for (size_t i = 0; i < n; i++)
        push(&s, num(get(get(trials[i], "output", "counters", name), "value", NULL, NULL)));
    *available = s.n == n && n > 0;
    return s.n ? stats_median(s.v, s.n) : NAN;
}

static double median_cachegrind(cJSON **trials, size_t n, const char *a, const char *b)
{
    struct series s = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        cJSON *cg = cJSON_GetObjectItem(trials[i], "cachegrind");
        push(&s, num(cJSON_GetObjectItem(cg, a)) + num(cJSON_GetObjectItem(cg, b)));
    }
    return s.n ? stats_median(s.v, s.n) : NAN;
}

static cJSON *summarize_config(cJSON *trials, const char *workload, const char *sampler,
                               const char *unwinder, double rate, cJSON **off, size_t n_off,
                               uint64_t seed, cJSON **on_out, size_t *n_on_out)
{
    static cJSON *sel[MAX_VALUES];
    const char *unavailable;
    struct failures fail;
    size_t n = select_trials(trials, workload, sampler, unwinder, rate, sel, MAX_VALUES,
                             &unavailable, &fail);
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
        char line[256];
        cJSON_AddNumberToObject(o, "failed_trials", (double)fail.count);
        cJSON_AddStringToObject(o, "failed", first_line(fail.error, line, sizeof line));
    }
    *on_out = NULL;
    *n_on_out = 0;
    if (n == 0)
        return o;
    struct series thr = {.n = 0}, hz = {.n = 0}, handler = {.n = 0}, cpu = {.n = 0}, err = {.n = 0};
    double lost = 0;
    size_t lost_known = 0; /* baselines do not report lost samples: null, not 0 */
    for (size_t i = 0; i < n; i++) {
        push(&thr, num(get(sel[i], "output", "measured", "throughput")));
        push(&cpu, num(get(sel[i], "output", "measured", "cpu_seconds")));
        push(&hz, num(get(sel[i], "output", "profiling", "achieved_hz")));
        push(&handler, num(get(sel[i], "output", "profiling", "handler_ns_mean")));
        push(&err, num(cJSON_GetObjectItem(sel[i], "attribution_error_pts")));
        double l = num(get(sel[i], "output", "profiling", "lost"));
        if (isfinite(l)) {
            lost += l;
            lost_known++;
        }
    }
    cJSON *t = estimate_json(stats_median_ci(thr.v, thr.n, BENCH_RESAMPLES, 0.95, seed), 1);
    cJSON_AddStringToObject(
        t, "unit",
        cJSON_GetObjectItem(get(sel[0], "output", "measured", NULL), "unit")->valuestring);
    cJSON_AddItemToObject(o, "throughput", t);
    cJSON_AddNumberToObject(o, "cpu_seconds_median", stats_median(cpu.v, cpu.n));
    if (sampler && n_off) {
        struct series offs = {.n = 0};
        for (size_t i = 0; i < n_off; i++)
            push(&offs, num(get(off[i], "output", "measured", "throughput")));
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
        struct series smp = {.n = 0};
        for (size_t i = 0; i < n; i++)
            push(&smp, num(get(sel[i], "output", "profiling", "samples")));
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
    *on_out = sel[0];
    *n_on_out = n;
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
        cJSON *s = cJSON_GetObjectItem(cfg, "sampler"), *u = cJSON_GetObjectItem(cfg, "unwinder");
        if (strcmp(cJSON_GetObjectItem(cfg, "workload")->valuestring, workload) ||
            cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) ||
            num(cJSON_GetObjectItem(t, "exit_status")) != 0 ||
            cJSON_GetObjectItem(cfg, "max_overhead_pct")) /* budget mode: bench_budget.c */
            continue;
        double samples;
        if (cJSON_IsNull(s) && !twin)
            samples = 0;
        else if (cJSON_IsNull(s))
            continue;
        else if (strcmp(s->valuestring, sampler) == 0 && strcmp(u->valuestring, unwinder) == 0)
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

/* Where a sample's time goes, and cost per sample by rate (bench_pairs.h). */
static void write_layers_markdown(FILE *f, cJSON *summary)
{
    cJSON *layers = cJSON_GetObjectItem(summary, "layers");
    if (cJSON_GetArraySize(layers)) {
        fprintf(f, "## Where a sample's time goes (µs of CPU per sample, 95%% intervals)\n\n"
                   "Platform: the same timer delivering SIGPROF to an empty handler (unwinder "
                   "`empty`). Handler: our handler, timed inside it. Rest: total - platform - "
                   "handler (reader thread, cache refill; its interval combines the three).\n\n"
                   "| workload | sampler | unwinder | Hz | total | platform | handler | rest |\n"
                   "|---|---|---|---:|---|---|---|---|\n");
        for (cJSON *l = layers->child; l; l = l->next) {
            char t[96], p[96], h[96], r[96];
            estimate_text(t, sizeof t, cJSON_GetObjectItem(l, "total_us"), "%.1f", NULL);
            estimate_text(p, sizeof p, cJSON_GetObjectItem(l, "platform_us"), "%.1f", NULL);
            estimate_text(h, sizeof h, cJSON_GetObjectItem(l, "handler_us"), "%.2f", NULL);
            estimate_text(r, sizeof r, cJSON_GetObjectItem(l, "rest_us"), "%.1f", NULL);
            fprintf(f, "| %s | %s | %s | %.0f | %s | %s | %s | %s |\n",
                    cJSON_GetObjectItem(l, "workload")->valuestring,
                    cJSON_GetObjectItem(l, "sampler")->valuestring,
                    cJSON_GetObjectItem(l, "unwinder")->valuestring,
                    num(cJSON_GetObjectItem(l, "rate")), t, p, h, r);
        }
        fputs("\n", f);
    }
    cJSON *dose = cJSON_GetObjectItem(summary, "dose");
    if (!cJSON_GetArraySize(dose))
        return;
    fprintf(f, "## Dose-response: cost per sample by rate (µs)\n\nA rate under 75%% "
               "achieved (a tick sampler above CONFIG_HZ) is marked and is not a separate "
               "dose; *< X* is a bound where the overhead is not resolved.\n\n"
               "| workload | sampler | unwinder | per rate | linear? |\n"
               "|---|---|---|---|---|\n");
    for (cJSON *d = dose->child; d; d = d->next) {
        char cells[1024] = "";
        size_t len = 0;
        for (cJSON *p = get(d, "points", NULL, NULL)->child; p && len < sizeof cells - 128;
             p = p->next) {
            cJSON *ct = cJSON_GetObjectItem(p, "cost_text");
            len += (size_t)snprintf(
                cells + len, sizeof cells - len, "%s%.0f Hz: %s%s", len ? "; " : "",
                num(cJSON_GetObjectItem(p, "rate")), cJSON_IsString(ct) ? ct->valuestring : "-",
                cJSON_IsTrue(cJSON_GetObjectItem(p, "achieved")) ? "" : " (not achieved)");
        }
        fprintf(f, "| %s | %s | %s | %s | %s |\n", cJSON_GetObjectItem(d, "workload")->valuestring,
                cJSON_GetObjectItem(d, "sampler")->valuestring,
                cJSON_GetObjectItem(d, "unwinder")->valuestring, cells,
                cJSON_IsTrue(cJSON_GetObjectItem(d, "nonlinear"))
                    ? cJSON_GetObjectItem(d, "note")->valuestring
                    : "no difference resolved");
    }
    fputs("\n", f);
}

/* The precision targets: how many met, and each that did not. */
static void write_precision_markdown(FILE *f, cJSON *precision)
{
    cJSON *figures = cJSON_GetObjectItem(precision, "figures");
    if (!figures)
        return;
    const double target = num(cJSON_GetObjectItem(precision, "target_pct"));
    fprintf(f,
            "**Precision: %.0f of %.0f headline figures met their target** (cost per sample "
            "within ±%.0f%%, 95%% interval; trials were added in rounds until they did or the "
            "time budget was spent).\n\n",
            num(cJSON_GetObjectItem(precision, "met")),
            num(cJSON_GetObjectItem(precision, "total")), target);
    for (cJSON *g = figures->child; g; g = g->next) {
        if (cJSON_IsTrue(cJSON_GetObjectItem(g, "met")))
            continue;
        const double half = num(cJSON_GetObjectItem(g, "half_width_pct"));
        char hw[32] = "no interval";
        if (isfinite(half))
            snprintf(hw, sizeof hw, "±%.1f%%", half);
        fprintf(f, "- not met: %s %s/%s %.0f Hz: %s µs (%s, %.0f pairs)\n",
                cJSON_GetStringValue(cJSON_GetObjectItem(g, "workload")),
                cJSON_GetStringValue(cJSON_GetObjectItem(g, "sampler")),
                cJSON_GetStringValue(cJSON_GetObjectItem(g, "unwinder")),
                num(cJSON_GetObjectItem(g, "rate")),
                cJSON_GetStringValue(cJSON_GetObjectItem(g, "cost_text")), hw,
                num(cJSON_GetObjectItem(g, "pairs")));
    }
    fputs("\n", f);
}

/* The headline: paired overheads (bench_pairs.h) judged against the A/A floor. */
static void write_paired_markdown(FILE *f, cJSON *results)
{
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    cJSON *aa = cJSON_GetObjectItem(summary, "aa");
    cJSON *cpu = get(summary, "pinning", "workload_cpu", NULL);
    if (cJSON_IsNumber(cpu))
        fprintf(f, "Workload pinned to CPU %.0f, the harness on the other CPUs. ",
                cpu->valuedouble);
    else
        fprintf(f, "Workload not pinned (fewer than two CPUs). ");
    fprintf(f, "Each profiled trial ran beside a profiling-off trial of its workload (order "
               "random within the pair); overhead is the median over pairs of CPU on / CPU off "
               "- 1, with a 95%% bootstrap interval over pairs. The A/A floor (off beside off) "
               "is the smallest effect this machine shows: an overhead whose interval lies "
               "within it is printed as *< X* and is not resolved.\n\n");
    if (cJSON_GetArraySize(aa)) {
        fprintf(f, "| workload | A/A pairs | A/A CPU ratio | minimum detectable effect %% | "
                   "trial length s |\n|---|---:|---|---:|---:|\n");
        for (cJSON *a = aa->child; a; a = a->next) {
            char ratio[128];
            estimate_text(ratio, sizeof ratio, cJSON_GetObjectItem(a, "cpu_ratio"), "%.4f", NULL);
            fprintf(f, "| %s | %.0f | %s | %.2f | %.2f |\n",
                    cJSON_GetObjectItem(a, "workload")->valuestring,
                    num(cJSON_GetObjectItem(a, "pairs")), ratio,
                    num(cJSON_GetObjectItem(a, "mde_pct")),
                    num(cJSON_GetObjectItem(a, "trial_seconds_median")));
        }
        fputs("\n", f);
    }
    write_precision_markdown(f, cJSON_GetObjectItem(summary, "precision"));
    fprintf(f, "## Paired overhead\n\nCost per sample is given where the overhead is resolved; "
               "elsewhere *< X* bounds it by what an undetected overhead allows.\n\n"
               "| workload | sampler | unwinder | Hz asked | Hz achieved | "
               "pairs | CPU overhead %% | throughput overhead %% | µs CPU per sample | handler "
               "µs per sample |\n|---|---|---|---:|---:|---:|---|---|---|---|\n");
    size_t rows = 0, resolved = 0;
    for (cJSON *c = get(summary, "configs", NULL, NULL)->child; c; c = c->next) {
        cJSON *p = cJSON_GetObjectItem(c, "paired");
        if (!p)
            continue;
        char thr[128] = "-", cost[128] = "-", handler[128] = "-", hz[32] = "-";
        estimate_text(thr, sizeof thr, cJSON_GetObjectItem(p, "throughput_overhead"), "%.2f", NULL);
        if (cJSON_IsString(cJSON_GetObjectItem(p, "cost_text")))
            snprintf(cost, sizeof cost, "%s", cJSON_GetObjectItem(p, "cost_text")->valuestring);
        if (cJSON_GetObjectItem(p, "handler_us_per_sample"))
            estimate_text(handler, sizeof handler, cJSON_GetObjectItem(p, "handler_us_per_sample"),
                          "%.2f", NULL);
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "achieved_hz_median")))
            snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        const bool ok = cJSON_IsTrue(cJSON_GetObjectItem(p, "resolved"));
        rows++;
        resolved += ok;
        fprintf(f, "| %s | %s | %s | %.0f | %s | %.0f | %s%s%s | %s | %s | %s |\n",
                cJSON_GetObjectItem(c, "workload")->valuestring,
                cJSON_GetObjectItem(c, "sampler")->valuestring,
                cJSON_GetObjectItem(c, "unwinder")->valuestring,
                num(cJSON_GetObjectItem(c, "rate")), hz, num(cJSON_GetObjectItem(p, "pairs")),
                ok ? "**" : "*", cJSON_GetObjectItem(p, "text")->valuestring, ok ? "**" : "*", thr,
                cost, handler);
    }
    fprintf(f,
            "\n%zu of %zu overheads resolved (bold); the rest (italic, *< X*) are within the "
            "noise floor or their interval.\n\n",
            resolved, rows);
    write_layers_markdown(f, summary);
}

bool bench_config_all_failed(cJSON *c)
{
    return num(cJSON_GetObjectItem(c, "n")) == 0 &&
           cJSON_IsString(cJSON_GetObjectItem(c, "failed")) &&
           !cJSON_IsString(cJSON_GetObjectItem(c, "unavailable"));
}

void bench_config_failure(cJSON *c, char *buf, size_t n)
{
    cJSON *s = cJSON_GetObjectItem(c, "sampler"), *u = cJSON_GetObjectItem(c, "unwinder"),
          *w = cJSON_GetObjectItem(c, "workload"), *e = cJSON_GetObjectItem(c, "failed");
    char rate[48] = "off";
    if (num(cJSON_GetObjectItem(c, "rate")) > 0)
        snprintf(rate, sizeof rate, "%.0f Hz", num(cJSON_GetObjectItem(c, "rate")));
    else if (num(cJSON_GetObjectItem(c, "max_overhead_pct")) > 0) /* bench_budget.h */
        snprintf(rate, sizeof rate, "budget %g%%", num(cJSON_GetObjectItem(c, "max_overhead_pct")));
    snprintf(
        buf, n, "%s %s/%s %s: failed: %s (%.0f trials)", cJSON_IsString(w) ? w->valuestring : "?",
        cJSON_IsString(s) ? s->valuestring : "off", cJSON_IsString(u) ? u->valuestring : "-", rate,
        cJSON_IsString(e) ? e->valuestring : "?", num(cJSON_GetObjectItem(c, "failed_trials")));
}

void bench_write_markdown(FILE *f, cJSON *results)
{
    cJSON *m = cJSON_GetObjectItem(results, "machine"), *b = cJSON_GetObjectItem(results, "build");
    fprintf(f, "# hzprof bench: %s\n\n", cJSON_GetObjectItem(results, "created")->valuestring);
    char hz[32] = "unknown";
    if (cJSON_IsNumber(cJSON_GetObjectItem(m, "config_hz")))
        snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(m, "config_hz")));
    fprintf(
        f,
        "Machine: %s, %s, %.0f cores, Linux %s, CONFIG_HZ %s. Build: hzprof %s (%s), gcc %s.\n\n",
        cJSON_GetObjectItem(m, "host")->valuestring,
        cJSON_IsString(cJSON_GetObjectItem(m, "cpu_model"))
            ? cJSON_GetObjectItem(m, "cpu_model")->valuestring
            : "unknown CPU",
        num(cJSON_GetObjectItem(m, "cores_online")),
        cJSON_IsString(cJSON_GetObjectItem(m, "kernel"))
            ? cJSON_GetObjectItem(m, "kernel")->valuestring
            : "?",
        hz, cJSON_GetObjectItem(b, "hzprof_version")->valuestring,
        cJSON_GetObjectItem(b, "git_commit")->valuestring,
        cJSON_GetObjectItem(b, "compiler_version")->valuestring);
    cJSON *un = cJSON_GetObjectItem(results, "counters_unavailable");
    if (cJSON_GetArraySize(un)) {
        fprintf(f, "Counters unavailable:");
        for (cJSON *e = un->child; e; e = e->next)
            fprintf(f, " %s%s", e->string, e->next ? "," : "");
        fprintf(f, " (%s).\n\n", un->child->valuestring);
    }
    size_t nfailed = 0;
    cJSON *lists[] = {get(results, "summary", "configs", NULL),
                      get(results, "summary", "budget", NULL)};
    for (size_t l = 0; l < 2; l++)
        for (cJSON *c = lists[l] ? lists[l]->child : NULL; c; c = c->next)
            nfailed += bench_config_all_failed(c);
    if (nfailed) {
        fprintf(f, "**%zu configuration%s failed** (no successful trial; not in the charts):\n\n",
                nfailed, nfailed == 1 ? "" : "s");
        for (size_t l = 0; l < 2; l++)
            for (cJSON *c = lists[l] ? lists[l]->child : NULL; c; c = c->next)
                if (bench_config_all_failed(c)) {
                    char line[512];
                    bench_config_failure(c, line, sizeof line);
                    fprintf(f, "- %s\n", line);
                }
        fputs("\n", f);
    }
    write_paired_markdown(f, results);
    bench_bias_markdown(f, get(results, "summary", "bias", NULL));
    bench_budget_markdown(f, cJSON_GetObjectItem(results, "summary"));
    fprintf(f, "## Unpaired medians\n\nMedians of the measured trials with 95%% bootstrap "
               "intervals. Overhead = 1 - "
               "throughput on / throughput off; *≈0* marks an interval that includes zero.\n\n");
    fprintf(f, "| workload | sampler | unwinder | Hz asked | Hz achieved | n | throughput | "
               "overhead %% | handler ns/sample | lost | truth error pts |\n");
    fprintf(f, "|---|---|---|---:|---:|---:|---|---|---:|---:|---:|\n");
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    for (cJSON *c = cJSON_GetObjectItem(summary, "configs")->child; c; c = c->next) {
        cJSON *s = cJSON_GetObjectItem(c, "sampler");
        char thr[300] = "-", ov[128] = "-", hz[32] = "-", h[32] = "-", lost[32] = "-",
             err[32] = "-";
        if (cJSON_GetObjectItem(c, "throughput"))
            estimate_text(thr, sizeof thr, cJSON_GetObjectItem(c, "throughput"), "%.4g", NULL);
        cJSON *o = cJSON_GetObjectItem(c, "overhead");
        if (o) {
            estimate_text(ov, sizeof ov, o, "%.2f", NULL);
            if (cJSON_IsTrue(cJSON_GetObjectItem(o, "ci_includes_zero")))
                strncat(ov, " *≈0*", sizeof ov - strlen(ov) - 1);
        }
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "achieved_hz_median")))
            snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        if (isfinite(num(get(c, "handler_ns_per_sample", "median", NULL))))
            snprintf(h, sizeof h, "%.0f", num(get(c, "handler_ns_per_sample", "median", NULL)));
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "lost_samples_total")))
            snprintf(lost, sizeof lost, "%.0f", num(cJSON_GetObjectItem(c, "lost_samples_total")));
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "attribution_error_pts_median")))
            snprintf(err, sizeof err, "%.2f",
                     num(cJSON_GetObjectItem(c, "attribution_error_pts_median")));
        if (cJSON_IsString(cJSON_GetObjectItem(c, "unavailable")) &&
            num(cJSON_GetObjectItem(c, "n")) == 0)
            snprintf(thr, sizeof thr, "unavailable: %.100s",
                     cJSON_GetObjectItem(c, "unavailable")->valuestring);
        else if (bench_config_all_failed(c))
            snprintf(thr, sizeof thr, "**failed** (%.0f trials): %.240s",
                     num(cJSON_GetObjectItem(c, "failed_trials")),
                     cJSON_GetObjectItem(c, "failed")->valuestring);
        char asked[32] = "off"; /* rate 0: off, or a baseline's twin with profiling off */
        if (num(cJSON_GetObjectItem(c, "rate")) > 0)
            snprintf(asked, sizeof asked, "%.0f", num(cJSON_GetObjectItem(c, "rate")));
        fprintf(f, "| %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n",
                cJSON_GetObjectItem(c, "workload")->valuestring,
                cJSON_IsString(s) ? s->valuestring : "off",
                cJSON_IsString(s) ? cJSON_GetObjectItem(c, "unwinder")->valuestring : "-", asked,
                hz, num(cJSON_GetObjectItem(c, "n")), thr, ov, h, lost, err);
    }
    fprintf(f, "\n## Cost per sample\n\nSlope of CPU time against samples taken, across the "
               "rates and the off runs, in µs of CPU per sample: on the workload's measured "
               "region for our samplers and the process tree for baselines, and on the "
               "process tree for all (like with like).\n\n"
               "| workload | sampler | unwinder | µs per sample | µs, process tree | points |\n"
               "|---|---|---|---|---|---:|\n");
    for (cJSON *c = cJSON_GetObjectItem(summary, "cost_per_sample")->child; c; c = c->next) {
        char us[128], tree[128] = "-";
        estimate_text(us, sizeof us, cJSON_GetObjectItem(c, "cost_per_sample"), "%.2f", NULL);
        if (cJSON_IsTrue(get(c, "cost_per_sample", "ci_includes_zero", NULL)))
            strncat(us, " *≈0*", sizeof us - strlen(us) - 1);
        cJSON *t = cJSON_GetObjectItem(c, "cost_per_sample_process_tree");
        if (t) {
            estimate_text(tree, sizeof tree, t, "%.2f", NULL);
            if (cJSON_IsTrue(cJSON_GetObjectItem(t, "ci_includes_zero")))
                strncat(tree, " *≈0*", sizeof tree - strlen(tree) - 1);
        }
        fprintf(f, "| %s | %s | %s | %s | %s | %.0f |\n",
                cJSON_GetObjectItem(c, "workload")->valuestring,
                cJSON_GetObjectItem(c, "sampler")->valuestring,
                cJSON_GetObjectItem(c, "unwinder")->valuestring, us, tree,
                num(cJSON_GetObjectItem(c, "points")));
    }
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

int bench_summarize(const struct bench_config *c, const char *dir)
{
    char tpath[4096];
    snprintf(tpath, sizeof tpath, "%s/trials.jsonl", dir);
    size_t damaged = 0;
    cJSON *trials = bench_trials_load(tpath, &damaged);
    if (!trials) {
        fprintf(stderr, "hzprof bench: no trials in '%s'\n", dir);
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
                                        cJSON_GetObjectItem(e, "reason")->valuestring);
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
        fprintf(stderr, "hzprof bench: out of memory\n");
        return -1;
    }
    cJSON *aa_list = cJSON_AddArrayToObject(summary, "aa");
    cJSON *pinning = cJSON_AddObjectToObject(summary, "pinning");
    cJSON *first_cpu = trials->child ? cJSON_GetObjectItem(trials->child, "cpu") : NULL;
    if (cJSON_IsNumber(first_cpu)) {
        cJSON_AddNumberToObject(pinning, "workload_cpu", first_cpu->valuedouble);
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
            mde = cJSON_IsNumber(m) ? m->valuedouble : NAN;
            cJSON_AddItemToArray(aa_list, aa);
        }
        size_t n_off = select_trials(trials, name, NULL, NULL, 0, off, MAX_VALUES, &un, NULL);
        cJSON *dummy;
        size_t dn;
        cJSON_AddItemToArray(configs, summarize_config(trials, name, NULL, NULL, 0, off, n_off,
                                                       seed++, &dummy, &dn));
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++) {
                for (size_t r = 0; r < c->nrates; r++) {
                    if (!bench_config_runs(c, s, c->rates[r]))
                        continue;
                    cJSON *row = summarize_config(trials, name, c->samplers[s], c->unwinders[u],
                                                  c->rates[r], off, n_off, seed++, &dummy, &dn);
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
                n_twin_off =
                    select_trials(trials, name, bl, "builtin", 0, twin_off, MAX_VALUES, &un, NULL);
                cJSON_AddItemToArray(configs, summarize_config(trials, name, bl, "builtin", 0, NULL,
                                                               0, seed++, &dummy, &dn));
            }
            for (size_t r = 0; r < c->nrates; r++) {
                cJSON *row = summarize_config(trials, name, bl, "builtin", c->rates[r],
                                              twin ? twin_off : off, twin ? n_twin_off : n_off,
                                              seed++, &dummy, &dn);
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
    if (f && fclose(f) != 0)
        rc = -1;
    free(text);
    snprintf(path, sizeof path, "%s/summary.md", dir);
    f = fopen(path, "w");
    if (f) {
        bench_write_markdown(f, results);
        if (ferror(f))
            rc = -1;
        if (fclose(f) != 0)
            rc = -1;
    } else {
        rc = -1;
    }
    if (rc)
        fprintf(stderr, "hzprof bench: cannot write the results in '%s'\n", dir);
    int nfailed = 0;
    cJSON *lists[] = {configs, budget};
    for (size_t l = 0; l < 2; l++)
        for (cJSON *c = lists[l] ? lists[l]->child : NULL; rc == 0 && c; c = c->next)
            if (bench_config_all_failed(c)) {
                char line[512];
                bench_config_failure(c, line, sizeof line);
                fprintf(stderr, "hzprof bench: %s\n", line);
                nfailed++;
            }
    cJSON_Delete(results);
    return rc ? -1 : nfailed;
}
