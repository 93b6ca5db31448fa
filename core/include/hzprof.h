/*
 * hzprof.h — the public API of libhzprof, a signal-driven sampling CPU profiler.
 *
 * This is the only public header. Everything else under core/src is internal.
 *
 * Model (as Go's runtime CPU profiler): a sampler makes SIGPROF arrive at each thread at a
 * set rate (a kernel timer, or for "wall" a helper thread that signals every thread); the
 * async-signal-safe handler unwinds the interrupted stack and writes it, with the thread's
 * current label set, into a lock-free ring buffer; a reader thread drains the ring into a
 * hash map keyed by stack + labels. After hzprof_stop() the aggregated profile can be
 * written out as folded stacks (hzprof_write_folded) or as a gzipped pprof profile
 * (hzprof_write_pprof).
 *
 * Usage: tests/header_example.c, line for line; the header_example test builds it against
 * this header and the library, runs it, and checks that this copy still matches it.
 *
 *     #include <hzprof.h>
 *     #include <stdio.h>
 *     #include <time.h>
 *
 *     static volatile unsigned long sink;
 *
 *     int main(void)
 *     {
 *         struct hzprof_config cfg;
 *         hzprof_config_init(&cfg);
 *         cfg.rate_hz = 1000;
 *         cfg.sampler = "thread-timer";
 *         int rc = hzprof_start(&cfg);
 *         if (rc != HZPROF_OK) {
 *             fprintf(stderr, "%s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
 *             return 1;
 *         }
 *         while (clock() < CLOCKS_PER_SEC / 5)
 *             sink++;
 *         hzprof_stop();
 *         rc = hzprof_write_folded("cpu.folded", 0);
 *         if (rc != HZPROF_OK) {
 *             fprintf(stderr, "%s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
 *             return 1;
 *         }
 *         return 0;
 *     }
 *
 * Threads: linking (or LD_PRELOADing) libhzprof interposes pthread_create, so threads
 * created after the library is loaded register themselves. Threads that already exist
 * when hzprof_start() is called are found in /proc/self/task and sampled too; those that
 * call hzprof_thread_register() also get full frame-pointer stacks (their stack bounds are
 * known), an alternate signal stack, and their unwinder warmed up outside the signal
 * handler.
 *
 * Signals: from the first hzprof_start(), libhzprof owns SIGPROF (a program that installs
 * its own handler or ignores it stops the samples: hzprof_stats.sigprof_taken). Its
 * handler stays installed after hzprof_stop() so that a signal still in flight is ignored
 * rather than killing the process. Slow system calls may be interrupted (SA_RESTART is
 * set, but calls such as nanosleep(2), poll(2) or epoll_wait(2) return EINTR regardless,
 * and a blocking write(2) returns short): code being profiled must retry. "wall" and
 * "wall-timer" interrupt blocked threads every period; the CPU samplers and "wall" with
 * no_interrupt signal only threads that run (README: "What profiling does to system
 * calls").
 *
 * Thread safety: hzprof_start/stop/get_stats/write_* are serialized internally and may be
 * called from any thread. Label functions act on the calling thread only.
 */
#ifndef HZPROF_H
#define HZPROF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HZPROF_VERSION "0.1.0"

/* The library is built with hidden visibility; only what is marked HZPROF_API is
 * exported. */
#define HZPROF_API __attribute__((visibility("default")))

/* Defaults and limits of struct hzprof_config. */
#define HZPROF_DEFAULT_RATE_HZ 100
/* The highest rate any sampler accepts. Each sampler has its own safe maximum (all
 * 10 kHz today, hzprof_sampler_max_rate), and the perf samplers are also bounded by the
 * kernel's /proc/sys/kernel/perf_event_max_sample_rate, which the kernel lowers by itself
 * when sampling interrupts take too long. A higher request fails (HZPROF_ERR_RATE); it is
 * never clamped. Why 10 kHz: on a 2-CPU VM a timer-driven sample costs ~60 us of CPU, so
 * at 100 kHz per-thread perf timers on 64 busy threads locked a CPU in the kernel for
 * minutes (soft lockup); at 10 kHz the period (100 us) still exceeds that cost. */
