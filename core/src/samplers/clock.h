/*
 * clock.h — the few clock helpers the samplers and the signal handler share: nanoseconds
 * to and from struct timespec, a clock read in nanoseconds, and the clock id of another
 * thread's CPU clock.
 *
 * Signal-handler code: the handler and the samplers' accept()/sampled() call these, so
 * they are async-signal-safe only (clock_gettime is, per POSIX; the rest is arithmetic),
 * take no locks, allocate nothing and are bounded. A failed clock_gettime sets errno: the
 * handler saves and restores errno around everything it calls. Static inline, so the
 * handler's hot path keeps them inlined as before.
 */
#ifndef HZPROF_SAMPLERS_CLOCK_H
#define HZPROF_SAMPLERS_CLOCK_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define CLOCK_NS_PER_S 1000000000u

static inline uint64_t timespec_to_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * CLOCK_NS_PER_S + (uint64_t)ts->tv_nsec;
}

static inline void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / CLOCK_NS_PER_S);
    ts->tv_nsec = (long)(ns % CLOCK_NS_PER_S);
}

/* The clock in nanoseconds, or 0 if it cannot be read (a thread's CPU clock once the
 * thread has exited). clock_gettime is async-signal-safe (POSIX) and a vDSO call for the
 * common clocks. */
static inline uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return timespec_to_ns(&ts);
}

/* The kernel's encoding of thread tid's CPU clock id (CPUCLOCK_SCHED | PERTHREAD): what
 * pthread_getcpuclockid would give, but for any tid, as those found in /proc/self/task. */
static inline clockid_t thread_cpu_clock(pid_t tid)
{
    return (clockid_t)((~(unsigned)tid << 3) | 6u);
}

#endif
