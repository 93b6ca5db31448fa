/*
 * perf_event.c — the "perf-clock" and "perf-cycles" samplers: one perf_event_open(2)
 * counter per thread, overflowing every period, with each overflow delivered as SIGPROF
 * to that thread.
 *
 * perf-clock counts the software task-clock (nanoseconds the thread ran) with
 * sample_period = 1e9 / rate: it is driven by an hrtimer, not the scheduler tick, so it
 * reaches rates far above CONFIG_HZ. perf-cycles counts hardware CPU cycles in frequency
 * mode (sample_freq = rate); it needs a PMU, and on a machine without one (most VMs)
 * start fails with HZPROF_ERR_NO_PMU before anything is armed.
 *
 * Delivery: O_ASYNC with F_SETSIG(SIGPROF) and F_SETOWN_EX(F_OWNER_TID) makes the kernel
 * send SIGPROF with si_code POLL_IN to the counted thread at every overflow; no sample
 * buffer is mmapped because the handler unwinds by itself. The counter is enabled once
 * and never re-armed with PERF_EVENT_IOC_REFRESH, whose use has been reported to hang
 * some kernels (async-profiler notes for 6.16/6.17).
 *
 * Jitter (perf-clock only; jitter.h): the first period of each counter is drawn at arming,
 * and sampled(), in the handler, sets the next one with PERF_EVENT_IOC_PERIOD on the fd
 * the signal names (si_fd, filled for F_SETSIG signals), which restarts the counter's
 * hrtimer with the new period from now. The counter's value, read first, tells how late
 * the handler runs after the overflow (jitter_next_due takes it off what follows, so the
 * mean rate holds): two system calls per sample, which the bench measures.
 *
 * accept() and sampled() are signal-handler code: accept() checks si_code only; sampled()
 * makes a read(2) and an ioctl(2) (system calls, async-signal-safe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../error.h"
#include "../session.h"
#include "../threads.h"
#include "jitter.h"
#include "sampler.h"

static int exclude_kernel; /* set when the kernel only allows user-space counting */

static void attr_fill(struct perf_event_attr *attr, bool hardware, const struct sampler_params *p,
                      pid_t tid)
{
    memset(attr, 0, sizeof *attr);
    attr->size = sizeof *attr;
    attr->disabled = 1;
    attr->exclude_hv = 1;
    attr->exclude_kernel = (unsigned)exclude_kernel;
    attr->wakeup_events = 1;
    if (hardware) {
        attr->type = PERF_TYPE_HARDWARE;
        attr->config = PERF_COUNT_HW_CPU_CYCLES;
        attr->freq = 1;
        attr->sample_freq = p->rate_hz;
    } else {
        attr->type = PERF_TYPE_SOFTWARE;
        attr->config = PERF_COUNT_SW_TASK_CLOCK;
        attr->sample_period = p->period_ns;
        if (p->jitter != JITTER_NONE) { /* a random first period, seeded by the thread */
            uint64_t state = jitter_seed((uint64_t)tid << 32 ^ (uint64_t)time(NULL));
            attr->sample_period = jitter_next_ns(p->jitter, p->period_ns, &state);
        }
    }
}

static int perf_open(struct perf_event_attr *attr, pid_t tid)
{
    return (int)syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int perf_error(bool hardware, int err)
{
    const char *what = hardware ? "perf_event_open(cycles)" : "perf_event_open(task-clock)";
    if (hardware && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV))
        return error_set_errno(HZPROF_ERR_NO_PMU, err,
                               "hardware counters unavailable (no PMU on this machine?): %s", what);
    if (err == EACCES || err == EPERM)
        return error_set_errno(HZPROF_ERR_PERMISSION, err,
                               "%s refused; see /proc/sys/kernel/perf_event_paranoid", what);
    return error_set_errno(HZPROF_ERR_SYSTEM, err, "%s", what);
}

/* Opens one counter on the calling thread to learn whether the kernel allows it, and
 * whether only user-space counting is allowed. */
static int perf_probe(bool hardware, const struct sampler_params *p)
{
    struct perf_event_attr attr;
    exclude_kernel = 0;
    attr_fill(&attr, hardware, p, 0);
    int fd = perf_open(&attr, 0);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        exclude_kernel = 1;
        attr_fill(&attr, hardware, p, 0);
        fd = perf_open(&attr, 0);
    }
    if (fd < 0)
        return perf_error(hardware, errno);
    close(fd);
    return HZPROF_OK;
}

static int perf_arm(struct thread_entry *t, bool hardware, const struct sampler_params *p)
{
    struct perf_event_attr attr;
    attr_fill(&attr, hardware, p, t->tid);
    int fd = perf_open(&attr, t->tid);
    if (fd < 0)
        return perf_error(hardware, errno);
    struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = t->tid};
    if (fcntl(fd, F_SETSIG, SIGPROF) != 0 || fcntl(fd, F_SETOWN_EX, &owner) != 0 ||
        fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) != 0 || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
        int err = errno;
        close(fd);
        return error_set_errno(HZPROF_ERR_SYSTEM, err, "arming perf event of thread %d", t->tid);
    }
    t->s.fd = fd;
    return HZPROF_OK;
}

static void perf_disarm(struct thread_entry *t)
{
    if (t->s.fd >= 0) {
        ioctl(t->s.fd, PERF_EVENT_IOC_DISABLE, 0);
        close(t->s.fd);
        t->s.fd = -1;
    }
}

static bool perf_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    (void)uc;
    (void)flags;
    return si->si_code == POLL_IN || si->si_code == POLL_HUP;
}

static void clock_sampled(const siginfo_t *si, const uint64_t *pcs, unsigned depth)
{
    (void)pcs;
    (void)depth;
    const int kind = hz_session.jitter;
    if (kind == JITTER_NONE)
        return;
    uint64_t count = 0; /* the task clock now: ns this thread ran since arming */
    if (read(si->si_fd, &count, sizeof count) != (ssize_t)sizeof count)
        count = 0;
    uint64_t next = jitter_next_due(kind, hz_session.period_ns, count);
    ioctl(si->si_fd, PERF_EVENT_IOC_PERIOD, &next);
}

static int clock_start(const struct sampler_params *p)
{
    return perf_probe(false, p);
}

static int cycles_start(const struct sampler_params *p)
{
    return perf_probe(true, p);
}

static int clock_arm(struct thread_entry *t, const struct sampler_params *p)
{
    return perf_arm(t, false, p);
}

static int cycles_arm(struct thread_entry *t, const struct sampler_params *p)
{
    return perf_arm(t, true, p);
}

const struct sampler_ops sampler_perf_clock = {
    .name = "perf-clock",
    .user_visible = true,
    .jitter_ok = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .kernel_rate_limited = true,
    .thread_cpu_period = true,
    .probe = clock_start,
    .start = clock_start,
    .thread_arm = clock_arm,
    .thread_disarm = perf_disarm,
    .accept = perf_accept,
    .sampled = clock_sampled,
};

const struct sampler_ops sampler_perf_cycles = {
    .name = "perf-cycles",
    .user_visible = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .kernel_rate_limited = true,
    .probe = cycles_start,
    .start = cycles_start,
    .thread_arm = cycles_arm,
    .thread_disarm = perf_disarm,
    .accept = perf_accept,
};
