/*
 * budget.c — budget mode (see budget.h and hzprof.h): parse a budget, choose a rate for
 * it, measure what one sample costs, and start at the chosen rate.
 *
 * The model. What profiling adds to a CPU-bound thread is rate x cost per sample, per
 * CPU-second of that thread: on our 2-vCPU VM a timer-driven sample costs ~55 us of CPU
 * with perf-clock, nearly all of it the platform's (timer interrupt, VM exit, signal
 * delivery; our handler is ~0.6 us), so a 1% budget allows ~180 Hz. The cost depends on
 * the machine, the sampler and the unwinder, so it is measured, not assumed.
 *
 * The calibration. First a probe: a block of a fixed amount of CPU-bound work (an LCG
 * loop under a dozen frames, so the unwinder has a stack to walk) profiled at the test
 * rate, 4 kHz (or the sampler's maximum, if lower). It warms up (libunwind's caches, page
 * faults), fails early on a sampler the machine lacks, and sorts the samplers by the rate
 * they reach:
 *
 *  - An hrtimer sampler (perf-clock, perf-cycles, wall) reaches the test rate. Its cost
 *    is measured whole: blocks of the same work run alternately profiled (each on block
 *    a session of its own) and not, in pairs whose order alternates so that a drift of
 *    the machine's speed does not lean one way; per pair, cost = (process CPU on - off) /
 *    samples taken, and the median over pairs resists the odd block a neighbour on the
 *    machine disturbed. Process CPU, so the reader thread and the wall sampler's helper
 *    count, as they count in the bench's overhead. A high test rate makes the difference
 *    stand out from the noise of the CPU clock (on our shared VM the same 25 ms loop
 *    varies by 5-10% between consecutive blocks: at 4 kHz a 55 us sample adds 22%), and
 *    the bench finds the cost per sample the same at 4 and 8 kHz. A short settling run
 *    after each start keeps the reader thread's start-up out of the measured window.
 *  - A tick sampler (itimer, thread-timer) reaches at most CONFIG_HZ (1000 at most, a
 *    quarter of the test rate; the threshold is half, so that an hrtimer sampler that
 *    misses ticks on a loaded machine is not taken for one). The rate it reached (over a
 *    longer block) is its ceiling, which the prediction uses, since asking more costs
 *    what the ceiling costs. Its interrupt is the kernel's tick, which comes whether we
 *    profile or not, so a sample costs the signal: delivery, our handler, sigreturn. A
 *    few us a sample at 250 Hz is far under the noise of the blocks above, so that cost
 *    is measured directly instead: the same handler ("manual" sampler, same unwinder and
 *    depth) taking signals this thread sends itself, thread CPU per signal, the median of
 *    a few rounds.
 *
 * None of those sessions is the caller's: the profile they leave is discarded. The
 * estimate is never below the time measured inside our handler, a lower bound that a
 * noisy difference can fall under.
 */
#define _GNU_SOURCE
#include "budget.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "samplers/sampler.h"

#define CAL_PAIRS 7
#define CAL_BLOCK_NS 25e6        /* CPU per block: probe + 7 pairs ~ 0.4 s in all */
#define CAL_TEST_RATE_HZ 4000u   /* lowered to the sampler's maximum */
#define CAL_DEPTH 12             /* frames above the loop */
#define CAL_CEILING_FRACTION 0.5 /* under half the test rate: a tick sampler */
#define CAL_SIGNALS 1000         /* self-sent signals per round, for a tick sampler */
#define CAL_SIGNAL_ROUNDS 5

int hzprof_overhead_parse(const char *text, double *fraction)
{
    /* By hand, not strtod: no locale's decimal comma, no sign, exponent, hex, nan, inf
     * or leading space slips through. */
    double value = 0, scale = 1;
    int digits = 0, points = 0;
    const char *p = text ? text : "";
    for (; *p && (*p == '.' || (*p >= '0' && *p <= '9')); p++) {
        if (*p == '.') {
            points++;
            continue;
        }
        digits++;
        if (points) {
            scale /= 10;
            value += (*p - '0') * scale;
        } else if (value < 1e6) { /* beyond the range anyway: no overflow */
            value = value * 10 + (*p - '0');
        }
    }
    if (!digits || points > 1 || (*p && strcmp(p, "%") != 0) || !(value > 0) ||
        value > 100 * HZPROF_MAX_OVERHEAD_LIMIT)
        return error_set(HZPROF_ERR_INVALID,
                         "'%.40s%s' is not an overhead budget (a percentage above 0 and at most "
                         "%.0f, like 1%% or 0.5%%)",
                         text ? text : "", text && strlen(text) > 40 ? "..." : "",
                         100 * HZPROF_MAX_OVERHEAD_LIMIT);
    if (fraction)
        *fraction = value / 100;
    return HZPROF_OK;
}

