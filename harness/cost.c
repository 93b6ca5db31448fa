/*
 * cost.c — see cost.h. A benchmark, not a test: figures and ratios measured in one run.
 *
 * Part 1 times the loop with the sending thread's CPU clock (user + kernel time of that
 * thread: delivery, handler, sigreturn); the configurations are interleaved over the
 * rounds, the order rotated each round, so machine drift hits all alike. Part 2 runs the
 * busy loop for a fixed CPU time: tick-based samplers cannot exceed CONFIG_HZ, and a
 * sampler the machine lacks (perf-cycles without a PMU) is a row with the reason.
 */
#define _GNU_SOURCE
#include "cost.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hzprof.h"
#include "machine.h"

static double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void empty_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
}

/* The same flags and mask as libhzprof's handler, so the kernel path is the same. */
static int install_empty_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = empty_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGPROF);
    return sigaction(SIGPROF, &sa, NULL);
}

/* Sends `n` signals to this thread; returns CPU ns per signal. */
static double __attribute__((noinline)) signal_loop(long n)
{
    const pid_t pid = getpid();
    const pid_t tid = (pid_t)syscall(SYS_gettid);
    double t0 = thread_cpu_ns();
    for (long i = 0; i < n; i++)
        syscall(SYS_tgkill, pid, tid, SIGPROF);
    return (thread_cpu_ns() - t0) / (double)n;
}

static volatile int depth_sink;

/* Recurses `depth` frames (not tail calls) before calling fn(arg). */
static double __attribute__((noinline)) at_depth(int depth, double (*fn)(void *), void *arg)
{
    if (depth <= 1)
        return fn(arg);
    double r = at_depth(depth - 1, fn, arg);
    depth_sink++;
    return r;
}

static double run_signal_loop(void *arg)
{
    return signal_loop(*(const long *)arg);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define PATH_CONFIGS 4
static const char *const path_names[PATH_CONFIGS] = {"floor (empty handler)", "none", "fp",
                                                     "libunwind"};

static int out_of_memory(char *err, size_t n)
{
    snprintf(err, n, "out of memory");
    return -1;
}

/* One measurement of configuration c; returns ns per signal, or -1 with the reason in err. */
static double measure_path(int c, const struct cost_options *o, char *err, size_t n)
{
    if (c == 0) {
        if (install_empty_handler() != 0) {
            snprintf(err, n, "cannot install the empty SIGPROF handler: %s", strerror(errno));
            return -1;
        }
        return at_depth(o->depth, run_signal_loop, (void *)&o->signals);
    }
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    cfg.sampler = "manual";
    cfg.unwinder = path_names[c];
    cfg.max_depth = HZPROF_MAX_DEPTH_LIMIT;
    int rc = hzprof_start(&cfg);
    if (rc != HZPROF_OK) {
        snprintf(err, n, "%s: %s", hzprof_strerror(rc), hzprof_error_detail());
        return -1;
    }
    double ns = at_depth(o->depth, run_signal_loop, (void *)&o->signals);
    hzprof_stop();
    return ns;
}

/* Appends row to rows; -1 (row freed) when either could not be allocated. */
static int add_row(cJSON *rows, cJSON *row)
{
    if (row && cJSON_AddItemToArray(rows, row))
        return 0;
    cJSON_Delete(row);
    return -1;
}

static int run_path(const struct cost_options *o, const struct cost_progress *p, cJSON *rows,
                    char *err, size_t n)
{
    double *samples = calloc((size_t)PATH_CONFIGS * (size_t)o->rounds, sizeof *samples);
    if (!samples)
        return out_of_memory(err, n);
    /* Warm-up: first-touch of the ring, libunwind caches, page faults. */
    for (int c = 0; c < PATH_CONFIGS; c++)
        if (measure_path(c, &(struct cost_options){.signals = 1000, .depth = o->depth}, err, n) <
            0) {
            free(samples);
            return -1;
        }
    for (int r = 0; r < o->rounds; r++) {
        for (int k = 0; k < PATH_CONFIGS; k++) {
            int c = (k + r) % PATH_CONFIGS; /* rotate the order every round */
            double ns = measure_path(c, o, err, n);
            if (ns < 0) {
                free(samples);
                return -1;
            }
            samples[c * o->rounds + r] = ns;
        }
    }
    if (p && p->path_done)
        p->path_done(p->ctx);
    double floor_ns = 0;
    int rc = 0;
    for (int c = 0; c < PATH_CONFIGS && rc == 0; c++) {
        double *v = &samples[c * o->rounds];
        double med = median(v, o->rounds);
        if (c == 0)
            floor_ns = med;
        const struct cost_path_row row = {path_names[c], med, v[0], med / floor_ns};
        if (p && p->path_row)
            p->path_row(p->ctx, &row);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "handler", c == 0 ? "floor" : path_names[c]);
        cJSON_AddNumberToObject(j, "median_ns", row.median_ns);
        cJSON_AddNumberToObject(j, "min_ns", row.min_ns);
        cJSON_AddNumberToObject(j, "x_floor", row.x_floor);
        rc = add_row(rows, j);
    }
    free(samples);
    return rc ? out_of_memory(err, n) : 0;
}

