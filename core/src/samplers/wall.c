/*
 * wall.c — the "wall" sampler: a helper thread signals every registered thread at the
 * rate, whether it is running or not, so threads that sleep or block are sampled too
 * (the fgprof idea; async-profiler's wall mode).
 *
 * Each period the helper sends every thread SIGPROF with rt_tgsigqueueinfo, carrying a
 * cookie and what it knows of the thread's state in si_value:
 *   - not R in /proc/self/task/TID/stat (kept open, re-read with pread): off CPU;
 *   - R, and its CPU clock advanced by at least a tenth of the period since the last
 *     tick: on CPU;
 *   - R without progress: ambiguous. Either the thread is runnable but waiting for a CPU
 *     (preempted in its own code: it counts as on CPU, as fgprof would count it), or it
 *     was asleep in a system call and our own previous signal made it runnable. The
 *     handler tells them apart from the interrupted context: a thread stopped right at or
 *     after a `syscall` instruction was in the kernel, blocked, so it is off CPU.
 * A signal wakes a blocked thread just long enough to run the handler; SA_RESTART
 * resumes most system calls, but some (poll, epoll_wait) return EINTR.
 *
 * The helper thread blocks SIGPROF and is not registered, so it never samples itself. It
 * sleeps on a condition variable with an absolute CLOCK_MONOTONIC deadline, so stop wakes
 * it at once and the period does not drift.
 *
 * Ticks that never become samples are counted (samples_missed), never hidden (issue 14
 * #20): on a busy machine the helper competes for a CPU like any thread, and when it wakes
 * a period or more late it skips the periods it missed (one burst would not stand for
 * them) and counts one missed sample per thread per period; and a thread whose previous
 * SIGPROF is still pending (it has not run since: SIGPROF is not a queued signal, so a
 * second one would merge silently into the first) is not signalled, and counted.
 *
 * Jitter (jitter.h): the helper draws each period at random, one draw per tick for all
 * threads (they are signalled together, as without jitter).
 *
 * No-interrupt mode (hzprof_config.no_interrupt, issue 15): a signal makes a thread that
 * is blocked in a system call run its handler, and some calls then fail with EINTR
 * (nanosleep, epoll_wait, poll) or return short (read, write) although SA_RESTART is set.
 * In this mode the helper never signals a thread that is not running (not R), nor one
 * that is runnable without having run since the last tick while it sits inside a system
 * call (/proc/self/task/TID/syscall: woken in the call, waiting for a CPU, as a writer
 * its reader just woke; a signal then would cut the call short): it writes that
 * thread's off-CPU sample itself (handler_record_for), with the stack the thread was last
 * sampled with, which its own handler keeps (sampled(), under the sequence count of
 * struct last_stack). A thread not sampled on CPU since the session began has no
 * stack yet: its tick counts in samples_missed. What is lost: the off-CPU stack is the
 * last one seen on CPU, not the blocking call itself; a thread that is running when its
 * tick comes is signalled, and a call it is inside or enters just then (a long write
 * copying, a nanosleep it is about to start) can still return early.
 *
 * accept() and sampled() are signal-handler code: accept() decodes si_code and si_value
 * and, for the ambiguous state, reads the two code bytes around the interrupted PC (never
 * across a page edge, so it touches only the page the PC is on, which is mapped);
 * sampled() copies the recorded stack into the thread's preallocated struct last_stack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../error.h"
#include "../handler.h"
#include "../session.h"
#include "../thread_state.h"
#include "../threads.h"
#include "clock.h"
#include "jitter.h"
#include "sampler.h"

#define WALL_COOKIE 0x687a7700 /* bit 0: on CPU; bit 1: ambiguous (see above) */

static pthread_mutex_t wall_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wall_cond;
static int wall_stopping;
static pthread_t wall_thread;
static uint64_t wall_period_ns;
static int wall_jitter;        /* enum jitter_kind */
static bool wall_no_interrupt; /* see above */

/* From /proc/self/task/TID/stat: whether the thread is running (state R), and whether a
 * SIGPROF is pending for it (field 31, the pending signals as a decimal bitmap). */
