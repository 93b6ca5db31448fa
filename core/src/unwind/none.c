/*
 * none.c — the "none" unwinder: the interrupted PC only.
 *
 * SIGNAL-HANDLER CODE (async-signal-safe). It measures the floor: what a sample costs
 * when no stack is walked.
 */
#define _GNU_SOURCE
#include "unwinder.h"

static unsigned unwind_none(ucontext_t *uc, uintptr_t *pcs, unsigned max, bool *truncated)
{
    (void)max;
    *truncated = false;
    pcs[0] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    return 1;
}

const struct unwinder_ops unwinder_none = {
    .name = "none",
    .stack_bytes = 0,
    .unwind = unwind_none,
};
