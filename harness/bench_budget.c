/* bench_budget.c — see bench_budget.h. */
#define _GNU_SOURCE
#include "bench_budget.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "bench_summary.h"
#include "json_path.h"
#include "stats.h"

const char *bench_budget_verdict(double predicted_pct, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(predicted_pct))
        return "no interval";
    return hi < predicted_pct ? "below" : lo > predicted_pct ? "above" : "within";
}

/* The profiled trials' medians of a figure of output.profiling (scale applied). */
static void add_median(cJSON *row, const char *name, cJSON **on, size_t n, const char *field,
                       double scale)
{
    static struct bench_values v;
    v.n = 0;
    for (size_t i = 0; i < n; i++)
        bench_values_add(&v, num(get(on[i], "output", "profiling", field)) * scale);
    if (v.n)
        cJSON_AddNumberToObject(row, name, stats_median(v.v, v.n));
    else
        cJSON_AddNullToObject(row, name);
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
    static cJSON *on[BENCH_CONFIG_MAX_TRIALS];
    const struct bench_config_key key = {workload, sampler, unwinder, 0, budget_pct};
    const char *unavailable;
    struct bench_failures failed;
    const size_t n =
        bench_select_trials(trials, &key, on, BENCH_CONFIG_MAX_TRIALS, &unavailable, &failed);
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "workload", workload);
    cJSON_AddStringToObject(row, "sampler", sampler);
    cJSON_AddStringToObject(row, "unwinder", unwinder);
    cJSON_AddNumberToObject(row, "max_overhead_pct", budget_pct);
    cJSON_AddNumberToObject(row, "n", (double)n);
    if (unavailable)
        cJSON_AddStringToObject(row, "unavailable", unavailable);
    if (failed.count) { /* never silent, as summary.configs: how many, and the first line */
        cJSON_AddNumberToObject(row, "failed_trials", (double)failed.count);
        cJSON_AddStringToObject(row, "failed", failed.error);
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
