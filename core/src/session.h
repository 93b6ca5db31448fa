/*
 * session.h — the state of one profiling session, shared by the lifecycle code
 * (profiler.c), the signal handler (handler.c) and the reader thread (reader.c).
 *
 * Publication protocol: profiler.c fills every field, then sets `enabled` (seq_cst).
 * The handler increments `handlers_active`, then reads `enabled` (both seq_cst): if it is
 * set, every other field is valid until the handler decrements `handlers_active`. To end
 * a session, profiler.c disarms the sampler, clears `enabled`, and waits for
 * `handlers_active` to reach zero; after that no handler can touch the ring, so it may be
 * drained one last time and freed. (A Dekker-style handshake: with sequentially consistent
 * operations on both sides, either the handler sees enabled == 0, or stop sees its count.)
 */
#ifndef HZPROF_SESSION_H
#define HZPROF_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "ring.h"
#include "samplers/sampler.h"
#include "unwind/unwinder.h"

/* Record types in the ring. */
#define RECORD_SAMPLE 1u
/* Record flags. */
#define RECORD_FLAG_TRUNCATED 1u
#define RECORD_FLAG_OFF_CPU SAMPLE_FLAG_OFF_CPU
/* Sample payload: time, tid | label_set << 32, nanos, then the PCs. */
#define RECORD_SAMPLE_FIXED_WORDS 3u

struct session {
    int enabled;         /* atomic */
    int handlers_active; /* atomic */
    struct ring *ring;
    const struct sampler_ops *sampler;
    const struct unwinder_ops *unwinder;
    unsigned max_depth;
    uint64_t period_ns;  /* the value one sample stands for (the mean interval) */
    int jitter;          /* enum jitter_kind: samplers that re-arm draw each interval */
    uint64_t generation; /* counts sessions: per-thread state of an older one is stale */
    int wake_fd;         /* eventfd: the handler pokes the reader when the ring fills up */
    int wake_pending;    /* atomic: 1 once poked, until the reader drains */
    pid_t pid;           /* getpid(), cached for the handler */

    /* Statistics, updated with relaxed atomics by handlers. */
    uint64_t samples_taken;
    uint64_t samples_off_cpu;
    uint64_t stacks_truncated;
    uint64_t samples_low_stack; /* PC-only or skipped: too little stack to unwind */
    uint64_t samples_missed;    /* ticks not delivered: the wall sampler late or the
                                   thread's previous SIGPROF still pending */
    uint64_t handler_ns_total;
    uint64_t handler_ns_max;
    uint64_t unsampled_cpu_ns; /* threads' CPU after their last sample, at their exit */
};

extern struct session hz_session;

#endif
