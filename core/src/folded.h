/*
 * folded.h — the profile as folded stacks ("root;caller;leaf count" per line), the input
 * format of flamegraph.pl and friends.
 *
 * Contract: lines are sorted and merged, so stacks that symbolize to the same names
 * (different PCs in one function, different label sets) appear once with their counts
 * summed; the sum of all counts equals the number of samples in the map, lost ones
 * included. See hzprof_write_folded in hzprof.h for the pseudo-frames.
 */
#ifndef HZPROF_FOLDED_H
#define HZPROF_FOLDED_H

#include <stdio.h>

#include "map.h"
#include "symbols.h"

/* Writes the folded form of `m` to `out`; flags are HZPROF_FOLDED_*. Returns 0, or -1 with errno
 * set. */
int folded_write(const struct map *m, struct symbolizer *sym, unsigned flags, FILE *out);

#endif
