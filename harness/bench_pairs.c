/* bench_pairs.c — see bench_pairs.h. */
#define _GNU_SOURCE
#include "bench_pairs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_summary.h"
#include "json_path.h"
#include "stats.h"

#define MAX_PAIRS 4096

int trial_index_make(cJSON *trials, struct trial_index *ix)
{
    ix->n = 0;
    for (cJSON *t = trials ? trials->child : NULL; t; t = t->next) {
        double k = num(cJSON_GetObjectItem(t, "trial"));
        if (k >= 0 && k < 1e7 && (size_t)k + 1 > ix->n)
            ix->n = (size_t)k + 1;
    }
    ix->by_trial = calloc(ix->n ? ix->n : 1, sizeof *ix->by_trial);
    if (!ix->by_trial)
        return -1;
    for (cJSON *t = trials ? trials->child : NULL; t; t = t->next) {
        double k = num(cJSON_GetObjectItem(t, "trial"));
        if (k >= 0 && (size_t)k < ix->n)
            ix->by_trial[(size_t)k] = t;
    }
    return 0;
}

void trial_index_free(struct trial_index *ix)
{
    free(ix->by_trial);
    ix->by_trial = NULL;
    ix->n = 0;
}

/* A measured trial that succeeded. */
static bool usable(cJSON *t)
{
    return t && !cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")) &&
           num(cJSON_GetObjectItem(t, "exit_status")) == 0 &&
           cJSON_IsObject(cJSON_GetObjectItem(t, "output"));
}

/* A string field of o, NULL when absent or not a string. */
static const char *str_field(cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

/* Whether o's field k is the string want. */
static bool str_is(cJSON *o, const char *k, const char *want)
{
    const char *v = str_field(o, k);
    return v && strcmp(v, want) == 0;
}

static bool role_is(cJSON *t, const char *role)
{
    return str_is(t, "role", role);
}

/* A trial's budget in percent (budget mode), 0 for a configuration at a fixed rate. */
static double budget_of(cJSON *cfg)
{
    const double b = num(cJSON_GetObjectItem(cfg, "max_overhead_pct"));
    return isfinite(b) ? b : 0;
}

static bool config_is(cJSON *t, const char *workload, const char *sampler, const char *unwinder,
                      double rate, double budget_pct)
{
    cJSON *cfg = cJSON_GetObjectItem(t, "config");
    if (!str_is(cfg, "workload", workload))
        return false;
    if (!sampler)
        return cJSON_IsNull(cJSON_GetObjectItem(cfg, "sampler"));
    return str_is(cfg, "sampler", sampler) && str_is(cfg, "unwinder", unwinder) &&
           num(cJSON_GetObjectItem(cfg, "rate")) == rate && budget_of(cfg) == budget_pct;
}

static double cpu_of(cJSON *t, bool process_tree)
{
    return process_tree ? num(cJSON_GetObjectItem(t, "process_cpu_seconds"))
                        : num(get(t, "output", "measured", "cpu_seconds"));
}

static cJSON *estimate_obj(struct estimate e, double scale, double shift, const char *unit)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "value", (e.value + shift) * scale);
    if (isfinite(e.lo)) {
        cJSON_AddNumberToObject(o, "lo", (e.lo + shift) * scale);
        cJSON_AddNumberToObject(o, "hi", (e.hi + shift) * scale);
    } else {
        cJSON_AddNullToObject(o, "lo");
        cJSON_AddNullToObject(o, "hi");
    }
    if (unit)
        cJSON_AddStringToObject(o, "unit", unit);
    return o;
}

