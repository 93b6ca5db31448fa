/*
 * cmd_score.c — `hzprof score PROFILE RESULT.json [--kind cpu|wall]`: scores a profile of
 * a `truth` workload run against the truth that run measured (result.truth in its JSON),
 * printing each function's true and profiled share and the attribution error.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "profile_input.h"
#include "score.h"
#include "text_file.h"

int cmd_score(int argc, char **argv)
{
    const char *kind = "cpu", *profile = NULL, *result = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: hzprof score PROFILE RESULT.json [--kind cpu|wall]\n\n"
                   "Scores a profile of a `truth` workload run against the truth in that\n"
                   "run's JSON output (result.truth.KIND; default cpu, wall for the wall\n"
                   "sampler): per-function shares and the attribution error in points.\n");
            return 0;
        } else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            kind = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "hzprof score: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        } else if (!profile) {
            profile = argv[i];
        } else if (!result) {
            result = argv[i];
        } else {
            fprintf(stderr, "hzprof score: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!profile || !result) {
        fprintf(stderr, "hzprof score: expected PROFILE and RESULT.json; see --help\n");
        return 2;
    }
    char *text = read_file(result, NULL);
    if (!text) {
        fprintf(stderr, "hzprof score: cannot read '%s'\n", result);
        return 1;
    }
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cJSON *truth =
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "result"), "truth"), kind);
    if (!cJSON_IsObject(truth)) {
        fprintf(stderr, "hzprof score: '%s' has no result.truth.%s (not a truth workload run?)\n",
                result, kind);
        cJSON_Delete(doc);
        return 1;
    }
    struct pp_profile p;
    char err[512];
    if (profile_load(profile, &p, err, sizeof err) != 0) {
        fprintf(stderr, "hzprof score: %s\n", err);
        cJSON_Delete(doc);
        return 1;
    }
    size_t n = (size_t)cJSON_GetArraySize(truth), k = 0;
    struct truth_share *t = calloc(n ? n : 1, sizeof *t);
    for (cJSON *e = truth->child; e; e = e->next)
        if (cJSON_IsNumber(e))
            t[k++] = (struct truth_share){e->string, e->valuedouble, 0};
    double error = score_attribution(&p, 0, t, k);
    printf("%-24s %8s %8s %8s\n", "function", "truth%", "profile%", "diff");
    for (size_t i = 0; i < k; i++)
        printf("%-24s %8.2f %8.2f %+8.2f\n", t[i].function, t[i].percent, t[i].profile_pct,
               t[i].profile_pct - t[i].percent);
    printf("attribution error: %.2f points\n", error);
    free(t);
    profile_free(&p);
    cJSON_Delete(doc);
    return 0;
}
