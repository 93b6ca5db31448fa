/*
 * test_bench_errors.c — bench's runner on its failure paths (issue 17 #5), in this
 * process: bench_run with fake workloads (shell scripts in a bin directory of the test's
 * own) that fail, crash, cannot be executed or hang; an output directory that cannot be
 * written; a trials.jsonl that cannot be read, cannot be opened, or outgrows the file-size
 * limit mid-run; no descriptors left for a trial's pipes. Each call must return the code
 * and the one-line error bench.h promises, print nothing (progress comes through the
 * callbacks: the harness never prints), and leave no descriptor open and no child
 * unreaped. In the sanitizer build LeakSanitizer checks at the end of every test (Check
 * runs each in a process of its own) that nothing allocated is left. Then the command's
 * own refusals, through the real hzprof: a directory that already holds a run, a bad
 * value, a workload program that is not there, and bench_run's error as the command
 * prints it.
 *
 *   test_bench_errors HZPROF
 */
#define _GNU_SOURCE
#include <check.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bench.h"
#include "bench_config.h"
#include "check_runner.h"
#include "support.h"

static const char *hzprof;
static char work[] = "/tmp/hzprof-test-bench-errors-XXXXXX";
static char bin[256];

/* matmul by BENCH_ERRORS_MODE: fail (a reason on stderr, status 1), crash (SIGSEGV), hang
 * (its profiled trials sleep past the timeout; the others fail), nounit (succeeds, its
 * output without measured.unit). truth cannot be executed
 * (its interpreter does not exist): the exec in the child fails. */
static const char fake_matmul[] =
    "#!/bin/sh\n"
    "case \"$BENCH_ERRORS_MODE\" in\n"
    "crash) kill -SEGV $$ ;;\n"
    "hang) for a; do [ \"$a\" = --sampler ] && exec sleep 60; done ;;\n"
    "nounit) echo '{\"measured\": {\"throughput\": 5, \"cpu_seconds\": 0.01}}'; exit 0 ;;\n"
    "esac\n"
    "echo 'matmul: told to fail' >&2\n"
    "exit 1\n";
static const char fake_truth[] = "#!/nonexistent/interpreter\n";

/* 1 workload: off and perf-clock/fp at 200 Hz; an on/off pair and an A/A pair = 4 trials. */
static const char config_json[] =
    "{\"workloads\": [{\"name\": \"mm\", \"program\": \"%s\"}], \"samplers\": [\"perf-clock\"],"
    " \"unwinders\": [\"fp\"], \"rates\": [200], \"repetitions\": 1, \"warmup\": 0, \"seed\": 3,"
    " \"trial_timeout_s\": 1}";

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(work));
    snprintf(bin, sizeof bin, "%s/bin", work);
    ck_assert_int_eq(mkdir(bin, 0777), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/matmul", bin);
    write_file(path, fake_matmul, 0755);
    snprintf(path, sizeof path, "%s/truth", bin);
    write_file(path, fake_truth, 0755);
    unsetenv("BENCH_ERRORS_MODE");
}

static void teardown(void)
{
    run_sh("rm -rf '%s'", work);
}

/* What a run told through its callbacks (checked after the run: Check writes a message
 * at every assertion, which a lowered file-size limit would cut). */
struct told {
    size_t trials, notes;
    bool out_of_order; /* done not counting up by one (resumed: from where it was), or past
                          total */
    struct bench_trial_done last;
    char last_what[160], last_error[512], note[512];
    int statuses[16];
    char errors[16][512];
};

static void on_trial(void *ctx, const struct bench_trial_done *t)
{
    struct told *w = ctx;
    w->out_of_order |= (w->trials && t->done != w->last.done + 1) || t->done > t->total;
    if (w->trials < 16) {
        w->statuses[w->trials] = t->exit_status;
        snprintf(w->errors[w->trials], sizeof w->errors[0], "%s", t->error ? t->error : "(none)");
    }
    w->trials++;
    w->last = *t;
    snprintf(w->last_what, sizeof w->last_what, "%s", t->what);
}

static void on_note(void *ctx, const char *line)
{
    struct told *w = ctx;
    w->notes++;
    snprintf(w->note, sizeof w->note, "%s", line);
}

/* bench_run prints nothing: not a trial's progress, not a failed configuration (the
 * command names those from results.json), not an error. */
