/*
 * test_bench.c — `hzprof bench` end to end on a tiny config (seconds):
 * the results schema, the trial count, the interleaving (every block holds every
 * configuration once, in a shuffled order), `--resume` after a kill running only the
 * missing trials, and bad configs failing with a clear message before any trial runs.
 *
 *   test_bench HZPROF BUDGET_CONFIG
 *
 * BUDGET_CONFIG: tests/fixtures/bench-budget.json, a run in budget mode only.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include "support.h"
#include <stdarg.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <unistd.h>

static const char *hzprof, *budget_config;
static char work[] = "/tmp/hzprof-test-bench-XXXXXX";

/* 2 workloads x (off + 1 sampler x 1 unwinder x 2 rates, + perf-cycles x 2 rates)
 * = 2 x 5 = 10 configurations; per block a pair per profiled configuration (2 x 4) and an
 * A/A pair per workload (2) = 10 pairs = 20 trials; 1 warm-up + 2 measured blocks = 60. */
static const char tiny[] =
    "{\"workloads\": [{\"name\": \"mm\", \"program\": \"matmul\", \"args\": [\"--n\", \"64\","
    " \"--reps\", \"60\"]}, {\"name\": \"split\", \"program\": \"truth\", \"args\": [\"--case\","
    " \"split\", \"--seconds\", \"0.1\"]}],"
    " \"samplers\": [\"perf-clock\", \"perf-cycles\"], \"unwinders\": [\"fp\"],"
    " \"rates\": [200, 1000], \"repetitions\": 2, \"warmup\": 1, \"seed\": 42}";
#define TINY_CONFIGS 10
#define TINY_PAIRS 10
#define TINY_TRIALS 60

