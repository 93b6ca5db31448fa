/*
 * support.h — helpers shared by the end-to-end tests: parsing folded profiles, spinning
 * for a measured amount of CPU, functions that burn CPU in loops of their own
 * (workloads/burn.h), and a failure macro that says what was expected.
 */
#ifndef HZPROF_TEST_SUPPORT_H
#define HZPROF_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burn.h" /* BURN_FUNCTION: `static BURN_FUNCTION(name, seed)` for a hot function */

/* Fails the test (exit 1) with a message, file and line. */
#define expect(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            support_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                  \
    } while (0)

void support_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* A folded profile in memory. */
struct folded_line {
    char *stack; /* "a;b;c" */
    uint64_t count;
};
struct folded {
    struct folded_line *lines;
    size_t n;
};

/* Reads a folded file; exits with a message if it cannot. */
struct folded folded_load(const char *path);
void folded_free(struct folded *f);

/* Total samples whose leaf (last frame) is `leaf`. */
uint64_t folded_count_leaf(const struct folded *f, const char *leaf);
/* Total samples whose stack has a frame named exactly `frame`. */
uint64_t folded_count_frame(const struct folded *f, const char *frame);
/* Total samples whose stack has both frames (in any order). */
uint64_t folded_count_frames(const struct folded *f, const char *a, const char *b);
uint64_t folded_total(const struct folded *f);
/* Prints the profile to stderr (for failure diagnosis). */
void folded_dump(const struct folded *f);

/* Recurses `depth` frames (no tail calls), then sends SIGPROF to the calling thread:
 * a "manual" sample taken at a known stack depth. */
int support_sample_at_depth(int depth);

/* Thread CPU time of the calling thread, in seconds. */
double thread_cpu_seconds(void);

/* A pure compute kernel: `iterations` of integer mixing; returns a value to keep. */
uint64_t spin_kernel(uint64_t iterations, uint64_t seed);

/* Iterations of spin_kernel that take about `seconds` of CPU on this machine. */
uint64_t spin_calibrate(double seconds);

/* Number of open fds / threads / POSIX timers of this process. */
int count_fds(void);

/* The whole file as a string (to free): "" for an empty file, NULL when it cannot be
 * opened. */
char *read_text(const char *path);

/* Runs a shell command (printf-style); its exit status, or 128 + the signal. */
int run_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int count_threads(void);
int count_posix_timers(void);

/* True if this machine can open a hardware cycles counter. */
bool machine_has_pmu(void);

#endif
