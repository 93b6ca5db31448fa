/*
 * burn.h — a function that burns CPU in a loop of its own, for programs whose profile is
 * checked against what they did: the truth workload, the end-to-end tests and the
 * programs `hzprof record` is tested on.
 */
#ifndef HZPROF_WORKLOADS_BURN_H
#define HZPROF_WORKLOADS_BURN_H

#include <stdint.h>

/* Defines `uint64_t name(uint64_t n)`: n rounds of xorshift, returning the state (a value
 * to keep, so that the loop is not dropped). Put `static` before it for a function of one
 * file. Each function made this way has a loop of its own: a profile tells them apart,
 * unlike calls to one shared kernel. noinline keeps it a frame of its own; noclone keeps
 * its name, which a constant-propagated copy (name.constprop.0) would change. The empty
 * asm makes every round's value needed, so the compiler cannot fold the loop away. */
#define BURN_FUNCTION(name, seed)                                                                  \
    uint64_t __attribute__((noinline, noclone)) name(uint64_t n)                                   \
    {                                                                                              \
        uint64_t x = (seed) | n;                                                                   \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            x ^= x << 13;                                                                          \
            x ^= x >> 7;                                                                           \
            x ^= x << 17;                                                                          \
            __asm__ volatile("" : "+r"(x));                                                        \
        }                                                                                          \
        return x;                                                                                  \
    }

#endif
