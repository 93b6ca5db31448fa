/*
 * e2e_truth_split.c — ground truth: does the profile attribute CPU as it was spent?
 *
 *   e2e_truth_split SAMPLER UNWINDER
 *
 * Two static functions burn CPU in a 3:1 ratio, in alternating blocks; each block's true
 * cost is measured with the thread CPU clock. Profiled at 200 Hz (below the kernel tick,
 * so every sampler can achieve it), the folded profile must:
 *  - attribute hot_a's share of (hot_a + hot_b) within 5 percentage points of the truth;
 *  - hold a sample count within 20% of true time x rate (CPU time for CPU samplers,
 *    wall time for "wall");
 *  - with a stack-walking unwinder, show the stack down to main on >= 95% of the hot
 *    samples; with libunwind also the direct caller run_split. (GCC omits the frame
 *    setup of leaf functions that need no stack even with -fno-omit-frame-pointer, so
 *    the fp unwinder cannot see the caller of such a leaf: it goes from hot_a to main.)
 * Exit 77 (skip) if the sampler needs hardware this machine lacks.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hzprof.h"
#include "support.h"
#include "test_config.h"

#define RATE_HZ 200
#define ROUNDS 4
#define BLOCK_SECONDS 0.1 /* hot_b's block; hot_a's is three times longer */

static volatile uint64_t sink;

static BURN_FUNCTION(hot_a, 0x9e3779b97f4a7c15ull)

static BURN_FUNCTION(hot_b, 0x2545f4914f6cdd1dull)

struct truth {
    double cpu_a, cpu_b, wall;
};

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noinline)) run_split(uint64_t block, struct truth *t)
{
    double w0 = wall_seconds();
    for (int r = 0; r < ROUNDS; r++) {
        double c0 = thread_cpu_seconds();
        sink += hot_a(3 * block);
        double c1 = thread_cpu_seconds();
        sink += hot_b(block);
        double c2 = thread_cpu_seconds();
        t->cpu_a += c1 - c0;
        t->cpu_b += c2 - c1;
    }
    t->wall = wall_seconds() - w0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SAMPLER UNWINDER\n", argv[0]);
        return 2;
    }
    const char *sampler = argv[1], *unwinder = argv[2];
    const uint64_t block = spin_calibrate(BLOCK_SECONDS);

    struct hzprof_config cfg = test_config(sampler, unwinder);
    cfg.rate_hz = RATE_HZ;
    int rc = hzprof_start(&cfg);
    if (rc == HZPROF_ERR_NO_PMU) {
        printf("SKIP: %s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
        return 77;
    }
    expect(rc == HZPROF_OK, "hzprof_start(%s, %s): %s: %s", sampler, unwinder, hzprof_strerror(rc),
           hzprof_error_detail());

    struct truth t = {0};
    run_split(block, &t);
    expect(hzprof_stop() == HZPROF_OK, "hzprof_stop: %s", hzprof_error_detail());

    char path[64];
    snprintf(path, sizeof path, "truth_split_%s_%s.folded", sampler, unwinder);
    expect(hzprof_write_folded(path, 0) == HZPROF_OK, "write: %s", hzprof_error_detail());
    struct hzprof_stats st;
    hzprof_get_stats(&st);
    struct folded f = folded_load(path);

    const uint64_t a = folded_count_leaf(&f, "hot_a"), b = folded_count_leaf(&f, "hot_b");
    const uint64_t total = folded_total(&f);
    const double true_share = 100 * t.cpu_a / (t.cpu_a + t.cpu_b);
    const double prof_share = a + b ? 100.0 * (double)a / (double)(a + b) : 0;
    const bool wall = (hzprof_sampler_caps(sampler) & HZPROF_CAP_WALL) != 0;
    const double expected = (wall ? t.wall : t.cpu_a + t.cpu_b) * RATE_HZ;
    /* Wall ticks that could not become samples (the thread waited for a CPU with its last
     * signal pending) are counted as missed: together with the samples, every tick. */
    const double ticks = (double)(a + b) + (wall ? (double)st.samples_missed : 0);

    printf("%s/%s: hot_a %llu, hot_b %llu, total %llu samples; hot_a share %.1f%% "
           "(true %.1f%%); %.0f samples expected; achieved %.0f Hz; cpu %.2fs wall %.2fs\n",
           sampler, unwinder, (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)total, prof_share, true_share, expected, st.achieved_hz,
           t.cpu_a + t.cpu_b, t.wall);
    if (fabs(prof_share - true_share) > 5 || fabs(ticks - expected) > 0.2 * expected)
        folded_dump(&f);
    expect(fabs(prof_share - true_share) <= 5, "hot_a share %.1f%% vs true %.1f%%", prof_share,
           true_share);
    expect(fabs(ticks - expected) <= 0.2 * expected,
           "%llu samples in hot_a+hot_b (+ %llu missed), expected %.0f +- 20%%",
           (unsigned long long)(a + b), (unsigned long long)(wall ? st.samples_missed : 0),
           expected);
    expect((double)(a + b) >= 0.9 * (double)total, "only %llu of %llu samples in hot_a/hot_b",
           (unsigned long long)(a + b), (unsigned long long)total);
    expect(st.samples_lost == 0, "%llu samples lost", (unsigned long long)st.samples_lost);
    /* The profiler's own frames never appear: unwinding starts at the interrupted PC. */
    expect(folded_count_frame(&f, "profiler_signal_handler") == 0 &&
               folded_count_frame(&f, "record_sample") == 0 &&
               folded_count_frame(&f, "__restore_rt") == 0,
           "the handler or the signal trampoline appears in a stack");

    if (strcmp(unwinder, "none") != 0) {
        uint64_t caller = folded_count_frames(&f, "hot_a", "run_split") +
                          folded_count_frames(&f, "hot_b", "run_split");
        uint64_t with_main =
            folded_count_frames(&f, "hot_a", "main") + folded_count_frames(&f, "hot_b", "main");
        printf("  of %llu hot samples, %llu show main, %llu the caller run_split\n",
               (unsigned long long)(a + b), (unsigned long long)with_main,
               (unsigned long long)caller);
        expect((double)with_main >= 0.95 * (double)(a + b), "main missing: %llu of %llu",
               (unsigned long long)with_main, (unsigned long long)(a + b));
        if (strcmp(unwinder, "libunwind") == 0)
            expect((double)caller >= 0.95 * (double)(a + b), "caller missing: %llu of %llu",
                   (unsigned long long)caller, (unsigned long long)(a + b));
    } else {
        expect(folded_count_frame(&f, "run_split") == 0, "the none unwinder walked a stack");
    }
    folded_free(&f);
    unlink(path);
    return 0;
}
