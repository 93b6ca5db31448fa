/* html_report.c — the HTML and LaTeX reports of a bench run (see html_report.h). */
#define _GNU_SOURCE
#include "html_report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_summary.h"
#include "flame.h"
#include "json_path.h"
#include "markup_escape.h"
#include "plot.h"
#include "profile_input.h"
#include "text_file.h"

/* HTML's special characters (in text and in quoted attributes). */
static const char *const html_special[256] = {
    ['<'] = "&lt;",
    ['>'] = "&gt;",
    ['&'] = "&amp;",
    ['"'] = "&quot;",
};

static void html_escape(FILE *f, const char *s)
{
    markup_escape(f, s, html_special);
}

static void ci_cell(FILE *f, cJSON *e, const char *fmt)
{
    fputs("<td>", f);
    if (!e) {
        fputs("–</td>", f);
        return;
    }
    fprintf(f, fmt, num(cJSON_GetObjectItem(e, "value")));
    if (isfinite(num(cJSON_GetObjectItem(e, "lo")))) {
        fputs(" <small>[", f);
        fprintf(f, fmt, num(cJSON_GetObjectItem(e, "lo")));
        fputs(", ", f);
        fprintf(f, fmt, num(cJSON_GetObjectItem(e, "hi")));
        fputs("]</small>", f);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItem(e, "ci_includes_zero")))
        fputs(" <em title=\"the 95% interval includes zero\">≈0</em>", f);
    fputs("</td>", f);
}

/* A configuration's workload, sampler ("off" when none) and unwinder (`none` when none),
 * escaped, with sep between workload and sampler and sep2 before the unwinder. */
static void config_names(FILE *f, cJSON *c, const char *sep, const char *sep2, const char *none)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(c, "sampler")),
               *u = cJSON_GetStringValue(cJSON_GetObjectItem(c, "unwinder"));
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(c, "workload")));
    fputs(sep, f);
    html_escape(f, s ? s : "off");
    fputs(sep2, f);
    html_escape(f, u ? u : none);
}

/* Draws DIR/profiles/trial-N.svg from trial-N.pb.gz if it is not there yet. Returns 0 (the
 * SVG is there), 1 when the profile cannot be read (the page links another trial), or -1
 * with err when the SVG cannot be written: then no partial SVG is left, which a later run
 * would take for a drawn one. */
static int ensure_flame(const char *dir, const char *profile, char *svg_rel, size_t svg_n,
                        char *err, size_t n)
{
    char pb[8192], svg[8192];
    snprintf(pb, sizeof pb, "%s/%s", dir, profile);
    snprintf(svg_rel, svg_n, "%.*s.svg", (int)(strlen(profile) - strlen(".pb.gz")), profile);
    snprintf(svg, sizeof svg, "%s/%s", dir, svg_rel);
    if (access(svg, F_OK) == 0)
        return 0;
    struct pp_profile p;
    char why[256];
    if (profile_load(pb, &p, why, sizeof why) != 0)
        return 1;
    FILE *f = fopen(svg, "w");
    struct flame_options o;
    flame_options_init(&o);
    o.subtitle = profile;
    int rc = f ? flame_write(&p, &o, f) : -1;
    int e = errno;
    if (f && file_close_checked(f) != 0 && rc == 0)
        rc = -1, e = errno;
    profile_free(&p);
    if (rc != 0) {
        snprintf(err, n, "cannot write '%s': %s", svg, strerror(e));
        if (f)
            unlink(svg);
    }
    return rc;
}