cJSON *bench_pairs_aa(const struct trial_index *ix, const char *workload, uint64_t seed)
{
    static double cpu_a[MAX_PAIRS], cpu_b[MAX_PAIRS], secs[2 * MAX_PAIRS];
    size_t n = 0, ns = 0;
    for (size_t k = 0; k + 1 < ix->n && n < MAX_PAIRS; k += 2) {
        cJSON *a = ix->by_trial[k], *b = ix->by_trial[k + 1];
        if (!usable(a) || !usable(b) || !role_is(a, "aa") || !role_is(b, "aa") ||
            !config_is(a, workload, NULL, NULL, 0, 0))
            continue;
        cpu_a[n] = cpu_of(a, false);
        cpu_b[n++] = cpu_of(b, false);
        secs[ns++] = num(cJSON_GetObjectItem(a, "process_seconds"));
        secs[ns++] = num(cJSON_GetObjectItem(b, "process_seconds"));
    }
    if (n == 0)
        return NULL;
    struct estimate e = stats_paired_ratio_ci(cpu_b, cpu_a, n, BENCH_RESAMPLES, 0.95, seed);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pairs", (double)n);
    cJSON_AddItemToObject(o, "cpu_ratio", estimate_obj(e, 1, 0, NULL));
    const double mde = n >= BENCH_MIN_PAIRS ? 100 * stats_aa_mde(e) : NAN;
    if (isfinite(mde))
        cJSON_AddNumberToObject(o, "mde_pct", mde);
    else
        cJSON_AddNullToObject(o, "mde_pct");
    cJSON_AddNumberToObject(o, "trial_seconds_median", stats_median(secs, ns));
    return o;
}

void bench_pairs_text(char *buf, size_t n, double value, double lo, double hi, double mde_pct,
                      bool *resolved)
{
    *resolved = stats_resolved((struct estimate){value, lo, hi}, mde_pct);
    if (*resolved)
        snprintf(buf, n, "%.2f [%.2f, %.2f]", value, lo, hi);
    else if (isfinite(hi))
        snprintf(buf, n, "< %.2f", fmax(hi, isfinite(mde_pct) ? mde_pct : 0));
    else
        snprintf(buf, n, "%.2f (no interval)", value);
}

