/*
 * baseline_gperftools.c — gperftools' CPU profiler (libprofiler, setitimer(ITIMER_PROF)),
 * preloaded into the workload and set by the environment; gperftools-thread is its
 * per-thread timer mode (CPUPROFILE_PER_THREAD_TIMERS: the workload's threads register
 * themselves, workload_thread_started()). Its legacy binary profile is counted here and
 * converted to pprof by `go tool pprof -proto` (Debian golang-go; it symbolizes with
 * binutils from the profile's own memory map).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "text_file.h"

#define LIBPROFILER "/usr/lib/x86_64-linux-gnu/libprofiler.so.0"

/* Whether the installed libprofiler has the per-thread timer mode: its code reads the
 * CPUPROFILE_PER_THREAD_TIMERS variable, so the name is in the library. */
static bool has_thread_timers(void)
{
    static int found = -1; /* asked before every trial of the baseline: read the file once */
    if (found < 0) {
        size_t len;
        char *data = read_file(LIBPROFILER, &len);
        found = data && memmem(data, len, "CPUPROFILE_PER_THREAD_TIMERS", 28) != NULL;
        free(data);
    }
    return found;
}

static const char *missing(const char *program, const char *bin_dir, char *why, size_t n)
{
    (void)program, (void)bin_dir, (void)why, (void)n;
    if (access(LIBPROFILER, R_OK) != 0)
        return "gperftools not installed: no " LIBPROFILER
               " (apt-get install libgoogle-perftools4)";
    return NULL;
}

static const char *missing_thread(const char *program, const char *bin_dir, char *why, size_t n)
{
    const char *m = missing(program, bin_dir, why, n);
    if (!m && !has_thread_timers())
        m = "this gperftools has no per-thread timer mode (CPUPROFILE_PER_THREAD_TIMERS)";
    return m;
}

static void command(struct baseline_cmd *cmd, const char *profiles, size_t trial, unsigned rate)
{
    snprintf(cmd->out, sizeof cmd->out, "%s/trial-%zu.prof", profiles, trial);
    snprintf(cmd->store[0], sizeof cmd->store[0], "LD_PRELOAD=%s", LIBPROFILER);
    snprintf(cmd->store[1], sizeof cmd->store[1], "CPUPROFILE=%s", cmd->out);
    snprintf(cmd->store[2], sizeof cmd->store[2], "CPUPROFILE_FREQUENCY=%u", rate);
    for (size_t i = 0; i < 3; i++)
        cmd->env[i] = cmd->store[i];
}

static void command_thread(struct baseline_cmd *cmd, const char *profiles, size_t trial,
                           unsigned rate)
{
    command(cmd, profiles, trial, rate);
    cmd->env[3] = "CPUPROFILE_PER_THREAD_TIMERS=1";
}

/* Samples in a gperftools CPU profile: 64-bit words, header [0, 3, 0, period, 0], then
 * records [count, depth, pc...], ending with [0, 1, 0]. -1 if unreadable. */
static double samples(const char *path)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return -1;
    const uint64_t *w = (const uint64_t *)data;
    size_t n = len / 8, i = 5;
    double total = 0;
    while (i + 2 <= n) {
        uint64_t count = w[i], depth = w[i + 1];
        if (count == 0 && depth == 1)
            break;
        total += (double)count;
        i += 2 + depth;
    }
    free(data);
    return total;
}

static int to_pprof(const char *raw, const char *out_pb, char *err, size_t n)
{
    char q_raw[8300], q_out[8300], cmd[17000];
    baseline_shell_quote(q_raw, sizeof q_raw, raw);
    baseline_shell_quote(q_out, sizeof q_out, out_pb);
    snprintf(cmd, sizeof cmd,
             "command -v go >/dev/null 2>&1 && go tool pprof -proto -output %s %s >/dev/null 2>&1",
             q_out, q_raw);
    if (system(cmd) != 0 || access(out_pb, R_OK) != 0) {
        snprintf(err, n,
                 "cannot convert the gperftools profile '%s' (needs `go tool pprof`: "
                 "apt-get install golang-go)",
                 raw);
        return -1;
    }
    return 0;
}

const struct baseline_ops baseline_gperftools = {
    .name = "gperftools",
    .missing = missing,
    .command = command,
    .samples = samples,
    .to_pprof = to_pprof,
};

const struct baseline_ops baseline_gperftools_thread = {
    .name = "gperftools-thread",
    .missing = missing_thread,
    .command = command_thread,
    .samples = samples,
    .to_pprof = to_pprof,
};
