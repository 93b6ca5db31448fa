/*
 * cmd_cost.c — `hzprof cost`: what one sample costs, per unwinder and per sampler. The
 * measurement is harness/cost.c's; this file parses the flags, prints the two tables as
 * their rows are measured, and writes the --json file (the document cost_measure returns).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "cost.h"
#include "hzprof.h"

static void cost_usage(FILE *out)
{
    fprintf(out, "usage: hzprof cost [--signals N] [--rounds R] [--depth D] [--rates HZ,HZ...]\n"
                 "                   [--seconds S] [--part 1|2|3]\n\n"
                 "Measures what one sample costs. Part 1: N self-sent SIGPROFs at stack depth D,\n"
                 "timed with the thread CPU clock, for an empty handler (the floor) and for\n"
                 "libhzprof's handler with each unwinder; medians of R interleaved rounds and\n"
                 "their ratio to the floor. Part 2: each timer-driven sampler x unwinder on a\n"
                 "busy loop at depth D for S CPU seconds at each rate: achieved rate and time\n"
                 "spent in the handler per sample (tick-based samplers stop at CONFIG_HZ).\n"
                 "Part 3: the calibration of budget mode (hzprof_calibrate) per sampler x\n"
                 "unwinder: the whole CPU one sample adds, which `record --max-overhead\n"
                 "--cost FILE` reads back from the JSON.\n\n"
                 "  --signals N   signals per round (default 20000)\n"
                 "  --rounds R    interleaved rounds (default 7)\n"
                 "  --depth D     stack depth in frames (default 20)\n"
                 "  --rates LIST  part 2 requested rates, comma-separated (default 1000,10000)\n"
                 "  --seconds S   part 2 CPU seconds per configuration (default 0.3)\n"
                 "  --part P      run only part 1, 2 or 3\n"
                 "  --json FILE   also write the figures as JSON (refuses to overwrite\n"
                 "                FILE unless -f)\n"
                 "  -f, --force   overwrite the --json file\n");
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "hzprof cost: %s: '%s' is not an integer in %ld..%ld\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* --rates LIST into o. Returns 0, or -1 after saying why. */
static int parse_rates(const char *arg, struct cost_options *o)
{
    long v;
    o->nrates = 0;
    char *list = strdup(arg), *save = NULL;
    if (!list) {
        fprintf(stderr, "hzprof cost: out of memory\n");
        return -1;
    }
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->nrates == COST_MAX_RATES) {
            fprintf(stderr, "hzprof cost: --rates: at most %d rates\n", COST_MAX_RATES);
            free(list);
            return -1;
        }
        if (parse_long("--rates", tok, 1, HZPROF_MAX_RATE_HZ, &v)) {
            free(list);
            return -1;
        }
        o->rates[o->nrates++] = (unsigned)v;
    }
    free(list);
    if (o->nrates == 0) {
        fprintf(stderr, "hzprof cost: --rates: empty list\n");
        return -1;
    }
    return 0;
}

/* The tables, printed row by row as cost_measure reports them (ctx: the options). */
static void print_path_done(void *ctx)
{
    const struct cost_options *o = ctx;
    printf("Signal path: %ld self-signals per round, %d rounds, stack depth %d\n", o->signals,
           o->rounds, o->depth);
    printf("  %-24s %12s %12s %10s\n", "handler", "median ns", "min ns", "x floor");
}

static void print_path_row(void *ctx, const struct cost_path_row *r)
{
    (void)ctx;
    printf("  %-24s %12.0f %12.0f %10.2f\n", r->handler, r->median_ns, r->min_ns, r->x_floor);
}

static void print_samplers_begin(void *ctx)
{
    const struct cost_options *o = ctx;
    printf("\nSamplers: busy loop, %.2f CPU s each, stack depth %d\n", o->seconds, o->depth);
    printf("  %-13s %-10s %9s %9s %12s %14s %12s\n", "sampler", "unwinder", "asked Hz", "samples",
           "achieved Hz", "handler ns/smp", "max ns");
}

static void print_sampler_row(void *ctx, const struct cost_sampler_row *r)
{
    (void)ctx;
    if (r->unavailable)
        printf("  %-13s %-10s unavailable: %s\n", r->sampler, r->unwinder, r->unavailable);
    else
        printf("  %-13s %-10s %9u %9llu %12.0f %14.0f %12llu\n", r->sampler, r->unwinder, r->rate,
               (unsigned long long)r->samples, r->achieved_hz, r->handler_ns_mean,
               (unsigned long long)r->handler_ns_max);
}

