/* compare_md.c — runs side by side (see compare_md.h). */
#include "compare_md.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench_pairs.h"
#include "bench_summary.h"
#include "json_path.h"
#include "summary_md.h"

/* A string field as the tables print it: "off" where absent (a configuration without
 * profiling has no sampler or unwinder). */
static const char *str(cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "off";
}

static bool same_row(cJSON *a, cJSON *b, bool with_rate)
{
    return strcmp(str(a, "workload"), str(b, "workload")) == 0 &&
           strcmp(str(a, "sampler"), str(b, "sampler")) == 0 &&
           strcmp(str(a, "unwinder"), str(b, "unwinder")) == 0 &&
           (!with_rate ||
            num(cJSON_GetObjectItem(a, "rate")) == num(cJSON_GetObjectItem(b, "rate")));
}

static cJSON *find_row(cJSON *list, cJSON *like, bool with_rate)
{
    for (cJSON *r = list ? list->child : NULL; r; r = r->next)
        if (same_row(r, like, with_rate))
            return r;
    return NULL;
}

static void cell(char *buf, size_t n, cJSON *e, const char *fmt)
{
    if (!e)
        snprintf(buf, n, "-");
    else
        estimate_text(buf, n, e, fmt, NULL);
}

static bool disjoint(cJSON *a, cJSON *b)
{
    if (!a || !b)
        return false;
    const double a_lo = num(cJSON_GetObjectItem(a, "lo")), a_hi = num(cJSON_GetObjectItem(a, "hi")),
                 b_lo = num(cJSON_GetObjectItem(b, "lo")), b_hi = num(cJSON_GetObjectItem(b, "hi"));
    return !isnan(a_lo) && !isnan(b_lo) && (a_hi < b_lo || b_hi < a_lo);
}

/* One figure (field of the rows of summary.LIST) with a column per run. */
static void table(FILE *f, cJSON *const *runs, const char *const *names, int nruns,
                  const char *list, const char *field, bool with_rate, const char *fmt,
                  const char *title)
{
    fprintf(f, "\n## %s\n\n| workload | sampler | unwinder |%s", title, with_rate ? " Hz |" : "");
    for (int i = 0; i < nruns; i++)
        fprintf(f, " %s |", names[i]);
    fprintf(f, "%s\n|---|---|---|%s", nruns == 2 ? " differ |" : "", with_rate ? "---:|" : "");
    for (int i = 0; i < nruns; i++)
        fprintf(f, "---|");
    fprintf(f, "%s\n", nruns == 2 ? "---|" : "");
    /* Rows: the union over runs, in the order of first appearance. */
    cJSON *seen = cJSON_CreateArray();
    for (int i = 0; i < nruns; i++) {
        cJSON *rows = get(runs[i], "summary", list, NULL);
        for (cJSON *r = rows ? rows->child : NULL; r; r = r->next) {
            if (!cJSON_GetObjectItem(r, field) || find_row(seen, r, with_rate))
                continue;
            cJSON_AddItemReferenceToArray(seen, r);
            summary_md_names(f, r, "off");
            if (with_rate)
                fprintf(f, " %.0f |", num(cJSON_GetObjectItem(r, "rate")));
            cJSON *cells[COMPARE_MD_MAX_RUNS] = {0};
            for (int k = 0; k < nruns; k++) {
                cJSON *other = find_row(get(runs[k], "summary", list, NULL), r, with_rate);
                cells[k] = other ? cJSON_GetObjectItem(other, field) : NULL;
                char buf[128];
                cell(buf, sizeof buf, cells[k], fmt);
                fprintf(f, " %s |", buf);
            }
            if (nruns == 2)
                fprintf(f, " %s |", disjoint(cells[0], cells[1]) ? "**yes**" : "");
            fprintf(f, "\n");
        }
    }
    cJSON_Delete(seen);
}

