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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compare_md.h"
#include "html_report.h"
#include "paper_data.h"
#include "results_load.h"
#include "summary_md.h"

#define MAX_RUNS COMPARE_MD_MAX_RUNS

static cJSON *load_results(const char *arg)
{
    char path[4096], err[1024];
    cJSON *doc = results_load(arg, path, sizeof path, err, sizeof err);
    if (!doc)
        fprintf(stderr, "hzprof report: %s\n", err);
    return doc;
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
        rc = summary_md_write(stdout, r) != 0 ? stdout_status(true) : 0;
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
    const int rc = compare_md_write(stdout, runs, (const char *const *)names, nruns) != 0
                       ? stdout_status(true)
                       : 0;
    for (int i = 0; i < nruns; i++)
        cJSON_Delete(runs[i]);
    return rc;
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
