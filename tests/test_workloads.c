/*
 * test_workloads.c — the workloads (workloads/) and the scoring of truth profiles.
 *
 *   test_workloads MATMUL IO TRUTH HZPROF
 *
 * Checks: every workload runs with profiling off and with each sampler and prints one
 * valid JSON object with the required fields and types (perf-cycles where there is no PMU:
 * exit 3 and the error, as documented); hardware counters are null with a reason where
 * there is no PMU, numbers where there is one, and software counters are real; matmul's
 * verification passes for each loop order and fails on the --corrupt hook; io under
 * perf-clock at 10 kHz loses and garbles nothing; score_attribution gives the known error
 * on hand-made profiles; and each truth case, profiled, scores within bounds.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "folded.h"
#include "pprof/pprof_codec.h"
#include "score.h"
#include "support.h"

static const char *matmul_bin, *io_bin, *truth_bin;

/* Runs a command line, returns its stdout parsed as JSON (NULL if not JSON) and status. */
static cJSON *run_json(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char *out = NULL;
    size_t cap = 0, n = 0, got;
    char buf[4096];
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) {
        out = realloc(out, cap = n + got + 1);
        memcpy(out + n, buf, got);
        n += got;
    }
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (!out)
        return NULL;
    out[n] = '\0';
    /* Exactly one JSON object and nothing else on stdout. */
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(out, &end, 0);
    if (doc && end) {
        while (*end == '\n' || *end == ' ')
            end++;
        ck_assert_msg(*end == '\0', "extra output after the JSON object: %.80s", end);
    }
    free(out);
    return doc;
}

static cJSON *path(cJSON *o, const char *a, const char *b)
{
    cJSON *x = cJSON_GetObjectItem(o, a);
    return b ? cJSON_GetObjectItem(x, b) : x;
}

static const char *const counter_names[] = {
    "instructions",    "cycles",     "cache-references", "cache-misses", "L1-dcache-load-misses",
    "LLC-load-misses", "task-clock", "context-switches", "page-faults"};

static void check_common_fields(cJSON *d, const char *workload, bool profiled)
{
    ck_assert(cJSON_IsString(path(d, "schema", NULL)));
    ck_assert_str_eq(path(d, "workload", NULL)->valuestring, workload);
    ck_assert(cJSON_IsObject(path(d, "params", NULL)));
    const char *measured[] = {"wall_seconds", "user_seconds", "system_seconds",
                              "cpu_seconds",  "work",         "throughput"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(cJSON_IsNumber(path(d, "measured", measured[i])), "measured.%s", measured[i]);
    ck_assert(path(d, "measured", "wall_seconds")->valuedouble > 0);
    ck_assert(path(d, "measured", "throughput")->valuedouble > 0);
    ck_assert(cJSON_IsString(path(d, "measured", "unit")));
    const bool pmu = machine_has_pmu();
    for (size_t i = 0; i < sizeof counter_names / sizeof counter_names[0]; i++) {
        cJSON *c = path(d, "counters", counter_names[i]);
        ck_assert_msg(cJSON_IsObject(c), "counters.%s missing", counter_names[i]);
        cJSON *v = cJSON_GetObjectItem(c, "value");
        const bool hardware = i < 6;
        if (cJSON_IsNull(v)) {
            ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(c, "reason")),
                          "%s is null without a reason", counter_names[i]);
            ck_assert_msg(hardware && !pmu, "%s unavailable: %s", counter_names[i],
                          cJSON_GetObjectItem(c, "reason")->valuestring);
        } else {
            ck_assert_msg(cJSON_IsNumber(v), "%s value is neither a number nor null",
                          counter_names[i]);
            ck_assert_msg(!hardware || pmu, "%s has a value on a machine without a PMU",
                          counter_names[i]);
            ck_assert(cJSON_IsBool(cJSON_GetObjectItem(c, "scaled")));
            ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(c, "time_running_ns")));
        }
    }
    ck_assert(path(d, "counters", "task-clock")->child->valuedouble > 0);
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(path(d, "counters", "page-faults"), "value")));
    ck_assert(cJSON_IsBool(path(d, "profiling", "enabled")));
    ck_assert_int_eq(cJSON_IsTrue(path(d, "profiling", "enabled")), profiled);
    if (profiled) {
        const char *stats[] = {"samples",          "recorded",    "lost",
                               "handler_ns_total", "achieved_hz", "threads_seen"};
        for (size_t i = 0; i < 6; i++)
            ck_assert_msg(cJSON_IsNumber(path(d, "profiling", stats[i])), "profiling.%s", stats[i]);
        ck_assert(cJSON_IsString(path(d, "profiling", "sampler")));
    }
    ck_assert(cJSON_IsObject(path(d, "result", NULL)));
    ck_assert(cJSON_IsTrue(path(d, "ok", NULL)));
}