/* Trials of trials.jsonl in file order. */
static size_t load_lines(const char *path, cJSON **out, size_t max)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *line = NULL;
    size_t cap = 0, n = 0;
    while (getline(&line, &cap, f) > 0 && n < max) {
        out[n] = cJSON_Parse(line);
        ck_assert_msg(out[n] != NULL, "unparsable line in %s", path);
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

/* Writes text to WORK/NAME; its path goes to path (size bytes). */
static void write_file(char *path, size_t size, const char *name, const char *text)
{
    snprintf(path, size, "%s/%s", work, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The contents of WORK/NAME, which must be there (to free). */
static char *slurp_work(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", work, name);
    char *text = read_text(path);
    ck_assert_msg(text != NULL, "no %s", path);
    return text;
}

/* The parsed WORK/DIR/results.json (it must be there and parse). */
static cJSON *load_results(const char *dir)
{
    char name[128];
    snprintf(name, sizeof name, "%s/results.json", dir);
    char *text = slurp_work(name);
    cJSON *r = cJSON_Parse(text);
    free(text);
    ck_assert_msg(r != NULL, "%s/%s does not parse", work, name);
    return r;
}

/* Runs `hzprof bench CONFIG -o WORK/DIR` (stderr discarded), which must succeed, and
 * returns its parsed results.json. */
static cJSON *bench_results(const char *config, const char *dir)
{
    ck_assert_int_eq(run_sh("'%s' bench %s -o %s/%s 2>/dev/null", hzprof, config, work, dir), 0);
    return load_results(dir);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(work));
    char path[256];
    write_file(path, sizeof path, "tiny.json", tiny);
}

static void teardown(void)
{
    run_sh("rm -rf '%s'", work);
}

START_TEST(test_schema_count_interleaving)
{
    char path[256];
    snprintf(path, sizeof path, "%s/tiny.json", work);
    cJSON *r = bench_results(path, "run");
    ck_assert_int_eq(cJSON_GetObjectItem(r, "schema_version")->valueint, 1);
    const char *keys[] = {"created", "machine", "build", "config", "counters_unavailable",
                          "summary", "trials"};
    for (int i = 0; i < 7; i++)
        ck_assert_msg(cJSON_GetObjectItem(r, keys[i]) != NULL, "results.json lacks %s", keys[i]);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "build"), "git_commit")));
    ck_assert(
        cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "machine"), "cores_online")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r, "trials")), TINY_TRIALS);
    cJSON *summary = cJSON_GetObjectItem(r, "summary");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(summary, "configs")), TINY_CONFIGS);
    /* perf-clock rows carry an overhead with an interval and the flag. */
    int with_overhead = 0;
    for (cJSON *c = cJSON_GetObjectItem(summary, "configs")->child; c; c = c->next) {
        cJSON *o = cJSON_GetObjectItem(c, "overhead");
        if (!o)
            continue;
        with_overhead++;
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "lo")));
        ck_assert(cJSON_IsBool(cJSON_GetObjectItem(o, "ci_includes_zero")));
    }
    ck_assert_int_eq(with_overhead, 4); /* 2 workloads x perf-clock x 2 rates */
    ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(summary, "cost_per_sample")), 2);

    /* Pairs (issue 13): trials 2i and 2i+1 are pair i. Every block holds every profiled
     * configuration once as "on", beside an "off" trial of the same workload, in either
     * order; and one A/A pair (off, off) per workload. Blocks differ in order. */
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(summary, "aa")), 2);
    cJSON *lines[TINY_TRIALS + 1];
    snprintf(path, sizeof path, "%s/run/trials.jsonl", work);
    ck_assert_uint_eq(load_lines(path, lines, TINY_TRIALS + 1), TINY_TRIALS);
    int seen_on[3][TINY_CONFIGS] = {{0}}, aa[3][TINY_CONFIGS] = {{0}};
    int order[3][TINY_PAIRS];
    int on_first = 0, off_first = 0;
    for (int i = 0; i < TINY_TRIALS; i++) {
        cJSON *t = lines[i], *mate = lines[i ^ 1];
        int trial = cJSON_GetObjectItem(t, "trial")->valueint;
        int block = cJSON_GetObjectItem(t, "block")->valueint;
        int id = cJSON_GetObjectItem(cJSON_GetObjectItem(t, "config"), "id")->valueint;
        const char *role = cJSON_GetObjectItem(t, "role")->valuestring;
        const char *mate_role = cJSON_GetObjectItem(mate, "role")->valuestring;
        ck_assert_int_eq(trial, i);
        ck_assert_int_eq(cJSON_GetObjectItem(t, "pair")->valueint, i / 2);
        ck_assert_int_eq(block, i / (2 * TINY_PAIRS));
        ck_assert_int_eq(cJSON_IsTrue(cJSON_GetObjectItem(t, "warmup")), block == 0);
        ck_assert_str_eq(
            cJSON_GetObjectItem(cJSON_GetObjectItem(t, "config"), "workload")->valuestring,
            cJSON_GetObjectItem(cJSON_GetObjectItem(mate, "config"), "workload")->valuestring);
        if (strcmp(role, "on") == 0) {
            ck_assert_str_eq(mate_role, "off");
            ck_assert(
                cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(mate, "config"), "sampler")));
            seen_on[block][id]++;
            order[block][(i / 2) % TINY_PAIRS] = id;
            *(i % 2 == 0 ? &on_first : &off_first) += 1;
        } else if (strcmp(role, "aa") == 0) {
            ck_assert_str_eq(mate_role, "aa");
            aa[block][id]++;
            order[block][(i / 2) % TINY_PAIRS] = 100 + id;
        } else {
            ck_assert_str_eq(role, "off");
            ck_assert_str_eq(mate_role, "on");
        }
    }
    for (int b = 0; b < 3; b++)
        for (int id = 0; id < TINY_CONFIGS; id++) {
            cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(summary, "configs"), id);
            const bool off = cJSON_IsNull(cJSON_GetObjectItem(c, "sampler"));
            ck_assert_int_eq(seen_on[b][id], off ? 0 : 1);
            ck_assert_int_eq(aa[b][id], off ? 2 : 0);
        }
    ck_assert(on_first > 0 && off_first > 0); /* the order within a pair is drawn */
    /* Pinning: with two CPUs or more, every trial ran on one CPU, the last one allowed. */
    cJSON *pin = cJSON_GetObjectItem(cJSON_GetObjectItem(summary, "pinning"), "workload_cpu");
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
        ck_assert(cJSON_IsNumber(pin));
        for (int i = 0; i < TINY_TRIALS; i++)
            ck_assert_int_eq(cJSON_GetObjectItem(lines[i], "cpu")->valueint, pin->valueint);
    } else {
        ck_assert(cJSON_IsNull(pin));
    }
    ck_assert(memcmp(order[0], order[1], sizeof order[0]) != 0 ||
              memcmp(order[1], order[2], sizeof order[0]) != 0);
    /* The paired summary: perf-clock rows have one, with its verdict. */
    int paired = 0;
    for (cJSON *c = cJSON_GetObjectItem(summary, "configs")->child; c; c = c->next) {
        cJSON *p = cJSON_GetObjectItem(c, "paired");
        if (!p)
            continue;
        paired++;
        ck_assert_int_eq(cJSON_GetObjectItem(p, "pairs")->valueint, 2);
        ck_assert(
            cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "cpu_overhead"), "lo")));
        ck_assert(cJSON_IsBool(cJSON_GetObjectItem(p, "resolved")));
        ck_assert(cJSON_IsString(cJSON_GetObjectItem(p, "text")));
    }
    ck_assert_int_eq(paired, 4);
    /* perf-cycles without a PMU: recorded once as unavailable, then skipped. */
    for (int i = 0; i < TINY_TRIALS; i++)
        cJSON_Delete(lines[i]);
    cJSON_Delete(r);
    char *text = slurp_work("run/summary.md");
    ck_assert_ptr_nonnull(strstr(text, "| mm | perf-clock | fp | 1000 |"));
    ck_assert_ptr_nonnull(strstr(text, "## Paired overhead"));
    ck_assert_ptr_nonnull(strstr(text, "minimum detectable effect"));
    ck_assert_ptr_nonnull(strstr(text, "## Cost per sample"));
    /* summary.md is `hzprof report DIR`: one renderer (viz/summary_md.c) of results.json. */
    ck_assert_int_eq(run_sh("'%s' report %s/run > %s/report.md", hzprof, work, work), 0);
    snprintf(path, sizeof path, "%s/report.md", work);
    char *report = read_text(path);
    ck_assert_ptr_nonnull(report);
    ck_assert_str_eq(report, text);
    free(report);
    free(text);
    /* A second run into the same directory is refused. */
    ck_assert_int_eq(run_sh("'%s' bench %s/tiny.json -o %s/run 2>/dev/null", hzprof, work, work),
                     1);
}
END_TEST

