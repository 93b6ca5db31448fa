/* bench_bias.c — see bench_bias.h. */
#include "bench_bias.h"

#include <math.h>
#include <string.h>

#include "bench_summary.h"
#include "json_path.h"
#include "stats.h"

static void add_estimate(cJSON *row, const char *key, struct bench_values *s, uint64_t seed)
{
    if (!s->n) /* not measured for this case (skid: a case without system calls) */
        return;
    struct estimate e = stats_median_ci(s->v, s->n, BENCH_RESAMPLES, 0.95, seed);
    cJSON *o = cJSON_AddObjectToObject(row, key);
    cJSON_AddNumberToObject(o, "value", e.value);
    if (s->n >= 2 && isfinite(e.lo) && isfinite(e.hi)) {
        cJSON_AddNumberToObject(o, "lo", e.lo);
        cJSON_AddNumberToObject(o, "hi", e.hi);
    } else {
        cJSON_AddNullToObject(o, "lo");
        cJSON_AddNullToObject(o, "hi");
    }
}

static cJSON *bias_row(cJSON *trials, const char *workload, const char *sampler,
                       const char *unwinder, unsigned rate, uint64_t seed)
{
    static struct bench_values err, skid, site, site_truth, hz;
    static cJSON *sel[BENCH_CONFIG_MAX_TRIALS];
    err.n = skid.n = site.n = site_truth.n = hz.n = 0;
    const struct bench_config_key key = {workload, sampler, unwinder, rate, 0};
    const char *unavailable;
    const size_t n =
        bench_select_trials(trials, &key, sel, BENCH_CONFIG_MAX_TRIALS, &unavailable, NULL);
    cJSON *params = NULL;
    for (size_t i = 0; i < n; i++) {
        cJSON *t = sel[i];
        if (!cJSON_IsNumber(cJSON_GetObjectItem(t, "attribution_error_pts")))
            continue; /* scored trials only (bench_run.c's score_truth) */
        bench_values_add(&err, num(cJSON_GetObjectItem(t, "attribution_error_pts")));
        bench_values_add(&skid, num(cJSON_GetObjectItem(t, "skid_pts")));
        bench_values_add(&site, num(cJSON_GetObjectItem(t, "syscall_site_pct")));
        bench_values_add(&site_truth, num(cJSON_GetObjectItem(t, "syscall_site_truth_pct")));
        bench_values_add(&hz, num(get(t, "output", "profiling", "achieved_hz")));
        if (!params)
            params = get(t, "output", "params", NULL);
    }
    if (!err.n)
        return NULL;
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "workload", workload);
    cJSON_AddStringToObject(row, "sampler", sampler);
    cJSON_AddStringToObject(row, "unwinder", unwinder);
    cJSON_AddNumberToObject(row, "rate", rate);
    cJSON_AddNumberToObject(row, "n", (double)err.n);
    const char *cs = cJSON_GetStringValue(cJSON_GetObjectItem(params, "case"));
    cJSON_AddStringToObject(row, "case", cs ? cs : "?");
    const double period_us = num(cJSON_GetObjectItem(params, "period_us"));
    if (isfinite(period_us)) /* the program's period over the mean sampling interval */
        cJSON_AddNumberToObject(row, "period_over_interval", period_us * rate / 1e6);
    const double busy = num(cJSON_GetObjectItem(params, "busy"));
    cJSON_AddNumberToObject(row, "busy", isfinite(busy) ? busy : 0);
    const double syscall_us = num(cJSON_GetObjectItem(params, "syscall_us"));
    if (isfinite(syscall_us))
        cJSON_AddNumberToObject(row, "syscall_us", syscall_us);
    cJSON_AddNumberToObject(row, "achieved_hz_median", hz.n ? stats_median(hz.v, hz.n) : NAN);
    add_estimate(row, "attribution_error_pts", &err, seed);
    add_estimate(row, "skid_pts", &skid, seed + 1);
    if (site.n && site_truth.n) {
        cJSON_AddNumberToObject(row, "syscall_site_pct_median", stats_median(site.v, site.n));
        cJSON_AddNumberToObject(row, "syscall_site_truth_pct_median",
                                stats_median(site_truth.v, site_truth.n));
    }
    return row;
}

cJSON *bench_bias_summary(const struct bench_config *c, cJSON *trials, uint64_t seed)
{
    cJSON *rows = NULL;
    for (size_t w = 0; w < c->nworkloads; w++) {
        if (strcmp(c->workloads[w].program, "truth") != 0)
            continue;
        if (!rows)
            rows = cJSON_CreateArray();
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++)
                for (size_t r = 0; r < c->nrates; r++) {
                    if (!bench_config_runs(c, s, c->rates[r]))
                        continue;
                    cJSON *row = bias_row(trials, c->workloads[w].name, c->samplers[s],
                                          c->unwinders[u], c->rates[r], seed++);
                    if (row)
                        cJSON_AddItemToArray(rows, row);
                }
    }
    return rows;
}
