/*
 * rec_shortthreads.c — 400 threads, one after another, each burning about 0.3 ms of its
 * own CPU in short_work: less than one period at 1 kHz, so a sampler that fires per
 * period of a thread's CPU time never samples them (issue 14 #19). Prints the CPU time
 * the threads spent in short_work, in seconds, measured by their own CPU clocks (what
 * runs before the thread function, a profiler's registration included, is not counted).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define THREADS 400
#define BURN_NS 300000

static volatile uint64_t sink;

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline)) static void *short_work(void *out)
{
    const uint64_t start = thread_cpu_ns();
    while (thread_cpu_ns() - start < BURN_NS)
        for (int i = 0; i < 1000; i++)
            sink += (uint64_t)i * i;
    *(uint64_t *)out = thread_cpu_ns() - start;
    return NULL;
}

int main(void)
{
    uint64_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        uint64_t ns = 0;
        pthread_t t;
        if (pthread_create(&t, NULL, short_work, &ns) != 0 || pthread_join(t, NULL) != 0)
            return 1;
        total += ns;
    }
    printf("%.6f\n", total / 1e9);
    return 0;
}
