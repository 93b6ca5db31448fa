/*
 * rec_hot.c — a program profiled from outside by `hzprof record` in the tests.
 *
 *   rec_hot TRUTH_FILE
 *
 * It burns CPU in a static function hot_static and in warm (whose loop body is the inlined
 * warm_step, so the profile must show an inlined frame), 3:1,
 * in alternating blocks, measures each one's thread CPU time, and writes the true shares
 * to TRUTH_FILE as "hot_static <percent>\nwarm <percent>\n".
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static volatile uint64_t sink;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t __attribute__((noinline)) hot_static(uint64_t n)
{
    uint64_t x = 88172645463325252ull;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

static inline __attribute__((always_inline)) uint64_t warm_step(uint64_t x)
{
    x ^= x << 7;
    x ^= x >> 9;
    return x;
}

uint64_t __attribute__((noinline)) warm(uint64_t n)
{
    uint64_t x = 2463534242ull;
    for (uint64_t i = 0; i < n; i++) {
        x = warm_step(x);
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRUTH_FILE\n", argv[0]);
        return 2;
    }
    /* Calibrate a block of about 50 ms. */
    uint64_t block = 1u << 20;
    for (;;) {
        double t0 = cpu_now();
        sink += hot_static(block);
        double dt = cpu_now() - t0;
        if (dt > 0.02) {
            block = (uint64_t)((double)block * 0.05 / dt);
            break;
        }
        block *= 2;
    }
    double hot = 0, cool = 0;
    for (int r = 0; r < 8; r++) {
        double t0 = cpu_now();
        sink += hot_static(3 * block);
        double t1 = cpu_now();
        sink += warm(block * 3 / 2); /* warm's loop is about twice as fast per iteration */
        double t2 = cpu_now();
        hot += t1 - t0;
        cool += t2 - t1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f)
        return 1;
    fprintf(f, "hot_static %.2f\nwarm %.2f\n", 100 * hot / (hot + cool), 100 * cool / (hot + cool));
    fclose(f);
    return 0;
}