static void assert_nothing_printed(const char *out, const char *err)
{
    ck_assert_msg(out[0] == '\0', "the runner printed on stdout: %s", out);
    ck_assert_msg(err[0] == '\0', "the runner printed on stderr: %s", err);
}

/* A limit set around bench_run alone (RLIMIT_FSIZE, RLIMIT_NOFILE), or none. */
static int limit_resource = -1;
static rlim_t limit_value;

/* bench_run on dir with the config for program, stdout and stderr caught in files; checks
 * that no descriptor and no child is left. Returns its code, err in err. */
static int run(const char *program, const char *dir, bool resume, struct told *w, char *err,
               size_t n)
{
    char json[1024], why[256];
    snprintf(json, sizeof json, config_json, program);
    struct bench_config c;
    ck_assert_msg(bench_config_parse(json, &c, why, sizeof why) == 0, "%s", why);
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", work);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", work);
    fflush(stdout);
    fflush(stderr);
    const int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    const int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert(saved_out >= 0 && saved_err >= 0 && fo >= 0 && fe >= 0);
    dup2(fo, STDOUT_FILENO);
    dup2(fe, STDERR_FILENO);
    close(fo);
    close(fe);

    const size_t fds = (size_t)count_fds();
    memset(w, 0, sizeof *w);
    const struct bench_progress p = {.trial_done = on_trial, .note = on_note, .ctx = w};
    memset(err, 'x', n); /* so an error that is not written shows */
    struct rlimit old, lowered;
    if (limit_resource >= 0) {
        ck_assert_int_eq(getrlimit(limit_resource, &old), 0);
        lowered = old;
        lowered.rlim_cur = limit_value;
        ck_assert_int_eq(setrlimit(limit_resource, &lowered), 0);
    }
    const int rc = bench_run(&c, dir, bin, resume, &p, err, n); /* no assertion while limited */
    if (limit_resource >= 0 && setrlimit(limit_resource, &old) != 0)
        abort();
    limit_resource = -1;
    const size_t fds_after = (size_t)count_fds();
    const pid_t child = waitpid(-1, NULL, WNOHANG);
    const int child_errno = errno;

    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    bench_config_free(&c);
    ck_assert_msg(fds_after == fds, "%zu descriptors open before bench_run, %zu after", fds,
                  fds_after);
    ck_assert_msg(child == -1 && child_errno == ECHILD, "a child left unreaped (%d)", (int)child);
    char *o = read_text(out_path), *e = read_text(err_path);
    assert_nothing_printed(o, e);
    free(o);
    free(e);
    ck_assert_msg(memchr(err, '\0', n) != NULL, "err not terminated");
    ck_assert_msg(!strchr(err, '\n'), "err of more than one line: %s", err);
    ck_assert_msg(!w->out_of_order, "trials told out of order");
    return rc;
}

static char dir[1024], msg[4096];

START_TEST(test_workload_fails)
{
    setenv("BENCH_ERRORS_MODE", "fail", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_str_eq(msg, ""); /* the run went through: no error */
    ck_assert_uint_eq(w.trials, 4);
    ck_assert_uint_eq(w.last.total, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(w.statuses[i], 1);
        ck_assert_str_eq(w.errors[i], "matmul: told to fail\n");
    }
    ck_assert_uint_eq(w.notes, 0);
}
END_TEST

/* A workload whose output lacks measured.unit: the summary read it through NULL (UBSan);
 * now its throughput's unit is null, and the run goes through. */
START_TEST(test_workload_output_without_unit)
{
    setenv("BENCH_ERRORS_MODE", "nounit", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "");
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text = read_text(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "\"unit\":\tnull"), "no null unit in %s", path);
    free(text);
}
END_TEST

/* Every preset's config, as a run writes it (DIR/config.json), parses again: --resume
 * reads it. The budget preset has no rates and writes "rates": [], which --resume refused
 * ("'rates' must be a list of 1..32 rates in Hz"); a config with neither rates nor
 * budgets is still refused. */
