/*
 * thread_timer.c — the "thread-timer" sampler: one POSIX timer per thread on that
 * thread's CPU clock, delivering SIGPROF to that thread (SIGEV_THREAD_ID), as Go 1.18+.
 *
 * Each thread's signals follow its own CPU time, so busy threads are sampled in proportion
 * to the CPU they use, however many run at once. Like itimer, expiry is checked on the
 * kernel tick, so the rate cannot exceed CONFIG_HZ. The first expiry of each timer is
 * spread over one period (as Go does) so that threads do not fire in lockstep.
 *
 * The timer is created by whichever thread arms it, on the target thread's CPU clock
 * (the clockid pthread_getcpuclockid would give, built from the tid), so threads found
 * in /proc/self/task can be armed too.
 *
 * accept() is signal-handler code: it checks si_code == SI_TIMER and our cookie in
 * si_value, so an application's own POSIX timers on SIGPROF are not taken as samples.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../error.h"
#include "../threads.h"
#include "clock.h"
#include "sampler.h"

#define TIMER_COOKIE 0x687a7072 /* "hzpr" */

int sampler_posix_timer_arm(struct thread_entry *t, clockid_t clock, const char *clock_name,
                            int cookie, uint64_t interval_ns, uint64_t first_ns)
{
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGPROF;
    sev.sigev_value.sival_int = cookie;
    sev._sigev_un._tid = t->tid;
    if (timer_create(clock, &sev, &t->s.timer) != 0)
        return error_set_errno(HZPROF_ERR_SYSTEM, errno, "timer_create(%s%sthread %d)",
                               clock_name ? clock_name : "", clock_name ? ", " : "", t->tid);
    struct itimerspec its;
    ns_to_timespec(interval_ns, &its.it_interval);
    ns_to_timespec(first_ns, &its.it_value);
    if (timer_settime(t->s.timer, 0, &its, NULL) != 0) {
        int err = errno;
        timer_delete(t->s.timer);
        return error_set_errno(HZPROF_ERR_SYSTEM, err, "timer_settime(thread %d)", t->tid);
    }
    return HZPROF_OK;
}

static int thread_timer_arm(struct thread_entry *t, const struct sampler_params *p)
{
    /* First expiry uniformly in (0, period]: rand_r on a per-thread seed. */
    unsigned seed = (unsigned)t->tid * 2654435761u;
    uint64_t first = 1 + (uint64_t)rand_r(&seed) % p->period_ns;
    return sampler_posix_timer_arm(t, thread_cpu_clock(t->tid), NULL, TIMER_COOKIE, p->period_ns,
                                   first);
}

static void thread_timer_disarm(struct thread_entry *t)
{
    timer_delete(t->s.timer);
}

static bool thread_timer_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    (void)uc;
    (void)flags;
    return si->si_code == SI_TIMER && si->si_value.sival_int == TIMER_COOKIE;
}

const struct sampler_ops sampler_thread_timer = {
    .name = "thread-timer",
    .user_visible = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .thread_cpu_period = true,
    .thread_arm = thread_timer_arm,
    .thread_disarm = thread_timer_disarm,
    .accept = thread_timer_accept,
};
