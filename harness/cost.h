/*
 * cost.h — what one sample costs, per unwinder and per sampler: the measurement behind
 * `hzprof cost` (cli/cmd_cost.c parses its flags and prints its tables; this file never
 * prints).
 *
 * Part 1, the signal path: a thread at a known stack depth sends itself SIGPROF N times,
 * timed with its thread CPU clock, with an empty handler (the floor) and with libhzprof's
 * handler ("manual" sampler) and each unwinder; medians of R interleaved rounds and their
 * ratio to the floor. Part 2, the samplers: a busy loop under each timer-driven sampler
 * and unwinder at each rate: achieved rate and time inside the handler per sample.
 * Part 3, the calibration of budget mode (hzprof_calibrate, hzprof.h): per timer-driven
 * sampler and unwinder, the whole CPU one sample adds (timer interrupt, signal delivery,
 * handler, reader), from profiled and unprofiled blocks of a busy loop; the figure that
 * `hzprof record --max-overhead --cost FILE` and HZPROF_COST_FILE read back (the
 * "calibrated" rows). Part 2's handler time is only the handler's share of it.
 *
 * The result is the document `hzprof cost --json` writes (schema "hzprof.cost/1"), which
 * `make bench` keeps beside results.json and the paper reads (viz/paper_data.c).
 */
#ifndef HZPROF_COST_H
#define HZPROF_COST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define COST_MAX_RATES 8

struct cost_options {
    long signals;                   /* part 1: signals per round */
    int rounds;                     /* part 1: interleaved rounds */
    int depth;                      /* stack depth at which signals and samples are taken */
    unsigned rates[COST_MAX_RATES]; /* part 2: requested rates */
    int nrates;                     /* 1..COST_MAX_RATES */
    double seconds;                 /* part 2: CPU seconds per sampler, unwinder and rate */
    int part;                       /* 0 every part, or the one to run */
};

/* A row of part 1: one handler's median over the rounds. */
struct cost_path_row {
    const char *handler; /* "floor (empty handler)", "none", "fp", "libunwind" */
    double median_ns;    /* CPU ns per signal */
    double min_ns;       /* the smallest round */
    double x_floor;      /* median_ns over the floor's */
};

/* A row of part 2: one sampler, unwinder and rate; or a sampler the machine lacks
 * (unavailable set, the other figures zero; its remaining configurations are skipped). */
struct cost_sampler_row {
    const char *sampler;
    const char *unwinder;
    unsigned rate; /* asked for, Hz */
    const char *unavailable;
    uint64_t samples;
    double achieved_hz;
    double handler_ns_mean; /* 0 when samples is 0 (null in the document) */
    uint64_t handler_ns_max;
};

/* A row of part 3: one sampler and unwinder's calibration (unavailable set: the machine
 * lacks the sampler, the figures zero, its other unwinders skipped). */
struct cost_calibration_row {
    const char *sampler;
    const char *unwinder;
    const char *unavailable;
    unsigned test_rate_hz;
    double achieved_hz, cost_ns, handler_ns, ceiling_hz;
};

/* Told as the measurement goes, so a caller can show each row when it is known (part 2
 * takes seconds per sampler). Any member may be NULL; a row's strings live for the callback only.
 */
struct cost_progress {
    void (*path_done)(void *ctx); /* part 1 measured: its rows follow */
    void (*path_row)(void *ctx, const struct cost_path_row *r);
    void (*samplers_begin)(void *ctx); /* part 2 starts: a row each as it is measured */
    void (*sampler_row)(void *ctx, const struct cost_sampler_row *r);
    void (*calibration_begin)(void *ctx); /* part 3 starts */
    void (*calibration_row)(void *ctx, const struct cost_calibration_row *r);
    void *ctx;
};

/* Measures what o asks for (o must be valid: signals, rounds, depth >= 1, nrates in
 * 1..COST_MAX_RATES, seconds > 0; cmd_cost.c checks the flags). Returns 0 with the
 * document in *out (the caller cJSON_Deletes it): schema, machine, build, options, then
 * signal_path (part 1), samplers (part 2) and calibrated (part 3). Returns -1 with a
 * one-line reason in err and *out NULL when a measurement could not be made (libhzprof
 * refused the manual sampler, a handler could not be installed, no memory). p may be
 * NULL. */
int cost_measure(const struct cost_options *o, const struct cost_progress *p, cJSON **out,
                 char *err, size_t err_size);

#endif