static const char *const samplers[] = {NULL,         "itimer", "thread-timer",
                                       "perf-clock", "wall",   "perf-cycles"};

static void run_all_samplers(const char *bin, const char *args, const char *workload)
{
    for (size_t s = 0; s < sizeof samplers / sizeof samplers[0]; s++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "%s %s%s%s --hz 500", bin, args, samplers[s] ? " --sampler " : "",
                 samplers[s] ? samplers[s] : "");
        int status;
        cJSON *d = run_json(cmd, &status);
        ck_assert_msg(d != NULL, "'%s' printed no JSON", cmd);
        if (samplers[s] && strcmp(samplers[s], "perf-cycles") == 0 && !machine_has_pmu()) {
            ck_assert_int_eq(status, 3);
            ck_assert(cJSON_IsFalse(path(d, "ok", NULL)));
            ck_assert_ptr_nonnull(
                strstr(path(d, "error", NULL)->valuestring, "hardware counters unavailable"));
        } else {
            ck_assert_msg(status == 0, "'%s' exited %d", cmd, status);
            check_common_fields(d, workload, samplers[s] != NULL);
        }
        cJSON_Delete(d);
    }
}

START_TEST(test_matmul_json_every_sampler)
{
    run_all_samplers(matmul_bin, "--n 96 --reps 8", "matmul");
}
END_TEST

START_TEST(test_io_json_every_sampler)
{
    run_all_samplers(io_bin, "--connections 4 --requests 1000", "io");
}
END_TEST

START_TEST(test_truth_json_every_sampler)
{
    run_all_samplers(truth_bin, "--case split --seconds 0.2", "truth");
}
END_TEST

START_TEST(test_matmul_verifies_every_order)
{
    const char *orders[] = {"ijk", "ikj", "blocked"};
    for (int o = 0; o < 3; o++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s --order %s --n 77 --reps 2 --threads 2 --tile 16", matmul_bin,
                 orders[o]);
        int status;
        cJSON *d = run_json(cmd, &status);
        ck_assert_int_eq(status, 0);
        ck_assert(cJSON_IsTrue(path(d, "result", "verified")));
        ck_assert_int_eq(path(d, "result", "mismatched_rows")->valueint, 0);
        cJSON_Delete(d);
    }
}
END_TEST

START_TEST(test_matmul_corruption_is_caught)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --order blocked --n 64 --reps 1 --corrupt", matmul_bin);
    int status;
    cJSON *d = run_json(cmd, &status);
    ck_assert_int_eq(status, 1);
    ck_assert(cJSON_IsFalse(path(d, "result", "verified")));
    ck_assert(cJSON_IsFalse(path(d, "ok", NULL)));
    ck_assert_int_eq(path(d, "result", "mismatched_rows")->valueint, 1);
    cJSON_Delete(d);
}
END_TEST

START_TEST(test_matmul_fit_uses_cache_sizes)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --fit l1 --reps 1", matmul_bin);
    int status;
    cJSON *d = run_json(cmd, &status);
    ck_assert_int_eq(status, 0);
    double l1 = path(path(d, "params", "caches_bytes"), "l1d", NULL)->valuedouble;
    double ws = path(d, "params", "working_set_bytes")->valuedouble;
    ck_assert(l1 > 0);
    ck_assert(ws <= 0.75 * l1 && ws > 0.5 * l1);
    cJSON_Delete(d);
}
END_TEST

