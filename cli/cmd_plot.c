/*
 * cmd_plot.c — `hzprof plot RESULTS [-o DIR]`: gnuplot charts of a bench run (see
 * viz/plot.h). RESULTS is a results directory or its results.json; DIR defaults to
 * RESULTS_DIR/plots.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "plot.h"
#include "results_load.h"
#include "text_file.h"

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            printf("usage: hzprof plot RESULTS [-o DIR]\n\n"
                   "Charts of an hzprof bench run with gnuplot, as SVG and PNG with their .gp\n"
                   "scripts and .dat files: overhead-WORKLOAD, cost-WORKLOAD, achieved-rate,\n"
                   "truth-error. RESULTS is a results directory or results.json; DIR defaults\n"
                   "to RESULTS/plots.\n");
            return 0;
        case 'o': out = optarg; break;
        default:
            fprintf(stderr, "hzprof plot: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "hzprof plot: expected a results directory or results.json\n");
        return 2;
    }
    if (optind < argc - 1) {
        fprintf(stderr, "hzprof plot: unexpected argument '%s'\n", argv[optind + 1]);
        return 2;
    }
    const char *in = argv[optind];
    char path[4096], dir[4096];
    struct stat st;
    bool is_dir = stat(in, &st) == 0 && S_ISDIR(st.st_mode);
    snprintf(path, sizeof path, is_dir ? "%s/results.json" : "%s", in);
    if (!out) {
        if (is_dir) {
            snprintf(dir, sizeof dir, "%s/plots", in);
        } else {
            const char *slash = strrchr(in, '/');
            snprintf(dir, sizeof dir, "%.*s%splots", slash ? (int)(slash - in) : 0, in,
                     slash ? "/" : "");
        }
        out = dir;
    }
    char err[1024], file[4096];
    cJSON *results = results_load(path, file, sizeof file, err, sizeof err);
    if (!results) {
        fprintf(stderr, "hzprof plot: %s\n", err);
        return 1;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hzprof plot: cannot create '%s': %s\n", out, strerror(errno));
        cJSON_Delete(results);
        return 1;
    }
    int rc = plot_results(results, out, NULL, err, sizeof err);
    cJSON_Delete(results);
    if (rc) {
        fprintf(stderr, "hzprof plot: %s\n", err);
        return 1;
    }
    fprintf(stderr, "hzprof plot: wrote charts in %s/\n", out);
    return 0;
}
