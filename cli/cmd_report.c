/*
 * cmd_report.c — `hzprof report DIR|results.json ...`: bench results side by side.
 *
 * Each argument is a results directory (or its results.json), typically one per machine;
 * runs are matched by configuration (workload, sampler, unwinder, rate), so studies grow
 * by running `hzprof bench` on more machines and reporting them together, with no
 * coordinator. With two runs, a row whose 95% intervals do not overlap is flagged.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_pairs.h"
#include "bench_summary.h"
#include "commands.h"
#include "html_report.h"
#include "json_path.h"
#include "json_fields.h"
#include "paper_data.h"
#include "results_load.h"
#include "text_file.h"

#define MAX_RUNS 16

static cJSON *load_results(const char *arg)
{
    char path[4096], err[1024];
    cJSON *doc = results_load(arg, path, sizeof path, err, sizeof err);
    if (!doc)
        fprintf(stderr, "hzprof report: %s\n", err);
    return doc;
}

/* A string field as the tables print it: "off" where absent (a configuration without
 * profiling has no sampler or unwinder). */
static const char *str(cJSON *o, const char *k)
{
    const char *s = field_str(o, k);
    return s ? s : "off";
}

static bool same_row(cJSON *a, cJSON *b, bool with_rate)
{
    return strcmp(str(a, "workload"), str(b, "workload")) == 0 &&
           strcmp(str(a, "sampler"), str(b, "sampler")) == 0 &&
           strcmp(str(a, "unwinder"), str(b, "unwinder")) == 0 &&
           (!with_rate || field_num(a, "rate") == field_num(b, "rate"));
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
    return a && b && !isnan(field_num(a, "lo")) && !isnan(field_num(b, "lo")) &&
           (field_num(a, "hi") < field_num(b, "lo") || field_num(b, "hi") < field_num(a, "lo"));
}

static const char *const *run_names; /* column headers: the arguments as given */

static void table(cJSON **runs, int nruns, const char *list, const char *field, bool with_rate,
                  const char *fmt, const char *title)
{
    printf("\n## %s\n\n| workload | sampler | unwinder |%s", title, with_rate ? " Hz |" : "");
    for (int i = 0; i < nruns; i++)
        printf(" %s |", run_names[i]);
    printf("%s\n|---|---|---|%s", nruns == 2 ? " differ |" : "", with_rate ? "---:|" : "");
    for (int i = 0; i < nruns; i++)
        printf("---|");
    printf("%s\n", nruns == 2 ? "---|" : "");
    /* Rows: the union over runs, in the order of first appearance. */
    cJSON *seen = cJSON_CreateArray();
    for (int i = 0; i < nruns; i++) {
        cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(runs[i], "summary"), list);
        for (cJSON *r = rows ? rows->child : NULL; r; r = r->next) {
            if (!cJSON_GetObjectItem(r, field) || find_row(seen, r, with_rate))
                continue;
            cJSON_AddItemReferenceToArray(seen, r);
            printf("| %s | %s | %s |", str(r, "workload"), str(r, "sampler"), str(r, "unwinder"));
            if (with_rate)
                printf(" %.0f |", field_num(r, "rate"));
            cJSON *cells[MAX_RUNS] = {0};
            for (int k = 0; k < nruns; k++) {
                cJSON *other =
                    find_row(cJSON_GetObjectItem(cJSON_GetObjectItem(runs[k], "summary"), list), r,
                             with_rate);
                cells[k] = other ? cJSON_GetObjectItem(other, field) : NULL;
                char buf[128];
                cell(buf, sizeof buf, cells[k], fmt);
                printf(" %s |", buf);
            }
            if (nruns == 2)
                printf(" %s |", disjoint(cells[0], cells[1]) ? "**yes**" : "");
            printf("\n");
        }
    }
    cJSON_Delete(seen);
}