/* Runs matmul --fit l1 under an environment prefix; returns its JSON (exit status checked
 * by the caller). */
static cJSON *matmul_fit(const char *env, const char *fit, int *status)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s --fit %s --reps 1 2>/dev/null", env, matmul_bin, fit);
    return run_json(cmd, status);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Issue 12: machines without /sys/devices/system/cpu/cpu0/cache (this project's own VMs)
 * still fit matmul to the caches, from sysconf/CPUID or the documented default, and the
 * JSON says which source each size came from. */
START_TEST(test_matmul_fit_cache_sources)
{
    char empty[] = "/tmp/hzprof-nosysfs-XXXXXX", fake[] = "/tmp/hzprof-fakesysfs-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(empty));
    ck_assert_ptr_nonnull(mkdtemp(fake));
    int status;

    /* sysfs taken away: a later source, never sysfs, and the fit still works. */
    char env[256];
    snprintf(env, sizeof env, "HZPROF_SYSFS_CPU=%s", empty);
    cJSON *d = matmul_fit(env, "l1", &status);
    ck_assert_int_eq(status, 0);
    const char *src = path(d, "params", "caches_source")->valuestring;
    ck_assert_ptr_nonnull(src);
    ck_assert_msg(strstr(src, "sysfs") == NULL, "source '%s' with sysfs removed", src);
    double l1 = path(path(d, "params", "caches_bytes"), "l1d", NULL)->valuedouble;
    double ws = path(d, "params", "working_set_bytes")->valuedouble;
    ck_assert(l1 >= 4096 && ws <= 0.75 * l1 && ws > 0.5 * l1);
    cJSON_Delete(d);

    /* A hand-made sysfs tree is read, sizes and all (index0 instruction is skipped). */
    const char *tree[][4] = {{"index0", "1", "Instruction", "64K"},
                             {"index1", "1", "Data", "24K"},
                             {"index2", "2", "Unified", "768K"},
                             {"index3", "3", "Unified", "6M"}};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/cpu0", fake);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(dir, sizeof dir, "%s/cpu0/cache", fake);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    for (int i = 0; i < 4; i++) {
        char sub[600], rel[64];
        snprintf(sub, sizeof sub, "%s/%s", dir, tree[i][0]);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        const char *names[] = {"level", "type", "size"};
        for (int k = 0; k < 3; k++) {
            snprintf(rel, sizeof rel, "%s/%s", tree[i][0], names[k]);
            char text[32];
            snprintf(text, sizeof text, "%s\n", tree[i][k + 1]);
            write_file(dir, rel, text);
        }
    }
    snprintf(env, sizeof env, "HZPROF_SYSFS_CPU=%s", fake);
    d = matmul_fit(env, "l2", &status);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(path(d, "params", "caches_source")->valuestring, "sysfs");
    ck_assert_int_eq((long)path(path(d, "params", "caches_bytes"), "l1d", NULL)->valuedouble,
                     24 * 1024);
    ck_assert_int_eq((long)path(path(d, "params", "caches_bytes"), "l2", NULL)->valuedouble,
                     768 * 1024);
    ck_assert_int_eq((long)path(path(d, "params", "caches_bytes"), "l3", NULL)->valuedouble,
                     6 * 1024 * 1024);
    ws = path(d, "params", "working_set_bytes")->valuedouble;
    ck_assert(ws <= 0.75 * 768 * 1024 && ws > 0.5 * 768 * 1024);
    cJSON_Delete(d);

    /* An absurd sysfs L3 (larger than any core can use) is not trusted: it is rejected,
     * said so, and the next source is used for that level alone. */
    write_file(dir, "index3/size", "65536M\n");
    d = matmul_fit(env, "l2", &status);
    ck_assert_int_eq(status, 0);
    src = path(d, "params", "caches_source")->valuestring;
    ck_assert_msg(strncmp(src, "l1d=sysfs,l2=sysfs,l3=", 22) == 0 && !strstr(src, "l3=sysfs"),
                  "source '%s'", src);
    ck_assert(strstr(path(d, "params", "caches_rejected")->valuestring, "l3: 68719476736 bytes "
                                                                        "from sysfs") != NULL);
    cJSON_Delete(d);

    /* Only the default: the documented sizes. */
    d = matmul_fit("HZPROF_CACHE_SOURCES=default", "l1", &status);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(path(d, "params", "caches_source")->valuestring, "default");
    ck_assert_int_eq((long)path(path(d, "params", "caches_bytes"), "l1d", NULL)->valuedouble,
                     32 * 1024);
    ck_assert_int_eq((long)path(path(d, "params", "caches_bytes"), "l2", NULL)->valuedouble,
                     512 * 1024);
    cJSON_Delete(d);

    /* No source at all: --fit refuses with exit 2; a misspelt source is a bad flag. */
    snprintf(env, sizeof env, "HZPROF_SYSFS_CPU=%s HZPROF_CACHE_SOURCES=sysfs", empty);
    d = matmul_fit(env, "l1", &status);
    ck_assert_int_eq(status, 2);
    cJSON_Delete(d);
    d = matmul_fit("HZPROF_CACHE_SOURCES=sysfs,bogus", "l1", &status);
    ck_assert_int_eq(status, 2);
    cJSON_Delete(d);

    char rm[256];
    snprintf(rm, sizeof rm, "rm -rf %s %s", empty, fake);
    ck_assert_int_eq(system(rm), 0);
}
END_TEST

