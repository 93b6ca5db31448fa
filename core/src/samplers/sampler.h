/*
 * sampler.h — the interface every sampling strategy implements (one file each, as
 * async-profiler's engines), and the table that names them.
 *
 * A sampler makes the kernel (or a helper thread) send SIGPROF to the threads it samples.
 * Process-wide samplers implement start/stop; per-thread samplers also implement
 * thread_arm/thread_disarm, which the thread registry calls for every thread that exists
 * or appears while profiling, with the registry lock held.
 *
 * accept() runs inside the signal handler (async-signal-safe, no side effects): it tells
 * whether a SIGPROF came from this sampler (by si_code), so signals from another source,
 * or a late one from a previous session's sampler, are ignored; it may set sample flags,
 * looking at the interrupted context if it must. sampled() also runs in the handler, after
 * each signal accept() took (whether or not a stack was recorded): the sampler may re-arm
 * its timer there (jitter) or keep the stack (the wall sampler's no-interrupt mode).
 *
 * Everything that differs between samplers is a field here, so no code outside this
 * table tests a sampler's name.
 */
#ifndef HZPROF_SAMPLER_H
#define HZPROF_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>

#include "hzprof.h"

struct thread_entry;

/* The stack a thread was last sampled with (the wall sampler's no-interrupt mode, which
 * reports a blocked thread's tick with it). The thread's own signal handler writes it
 * under a sequence count (odd while writing); the wall helper reads it and retries if the
 * count moved. Allocated when the thread is armed, freed with its entry. */
struct last_stack {
    uint32_t seq;
    uint32_t depth;
    uint32_t label_set;
    uint64_t pcs[HZPROF_MAX_DEPTH_LIMIT];
};

/* A thread's resources under the per-thread samplers: only the samplers' own files use
 * them; the thread registry (threads.c) holds one per thread and calls the functions
 * below to set it up and, in a forked child, to drop the parent's. */
struct sampler_thread {
    timer_t timer;           /* thread-timer, wall-timer */
    int fd;                  /* perf-clock, perf-cycles: the counter; -1 if none */
    int stat_fd;             /* wall: /proc/self/task/TID/stat; -1 if none */
    uint64_t last_cpu_ns;    /* wall: the thread's CPU clock at the last tick */
    struct last_stack *last; /* wall with no_interrupt; NULL otherwise */
};

/* A new thread's: nothing armed. */
void sampler_thread_init(struct sampler_thread *s);
/* Frees what it holds (the entry goes away). */
void sampler_thread_free(struct sampler_thread *s);
/* In a forked child: closes the fds it inherited (the child's own copies; POSIX timers are
 * not inherited) and frees the rest. */
void sampler_thread_forget_after_fork(struct sampler_thread *s);

struct sampler_params {
    unsigned rate_hz;
    uint64_t period_ns; /* 1e9 / rate_hz: the mean interval */
    int jitter;         /* enum jitter_kind (jitter.h); JITTER_NONE unless jitter_ok */
    bool no_interrupt;  /* only where no_interrupt_ok */
};

/* Flags accept() may set; they travel with the record. */
#define SAMPLE_FLAG_OFF_CPU 2u

struct sampler_ops {
    const char *name;
    /* Offered to users (`hzprof record --sampler`, the bench); false for "manual", a
     * sampler for tests and cost measurements. */
    bool user_visible;
    /* Samples threads per wall-clock period, running or not: the profile's sample type is
     * wall/nanoseconds and the achieved rate is per thread-wall-second. */
    bool wall_clock;
    /* Can draw each interval at random (hzprof_config.jitter). */
    bool jitter_ok;
    /* Has a mode that never signals a thread blocked in a system call. */
    bool no_interrupt_ok;
    /* The documented safe maximum rate (HZPROF_MAX_RATE_HZ explains the number). */
    unsigned max_rate_hz;
    /* Also bounded by /proc/sys/kernel/perf_event_max_sample_rate (perf samplers). */
    bool kernel_rate_limited;
    /* Fires each period of the thread's own CPU time, counted from arming: the CPU a
     * thread runs after its last sample (all of it, for a thread shorter than a period)
     * is in no sample, and is accounted at its exit (hzprof_stats.unsampled_cpu_ns). */
    bool thread_cpu_period;
    /* Checks, arming nothing, that the machine can provide this sampler (e.g. a PMU).
     * Returns an HZPROF_ERR_* code with error_set() detail. May be NULL. */
    int (*probe)(const struct sampler_params *p);
    /* Checks the machine can provide this sampler and arms process-wide machinery.
     * Returns an HZPROF_ERR_* code with error_set() detail on failure. May be NULL. */
    int (*start)(const struct sampler_params *p);
    void (*stop)(void);
    /* Per-thread arming; NULL for process-wide samplers. */
    int (*thread_arm)(struct thread_entry *t, const struct sampler_params *p);
    void (*thread_disarm)(struct thread_entry *t);
    bool (*accept)(const siginfo_t *si, const ucontext_t *uc, unsigned *flags);
    /* Signal-handler code, may be NULL: after an accepted signal, with the stack recorded
     * (pcs[0..depth), leaf first) or pcs NULL when none was (see above). */
    void (*sampled)(const siginfo_t *si, const uint64_t *pcs, unsigned depth);
};

extern const struct sampler_ops sampler_itimer;
extern const struct sampler_ops sampler_thread_timer;
extern const struct sampler_ops sampler_perf_clock;
extern const struct sampler_ops sampler_perf_cycles;
extern const struct sampler_ops sampler_wall;
extern const struct sampler_ops sampler_wall_timer;
extern const struct sampler_ops sampler_manual;

/* Signal-handler code, for the wall samplers' on/off-CPU marking: true if the thread was
 * stopped in a system call, its PC on a `syscall` instruction (0f 05; the kernel rewinds
 * to it to restart the call) or just after one. Reads only the page the PC is on. */
bool sampler_stopped_in_syscall(const ucontext_t *uc);

/* For the per-thread POSIX-timer samplers (thread-timer, wall-timer): a timer on clock
 * that sends thread t SIGPROF with cookie in si_value, first after first_ns then every
 * interval_ns (0: once), kept in t->s.timer. clock_name, if not NULL, goes in the error
 * detail. Returns HZPROF_OK, or HZPROF_ERR_SYSTEM with the detail set and no timer left. */
int sampler_posix_timer_arm(struct thread_entry *t, clockid_t clock, const char *clock_name,
                            int cookie, uint64_t interval_ns, uint64_t first_ns);

/* By name, or NULL. */
const struct sampler_ops *sampler_find(const char *name);

/* The kernel's perf_event_max_sample_rate, or 0 when it cannot be read. */
unsigned sampler_kernel_max_rate(void);

/* HZPROF_OK, or HZPROF_ERR_RATE with the detail set, for rate_hz under sampler s when the
 * kernel allows kernel_max (0: unknown, not checked) perf samples per second. */
int sampler_rate_check(const struct sampler_ops *s, unsigned rate_hz, unsigned kernel_max);

#endif
