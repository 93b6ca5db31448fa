/* jitter.c — see jitter.h. SIGNAL-HANDLER CODE: jitter_next_ns and what it calls. */
#include "jitter.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "hzprof.h"
#include "../session.h"
#include "../thread_state.h"

static const char *const names[] = {"none", "uniform", "exp"};

int jitter_parse(const char *name)
{
    if (!name)
        return JITTER_NONE;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

const char *jitter_name(int kind)
{
    return kind >= 0 && kind <= JITTER_EXP ? names[kind] : "?";
}

uint64_t jitter_seed(uint64_t seed)
{
    /* splitmix64 finaliser: neighbouring seeds (thread ids) give unrelated states. */
    uint64_t z = seed + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return z ? z : 1;
}

/* Uniform in [0, 1) with 53 random bits (xorshift64*). */
static double uniform01(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * 0x2545f4914f6cdd1du) >> 11) * 0x1.0p-53;
}

uint64_t jitter_next_ns(int kind, uint64_t period_ns, uint64_t *state)
{
    if (kind == JITTER_UNIFORM)
        return (uint64_t)((double)period_ns * (0.5 + uniform01(state)));
    if (kind == JITTER_EXP) {
        const uint64_t floor_ns = 1000000000u / HZPROF_MAX_RATE_HZ;
        if (period_ns <= floor_ns)
            return period_ns;
        const double mean = (double)(period_ns - floor_ns);
        double d = -log(1.0 - uniform01(state)) * mean; /* 1 - u is in (0, 1] */
        if (d > 10.0 * (double)period_ns)
            d = 10.0 * (double)period_ns;
        return floor_ns + (uint64_t)d;
    }
    return period_ns;
}

uint64_t jitter_next_due(int kind, uint64_t period_ns, uint64_t now)
{
    struct thread_state *t = &hz_thread;
    const uint64_t generation = __atomic_load_n(&hz_session.generation, __ATOMIC_RELAXED);
    if (!t->jitter_state) {
        /* Each thread's TLS block is at its own address; the clock separates runs. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
        t->jitter_state = jitter_seed((uint64_t)(uintptr_t)t ^ (uint64_t)ts.tv_nsec << 20);
    }
    if (t->jitter_generation != generation) { /* a new session: nothing is due yet */
        t->jitter_generation = generation;
        t->jitter_due = 0;
        t->jitter_debt = 0;
    }
    if (t->jitter_due && now > t->jitter_due)
        t->jitter_debt += now - t->jitter_due;
    if (t->jitter_debt > 10 * period_ns) { /* far behind (the thread did not run): resync */
        __atomic_fetch_add(&hz_session.samples_missed, t->jitter_debt / period_ns,
                           __ATOMIC_RELAXED);
        t->jitter_debt = 0;
    }
    const uint64_t floor_ns = 1000000000u / HZPROF_MAX_RATE_HZ;
    uint64_t next = jitter_next_ns(kind, period_ns, &t->jitter_state);
    const uint64_t take = next > floor_ns ? next - floor_ns : 0;
    const uint64_t paid = t->jitter_debt < take ? t->jitter_debt : take;
    next -= paid;
    t->jitter_debt -= paid;
    t->jitter_due = now + next;
    return next;
}