static volatile uint64_t spin_sink;

static double spin_for(void *arg)
{
    const double end = thread_cpu_ns() + *(const double *)arg * 1e9;
    while (thread_cpu_ns() < end)
        for (int i = 0; i < 10000; i++)
            spin_sink += (uint64_t)i * 2654435761u;
    return 0;
}

/* One sampler at each rate with each unwinder; a sampler libhzprof refuses gets one row
 * with the reason, and its other configurations are skipped. */
static int run_sampler(const struct cost_options *o, const struct cost_progress *p,
                       const char *sampler, cJSON *rows)
{
    static const char *const unwinders[] = {"none", "fp", "libunwind"};
    const int nunwinders = (int)(sizeof unwinders / sizeof unwinders[0]);
    for (int k = 0; k < o->nrates * nunwinders; k++) {
        struct cost_sampler_row row = {.sampler = sampler,
                                       .unwinder = unwinders[k % nunwinders],
                                       .rate = o->rates[k / nunwinders]};
        struct hzprof_config cfg;
        hzprof_config_init(&cfg);
        cfg.sampler = sampler;
        cfg.unwinder = row.unwinder;
        cfg.rate_hz = row.rate;
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "sampler", sampler);
        if (hzprof_start(&cfg) != HZPROF_OK) {
            row.unavailable = hzprof_error_detail();
            if (p && p->sampler_row)
                p->sampler_row(p->ctx, &row);
            cJSON_AddStringToObject(j, "unavailable", row.unavailable);
            return add_row(rows, j);
        }
        at_depth(o->depth, spin_for, (void *)&o->seconds);
        hzprof_stop();
        struct hzprof_stats st;
        hzprof_get_stats(&st);
        row.samples = st.samples_taken;
        row.achieved_hz = st.achieved_hz;
        row.handler_ns_mean =
            st.samples_taken ? (double)st.handler_ns_total / (double)st.samples_taken : 0;
        row.handler_ns_max = st.handler_ns_max;
        if (p && p->sampler_row)
            p->sampler_row(p->ctx, &row);
        cJSON_AddStringToObject(j, "unwinder", row.unwinder);
        cJSON_AddNumberToObject(j, "rate", row.rate);
        cJSON_AddNumberToObject(j, "samples", (double)row.samples);
        cJSON_AddNumberToObject(j, "achieved_hz", row.achieved_hz);
        if (row.samples)
            cJSON_AddNumberToObject(j, "handler_ns_mean", row.handler_ns_mean);
        else
            cJSON_AddNullToObject(j, "handler_ns_mean");
        cJSON_AddNumberToObject(j, "handler_ns_max", (double)row.handler_ns_max);
        if (add_row(rows, j) != 0)
            return -1;
    }
    return 0;
}

static int run_samplers(const struct cost_options *o, const struct cost_progress *p, cJSON *rows,
                        char *err, size_t n)
{
    if (p && p->samplers_begin)
        p->samplers_begin(p->ctx);
    /* Every sampler offered to users, from the library's table. */
    for (const char *const *s = hzprof_sampler_names(); *s; s++)
        if ((hzprof_sampler_caps(*s) & HZPROF_CAP_USER) && run_sampler(o, p, *s, rows) != 0)
            return out_of_memory(err, n);
    return 0;
}