static cJSON *pairs_config(const struct trial_index *ix, const char *workload, const char *sampler,
                           const char *unwinder, double rate, double budget_pct, bool baseline,
                           double mde_pct, uint64_t seed)
{
    /* The bootstrap's stream depends on the configuration, not on the order the caller
     * asks in: the adaptive rounds' stopping rule and the summary see the same interval. */
    for (const char *part[] = {workload, sampler, unwinder}, **q = part; q < part + 3; q++)
        for (const char *c = *q ? *q : "-"; *c; c++)
            seed = (seed ^ (unsigned char)*c) * 1099511628211u;
    seed = (seed ^ (uint64_t)rate) * 1099511628211u;
    if (budget_pct > 0)
        seed = (seed ^ (uint64_t)(budget_pct * 1e6)) * 1099511628211u;
    static double cpu_on[MAX_PAIRS], cpu_off[MAX_PAIRS], thr_on[MAX_PAIRS], thr_off[MAX_PAIRS],
        cost[MAX_PAIRS], handler[MAX_PAIRS], achieved[MAX_PAIRS], sample_counts[MAX_PAIRS];
    size_t n = 0, nc = 0, nh = 0;
    for (size_t k = 0; k < ix->n && n < MAX_PAIRS; k++) {
        cJSON *on = ix->by_trial[k], *off = ix->by_trial[k ^ 1];
        if ((k ^ 1) >= ix->n || !usable(on) || !usable(off) || !role_is(on, "on") ||
            !role_is(off, "off") || !config_is(on, workload, sampler, unwinder, rate, budget_pct))
            continue;
        const double c_on = cpu_of(on, baseline), c_off = cpu_of(off, baseline);
        const double t_on = num(get(on, "output", "measured", "throughput")),
                     t_off = num(get(off, "output", "measured", "throughput"));
        if (!(c_on > 0) || !(c_off > 0) || !(t_off > 0) || !isfinite(t_on))
            continue;
        achieved[n] = num(get(on, "output", "profiling", "achieved_hz"));
        cpu_on[n] = c_on, cpu_off[n] = c_off;
        thr_on[n] = t_on, thr_off[n++] = t_off;
        const double samples = num(get(on, "output", "profiling", "samples"));
        if (samples > 0) {
            sample_counts[nc] = samples;
            cost[nc++] = (c_on - c_off) / samples * 1e6;
            const double h = num(get(on, "output", "profiling", "handler_ns_mean"));
            /* "empty" times nothing in its handler: no handler figure, not a zero. */
            if (!baseline && isfinite(h) && strcmp(unwinder, "empty") != 0)
                handler[nh++] = h / 1e3;
        }
    }
    if (n == 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pairs", (double)n);
    cJSON_AddNumberToObject(o, "achieved_hz", stats_median(achieved, n));
    struct estimate ec = stats_paired_ratio_ci(cpu_on, cpu_off, n, BENCH_RESAMPLES, 0.95, seed);
    struct estimate et = stats_paired_ratio_ci(thr_on, thr_off, n, BENCH_RESAMPLES, 0.95, seed + 1);
    cJSON_AddItemToObject(o, "cpu_overhead", estimate_obj(ec, 100, -1, "percent"));
    /* 1 - ratio: the interval's ends swap. */
    struct estimate et_over = {1 - et.value, 1 - et.hi, 1 - et.lo};
    cJSON_AddItemToObject(o, "throughput_overhead", estimate_obj(et_over, 100, 0, "percent"));
    if (nc) {
        struct estimate e = stats_median_ci(cost, nc, BENCH_RESAMPLES, 0.95, seed + 2);
        cJSON_AddItemToObject(o, "cost_per_sample_us", estimate_obj(e, 1, 0, "µs of CPU"));
    }
    if (nh) {
        struct estimate e = stats_median_ci(handler, nh, BENCH_RESAMPLES, 0.95, seed + 3);
        cJSON_AddItemToObject(o, "handler_us_per_sample", estimate_obj(e, 1, 0, "µs"));
    }
    char text[96];
    bool resolved;
    bench_pairs_text(text, sizeof text, (ec.value - 1) * 100, (ec.lo - 1) * 100, (ec.hi - 1) * 100,
                     mde_pct, &resolved);
    if (n < BENCH_MIN_PAIRS) {
        resolved = false;
        snprintf(text, sizeof text, "(%zu pairs: too few)", n);
    }
    cJSON_AddBoolToObject(o, "resolved", resolved);
    cJSON_AddStringToObject(o, "text", text);
    /* Cost per sample is a figure only where the overhead is: otherwise it is the noise
     * divided by the samples, and its bound is what the undetected overhead allows. */
    char cost_text[96] = "-";
    cJSON *c = cJSON_GetObjectItem(o, "cost_per_sample_us");
    if (c && resolved) {
        snprintf(cost_text, sizeof cost_text, "%.1f [%.1f, %.1f]",
                 num(cJSON_GetObjectItem(c, "value")), num(cJSON_GetObjectItem(c, "lo")),
                 num(cJSON_GetObjectItem(c, "hi")));
    } else if (c && isfinite(ec.hi) && n >= BENCH_MIN_PAIRS) {
        const double bound_pct = fmax((ec.hi - 1) * 100, isfinite(mde_pct) ? mde_pct : 0);
        const double bound_us =
            bound_pct / 100 * stats_median(cpu_off, n) / stats_median(sample_counts, nc) * 1e6;
        snprintf(cost_text, sizeof cost_text, "< %.1f", bound_us);
    }
    cJSON_AddStringToObject(o, "cost_text", cost_text);
    return o;
}

cJSON *bench_pairs_config(const struct trial_index *ix, const char *workload, const char *sampler,
                          const char *unwinder, double rate, bool baseline, double mde_pct,
                          uint64_t seed)
{
    return pairs_config(ix, workload, sampler, unwinder, rate, 0, baseline, mde_pct, seed);
}

cJSON *bench_pairs_budget(const struct trial_index *ix, const char *workload, const char *sampler,
                          const char *unwinder, double budget_pct, double mde_pct, uint64_t seed)
{
    return pairs_config(ix, workload, sampler, unwinder, 0, budget_pct, false, mde_pct, seed);
}

static bool same_row(cJSON *a, cJSON *b, bool same_unwinder, bool same_rate)
{
    const char *wa = str_field(a, "workload"), *wb = str_field(b, "workload"),
               *sa = str_field(a, "sampler"), *sb = str_field(b, "sampler"),
               *ua = str_field(a, "unwinder"), *ub = str_field(b, "unwinder");
    return wa && wb && sa && sb && ua && ub && !strcmp(wa, wb) && !strcmp(sa, sb) &&
           (!same_unwinder || !strcmp(ua, ub)) &&
           (!same_rate ||
            num(cJSON_GetObjectItem(a, "rate")) == num(cJSON_GetObjectItem(b, "rate")));
}

static struct estimate estimate_of(cJSON *o)
{
    return (struct estimate){num(cJSON_GetObjectItem(o, "value")),
                             num(cJSON_GetObjectItem(o, "lo")), num(cJSON_GetObjectItem(o, "hi"))};
}

bool bench_pairs_meets(cJSON *paired, unsigned rate, double precision, double *half_pct,
                       bool *reachable)
{
    cJSON *cost = cJSON_GetObjectItem(paired, "cost_per_sample_us");
    const double v = cJSON_GetNumberValue(cJSON_GetObjectItem(cost, "value")),
                 lo = cJSON_GetNumberValue(cJSON_GetObjectItem(cost, "lo")),
                 hi = cJSON_GetNumberValue(cJSON_GetObjectItem(cost, "hi")),
                 got = cJSON_GetNumberValue(cJSON_GetObjectItem(paired, "achieved_hz"));
    *reachable = !(isfinite(got) && got < BENCH_ACHIEVED_FRACTION * rate);
    const bool interval = cost && isfinite(lo) && isfinite(hi) && isfinite(v) && v > 0;
    *half_pct = interval ? 100 * (hi - lo) / 2 / v : NAN;
    return interval && (hi - lo) / 2 <= precision * v;
}

cJSON *bench_pairs_layers(cJSON *configs)
{
    cJSON *out = cJSON_CreateArray();
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        const char *u = str_field(c, "unwinder");
        cJSON *total = get(c, "paired", "cost_per_sample_us", NULL),
              *handler = get(c, "paired", "handler_us_per_sample", NULL);
        /* Only resolved figures split: an unresolved one is noise over the samples. */
        if (!u || !strcmp(u, "empty") || !strcmp(u, "builtin") || !total || !handler ||
            !cJSON_IsTrue(get(c, "paired", "resolved", NULL)))
            continue;
        cJSON *floor = NULL;
        for (cJSON *e = configs->child; e && !floor; e = e->next)
            if (same_row(c, e, false, true) && str_field(e, "unwinder") &&
                !strcmp(str_field(e, "unwinder"), "empty") &&
                cJSON_IsTrue(get(e, "paired", "resolved", NULL)))
                floor = get(e, "paired", "cost_per_sample_us", NULL);
        if (!floor)
            continue;
        const struct estimate t = estimate_of(total), f = estimate_of(floor),
                              h = estimate_of(handler);
        const double hw =
            sqrt(pow((t.hi - t.lo) / 2, 2) + pow((f.hi - f.lo) / 2, 2) + pow((h.hi - h.lo) / 2, 2));
        const double rest = t.value - f.value - h.value;
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "workload", str_field(c, "workload"));
        cJSON_AddStringToObject(l, "sampler", str_field(c, "sampler"));
        cJSON_AddStringToObject(l, "unwinder", u);
        cJSON_AddNumberToObject(l, "rate", num(cJSON_GetObjectItem(c, "rate")));
        cJSON_AddItemToObject(l, "total_us", estimate_obj(t, 1, 0, NULL));
        cJSON_AddItemToObject(l, "platform_us", estimate_obj(f, 1, 0, NULL));
        cJSON_AddItemToObject(l, "handler_us", estimate_obj(h, 1, 0, NULL));
        cJSON_AddItemToObject(
            l, "rest_us", estimate_obj((struct estimate){rest, rest - hw, rest + hw}, 1, 0, NULL));
        cJSON_AddItemToArray(out, l);
    }
    return out;
}

