/*
 * handler.c — the SIGPROF handler.
 *
 * SIGNAL-HANDLER CODE. Everything reachable from profiler_signal_handler must be
 * async-signal-safe: no malloc, no stdio, no lock that can block, no non-AS-safe call.
 * It saves and restores errno, its work is bounded by max_depth, and every byte it
 * touches is either on its own stack (bounded: HZPROF_MAX_DEPTH_LIMIT + 3 words) or
 * preallocated by hzprof_start (the ring, the session, the thread's TLS).
 *
 * Stack: it runs on a preallocated alternate stack (altstack.h) where the thread had none;
 * otherwise, and always before unwinding, it checks the room left on the stack it runs on
 * (a program's own small alternate stack, a thread registered before altstacks) and takes
 * a PC-only sample, counted in samples_low_stack, rather than overflow it.
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

#include "samplers/clock.h"
#include "session.h"
#include "thread_state.h"

struct session hz_session = {.wake_fd = -1};

/* Stack the handler needs besides its unwinder's: its frames and the record (2 KB at the
 * deepest max_depth). Sanitizers make every frame several times larger. */
#if defined(__SANITIZE_ADDRESS__)
#define STACK_SCALE 4
#else
#define STACK_SCALE 1
#endif
#define HANDLER_STACK_BYTES (4096 * STACK_SCALE)
#define HANDLER_PC_ONLY_BYTES (1024 * STACK_SCALE)

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

/* Fills the fixed words of rec (whose PCs are in place), writes it, accounts the time.
 * tid and label_set: the sampled thread's (another thread's, for the wall helper's
 * off-CPU samples of blocked threads, handler_record_for). */
static void record_put(struct session *s, uint64_t *rec, pid_t tid, uint32_t label_set,
                       unsigned depth, bool truncated, unsigned flags, uint64_t start)
{
    rec[0] = start;
    rec[1] = (uint64_t)(uint32_t)tid | (uint64_t)label_set << 32;
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
}

/* record_put for the interrupted thread, then the sampler's sampled() hook. */
static void record_write(struct session *s, const siginfo_t *si, uint64_t *rec, unsigned depth,
                         bool truncated, unsigned flags, uint64_t start)
{
    pid_t tid = hz_thread.tid;
    if (tid == 0)
        tid = (pid_t)syscall(SYS_gettid); /* a thread that never registered */
    hz_thread.samples++;                  /* this thread's own count (thread_state.h) */
    record_put(s, rec, tid, hz_thread.label_set, depth, truncated, flags, start);
    if (s->sampler->sampled)
        s->sampler->sampled(si, &rec[RECORD_SAMPLE_FIXED_WORDS], depth);

    const uint64_t spent = clock_ns(CLOCK_MONOTONIC) - start;
    __atomic_fetch_add(&s->handler_ns_total, spent, __ATOMIC_RELAXED);
    stat_max(&s->handler_ns_max, spent);
}

void handler_record_for(pid_t tid, uint32_t label_set, const uint64_t *pcs, unsigned depth,
                        unsigned flags)
{
    struct session *s = &hz_session;
    uint64_t rec[RECORD_SAMPLE_FIXED_WORDS + HZPROF_MAX_DEPTH_LIMIT];
    if (depth > s->max_depth)
        depth = s->max_depth;
    memcpy(&rec[RECORD_SAMPLE_FIXED_WORDS], pcs, depth * sizeof *pcs);
    record_put(s, rec, tid, label_set, depth, false, flags, clock_ns(CLOCK_MONOTONIC));
}

/* Not inlined: its 2 KB record must not sit in the handler's frame when the handler
 * takes the PC-only path on a short stack. */
static void __attribute__((noinline))
record_sample(struct session *s, const siginfo_t *si, ucontext_t *uc, unsigned flags)
{
    const uint64_t start = clock_ns(CLOCK_MONOTONIC);
    uint64_t rec[RECORD_SAMPLE_FIXED_WORDS + HZPROF_MAX_DEPTH_LIMIT];
    bool truncated = false;
    const unsigned depth = s->unwinder->unwind(uc, (uintptr_t *)&rec[RECORD_SAMPLE_FIXED_WORDS],
                                               s->max_depth, &truncated);
    record_write(s, si, rec, depth, truncated, flags, start);
}

/* The interrupted PC alone, in a few words of stack: the fallback when the stack the
 * handler runs on is too short to unwind (see handler_room). */
static void __attribute__((noinline))
record_pc_only(struct session *s, const siginfo_t *si, ucontext_t *uc, unsigned flags)
{
    const uint64_t start = clock_ns(CLOCK_MONOTONIC);
    uint64_t rec[RECORD_SAMPLE_FIXED_WORDS + 1];
    rec[RECORD_SAMPLE_FIXED_WORDS] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    __atomic_fetch_add(&s->samples_low_stack, 1, __ATOMIC_RELAXED);
    record_write(s, si, rec, 1, false, flags, start);
}

/* Bytes left below the handler's frame on the stack it runs on: our alternate stack, the
 * thread's stack, or the program's own alternate stack; SIZE_MAX when unknown (a thread
 * that never registered). sigaltstack(2) with a NULL new stack only reads kernel state. */
static size_t handler_room(void)
{
    const uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (hz_thread.alt_lo && sp >= hz_thread.alt_lo && sp < hz_thread.alt_hi)
        return sp - hz_thread.alt_lo;
    if (hz_thread.stack_lo && sp >= hz_thread.stack_lo && sp < hz_thread.stack_hi)
        return sp - hz_thread.stack_lo;
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) && sp >= (uintptr_t)ss.ss_sp &&
        sp < (uintptr_t)ss.ss_sp + ss.ss_size)
        return sp - (uintptr_t)ss.ss_sp;
    return SIZE_MAX;
}

static void profiler_signal_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    const int saved_errno = errno;
    struct session *s = &hz_session;
    __atomic_fetch_add(&s->handlers_active, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->enabled, __ATOMIC_SEQ_CST)) {
        unsigned flags = 0;
        if (!s->sampler->accept(si, (const ucontext_t *)uc, &flags)) {
            /* not ours */
        } else if (s->unwinder->no_record) { /* "empty": the platform floor */
            __atomic_fetch_add(&s->samples_taken, 1, __ATOMIC_RELAXED);
            if (s->sampler->sampled) /* a jittered timer still needs its next interval */
                s->sampler->sampled(si, NULL, 0);
        } else {
            const size_t room = handler_room();
            if (room >= HANDLER_STACK_BYTES + s->unwinder->stack_bytes)
                record_sample(s, si, (ucontext_t *)uc, flags);
            else if (room >= HANDLER_PC_ONLY_BYTES)
                record_pc_only(s, si, (ucontext_t *)uc, flags);
            else { /* not even that: counted, not taken */
                __atomic_fetch_add(&s->samples_low_stack, 1, __ATOMIC_RELAXED);
                if (s->sampler->sampled)
                    s->sampler->sampled(si, NULL, 0);
            }
        }
    }
    __atomic_fetch_sub(&s->handlers_active, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

int handler_is_installed(void)
{
    struct sigaction cur;
    return sigaction(SIGPROF, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
           cur.sa_sigaction == profiler_signal_handler;
}

int handler_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = profiler_signal_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK; /* altstack.h */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGPROF);
    return sigaction(SIGPROF, &sa, NULL) == 0 ? 0 : -errno;
}
