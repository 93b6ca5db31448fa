/*
 * e2e_threads.c — threads: are busy threads sampled in proportion to their CPU, and
 * sleeping threads only by the wall sampler?
 *
 *   e2e_threads SAMPLER
 *
 * busy_one (created before hzprof_start with libc's own pthread_create, bypassing the
 * interposer, as a thread that existed before libhzprof was loaded: only the /proc scan
 * at start can find it) and busy_two (created after start, registered by the
 * pthread_create interposer) burn CPU at the same time, in
 * a 2:1 ratio measured with their thread CPU clocks. A third thread sleeps in read(2) on
 * a pipe the whole time. Checks, at 200 Hz with the libunwind unwinder:
 *  - both busy threads have samples;
 *  - per-thread samplers (thread-timer, perf-clock): busy_one's share of the busy samples
 *    is within 5 points of its share of the CPU;
 *  - the sleeper has no samples, except under "wall", where it has samples, all off-CPU.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hzprof.h"
#include "support.h"
#include "test_config.h"

#define RATE_HZ 200

static volatile uint64_t sink;
static uint64_t unit; /* iterations in 0.15 s */
static int pipe_fds[2];
static pthread_barrier_t go;

struct busy {
    uint64_t (*burn)(uint64_t n); /* burn_one or burn_two: the profile tells them apart */
    unsigned units;
    double cpu;
};

static BURN_FUNCTION(burn_one, 7)

static BURN_FUNCTION(burn_two, 11)

/* busy_one and busy_two: burns b->units of CPU in b->burn, measuring the thread's CPU. */
static void *busy_main(void *arg)
{
    struct busy *b = arg;
    pthread_barrier_wait(&go);
    double c0 = thread_cpu_seconds();
    sink += b->burn(b->units * unit);
    b->cpu = thread_cpu_seconds() - c0;
    return NULL;
}

static void *sleeper_main(void *arg)
{
    (void)arg;
    char c;
    ssize_t n;
    do
        n = read(pipe_fds[0], &c, 1); /* blocks until main writes; retried on EINTR */
    while (n < 0);
    return NULL;
}

int main(int argc, char **argv)
{
    expect(argc == 2, "usage: %s SAMPLER", argv[0]);
    const char *sampler = argv[1];
    const bool wall = (hzprof_sampler_caps(sampler) & HZPROF_CAP_WALL) != 0;
    const bool per_thread = !wall && strcmp(sampler, "itimer") != 0;
    unit = spin_calibrate(0.15);
    expect(pipe(pipe_fds) == 0, "pipe");
    pthread_barrier_init(&go, NULL, 3);

    struct busy one = {.burn = burn_one, .units = 6}, two = {.burn = burn_two, .units = 3};
    pthread_t t1, t2, ts;
    expect(pthread_create(&ts, NULL, sleeper_main, NULL) == 0, "create sleeper");
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    expect(libc != NULL, "dlopen libc.so.6: %s", dlerror());
    int (*libc_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(
            libc, "pthread_create");
    expect(libc_pthread_create != NULL, "dlsym pthread_create");
    expect(libc_pthread_create(&t1, NULL, busy_main, &one) == 0, "create busy_one");

    struct hzprof_config cfg = test_config(sampler, "libunwind");
    cfg.rate_hz = RATE_HZ;
    int rc = hzprof_start(&cfg);
    expect(rc == HZPROF_OK, "start %s: %s", sampler, hzprof_error_detail());
    expect(pthread_create(&t2, NULL, busy_main, &two) == 0, "create busy_two");
    pthread_barrier_wait(&go);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    hzprof_stop();
    expect(write(pipe_fds[1], "x", 1) == 1, "wake sleeper");
    pthread_join(ts, NULL);

    char path[64];
    snprintf(path, sizeof path, "threads_%s.folded", sampler);
    expect(hzprof_write_folded(path, 0) == HZPROF_OK, "write: %s", hzprof_error_detail());
    struct folded f = folded_load(path);
    struct hzprof_stats st;
    hzprof_get_stats(&st);

    const uint64_t n1 = folded_count_frame(&f, "burn_one");
    const uint64_t n2 = folded_count_frame(&f, "burn_two");
    const uint64_t ns = folded_count_frame(&f, "sleeper_main");
    const uint64_t ns_off = folded_count_frames(&f, "sleeper_main", "[off-cpu]");
    const double true_share = 100 * one.cpu / (one.cpu + two.cpu);
    const double share = n1 + n2 ? 100.0 * (double)n1 / (double)(n1 + n2) : 0;
    printf("%s: busy_one %llu samples (%.2fs cpu), busy_two %llu (%.2fs); share %.1f%% vs "
           "true %.1f%%; sleeper %llu (%llu off-cpu); threads seen %llu\n",
           sampler, (unsigned long long)n1, one.cpu, (unsigned long long)n2, two.cpu, share,
           true_share, (unsigned long long)ns, (unsigned long long)ns_off,
           (unsigned long long)st.threads_seen);

    expect(n1 > 0 && n2 > 0, "a busy thread has no samples");
    if (per_thread) {
        if (fabs(share - true_share) > 5)
            folded_dump(&f);
        expect(fabs(share - true_share) <= 5, "busy_one share %.1f%% vs true %.1f%%", share,
               true_share);
    }
    if (wall) {
        expect(ns > 0, "the wall sampler did not sample the sleeping thread");
        /* wall knows a thread's state from /proc; wall-timer judges it in the handler from
         * the PC (at a system call) and the thread's CPU clock (under a tenth of a period
         * since its last tick): the kernel's own work to wake the thread and deliver the
         * signal, on a loaded VM, now and then passes that (1-2 of ~400 seen). */
        const bool exact = strcmp(sampler, "wall") == 0;
        expect(exact ? ns_off == ns : ns - ns_off <= ns / 50,
               "%llu of the sleeper's %llu samples are not off-CPU",
               (unsigned long long)(ns - ns_off), (unsigned long long)ns);
    } else {
        expect(ns == 0, "a CPU sampler sampled the sleeping thread %llu times",
               (unsigned long long)ns);
    }
    folded_free(&f);
    unlink(path);
    return 0;
}