START_TEST(test_presets_config_round_trip)
{
    static const char *const presets[] = {"quick", "full", "cachegrind", "bias", "budget"};
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        struct bench_config c, again;
        char why[512];
        ck_assert_msg(bench_config_load(presets[i], &c, why, sizeof why) == 0, "%s: %s", presets[i],
                      why);
        cJSON *j = bench_config_to_json(&c);
        char *text = cJSON_Print(j);
        ck_assert_msg(bench_config_parse(text, &again, why, sizeof why) == 0, "%s: %s", presets[i],
                      why);
        ck_assert_uint_eq(again.nrates, c.nrates);
        ck_assert_uint_eq(again.nbudgets, c.nbudgets);
        free(text);
        bench_config_free(&again);
        if (c.nbudgets && !c.nrates) {
            struct bench_config refused;
            cJSON_DeleteItemFromObject(j, "max_overhead_pct");
            text = cJSON_Print(j);
            ck_assert_int_eq(bench_config_parse(text, &refused, why, sizeof why), -1);
            ck_assert_str_eq(why, "'rates' (or 'max_overhead_pct') is required");
            free(text);
        }
        cJSON_Delete(j);
        bench_config_free(&c);
    }
}
END_TEST

START_TEST(test_workload_crashes)
{
    setenv("BENCH_ERRORS_MODE", "crash", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_str_eq(msg, "");
    ck_assert_uint_eq(w.trials, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(w.statuses[i], 128 + SIGSEGV);
        ck_assert_str_eq(w.errors[i], ""); /* it said nothing */
    }
}
END_TEST

START_TEST(test_workload_cannot_run)
{
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("truth", dir, false, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_str_eq(msg, "");
    ck_assert_uint_eq(w.trials, 4);
    char want[512];
    snprintf(want, sizeof want, "cannot run %s/truth: No such file or directory\n", bin);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(w.statuses[i], 127);
        ck_assert_str_eq(w.errors[i], want);
    }
}
END_TEST

START_TEST(test_trial_times_out)
{
    /* The profiled trial sleeps 60 s: killed after the config's 1 s, and reaped. */
    setenv("BENCH_ERRORS_MODE", "hang", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_uint_eq(w.trials, 4);
    int timeouts = 0;
    for (int i = 0; i < 4; i++)
        if (w.statuses[i] == -1) {
            timeouts++;
            ck_assert_str_eq(w.errors[i], "timeout: killed");
        }
    ck_assert_int_eq(timeouts, 1);
}
END_TEST

START_TEST(test_output_dir_cannot_be_written)
{
    char file[512];
    snprintf(file, sizeof file, "%s/a-file", work);
    write_file(file, "", 0644);
    snprintf(dir, sizeof dir, "%s/sub", file);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), -1);
    char want[4096];
    snprintf(want, sizeof want, "cannot create '%s/profiles': Not a directory", dir);
    ck_assert_str_eq(msg, want);
    ck_assert_uint_eq(w.trials, 0);
}
END_TEST