#define HZPROF_MAX_RATE_HZ 10000
#define HZPROF_DEFAULT_MAX_DEPTH 64 /* as Go */
#define HZPROF_MAX_DEPTH_LIMIT 256
#define HZPROF_DEFAULT_RING_WORDS (1u << 17) /* 1 MiB of 64-bit words, as Go */
#define HZPROF_MIN_RING_WORDS (1u << 10)

/* Error codes. Every function that can fail returns one; 0 is success. */
enum hzprof_error {
    HZPROF_OK = 0,
    HZPROF_ERR_INVALID = -1,          /* a config value is out of range */
    HZPROF_ERR_UNKNOWN_SAMPLER = -2,  /* sampler name not known */
    HZPROF_ERR_UNKNOWN_UNWINDER = -3, /* unwinder name not known */
    HZPROF_ERR_RUNNING = -4,          /* hzprof_start while profiling */
    HZPROF_ERR_NOT_RUNNING = -5,      /* hzprof_stop while not profiling */
    HZPROF_ERR_NO_PMU = -6,           /* hardware counters unavailable */
    HZPROF_ERR_PERMISSION = -7,       /* the kernel refused (perf_event_paranoid, ...) */
    HZPROF_ERR_SYSTEM = -8,           /* a system call failed */
    HZPROF_ERR_NO_MEMORY = -9,
    HZPROF_ERR_IO = -10,         /* writing an output file failed */
    HZPROF_ERR_NO_PROFILE = -11, /* nothing recorded yet to write */
    HZPROF_ERR_LABELS = -12,     /* label stack empty or full */
    HZPROF_ERR_RATE = -13,       /* rate above the sampler's or the kernel's maximum */
    HZPROF_ERR_BUDGET = -14,     /* the overhead budget cannot be met, even at 1 Hz */
};

/* A fixed message for a code ("hardware counters unavailable", ...). Never NULL. */
HZPROF_API const char *hzprof_strerror(int code);

/* The detail of the last failure on the calling thread, e.g.
 * "unknown sampler 'foo' (valid: itimer, thread-timer, ...)" or
 * "perf_event_open(cycles): No such file or directory". Empty string if none. */
HZPROF_API const char *hzprof_error_detail(void);

struct hzprof_config {
    /* Samples per CPU-second per thread (per wall-second per thread for "wall").
     * 1..HZPROF_MAX_RATE_HZ. Tick-based samplers (itimer, thread-timer) cannot exceed
     * the kernel tick (CONFIG_HZ); the statistics show what was achieved. */
    unsigned rate_hz;
    /* Sampler name: "itimer", "thread-timer", "perf-clock", "perf-cycles", "wall",
     * "wall-timer", or "manual" (no timer: samples are taken when the process sends itself
     * SIGPROF with tgkill; for tests and cost measurements). NULL means "thread-timer".
     * "wall" signals threads from a helper thread; "wall-timer" gives each thread its own
     * CLOCK_MONOTONIC POSIX timer, so the kernel signals it directly (no helper that must
     * get a CPU first: no skid towards system-call boundaries on a busy machine). */
    const char *sampler;
    /* Unwinder name: "fp", "libunwind", "none" (the interrupted PC only) or "empty" (no
     * sample: the handler counts the signal and returns; what the platform's timer and
     * signal delivery cost by themselves). NULL means "libunwind". */
    const char *unwinder;
    /* Frames kept per sample, 1..HZPROF_MAX_DEPTH_LIMIT; deeper stacks keep their
     * leaf-most frames and count as truncated. */
    unsigned max_depth;
    /* Ring capacity in 64-bit words, a power of two >= HZPROF_MIN_RING_WORDS. */
    size_t ring_words;
    /* Intervals drawn at random with the mean 1/rate_hz, so that a program with a period
     * of its own is not sampled at the same phases every cycle (lockstep): NULL or "none"
     * (fixed), "uniform" (each in [T/2, 3T/2]) or "exp" (exponential: a Poisson process,
     * never shorter than 1/HZPROF_MAX_RATE_HZ). For the samplers with HZPROF_CAP_JITTER
     * (perf-clock, wall, wall-timer); the tick samplers (itimer, thread-timer) expire on
     * the kernel tick and cannot draw intervals finer than it (HZPROF_ERR_INVALID). */
    const char *jitter;
    /* "wall" only: never signal a thread that is blocked (not running) when its tick
     * comes; the tick becomes an off-CPU sample with the stack that thread was last
     * sampled with on CPU (a thread never sampled yet has none: the tick counts in
     * samples_missed). A blocked thread's system calls are then never interrupted. */
    int no_interrupt;
    /* Budget mode: the most CPU profiling may add, as a fraction of each busy thread's
     * CPU time (0.01 = 1%), in (0, HZPROF_MAX_OVERHEAD_LIMIT]; 0 = off. When set,
     * hzprof_start ignores rate_hz: it takes the cost of one sample for this sampler and
     * unwinder (from `calibration`, or by calibrating, hzprof_calibrate: about 0.4 s of
     * CPU on the calling thread before profiling starts), starts at the highest rate whose
     * predicted overhead fits (hzprof_budget_rate), and says what it chose and predicted
     * in hzprof_stats and the pprof comments. Not with the "manual" sampler (no timer).
     * The prediction is per CPU-second of a busy thread; the wall-clock samplers ("wall",
     * "wall-timer") also signal threads that sleep, which this does not count. */
    double max_overhead;
    /* Budget mode: what one sample costs here, known in advance (an earlier
     * hzprof_calibrate, or the figures `hzprof cost --json` writes); read at start only.
     * NULL: calibrate at start. */
    const struct hzprof_calibration *calibration;
};