int hzprof_budget_rate(double max_overhead, double cost_ns, unsigned max_rate_hz, double ceiling_hz,
                       struct hzprof_budget *out)
{
    if (!out)
        return error_set(HZPROF_ERR_INVALID, "hzprof_budget_rate: no output");
    if (!(max_overhead > 0 && max_overhead <= HZPROF_MAX_OVERHEAD_LIMIT))
        return error_set(HZPROF_ERR_INVALID, "overhead budget %g out of range (0, %g]",
                         max_overhead, HZPROF_MAX_OVERHEAD_LIMIT);
    if (!(cost_ns > 0 && cost_ns < 1e12))
        return error_set(HZPROF_ERR_INVALID, "cost per sample %g ns is not a positive number",
                         cost_ns);
    if (max_rate_hz < 1)
        return error_set(HZPROF_ERR_INVALID, "maximum rate 0 Hz");
    if (!(ceiling_hz >= 0 && ceiling_hz < 1e12))
        return error_set(HZPROF_ERR_INVALID, "rate ceiling %g Hz is not a number >= 0", ceiling_hz);
    /* A relative 1e-9 more before rounding down: 0.03 / 3 ms must give 10 Hz, not the
     * 9.999999 that binary fractions make of it. */
    const double hz = max_overhead * 1e9 / cost_ns * (1 + 1e-9);
    if (hz < 1)
        return error_set(HZPROF_ERR_BUDGET,
                         "a sample costs %.0f us of CPU here, so even 1 Hz adds %.3g%%, above "
                         "the budget of %.3g%%",
                         cost_ns / 1e3, cost_ns / 1e7, max_overhead * 100);
    out->rate_hz = hz >= max_rate_hz ? max_rate_hz : (unsigned)hz;
    const double effective =
        ceiling_hz > 0 && ceiling_hz < out->rate_hz ? ceiling_hz : (double)out->rate_hz;
    out->predicted_overhead = effective * cost_ns / 1e9;
    return HZPROF_OK;
}

/* Whether the named sampler has a timer ("manual" has none); an unknown name passes, for
 * the start to name it. */
static bool has_timer(const char *name)
{
    const struct sampler_ops *s = sampler_find(name ? name : "thread-timer");
    return !s || s->thread_arm || s->start;
}

int budget_check(const struct hzprof_config *cfg)
{
    if (cfg->max_overhead == 0)
        return HZPROF_OK;
    if (!(cfg->max_overhead > 0 && cfg->max_overhead <= HZPROF_MAX_OVERHEAD_LIMIT))
        return error_set(HZPROF_ERR_INVALID, "overhead budget %g out of range (0, %g]",
                         cfg->max_overhead, HZPROF_MAX_OVERHEAD_LIMIT);
    if (!has_timer(cfg->sampler))
        return error_set(HZPROF_ERR_INVALID,
                         "budget mode needs a timer: the '%s' sampler takes samples only when "
                         "the program signals itself, so no rate can be chosen",
                         cfg->sampler);
    const struct hzprof_calibration *c = cfg->calibration;
    if (c && !(c->cost_ns > 0 && c->cost_ns < 1e12 && c->ceiling_hz >= 0 && c->ceiling_hz < 1e12))
        return error_set(HZPROF_ERR_INVALID,
                         "given calibration: cost per sample %g ns and ceiling %g Hz are not "
                         "positive numbers",
                         c->cost_ns, c->ceiling_hz);
    return HZPROF_OK;
}

static double clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint64_t burn_sink;

/* The fixed work of a block: n dependent multiply-adds (an LCG), which no compiler
 * folds into a closed form, touching no memory. */
static uint64_t __attribute__((noinline)) calibration_burn(uint64_t n)
{
    uint64_t x = burn_sink | 1;
    for (uint64_t i = 0; i < n; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x;
}

/* Sends this thread n SIGPROFs, each taken by the handler before tgkill returns. */
static uint64_t __attribute__((noinline)) calibration_signals(uint64_t n)
{
    const pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid);
    for (uint64_t i = 0; i < n; i++)
        syscall(SYS_tgkill, pid, tid, SIGPROF);
    return n;
}