START_TEST(test_trials_cannot_be_read_on_resume)
{
    snprintf(dir, sizeof dir, "%s/run", work);
    char path[1200];
    snprintf(path, sizeof path, "%s/trials.jsonl", dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(mkdir(path, 0777), 0); /* a directory where the file should be */
    struct told w;
    ck_assert_int_eq(run("matmul", dir, true, &w, msg, sizeof msg), -1);
    char want[4096];
    snprintf(want, sizeof want, "cannot read '%s': Is a directory", path);
    ck_assert_str_eq(msg, want);
    ck_assert_uint_eq(w.trials, 0);
}
END_TEST

START_TEST(test_trials_cannot_be_opened)
{
    snprintf(dir, sizeof dir, "%s/run", work);
    char path[1200];
    snprintf(path, sizeof path, "%s/trials.jsonl", dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(symlink("/nonexistent/dir/trials.jsonl", path), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, true, &w, msg, sizeof msg), -1);
    char want[4096];
    snprintf(want, sizeof want, "cannot write '%s': No such file or directory", path);
    ck_assert_str_eq(msg, want);
    ck_assert_uint_eq(w.trials, 0);
}
END_TEST

START_TEST(test_write_fails_mid_run_then_resume)
{
    /* trials.jsonl may not pass 1 KiB: the third record (~450 bytes each) cannot be
     * written; the run stops with what it wrote valid, and a resume finishes it. */
    setenv("BENCH_ERRORS_MODE", "fail", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    signal(SIGXFSZ, SIG_IGN);
    limit_resource = RLIMIT_FSIZE;
    limit_value = 1024;
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), -1);
    char want[4096];
    snprintf(want, sizeof want,
             "cannot write '%s/trials.jsonl': File too large; stopped (what was written stays "
             "valid: --resume %s continues)",
             dir, dir);
    ck_assert_str_eq(msg, want);
    ck_assert_uint_ge(w.trials, 1);
    ck_assert_uint_lt(w.trials, 4);
    const size_t first = w.trials;

    ck_assert_int_eq(run("matmul", dir, true, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_str_eq(msg, "");
    ck_assert_uint_eq(w.trials, 4 - first); /* only the missing ones */
    ck_assert_uint_eq(w.last.done, 4);
}
END_TEST

START_TEST(test_damaged_lines_are_a_note)
{
    setenv("BENCH_ERRORS_MODE", "fail", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_int_eq(run_sh("echo garbage >> '%s/trials.jsonl'; echo '{\"trial\": -1}' >> "
                            "'%s/trials.jsonl'",
                            dir, dir),
                     0);
    ck_assert_int_eq(run("matmul", dir, true, &w, msg, sizeof msg), BENCH_SOME_FAILED);
    ck_assert_uint_eq(w.trials, 0);
    ck_assert_uint_eq(w.notes, 1);
    char want[4096];
    snprintf(want, sizeof want, "%s/trials.jsonl: 2 damaged lines kept and skipped", dir);
    ck_assert_str_eq(w.note, want);
}
END_TEST

START_TEST(test_no_descriptors_for_a_trial)
{
    /* Descriptors for trials.jsonl and one pipe, not for the second: the first pipe must
     * not be left open (run() counts them). */
    setenv("BENCH_ERRORS_MODE", "fail", 1);
    snprintf(dir, sizeof dir, "%s/run", work);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    /* The five lowest free descriptors: run()'s saved stdout and stderr, trials.jsonl and
     * the first pipe take them; the limit is set when the first two are taken. */
    int fds[5];
    for (int i = 0; i < 5; i++)
        ck_assert_int_ge(fds[i] = open("/dev/null", O_RDONLY), 0);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    limit_resource = RLIMIT_NOFILE;
    limit_value = (rlim_t)fds[4] + 1;
    struct told w;
    ck_assert_int_eq(run("matmul", dir, false, &w, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "cannot start a trial: Too many open files");
    ck_assert_uint_eq(w.trials, 0);
}
END_TEST

START_TEST(test_bad_config_values)
{
    static const struct {
        const char *json, *error;
    } cases[] = {
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], \"unwinders\": "
         "[\"fp\"], \"rates\": [100], \"warmup\": 101}",
         "'warmup' must be an integer in 0..100"},
        {"{\"workloads\": [{\"program\": \"io\"}, {\"program\": \"io\"}], \"samplers\": "
         "[\"itimer\"], \"unwinders\": [\"fp\"], \"rates\": [100]}",
         "'workloads.name': 'io' appears twice"},
        {"{\"workloads\": [{\"program\": \"io\", \"args\": [\"--n\", 3]}], \"samplers\": "
         "[\"itimer\"], \"unwinders\": [\"fp\"], \"rates\": [100]}",
         "'workloads.args' must hold strings"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\", 7], "
         "\"unwinders\": [\"fp\"], \"rates\": [100]}",
         "'samplers' must hold strings"},
        {"{\"workloads\": [{\"program\": \"io\"}], \"samplers\": [\"itimer\"], \"unwinders\": "
         "[\"fp\"], \"rates\": [100], \"adaptive\": {\"precision\": 0.1, \"targets\": "
         "[{\"sampler\": \"itimer\", \"sampler\": \"wall\"}]}}",
         "'adaptive.targets': bad key 'sampler' (valid: workload, sampler, unwinder, rate, each "
         "once)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bench_config c;
        char err[512];
        ck_assert_int_eq(bench_config_parse(cases[i].json, &c, err, sizeof err), -1);
        ck_assert_str_eq(err, cases[i].error);
    }
    /* An override that fails leaves a config the caller frees. */
    struct bench_config c;
    char err[512], json[1024];
    snprintf(json, sizeof json, config_json, "matmul");
    ck_assert_int_eq(bench_config_parse(json, &c, err, sizeof err), 0);
    ck_assert_int_eq(bench_config_override(&c, "samplers", "wall,bogus", err, sizeof err), -1);
    ck_assert_str_eq(err, "'samplers': unknown name 'bogus' (valid: itimer, thread-timer, "
                          "perf-clock, perf-cycles, wall, wall-timer)");
    ck_assert_int_eq(bench_config_override(&c, "rates", "100,x", err, sizeof err), -1);
    ck_assert_str_eq(err, "'x' is not an integer rate in Hz");
    bench_config_free(&c);
}
END_TEST

/* The command: its refusals before any trial, and bench_run's error as it prints it. */
static int cli(const char *args, char *err_text, size_t n)
{
    char err_path[512];
    snprintf(err_path, sizeof err_path, "%s/cli-stderr.txt", work);
    const int rc = run_sh("'%s' bench %s 2> '%s' > /dev/null", hzprof, args, err_path);
    char *e = read_text(err_path);
    ck_assert_ptr_nonnull(e);
    snprintf(err_text, n, "%s", e);
    free(e);
    return rc;
}

START_TEST(test_command_refusals)
{
    char cfg[512], args[4096], got[4096], want[4096];
    snprintf(cfg, sizeof cfg, "%s/cfg.json", work);
    char json[1024];
    snprintf(json, sizeof json, config_json, "matmul");
    write_file(cfg, json, 0644);

    /* A directory that already holds a run. */
    snprintf(dir, sizeof dir, "%s/held", work);
    ck_assert_int_eq(run_sh("mkdir -p '%s' && touch '%s/trials.jsonl'", dir, dir), 0);
    snprintf(args, sizeof args, "'%s' -o '%s'", cfg, dir);
    ck_assert_int_eq(cli(args, got, sizeof got), 1);
    snprintf(want, sizeof want,
             "hzprof bench: '%s' already holds a run; use --resume %s or another -o\n", dir, dir);
    ck_assert_str_eq(got, want);

    /* A bad value. */
    snprintf(args, sizeof args, "'%s' --reps 0 -o '%s/x'", cfg, work);
    ck_assert_int_eq(cli(args, got, sizeof got), 2);
    ck_assert_str_eq(got, "hzprof bench: --reps: 'repetitions' must be an integer in 1..1000\n");

    /* bench_run's error, printed by the command: trials.jsonl is a directory. */
    snprintf(dir, sizeof dir, "%s/resumed", work);
    ck_assert_int_eq(
        run_sh("mkdir -p '%s/trials.jsonl' && cp '%s' '%s/config.json'", dir, cfg, dir), 0);
    snprintf(args, sizeof args, "--resume '%s'", dir);
    ck_assert_int_eq(cli(args, got, sizeof got), 1);
    snprintf(want, sizeof want, "hzprof bench: cannot read '%s/trials.jsonl': Is a directory\n",
             dir);
    ck_assert_str_eq(got, want);

    /* A workload program that is not beside hzprof (a copy of it in the fake bin). */
    ck_assert_int_eq(run_sh("cp '%s' '%s/hzprof'", hzprof, bin), 0);
    snprintf(cfg, sizeof cfg, "%s/io.json", work);
    snprintf(json, sizeof json, config_json, "io");
    write_file(cfg, json, 0644);
    snprintf(args, sizeof args, "'%s' -o '%s/io-run'", cfg, work);
    char copy[512];
    snprintf(copy, sizeof copy, "%s/hzprof", bin);
    const char *real = hzprof;
    hzprof = copy;
    const int rc = cli(args, got, sizeof got);
    hzprof = real;
    ck_assert_int_eq(rc, 1);
    snprintf(want, sizeof want,
             "hzprof bench: workload program '%s/io' not found (build with make)\n", bin);
    ck_assert_str_eq(got, want);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s HZPROF\n", argv[0]);
        return 2;
    }
    hzprof = argv[1];
    Suite *s = suite_create("bench_errors");
    TCase *tc = tcase_create("bench_errors");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_workload_fails);
    tcase_add_test(tc, test_workload_output_without_unit);
    tcase_add_test(tc, test_presets_config_round_trip);
    tcase_add_test(tc, test_workload_crashes);
    tcase_add_test(tc, test_workload_cannot_run);
    tcase_add_test(tc, test_trial_times_out);
    tcase_add_test(tc, test_output_dir_cannot_be_written);
    tcase_add_test(tc, test_trials_cannot_be_read_on_resume);
    tcase_add_test(tc, test_trials_cannot_be_opened);
    tcase_add_test(tc, test_write_fails_mid_run_then_resume);
    tcase_add_test(tc, test_damaged_lines_are_a_note);
    tcase_add_test(tc, test_no_descriptors_for_a_trial);
    tcase_add_test(tc, test_bad_config_values);
    tcase_add_test(tc, test_command_refusals);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