/* The largest overhead budget accepted (50%): beyond that a "budget" is no limit. */
#define HZPROF_MAX_OVERHEAD_LIMIT 0.5

/* What one sample costs on this machine for a sampler and unwinder (hzprof_calibrate). */
struct hzprof_calibration {
    double cost_ns;        /* CPU ns one sample adds (see hzprof_calibrate), never less
                              than the time measured inside the handler (handler_ns) */
    double handler_ns;     /* mean time inside the handler per sample (a lower bound) */
    double achieved_hz;    /* samples per CPU-second of the calling thread, at the test
                              rate */
    double ceiling_hz;     /* achieved_hz when the sampler reached under half the test
                              rate (a tick sampler stops at CONFIG_HZ); else 0. Rates
                              above it cost no more than it does */
    unsigned test_rate_hz; /* the rate the on blocks ran at */
    unsigned pairs;        /* pairs of blocks that took samples (0: a tick sampler,
                              costed by its signal) */
    double cpu_seconds;    /* process CPU the calibration took */
};

/* Fills *cfg with the defaults above. */
HZPROF_API void hzprof_config_init(struct hzprof_config *cfg);

/* Checks cfg as hzprof_start would, starting nothing: names, ranges, the rate against
 * the sampler's maximum and the kernel's (HZPROF_ERR_RATE), and whether this machine can
 * provide the sampler (e.g. HZPROF_ERR_NO_PMU for "perf-cycles"). `hzprof record` calls
 * it before the program starts. Returns HZPROF_OK or a code with hzprof_error_detail(). */
HZPROF_API int hzprof_config_check(const struct hzprof_config *cfg);

/* The highest rate the named sampler accepts now: its safe maximum, lowered to the
 * kernel's perf_event_max_sample_rate for the perf samplers. 0 for an unknown name. */
HZPROF_API unsigned hzprof_sampler_max_rate(const char *sampler);

/* Parses an overhead budget as the command line and HZPROF_MAX_OVERHEAD write it: a
 * percentage, "1%", "0.5%" or "1" (percent), above 0 and at most 50. Digits and one
 * decimal point only, then an optional '%' (no sign, exponent, spaces, nan or inf).
 * Returns HZPROF_OK with *fraction set (0.01 for "1%"), or HZPROF_ERR_INVALID with
 * hzprof_error_detail() saying why. */
HZPROF_API int hzprof_overhead_parse(const char *text, double *fraction);

/* The choice of budget mode, computed without measuring anything. */
struct hzprof_budget {
    unsigned rate_hz;          /* floor(max_overhead / cost) per second, in
                                  [1, max_rate_hz] */
    double predicted_overhead; /* min(rate_hz, ceiling_hz) x cost, a fraction */
};

/* The rate for a budget: max_overhead (a fraction, as hzprof_config.max_overhead) over
 * the cost of one sample in CPU ns, rounded down, clamped to [1, max_rate_hz] (the
 * sampler's maximum, hzprof_sampler_max_rate). ceiling_hz (0: none) is the rate the
 * sampler cannot pass here (hzprof_calibration.ceiling_hz): rates above it cost what it
 * costs, so the prediction uses the smaller of the two; the rate itself is not lowered
 * to it, since a tick timer asked for a little less than a tick would fire every other
 * tick. Returns HZPROF_OK; HZPROF_ERR_INVALID for an argument out of range;
 * HZPROF_ERR_BUDGET when even 1 Hz would cost more than the budget. */
