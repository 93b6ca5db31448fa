/* summary_md.c — summary.md from a results.json (see summary_md.h). */
#include "summary_md.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench_summary.h"
#include "json_path.h"

void summary_md_names(FILE *f, cJSON *row, const char *none)
{
    const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(row, "workload")),
               *s = cJSON_GetStringValue(cJSON_GetObjectItem(row, "sampler")),
               *u = cJSON_GetStringValue(cJSON_GetObjectItem(row, "unwinder"));
    fprintf(f, "| %s | %s | %s |", w ? w : "?", s ? s : "off", u ? u : none);
}

/* An estimate as estimate_text writes it, marked *≈0* when its interval includes zero. */
static void estimate_cell(char *buf, size_t n, cJSON *e, const char *fmt)
{
    estimate_text(buf, n, e, fmt, NULL);
    if (cJSON_IsTrue(cJSON_GetObjectItem(e, "ci_includes_zero")))
        strncat(buf, " *≈0*", n - strlen(buf) - 1);
}

/* A number field printed with fmt, or "-" where it is missing (null). */
static void number_cell(char *buf, size_t n, cJSON *row, const char *k, const char *fmt)
{
    const double v = num(cJSON_GetObjectItem(row, k));
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        snprintf(buf, n, "-");
}

/* Where a sample's time goes, and cost per sample by rate (bench_pairs.h). */
static void write_layers(FILE *f, cJSON *summary)
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
            summary_md_names(f, l, "-");
            fprintf(f, " %.0f | %s | %s | %s | %s |\n", num(cJSON_GetObjectItem(l, "rate")), t, p,
                    h, r);
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
            const char *ct = cJSON_GetStringValue(cJSON_GetObjectItem(p, "cost_text"));
            len += (size_t)snprintf(
                cells + len, sizeof cells - len, "%s%.0f Hz: %s%s", len ? "; " : "",
                num(cJSON_GetObjectItem(p, "rate")), ct ? ct : "-",
                cJSON_IsTrue(cJSON_GetObjectItem(p, "achieved")) ? "" : " (not achieved)");
        }
        const char *note = cJSON_GetStringValue(cJSON_GetObjectItem(d, "note"));
        summary_md_names(f, d, "-");
        fprintf(f, " %s | %s |\n", cells,
                cJSON_IsTrue(cJSON_GetObjectItem(d, "nonlinear")) && note
                    ? note
                    : "no difference resolved");
    }
    fputs("\n", f);
}

/* The precision targets: how many met, and each that did not. */
static void write_precision(FILE *f, cJSON *precision)
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
static void write_paired(FILE *f, cJSON *results)
{
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    cJSON *aa = cJSON_GetObjectItem(summary, "aa");
    cJSON *cpu = get(summary, "pinning", "workload_cpu", NULL);
    if (cJSON_IsNumber(cpu))
        fprintf(f, "Workload pinned to CPU %.0f, the harness on the other CPUs. ", num(cpu));
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
                    cJSON_GetStringValue(cJSON_GetObjectItem(a, "workload")),
                    num(cJSON_GetObjectItem(a, "pairs")), ratio,
                    num(cJSON_GetObjectItem(a, "mde_pct")),
                    num(cJSON_GetObjectItem(a, "trial_seconds_median")));
        }
        fputs("\n", f);
    }
    write_precision(f, cJSON_GetObjectItem(summary, "precision"));
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
        const char *cost_text = cJSON_GetStringValue(cJSON_GetObjectItem(p, "cost_text"));
        if (cost_text)
            snprintf(cost, sizeof cost, "%s", cost_text);
        if (cJSON_GetObjectItem(p, "handler_us_per_sample"))
            estimate_text(handler, sizeof handler, cJSON_GetObjectItem(p, "handler_us_per_sample"),
                          "%.2f", NULL);
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "achieved_hz_median")))
            snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        const bool ok = cJSON_IsTrue(cJSON_GetObjectItem(p, "resolved"));
        rows++;
        resolved += ok;
        summary_md_names(f, c, "-");
        fprintf(f, " %.0f | %s | %.0f | %s%s%s | %s | %s | %s |\n",
                num(cJSON_GetObjectItem(c, "rate")), hz, num(cJSON_GetObjectItem(p, "pairs")),
                ok ? "**" : "*", cJSON_GetStringValue(cJSON_GetObjectItem(p, "text")),
                ok ? "**" : "*", thr, cost, handler);
    }
    fprintf(f,
            "\n%zu of %zu overheads resolved (bold); the rest (italic, *< X*) are within the "
            "noise floor or their interval.\n\n",
            resolved, rows);
    write_layers(f, summary);
}