int html_report_write(cJSON *results, const char *dir, char *err, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/plots", dir);
    mkdir(path, 0777);
    static struct plot_list charts; /* large: kept off the stack */
    if (plot_results(results, path, &charts, err, n) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, n, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    cJSON *m = cJSON_GetObjectItem(results, "machine"), *b = cJSON_GetObjectItem(results, "build");
    cJSON *summary = cJSON_GetObjectItem(results, "summary");
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>hzprof report</title><style>body{font-family:sans-serif;margin:2em;"
          "max-width:1200px}table{border-collapse:collapse;font-size:13px}td,th{border:1px "
          "solid #ccc;padding:2px 6px;text-align:right}td:nth-child(-n+3){text-align:left}"
          "img{max-width:100%;border:1px solid #ddd;margin:4px 0}small{color:#666}"
          "em{color:#a00}.failed{color:#a00;text-align:left}</style></head><body>\n<h1>hzprof "
          "report</h1>\n<p>",
          f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(results, "created")));
    fputs(" — ", f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(m, "host")));
    fputs(", ", f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(m, "cpu_model")));
    fprintf(f, ", %.0f cores, Linux ", num(cJSON_GetObjectItem(m, "cores_online")));
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(m, "kernel")));
    if (isfinite(num(cJSON_GetObjectItem(m, "config_hz"))))
        fprintf(f, ", CONFIG_HZ %.0f", num(cJSON_GetObjectItem(m, "config_hz")));
    fputs(". Build: hzprof ", f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(b, "hzprof_version")));
    fputs(" (", f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(b, "git_commit")));
    fputs("), gcc ", f);
    html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(b, "compiler_version")));
    fputs(".</p>\n", f);
    cJSON *un = cJSON_GetObjectItem(results, "counters_unavailable");
    if (cJSON_GetArraySize(un)) {
        fputs("<p>Counters unavailable:", f);
        for (cJSON *e = un->child; e; e = e->next) {
            fputs(" ", f);
            html_escape(f, e->string);
        }
        fputs(" (", f);
        html_escape(f, cJSON_GetStringValue(un->child));
        fputs(").</p>\n", f);
    }

    /* Charts: the ones plot drew, in its order; what they leave out, said first. */
    fputs("<h2>Charts</h2>\n", f);
    cJSON *configs = cJSON_GetObjectItem(summary, "configs");
    size_t nfailed = 0;
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next)
        nfailed += bench_config_all_failed(c);
    if (nfailed) {
        fprintf(f,
                "<p class=\"failed\">Left out of the charts: %zu configuration%s whose "
                "trials all failed:</p>\n<ul>\n",
                nfailed, nfailed == 1 ? "" : "s");
        for (cJSON *c = configs->child; c; c = c->next)
            if (bench_config_all_failed(c)) {
                fputs("<li>", f);
                config_names(f, c, " ", "/", "-");
                fprintf(f, " %.0f Hz: failed: ", num(cJSON_GetObjectItem(c, "rate")));
                html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(c, "failed")));
                fprintf(f, " (%.0f trials)</li>\n", num(cJSON_GetObjectItem(c, "failed_trials")));
            }
        fputs("</ul>\n", f);
    }
    for (size_t i = 0; i < charts.n; i++) {
        fputs("<div><img src=\"plots/", f);
        html_escape(f, charts.names[i]);
        fputs(".svg\" alt=\"", f);
        html_escape(f, charts.names[i]);
        fputs("\"></div>\n", f);
    }

    /* Flame graphs: one profiled trial per sampler. */
    fputs("<h2>Flame graphs</h2>\n<ul>\n", f);
    cJSON *trials = cJSON_GetObjectItem(results, "trials");
    const char *done[32];
    size_t ndone = 0;
    for (cJSON *t = trials ? trials->child : NULL; t; t = t->next) {
        const char *profile = cJSON_GetStringValue(cJSON_GetObjectItem(t, "profile"));
        cJSON *cfg = cJSON_GetObjectItem(t, "config");
        const char *sampler = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "sampler"));
        if (!profile || !sampler)
            continue;
        bool dup = false;
        for (size_t i = 0; i < ndone; i++)
            dup |= strcmp(done[i], sampler) == 0;
        char svg[4096];
        if (dup || ndone == 32)
            continue;
        const int drawn = ensure_flame(dir, profile, svg, sizeof svg, err, n);
        if (drawn < 0) {
            fclose(f);
            unlink(path); /* no page cut short, which would need -f to replace */
            return -1;
        }
        if (drawn > 0)
            continue;
        done[ndone++] = sampler;
        fputs("<li><a href=\"", f);
        html_escape(f, svg);
        fputs("\">", f);
        html_escape(f, sampler);
        fputs("</a>: ", f);
        html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "workload")));
        if (num(cJSON_GetObjectItem(cfg, "max_overhead_pct")) >
            0) /* budget mode: its rate was chosen */
            fprintf(f, ", %s unwinder, budget %g%%</li>\n",
                    cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "unwinder")),
                    num(cJSON_GetObjectItem(cfg, "max_overhead_pct")));
        else
            fprintf(f, ", %s unwinder, %.0f Hz</li>\n",
                    cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "unwinder")),
                    num(cJSON_GetObjectItem(cfg, "rate")));
    }
    fputs("</ul>\n", f);

    /* Tables. */
    fputs("<h2>Cost per sample (µs of CPU, 95% CI)</h2>\n<table><tr><th>workload</th>"
          "<th>sampler</th><th>unwinder</th><th>µs per sample</th><th>points</th></tr>\n",
          f);
    cJSON *costs = cJSON_GetObjectItem(summary, "cost_per_sample");
    for (cJSON *c = costs ? costs->child : NULL; c; c = c->next) {
        fputs("<tr><td>", f);
        config_names(f, c, "</td><td>", "</td><td>", "–");
        fputs("</td>", f);
        ci_cell(f, cJSON_GetObjectItem(c, "cost_per_sample"), "%.2f");
        fprintf(f, "<td>%.0f</td></tr>\n", num(cJSON_GetObjectItem(c, "points")));
    }
    fputs("</table>\n<h2>Configurations</h2>\n<table><tr><th>workload</th><th>sampler</th>"
          "<th>unwinder</th><th>Hz asked</th><th>Hz achieved</th><th>n</th><th>throughput</th>"
          "<th>overhead %</th><th>handler ns</th><th>lost</th><th>truth error pts</th></tr>\n",
          f);
    for (cJSON *c = configs ? configs->child : NULL; c; c = c->next) {
        fputs("<tr><td>", f);
        config_names(f, c, "</td><td>", "</td><td>", "–");
        fprintf(f, "</td><td>%.0f</td>", num(cJSON_GetObjectItem(c, "rate")));
        if (isfinite(num(cJSON_GetObjectItem(c, "achieved_hz_median"))))
            fprintf(f, "<td>%.0f</td>", num(cJSON_GetObjectItem(c, "achieved_hz_median")));
        else
            fputs("<td>–</td>", f);
        fprintf(f, "<td>%.0f</td>", num(cJSON_GetObjectItem(c, "n")));
        if (cJSON_GetStringValue(cJSON_GetObjectItem(c, "unavailable")) &&
            num(cJSON_GetObjectItem(c, "n")) == 0) {
            fputs("<td colspan=\"5\">unavailable: ", f);
            html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(c, "unavailable")));
            fputs("</td></tr>\n", f);
            continue;
        }
        if (bench_config_all_failed(c)) {
            fprintf(f, "<td colspan=\"5\" class=\"failed\">failed (%.0f trials): ",
                    num(cJSON_GetObjectItem(c, "failed_trials")));
            html_escape(f, cJSON_GetStringValue(cJSON_GetObjectItem(c, "failed")));
            fputs("</td></tr>\n", f);
            continue;
        }
        ci_cell(f, cJSON_GetObjectItem(c, "throughput"), "%.4g");
        ci_cell(f, cJSON_GetObjectItem(c, "overhead"), "%.2f");
        cJSON *h = cJSON_GetObjectItem(c, "handler_ns_per_sample");
        if (h && isfinite(num(cJSON_GetObjectItem(h, "median"))))
            fprintf(f, "<td>%.0f</td>", num(cJSON_GetObjectItem(h, "median")));
        else
            fputs("<td>–</td>", f);
        if (isfinite(num(cJSON_GetObjectItem(c, "lost_samples_total"))))
            fprintf(f, "<td>%.0f</td>", num(cJSON_GetObjectItem(c, "lost_samples_total")));
        else
            fputs("<td>–</td>", f);
        if (isfinite(num(cJSON_GetObjectItem(c, "attribution_error_pts_median"))))
            fprintf(f, "<td>%.2f</td></tr>\n",
                    num(cJSON_GetObjectItem(c, "attribution_error_pts_median")));
        else
            fputs("<td>–</td></tr>\n", f);
    }
    fputs("</table>\n<p><a href=\"results.json\">results.json</a> · <a "
          "href=\"summary.md\">summary.md</a> · <a href=\"trials.jsonl\">trials.jsonl</a></p>\n"
          "</body></html>\n",
          f);
    if (file_close_checked(f) != 0) {
        snprintf(err, n, "cannot write '%s': %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}