START_TEST(test_resume_runs_only_missing_trials)
{
    /* Killed after 7 trials (the hook _exits like a kill), with half a line written. */
    int st = run_sh("HZPROF_BENCH_STOP_AFTER=7 '%s' bench %s/tiny.json -o %s/r 2>/dev/null", hzprof,
                    work, work);
    ck_assert_int_eq(st, 137);
    char path[256];
    snprintf(path, sizeof path, "%s/r/trials.jsonl", work);
    cJSON *before[8];
    ck_assert_uint_eq(load_lines(path, before, 8), 7);
    /* Issue 14 #5: a damaged line in the middle (here trial 2's) and a valid-JSON junk
     * line must cost nothing else: the good lines after them are kept, the damaged ones
     * are kept too (never delete data) and skipped, trial 2 runs again. Then the partial
     * last line of the kill. */
    char *text = read_text(path);
    char *l2 = strchr(strchr(text, '\n') + 1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    FILE *f = fopen(path, "w");
    fprintf(f, "%.*snot json at all\n%s{}\n{\"trial\": 7, \"half a li", (int)(l2 - text), text, l3);
    fclose(f);
    free(text);
    cJSON_Delete(before[2]);
    before[2] = NULL;
    snprintf(path, sizeof path, "%s/r/results.json", work);
    ck_assert_int_ne(access(path, F_OK), 0);

    char err[256];
    snprintf(err, sizeof err, "%s/err.txt", work);
    ck_assert_int_eq(run_sh("'%s' bench --resume %s/r 2> %s", hzprof, work, err), 0);
    char *msg = read_text(err);
    ck_assert_msg(strstr(msg, "trials.jsonl: 2 damaged lines kept and skipped"), "%s", msg);
    free(msg);
    snprintf(path, sizeof path, "%s/r/trials.jsonl", work);
    FILE *in = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int count[TINY_TRIALS] = {0}, lines = 0, junk = 0;
    cJSON *after[TINY_TRIALS] = {0};
    while (getline(&line, &cap, in) > 0) {
        lines++;
        cJSON *t = cJSON_Parse(line);
        cJSON *k = cJSON_GetObjectItem(t, "trial");
        if (!cJSON_IsNumber(k)) {
            junk++;
            cJSON_Delete(t);
            continue;
        }
        count[k->valueint]++;
        after[k->valueint] = t;
    }
    free(line);
    fclose(in);
    ck_assert_int_eq(junk, 2);
    ck_assert_int_eq(lines, TINY_TRIALS + 2);
    for (int k = 0; k < TINY_TRIALS; k++)
        ck_assert_int_eq(count[k], 1);
    /* The good ones among the first 7 were not run again: the same records, byte for byte. */
    for (int i = 0; i < 7; i++) {
        if (!before[i])
            continue;
        char *a = cJSON_PrintUnformatted(before[i]), *b = cJSON_PrintUnformatted(after[i]);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        cJSON_Delete(before[i]);
    }
    for (int i = 0; i < TINY_TRIALS; i++)
        cJSON_Delete(after[i]);
    char *results = slurp_work("r/results.json");
    ck_assert(strstr(results, "\"trials_damaged\":\t2"));
    free(results);
    /* A finished run resumed summarizes again; a summary.md that cannot be written (a full
     * disk: a link to /dev/full) is an error that names it, never a table cut short. */
    ck_assert_int_eq(run_sh("rm %s/r/summary.md && ln -s /dev/full %s/r/summary.md", work, work),
                     0);
    ck_assert_int_eq(run_sh("'%s' bench --resume %s/r 2> %s", hzprof, work, err), 1);
    msg = read_text(err);
    ck_assert_msg(strstr(msg, "cannot write '") && strstr(msg, "/r/summary.md': No space left"),
                  "%s", msg);
    free(msg);
}
END_TEST

START_TEST(test_bad_configs_fail_before_any_trial)
{
    static const struct {
        const char *json, *error;
    } cases[] = {
        {"{\"workloads\": [{\"program\": \"nosuch\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "must be one of matmul, io, truth"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [-5]}",
         "'rates' must be an integer"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100], \"colour\": 1}",
         "unknown key 'colour'"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"bogus\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "unknown name 'bogus'"},
        {"{\"workloads\": [{\"program\": \"io\", \"args\": [\"--hz\", \"5\"]}], "
         "\"samplers\": [\"itimer\"], \"unwinders\": [\"fp\"], \"rates\": [100]}",
         "is set by the harness"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"]}",
         "'rates' (or 'max_overhead_pct') is required"},
        /* Budget mode's budgets: percentages above 0 and at most 50, each once. */
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"max_overhead_pct\": [0]}",
         "'max_overhead_pct' must hold budgets in percent, above 0 and at most 50"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"max_overhead_pct\": [60]}",
         "'max_overhead_pct' must hold budgets in percent"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"max_overhead_pct\": [\"1%\"]}",
         "'max_overhead_pct' must hold budgets in percent"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"max_overhead_pct\": [1, 1]}",
         "'max_overhead_pct': 1 is given twice"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], "
         "\"unwinders\": [\"fp\"], \"max_overhead_pct\": []}",
         "'max_overhead_pct' must be a list of 1..32 budgets"},
        {"{\"workloads\": [{\"program\": \"io\", \"args\": [\"--max-overhead\", \"1\"]}], "
         "\"samplers\": [\"itimer\"], \"unwinders\": [\"fp\"], \"rates\": [100]}",
         "is set by the harness"},
        {"[1, 2", "not a JSON object"},
        /* Issue 15: samplers with modifiers, checked against what the sampler can do. */
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"thread-timer+jitter=exp\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "thread-timer cannot jitter its intervals"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"perf-clock+no-interrupt\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "perf-clock has no no-interrupt mode"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"wall+jitter=gauss\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "jitter must be uniform or exp"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"wall+fast\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "unknown modifier 'fast'"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"manual\"], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "'manual' takes no samples by itself"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256], err[256];
        write_file(path, sizeof path, "bad.json", cases[i].json);
        snprintf(err, sizeof err, "%s/err.txt", work);
        int st = run_sh("'%s' bench %s -o %s/never 2> %s", hzprof, path, work, err);
        ck_assert_msg(st == 2, "case %zu exited %d", i, st);
        char *msg = read_text(err);
        ck_assert_msg(msg && strstr(msg, cases[i].error), "case %zu: '%s' lacks '%s'", i,
                      msg ? msg : "", cases[i].error);
        ck_assert_msg(strchr(msg, '\n') == msg + strlen(msg) - 1, "more than one line: %s", msg);
        free(msg);
        snprintf(path, sizeof path, "%s/never", work);
        ck_assert_int_ne(access(path, F_OK), 0); /* nothing was started */
    }
    ck_assert_int_eq(run_sh("'%s' bench /no/such/config.json 2>/dev/null", hzprof), 2);
    ck_assert_int_eq(run_sh("'%s' bench quick --rates -3 2>/dev/null", hzprof), 2);
    ck_assert_int_eq(run_sh("'%s' bench quick --workloads nope 2>/dev/null", hzprof), 2);
    ck_assert_int_eq(run_sh("'%s' bench quick --frobnicate 2>/dev/null", hzprof), 2);
    ck_assert_int_eq(run_sh("'%s' bench full --dry-run > /dev/null", hzprof), 0);
    ck_assert_int_eq(run_sh("'%s' bench bias --dry-run > /dev/null", hzprof), 0);
    /* Issue 14 #12: long lists overflowed a stack buffer (ASan), a repeated workload was
     * freed twice, an empty list planned nothing, and JSON could be pasted into --rates.
     * Each is now one line and exit 2. */
    static char long_list[8192];
    size_t len = 0;
    for (int i = 0; i < 600; i++)
        len += (size_t)snprintf(long_list + len, sizeof long_list - len, "%s%d", i ? "," : "",
                                1000 + i);
    const char *bad[][2] = {{"--rates", long_list},   {"--samplers", "wall,wall,wall"},
                            {"--workloads", "io,io"}, {"--workloads", ","},
                            {"--rates", "1],[2"},     {"--rates", "100,,200"},
                            {"--unwinders", "fp,"},   {"--rates", "100, 200"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256];
        snprintf(err, sizeof err, "%s/err.txt", work);
        ck_assert_int_eq(run_sh("'%s' bench quick %s '%s' --dry-run > /dev/null 2> %s", hzprof,
                                bad[i][0], bad[i][1], err),
                         2);
        char *msg = read_text(err);
        ck_assert_msg(msg && strchr(msg, '\n') == msg + strlen(msg) - 1, "%s: %s", bad[i][0],
                      msg ? msg : "");
        free(msg);
    }
}
END_TEST

