/*
 * empty.c — the "empty" unwinder: no sample at all. The handler accepts the signal,
 * counts it (samples_taken) and returns: no clock read, no unwind, no ring write.
 *
 * SIGNAL-HANDLER CODE (nothing runs). It measures the platform floor: what the timer
 * interrupt, the signal delivery and the return cost by themselves (on a VM, the exits
 * too), so that `hzprof bench` can tell the platform's cost per sample from ours. A
 * profile taken with it holds no samples.
 */
#define _GNU_SOURCE
#include "unwinder.h"

static unsigned unwind_empty(ucontext_t *uc, uintptr_t *pcs, unsigned max, bool *truncated)
{
    (void)uc, (void)pcs, (void)max;
    *truncated = false;
    return 0; /* never called: the handler stops before unwinding (no_record) */
}

const struct unwinder_ops unwinder_empty = {
    .name = "empty",
    .stack_bytes = 0,
    .no_record = true,
    .unwind = unwind_empty,
};
