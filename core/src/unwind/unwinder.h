/*
 * unwinder.h — the interface of stack unwinders, and the table that names them.
 *
 * unwind() runs inside the SIGPROF handler: it must be async-signal-safe, touch only
 * preallocated memory, and be bounded by `max`. It starts from the interrupted context
 * (the ucontext the kernel gave the handler), so the handler's own frames and the signal
 * trampoline never appear. It fills pcs[] leaf first: pcs[0] is the interrupted PC, the
 * rest are return addresses; it returns how many (>= 1), and sets *truncated when frames
 * beyond `max` existed.
 *
 * thread_init() runs on each thread outside any handler (at registration), to do the
 * unwinder's non-async-signal-safe first-time set-up there rather than in the handler.
 */
#ifndef HZPROF_UNWINDER_H
#define HZPROF_UNWINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

struct unwinder_ops {
    const char *name;
    size_t stack_bytes;        /* stack unwind() may use (handler.c checks the room) */
    bool no_record;            /* "empty": count the signal, record nothing (platform floor) */
    void (*thread_init)(void); /* may be NULL */
    unsigned (*unwind)(ucontext_t *uc, uintptr_t *pcs, unsigned max, bool *truncated);
};

extern const struct unwinder_ops unwinder_fp;
extern const struct unwinder_ops unwinder_libunwind;
extern const struct unwinder_ops unwinder_none;
extern const struct unwinder_ops unwinder_empty;

/* By name, or NULL. */
const struct unwinder_ops *unwinder_find(const char *name);

/* Runs every unwinder's thread_init on the calling thread. */
void unwinders_thread_init(void);

#endif
