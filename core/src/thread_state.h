/*
 * thread_state.h — per-thread state that the signal handler reads.
 *
 * SIGNAL-HANDLER DATA: the handler reads hz_thread on the interrupted thread. It uses the
 * initial-exec TLS model so that an access is a plain load at a fixed offset from the
 * thread pointer: no __tls_get_addr call, which may allocate and is not
 * async-signal-safe. Only the owning thread writes it.
 */
#ifndef HZPROF_THREAD_STATE_H
#define HZPROF_THREAD_STATE_H

#include <stdint.h>
#include <sys/types.h>

#include "hzprof.h"

struct thread_entry;

struct thread_state {
    uintptr_t stack_lo; /* lowest stack address, 0 if unknown */
    uintptr_t stack_hi; /* one past the highest, 0 if unknown */
    uintptr_t alt_lo;   /* our alternate signal stack (altstack.h), 0 if none */
    uintptr_t alt_hi;
    pid_t tid; /* 0 until registered */
    int registered;
    /* Registered during a session: its CPU clock then, and the samples its handler has
     * taken since (only the thread and its own handler write them). */
    int in_session;
    uint64_t cpu_at_register_ns;
    uint64_t samples;
    /* The label set current on this thread (0 = empty). Written by the thread itself,
     * read by its own signal handler, so a compiler barrier suffices. */
    volatile uint32_t label_set;
    /* This thread's registry entry while it is registered (set and cleared by the thread
     * itself), for samplers that keep per-thread data the handler writes (threads.h). */
    struct thread_entry *entry;
    /* This thread's random intervals (jitter.h): the generator's state, seeded at first
     * use; the session they belong to (hz_session.generation: a new session resets the
     * rest); where the next expiry is due (the perf counter's count, or CLOCK_MONOTONIC
     * ns); and the lateness not yet taken off an interval. Its own handler writes them. */
    uint64_t jitter_state;
    uint64_t jitter_generation;
    uint64_t jitter_due;
    uint64_t jitter_debt;
    /* wall-timer: this thread's CPU clock and the monotonic clock at its last tick, and
     * the session they belong to (its accept() tells blocked from running by them). */
    uint64_t wall_generation;
    uint64_t wall_cpu_ns;
    uint64_t wall_ns;
    uint32_t label_depth;
    uint32_t label_stack[HZPROF_LABEL_STACK_MAX];
};

extern __thread struct thread_state hz_thread __attribute__((tls_model("initial-exec")));

#endif
