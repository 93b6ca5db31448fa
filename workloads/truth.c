/*
 * truth.c — ground-truth workloads: the true CPU split is measured, so a profile can be
 * scored against it (harness/score.c).
 *
 *   truth --case split|threads|offcpu|deep|syscalls|periodic [--seconds S] [--threads N]
 *         [--depth D] [--syscall-us N] [--period-us P] [--busy K] [profiling flags]
 *
 * split     truth_a, truth_b, truth_c burn CPU 50:30:20 in rounds of >= 50 ms, shuffled.
 * threads   N threads (2..4) run thread_work_0.. with work 1:2:..:N at the same time.
 * offcpu    one thread alternates 10 ms of CPU in offcpu_busy with 10 ms asleep in
 *           offcpu_sleep: CPU samplers should see only offcpu_busy; the wall sampler
 *           should see about half of its samples off CPU.
 * deep      deep_recurse calls itself D times (default 200, deeper than the default
 *           max depth of 64), then burns CPU in deep_leaf: stacks are truncated, the leaf
 *           must still get all the CPU.
 * syscalls  syscalls_a and syscalls_b burn CPU 3:1 in shuffled rounds of >= 50 ms and,
 *           every N us of that work (--syscall-us), make one cheap real system call
 *           (a CPU-clock read) from truth_syscall_site, whose body is the `syscall`
 *           instruction: a
 *           sample whose leaf is truth_syscall_site is "at a system call". A sampler whose
 *           signals wait for the thread's next return from the kernel piles samples there
 *           (skid); result.truth.syscall_sites names the function for the skid score.
 * periodic  periodic_a (3/4) and periodic_b (1/4) alternate with a fixed period P of CPU
 *           time (--period-us), not shuffled: a sampler whose interval equals P, divides
 *           it or is slightly off it sees the same phase again and again (lockstep,
 *           aliasing), which the attribution error then shows.
 * --busy K  (any case) K more threads burn CPU in truth_busy for the whole run: with more
 *           runnable threads than CPUs, threads wait for a CPU and their wall time exceeds
 *           their CPU time (a saturated machine).
 *
 * result.truth holds the true shares in percent, per leaf function: "cpu" (share of CPU
 * time, what CPU samplers should report) and "wall" (share of wall time summed over the
 * threads, with "[off-cpu]" for offcpu's sleeping part, what the wall sampler should
 * report). "wall" is there for offcpu, syscalls, periodic and any case with --busy; split,
 * threads and deep without --busy keep only "cpu", as before (there the two are equal).
 * "seconds" and "wall_seconds" hold the measured CPU and wall seconds behind them. Each
 * is measured with the thread CPU clock and the monotonic clock around each function.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "burn.h"
#include "common.h"

static volatile uint64_t sink;

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
BURN_FUNCTION(syscalls_a, 10)
BURN_FUNCTION(syscalls_b, 11)
BURN_FUNCTION(periodic_a, 12)
BURN_FUNCTION(periodic_b, 13)
BURN_FUNCTION(truth_busy, 14)

static uint64_t (*const thread_work[])(uint64_t) = {thread_work_0, thread_work_1, thread_work_2,
                                                    thread_work_3};
static const char *const thread_work_names[] = {"thread_work_0", "thread_work_1", "thread_work_2",
                                                "thread_work_3"};

/* The syscalls case's one system call: a read of the thread's CPU clock, as a program that
 * keeps time by it makes (the program in which the wall sampler's skid was first seen did
 * exactly that). It matters which call: reading a thread's CPU clock makes the scheduler
 * account the thread's runtime, and that is when a helper thread waiting for this CPU is
 * given it; a bench run with getppid here showed no skid at all. Its body is the `syscall`
 * instruction itself, so a sample taken in the kernel during the call, or delivered on the
 * way out of it, has this function as its leaf. Elsewhere getppid() stands in: the leaf is
 * then libc's getppid, which syscall_sites names too. */
long __attribute__((noinline, noclone)) truth_syscall_site(void)
{
#if defined(__x86_64__)
    struct timespec ts;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_clock_gettime), "D"((long)CLOCK_THREAD_CPUTIME_ID), "S"(&ts)
                     : "rcx", "r11", "memory");
    return ret;
#else
    return getppid();
#endif
}

#if defined(__x86_64__)
static const char *const syscall_sites[] = {"truth_syscall_site"};
#else
static const char *const syscall_sites[] = {"truth_syscall_site", "getppid"};
#endif

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

