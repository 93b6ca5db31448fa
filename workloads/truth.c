/*
 * truth.c — ground-truth workloads: the true CPU split is measured, so a profile can be
 * scored against it (harness/score.c).
 *
 *   truth --case split|threads|offcpu|deep [--seconds S] [--threads N] [--depth D]
 *         [profiling flags]
 *
 * split    truth_a, truth_b, truth_c burn CPU 50:30:20 in rounds of >= 50 ms, shuffled.
 * threads  N threads (2..4) run thread_work_0.. with work 1:2:..:N at the same time.
 * offcpu   one thread alternates 10 ms of CPU in offcpu_busy with 10 ms asleep in
 *          offcpu_sleep: CPU samplers should see only offcpu_busy; the wall sampler
 *          should see about half of its samples off CPU.
 * deep     deep_recurse calls itself D times (default 200, deeper than the default
 *          max depth of 64), then burns CPU in deep_leaf: stacks are truncated, the leaf
 *          must still get all the CPU.
 *
 * result.truth holds the true shares in percent, per leaf function: "cpu" (share of CPU
 * time, what CPU samplers should report) and, for offcpu, "wall" (share of wall time,
 * with "[off-cpu]" for the sleeping part, what the wall sampler should report), and
 * "seconds", the measured time behind them (CPU seconds; wall seconds for offcpu). Each is
 * measured with the thread CPU clock and the monotonic clock around each function.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static volatile uint64_t sink;

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BURN_FUNCTION(name, seed)                                                                  \
    uint64_t __attribute__((noinline)) name(uint64_t n)                                            \
    {                                                                                              \
        uint64_t x = (seed) | n;                                                                   \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            x ^= x << 13;                                                                          \
            x ^= x >> 7;                                                                           \
            x ^= x << 17;                                                                          \
            __asm__ volatile("" : "+r"(x));                                                        \
        }                                                                                          \
        return x;                                                                                  \
    }

BURN_FUNCTION(truth_a, 1)
BURN_FUNCTION(truth_b, 2)
BURN_FUNCTION(truth_c, 3)
BURN_FUNCTION(thread_work_0, 4)
BURN_FUNCTION(thread_work_1, 5)
BURN_FUNCTION(thread_work_2, 6)
BURN_FUNCTION(thread_work_3, 7)
BURN_FUNCTION(offcpu_busy, 8)
BURN_FUNCTION(deep_leaf, 9)

static uint64_t (*const thread_work[])(uint64_t) = {thread_work_0, thread_work_1, thread_work_2,
                                                    thread_work_3};
static const char *const thread_work_names[] = {"thread_work_0", "thread_work_1", "thread_work_2",
                                                "thread_work_3"};

/* Iterations of truth_a per CPU second on this machine. */
static double calibrate(void)
{
    uint64_t n = 1 << 20;
    for (;;) {
        double t0 = thread_cpu();
        sink += truth_a(n);
        double dt = thread_cpu() - t0;
        if (dt > 0.02)
            return (double)n / dt;
        n *= 2;
    }
}

/* The measured seconds of each function, beside the shares (truth.cpu_seconds). */
static cJSON *seconds_obj;

static void add_share(cJSON *obj, const char *name, double part, double total)
{
    cJSON_AddNumberToObject(obj, name, total > 0 ? 100 * part / total : 0);
    if (seconds_obj && !cJSON_GetObjectItem(seconds_obj, name))
        cJSON_AddNumberToObject(seconds_obj, name, part);
}

/* --- cases --- */

/* Rounds of at least 50 ms, with the three functions in a shuffled order each round: a
 * periodic sampler whose period divides a fixed round length would otherwise hit the same
 * phase of every round and measure aliasing, not attribution (seen: 200 Hz on 5 ms
 * rounds gave truth_c 70% of the samples for 20% of the CPU). */
static void case_split(double rate, double seconds, cJSON *cpu)
{
    int rounds = (int)(seconds / 0.05);
    if (rounds < 2)
        rounds = 2;
    const double block = rate * seconds / rounds;
    uint64_t (*const fn[3])(uint64_t) = {truth_a, truth_b, truth_c};
    const double share[3] = {0.5, 0.3, 0.2};
    double t[3] = {0, 0, 0};
    unsigned seed = 12345;
    for (int r = 0; r < rounds; r++) {
        int order[3] = {0, 1, 2};
        for (int i = 2; i > 0; i--) {
            int j = rand_r(&seed) % (i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < 3; i++) {
            const int f = order[i];
            double t0 = thread_cpu();
            sink += fn[f]((uint64_t)(block * share[f]));
            t[f] += thread_cpu() - t0;
        }
    }
    const double ta = t[0], tb = t[1], tc = t[2];
    const double total = ta + tb + tc;
    add_share(cpu, "truth_a", ta, total);
    add_share(cpu, "truth_b", tb, total);
    add_share(cpu, "truth_c", tc, total);
}

struct thread_arg {
    int index;
    uint64_t iterations;
    double cpu;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    workload_thread_started();
    double t0 = thread_cpu();
    sink += thread_work[a->index](a->iterations);
    a->cpu = thread_cpu() - t0;
    return NULL;
}

static void case_threads(double rate, double seconds, int nthreads, cJSON *cpu)
{
    struct thread_arg args[4];
    pthread_t tids[4];
    const double units = (double)nthreads * (nthreads + 1) / 2;
    for (int i = 0; i < nthreads; i++) {
        args[i] = (struct thread_arg){i, (uint64_t)(rate * seconds * (i + 1) / units), 0};
        pthread_create(&tids[i], NULL, thread_main, &args[i]);
    }
    double total = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(tids[i], NULL);
        total += args[i].cpu;
    }
    for (int i = 0; i < nthreads; i++)
        add_share(cpu, thread_work_names[i], args[i].cpu, total);
}