static void print_calibration_begin(void *ctx)
{
    (void)ctx;
    printf("\nCalibration (budget mode): CPU per sample, profiled vs unprofiled blocks\n");
    printf("  %-13s %-10s %9s %12s %12s %12s %12s\n", "sampler", "unwinder", "test Hz",
           "achieved Hz", "us/sample", "handler us", "ceiling Hz");
}

static void print_calibration_row(void *ctx, const struct cost_calibration_row *r)
{
    (void)ctx;
    if (r->unavailable)
        printf("  %-13s %-10s unavailable: %s\n", r->sampler, r->unwinder, r->unavailable);
    else
        printf("  %-13s %-10s %9u %12.0f %12.1f %12.2f %12.0f\n", r->sampler, r->unwinder,
               r->test_rate_hz, r->achieved_hz, r->cost_ns / 1e3, r->handler_ns / 1e3,
               r->ceiling_hz);
}

int cmd_cost(int argc, char **argv)
{
    struct cost_options o = {.signals = 20000,
                             .rounds = 7,
                             .depth = 20,
                             .rates = {1000, 10000},
                             .nrates = 2,
                             .seconds = 0.3,
                             .part = 0};
    static const struct option longopts[] = {
        {"signals", required_argument, 0, 'n'}, {"rounds", required_argument, 0, 'r'},
        {"depth", required_argument, 0, 'd'},   {"rates", required_argument, 0, 'F'},
        {"seconds", required_argument, 0, 's'}, {"part", required_argument, 0, 'p'},
        {"json", required_argument, 0, 'j'},    {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    const char *json_path = NULL;
    bool force = false;
    int ch;
    long v;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "hf", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j': json_path = optarg; break;
        case 'f': force = true; break;
        case 'n':
            if (parse_long("--signals", optarg, 100, 100000000, &v))
                return 2;
            o.signals = v;
            break;
        case 'r':
            if (parse_long("--rounds", optarg, 1, 1000, &v))
                return 2;
            o.rounds = (int)v;
            break;
        case 'd':
            if (parse_long("--depth", optarg, 1, 200, &v))
                return 2;
            o.depth = (int)v;
            break;
        case 'F':
            if (parse_rates(optarg, &o))
                return 2;
            break;
        case 's': {
            char *end;
            o.seconds = strtod(optarg, &end);
            if (*end || end == optarg || o.seconds <= 0 || o.seconds > 600) {
                fprintf(stderr, "hzprof cost: --seconds: '%s' is not a number in (0, 600]\n",
                        optarg);
                return 2;
            }
            break;
        }
        case 'p':
            if (parse_long("--part", optarg, 1, 3, &v))
                return 2;
            o.part = (int)v;
            break;
        case 'h': cost_usage(stdout); return 0;
        default:
            fprintf(stderr, "hzprof cost: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hzprof cost: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    /* Open the JSON file first: a refusal costs no measurement. */
    FILE *json = NULL;
    if (json_path) {
        int fd = open(json_path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0666);
        if (fd < 0 || !(json = fdopen(fd, "w"))) {
            fprintf(stderr, "hzprof cost: cannot write '%s': %s%s\n", json_path, strerror(errno),
                    errno == EEXIST ? " (use -f to overwrite)" : "");
            return 1;
        }
    }
    const struct cost_progress print = {.path_done = print_path_done,
                                        .path_row = print_path_row,
                                        .samplers_begin = print_samplers_begin,
                                        .sampler_row = print_sampler_row,
                                        .calibration_begin = print_calibration_begin,
                                        .calibration_row = print_calibration_row,
                                        .ctx = &o};
    cJSON *doc = NULL;
    char err[1024];
    int rc = 0;
    if (cost_measure(&o, &print, &doc, err, sizeof err) != 0) {
        fprintf(stderr, "hzprof cost: %s\n", err);
        rc = 1;
    }
    if (json) {
        char *text = rc ? NULL : cJSON_Print(doc);
        if (!text || fprintf(json, "%s\n", text) < 0)
            rc = 1;
        if (fclose(json) != 0)
            rc = 1;
        if (rc)
            fprintf(stderr, "hzprof cost: '%s' not written\n", json_path);
        free(text);
    }
    cJSON_Delete(doc);
    return rc;
}