/* --- the measured time of each leaf function --- */

#define OFF_CPU "[off-cpu]"

/* One leaf function's measured seconds, summed over the run and its threads. */
struct part {
    const char *name;
    double cpu, wall;
};
static struct part parts[8]; /* a case has at most 4 functions, plus truth_busy */
static size_t nparts;

static void account(const char *name, double cpu, double wall)
{
    size_t i = 0;
    while (i < nparts && strcmp(parts[i].name, name) != 0)
        i++;
    if (i == nparts) {
        if (nparts == sizeof parts / sizeof parts[0])
            abort(); /* a new case with more functions: make parts bigger */
        parts[nparts++] = (struct part){name, 0, 0};
    }
    parts[i].cpu += cpu;
    parts[i].wall += wall;
}

/* result.truth's cpu (and wall) shares and the seconds behind them. [off-cpu] is in the
 * wall truth only: no CPU sampler can see a sleeping thread. */
static void add_shares(cJSON *truth, bool with_wall)
{
    double cpu_total = 0, wall_total = 0;
    for (size_t i = 0; i < nparts; i++) {
        if (strcmp(parts[i].name, OFF_CPU) != 0)
            cpu_total += parts[i].cpu;
        wall_total += parts[i].wall;
    }
    cJSON *cpu = cJSON_AddObjectToObject(truth, "cpu");
    cJSON *wall = with_wall ? cJSON_AddObjectToObject(truth, "wall") : NULL;
    cJSON *cpu_s = cJSON_AddObjectToObject(truth, "seconds");
    cJSON *wall_s = with_wall ? cJSON_AddObjectToObject(truth, "wall_seconds") : NULL;
    for (size_t i = 0; i < nparts; i++) {
        const struct part *p = &parts[i];
        if (strcmp(p->name, OFF_CPU) != 0) {
            cJSON_AddNumberToObject(cpu, p->name, cpu_total > 0 ? 100 * p->cpu / cpu_total : 0);
            cJSON_AddNumberToObject(cpu_s, p->name, p->cpu);
        }
        if (with_wall) {
            cJSON_AddNumberToObject(wall, p->name, wall_total > 0 ? 100 * p->wall / wall_total : 0);
            cJSON_AddNumberToObject(wall_s, p->name, p->wall);
        }
    }
}

/* --- cases --- */