/* Issue 12: a configuration whose trials all fail is never silent. Every trial is still
 * written, the summary (summary.md, `hzprof report`, the HTML report) says "failed: " with
 * the first line of the error and the count, and bench exits non-zero after writing all
 * its files, with one line per failed configuration. */
START_TEST(test_failed_configs_are_reported)
{
    static const char cfg[] =
        "{\"workloads\": [{\"name\": \"mm\", \"program\": \"matmul\", \"args\": [\"--n\", \"48\","
        " \"--reps\", \"20\"]}, {\"name\": \"broken\", \"program\": \"matmul\", \"args\": "
        "[\"--order\", \"zig\"]}], \"samplers\": [\"perf-clock\"], \"unwinders\": [\"fp\"],"
        " \"rates\": [200], \"repetitions\": 2, \"warmup\": 0, \"seed\": 7}";
    char path[256], err[256];
    write_file(path, sizeof path, "failing.json", cfg);
    snprintf(err, sizeof err, "%s/err.txt", work);
    ck_assert_int_eq(run_sh("'%s' bench %s -o %s/fail 2> %s", hzprof, path, work, err), 1);
    char *msg = read_text(err);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, "broken off/- off: failed: matmul: --order: 'zig' is not ijk, "
                              "ikj or blocked (6 trials)"),
                  "stderr: %s", msg);
    ck_assert_msg(strstr(msg, "broken perf-clock/fp 200 Hz: failed: matmul: --order"), "stderr: %s",
                  msg);
    ck_assert_msg(!strstr(msg, "mm off/- off: failed"),
                  "a good configuration reported as failed: %s", msg);
    free(msg);

    /* Every trial written (2 workloads x (an on/off pair + an A/A pair) x 2 blocks). */
    cJSON *lines[20];
    snprintf(path, sizeof path, "%s/fail/trials.jsonl", work);
    ck_assert_uint_eq(load_lines(path, lines, 20), 16);
    for (int i = 0; i < 16; i++)
        cJSON_Delete(lines[i]);

    char *md = slurp_work("fail/summary.md");
    ck_assert_msg(strstr(md, "**2 configurations failed**"), "%s", md);
    ck_assert(strstr(md, "- broken off/- off: failed: matmul: --order: 'zig' is not ijk, ikj or "
                         "blocked (6 trials)"));
    ck_assert(strstr(md, "**failed** (2 trials): matmul: --order"));
    free(md);

    /* `hzprof report DIR` (one run: the same summary) and the HTML report say it too. */
    snprintf(path, sizeof path, "%s/report.txt", work);
    ck_assert_int_eq(run_sh("'%s' report %s/fail > %s", hzprof, work, path), 0);
    char *rep = read_text(path);
    ck_assert(rep && strstr(rep, "- broken perf-clock/fp 200 Hz: failed: matmul: --order"));
    free(rep);
    ck_assert_int_eq(run_sh("'%s' report %s/fail %s/fail > %s", hzprof, work, work, path), 0);
    rep = read_text(path);
    ck_assert(rep && strstr(rep, "Failed configurations"));
    ck_assert(strstr(rep, ": broken off/- off: failed: matmul: --order"));
    free(rep);
    if (run_sh("command -v gnuplot >/dev/null") == 0) {
        ck_assert_int_eq(run_sh("'%s' report %s/fail --format html >/dev/null", hzprof, work), 0);
        /* Issue 14 #9: a second report does not replace it unasked; -f does. */
        ck_assert_int_eq(run_sh("'%s' report %s/fail --format html >/dev/null 2>&1", hzprof, work),
                         1);
        ck_assert_int_eq(run_sh("'%s' report %s/fail --format html -f >/dev/null", hzprof, work),
                         0);
        char *html = slurp_work("fail/index.html");
        ck_assert(strstr(html, "Left out of the charts: 2 configurations whose trials "
                               "all failed"));
        ck_assert(strstr(html, "failed (2 trials): matmul: --order: &#39;zig&#39;") ||
                  strstr(html, "failed (2 trials): matmul: --order: 'zig'"));
        free(html);
    }
}
END_TEST