static void thread_state(int stat_fd, bool *running, bool *pending)
{
    char buf[1024];
    *running = *pending = false;
    ssize_t n = pread(stat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* comm may contain spaces and parentheses */
    if (!p || p[1] != ' ')
        return;
    *running = p[2] == 'R';
    /* p + 2 is field 3 (state); step to field 31. */
    p += 2;
    for (int field = 3; field < 31 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (p)
        *pending = (strtoull(p, NULL, 10) >> (SIGPROF - 1)) & 1;
}

/* Copies t's last stack (seqlock read); false if it has none or the copy kept tearing. */
static bool last_stack_read(struct thread_entry *t, uint64_t *pcs, unsigned *depth,
                            uint32_t *label_set)
{
    struct last_stack *ls = t->s.last;
    for (int attempt = 0; ls && attempt < 4; attempt++) {
        const uint32_t s1 = __atomic_load_n(&ls->seq, __ATOMIC_ACQUIRE);
        if (s1 & 1)
            continue;
        /* Acquire loads of the data: the second look at the count cannot pass them, and one
         * that saw a store of a write in progress also sees that write's odd count. (No
         * fences: ThreadSanitizer does not model them.) */
        unsigned d = __atomic_load_n(&ls->depth, __ATOMIC_ACQUIRE);
        if (d > HZPROF_MAX_DEPTH_LIMIT)
            d = HZPROF_MAX_DEPTH_LIMIT;
        for (unsigned i = 0; i < d; i++)
            pcs[i] = __atomic_load_n(&ls->pcs[i], __ATOMIC_ACQUIRE);
        *label_set = __atomic_load_n(&ls->label_set, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&ls->seq, __ATOMIC_RELAXED) == s1) {
            *depth = d;
            return d > 0;
        }
    }
    return false;
}

/* Whether the thread, not running now, stopped inside a system call: the first field of
 * /proc/self/task/TID/syscall is then the call's number ("running" for a thread on a CPU,
 * -1 for one preempted in its own code). */
static bool in_system_call(pid_t tid)
{
    char path[64], buf[32];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 && buf[0] >= '0' && buf[0] <= '9';
}

/* No-interrupt mode: the off-CPU sample of blocked thread t, written by the helper. */
static void record_blocked(struct thread_entry *t)
{
    uint64_t pcs[HZPROF_MAX_DEPTH_LIMIT];
    unsigned depth = 0;
    uint32_t label_set = 0;
    if (last_stack_read(t, pcs, &depth, &label_set))
        handler_record_for(t->tid, label_set, pcs, depth, SAMPLE_FLAG_OFF_CPU);
    else
        __atomic_fetch_add(&hz_session.samples_missed, 1, __ATOMIC_RELAXED);
}

static void signal_thread(struct thread_entry *t, void *ctx)
{
    (void)ctx;
    if (!t->armed || t->s.stat_fd < 0)
        return;
    bool runnable, pending;
    thread_state(t->s.stat_fd, &runnable, &pending);
    const uint64_t cpu = clock_ns(thread_cpu_clock(t->tid)); /* read once a tick */
    const bool ran = cpu - t->s.last_cpu_ns >= wall_period_ns / 10;
    /* No-interrupt: not a thread that is blocked, nor one runnable without having run that
     * sits inside a system call (woken there, waiting for a CPU, as a writer its reader
     * just woke): a signal now would cut that call short. */
    if (wall_no_interrupt && (!runnable || (!pending && !ran && in_system_call(t->tid)))) {
        t->s.last_cpu_ns = cpu;
        record_blocked(t);
        return;
    }
    if (pending) { /* it has not taken the last one yet: this tick is no sample */
        __atomic_fetch_add(&hz_session.samples_missed, 1, __ATOMIC_RELAXED);
        return;
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGPROF;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    t->s.last_cpu_ns = cpu;
    si.si_value.sival_int = WALL_COOKIE | (runnable && ran ? 1 : 0) | (runnable && !ran ? 2 : 0);
    syscall(SYS_rt_tgsigqueueinfo, getpid(), t->tid, SIGPROF, &si);
}

static void count_armed(struct thread_entry *t, void *ctx)
{
    *(uint64_t *)ctx += t->armed && t->s.stat_fd >= 0;
}

static void timespec_add_ns(struct timespec *ts, uint64_t ns)
{
    ns_to_timespec(timespec_to_ns(ts) + ns, ts);
}

static void *wall_main(void *unused)
{
    (void)unused;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&wall_lock);
    uint64_t state = jitter_seed((uint64_t)next.tv_nsec);
    while (!wall_stopping) {
        timespec_add_ns(&next, jitter_next_ns(wall_jitter, wall_period_ns, &state));
        int rc = 0;
        while (!wall_stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&wall_cond, &wall_lock, &next);
        if (wall_stopping)
            break;
        pthread_mutex_unlock(&wall_lock);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        const int64_t late_ns =
            (int64_t)(now.tv_sec - next.tv_sec) * 1000000000 + (now.tv_nsec - next.tv_nsec);
        if (late_ns >= (int64_t)wall_period_ns) { /* woke whole periods late: skip them */
            const uint64_t skipped = (uint64_t)late_ns / wall_period_ns;
            uint64_t armed = 0;
            threads_foreach(count_armed, &armed);
            __atomic_fetch_add(&hz_session.samples_missed, skipped * armed, __ATOMIC_RELAXED);
            timespec_add_ns(&next, skipped * wall_period_ns);
        }
        threads_foreach(signal_thread, NULL);
        pthread_mutex_lock(&wall_lock);
    }
    pthread_mutex_unlock(&wall_lock);
    return NULL;
}

static int wall_start(const struct sampler_params *p)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wall_cond, &attr);
    pthread_condattr_destroy(&attr);
    wall_stopping = 0;
    wall_period_ns = p->period_ns;
    wall_jitter = p->jitter;
    wall_no_interrupt = p->no_interrupt;
    int rc = threads_create_internal(&wall_thread, wall_main, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&wall_cond);
        return error_set_errno(HZPROF_ERR_SYSTEM, rc, "creating the wall sampler thread");
    }
    return HZPROF_OK;
}

