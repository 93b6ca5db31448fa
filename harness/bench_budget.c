/* bench_budget.c — see bench_budget.h. */
#define _GNU_SOURCE
#include "bench_budget.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "stats.h"

#define MAX_TRIALS 4096

const char *bench_budget_verdict(double predicted_pct, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(predicted_pct))
        return "no interval";
    return hi < predicted_pct ? "below" : lo > predicted_pct ? "above" : "within";
}

static bool is_trial_of(cJSON *t, const char *workload, const char *sampler, const char *unwinder,
                        double budget_pct)
{
    cJSON *cfg = cJSON_GetObjectItem(t, "config");
    const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "workload")),
               *s = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "sampler")),
               *u = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "unwinder"));
    return w && s && u && !strcmp(w, workload) && !strcmp(s, sampler) && !strcmp(u, unwinder) &&
           num(cJSON_GetObjectItem(cfg, "max_overhead_pct")) == budget_pct;
}

/* The profiled trials' medians of a figure of output.profiling (scale applied). */
static void add_median(cJSON *row, const char *name, cJSON **on, size_t n, const char *field,
                       double scale)
{
    double *v = calloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++) {
        const double x = num(get(on[i], "output", "profiling", field));
        if (isfinite(x))
            v[k++] = x * scale;
    }
    if (k)
        cJSON_AddNumberToObject(row, name, stats_median(v, k));
    else
        cJSON_AddNullToObject(row, name);
    free(v);
}

static double mde_of(cJSON *aa, const char *workload)
{
    for (cJSON *a = aa ? aa->child : NULL; a; a = a->next) {
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(a, "workload"));
        if (w && !strcmp(w, workload))
            return num(cJSON_GetObjectItem(a, "mde_pct"));
    }
    return NAN;
}

static cJSON *budget_row(cJSON *trials, const struct trial_index *ix, const struct bench_config *c,
                         const char *workload, const char *sampler, const char *unwinder,
                         double budget_pct, double mde)
{
    static cJSON *on[MAX_TRIALS];
    size_t n = 0, failed = 0;
    const char *unavailable = NULL, *first_error = NULL;
    for (cJSON *t = trials->child; t; t = t->next) {
        if (!is_trial_of(t, workload, sampler, unwinder, budget_pct))
            continue;
        const char *un = cJSON_GetStringValue(cJSON_GetObjectItem(t, "unavailable"));
        if (un)
            unavailable = un;
        const bool ok = num(cJSON_GetObjectItem(t, "exit_status")) == 0 &&
                        cJSON_IsObject(cJSON_GetObjectItem(t, "output"));
        if (!ok && !un && !cJSON_IsTrue(cJSON_GetObjectItem(t, "skipped"))) {
            const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(t, "error"));
            if (!first_error)
                first_error = e && *e ? e : "no output";
            failed++;
        }
        if (ok && !cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) && n < MAX_TRIALS)
            on[n++] = t;
    }
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "workload", workload);
    cJSON_AddStringToObject(row, "sampler", sampler);
    cJSON_AddStringToObject(row, "unwinder", unwinder);
    cJSON_AddNumberToObject(row, "max_overhead_pct", budget_pct);
    cJSON_AddNumberToObject(row, "n", (double)n);
    if (unavailable)
        cJSON_AddStringToObject(row, "unavailable", unavailable);
    if (failed) { /* never silent, as summary.configs: how many, and the first line */
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(first_error, "\n"), first_error);
        cJSON_AddNumberToObject(row, "failed_trials", (double)failed);
        cJSON_AddStringToObject(row, "failed", line);
    }
    add_median(row, "chosen_rate_hz", on, n, "hz", 1);
    add_median(row, "achieved_hz", on, n, "achieved_hz", 1);
    add_median(row, "predicted_overhead_pct", on, n, "predicted_overhead_pct", 1);
    add_median(row, "cost_us_per_sample", on, n, "cost_ns_per_sample", 1e-3);
    cJSON *paired = bench_pairs_budget(ix, workload, sampler, unwinder, budget_pct, mde, c->seed);
    const char *verdict = n ? "no interval" : "no trials";
    bool over = false;
    if (paired) {
        cJSON *ov = cJSON_GetObjectItem(paired, "cpu_overhead");
        const double lo = num(cJSON_GetObjectItem(ov, "lo")),
                     hi = num(cJSON_GetObjectItem(ov, "hi"));
        const bool enough = num(cJSON_GetObjectItem(paired, "pairs")) >= BENCH_MIN_PAIRS;
        verdict = enough ? bench_budget_verdict(
                               num(cJSON_GetObjectItem(row, "predicted_overhead_pct")), lo, hi)
                         : "no interval";
        over = enough && isfinite(lo) && lo > budget_pct;
        cJSON_AddItemToObject(row, "paired", paired);
    }
    cJSON_AddStringToObject(row, "verdict", verdict);
    cJSON_AddBoolToObject(row, "over_budget", over);
    return row;
}