cJSON *bench_pairs_dose(cJSON *configs)
{
    cJSON *out = cJSON_CreateArray();
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        if (!get(c, "paired", "cost_per_sample_us", NULL))
            continue;
        bool first = true; /* one entry per workload x sampler x unwinder */
        for (cJSON *e = configs->child; e != c; e = e->next)
            if (same_row(c, e, true, false) && get(e, "paired", "cost_per_sample_us", NULL))
                first = false;
        if (!first)
            continue;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "workload", str_field(c, "workload"));
        cJSON_AddStringToObject(d, "sampler", str_field(c, "sampler"));
        cJSON_AddStringToObject(d, "unwinder", str_field(c, "unwinder"));
        cJSON *points = cJSON_AddArrayToObject(d, "points");
        struct estimate costs[64];
        double rates[64];
        size_t n = 0;
        for (cJSON *e = c; e; e = e->next) {
            cJSON *cost = get(e, "paired", "cost_per_sample_us", NULL);
            if (!cost || !same_row(c, e, true, false))
                continue;
            const double rate = num(cJSON_GetObjectItem(e, "rate")),
                         got = num(cJSON_GetObjectItem(e, "achieved_hz_median"));
            const bool achieved = isfinite(got) && got >= BENCH_ACHIEVED_FRACTION * rate;
            const bool resolved = cJSON_IsTrue(get(e, "paired", "resolved", NULL));
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "rate", rate);
            cJSON_AddNumberToObject(p, "achieved_hz", got);
            cJSON_AddBoolToObject(p, "achieved", achieved);
            cJSON_AddBoolToObject(p, "resolved", resolved);
            cJSON_AddItemToObject(p, "cost_us", cJSON_Duplicate(cost, true));
            cJSON_AddStringToObject(p, "cost_text",
                                    str_field(get(e, "paired", NULL, NULL), "cost_text"));
            cJSON_AddItemToArray(points, p);
            if (achieved && resolved && n < 64) {
                rates[n] = rate;
                costs[n++] = estimate_of(cost);
            }
        }
        /* Non-linear: two achieved rates whose cost per sample differs beyond both
         * intervals (a constant cost per sample would make overhead linear in rate). */
        bool nonlinear = false;
        char note[160] = "";
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n; k++)
                if (costs[i].lo > costs[k].hi && !nonlinear) {
                    nonlinear = true;
                    snprintf(note, sizeof note,
                             "cost per sample %.1f us at %.0f Hz vs %.1f us at %.0f Hz: not one "
                             "straight line",
                             costs[i].value, rates[i], costs[k].value, rates[k]);
                }
        cJSON_AddBoolToObject(d, "nonlinear", nonlinear);
        if (nonlinear)
            cJSON_AddStringToObject(d, "note", note);
        cJSON_AddItemToArray(out, d);
    }
    return out;
}