/* fn(n) under `depth` frames (not tail calls): a stack for the unwinder to walk. */
static uint64_t __attribute__((noinline))
calibration_frames(int depth, uint64_t (*fn)(uint64_t), uint64_t n)
{
    if (depth <= 1)
        return fn(n);
    const uint64_t r = calibration_frames(depth - 1, fn, n);
    burn_sink += r & 1;
    return r;
}

struct block {
    double cpu_ns;    /* process CPU */
    double thread_ns; /* the calling thread's CPU */
    uint64_t samples, handler_ns;
};

/* One block of n steps: profiled with on (a session of its own) or not (on NULL). */
static int run_block(const struct hzprof_config *on, uint64_t n, struct block *b)
{
    struct hzprof_stats s0, s1;
    memset(b, 0, sizeof *b);
    if (on) {
        int rc = hzprof_start(on);
        if (rc != HZPROF_OK)
            return rc;
    }
    calibration_frames(CAL_DEPTH, calibration_burn, n / 32 + 1); /* the reader starts */
    if (on)
        hzprof_get_stats(&s0);
    const double p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    burn_sink += calibration_frames(CAL_DEPTH, calibration_burn, n) & 1;
    b->thread_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
    b->cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0;
    if (on) {
        hzprof_get_stats(&s1);
        hzprof_stop();
        b->samples = s1.samples_taken - s0.samples_taken;
        b->handler_ns = s1.handler_ns_total - s0.handler_ns_total;
    }
    return HZPROF_OK;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Steps of the burn that take about CAL_BLOCK_NS of this thread's CPU. */
static uint64_t steps_per_block(void)
{
    uint64_t n = 1u << 16;
    for (;;) {
        const double t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        burn_sink += calibration_frames(CAL_DEPTH, calibration_burn, n) & 1;
        const double t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
        if (t >= 4e6 || n >= (1ull << 36))
            return (uint64_t)((double)n * (CAL_BLOCK_NS / (t > 0 ? t : 1))) + 1;
        n *= 4;
    }
}

/* A tick sampler's cost: the signal's, as the timer interrupt is the kernel's tick, which
 * comes whether we profile or not. The same handler ("manual" sampler, the same unwinder
 * and depth), signalled by this thread itself: thread CPU per signal, the median of a few
 * rounds. Precise where the CPU difference of blocks is not: a few us per sample at
 * CONFIG_HZ is well under the noise of a loaded VM's CPU clock. */
static int signal_cost(const struct hzprof_config *cfg, struct hzprof_calibration *out)
{
    struct hzprof_config m = *cfg;
    m.sampler = "manual"; /* no timer: the signals are ours */
    m.jitter = NULL;
    m.no_interrupt = 0;
    int rc = hzprof_start(&m);
    if (rc != HZPROF_OK)
        return rc;
    double per[CAL_SIGNAL_ROUNDS];
    for (unsigned r = 0; r < CAL_SIGNAL_ROUNDS; r++) {
        const double t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        calibration_frames(CAL_DEPTH, calibration_signals, CAL_SIGNALS);
        per[r] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0) / CAL_SIGNALS;
    }
    struct hzprof_stats st;
    hzprof_get_stats(&st);
    hzprof_stop();
    if (st.samples_taken == 0)
        return error_set(HZPROF_ERR_SYSTEM, "calibration: no SIGPROF sent to itself reached the "
                                            "handler (is SIGPROF blocked?)");
    out->cost_ns = median(per, CAL_SIGNAL_ROUNDS);
    out->handler_ns = (double)st.handler_ns_total / (double)st.samples_taken;
    return HZPROF_OK;
}

