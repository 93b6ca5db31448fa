/*
 * cost_file.h — the cost of one sample, read from the JSON that `hzprof cost --json`
 * writes (schema "hzprof.cost/1", harness/cost.c), for budget mode with a known cost
 * (HZPROF_COST_FILE, `hzprof record --cost FILE`) instead of a calibration at start.
 *
 * The figure used is a row of the file's "calibrated" array, {sampler, unwinder,
 * cost_ns, handler_ns, achieved_hz, ceiling_hz, test_rate_hz, pairs}: hzprof_calibrate's
 * result for that sampler and unwinder on the machine that wrote the file. The file's
 * other figures per sampler ("samplers": handler_ns_mean) are the time inside the handler
 * only; they leave out the timer interrupt and the signal delivery, most of a sample's
 * cost (~55 us against ~1 us for perf-clock on our VM), so they are not used: a file
 * without "calibrated" rows (written before budget mode existed) is refused with a
 * message that says so.
 *
 * Used by the preload library and by `hzprof record`, which checks the file before PROG
 * starts. Not for signal handlers.
 */
#ifndef HZPROF_COST_FILE_H
#define HZPROF_COST_FILE_H

#include <stddef.h>

#include "hzprof.h"

/* Fills *out from path's row for sampler/unwinder. Returns 0, or -1 with a one-line
 * reason in err (n bytes). */
int cost_file_read(const char *path, const char *sampler, const char *unwinder,
                   struct hzprof_calibration *out, char *err, size_t n);

#endif