/* The rows of one sampler (or baseline) on one workload. */
static int rows_of(cJSON *results, const char *workload, const char *sampler, cJSON **out, int max)
{
    int n = 0;
    cJSON *configs = cJSON_GetObjectItem(cJSON_GetObjectItem(results, "summary"), "configs");
    for (cJSON *c = configs->child; c; c = c->next) {
        cJSON *s = cJSON_GetObjectItem(c, "sampler");
        if (cJSON_IsString(s) && strcmp(s->valuestring, sampler) == 0 &&
            strcmp(cJSON_GetObjectItem(c, "workload")->valuestring, workload) == 0 && n < max)
            out[n++] = c;
    }
    return n;
}

START_TEST(test_baselines_have_rows)
{
    /* Each baseline gets rows beside our samplers: measured where installed, otherwise
     * recorded as unavailable with the reason. matmul runs on 2 threads while the main
     * thread waits: gperftools' per-thread mode samples only threads that registered, so
     * its samples show the workload's threads did. go-pprof runs the Go twin, with a row
     * of its own for the twin with profiling off; truth has no twin. */
    char path[256];
    write_file(
        path, sizeof path, "bl.json",
        "{\"workloads\": [{\"name\": \"mm\", \"program\": \"matmul\", \"args\": "
        "[\"--n\", \"96\", \"--reps\", \"60\", \"--threads\", \"2\"]}, {\"name\": \"tr\", "
        "\"program\": \"truth\", \"args\": [\"--case\", \"split\", \"--seconds\", \"0.05\"]}], "
        "\"samplers\": [\"perf-clock\"], \"unwinders\": [\"fp\"], \"baselines\": "
        "[\"gperftools\", \"gperftools-thread\", \"perf-record\", \"go-pprof\"], "
        "\"rates\": [200, 1000], \"repetitions\": 2, \"warmup\": 0, \"seed\": 1}");
    cJSON *r = bench_results(path, "bl");
    char twin[1024];
    snprintf(twin, sizeof twin, "%s", hzprof);
    snprintf(strrchr(twin, '/') + 1, sizeof twin - (size_t)(strrchr(twin, '/') + 1 - twin),
             "go-matmul");
    const char *names[] = {"gperftools", "gperftools-thread", "perf-record", "go-pprof"};
    const bool installed[] = {access("/usr/lib/x86_64-linux-gnu/libprofiler.so.0", R_OK) == 0,
                              access("/usr/lib/x86_64-linux-gnu/libprofiler.so.0", R_OK) == 0,
                              access("/usr/bin/perf", X_OK) == 0, access(twin, X_OK) == 0};
    for (int b = 0; b < 4; b++) {
        cJSON *rows[8];
        const bool go = strcmp(names[b], "go-pprof") == 0;
        int n = rows_of(r, "mm", names[b], rows, 8);
        ck_assert_msg(n == (go ? 3 : 2), "%s: %d rows", names[b], n);
        for (int i = 0; i < n; i++) {
            cJSON *c = rows[i];
            const bool twin_off = cJSON_GetObjectItem(c, "rate")->valuedouble == 0;
            ck_assert(!twin_off || (go && i == 0));
            if (!installed[b]) {
                ck_assert(cJSON_IsString(cJSON_GetObjectItem(c, "unavailable")));
                continue;
            }
            /* The twin's off run pairs with each of its rates: 2 blocks x 2 rates. */
            ck_assert_int_eq(cJSON_GetObjectItem(c, "n")->valueint, twin_off ? 4 : 2);
            ck_assert(cJSON_IsObject(cJSON_GetObjectItem(c, "throughput")));
            if (twin_off) { /* the Go twin with profiling off: the reference, no overhead */
                ck_assert(!cJSON_GetObjectItem(c, "overhead"));
                continue;
            }
            ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(c, "achieved_hz_median")));
            ck_assert_msg(cJSON_GetObjectItem(c, "achieved_hz_median")->valuedouble > 0,
                          "%s took no samples", names[b]);
            ck_assert(cJSON_IsObject(cJSON_GetObjectItem(c, "overhead")));
            ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "lost_samples_total")));
        }
    }
    cJSON *rows[8];
    ck_assert_int_eq(rows_of(r, "tr", "go-pprof", rows, 8), 3);
    for (int i = 0; i < 3; i++) {
        cJSON *why = cJSON_GetObjectItem(rows[i], "unavailable");
        ck_assert(cJSON_IsString(why) && strstr(why->valuestring, "no Go twin of the truth"));
    }
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_precision_targets_reported)
{
    /* The adaptive rounds stop when every target's cost per sample is within the
     * precision, and the summary judges the same figures by the same rule on the same
     * data: so a figure the summary calls unmet must have had every round it could get
     * (the adaptive rule once used another bootstrap seed than the summary and stopped
     * with a figure the summary then called unmet). */
    char path[256];
    write_file(path, sizeof path, "ad.json",
               "{\"workloads\": [{\"name\": \"mm\", \"program\": \"matmul\", \"args\": "
               "[\"--n\", \"64\", \"--reps\", \"400\"]}], \"samplers\": [\"perf-clock\"], "
               "\"unwinders\": [\"empty\", \"fp\"], \"rates\": [2000], \"repetitions\": 2, "
               "\"warmup\": 0, \"seed\": 3, \"adaptive\": {\"precision\": 0.3, \"budget_s\": "
               "600, \"max_repetitions\": 8, \"targets\": [{\"unwinder\": \"fp\"}]}}");
    cJSON *r = bench_results(path, "ad");
    cJSON *prec = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "summary"), "precision");
    ck_assert(cJSON_IsObject(prec));
    ck_assert_double_eq(cJSON_GetObjectItem(prec, "target_pct")->valuedouble, 30);
    cJSON *figs = cJSON_GetObjectItem(prec, "figures");
    ck_assert_int_eq(cJSON_GetArraySize(figs), 1); /* fp is the target, empty is not */
    cJSON *fig = cJSON_GetArrayItem(figs, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(fig, "unwinder")->valuestring, "fp");
    const bool met = cJSON_IsTrue(cJSON_GetObjectItem(fig, "met"));
    const double pairs = cJSON_GetObjectItem(fig, "pairs")->valuedouble;
    ck_assert_msg(met || pairs >= 8, "unmet with %.0f pairs of 8", pairs);
    ck_assert_double_eq(cJSON_GetObjectItem(prec, "met")->valuedouble, met ? 1 : 0);
    /* summary.md says it too. */
    char *text = slurp_work("ad/summary.md");
    ck_assert_ptr_nonnull(strstr(text, met ? "1 of 1 headline figures met" : "0 of 1 headline"));
    free(text);
    cJSON_Delete(r);
}
END_TEST