HZPROF_API int hzprof_budget_rate(double max_overhead, double cost_ns, unsigned max_rate_hz,
                                  double ceiling_hz, struct hzprof_budget *out);

/* Measures what one sample costs here for cfg's sampler and unwinder (its rate_hz,
 * max_overhead and calibration are ignored), on the calling thread, in about 0.4 s of
 * CPU (less for tick samplers). A probe block of a fixed CPU-bound loop profiled at a test
 * rate of 4 kHz (or the sampler's maximum, if lower) tells the samplers apart by the rate
 * they reach. One that reaches it (perf-clock, perf-cycles, wall) then runs 7 pairs of
 * ~25 ms blocks, one profiled and one not, in alternating order: cost = the median over
 * pairs of (process CPU on - process CPU off) / samples. One that stops short (itimer,
 * thread-timer: the kernel tick) has that rate as its ceiling_hz, and as its interrupt
 * is the tick that comes anyway, its cost is the signal's: signals the thread sends
 * itself through the same handler and unwinder, CPU per signal. Never less than the time
 * measured inside the handler. The process's other threads are sampled too and add noise
 * if they are busy. Not while profiling (HZPROF_ERR_RUNNING); not for "manual"
 * (HZPROF_ERR_INVALID). Like hzprof_start it discards the previous profile, and it leaves
 * none behind (hzprof_get_stats then returns HZPROF_ERR_NO_PROFILE). */
HZPROF_API int hzprof_calibrate(const struct hzprof_config *cfg, struct hzprof_calibration *out);

/* Starts profiling the whole process. Fails, with nothing left armed, on a bad config,
 * an unknown sampler/unwinder (HZPROF_ERR_UNKNOWN_*, detail lists the valid names), or
 * a sampler the machine cannot provide (e.g. HZPROF_ERR_NO_PMU for "perf-cycles" where
 * there is no PMU). Discards the previous profile. In budget mode (max_overhead) it may
 * calibrate first (see there) and fails with HZPROF_ERR_BUDGET, nothing started, when
 * the budget cannot be met. */
HZPROF_API int hzprof_start(const struct hzprof_config *cfg);

/* Stops profiling: disarms every timer, waits for handlers in flight, drains the ring
 * into the profile and stops the reader thread. The profile stays available for the
 * hzprof_write_* functions and hzprof_get_stats until the next hzprof_start. */
HZPROF_API int hzprof_stop(void);

/* 1 while profiling, else 0. */
HZPROF_API int hzprof_running(void);

struct hzprof_stats {
    uint64_t samples_taken;     /* signals that produced a sample attempt */
    uint64_t samples_recorded;  /* samples written into the ring */
    uint64_t samples_lost;      /* samples dropped because the ring was full */
    uint64_t samples_missed;    /* "wall": ticks that never became samples, because its
                                   helper thread ran late (a busy machine) or the thread's
                                   previous signal was still pending (it had not run) */
    uint64_t samples_off_cpu;   /* "wall" samples of threads that were not running */
    uint64_t stacks_truncated;  /* samples whose stack was deeper than max_depth */
    uint64_t samples_low_stack; /* samples taken as the interrupted PC alone (or, under
                                   1 KB, not taken) because the stack the handler ran on
                                   had too little room to unwind: a program's own small
                                   alternate stack; never the case on the alternate
                                   stack hzprof gives threads that have none */
    uint64_t unsampled_cpu_ns;  /* thread-timer, perf-clock: CPU time that threads which
                                   exited during the session ran after their last sample,
                                   in no sample (all of a thread shorter than one period:
                                   many short threads can be most of a program's CPU) */
    uint64_t handler_ns_total;  /* time spent inside the handler, all samples */
    uint64_t handler_ns_max;    /* the longest single handler run */
    uint64_t threads_seen;      /* threads armed/sampled during the session */
    int sigprof_taken;          /* 1: at stop, SIGPROF was no longer ours (the program
                                   installed its own handler or ignored it): samples
                                   stopped then */
    double cpu_seconds;         /* process CPU time while profiling */
    double wall_seconds;        /* wall time while profiling */
    double achieved_hz;         /* samples_taken per CPU-second (per thread-wall-second
                                   for "wall"); compare with rate_hz */
    unsigned rate_hz;           /* requested rate (in budget mode: the rate chosen) */
    char sampler[32];
    char unwinder[32];
    /* Budget mode (hzprof_config.max_overhead); all 0 otherwise. */
    double max_overhead;       /* the budget, a fraction of a busy thread's CPU */
    double predicted_overhead; /* min(rate_hz, budget_ceiling_hz) x cost_ns_per_sample */
    double cost_ns_per_sample; /* the cost of one sample the choice used, CPU ns */
    double budget_ceiling_hz;  /* the calibration's ceiling_hz (0: none seen) */
    int cost_calibrated;       /* 1: measured by hzprof_start; 0: given in the config */
};

