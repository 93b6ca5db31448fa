/*
 * libunwind.c — the libunwind unwinder: DWARF CFI (.eh_frame), so it walks code built
 * without frame pointers.
 *
 * SIGNAL-HANDLER CODE (async-signal-safe as far as libunwind's local unwinder is).
 *
 * Two paths. The fast one calls unw_backtrace, which uses libunwind's per-thread trace
 * cache and steps through the kernel's signal frame by itself; we drop the frames before
 * the interrupted PC (our handler and the trampoline). Measured with `hzprof cost` it
 * adds about 0.3x of a bare signal's cost at depth 20. If the interrupted PC is not found
 * near the top of that trace, the slow path takes over: unw_init_local2 with
 * UNW_INIT_SIGNAL_FRAME on the kernel's ucontext (on x86-64 unw_context_t is a
 * ucontext_t) and one unw_step per frame, about 8x a bare signal at depth 20.
 *
 * Safety notes (see gperftools#1188, #775): libunwind's first use on a thread may take a
 * lock and allocate, so thread_init() runs both paths once on each thread at registration
 * (creating its trace cache there), and the caching policy is per-thread, so the handler
 * never waits on a global cache lock. Finding unwind tables calls dl_iterate_phdr, whose
 * loader lock is recursive in glibc: a signal that lands inside dl_iterate_phdr on the
 * same thread does not deadlock.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <pthread.h>

#include "hzprof.h"
#include "unwinder.h"

static pthread_once_t policy_once = PTHREAD_ONCE_INIT;

static void set_policy(void)
{
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

static void libunwind_thread_init(void)
{
    pthread_once(&policy_once, set_policy);
    /* Creates this thread's trace cache (mmap, pthread_setspecific) and runs the
     * cursor code once, so neither first happens inside the handler. */
    void *trace[16];
    unw_backtrace(trace, 16);
    unw_context_t ctx;
    unw_cursor_t cursor;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cursor, &ctx) != 0)
        return;
    for (int i = 0; i < 8 && unw_step(&cursor) > 0; i++)
        ;
}

/* The slow path: a cursor initialized from the signal context, one unw_step per frame.
 * Every step looks up CFI (dl_iterate_phdr, bracketed by two sigprocmask calls inside
 * libunwind), which costs about a microsecond per frame. */
static unsigned unwind_cursor(ucontext_t *uc, uintptr_t *pcs, unsigned max, bool *truncated)
{
    unw_cursor_t cursor;
    unsigned n = 0;
    *truncated = false;
    if (unw_init_local2(&cursor, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) != 0) {
        pcs[0] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
        return 1;
    }
    for (;;) {
        unw_word_t ip;
        if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0)
            break;
        pcs[n++] = (uintptr_t)ip;
        if (unw_step(&cursor) <= 0)
            break;
        if (n == max) {
            *truncated = true;
            break;
        }
    }
    if (n == 0)
        pcs[n++] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    return n;
}

/* Frames between unw_backtrace's caller and the interrupted one: this function,
 * record_sample, the handler, the signal trampoline, with room to spare. */
#define HANDLER_FRAMES_SLACK 8

/* The fast path: unw_backtrace uses libunwind's per-thread trace cache, which remembers
 * each IP's frame shape (about 10 ns a frame once warm, no system call) and knows how to
 * step through the kernel's signal frame. It starts from here, so the handler's own frames
 * come first: we cut everything before the interrupted PC. If that PC is not among the
 * first frames (an unusual frame the fast path gave up on), take the slow path. */
static unsigned unwind_libunwind(ucontext_t *uc, uintptr_t *pcs, unsigned max, bool *truncated)
{
    const uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    void *trace[HZPROF_MAX_DEPTH_LIMIT + HANDLER_FRAMES_SLACK + 1];
    const int got = unw_backtrace(trace, (int)(max + HANDLER_FRAMES_SLACK + 1));
    for (int i = 1; i < got && i <= HANDLER_FRAMES_SLACK; i++) {
        if ((uintptr_t)trace[i] != pc)
            continue;
        unsigned n = (unsigned)(got - i);
        *truncated = n > max;
        if (n > max)
            n = max;
        for (unsigned k = 0; k < n; k++)
            pcs[k] = (uintptr_t)trace[i + (int)k];
        return n;
    }
    return unwind_cursor(uc, pcs, max, truncated);
}

const struct unwinder_ops unwinder_libunwind = {
    .name = "libunwind",
/* trace[] (2.1 KB) and unw_backtrace, measured at 6.4 KB; sanitizers several times. */
#if defined(__SANITIZE_ADDRESS__)
    .stack_bytes = 64 * 1024,
#else
    .stack_bytes = 16 * 1024,
#endif
    .thread_init = libunwind_thread_init,
    .unwind = unwind_libunwind,
};