START_TEST(test_truth_skid_in_records)
{
    /* Issue 15: a profiled trial of truth --case syscalls carries the skid at system calls
     * beside the attribution error; one of a truth without syscall sites (periodic) does
     * not; --period-us and --busy reach the record in the workload's params. */
    char path[256];
    write_file(
        path, sizeof path, "skid.json",
        "{\"workloads\": [{\"name\": \"sc\", \"program\": \"truth\", \"args\": [\"--case\", "
        "\"syscalls\", \"--seconds\", \"0.1\", \"--busy\", \"1\"]}, {\"name\": \"pe\", "
        "\"program\": \"truth\", \"args\": [\"--case\", \"periodic\", \"--seconds\", \"0.1\", "
        "\"--period-us\", \"2000\"]}], \"samplers\": [\"thread-timer\"], \"unwinders\": "
        "[\"fp\"], \"rates\": [1000], \"repetitions\": 2, \"warmup\": 0, \"seed\": 5}");
    cJSON *r = bench_results(path, "skid");
    int profiled[2] = {0, 0};
    for (cJSON *t = cJSON_GetObjectItem(r, "trials")->child; t; t = t->next) {
        cJSON *c = cJSON_GetObjectItem(t, "config");
        cJSON *params = cJSON_GetObjectItem(cJSON_GetObjectItem(t, "output"), "params");
        const bool sc = strcmp(cJSON_GetObjectItem(c, "workload")->valuestring, "sc") == 0;
        ck_assert_double_eq(cJSON_GetObjectItem(params, "busy")->valuedouble, sc ? 1 : 0);
        if (!sc)
            ck_assert_double_eq(cJSON_GetObjectItem(params, "period_us")->valuedouble, 2000);
        if (!cJSON_IsString(cJSON_GetObjectItem(c, "sampler")))
            continue;
        profiled[sc]++;
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(t, "attribution_error_pts")));
        cJSON *skid = cJSON_GetObjectItem(t, "skid_pts");
        cJSON *pct = cJSON_GetObjectItem(t, "syscall_site_pct");
        cJSON *truth = cJSON_GetObjectItem(t, "syscall_site_truth_pct");
        if (!sc) {
            ck_assert(!skid && !pct && !truth);
            continue;
        }
        ck_assert(cJSON_IsNumber(skid) && cJSON_IsNumber(pct) && cJSON_IsNumber(truth));
        ck_assert(truth->valuedouble > 0);
        ck_assert_double_eq_tol(skid->valuedouble, pct->valuedouble - truth->valuedouble, 1e-9);
    }
    ck_assert_int_eq(profiled[0], 2);
    ck_assert_int_eq(profiled[1], 2);
    cJSON_Delete(r);
}
END_TEST

