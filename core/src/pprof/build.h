/*
 * build.h — turns the aggregated profile map into a pp_profile: symbolized locations
 * (inlined frames expanded), functions, the process's executable mappings with build ids,
 * samples with their labels, and pseudo-frames for what has no code address.
 *
 * Pseudo-frames are locations without a mapping whose single function is named "[lost]"
 * (samples dropped on ring overflow), "[truncated]" (the root of a stack cut at
 * max_depth) or "[off-cpu]" (the leaf of a wall sample of a sleeping thread), so that
 * every view of the profile, ours or go tool pprof, shows them the same way.
 *
 * Not for signal handlers. Call while the sampled code is still loaded.
 */
#ifndef HZPROF_PPROF_BUILD_H
#define HZPROF_PPROF_BUILD_H

#include <stdint.h>

#include "../map.h"
#include "../symbols.h"
#include "profile.h"

struct build_info {
    const char *sample_kind; /* "cpu" or "wall": names the nanoseconds sample type */
    uint64_t period_ns;
    int64_t time_nanos; /* wall-clock start, ns since the epoch */
    int64_t duration_nanos;
    const char *comments[8]; /* NULL-terminated */
};

/* Fills *p (profile_init'ed by the call). Returns 0, or -1 when memory runs out. */
int pprof_build(struct pp_profile *p, const struct map *m, struct symbolizer *sym,
                const struct build_info *info);

#endif
