/*
 * itimer.c — the "itimer" sampler: setitimer(ITIMER_PROF), as Go before 1.18 and
 * gperftools by default.
 *
 * The kernel counts the process's CPU time (all threads) and, every interval, sends one
 * process-directed SIGPROF, which it delivers to some thread that does not block it —
 * usually the one running when the tick expired. Expiry is checked on the kernel tick, so
 * the rate cannot exceed CONFIG_HZ, and with several busy threads one signal per tick
 * stands for all of them: the sampler under-counts multithreaded programs
 * (golang/go#35057). That is what this sampler is here to show.
 *
 * accept() is signal-handler code: it only compares si_code (SI_KERNEL for itimers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "../error.h"
#include "sampler.h"

static int itimer_set(uint64_t period_ns)
{
    struct itimerval it;
    memset(&it, 0, sizeof it);
    uint64_t us = period_ns / 1000;
    if (period_ns && us == 0)
        us = 1;
    it.it_interval.tv_sec = (time_t)(us / 1000000);
    it.it_interval.tv_usec = (suseconds_t)(us % 1000000);
    it.it_value = it.it_interval;
    return setitimer(ITIMER_PROF, &it, NULL);
}

static int itimer_start(const struct sampler_params *p)
{
    if (itimer_set(p->period_ns) != 0)
        return error_set_errno(HZPROF_ERR_SYSTEM, errno, "setitimer(ITIMER_PROF)");
    return HZPROF_OK;
}

static void itimer_stop(void)
{
    itimer_set(0);
}

static bool itimer_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    (void)uc;
    (void)flags;
    return si->si_code == SI_KERNEL;
}

const struct sampler_ops sampler_itimer = {
    .name = "itimer",
    .user_visible = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .start = itimer_start,
    .stop = itimer_stop,
    .accept = itimer_accept,
};