/* Budget mode (bench_budget.h): every profiled trial runs with --max-overhead and reports
 * the rate it chose and the overhead it predicted; the summary has a row per budget
 * configuration whose verdict is the one its interval and prediction give, and summary.md
 * has the section. The config has no "rates": budget configurations only. */
START_TEST(test_budget_mode)
{
    cJSON *r = bench_results(budget_config, "budget");
    char path[256];
    cJSON *lines[64];
    snprintf(path, sizeof path, "%s/budget/trials.jsonl", work);
    const size_t n = load_lines(path, lines, 64);
    ck_assert_uint_eq(n, 24); /* (a budget pair + an A/A pair) x 6 blocks */
    size_t on = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *cfg = cJSON_GetObjectItem(lines[i], "config");
        if (strcmp(cJSON_GetObjectItem(lines[i], "role")->valuestring, "on") == 0) {
            on++;
            ck_assert_double_eq(cJSON_GetObjectItem(cfg, "max_overhead_pct")->valuedouble, 1);
            ck_assert_double_eq(cJSON_GetObjectItem(cfg, "rate")->valuedouble, 0);
            cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(lines[i], "output"), "profiling");
            ck_assert_double_eq(cJSON_GetObjectItem(p, "max_overhead_pct")->valuedouble, 1);
            const double hz = cJSON_GetObjectItem(p, "hz")->valuedouble,
                         cost = cJSON_GetObjectItem(p, "cost_ns_per_sample")->valuedouble,
                         pred = cJSON_GetObjectItem(p, "predicted_overhead_pct")->valuedouble;
            ck_assert(hz >= 1 && hz <= 10000 && cost > 0);
            ck_assert_double_eq_tol(pred, hz * cost / 1e7, 1e-9); /* perf-clock: no ceiling */
            ck_assert(pred <= 1 + 1e-9);
            ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "cost_calibrated")));
        } else {
            ck_assert(!cJSON_GetObjectItem(cfg, "max_overhead_pct"));
        }
        cJSON_Delete(lines[i]);
    }
    ck_assert_uint_eq(on, 6);
    cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "summary"), "budget");
    ck_assert_int_eq(cJSON_GetArraySize(rows), 1);
    cJSON *row = cJSON_GetArrayItem(rows, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(row, "sampler")->valuestring, "perf-clock");
    ck_assert_double_eq(cJSON_GetObjectItem(row, "max_overhead_pct")->valuedouble, 1);
    ck_assert_int_eq(cJSON_GetObjectItem(row, "n")->valueint, 6);
    const double pred = cJSON_GetObjectItem(row, "predicted_overhead_pct")->valuedouble;
    ck_assert(cJSON_GetObjectItem(row, "chosen_rate_hz")->valuedouble >= 1 && pred > 0);
    cJSON *ov = cJSON_GetObjectItem(cJSON_GetObjectItem(row, "paired"), "cpu_overhead");
    const double lo = cJSON_GetObjectItem(ov, "lo")->valuedouble,
                 hi = cJSON_GetObjectItem(ov, "hi")->valuedouble;
    const char *want = hi < pred ? "below" : lo > pred ? "above" : "within";
    ck_assert_str_eq(cJSON_GetObjectItem(row, "verdict")->valuestring, want);
    ck_assert(cJSON_IsBool(cJSON_GetObjectItem(row, "over_budget")));
    /* Budget configurations stay out of the fixed-rate tables. */
    ck_assert_int_eq(
        cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "summary"), "configs")),
        1); /* the workload off */
    cJSON_Delete(r);
    char *text = slurp_work("budget/summary.md");
    ck_assert_ptr_nonnull(strstr(text, "## Budget mode: predicted vs measured"));
    ck_assert_ptr_nonnull(strstr(text, "| mm | perf-clock | fp | 1 | "));
    free(text);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s HZPROF BUDGET_CONFIG\n", argv[0]);
        return 2;
    }
    hzprof = argv[1];
    budget_config = argv[2];
    /* In the sanitizer build every workload carries libasan, which wants to come first in
     * the library list; the gperftools baseline preloads libprofiler before it. */
    char asan[1024];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", old ? old : "", old ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    Suite *s = suite_create("bench");
    TCase *tc = tcase_create("bench");
    tcase_set_timeout(tc, 180);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_schema_count_interleaving);
    tcase_add_test(tc, test_resume_runs_only_missing_trials);
    tcase_add_test(tc, test_bad_configs_fail_before_any_trial);
    tcase_add_test(tc, test_baselines_have_rows);
    tcase_add_test(tc, test_failed_configs_are_reported);
    tcase_add_test(tc, test_precision_targets_reported);
    tcase_add_test(tc, test_truth_skid_in_records);
    tcase_add_test(tc, test_budget_mode);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
