/* bench_bias.c — see bench_bias.h. */
#include "bench_bias.h"

#include <math.h>
#include <string.h>

#include "bench_summary.h"
#include "json_path.h"
#include "stats.h"

#define BIAS_MAX_TRIALS 4096

struct values {
    double v[BIAS_MAX_TRIALS];
    size_t n;
};

static void add(struct values *s, double v)
{
    if (s->n < BIAS_MAX_TRIALS && isfinite(v))
        s->v[s->n++] = v;
}

static bool is_config(cJSON *cfg, const char *workload, const char *sampler, const char *unwinder,
                      double rate)
{
    cJSON *w = cJSON_GetObjectItem(cfg, "workload"), *s = cJSON_GetObjectItem(cfg, "sampler"),
          *u = cJSON_GetObjectItem(cfg, "unwinder");
    return cJSON_IsString(w) && strcmp(w->valuestring, workload) == 0 && cJSON_IsString(s) &&
           strcmp(s->valuestring, sampler) == 0 && cJSON_IsString(u) &&
           strcmp(u->valuestring, unwinder) == 0 && num(cJSON_GetObjectItem(cfg, "rate")) == rate;
}

static void add_estimate(cJSON *row, const char *key, struct values *s, uint64_t seed)
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
    static struct values err, skid, site, site_truth, hz;
    err.n = skid.n = site.n = site_truth.n = hz.n = 0;
    cJSON *params = NULL;
    for (cJSON *t = trials->child; t; t = t->next) {
        if (cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) ||
            !is_config(cJSON_GetObjectItem(t, "config"), workload, sampler, unwinder, rate) ||
            !cJSON_IsNumber(cJSON_GetObjectItem(t, "attribution_error_pts")))
            continue;
        add(&err, num(cJSON_GetObjectItem(t, "attribution_error_pts")));
        add(&skid, num(cJSON_GetObjectItem(t, "skid_pts")));
        add(&site, num(cJSON_GetObjectItem(t, "syscall_site_pct")));
        add(&site_truth, num(cJSON_GetObjectItem(t, "syscall_site_truth_pct")));
        add(&hz, num(get(t, "output", "profiling", "achieved_hz")));
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
    cJSON *cs = cJSON_GetObjectItem(params, "case");
    cJSON_AddStringToObject(row, "case", cJSON_IsString(cs) ? cs->valuestring : "?");
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

void bench_bias_markdown(FILE *f, cJSON *bias)
{
    if (!cJSON_GetArraySize(bias))
        return;
    fprintf(f, "## Sampling bias: where the samples land (truth workloads)\n\n"
               "Attribution error: the largest difference, in points, between a function's "
               "share of the samples and its true share of the time. Skid: the share of "
               "samples at the system-call site minus its true share (points; positive: "
               "samples pile up at system-call returns). P/T: the program's period over the "
               "mean sampling interval (lockstep where it is a whole number and the intervals "
               "are fixed). Median over the trials, 95%% bootstrap interval.\n\n"
               "| workload | sampler | unwinder | rate | case | busy | P/T | error pts | "
               "skid pts | achieved Hz | n |\n"
               "|---|---|---|---:|---|---:|---:|---|---|---:|---:|\n");
    for (cJSON *r = bias->child; r; r = r->next) {
        char err[64], skid[64], ratio[16] = "-";
        estimate_text(err, sizeof err, cJSON_GetObjectItem(r, "attribution_error_pts"), "%.1f",
                      "-");
        estimate_text(skid, sizeof skid, cJSON_GetObjectItem(r, "skid_pts"), "%.1f", "-");
        const double p = num(cJSON_GetObjectItem(r, "period_over_interval"));
        if (isfinite(p))
            snprintf(ratio, sizeof ratio, "%.2f", p);
        fprintf(f, "| %s | %s | %s | %.0f | %s | %.0f | %s | %s | %s | %.0f | %.0f |\n",
                cJSON_GetObjectItem(r, "workload")->valuestring,
                cJSON_GetObjectItem(r, "sampler")->valuestring,
                cJSON_GetObjectItem(r, "unwinder")->valuestring,
                num(cJSON_GetObjectItem(r, "rate")), cJSON_GetObjectItem(r, "case")->valuestring,
                num(cJSON_GetObjectItem(r, "busy")), ratio, err, skid,
                num(cJSON_GetObjectItem(r, "achieved_hz_median")),
                num(cJSON_GetObjectItem(r, "n")));
    }
    fprintf(f, "\n");
}