/* Two runs: does each figure they share reproduce? (bench_compare) */
static void print_comparison(cJSON *a, cJSON *b, const char *name_a, const char *name_b)
{
    cJSON *cmp = bench_compare(a, b);
    const int agree = (int)field_num(cmp, "agree"), total = (int)field_num(cmp, "total");
    printf("\n## Reproducibility: %d of %d figures agree\n\n", agree, total);
    printf("A = %s, B = %s. A figure agrees when the 95%% interval of B - A (both runs' "
           "half-widths combined) includes zero.\n\n",
           name_a, name_b);
    cJSON *md = cJSON_GetObjectItem(cmp, "machine_differences");
    if (cJSON_GetArraySize(md)) {
        printf("**The machines differ** — read differences as the machines', not only "
               "noise:\n\n");
        for (cJSON *d = md->child; d; d = d->next)
            printf("- %s\n", d->valuestring);
        printf("\n");
    } else {
        printf("Same machine class (CPU, cores, caches, kernel, CONFIG_HZ).\n\n");
    }
    if (total) {
        printf("| figure | A | B | B - A | B / A - 1 | |\n|---|---|---|---|---:|---|\n");
        for (cJSON *f = cJSON_GetObjectItem(cmp, "figures")->child; f; f = f->next) {
            char ca[128], cb[128], cd[128];
            cell(ca, sizeof ca, cJSON_GetObjectItem(f, "a"), "%.2f");
            cell(cb, sizeof cb, cJSON_GetObjectItem(f, "b"), "%.2f");
            cell(cd, sizeof cd, cJSON_GetObjectItem(f, "diff"), "%.2f");
            printf("| %s | %s | %s | %s | %+.1f%% | %s |\n", str(f, "figure"), ca, cb, cd,
                   100 * field_num(f, "rel_diff"),
                   cJSON_IsTrue(cJSON_GetObjectItem(f, "agree")) ? "agree" : "**differ**");
        }
    } else {
        printf("No paired figures in common (a run from before paired trials?).\n");
    }
    cJSON_Delete(cmp);
}

static void report_usage(void)
{
    printf("usage: hzprof report DIR|results.json [DIR ...] [--format md|html|latex] [-f]\n"
           "       hzprof report DIR --format latex -o OUT\n\n"
           "md (default): with one run its summary tables; with several, one column per\n"
           "run (machine) of cost per sample and overhead with 95%% intervals, rows whose\n"
           "intervals do not overlap flagged (two runs). html: DIR/index.html with the\n"
           "charts, the tables and a flame graph per sampler, all offline (one run).\n"
           "latex: the cost and overhead tables (one run). With -o OUT: what the paper\n"
           "shows, in OUT: numbers.tex (every number as \\hzv{KEY}), table-*.tex and\n"
           "plots/ (with PDFs); OUT must be new, empty, or written by this before.\n"
           "html refuses to replace an existing DIR/index.html unless -f.\n");
}

/* Every report goes to stdout, whole or as a path: a write that failed there (a full disk
 * behind a redirection) is an error, not a report cut short. failed: a writer saw one.
 * Returns the exit status. */
static int stdout_status(bool failed)
{
    int e = EIO; /* an earlier write failed, and its errno is gone */
    if (fflush(stdout) != 0)
        failed = true, e = errno;
    if (!failed && !ferror(stdout))
        return 0;
    fprintf(stderr, "hzprof report: cannot write to stdout: %s\n", strerror(e));
    return 1;
}

/* One run, in any format. */
static int report_one(const char *arg, const char *format, const char *out_dir, bool force)
{
    cJSON *r = load_results(arg);
    if (!r)
        return 1;
    int rc = 0;
    struct stat st;
    char err[1024];
    if (strcmp(format, "md") == 0) {
        bench_write_markdown(stdout, r);
    } else if (strcmp(format, "latex") == 0 && out_dir) {
        if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "hzprof report: -o needs the results directory\n");
            rc = 2;
        } else if (paper_data_write(r, arg, out_dir, err, sizeof err) != 0) {
            fprintf(stderr, "hzprof report: %s\n", err);
            rc = 1;
        } else {
            printf("%s/numbers.tex\n", out_dir);
        }
    } else if (strcmp(format, "latex") == 0) {
        rc = latex_report_write(r, stdout) != 0 ? stdout_status(true) : 0;
    } else {
        char index[4096];
        snprintf(index, sizeof index, "%s/index.html", arg);
        if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "hzprof report: --format html needs the results directory\n");
            rc = 2;
        } else if (!force && access(index, F_OK) == 0) {
            /* One rule for every writer (flame, cost): nothing replaced unasked. */
            fprintf(stderr, "hzprof report: '%s' exists; use -f to replace it (and plots/)\n",
                    index);
            rc = 1;
        } else if (html_report_write(r, arg, err, sizeof err) != 0) {
            fprintf(stderr, "hzprof report: %s\n", err);
            rc = 1;
        } else {
            printf("%s/index.html\n", arg);
        }
    }
    cJSON_Delete(r);
    return rc;
}