/* Adds the machine field k to out when a and b differ in it (numbers or strings). */
static void machine_diff(cJSON *out, cJSON *ma, cJSON *mb, const char *k, const char *label)
{
    char *ta = cJSON_PrintUnformatted(cJSON_GetObjectItem(ma, k)),
         *tb = cJSON_PrintUnformatted(cJSON_GetObjectItem(mb, k));
    if (ta && tb && strcmp(ta, tb) != 0) {
        char line[512];
        snprintf(line, sizeof line, "%s: %.200s vs %.200s", label, ta, tb);
        cJSON_AddItemToArray(out, cJSON_CreateString(line));
    }
    free(ta);
    free(tb);
}

static void compare_one(cJSON *figs, const char *name, cJSON *ea, cJSON *eb)
{
    const struct estimate a = estimate_of(ea), b = estimate_of(eb);
    if (!isfinite(a.value) || !isfinite(b.value))
        return;
    const double hw = sqrt(pow((a.hi - a.lo) / 2, 2) + pow((b.hi - b.lo) / 2, 2)),
                 d = b.value - a.value;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "figure", name);
    cJSON_AddItemToObject(f, "a", estimate_obj(a, 1, 0, NULL));
    cJSON_AddItemToObject(f, "b", estimate_obj(b, 1, 0, NULL));
    cJSON_AddItemToObject(f, "diff",
                          estimate_obj((struct estimate){d, d - hw, d + hw}, 1, 0, NULL));
    cJSON_AddNumberToObject(f, "rel_diff", a.value != 0 ? d / fabs(a.value) : NAN);
    cJSON_AddBoolToObject(f, "agree", isfinite(hw) && fabs(d) <= hw);
    cJSON_AddItemToArray(figs, f);
}