/* Statistics of the current session (live) or of the last one. */
HZPROF_API int hzprof_get_stats(struct hzprof_stats *out);

/* Flags of hzprof_write_folded. */
#define HZPROF_FOLDED_LABELS 1u /* prefix each stack with a root frame "{k=v,k2=v2}" */

/* Writes the last profile as folded stacks, one line per distinct stack:
 * "root;caller;leaf count". Frames are function names resolved from the symbol table and
 * DWARF (elfutils libdw), or "module+0xOFFSET" / "0xADDR" when unknown. Pseudo-frames:
 * "[lost]" (samples dropped on ring overflow), a root "[truncated]" (stack cut at
 * max_depth), a leaf "[off-cpu]" (wall samples of a thread that was not running), and
 * with HZPROF_FOLDED_LABELS a root "{key=value,...}" for samples that carried labels.
 * Call after hzprof_stop(). An existing file at path is replaced (written to a temporary
 * file beside it, then renamed). */
HZPROF_API int hzprof_write_folded(const char *path, unsigned flags);

/* Writes the last profile in pprof format (gzipped profile.proto), readable by
 * `go tool pprof`: sample types samples/count and cpu/nanoseconds (wall/nanoseconds for
 * the wall sampler), the period, start time and duration, the process's executable
 * mappings with build ids, locations with their functions, files and lines (inlined
 * frames expanded), labels as string labels, and comments with the settings and totals.
 * The pseudo-frames of hzprof_write_folded appear as functions of the same names.
 * Call after hzprof_stop(). An existing file at path is replaced atomically. */
HZPROF_API int hzprof_write_pprof(const char *path);

/* Registers the calling thread: records its stack bounds and warms up the unwinder so
 * that the first signal does no non-async-signal-safe initialization; if profiling is on
 * with a per-thread sampler, arms its timer. Idempotent. Threads created with
 * pthread_create after libhzprof is loaded call this automatically. */
HZPROF_API int hzprof_thread_register(void);

/* Disarms and forgets the calling thread (also done automatically at thread exit). */
HZPROF_API void hzprof_thread_unregister(void);

/* Labels, like Go's pprof labels. Each thread has a current label set (initially empty);
 * every sample carries the set current when the signal arrived. push adds key=value
 * (replacing an existing value for key) and makes the result current; pop restores the
 * set that was current before the matching push. Nesting depth is bounded by
 * HZPROF_LABEL_STACK_MAX; key and value are copied. */
#define HZPROF_LABEL_STACK_MAX 32
HZPROF_API int hzprof_label_push(const char *key, const char *value);
HZPROF_API int hzprof_label_pop(void);

/* NULL-terminated list of sampler / unwinder names, for help texts. */
HZPROF_API const char *const *hzprof_sampler_names(void);
HZPROF_API const char *const *hzprof_unwinder_names(void);

/* What a sampler is and can do (hzprof_sampler_caps): 0 for an unknown name. */
#define HZPROF_CAP_KNOWN 1u         /* a sampler of this name exists */
#define HZPROF_CAP_USER 2u          /* offered to users ("manual" is for tests) */
#define HZPROF_CAP_WALL 4u          /* samples wall-clock time, running or not */
#define HZPROF_CAP_JITTER 8u        /* supports hzprof_config.jitter */
#define HZPROF_CAP_NO_INTERRUPT 16u /* supports hzprof_config.no_interrupt */
HZPROF_API unsigned hzprof_sampler_caps(const char *sampler);

#ifdef __cplusplus
}
#endif
#endif /* HZPROF_H */