/* A random order of 0..n-1 (n <= 3). */
static void shuffle(int *order, int n, unsigned *seed)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = rand_r(seed) % (i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

/* Rounds of at least 50 ms, with the three functions in a shuffled order each round: a
 * periodic sampler whose period divides a fixed round length would otherwise hit the same
 * phase of every round and measure aliasing, not attribution (seen: 200 Hz on 5 ms
 * rounds gave truth_c 70% of the samples for 20% of the CPU). */
static void case_split(double rate, double seconds)
{
    int rounds = (int)(seconds / 0.05);
    if (rounds < 2)
        rounds = 2;
    const double block = rate * seconds / rounds;
    uint64_t (*const fn[3])(uint64_t) = {truth_a, truth_b, truth_c};
    static const char *const names[3] = {"truth_a", "truth_b", "truth_c"};
    const double share[3] = {0.5, 0.3, 0.2};
    unsigned seed = 12345;
    for (int r = 0; r < rounds; r++) {
        int order[3];
        shuffle(order, 3, &seed);
        for (int i = 0; i < 3; i++) {
            const int f = order[i];
            const double c0 = thread_cpu(), w0 = measure_now();
            sink += fn[f]((uint64_t)(block * share[f]));
            account(names[f], thread_cpu() - c0, measure_now() - w0);
        }
    }
}

struct thread_arg {
    int index;
    uint64_t iterations;
    double cpu, wall;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    workload_thread_started();
    const double c0 = thread_cpu(), w0 = measure_now();
    sink += thread_work[a->index](a->iterations);
    a->cpu = thread_cpu() - c0;
    a->wall = measure_now() - w0;
    return NULL;
}

static void case_threads(double rate, double seconds, int nthreads)
{
    struct thread_arg args[4];
    pthread_t tids[4];
    const double units = (double)nthreads * (nthreads + 1) / 2;
    for (int i = 0; i < nthreads; i++) {
        args[i] = (struct thread_arg){i, (uint64_t)(rate * seconds * (i + 1) / units), 0, 0};
        pthread_create(&tids[i], NULL, thread_main, &args[i]);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(tids[i], NULL);
    for (int i = 0; i < nthreads; i++)
        account(thread_work_names[i], args[i].cpu, args[i].wall);
}

static void __attribute__((noinline, noclone)) offcpu_sleep(double seconds)
{
    struct timespec ts = {0, (long)(seconds * 1e9)};
    while (nanosleep(&ts, &ts) != 0) /* resumes after a signal with the time left */
        ;
}

static void case_offcpu(double rate, double seconds)
{
    const double slice = 0.01;
    const int rounds = (int)(seconds / slice);
    for (int r = 0; r < rounds; r++) {
        const double c0 = thread_cpu(), w0 = measure_now();
        sink += offcpu_busy((uint64_t)(rate * slice));
        const double c1 = thread_cpu(), w1 = measure_now();
        offcpu_sleep(slice);
        account("offcpu_busy", c1 - c0, w1 - w0);
        account(OFF_CPU, 0, measure_now() - w1);
    }
}

static uint64_t __attribute__((noinline, noclone)) deep_recurse(int depth, uint64_t n)
{
    if (depth <= 1)
        return deep_leaf(n);
    uint64_t r = deep_recurse(depth - 1, n);
    __asm__ volatile("" ::: "memory"); /* not a tail call: every level keeps a frame */
    return r + 1;
}

static void case_deep(double rate, double seconds, int depth)
{
    const double c0 = thread_cpu(), w0 = measure_now();
    sink += deep_recurse(depth, (uint64_t)(rate * seconds));
    account("deep_leaf", thread_cpu() - c0, measure_now() - w0);
}

static int compare_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* CPU seconds per call of truth_syscall_site: the median of 5 batches of 2000 calls, before
 * the measured region. The run counts its calls and multiplies: timing each call there
 * would put a clock system call (about as long) beside every one, in another function. */
static double calibrate_syscall(void)
{
    double per_call[5];
    for (int b = 0; b < 5; b++) {
        const double t0 = thread_cpu();
        for (int i = 0; i < 2000; i++)
            sink += (uint64_t)truth_syscall_site();
        per_call[b] = (thread_cpu() - t0) / 2000;
    }
    qsort(per_call, 5, sizeof per_call[0], compare_double);
    return per_call[2];
}

/* `calls` chunks of `chunk` iterations of fn, each followed by one system call. */
static uint64_t __attribute__((noinline, noclone))
syscall_phase(uint64_t (*fn)(uint64_t), uint64_t calls, uint64_t chunk)
{
    uint64_t x = 0;
    for (uint64_t c = 0; c < calls; c++) {
        x += fn(chunk);
        x += (uint64_t)truth_syscall_site();
    }
    return x;
}

/* Shuffled rounds of >= 50 ms as in split, syscalls_a 3/4 of the work and syscalls_b 1/4.
 * Each phase's CPU is measured around it; truth_syscall_site gets its calls times the
 * calibrated cost of one, the burner the rest, and the wall time is split in the same
 * proportion (a thread waiting for a CPU waits as long in either, on average). */
static void case_syscalls(double rate, double seconds, unsigned long us, double cost, cJSON *result)
{
    int rounds = (int)(seconds / 0.05);
    if (rounds < 2)
        rounds = 2;
    const double block = rate * seconds / rounds;
    const uint64_t chunk = (uint64_t)fmax(1, rate * (double)us / 1e6);
    uint64_t (*const fn[2])(uint64_t) = {syscalls_a, syscalls_b};
    static const char *const names[2] = {"syscalls_a", "syscalls_b"};
    const double share[2] = {0.75, 0.25};
    unsigned seed = 54321;
    uint64_t total_calls = 0;
    for (int r = 0; r < rounds; r++) {
        int order[2];
        shuffle(order, 2, &seed);
        for (int i = 0; i < 2; i++) {
            const int f = order[i];
            const uint64_t calls = (uint64_t)fmax(1, round(block * share[f] / (double)chunk));
            const double c0 = thread_cpu(), w0 = measure_now();
            sink += syscall_phase(fn[f], calls, chunk);
            const double cpu = thread_cpu() - c0, wall = measure_now() - w0;
            const double sys = fmin(cpu, (double)calls * cost);
            const double sys_wall = cpu > 0 ? wall * sys / cpu : 0;
            account(names[f], cpu - sys, wall - sys_wall);
            account("truth_syscall_site", sys, sys_wall);
            total_calls += calls;
        }
    }
    cJSON_AddNumberToObject(result, "syscall_site_ns", cost * 1e9);
    cJSON_AddNumberToObject(result, "syscall_site_calls", (double)total_calls);
}

/* periodic_a for 3/4 of each period of CPU time, periodic_b for 1/4, always in that order,
 * kept by the thread's CPU clock on a fixed grid (phase k ends at t0 + (k + 3/4) P, the
 * period at t0 + (k + 1) P), as a program that keeps time by its clock does. The first
 * version counted iterations instead: then the CPU a sample itself costs (some 55 us on our
 * VM, in the thread's clock, as perf-clock counts it) pushed every later phase back, so
 * the program drifted against the sampler and no lockstep showed even at P = T. Each
 * function runs in chunks of ~CHECK_US of work and reads the clock after each (a system
 * call of about 1-2 us on our VMs: periodic_clock below, ~1.5% of the time, its own entry
 * in the truth). */
#define CHECK_US 100.0

/* The thread's CPU clock, read by a `syscall` instruction of our own (not the vDSO's
 * fallback), so a sample taken in the read lands in this function and the truth can name
 * it: periodic_clock gets its calls times their measured cost. */
double __attribute__((noinline, noclone)) periodic_clock(void)
{
    struct timespec ts;
#if defined(__x86_64__)
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_clock_gettime), "D"((long)CLOCK_THREAD_CPUTIME_ID), "S"(&ts)
                     : "rcx", "r11", "memory");
    (void)ret;
#else
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
#endif
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds per periodic_clock call: the median of 5 batches of 2000. */
static double calibrate_clock(void)
{
    double v[5];
    for (int b = 0; b < 5; b++) {
        const double c0 = thread_cpu();
        for (int i = 0; i < 2000; i++)
            sink += (uint64_t)periodic_clock();
        v[b] = (thread_cpu() - c0) / 2000;
    }
    for (int i = 1; i < 5; i++) /* insertion sort of 5 */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            const double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[2];
}

static long clock_calls;

static double phase_until(uint64_t (*fn)(uint64_t), uint64_t chunk, double deadline)
{
    double now = periodic_clock();
    clock_calls++;
    while (now < deadline) {
        sink += fn(chunk);
        now = periodic_clock();
        clock_calls++;
    }
    return now;
}

static void case_periodic(double rate, double seconds, unsigned long period_us)
{
    const double period = (double)period_us / 1e6;
    const long periods = (long)fmax(1, round(seconds / period));
    const uint64_t chunk = (uint64_t)fmax(1, rate * CHECK_US / 1e6);
    const double clock_cost = calibrate_clock();
    double ca = 0, cb = 0, wa = 0, wb = 0, clk = 0, clk_wall = 0;
    const double t0 = periodic_clock();
    double c0 = t0, w0 = measure_now();
    for (long p = 0; p < periods; p++) {
        clock_calls = 0;
        const double c1 = phase_until(periodic_a, chunk, t0 + ((double)p + 0.75) * period);
        const double w1 = measure_now();
        const double ka = (double)clock_calls * clock_cost;
        clock_calls = 0;
        const double c2 = phase_until(periodic_b, chunk, t0 + ((double)p + 1) * period);
        const double w2 = measure_now();
        const double kb = (double)clock_calls * clock_cost;
        /* Each phase's clock reads go to periodic_clock, wall time in proportion. */
        const double fa = c1 - c0 > 0 ? fmin(1, ka / (c1 - c0)) : 0,
                     fb = c2 - c1 > 0 ? fmin(1, kb / (c2 - c1)) : 0;
        ca += (c1 - c0) * (1 - fa), wa += (w1 - w0) * (1 - fa);
        cb += (c2 - c1) * (1 - fb), wb += (w2 - w1) * (1 - fb);
        clk += (c1 - c0) * fa + (c2 - c1) * fb;
        clk_wall += (w1 - w0) * fa + (w2 - w1) * fb;
        c0 = c2, w0 = w2;
    }
    account("periodic_a", ca, wa);
    account("periodic_b", cb, wb);
    account("periodic_clock", clk, clk_wall);
}

/* --- busy threads (--busy) --- */

struct busy {
    pthread_t tid;
    uint64_t chunk;
    double cpu, wall;
};

static atomic_bool busy_stop;

/* Burns CPU in truth_busy until told to stop; chunks of ~100 us, so it stops soon after. */
static void *busy_main(void *p)
{
    struct busy *b = p;
    workload_thread_started();
    const double c0 = thread_cpu(), w0 = measure_now();
    uint64_t x = 0;
    while (!atomic_load_explicit(&busy_stop, memory_order_relaxed))
        x += truth_busy(b->chunk);
    b->cpu = thread_cpu() - c0;
    b->wall = measure_now() - w0;
    sink += x;
    return NULL;
}

/* Starts n busy threads; returns how many started. */
static int busy_start(struct busy *b, int n, double rate)
{
    for (int i = 0; i < n; i++) {
        b[i] = (struct busy){.chunk = (uint64_t)fmax(1, rate * 100e-6)};
        if (pthread_create(&b[i].tid, NULL, busy_main, &b[i]) != 0)
            return i;
    }
    return n;
}

static void busy_end(struct busy *b, int n)
{
    atomic_store(&busy_stop, true);
    for (int i = 0; i < n; i++) {
        pthread_join(b[i].tid, NULL);
        account("truth_busy", b[i].cpu, b[i].wall);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: truth --case split|threads|offcpu|deep|syscalls|periodic [--seconds S]\n"
            "             [--threads N] [--depth D] [--syscall-us N] [--period-us P]\n"
            "             [--busy K] [profiling flags]\n\n"
            "Ground-truth workloads; prints one JSON object whose result.truth holds the\n"
            "true share of each leaf function, in percent (cpu, and wall where it differs).\n"
            "  --case C        which workload (required):\n"
            "                    split     truth_a, truth_b, truth_c: 50:30:20, shuffled\n"
            "                    threads   N threads with work 1:2:..:N\n"
            "                    offcpu    10 ms on CPU, 10 ms asleep, in turn\n"
            "                    deep      CPU in deep_leaf, D calls deep\n"
            "                    syscalls  syscalls_a:syscalls_b 3:1, with a system call\n"
            "                              (truth_syscall_site) every N us of work\n"
            "                    periodic  periodic_a 3/4 then periodic_b 1/4 of every\n"
            "                              period P, not shuffled (aliasing)\n"
            "  --seconds S     CPU seconds of work, 0.05..600 (default 1)\n"
            "  --threads N     threads for 'threads', 2..4 (default 3)\n"
            "  --depth D       recursion depth for 'deep' (default 200)\n"
            "  --syscall-us N  us of work between system calls for 'syscalls', 1..10000\n"
            "                  (default 50)\n"
            "  --period-us P   period in us of CPU time for 'periodic', 100..1000000\n"
            "                  (default 10000, the interval of the default 100 Hz)\n"
            "  --busy K        K more threads burn CPU in truth_busy all along, 0..8\n"
            "                  (default 0): more runnable threads than CPUs\n\n%s",
            profiling_usage);
}

static const char *const case_names[] = {"split", "threads",  "offcpu",
                                         "deep",  "syscalls", "periodic"};

enum {
    OPT_CASE = 256,
    OPT_SECONDS,
    OPT_THREADS,
    OPT_DEPTH,
    OPT_SYSCALL_US,
    OPT_PERIOD_US,
    OPT_BUSY
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"case", required_argument, 0, OPT_CASE},
                                             {"seconds", required_argument, 0, OPT_SECONDS},
                                             {"threads", required_argument, 0, OPT_THREADS},
                                             {"depth", required_argument, 0, OPT_DEPTH},
                                             {"syscall-us", required_argument, 0, OPT_SYSCALL_US},
                                             {"period-us", required_argument, 0, OPT_PERIOD_US},
                                             {"busy", required_argument, 0, OPT_BUSY},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    struct profiling_options prof = {0};
    const char *which = NULL;
    double seconds = 1.0;
    unsigned long nthreads = 3, depth = 200, syscall_us = 50, period_us = 10000, nbusy = 0;
    /* The profiling flags first, by the parser every workload shares (common.c), which
     * knows them all; what it leaves is truth's own, for getopt_long. argv is compacted
     * in place: an entry is moved only after it has been read. */
    int left = 1;
    for (int i = 1; i < argc; i++) {
        const int p = profiling_parse_flag(&prof, "truth", argc, argv, &i);
        if (p < 0)
            return 2;
        if (p == 0)
            argv[left++] = argv[i];
    }
    argc = left;
    argv[argc] = NULL;
    int ch, li = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &li)) != -1) {
        char flag[32] = "";
        if (ch >= OPT_CASE)
            snprintf(flag, sizeof flag, "--%s", longopts[li].name);
        int bad = 0;
        switch (ch) {
        case 'h': usage(stdout); return 0;
        case OPT_CASE: which = optarg; break;
        case OPT_SECONDS: {
            char *end;
            seconds = strtod(optarg, &end);
            if (*end || end == optarg || !(seconds >= 0.05 && seconds <= 600)) {
                fprintf(stderr, "truth: --seconds: '%s' is not a number in 0.05..600\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_THREADS: bad = parse_uint_flag("truth", flag, optarg, 2, 4, &nthreads); break;
        case OPT_DEPTH: bad = parse_uint_flag("truth", flag, optarg, 1, 100000, &depth); break;
        case OPT_SYSCALL_US:
            bad = parse_uint_flag("truth", flag, optarg, 1, 10000, &syscall_us);
            break;
        case OPT_PERIOD_US:
            bad = parse_uint_flag("truth", flag, optarg, 100, 1000000, &period_us);
            break;
        case OPT_BUSY: bad = parse_uint_flag("truth", flag, optarg, 0, 8, &nbusy); break;
        case ':': fprintf(stderr, "truth: %s needs a value\n", argv[optind - 1]); return 2;
        default:
            fprintf(stderr, "truth: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
        if (bad)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "truth: unknown or incomplete option '%s'; see --help\n", argv[optind]);
        return 2;
    }
    size_t c = 0;
    while (which && c < sizeof case_names / sizeof case_names[0] && strcmp(which, case_names[c]))
        c++;
    if (!which || c == sizeof case_names / sizeof case_names[0]) {
        fprintf(stderr, "truth: --case must be split, threads, offcpu, deep, syscalls or "
                        "periodic\n");
        return 2;
    }
    const bool is_syscalls = strcmp(which, "syscalls") == 0,
               is_periodic = strcmp(which, "periodic") == 0;
    struct run run;
    run_init(&run, "truth", &prof);
    cJSON_AddStringToObject(run.params, "case", which);
    cJSON_AddNumberToObject(run.params, "seconds", seconds);
    if (strcmp(which, "threads") == 0)
        cJSON_AddNumberToObject(run.params, "threads", (double)nthreads);
    if (strcmp(which, "deep") == 0)
        cJSON_AddNumberToObject(run.params, "depth", (double)depth);
    if (is_syscalls)
        cJSON_AddNumberToObject(run.params, "syscall_us", (double)syscall_us);
    if (is_periodic)
        cJSON_AddNumberToObject(run.params, "period_us", (double)period_us);
    cJSON_AddNumberToObject(run.params, "busy", (double)nbusy);
    const double rate = calibrate();
    const double syscall_cost = is_syscalls ? calibrate_syscall() : 0; /* unprofiled */
    cJSON *truth = cJSON_AddObjectToObject(run.result, "truth");

    int rc = run_begin(&run);
    if (rc)
        return rc;
    struct busy busy[8];
    const int started = busy_start(busy, (int)nbusy, rate);
    if (started < (int)nbusy) {
        busy_end(busy, started);
        run_end(&run, 0, "cpu-seconds/s");
        return run_finish(&run, false, "cannot create the --busy threads");
    }
    if (strcmp(which, "split") == 0) {
        case_split(rate, seconds);
    } else if (strcmp(which, "threads") == 0) {
        case_threads(rate, seconds, (int)nthreads);
    } else if (strcmp(which, "offcpu") == 0) {
        case_offcpu(rate, seconds);
    } else if (is_syscalls) {
        case_syscalls(rate, seconds, syscall_us, syscall_cost, run.result);
    } else if (is_periodic) {
        case_periodic(rate, seconds, period_us);
    } else {
        case_deep(rate, seconds, (int)depth);
        cJSON_AddBoolToObject(run.result, "expect_truncated", depth >= 64);
    }
    busy_end(busy, started);
    add_shares(truth, nbusy > 0 || is_syscalls || is_periodic || strcmp(which, "offcpu") == 0);
    if (is_syscalls) {
        cJSON *sites = cJSON_AddArrayToObject(truth, "syscall_sites");
        for (size_t i = 0; i < sizeof syscall_sites / sizeof syscall_sites[0]; i++)
            cJSON_AddItemToArray(sites, cJSON_CreateString(syscall_sites[i]));
    }
    run_end(&run, seconds, "cpu-seconds/s");
    return run_finish(&run, true, NULL);
}