static int run_calibration(const struct cost_progress *p, cJSON *rows, char *err, size_t n)
{
    static const char *const unwinders[] = {"none", "fp", "libunwind"};
    if (p && p->calibration_begin)
        p->calibration_begin(p->ctx);
    for (const char *const *s = hzprof_sampler_names(); *s; s++) {
        if (!(hzprof_sampler_caps(*s) & HZPROF_CAP_USER))
            continue;
        for (size_t u = 0; u < sizeof unwinders / sizeof unwinders[0]; u++) {
            struct hzprof_config cfg;
            hzprof_config_init(&cfg);
            cfg.sampler = *s;
            cfg.unwinder = unwinders[u];
            struct hzprof_calibration c;
            const int rc = hzprof_calibrate(&cfg, &c);
            struct cost_calibration_row r = {.sampler = *s, .unwinder = unwinders[u]};
            cJSON *row = cJSON_CreateObject();
            if (!row || add_row(rows, row) != 0)
                return out_of_memory(err, n);
            cJSON_AddStringToObject(row, "sampler", *s);
            if (rc != HZPROF_OK) {
                r.unavailable = hzprof_error_detail();
                cJSON_AddStringToObject(row, "unavailable", r.unavailable);
                if (p && p->calibration_row)
                    p->calibration_row(p->ctx, &r);
                break;
            }
            r.test_rate_hz = c.test_rate_hz;
            r.achieved_hz = c.achieved_hz;
            r.cost_ns = c.cost_ns;
            r.handler_ns = c.handler_ns;
            r.ceiling_hz = c.ceiling_hz;
            cJSON_AddStringToObject(row, "unwinder", unwinders[u]);
            cJSON_AddNumberToObject(row, "cost_ns", c.cost_ns);
            cJSON_AddNumberToObject(row, "handler_ns", c.handler_ns);
            cJSON_AddNumberToObject(row, "achieved_hz", c.achieved_hz);
            cJSON_AddNumberToObject(row, "ceiling_hz", c.ceiling_hz);
            cJSON_AddNumberToObject(row, "test_rate_hz", c.test_rate_hz);
            cJSON_AddNumberToObject(row, "pairs", c.pairs);
            cJSON_AddNumberToObject(row, "cpu_seconds", c.cpu_seconds);
            if (p && p->calibration_row)
                p->calibration_row(p->ctx, &r);
        }
    }
    return 0;
}

int cost_measure(const struct cost_options *o, const struct cost_progress *p, cJSON **out,
                 char *err, size_t err_size)
{
    *out = NULL;
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return out_of_memory(err, err_size);
    cJSON_AddStringToObject(doc, "schema", "hzprof.cost/1");
    cJSON_AddItemToObject(doc, "machine", machine_metadata());
    cJSON_AddItemToObject(doc, "build", build_metadata());
    cJSON *opts = cJSON_AddObjectToObject(doc, "options");
    cJSON_AddNumberToObject(opts, "signals", (double)o->signals);
    cJSON_AddNumberToObject(opts, "rounds", o->rounds);
    cJSON_AddNumberToObject(opts, "depth", o->depth);
    cJSON_AddNumberToObject(opts, "seconds", o->seconds);
    int rc = 0;
    if (o->part == 0 || o->part == 1) {
        cJSON *rows = cJSON_AddArrayToObject(doc, "signal_path");
        rc = rows ? run_path(o, p, rows, err, err_size) : out_of_memory(err, err_size);
    }
    if (rc == 0 && (o->part == 0 || o->part == 2)) {
        cJSON *rows = cJSON_AddArrayToObject(doc, "samplers");
        rc = rows ? run_samplers(o, p, rows, err, err_size) : out_of_memory(err, err_size);
    }
    if (rc == 0 && (o->part == 0 || o->part == 3)) {
        cJSON *rows = cJSON_AddArrayToObject(doc, "calibrated");
        rc = rows ? run_calibration(p, rows, err, err_size) : out_of_memory(err, err_size);
    }
    if (rc != 0) {
        cJSON_Delete(doc);
        return -1;
    }
    *out = doc;
    return 0;
}