/* Sampling bias (bench_bias.h): nothing when the run had no truth workload. */
static void write_bias(FILE *f, cJSON *bias)
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
        char err[64], skid[64], ratio[16];
        estimate_text(err, sizeof err, cJSON_GetObjectItem(r, "attribution_error_pts"), "%.1f",
                      "-");
        estimate_text(skid, sizeof skid, cJSON_GetObjectItem(r, "skid_pts"), "%.1f", "-");
        number_cell(ratio, sizeof ratio, r, "period_over_interval", "%.2f");
        summary_md_names(f, r, "-");
        fprintf(f, " %.0f | %s | %.0f | %s | %s | %s | %.0f | %.0f |\n",
                num(cJSON_GetObjectItem(r, "rate")),
                cJSON_GetStringValue(cJSON_GetObjectItem(r, "case")),
                num(cJSON_GetObjectItem(r, "busy")), ratio, err, skid,
                num(cJSON_GetObjectItem(r, "achieved_hz_median")),
                num(cJSON_GetObjectItem(r, "n")));
    }
    fprintf(f, "\n");
}

/* Budget mode (bench_budget.h): nothing when the run had no budgets. */
static void write_budget(FILE *f, cJSON *summary)
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
        char chosen[300], achieved[32], cost[32], predicted[32], measured[128] = "-", pairs[16];
        number_cell(chosen, sizeof chosen, r, "chosen_rate_hz", "%.0f");
        number_cell(achieved, sizeof achieved, r, "achieved_hz", "%.0f");
        number_cell(cost, sizeof cost, r, "cost_us_per_sample", "%.1f");
        number_cell(predicted, sizeof predicted, r, "predicted_overhead_pct", "%.2f");
        const char *un = cJSON_GetStringValue(cJSON_GetObjectItem(r, "unavailable")),
                   *failed = cJSON_GetStringValue(cJSON_GetObjectItem(r, "failed"));
        if (num(cJSON_GetObjectItem(r, "n")) == 0 && (un || failed))
            snprintf(chosen, sizeof chosen, "%s: %.200s", un ? "unavailable" : "**failed**",
                     un ? un : failed);
        cJSON *p = cJSON_GetObjectItem(r, "paired");
        cJSON *ov = cJSON_GetObjectItem(p, "cpu_overhead");
        if (isfinite(num(cJSON_GetObjectItem(ov, "value")))) {
            const char *mark = cJSON_IsTrue(cJSON_GetObjectItem(p, "resolved")) ? "" : "*";
            char text[96];
            estimate_text(text, sizeof text, ov, "%.2f", NULL);
            snprintf(measured, sizeof measured, "%s%s%s", mark, text, mark);
        }
        number_cell(pairs, sizeof pairs, p, "pairs", "%.0f"); /* "-" with no pairs */
        const char *verdict = cJSON_GetStringValue(cJSON_GetObjectItem(r, "verdict"));
        summary_md_names(f, r, "-");
        fprintf(f, " %g | %s | %s | %s | %s | %s | %s | %s%s |\n",
                num(cJSON_GetObjectItem(r, "max_overhead_pct")), chosen, achieved, cost, predicted,
                measured, pairs, verdict ? verdict : "-",
                cJSON_IsTrue(cJSON_GetObjectItem(r, "over_budget")) ? ", **over budget**" : "");
    }
    fputs("\n", f);
}

/* The heading: when, on what machine, with what build; what could not be measured. */
static void list_failed(const char *line, void *f)
{
    fprintf(f, "- %s\n", line);
}

static void write_heading(FILE *f, cJSON *results)
{
    cJSON *m = cJSON_GetObjectItem(results, "machine"), *b = cJSON_GetObjectItem(results, "build");
    fprintf(f, "# hzprof bench: %s\n\n",
            cJSON_GetStringValue(cJSON_GetObjectItem(results, "created")));
    char hz[32] = "unknown";
    if (cJSON_IsNumber(cJSON_GetObjectItem(m, "config_hz")))
        snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(m, "config_hz")));
    const char *cpu = cJSON_GetStringValue(cJSON_GetObjectItem(m, "cpu_model")),
               *kernel = cJSON_GetStringValue(cJSON_GetObjectItem(m, "kernel"));
    fprintf(
        f,
        "Machine: %s, %s, %.0f cores, Linux %s, CONFIG_HZ %s. Build: hzprof %s (%s), gcc %s.\n\n",
        cJSON_GetStringValue(cJSON_GetObjectItem(m, "host")), cpu ? cpu : "unknown CPU",
        num(cJSON_GetObjectItem(m, "cores_online")), kernel ? kernel : "?", hz,
        cJSON_GetStringValue(cJSON_GetObjectItem(b, "hzprof_version")),
        cJSON_GetStringValue(cJSON_GetObjectItem(b, "git_commit")),
        cJSON_GetStringValue(cJSON_GetObjectItem(b, "compiler_version")));
    cJSON *un = cJSON_GetObjectItem(results, "counters_unavailable");
    if (cJSON_GetArraySize(un)) {
        fprintf(f, "Counters unavailable:");
        for (cJSON *e = un->child; e; e = e->next)
            fprintf(f, " %s%s", e->string, e->next ? "," : "");
        fprintf(f, " (%s).\n\n", cJSON_GetStringValue(un->child));
    }
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    const size_t nfailed = bench_failed_configs(summary, NULL, NULL);
    if (!nfailed)
        return;
    fprintf(f, "**%zu configuration%s failed** (no successful trial; not in the charts):\n\n",
            nfailed, nfailed == 1 ? "" : "s");
    bench_failed_configs(summary, list_failed, f);
    fputs("\n", f);
}