static int calibrate(const struct hzprof_config *cfg, struct hzprof_calibration *out)
{
    if (hzprof_running())
        return error_set(HZPROF_ERR_RUNNING, "cannot calibrate while profiling");
    struct hzprof_config on;
    hzprof_config_init(&on);
    if (cfg)
        on = *cfg;
    on.max_overhead = 0;
    on.calibration = NULL;
    const char *sampler = on.sampler ? on.sampler : "thread-timer";
    if (!has_timer(sampler))
        return error_set(HZPROF_ERR_INVALID, "cannot calibrate the '%s' sampler: it has no timer",
                         sampler);
    const unsigned max = hzprof_sampler_max_rate(sampler); /* 0: unknown, start says so */
    on.rate_hz = max && max < CAL_TEST_RATE_HZ ? max : CAL_TEST_RATE_HZ;
    memset(out, 0, sizeof *out);
    out->test_rate_hz = on.rate_hz;

    const double started = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    const uint64_t n = steps_per_block();
    /* The probe, two blocks long: warms up (libunwind's caches, page faults), fails early
     * on a sampler this machine lacks, and finds a tick sampler by the rate it reaches. */
    struct block off_b, on_b;
    int rc = run_block(&on, 2 * n, &on_b);
    if (rc != HZPROF_OK)
        return rc;
    if (on_b.samples == 0)
        return error_set(HZPROF_ERR_SYSTEM,
                         "calibration: the %s sampler took no sample in %.0f ms of CPU at %u Hz "
                         "(is SIGPROF blocked?)",
                         sampler, on_b.thread_ns / 1e6, on.rate_hz);
    double on_thread_ns = 0, costs[CAL_PAIRS];
    uint64_t samples = 0, handler_ns = 0;
    out->achieved_hz = (double)on_b.samples / (on_b.thread_ns / 1e9);
    if (out->achieved_hz < CAL_CEILING_FRACTION * on.rate_hz) { /* a tick sampler */
        /* Its ceiling from three times the probe's length: a dozen ticks are too few. */
        struct block more;
        rc = run_block(&on, 4 * n, &more);
        if (rc == HZPROF_OK) {
            out->achieved_hz =
                (double)(on_b.samples + more.samples) / ((on_b.thread_ns + more.thread_ns) / 1e9);
            out->ceiling_hz = out->achieved_hz;
            rc = signal_cost(&on, out);
        }
    } else {
        unsigned k = 0;
        for (unsigned i = 0; i < CAL_PAIRS && rc == HZPROF_OK; i++) {
            const struct hzprof_config *first = i % 2 ? &on : NULL, *second = i % 2 ? NULL : &on;
            rc = run_block(first, n, i % 2 ? &on_b : &off_b);
            if (rc == HZPROF_OK)
                rc = run_block(second, n, i % 2 ? &off_b : &on_b);
            if (rc != HZPROF_OK || on_b.samples == 0)
                continue;
            costs[k++] = (on_b.cpu_ns - off_b.cpu_ns) / (double)on_b.samples;
            samples += on_b.samples;
            handler_ns += on_b.handler_ns;
            on_thread_ns += on_b.thread_ns;
        }
        if (rc == HZPROF_OK && k == 0)
            rc = error_set(HZPROF_ERR_SYSTEM, "calibration: the %s sampler stopped sampling",
                           sampler);
        if (rc == HZPROF_OK) {
            out->cost_ns = median(costs, k);
            out->pairs = k;
            out->achieved_hz = (double)samples / (on_thread_ns / 1e9);
            out->handler_ns = (double)handler_ns / (double)samples;
        }
    }
    if (rc != HZPROF_OK)
        return rc;
    if (out->cost_ns < out->handler_ns)
        out->cost_ns = out->handler_ns;
    out->cpu_seconds = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - started) / 1e9;
    return HZPROF_OK;
}

int hzprof_calibrate(const struct hzprof_config *cfg, struct hzprof_calibration *out)
{
    if (!out)
        return error_set(HZPROF_ERR_INVALID, "hzprof_calibrate: no output");
    const int rc = calibrate(cfg, out);
    profiler_discard(); /* its sessions were not the caller's */
    return rc;
}

int budget_start(const struct hzprof_config *cfg)
{
    int rc = budget_check(cfg);
    if (rc != HZPROF_OK)
        return rc;
    if (hzprof_running())
        return error_set(HZPROF_ERR_RUNNING, "hzprof_start: already profiling");
    /* What hzprof_start would refuse at any rate, refused before a calibration is spent. */
    struct hzprof_config c = *cfg;
    c.max_overhead = 0;
    c.calibration = NULL;
    c.rate_hz = 1;
    if ((rc = hzprof_config_check(&c)) != HZPROF_OK)
        return rc;
    struct hzprof_calibration cal;
    const int calibrated = cfg->calibration == NULL;
    if (cfg->calibration)
        cal = *cfg->calibration;
    else if ((rc = hzprof_calibrate(&c, &cal)) != HZPROF_OK)
        return rc;
    struct hzprof_budget b;
    rc = hzprof_budget_rate(cfg->max_overhead, cal.cost_ns,
                            hzprof_sampler_max_rate(c.sampler ? c.sampler : "thread-timer"),
                            cal.ceiling_hz, &b);
    if (rc != HZPROF_OK)
        return rc;
    c.rate_hz = b.rate_hz;
    const struct budget_info info = {cfg->max_overhead, b.predicted_overhead, cal.cost_ns,
                                     cal.ceiling_hz, calibrated};
    return profiler_start(&c, &info);
}
