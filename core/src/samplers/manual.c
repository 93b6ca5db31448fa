/*
 * manual.c — the "manual" sampler: no timer at all. A sample is taken whenever the
 * process sends itself SIGPROF with tgkill(2)/pthread_kill(3) (si_code SI_TKILL). Tests
 * use it to take samples at exactly known points, and `hzprof cost` to time the signal
 * path without timer noise.
 *
 * accept() is signal-handler code: it compares si_pid with the pid cached in the
 * session (a getpid(2) call here would add a system call to every sample).
 */
#define _GNU_SOURCE
#include "../session.h"
#include "sampler.h"

static bool manual_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    (void)uc;
    (void)flags;
    return si->si_code == SI_TKILL && si->si_pid == hz_session.pid;
}

const struct sampler_ops sampler_manual = {
    .name = "manual",
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .accept = manual_accept,
};
