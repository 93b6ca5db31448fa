/*
 * cmd_score.c — `hzprof score PROFILE RESULT.json [--kind cpu|wall]`: scores a profile of
 * a `truth` workload run against the truth that run measured (result.truth in its JSON),
 * printing each function's true and profiled share and the attribution error, and, when
 * the truth names syscall sites (truth --case syscalls), the skid at system calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "profile_input.h"
#include "score.h"
#include "text_file.h"

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"kind", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *kind = "cpu";
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            printf("usage: hzprof score PROFILE RESULT.json [--kind cpu|wall]\n\n"
                   "Scores a profile of a `truth` workload run against the truth in that\n"
                   "run's JSON output (result.truth.KIND; default cpu, wall for the wall\n"
                   "sampler): per-function shares and the attribution error in points;\n"
                   "when the truth names syscall sites (result.truth.syscall_sites), also the\n"
                   "skid: the profile's share of samples at them minus the true share.\n");
            return 0;
        case 'k': kind = optarg; break;
        default:
            fprintf(stderr, "hzprof score: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return 2;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "hzprof score: expected PROFILE and RESULT.json; see --help\n");
        return 2;
    }
    if (argc - optind > 2) {
        fprintf(stderr, "hzprof score: unexpected argument '%s'\n", argv[optind + 2]);
        return 2;
    }
    const char *profile = argv[optind], *result = argv[optind + 1];
    size_t len = 0;
    char *text = read_file(result, &len);
    if (!text) {
        fprintf(stderr, "hzprof score: cannot read '%s': %s\n", result, strerror(errno));
        return 1;
    }
    struct truth truth;
    char err[512];
    int rc = truth_parse(text, len, kind, result, &truth, err, sizeof err);
    free(text);
    if (rc != 0) {
        fprintf(stderr, "hzprof score: %s\n", err);
        return 1;
    }
    struct pp_profile p;
    if (profile_load(profile, &p, err, sizeof err) != 0) {
        fprintf(stderr, "hzprof score: %s\n", err);
        truth_free(&truth);
        return 1;
    }
    double error = score_attribution(&p, 0, truth.shares, truth.n);
    printf("%-24s %8s %8s %8s\n", "function", "truth%", "profile%", "diff");
    for (size_t i = 0; i < truth.n; i++) {
        const struct truth_share *t = &truth.shares[i];
        printf("%-24s %8.2f %8.2f %+8.2f\n", t->function, t->percent, t->profile_pct,
               t->profile_pct - t->percent);
    }
    printf("attribution error: %.2f points\n", error);
    if (truth.nsites) {
        struct skid_score k;
        if (score_skid(&p, 0, truth.shares, truth.n, (const char *const *)truth.sites, truth.nsites,
                       &k) != 0) {
            fprintf(stderr, "hzprof score: out of memory\n");
            truth_free(&truth);
            profile_free(&p);
            return 1;
        }
        printf("skid at system calls: %+.2f points (%.2f%% of samples at syscall sites, %.2f%% "
               "true)\n",
               k.skid_pts, k.profile_pct, k.truth_pct);
    }
    truth_free(&truth);
    profile_free(&p);
    return 0;
}
