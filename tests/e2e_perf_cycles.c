/*
 * e2e_perf_cycles.c — "perf-cycles" where there is no PMU: a clear error, nothing armed,
 * and the program carries on (here: profiles with another sampler instead).
 *
 * Where the machine does have a PMU (checked independently by opening a cycles counter),
 * the test instead expects perf-cycles to start and record samples.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "hzprof.h"
#include "support.h"

static volatile uint64_t sink;

int main(void)
{
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    /* Warm up what exists once per process (libunwind keeps a pipe for validating
     * memory), so that the counts below measure only what the failed start leaves. */
    cfg.sampler = "manual";
    expect(hzprof_start(&cfg) == HZPROF_OK, "warm-up: %s", hzprof_error_detail());
    hzprof_stop();
    const int fds = count_fds(), threads = count_threads();
    cfg.sampler = "perf-cycles";
    cfg.rate_hz = 1000;
    int rc = hzprof_start(&cfg);
    if (machine_has_pmu()) {
        printf("this machine has a PMU: perf-cycles must work\n");
        expect(rc == HZPROF_OK, "perf-cycles failed with a PMU: %s", hzprof_error_detail());
        sink += spin_kernel(spin_calibrate(0.3), 1);
        hzprof_stop();
        struct hzprof_stats st;
        hzprof_get_stats(&st);
        expect(st.samples_taken > 0, "perf-cycles took no samples");
        return 0;
    }
    printf("no PMU: hzprof_start(perf-cycles) -> %d (%s): %s\n", rc, hzprof_strerror(rc),
           hzprof_error_detail());
    expect(rc == HZPROF_ERR_NO_PMU, "expected HZPROF_ERR_NO_PMU, got %d", rc);
    expect(strcmp(hzprof_strerror(rc), "hardware counters unavailable") == 0, "message");
    expect(strstr(hzprof_error_detail(), "hardware counters unavailable") != NULL, "detail");
    expect(!hzprof_running(), "profiler claims to run after a failed start");
    expect(count_fds() == fds, "fds leaked by the failed start: %d -> %d", fds, count_fds());
    expect(count_threads() == threads, "threads leaked: %d -> %d", threads, count_threads());

    /* The program continues, and can profile with a software sampler. */
    cfg.sampler = "perf-clock";
    rc = hzprof_start(&cfg);
    expect(rc == HZPROF_OK, "perf-clock after the failure: %s", hzprof_error_detail());
    sink += spin_kernel(spin_calibrate(0.2), 1);
    hzprof_stop();
    struct hzprof_stats st;
    hzprof_get_stats(&st);
    expect(st.samples_taken > 0, "no samples after falling back to perf-clock");
    printf("fallback perf-clock: %llu samples\n", (unsigned long long)st.samples_taken);
    return 0;
}
