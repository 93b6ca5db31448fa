/*
 * common.h — what every workload shares: the profiling flags (--sampler, --hz,
 * --unwinder, --jitter, --no-interrupt, --profile-out), starting and stopping the profiler around
 * the measured region, and the one JSON object a run prints on stdout.
 *
 * The JSON object (schema "hzprof.workload/1"):
 *   workload, params {...}, profiling {enabled, sampler, hz, unwinder, jitter, no_interrupt,
 *   profile_out, samples, recorded, lost, truncated, off_cpu, handler_ns_total,
 *   handler_ns_mean, handler_ns_max, achieved_hz, threads_seen, and in budget mode
 *   (--max-overhead) max_overhead_pct, predicted_overhead_pct, cost_ns_per_sample,
 *   budget_ceiling_hz, cost_calibrated, with hz the rate chosen} (only "enabled": false
 *   when off),
 *   measured {wall_seconds, user_seconds, system_seconds, cpu_seconds, throughput, unit},
 *   counters {...} (see measure.h), result {...} (workload-specific), ok, error (if any).
 * Exit status: 0 ok; 1 the result was wrong (verification failed, lost requests); 2 bad
 * flags; 3 profiling could not start (e.g. no PMU for perf-cycles).
 */
#ifndef HZPROF_WORKLOAD_COMMON_H
#define HZPROF_WORKLOAD_COMMON_H

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdbool.h>

#include "measure.h"

struct profiling_options {
    const char *sampler; /* NULL: profiling off */
    unsigned hz;
    double max_overhead; /* budget mode: a fraction (--max-overhead PCT); 0: off */
    const char *unwinder;
    const char *profile_out; /* .pb.gz, or .folded for folded stacks; NULL: none */
    const char *jitter;      /* hzprof_config.jitter; NULL: none */
    bool no_interrupt;       /* hzprof_config.no_interrupt */
};

/* Parses one profiling flag at argv[*i] (advancing *i past its value). Returns 1 if it
 * was one, 0 if not, -1 on a bad value (message printed). For a hand-rolled loop; with
 * getopt_long use PROFILING_LONGOPTS and profiling_option below. */
int profiling_parse_flag(struct profiling_options *o, const char *prog, int argc, char **argv,
                         int *i);
extern const char profiling_usage[];

/* The profiling flags as getopt_long options: PROFILING_LONGOPTS goes into a workload's
 * option table, and what getopt_long returns goes to profiling_option first. Their values
 * are above any character, so they never clash with the workload's own short options. */
enum {
    PROFILING_OPT_SAMPLER = 0x100,
    PROFILING_OPT_HZ,
    PROFILING_OPT_UNWINDER,
    PROFILING_OPT_PROFILE_OUT,
    PROFILING_OPT_JITTER,
    PROFILING_OPT_NO_INTERRUPT,
    PROFILING_OPT_MAX_OVERHEAD,
};
/* clang-format off */
#define PROFILING_LONGOPTS                                                                         \
    {"sampler", required_argument, NULL, PROFILING_OPT_SAMPLER},                                   \
    {"hz", required_argument, NULL, PROFILING_OPT_HZ},                                             \
    {"unwinder", required_argument, NULL, PROFILING_OPT_UNWINDER},                                 \
    {"profile-out", required_argument, NULL, PROFILING_OPT_PROFILE_OUT},                           \
    {"jitter", required_argument, NULL, PROFILING_OPT_JITTER},                                     \
    {"no-interrupt", no_argument, NULL, PROFILING_OPT_NO_INTERRUPT},                               \
    {"max-overhead", required_argument, NULL, PROFILING_OPT_MAX_OVERHEAD}
/* clang-format on */

/* Takes one option getopt_long returned (opt, with its optarg). Returns 1 if it was a
 * profiling flag, 0 if not, -1 on a bad value (message printed). */
int profiling_option(struct profiling_options *o, const char *prog, int opt, const char *arg);

/* One of a workload's own integer flags, in a table ended by an entry whose flag is NULL. */
struct uint_flag {
    int opt;              /* what getopt_long returns for it */
    const char *flag;     /* "--name", for messages */
    unsigned long lo, hi; /* the range allowed */
    unsigned long *out;
};

/* Takes one option getopt_long returned: a profiling flag (as profiling_option) or one of
 * uint_flags (parsed as parse_uint_flag). Returns 1 if it was either, 0 if neither, -1 on
 * a bad value (message printed). */
int workload_option(struct profiling_options *o, const char *prog,
                    const struct uint_flag *uint_flags, int opt, const char *arg);

/* The workloads' getopt_long conventions, in one place: the option string starts with
 * "+:" (stop at the first argument that is not an option: a workload takes none, and it
 * is refused before any flag after it is looked at; ':' tells a missing value from an
 * unknown flag) and opterr is 0, so that every message is ours and one line. */
#define WORKLOAD_OPTSTRING(shorts) "+:" shorts

/* Prints the message for what getopt_long refused, ch being what it returned (':' a
 * flag without its value, '?' anything else), and returns 2, the status for bad flags. */
int workload_bad_flag(const char *prog, int ch, char **argv);

/* After the getopt_long loop: prints the message for an argument left over (a workload
 * takes none; the same message as an unknown flag, as truth gives too) and returns 2, or
 * returns 0 when there is none. */
int workload_extra_args(const char *prog, int argc, char **argv);

/* A run: JSON document plus measurement. */
struct run {
    cJSON *doc;
    cJSON *params;
    cJSON *result;
    struct profiling_options prof;
    struct measure measure;
    bool profiling_on;
};

void run_init(struct run *r, const char *workload, const struct profiling_options *o);
/* Starts the profiler (if asked) and the measurement. Returns 0, or 3 after printing the
 * JSON with the error if the profiler could not start. */
int run_begin(struct run *r);
/* Ends the measurement, stops the profiler, writes the profile; throughput is per
 * wall-second of the measured region. */
void run_end(struct run *r, double work_done, const char *unit);
/* Prints the JSON (with "ok") and returns the exit status (0 or 1). */
int run_finish(struct run *r, bool ok, const char *error);

/* Called first in every thread a workload creates. Under gperftools' per-thread timer
 * mode (CPUPROFILE_PER_THREAD_TIMERS, a baseline of `hzprof bench`) only threads that call
 * ProfilerRegisterThread are sampled, as gperftools documents: when libprofiler is loaded
 * this calls it, otherwise it does nothing. libhzprof needs no such call. */
void workload_thread_started(void);

/* Strict integer parsing for flags: prints "PROG: FLAG: ..." and returns -1 on error. */
int parse_uint_flag(const char *prog, const char *flag, const char *text, unsigned long lo,
                    unsigned long hi, unsigned long *out);

#endif