cJSON *bench_budget_rows(cJSON *trials, const struct trial_index *ix, const struct bench_config *c,
                         cJSON *aa)
{
    cJSON *rows = cJSON_CreateArray();
    for (size_t w = 0; w < c->nworkloads; w++) {
        const double mde = mde_of(aa, c->workloads[w].name);
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++)
                for (size_t b = 0; b < c->nbudgets; b++)
                    cJSON_AddItemToArray(rows, budget_row(trials, ix, c, c->workloads[w].name,
                                                          c->samplers[s], c->unwinders[u],
                                                          c->budgets_pct[b], mde));
    }
    return rows;
}

/* "v" or "-" for a number field. */
static void cell(char *buf, size_t n, cJSON *row, const char *k, const char *fmt)
{
    const double v = num(cJSON_GetObjectItem(row, k));
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        snprintf(buf, n, "-");
}

void bench_budget_markdown(FILE *f, cJSON *summary)
{
    cJSON *rows = cJSON_GetObjectItem(summary, "budget");
    if (!cJSON_GetArraySize(rows))
        return;
    fprintf(f, "## Budget mode: predicted vs measured\n\n"
               "Each trial ran with `--max-overhead BUDGET`: it calibrated the cost of one "
               "sample, chose the highest rate whose predicted overhead (rate x cost, per "
               "CPU-second of a busy thread; a tick sampler at most its CONFIG_HZ ceiling) "
               "fits, and was paired with a profiling-off trial. Chosen rate, cost and "
               "prediction are medians over trials; the measured overhead is the paired "
               "median with its 95%% interval (*italic*: within the noise floor). Verdict: "
               "*within* when the interval holds the prediction, *below* or *above* when it "
               "lies under or over it; **over budget** when it lies wholly above the budget."
               "\n\n"
               "| workload | sampler | unwinder | budget %% | chosen Hz | achieved Hz | "
               "µs per sample | predicted %% | measured CPU overhead %% | pairs | verdict |\n"
               "|---|---|---|---:|---:|---:|---:|---:|---|---:|---|\n");
    for (cJSON *r = rows->child; r; r = r->next) {
        char chosen[300], achieved[32], cost[32], predicted[32], measured[128] = "-",
                                                                 pairs[16] = "0";
        cell(chosen, sizeof chosen, r, "chosen_rate_hz", "%.0f");
        cell(achieved, sizeof achieved, r, "achieved_hz", "%.0f");
        cell(cost, sizeof cost, r, "cost_us_per_sample", "%.1f");
        cell(predicted, sizeof predicted, r, "predicted_overhead_pct", "%.2f");
        const char *un = cJSON_GetStringValue(cJSON_GetObjectItem(r, "unavailable")),
                   *failed = cJSON_GetStringValue(cJSON_GetObjectItem(r, "failed"));
        if (num(cJSON_GetObjectItem(r, "n")) == 0 && (un || failed))
            snprintf(chosen, sizeof chosen, "%s: %.200s", un ? "unavailable" : "**failed**",
                     un ? un : failed);
        cJSON *p = cJSON_GetObjectItem(r, "paired");
        cJSON *ov = cJSON_GetObjectItem(p, "cpu_overhead");
        const double v = num(cJSON_GetObjectItem(ov, "value"));
        if (isfinite(v)) {
            const bool resolved = cJSON_IsTrue(cJSON_GetObjectItem(p, "resolved"));
            const char *mark = resolved ? "" : "*";
            char text[96];
            estimate_text(text, sizeof text, ov, "%.2f", NULL);
            snprintf(measured, sizeof measured, "%s%s%s", mark, text, mark);
        }
        cell(pairs, sizeof pairs, p, "pairs", "%.0f");
        const char *verdict = cJSON_GetStringValue(cJSON_GetObjectItem(r, "verdict"));
        fprintf(f, "| %s | %s | %s | %g | %s | %s | %s | %s | %s | %s | %s%s |\n",
                cJSON_GetStringValue(cJSON_GetObjectItem(r, "workload")),
                cJSON_GetStringValue(cJSON_GetObjectItem(r, "sampler")),
                cJSON_GetStringValue(cJSON_GetObjectItem(r, "unwinder")),
                num(cJSON_GetObjectItem(r, "max_overhead_pct")), chosen, achieved, cost, predicted,
                measured, pairs, verdict ? verdict : "-",
                cJSON_IsTrue(cJSON_GetObjectItem(r, "over_budget")) ? ", **over budget**" : "");
    }
    fputs("\n", f);
}
