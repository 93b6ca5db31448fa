/*
 * baseline_profile.h — reads the profile a baseline profiler wrote: how many samples it
 * holds, and as our pprof (.pb.gz), so its flame graph can be drawn beside ours:
 *   gperftools, gperftools-thread: the legacy binary CPU profile, converted and
 *       symbolized by `go tool pprof -proto` (Debian golang-go; it symbolizes with
 *       binutils from the profile's own memory map);
 *   perf-record: perf.data, read with `perf script -F ip,sym` and folded here;
 *   go-pprof: already pprof, nothing to do.
 */
#ifndef HZPROF_BASELINE_PROFILE_H
#define HZPROF_BASELINE_PROFILE_H

#include <stddef.h>

#define BASELINE_LIBPROFILER "/usr/lib/x86_64-linux-gnu/libprofiler.so.0"
#define BASELINE_PERF "/usr/bin/perf"

/* The samples in a baseline's profile (gperftools' binary format, perf.data through
 * `perf script`, Go's pprof), or -1 when it cannot be read. */
double baseline_samples(const char *baseline, const char *profile);

/* Writes out_pb from the baseline's raw profile. Returns 0, or -1 with a reason in err
 * (the converter is missing, or the profile unreadable). */
int baseline_profile_to_pprof(const char *baseline, const char *raw, const char *out_pb, char *err,
                              size_t n);

#endif