/* Two runs: does each figure they share reproduce? (bench_compare) */
static void comparison(FILE *f, cJSON *a, cJSON *b, const char *name_a, const char *name_b)
{
    cJSON *cmp = bench_compare(a, b);
    const int agree = (int)num(cJSON_GetObjectItem(cmp, "agree")),
              total = (int)num(cJSON_GetObjectItem(cmp, "total"));
    fprintf(f, "\n## Reproducibility: %d of %d figures agree\n\n", agree, total);
    fprintf(f,
            "A = %s, B = %s. A figure agrees when the 95%% interval of B - A (both runs' "
            "half-widths combined) includes zero.\n\n",
            name_a, name_b);
    cJSON *md = cJSON_GetObjectItem(cmp, "machine_differences");
    if (cJSON_GetArraySize(md)) {
        fprintf(f, "**The machines differ** — read differences as the machines', not only "
                   "noise:\n\n");
        for (cJSON *d = md->child; d; d = d->next)
            fprintf(f, "- %s\n", cJSON_GetStringValue(d));
        fprintf(f, "\n");
    } else {
        fprintf(f, "Same machine class (CPU, cores, caches, kernel, CONFIG_HZ).\n\n");
    }
    if (total) {
        fprintf(f, "| figure | A | B | B - A | B / A - 1 | |\n|---|---|---|---|---:|---|\n");
        for (cJSON *g = cJSON_GetObjectItem(cmp, "figures")->child; g; g = g->next) {
            char ca[128], cb[128], cd[128];
            cell(ca, sizeof ca, cJSON_GetObjectItem(g, "a"), "%.2f");
            cell(cb, sizeof cb, cJSON_GetObjectItem(g, "b"), "%.2f");
            cell(cd, sizeof cd, cJSON_GetObjectItem(g, "diff"), "%.2f");
            fprintf(f, "| %s | %s | %s | %s | %+.1f%% | %s |\n", str(g, "figure"), ca, cb, cd,
                    100 * num(cJSON_GetObjectItem(g, "rel_diff")),
                    cJSON_IsTrue(cJSON_GetObjectItem(g, "agree")) ? "agree" : "**differ**");
        }
    } else {
        fprintf(f, "No paired figures in common (a run from before paired trials?).\n");
    }
    cJSON_Delete(cmp);
}

int compare_md_write(FILE *f, cJSON *const *runs, const char *const *names, int nruns)
{
    if (nruns > COMPARE_MD_MAX_RUNS)
        nruns = COMPARE_MD_MAX_RUNS;
    fprintf(f, "# hzprof report\n\n| run | host | CPU | cores | kernel | commit | created |\n"
               "|---|---|---|---:|---|---|---|\n");
    for (int i = 0; i < nruns; i++) {
        cJSON *m = cJSON_GetObjectItem(runs[i], "machine"),
              *b = cJSON_GetObjectItem(runs[i], "build");
        fprintf(f, "| %s | %s | %s | %.0f | %s | %s | %s |\n", names[i], str(m, "host"),
                str(m, "cpu_model"), num(cJSON_GetObjectItem(m, "cores_online")), str(m, "kernel"),
                str(b, "git_commit"), str(runs[i], "created"));
    }
    if (nruns == 2)
        comparison(f, runs[0], runs[1], names[0], names[1]);
    table(f, runs, names, nruns, "cost_per_sample", "cost_per_sample", false, "%.2f",
          "Cost per sample (µs of CPU)");
    table(f, runs, names, nruns, "configs", "overhead", true, "%.2f", "Overhead (%)");
    bool header = false; /* never silent: configurations with no successful trial */
    for (int i = 0; i < nruns; i++) {
        cJSON *rows = get(runs[i], "summary", "configs", NULL);
        for (cJSON *c = rows ? rows->child : NULL; c; c = c->next) {
            if (!bench_config_all_failed(c))
                continue;
            if (!header)
                fprintf(f, "\n## Failed configurations (no successful trial)\n\n");
            header = true;
            char line[512];
            bench_config_failure(c, line, sizeof line);
            fprintf(f, "- %s: %s\n", names[i], line);
        }
    }
    return ferror(f) ? -1 : 0;
}