START_TEST(test_io_perf_clock_10khz_loses_nothing)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s --connections 16 --requests 20000 --sampler perf-clock --hz 10000", io_bin);
    int status;
    cJSON *d = run_json(cmd, &status);
    ck_assert_int_eq(status, 0);
    ck_assert_int_eq(path(d, "result", "completed")->valueint, 20000);
    ck_assert_int_eq(path(d, "result", "lost")->valueint, 0);
    ck_assert_int_eq(path(d, "result", "wrong")->valueint, 0);
    /* The profiler was really interrupting system calls all along. */
    ck_assert(path(d, "profiling", "samples")->valuedouble > 100);
    cJSON_Delete(d);
}
END_TEST

START_TEST(test_bad_flags_are_rejected)
{
    const char *cmds[] = {"--n 0", "--order zig", "--fit l9", "--reps x", "--bogus"};
    for (int i = 0; i < 5; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", matmul_bin, cmds[i]);
        int status;
        cJSON *d = run_json(cmd, &status);
        ck_assert_msg(status == 2, "'%s' exited %d", cmds[i], status);
        ck_assert_ptr_null(d);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --case nope 2>/dev/null", truth_bin);
    int status;
    ck_assert_ptr_null(run_json(cmd, &status));
    ck_assert_int_eq(status, 2);
    snprintf(cmd, sizeof cmd, "%s --case split --seconds 0 2>/dev/null", truth_bin);
    ck_assert_ptr_null(run_json(cmd, &status));
    ck_assert_int_eq(status, 2);
    snprintf(cmd, sizeof cmd, "%s --connections 0 2>/dev/null", io_bin);
    ck_assert_ptr_null(run_json(cmd, &status));
    ck_assert_int_eq(status, 2);
}
END_TEST

static struct pp_profile folded_profile(const char *text)
{
    struct pp_profile p;
    char err[256];
    ck_assert_msg(folded_parse(text, strlen(text), &p, err, sizeof err) == 0, "%s", err);
    return p;
}

START_TEST(test_score_known_inputs)
{
    struct pp_profile p = folded_profile("main;a 50\nmain;b 30\nmain;x;c 20\n");
    struct truth_share exact[] = {{"a", 50, 0}, {"b", 30, 0}, {"c", 20, 0}};
    ck_assert_double_eq_tol(score_attribution(&p, 0, exact, 3), 0, 1e-9);
    struct truth_share off[] = {{"a", 60, 0}, {"b", 30, 0}, {"c", 10, 0}};
    ck_assert_double_eq_tol(score_attribution(&p, 0, off, 3), 10, 1e-9);
    ck_assert_double_eq_tol(off[2].profile_pct, 20, 1e-9);
    /* Only leaves count: main and x are never leaves. */
    struct truth_share inner[] = {{"main", 0, 0}, {"x", 0, 0}};
    ck_assert_double_eq_tol(score_attribution(&p, 0, inner, 2), 0, 1e-9);
    /* A function the profile lacks is an error of its whole share. */
    struct truth_share missing[] = {{"a", 50, 0}, {"zzz", 7.5, 0}};
    ck_assert_double_eq_tol(score_attribution(&p, 0, missing, 2), 7.5, 1e-9);
    profile_free(&p);

    p = folded_profile("main;work 3\nmain;sleep;[off-cpu] 1\n");
    struct truth_share wall[] = {{"work", 50, 0}, {"[off-cpu]", 50, 0}};
    ck_assert_double_eq_tol(score_attribution(&p, 0, wall, 2), 25, 1e-9);
    profile_free(&p);
}
END_TEST

static void score_truth_case(const char *args, const char *kind, double bound)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s --profile-out truth_case.pb.gz", truth_bin, args);
    int status;
    cJSON *d = run_json(cmd, &status);
    ck_assert_int_eq(status, 0);
    cJSON *truth = path(path(d, "result", "truth"), kind, NULL);
    ck_assert(cJSON_IsObject(truth));
    struct truth_share t[8];
    size_t n = 0;
    for (cJSON *e = truth->child; e && n < 8; e = e->next)
        t[n++] = (struct truth_share){e->string, e->valuedouble, 0};
    FILE *f = fopen("truth_case.pb.gz", "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t *buf = malloc(1 << 22);
    size_t len = fread(buf, 1, 1 << 22, f);
    fclose(f);
    unlink("truth_case.pb.gz");
    struct pp_profile p;
    char err[256];
    ck_assert_msg(pprof_decode(buf, len, &p, err, sizeof err) == 0, "%s", err);
    double error = score_attribution(&p, 0, t, n);
    printf("%s (%s): attribution error %.2f points\n", args, kind, error);
    ck_assert_msg(error <= bound, "%s: error %.2f > %.1f points", args, error, bound);
    profile_free(&p);
    free(buf);
    cJSON_Delete(d);
}

START_TEST(test_truth_cases_score)
{
    score_truth_case("--case split --seconds 1 --sampler perf-clock --hz 1000", "cpu", 5);
    score_truth_case("--case threads --seconds 1 --sampler perf-clock --hz 1000", "cpu", 5);
    score_truth_case("--case deep --seconds 0.5 --sampler thread-timer --hz 250", "cpu", 5);
    score_truth_case("--case offcpu --seconds 1 --sampler thread-timer --hz 250", "cpu", 5);
    score_truth_case("--case offcpu --seconds 2 --sampler wall --hz 250", "wall", 8);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s MATMUL IO TRUTH\n", argv[0]);
        return 2;
    }
    matmul_bin = argv[1];
    io_bin = argv[2];
    truth_bin = argv[3];
    Suite *s = suite_create("workloads");
    TCase *tc = tcase_create("workloads");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_matmul_json_every_sampler);
    tcase_add_test(tc, test_io_json_every_sampler);
    tcase_add_test(tc, test_truth_json_every_sampler);
    tcase_add_test(tc, test_matmul_verifies_every_order);
    tcase_add_test(tc, test_matmul_corruption_is_caught);
    tcase_add_test(tc, test_matmul_fit_uses_cache_sizes);
    tcase_add_test(tc, test_matmul_fit_cache_sources);
    tcase_add_test(tc, test_io_perf_clock_10khz_loses_nothing);
    tcase_add_test(tc, test_bad_flags_are_rejected);
    tcase_add_test(tc, test_score_known_inputs);
    tcase_add_test(tc, test_truth_cases_score);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