/* Several runs side by side (md): names[0..nruns-1] as given. */
static int report_many(char **names, int nruns)
{
    cJSON *runs[MAX_RUNS];
    for (int i = 0; i < nruns; i++) {
        if (!(runs[i] = load_results(names[i]))) {
            while (i)
                cJSON_Delete(runs[--i]);
            return 1;
        }
    }
    printf("# hzprof report\n\n| run | host | CPU | cores | kernel | commit | created |\n"
           "|---|---|---|---:|---|---|---|\n");
    for (int i = 0; i < nruns; i++) {
        cJSON *m = cJSON_GetObjectItem(runs[i], "machine"),
              *b = cJSON_GetObjectItem(runs[i], "build");
        printf("| %s | %s | %s | %.0f | %s | %s | %s |\n", names[i], str(m, "host"),
               str(m, "cpu_model"), field_num(m, "cores_online"), str(m, "kernel"),
               str(b, "git_commit"), str(runs[i], "created"));
    }
    run_names = (const char *const *)names;
    if (nruns == 2)
        print_comparison(runs[0], runs[1], names[0], names[1]);
    table(runs, nruns, "cost_per_sample", "cost_per_sample", false, "%.2f",
          "Cost per sample (µs of CPU)");
    table(runs, nruns, "configs", "overhead", true, "%.2f", "Overhead (%)");
    bool header = false; /* never silent: configurations with no successful trial */
    for (int i = 0; i < nruns; i++) {
        cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(runs[i], "summary"), "configs");
        for (cJSON *c = rows ? rows->child : NULL; c; c = c->next) {
            if (!bench_config_all_failed(c))
                continue;
            if (!header)
                printf("\n## Failed configurations (no successful trial)\n\n");
            header = true;
            char line[512];
            bench_config_failure(c, line, sizeof line);
            printf("- %s: %s\n", names[i], line);
        }
    }
    for (int i = 0; i < nruns; i++)
        cJSON_Delete(runs[i]);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'F'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *format = "md", *out_dir = NULL;
    bool force = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': report_usage(); return 0;
        case 'F':
            format = optarg;
            if (strcmp(format, "md") && strcmp(format, "html") && strcmp(format, "latex")) {
                fprintf(stderr, "hzprof report: --format: '%s' is not md, html or latex\n", format);
                return 2;
            }
            break;
        case 'f': force = true; break;
        case 'o': out_dir = optarg; break;
        default:
            fprintf(stderr, "hzprof report: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return 2;
        }
    }
    /* The runs: what getopt_long left after the options, in their order. */
    char **runs = argv + optind;
    const int nruns = argc - optind;
    if (nruns == 0) {
        fprintf(stderr, "hzprof report: expected a results directory; see --help\n");
        return 2;
    }
    if (nruns > MAX_RUNS) {
        fprintf(stderr, "hzprof report: at most %d runs\n", MAX_RUNS);
        return 2;
    }
    if (out_dir && strcmp(format, "latex") != 0) {
        fprintf(stderr, "hzprof report: -o goes with --format latex\n");
        return 2;
    }
    if (strcmp(format, "md") != 0 && nruns != 1) {
        fprintf(stderr, "hzprof report: --format %s takes one run\n", format);
        return 2;
    }
    const int rc =
        nruns == 1 ? report_one(runs[0], format, out_dir, force) : report_many(runs, nruns);
    return rc == 0 ? stdout_status(false) : rc;
}