static void wall_stop(void)
{
    pthread_mutex_lock(&wall_lock);
    wall_stopping = 1;
    pthread_cond_signal(&wall_cond);
    pthread_mutex_unlock(&wall_lock);
    pthread_join(wall_thread, NULL);
    pthread_cond_destroy(&wall_cond);
}

static int wall_arm(struct thread_entry *t, const struct sampler_params *p)
{
    if (p->no_interrupt && !t->s.last && !(t->s.last = calloc(1, sizeof *t->s.last)))
        return error_set(HZPROF_ERR_NO_MEMORY, "no memory for thread %d's last stack", t->tid);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)t->tid);
    t->s.stat_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (t->s.stat_fd < 0)
        return error_set_errno(HZPROF_ERR_SYSTEM, errno, "open %s", path);
    t->s.last_cpu_ns = clock_ns(thread_cpu_clock(t->tid));
    return HZPROF_OK;
}

static void wall_disarm(struct thread_entry *t)
{
    if (t->s.stat_fd >= 0) {
        close(t->s.stat_fd);
        t->s.stat_fd = -1;
    }
}

__attribute__((no_sanitize("address"))) bool sampler_stopped_in_syscall(const ucontext_t *uc)
{
    const uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    const unsigned offset = pc & 0xfff;
    const uint8_t *p = (const uint8_t *)pc;
    if (offset <= 0xffe && p[0] == 0x0f && p[1] == 0x05)
        return true;
    return offset >= 2 && p[-2] == 0x0f && p[-1] == 0x05;
}

static bool wall_accept(const siginfo_t *si, const ucontext_t *uc, unsigned *flags)
{
    if (si->si_code != SI_QUEUE || (si->si_value.sival_int & ~3) != WALL_COOKIE)
        return false;
    const int state = si->si_value.sival_int & 3;
    const bool on_cpu = state == 1 || (state == 2 && !sampler_stopped_in_syscall(uc));
    if (!on_cpu)
        *flags |= SAMPLE_FLAG_OFF_CPU;
    return true;
}

/* Keeps the stack just recorded for the no-interrupt mode (see above). */
static void wall_sampled(const siginfo_t *si, const uint64_t *pcs, unsigned depth)
{
    (void)si;
    if (!pcs || !depth)
        return;
    struct thread_entry *e = __atomic_load_n(&hz_thread.entry, __ATOMIC_ACQUIRE);
    struct last_stack *ls = e ? __atomic_load_n(&e->s.last, __ATOMIC_ACQUIRE) : NULL;
    if (!ls)
        return;
    const uint32_t seq = __atomic_load_n(&ls->seq, __ATOMIC_RELAXED);
    /* Release stores of the data (plain stores on x86): each is ordered after the odd
     * count, which a reader that sees it then sees too. */
    __atomic_store_n(&ls->seq, seq + 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < depth; i++)
        __atomic_store_n(&ls->pcs[i], pcs[i], __ATOMIC_RELEASE);
    __atomic_store_n(&ls->depth, depth, __ATOMIC_RELEASE);
    __atomic_store_n(&ls->label_set, hz_thread.label_set, __ATOMIC_RELEASE);
    __atomic_store_n(&ls->seq, seq + 2, __ATOMIC_RELEASE);
}

const struct sampler_ops sampler_wall = {
    .name = "wall",
    .user_visible = true,
    .wall_clock = true,
    .jitter_ok = true,
    .no_interrupt_ok = true,
    .max_rate_hz = HZPROF_MAX_RATE_HZ,
    .start = wall_start,
    .stop = wall_stop,
    .thread_arm = wall_arm,
    .thread_disarm = wall_disarm,
    .accept = wall_accept,
    .sampled = wall_sampled,
};