static void __attribute__((noinline, noclone)) offcpu_sleep(double seconds)
{
    struct timespec ts = {0, (long)(seconds * 1e9)};
    while (nanosleep(&ts, &ts) != 0) /* resumes after a signal with the time left */
        ;
}

static void case_offcpu(double rate, double seconds, cJSON *cpu, cJSON *wall)
{
    const double slice = 0.01;
    const int rounds = (int)(seconds / slice);
    double busy_wall = 0, sleep_wall = 0;
    for (int r = 0; r < rounds; r++) {
        double w0 = measure_now();
        sink += offcpu_busy((uint64_t)(rate * slice));
        double w1 = measure_now();
        offcpu_sleep(slice);
        double w2 = measure_now();
        busy_wall += w1 - w0, sleep_wall += w2 - w1;
    }
    cJSON_AddNumberToObject(cpu, "offcpu_busy", 100);
    add_share(wall, "offcpu_busy", busy_wall, busy_wall + sleep_wall); /* wall seconds */
    add_share(wall, "[off-cpu]", sleep_wall, busy_wall + sleep_wall);
}

static uint64_t __attribute__((noinline, noclone)) deep_recurse(int depth, uint64_t n)
{
    if (depth <= 1)
        return deep_leaf(n);
    uint64_t r = deep_recurse(depth - 1, n);
    __asm__ volatile("" ::: "memory"); /* not a tail call: every level keeps a frame */
    return r + 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: truth --case split|threads|offcpu|deep [--seconds S] [--threads N]\n"
            "             [--depth D] [profiling flags]\n\n"
            "Ground-truth workloads; prints one JSON object whose result.truth holds the\n"
            "true share of each leaf function, in percent.\n"
            "  --case C      which workload (required)\n"
            "  --seconds S   CPU seconds of work, 0.05..600 (default 1)\n"
            "  --threads N   threads for 'threads', 2..4 (default 3)\n"
            "  --depth D     recursion depth for 'deep' (default 200)\n\n%s",
            profiling_usage);
}

int main(int argc, char **argv)
{
    struct profiling_options prof = {0};
    const char *which = NULL;
    double seconds = 1.0;
    unsigned long nthreads = 3, depth = 200;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int p = profiling_parse_flag(&prof, "truth", argc, argv, &i);
        if (p < 0)
            return 2;
        if (p > 0)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--case") == 0 && v) {
            which = v;
            i++;
        } else if (strcmp(a, "--seconds") == 0) {
            char *end;
            seconds = v ? strtod(v, &end) : 0;
            if (!v || *end || end == v || !(seconds >= 0.05 && seconds <= 600)) {
                fprintf(stderr, "truth: --seconds: '%s' is not a number in 0.05..600\n",
                        v ? v : "");
                return 2;
            }
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_uint_flag("truth", a, v, 2, 4, &nthreads))
                return 2;
            i++;
        } else if (strcmp(a, "--depth") == 0) {
            if (parse_uint_flag("truth", a, v, 1, 100000, &depth))
                return 2;
            i++;
        } else {
            fprintf(stderr, "truth: unknown or incomplete option '%s'; see --help\n", a);
            return 2;
        }
    }
    if (!which || (strcmp(which, "split") && strcmp(which, "threads") && strcmp(which, "offcpu") &&
                   strcmp(which, "deep"))) {
        fprintf(stderr, "truth: --case must be split, threads, offcpu or deep\n");
        return 2;
    }
    struct run run;
    run_init(&run, "truth", &prof);
    cJSON_AddStringToObject(run.params, "case", which);
    cJSON_AddNumberToObject(run.params, "seconds", seconds);
    if (strcmp(which, "threads") == 0)
        cJSON_AddNumberToObject(run.params, "threads", (double)nthreads);
    if (strcmp(which, "deep") == 0)
        cJSON_AddNumberToObject(run.params, "depth", (double)depth);
    const double rate = calibrate();
    cJSON *truth = cJSON_AddObjectToObject(run.result, "truth");
    cJSON *cpu = cJSON_AddObjectToObject(truth, "cpu");
    seconds_obj = cJSON_AddObjectToObject(truth, "seconds");

    int rc = run_begin(&run);
    if (rc)
        return rc;
    if (strcmp(which, "split") == 0) {
        case_split(rate, seconds, cpu);
    } else if (strcmp(which, "threads") == 0) {
        case_threads(rate, seconds, (int)nthreads, cpu);
    } else if (strcmp(which, "offcpu") == 0) {
        cJSON *wall = cJSON_AddObjectToObject(truth, "wall");
        case_offcpu(rate, seconds, cpu, wall);
    } else {
        const double t0 = thread_cpu();
        sink += deep_recurse((int)depth, (uint64_t)(rate * seconds));
        add_share(cpu, "deep_leaf", 1, 1);
        cJSON_ReplaceItemInObject(seconds_obj, "deep_leaf", cJSON_CreateNumber(thread_cpu() - t0));
        cJSON_AddBoolToObject(run.result, "expect_truncated", depth >= 64);
    }
    run_end(&run, seconds, "cpu-seconds/s");
    return run_finish(&run, true, NULL);
}
