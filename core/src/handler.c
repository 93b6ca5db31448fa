/*
 * handler.c — the SIGPROF handler.
 *
 * SIGNAL-HANDLER CODE. Everything reachable from profiler_signal_handler must be
 * async-signal-safe: no malloc, no stdio, no lock that can block, no non-AS-safe call.
 * It saves and restores errno, its work is bounded by max_depth, and every byte it
 * touches is either on its own stack (bounded: HZPROF_MAX_DEPTH_LIMIT + 3 words) or
 * preallocated by hzprof_start (the ring, the session, the thread's TLS).
 *
 * Steps: join the session (handlers_active, see session.h); ask the sampler whether the
 * signal is its own; read the clock; unwind from the interrupted context; write one
 * record to the ring; if the ring is past half full, poke the reader through an eventfd
 * (write(2) is async-signal-safe) so it drains before the ring overflows; account the
 * time spent. SIGPROF is blocked while the handler runs (sa_mask), so it never nests on
 * one thread; handlers on different threads run concurrently and the ring allows it.
 */
#define _GNU_SOURCE
#include "handler.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "session.h"
#include "thread_state.h"

struct session hz_session = {.wake_fd = -1};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe (POSIX), vDSO */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void stat_max(uint64_t *max, uint64_t value)
{
    uint64_t cur = __atomic_load_n(max, __ATOMIC_RELAXED);
    while (value > cur &&
           !__atomic_compare_exchange_n(max, &cur, value, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

static void wake_reader(struct session *s)
{
    if (ring_used_words(s->ring) < s->ring->capacity / 2)
        return;
    if (__atomic_exchange_n(&s->wake_pending, 1, __ATOMIC_ACQ_REL))
        return;
    const uint64_t one = 1;
    ssize_t ignored = write(s->wake_fd, &one, sizeof one);
    (void)ignored;
}

static void record_sample(struct session *s, ucontext_t *uc, unsigned flags)
{
    const uint64_t start = monotonic_ns();
    uint64_t rec[RECORD_SAMPLE_FIXED_WORDS + HZPROF_MAX_DEPTH_LIMIT];
    bool truncated = false;
    const unsigned depth = s->unwinder->unwind(uc, (uintptr_t *)&rec[RECORD_SAMPLE_FIXED_WORDS],
                                               s->max_depth, &truncated);

    pid_t tid = hz_thread.tid;
    if (tid == 0)
        tid = (pid_t)syscall(SYS_gettid); /* a thread that never registered */
    rec[0] = start;
    rec[1] = (uint64_t)(uint32_t)tid | (uint64_t)hz_thread.label_set << 32;
    rec[2] = s->period_ns;
    if (truncated) {
        flags |= RECORD_FLAG_TRUNCATED;
        __atomic_fetch_add(&s->stacks_truncated, 1, __ATOMIC_RELAXED);
    }
    if (flags & RECORD_FLAG_OFF_CPU)
        __atomic_fetch_add(&s->samples_off_cpu, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->samples_taken, 1, __ATOMIC_RELAXED);
    ring_write(s->ring, RECORD_SAMPLE, flags, rec, RECORD_SAMPLE_FIXED_WORDS + depth);
    wake_reader(s);

    const uint64_t spent = monotonic_ns() - start;
    __atomic_fetch_add(&s->handler_ns_total, spent, __ATOMIC_RELAXED);
    stat_max(&s->handler_ns_max, spent);
}

static void profiler_signal_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    const int saved_errno = errno;
    struct session *s = &hz_session;
    __atomic_fetch_add(&s->handlers_active, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->enabled, __ATOMIC_SEQ_CST)) {
        unsigned flags = 0;
        if (s->sampler->accept(si, (const ucontext_t *)uc, &flags))
            record_sample(s, (ucontext_t *)uc, flags);
    }
    __atomic_fetch_sub(&s->handlers_active, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

int handler_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = profiler_signal_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGPROF);
    return sigaction(SIGPROF, &sa, NULL) == 0 ? 0 : -errno;
}
