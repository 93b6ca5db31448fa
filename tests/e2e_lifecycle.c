/*
 * e2e_lifecycle.c — nothing leaks: start/stop 100 times per sampler, and profile while
 * threads come and go. Counts fds (/proc/self/fd), threads (/proc/self/task) and POSIX
 * timers (/proc/self/timers) against a baseline, and checks ITIMER_PROF is disarmed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hzprof.h"
#include "support.h"
#include "test_config.h"

static volatile uint64_t sink;
static int base_fds, base_threads, base_timers;

static void expect_baseline(const char *when)
{
    struct itimerval it;
    getitimer(ITIMER_PROF, &it);
    expect(count_fds() == base_fds, "%s: fds %d, baseline %d", when, count_fds(), base_fds);
    expect(count_threads() == base_threads, "%s: threads %d, baseline %d", when, count_threads(),
           base_threads);
    expect(count_posix_timers() == base_timers, "%s: timers %d, baseline %d", when,
           count_posix_timers(), base_timers);
    expect(it.it_interval.tv_sec == 0 && it.it_interval.tv_usec == 0 && it.it_value.tv_sec == 0 &&
               it.it_value.tv_usec == 0,
           "%s: ITIMER_PROF still armed", when);
}

static void start_or_die(const char *sampler, const char *unwinder)
{
    struct hzprof_config cfg = test_config(sampler, unwinder);
    cfg.rate_hz = 1000;
    int rc = hzprof_start(&cfg);
    expect(rc == HZPROF_OK, "start %s/%s: %s", sampler, unwinder, hzprof_error_detail());
}

static void *short_lived(void *arg)
{
    sink += spin_kernel((uint64_t)(uintptr_t)arg, 3);
    return NULL;
}

static void *exits_early(void *arg)
{
    sink += spin_kernel((uint64_t)(uintptr_t)arg, 5);
    pthread_exit(NULL);
}

static const char *const samplers[] = {"itimer", "thread-timer", "perf-clock", "wall", "manual"};
static const char *const unwinders[] = {"fp", "libunwind", "none"};

int main(void)
{
    const uint64_t little = spin_calibrate(0.001);
    /* Warm up what is created once per process (libunwind caches, labels, the
     * SIGPROF handler) so the baseline is the steady state. */
    start_or_die("manual", "libunwind");
    hzprof_stop();
    base_fds = count_fds();
    base_threads = count_threads();
    base_timers = count_posix_timers();

    for (size_t s = 0; s < sizeof samplers / sizeof samplers[0]; s++) {
        for (int i = 0; i < 100; i++) {
            start_or_die(samplers[s], unwinders[i % 3]);
            sink += spin_kernel(little, (uint64_t)i);
            expect(hzprof_stop() == HZPROF_OK, "stop");
        }
        char when[64];
        snprintf(when, sizeof when, "after 100 x %s", samplers[s]);
        expect_baseline(when);
        printf("%s: 100 start/stop cycles, no leak\n", samplers[s]);
    }

    /* Threads created and exiting while profiling: their timers and fds go with them. */
    const char *const per_thread[] = {"thread-timer", "perf-clock", "wall"};
    for (size_t s = 0; s < 3; s++) {
        start_or_die(per_thread[s], "libunwind");
        const int fds = count_fds(), timers = count_posix_timers(), threads = count_threads();
        for (int round = 0; round < 20; round++) {
            pthread_t t[4];
            for (int k = 0; k < 4; k++)
                expect(pthread_create(&t[k], NULL, k % 2 ? exits_early : short_lived,
                                      (void *)(uintptr_t)(little * 5)) == 0,
                       "pthread_create");
            for (int k = 0; k < 4; k++)
                pthread_join(t[k], NULL);
        }
        expect(count_fds() == fds, "%s: fds %d after thread churn, %d before", per_thread[s],
               count_fds(), fds);
        expect(count_posix_timers() == timers, "%s: timers %d after churn, %d before",
               per_thread[s], count_posix_timers(), timers);
        expect(count_threads() == threads, "%s: threads %d after churn, %d before", per_thread[s],
               count_threads(), threads);
        struct hzprof_stats st;
        hzprof_get_stats(&st);
        hzprof_stop();
        char when[64];
        snprintf(when, sizeof when, "after thread churn under %s", per_thread[s]);
        expect_baseline(when);
        printf("%s: 80 threads created and exited while profiling, no leak "
               "(%llu samples, %llu threads seen)\n",
               per_thread[s], (unsigned long long)st.samples_taken,
               (unsigned long long)st.threads_seen);
    }

    /* fork while profiling: the child takes no samples into the parent's profile, is not
     * killed by a stray SIGPROF, and can profile on its own. */
    start_or_die("perf-clock", "libunwind");
    pid_t child = fork();
    expect(child >= 0, "fork");
    if (child == 0) {
        int ok = !hzprof_running();
        sink += spin_kernel(little * 50, 9);
        struct hzprof_config cfg;
        hzprof_config_init(&cfg);
        cfg.sampler = "perf-clock";
        cfg.rate_hz = 1000;
        ok = ok && hzprof_start(&cfg) == HZPROF_OK;
        sink += spin_kernel(little * 50, 9);
        ok = ok && hzprof_stop() == HZPROF_OK;
        _exit(ok ? 0 : 3);
    }
    sink += spin_kernel(little * 50, 9);
    int status;
    expect(waitpid(child, &status, 0) == child, "waitpid");
    expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "forked child: status 0x%x", status);
    hzprof_stop();
    expect_baseline("after fork");
    printf("fork while profiling: child ran, profiled itself, exited 0\n");

    /* A failed start leaves nothing behind either. */
    struct hzprof_config bad;
    hzprof_config_init(&bad);
    bad.sampler = "perf-cycles";
    if (hzprof_start(&bad) == HZPROF_OK)
        hzprof_stop();
    expect_baseline("after perf-cycles");
    return 0;
}