cJSON *bench_compare(cJSON *a, cJSON *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *md = cJSON_AddArrayToObject(o, "machine_differences");
    cJSON *ma = cJSON_GetObjectItem(a, "machine"), *mb = cJSON_GetObjectItem(b, "machine");
    machine_diff(md, ma, mb, "cpu_model", "CPU");
    machine_diff(md, ma, mb, "cores_online", "cores");
    machine_diff(md, ma, mb, "caches_bytes", "caches");
    machine_diff(md, ma, mb, "kernel", "kernel");
    machine_diff(md, ma, mb, "config_hz", "CONFIG_HZ");
    cJSON *figs = cJSON_AddArrayToObject(o, "figures");
    cJSON *ca = get(a, "summary", "configs", NULL), *cb = get(b, "summary", "configs", NULL);
    for (cJSON *x = ca ? ca->child : NULL; x; x = x->next) {
        cJSON *px = cJSON_GetObjectItem(x, "paired");
        if (!px)
            continue;
        for (cJSON *y = cb ? cb->child : NULL; y; y = y->next) {
            cJSON *py = cJSON_GetObjectItem(y, "paired");
            if (!py || !same_row(x, y, true, true))
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s %s/%s %.0f Hz", str_field(x, "workload"),
                     str_field(x, "sampler"), str_field(x, "unwinder"),
                     num(cJSON_GetObjectItem(x, "rate")));
            char n1[300], n2[300];
            snprintf(n1, sizeof n1, "%s: CPU overhead %%", name);
            snprintf(n2, sizeof n2, "%s: µs per sample", name);
            compare_one(figs, n1, cJSON_GetObjectItem(px, "cpu_overhead"),
                        cJSON_GetObjectItem(py, "cpu_overhead"));
            compare_one(figs, n2, cJSON_GetObjectItem(px, "cost_per_sample_us"),
                        cJSON_GetObjectItem(py, "cost_per_sample_us"));
        }
    }
    cJSON *aa = get(a, "summary", "aa", NULL), *ab = get(b, "summary", "aa", NULL);
    for (cJSON *x = aa ? aa->child : NULL; x; x = x->next)
        for (cJSON *y = ab ? ab->child : NULL; y; y = y->next)
            if (str_field(x, "workload") && str_field(y, "workload") &&
                !strcmp(str_field(x, "workload"), str_field(y, "workload"))) {
                char n[300];
                snprintf(n, sizeof n, "%s: A/A CPU ratio", str_field(x, "workload"));
                compare_one(figs, n, cJSON_GetObjectItem(x, "cpu_ratio"),
                            cJSON_GetObjectItem(y, "cpu_ratio"));
            }
    int agree = 0, total = 0;
    for (cJSON *f = figs->child; f; f = f->next, total++)
        agree += cJSON_IsTrue(cJSON_GetObjectItem(f, "agree"));
    cJSON_AddNumberToObject(o, "agree", agree);
    cJSON_AddNumberToObject(o, "total", total);
    return o;
}