/* Medians of the measured trials, each configuration against its workload's off runs. */
static void write_unpaired(FILE *f, cJSON *summary)
{
    fprintf(f, "## Unpaired medians\n\nMedians of the measured trials with 95%% bootstrap "
               "intervals. Overhead = 1 - "
               "throughput on / throughput off; *≈0* marks an interval that includes zero.\n\n");
    fprintf(f, "| workload | sampler | unwinder | Hz asked | Hz achieved | n | throughput | "
               "overhead %% | handler ns/sample | lost | truth error pts |\n");
    fprintf(f, "|---|---|---|---:|---:|---:|---|---|---:|---:|---:|\n");
    for (cJSON *c = cJSON_GetObjectItem(summary, "configs")->child; c; c = c->next) {
        char thr[300] = "-", ov[128] = "-", hz[32] = "-", h[32] = "-", lost[32] = "-",
             err[32] = "-";
        if (cJSON_GetObjectItem(c, "throughput"))
            estimate_text(thr, sizeof thr, cJSON_GetObjectItem(c, "throughput"), "%.4g", NULL);
        if (cJSON_GetObjectItem(c, "overhead"))
            estimate_cell(ov, sizeof ov, cJSON_GetObjectItem(c, "overhead"), "%.2f");
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "achieved_hz_median")))
            snprintf(hz, sizeof hz, "%.0f", num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        if (isfinite(num(get(c, "handler_ns_per_sample", "median", NULL))))
            snprintf(h, sizeof h, "%.0f", num(get(c, "handler_ns_per_sample", "median", NULL)));
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "lost_samples_total")))
            snprintf(lost, sizeof lost, "%.0f", num(cJSON_GetObjectItem(c, "lost_samples_total")));
        if (cJSON_IsNumber(cJSON_GetObjectItem(c, "attribution_error_pts_median")))
            snprintf(err, sizeof err, "%.2f",
                     num(cJSON_GetObjectItem(c, "attribution_error_pts_median")));
        const char *unavailable = cJSON_GetStringValue(cJSON_GetObjectItem(c, "unavailable"));
        if (unavailable && num(cJSON_GetObjectItem(c, "n")) == 0)
            snprintf(thr, sizeof thr, "unavailable: %.100s", unavailable);
        else if (bench_config_all_failed(c))
            snprintf(thr, sizeof thr, "**failed** (%.0f trials): %.240s",
                     num(cJSON_GetObjectItem(c, "failed_trials")),
                     cJSON_GetStringValue(cJSON_GetObjectItem(c, "failed")));
        char asked[32] = "off"; /* rate 0: off, or a baseline's twin with profiling off */
        if (num(cJSON_GetObjectItem(c, "rate")) > 0)
            snprintf(asked, sizeof asked, "%.0f", num(cJSON_GetObjectItem(c, "rate")));
        summary_md_names(f, c, "-");
        fprintf(f, " %s | %s | %.0f | %s | %s | %s | %s | %s |\n", asked, hz,
                num(cJSON_GetObjectItem(c, "n")), thr, ov, h, lost, err);
    }
}

/* Cost per sample: the slopes (bench_summary.c's cost_per_sample). */
static void write_cost(FILE *f, cJSON *summary)
{
    fprintf(f, "\n## Cost per sample\n\nSlope of CPU time against samples taken, across the "
               "rates and the off runs, in µs of CPU per sample: on the workload's measured "
               "region for our samplers and the process tree for baselines, and on the "
               "process tree for all (like with like).\n\n"
               "| workload | sampler | unwinder | µs per sample | µs, process tree | points |\n"
               "|---|---|---|---|---|---:|\n");
    for (cJSON *c = cJSON_GetObjectItem(summary, "cost_per_sample")->child; c; c = c->next) {
        char us[128], tree[128] = "-";
        estimate_cell(us, sizeof us, cJSON_GetObjectItem(c, "cost_per_sample"), "%.2f");
        if (cJSON_GetObjectItem(c, "cost_per_sample_process_tree"))
            estimate_cell(tree, sizeof tree, cJSON_GetObjectItem(c, "cost_per_sample_process_tree"),
                          "%.2f");
        summary_md_names(f, c, "-");
        fprintf(f, " %s | %s | %.0f |\n", us, tree, num(cJSON_GetObjectItem(c, "points")));
    }
}

int summary_md_write(FILE *f, cJSON *results)
{
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    write_heading(f, results);
    write_paired(f, results);
    write_bias(f, cJSON_GetObjectItem(summary, "bias"));
    write_budget(f, summary);
    write_unpaired(f, summary);
    write_cost(f, summary);
    return ferror(f) ? -1 : 0;
}
