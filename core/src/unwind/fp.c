/*
 * fp.c — the frame-pointer unwinder (x86-64).
 *
 * SIGNAL-HANDLER CODE (async-signal-safe): reads only the interrupted thread's own stack,
 * and only inside its known bounds, so a corrupt or absent frame chain ends the walk
 * instead of faulting.
 *
 * With frame pointers, each frame starts with [saved rbp][return address] and rbp points
 * at it. From the interrupted rip/rbp we record rip, then follow rbp. Each next frame must
 * lie inside [sp, stack_hi), be 8-byte aligned and strictly above the previous one (the
 * stack grows down, callers are above): this rejects garbage in rbp from code compiled
 * without frame pointers and guarantees termination. If the thread's stack bounds are
 * unknown (a thread that did not register itself), only the leaf PC is recorded.
 *
 * Known limit, as with every fp unwinder: a sample that lands in a function's prologue or
 * epilogue (before `mov %rsp,%rbp` / after `pop %rbp`) skips that function's caller.
 */
#define _GNU_SOURCE
#include "unwinder.h"

#include "../thread_state.h"

static bool frame_ok(uintptr_t fp, uintptr_t lo, uintptr_t hi)
{
    return (fp & 7) == 0 && fp >= lo && fp <= hi - 2 * sizeof(uintptr_t);
}

/* It reads stack words that may be dead locals of returned functions (rbp is garbage in
 * code without frame pointers): always mapped and harmless, but AddressSanitizer would
 * report them, so this function is not instrumented. */
__attribute__((no_sanitize("address"))) static unsigned unwind_fp(ucontext_t *uc, uintptr_t *pcs,
                                                                  unsigned max, bool *truncated)
{
    const greg_t *regs = uc->uc_mcontext.gregs;
    unsigned n = 0;
    pcs[n++] = (uintptr_t)regs[REG_RIP];
    *truncated = false;

    const uintptr_t hi = hz_thread.stack_hi;
    uintptr_t lo = (uintptr_t)regs[REG_RSP];
    uintptr_t fp = (uintptr_t)regs[REG_RBP];
    if (hi == 0 || lo < hz_thread.stack_lo || lo >= hi)
        return n; /* unknown bounds, or running on another stack (sigaltstack, coroutine) */

    while (frame_ok(fp, lo, hi)) {
        const uintptr_t *frame = (const uintptr_t *)fp;
        const uintptr_t next = frame[0];
        const uintptr_t ret = frame[1];
        if (ret == 0)
            break; /* the outermost frame (glibc's start code clears rbp and pushes 0) */
        if (n == max) {
            *truncated = true;
            break;
        }
        pcs[n++] = ret;
        if (next <= fp)
            break;
        lo = fp + 2 * sizeof(uintptr_t);
        fp = next;
    }
    return n;
}

const struct unwinder_ops unwinder_fp = {
    .name = "fp",
    .stack_bytes = 512, /* a loop with a few locals */
    .unwind = unwind_fp,
};
