/*
 * wall_timer.c — the "wall-timer" sampler: one POSIX timer per thread on CLOCK_MONOTONIC,
 * delivering SIGPROF to that thread (SIGEV_THREAD_ID), so threads are sampled per period
 * of wall time, running or not, as by "wall" — but signalled by the kernel's timer
 * interrupt itself, with no helper thread between (issue 15).
 *
 * Why: "wall"'s helper thread must get a CPU to send its signals. On a busy machine it
 * gets one mostly when a busy thread enters the kernel, so its signals land at
 * system-call boundaries (skid): a program that calls a cheap system call every 50 µs
 * saw 40 % of its samples at the return of one. A CLOCK_MONOTONIC timer is an hrtimer:
 * it fires at its time on whichever CPU, and the signal interrupts the thread where it
 * is (at once if it runs, when it next runs if it waits for a CPU).
 *
 * On/off CPU: the kernel does not say whether the thread was running. A thread blocked in
 * a system call is woken by the signal with its PC at (or just after) the `syscall`
 * instruction; so is one that was running a fast call (getppid) when the tick came. The
 * thread's own CPU clock tells them apart: accept() marks a sample off-CPU when the PC is
 * at a system call and the thread ran less than a tenth of a period since its last tick,
 * not counting the handler itself (as "wall" does with its helper's view; a tenth of the
 * wall time elapsed would misjudge two ticks that come close together). A thread
 * runnable but waiting for a CPU
 * counts as on CPU (fgprof's view). The clocks it keeps are the thread's own (TLS).
 * Like "wall", it interrupts blocked threads (EINTR from nanosleep, epoll_wait, poll); it
 * has no no-interrupt mode, since the kernel, not we, decides whom to signal.
 *
 * Jitter: each timer is armed with a random first expiry (its interval the period); with
 * jitter it is one-shot, and sampled() re-arms it in the handler with the next random
 * interval
 * (jitter_next_due, which takes the handler's lateness off the intervals that follow):
 * timer_settime on the kernel's timer id (si_timerid), one system call per sample.
 *
 * accept() and sampled() are signal-handler code: accept() checks si_code == SI_TIMER and
 * our cookie in si_value, reads two clocks and the code bytes at the PC, and keeps the
 * clocks in the thread's own TLS; sampled() makes one timer_settime system call.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../session.h"
#include "../thread_state.h"
#include "../threads.h"
#include "clock.h"
#include "jitter.h"
#include "sampler.h"

#define WALL_TIMER_COOKIE 0x687a7774 /* "hzwt" */

static int wall_timer_arm(struct thread_entry *t, const struct sampler_params *p)
{
    /* First expiry uniformly in (0, period] (or a first random interval), so threads do
     * not fire in lockstep. */
    uint64_t state = jitter_seed((uint64_t)t->tid << 32 ^ (uint64_t)time(NULL));
    const uint64_t first = p->jitter != JITTER_NONE
                               ? jitter_next_ns(p->jitter, p->period_ns, &state)
                               : 1 + state % p->period_ns;
    /* With jitter the timer is one-shot, and sampled() re-arms it each time. */
    return sampler_posix_timer_arm(t, CLOCK_MONOTONIC, "CLOCK_MONOTONIC", WALL_TIMER_COOKIE,
                                   p->jitter != JITTER_NONE ? 0 : p->period_ns, first);
}

static void wall_timer_disarm(struct thread_entry *t)
{
    timer_delete(t->s.timer);
}

static bool wall_timer_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    if (si->si_code != SI_TIMER || si->si_value.sival_int != WALL_TIMER_COOKIE)
        return false;
    struct thread_state *t = &hz_thread;
    const uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), now = clock_ns(CLOCK_MONOTONIC);
    const uint64_t generation = __atomic_load_n(&hz_session.generation, __ATOMIC_RELAXED);
    /* The first tick of a session has nothing to compare with: one period back. */
    const bool first = t->wall_generation != generation;
    const uint64_t ran = first ? 0 : cpu - t->wall_cpu_ns;
    t->wall_generation = generation;
    t->wall_cpu_ns = cpu; /* sampled() moves it to the handler's end */
    t->wall_ns = now;
    if (sampler_stopped_in_syscall(uc) && (first || ran < hz_session.period_ns / 10))
        *flags |= SAMPLE_FLAG_OFF_CPU;
    return true;
}

static void wall_timer_sampled(const siginfo_t *si, const uint64_t *pcs, unsigned depth)
{
    (void)pcs;
    (void)depth;
    /* The CPU this handler ran is not the thread's own work: count from its end. */
    hz_thread.wall_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    /* Expiries while this signal was still pending (the thread waited for a CPU) were not
     * sent again: the kernel counts them here. They are ticks that became no sample. */
    if (si->si_overrun > 0)
        __atomic_fetch_add(&hz_session.samples_missed, (uint64_t)si->si_overrun, __ATOMIC_RELAXED);
    const int kind = hz_session.jitter;
    if (kind == JITTER_NONE)
        return;
    const uint64_t now = clock_ns(CLOCK_MONOTONIC);
    struct itimerspec its;
    ns_to_timespec(0, &its.it_interval);
    ns_to_timespec(jitter_next_due(kind, hz_session.period_ns, now), &its.it_value);
    /* The raw system call takes the kernel's timer id, which the signal carries. */
    syscall(SYS_timer_settime, si->si_timerid, 0, &its, NULL);
}

const struct sampler_ops sampler_wall_timer = {
    .name = "wall-timer",
    .user_visible = true,
    .wall_clock = true,
    .jitter_ok = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .thread_arm = wall_timer_arm,
    .thread_disarm = wall_timer_disarm,
    .accept = wall_timer_accept,
    .sampled = wall_timer_sampled,
};
