/*
 * jitter.h — randomised sampling intervals with the same mean (issue 15).
 *
 * Why: a sampler with a fixed interval T samples a program whose own period P divides,
 * or is a multiple of, T at the same phases every cycle (lockstep, aliasing): its error
 * is systematic, not noise, and more samples do not shrink it. Drawing each interval at
 * random, independently, spreads the samples over every phase while keeping the mean
 * rate (so cost and the value of a sample are unchanged).
 *
 * Kinds: "uniform", each interval uniform in [T/2, 3T/2]; "exp", an exponential interval
 * (a Poisson process: no phase is favoured at all) shifted so that no interval is shorter
 * than the safe minimum of 1 / HZPROF_MAX_RATE_HZ, its mean still T, and capped at 10 T
 * (which lowers the mean by less than 0.005 %).
 *
 * SIGNAL-HANDLER CODE: jitter_next_ns() runs in the SIGPROF handler (the perf and
 * per-thread timer samplers re-arm there). It is pure arithmetic on a caller-owned state
 * word (xorshift64*): no allocation, no locks, no system calls; log() from libm is pure
 * computation on its argument (glibc's is reentrant; the handler saves errno).
 */
#ifndef HZPROF_JITTER_H
#define HZPROF_JITTER_H

#include <stdint.h>

enum jitter_kind { JITTER_NONE = 0, JITTER_UNIFORM, JITTER_EXP };

/* "none"/NULL, "uniform", "exp"; -1 for anything else. */
int jitter_parse(const char *name);
const char *jitter_name(int kind);

/* A state word for jitter_next_ns seeded from `seed` (never zero). */
uint64_t jitter_seed(uint64_t seed);

/* The next interval in ns, mean period_ns, for kind; advances *state. */
uint64_t jitter_next_ns(int kind, uint64_t period_ns, uint64_t *state);

/* For a timer re-armed from the handler, relative to `now` (a perf counter's count, or
 * CLOCK_MONOTONIC ns): the next interval, on the calling thread's own state
 * (thread_state.h). Re-arming from the handler starts the interval late, by the time
 * from the expiry to the handler (~50 us on a VM, or while the thread waited for a CPU);
 * that lateness is taken off the intervals that follow (never below the 1/
 * HZPROF_MAX_RATE_HZ floor; a remainder carries on), so the mean stays the period. More
 * than 10 periods behind (a thread that did not run), it starts afresh and counts the
 * periods it gave up in samples_missed.
 * Signal-handler code. */
uint64_t jitter_next_due(int kind, uint64_t period_ns, uint64_t now);

#endif
