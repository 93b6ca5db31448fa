/*
 * measure.h — in-process measurement of a workload's measured region, shared by all
 * workloads: wall time, user and system CPU time, and perf_event counters counted for
 * every thread of the process (inherit = 1: threads created after measure_begin count).
 *
 * Honest output: a counter that cannot be opened (no PMU, permissions, unsupported
 * event) is reported as null with the reason (the errno text), never as 0. Counters that
 * were multiplexed are scaled by time_enabled / time_running, and both are recorded.
 */
#ifndef HZPROF_MEASURE_H
#define HZPROF_MEASURE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#define MEASURE_MAX_COUNTERS 12

struct measure_counter {
    const char *name;
    int fd;         /* -1 if unavailable */
    int open_errno; /* why it is unavailable */
    uint64_t raw, enabled_ns, running_ns;
};

struct measure {
    struct measure_counter counters[MEASURE_MAX_COUNTERS];
    int ncounters;
    double wall_start, wall_seconds;
    double user_start, sys_start, user_seconds, sys_seconds;
};

/* Opens the counters and starts the clocks. Call on the main thread before creating the
 * threads that do the measured work. */
void measure_begin(struct measure *m);
/* Stops the clocks and reads and closes the counters. */
void measure_end(struct measure *m);

/* Adds "measured": {wall_seconds, user_seconds, system_seconds, cpu_seconds} and
 * "counters": {name: {value, raw, time_enabled_ns, time_running_ns, scaled} or
 * {value: null, reason}} to obj. */
void measure_to_json(const struct measure *m, cJSON *obj);

double measure_now(void); /* CLOCK_MONOTONIC seconds */

#endif
