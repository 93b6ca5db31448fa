/*
 * cost.c — `hzprof cost`: what one sample costs, per unwinder and per sampler.
 *
 * A benchmark, not a test: it prints figures and ratios measured in one run.
 *
 * Part 1, the signal path. A thread sitting at a known stack depth sends itself SIGPROF
 * with tgkill N times and we time the loop with its thread CPU clock (user + kernel time
 * of that thread: delivery, handler, sigreturn). The floor is the same loop with an empty
 * handler installed for SIGPROF. Then the same loop with libhzprof's handler ("manual"
 * sampler) and each unwinder: the difference is what unwinding and recording add. The
 * configurations are interleaved over R rounds and the median per configuration is
 * reported with its ratio to the floor's median, so machine drift hits all alike.
 *
 * Part 2, the samplers. A busy loop runs for a fixed CPU time under each timer-driven
 * sampler at the requested rate; we report the achieved rate (tick-based samplers cannot
 * exceed CONFIG_HZ) and the mean time spent inside the handler per sample. A sampler the
 * machine lacks (perf-cycles without a PMU) is reported as unavailable with the reason.
 *
 * Part 3, the calibration of budget mode (hzprof_calibrate, hzprof.h): per timer-driven
 * sampler and unwinder, the whole CPU one sample adds (timer interrupt, signal delivery,
 * handler, reader), from profiled and unprofiled blocks of a busy loop; the figure that
 * `hzprof record --max-overhead --cost FILE` and HZPROF_COST_FILE read back (rows of
 * "calibrated" in the JSON). Part 2's handler time is only the handler's share of it.
 *
 * --json FILE also writes the figures, with the machine and build, as JSON (schema
 * "hzprof.cost/1"); `make bench` keeps it beside results.json, and the paper reads it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <fcntl.h>

#include "commands.h"
#include "hzprof.h"
#include "machine.h"

struct cost_options {
    long signals;      /* signals per round */
    int rounds;        /* interleaved rounds */
    int depth;         /* stack depth at which signals are taken */
    unsigned rates[8]; /* part 2: requested rates */
    int nrates;
    double seconds; /* part 2: CPU seconds per sampler */
    int part;       /* 0 both, 1 or 2 */
};

static double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void empty_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
}

/* The same flags and mask as libhzprof's handler, so the kernel path is the same. */
static int install_empty_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = empty_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGPROF);
    return sigaction(SIGPROF, &sa, NULL);
}

/* Sends `n` signals to this thread; returns CPU ns per signal. */
static double __attribute__((noinline)) signal_loop(long n)
{
    const pid_t pid = getpid();
    const pid_t tid = (pid_t)syscall(SYS_gettid);
    double t0 = thread_cpu_ns();
    for (long i = 0; i < n; i++)
        syscall(SYS_tgkill, pid, tid, SIGPROF);
    return (thread_cpu_ns() - t0) / (double)n;
}

static volatile int depth_sink;

/* Recurses `depth` frames (not tail calls) before calling fn(arg). */
static double __attribute__((noinline)) at_depth(int depth, double (*fn)(void *), void *arg)
{
    if (depth <= 1)
        return fn(arg);
    double r = at_depth(depth - 1, fn, arg);
    depth_sink++;
    return r;
}

static double run_signal_loop(void *arg)
{
    return signal_loop(*(const long *)arg);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define PATH_CONFIGS 4
static const char *const path_names[PATH_CONFIGS] = {"floor (empty handler)", "none", "fp",
                                                     "libunwind"};

/* One measurement of configuration c; returns ns per signal, or -1 on error. */
static double measure_path(int c, const struct cost_options *o)
{
    if (c == 0) {
        if (install_empty_handler() != 0)
            return -1;
        return at_depth(o->depth, run_signal_loop, (void *)&o->signals);
    }
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    cfg.sampler = "manual";
    cfg.unwinder = path_names[c];
    cfg.max_depth = HZPROF_MAX_DEPTH_LIMIT;
    int rc = hzprof_start(&cfg);
    if (rc != HZPROF_OK) {
        fprintf(stderr, "hzprof cost: %s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
        return -1;
    }
    double ns = at_depth(o->depth, run_signal_loop, (void *)&o->signals);
    hzprof_stop();
    return ns;
}

static int run_path(const struct cost_options *o, cJSON *doc)
{
    double *samples = calloc((size_t)PATH_CONFIGS * (size_t)o->rounds, sizeof *samples);
    if (!samples)
        return 1;
    /* Warm-up: first-touch of the ring, libunwind caches, page faults. */
    for (int c = 0; c < PATH_CONFIGS; c++)
        if (measure_path(c, &(struct cost_options){.signals = 1000, .depth = o->depth}) < 0) {
            free(samples);
            return 1;
        }
    for (int r = 0; r < o->rounds; r++) {
        for (int k = 0; k < PATH_CONFIGS; k++) {
            int c = (k + r) % PATH_CONFIGS; /* rotate the order every round */
            double ns = measure_path(c, o);
            if (ns < 0) {
                free(samples);
                return 1;
            }
            samples[c * o->rounds + r] = ns;
        }
    }
    printf("Signal path: %ld self-signals per round, %d rounds, stack depth %d\n", o->signals,
           o->rounds, o->depth);
    printf("  %-24s %12s %12s %10s\n", "handler", "median ns", "min ns", "x floor");
    double floor_ns = 0;
    cJSON *rows = doc ? cJSON_AddArrayToObject(doc, "signal_path") : NULL;
    for (int c = 0; c < PATH_CONFIGS; c++) {
        double *v = &samples[c * o->rounds];
        double med = median(v, o->rounds);
        if (c == 0)
            floor_ns = med;
        printf("  %-24s %12.0f %12.0f %10.2f\n", path_names[c], med, v[0], med / floor_ns);
        if (rows) {
            cJSON *row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "handler", c == 0 ? "floor" : path_names[c]);
            cJSON_AddNumberToObject(row, "median_ns", med);
            cJSON_AddNumberToObject(row, "min_ns", v[0]);
            cJSON_AddNumberToObject(row, "x_floor", med / floor_ns);
            cJSON_AddItemToArray(rows, row);
        }
    }
    free(samples);
    return 0;
}

static volatile uint64_t spin_sink;

static double spin_for(void *arg)
{
    const double end = thread_cpu_ns() + *(const double *)arg * 1e9;
    while (thread_cpu_ns() < end)
        for (int i = 0; i < 10000; i++)
            spin_sink += (uint64_t)i * 2654435761u;
    return 0;
}

static int run_samplers(const struct cost_options *o, cJSON *doc)
{
    cJSON *rows = doc ? cJSON_AddArrayToObject(doc, "samplers") : NULL;
    const char *samplers[16];
    size_t nsamplers = 0; /* every sampler offered to users, from the library's table */
    for (const char *const *p = hzprof_sampler_names(); *p && nsamplers < 16; p++)
        if (hzprof_sampler_caps(*p) & HZPROF_CAP_USER)
            samplers[nsamplers++] = *p;
    static const char *const unwinders[] = {"none", "fp", "libunwind"};
    const int nunwinders = (int)(sizeof unwinders / sizeof unwinders[0]);
    printf("\nSamplers: busy loop, %.2f CPU s each, stack depth %d\n", o->seconds, o->depth);
    printf("  %-13s %-10s %9s %9s %12s %14s %12s\n", "sampler", "unwinder", "asked Hz", "samples",
           "achieved Hz", "handler ns/smp", "max ns");
    for (size_t s = 0; s < nsamplers; s++) {
        for (int k = 0; k < o->nrates * nunwinders; k++) {
            const char *unwinder = unwinders[k % nunwinders];
            const unsigned rate = o->rates[k / nunwinders];
            struct hzprof_config cfg;
            hzprof_config_init(&cfg);
            cfg.sampler = samplers[s];
            cfg.unwinder = unwinder;
            cfg.rate_hz = rate;
            int rc = hzprof_start(&cfg);
            if (rc != HZPROF_OK) {
                printf("  %-13s %-10s unavailable: %s\n", samplers[s], unwinder,
                       hzprof_error_detail());
                if (rows) {
                    cJSON *row = cJSON_CreateObject();
                    cJSON_AddStringToObject(row, "sampler", samplers[s]);
                    cJSON_AddStringToObject(row, "unavailable", hzprof_error_detail());
                    cJSON_AddItemToArray(rows, row);
                }
                break;
            }
            at_depth(o->depth, spin_for, (void *)&o->seconds);
            hzprof_stop();
            struct hzprof_stats st;
            hzprof_get_stats(&st);
            double per =
                st.samples_taken ? (double)st.handler_ns_total / (double)st.samples_taken : 0;
            printf("  %-13s %-10s %9u %9llu %12.0f %14.0f %12llu\n", samplers[s], unwinder, rate,
                   (unsigned long long)st.samples_taken, st.achieved_hz, per,
                   (unsigned long long)st.handler_ns_max);
            if (rows) {
                cJSON *row = cJSON_CreateObject();
                cJSON_AddStringToObject(row, "sampler", samplers[s]);
                cJSON_AddStringToObject(row, "unwinder", unwinder);
                cJSON_AddNumberToObject(row, "rate", rate);
                cJSON_AddNumberToObject(row, "samples", (double)st.samples_taken);
                cJSON_AddNumberToObject(row, "achieved_hz", st.achieved_hz);
                if (st.samples_taken)
                    cJSON_AddNumberToObject(row, "handler_ns_mean", per);
                else
                    cJSON_AddNullToObject(row, "handler_ns_mean");
                cJSON_AddNumberToObject(row, "handler_ns_max", (double)st.handler_ns_max);
                cJSON_AddItemToArray(rows, row);
            }
        }
    }
    return 0;
}

static int run_calibration(cJSON *doc)
{
    cJSON *rows = doc ? cJSON_AddArrayToObject(doc, "calibrated") : NULL;
    const char *samplers[16];
    size_t nsamplers = 0; /* every sampler offered to users, from the library's table */
    for (const char *const *p = hzprof_sampler_names(); *p && nsamplers < 16; p++)
        if (hzprof_sampler_caps(*p) & HZPROF_CAP_USER)
            samplers[nsamplers++] = *p;
    static const char *const unwinders[] = {"none", "fp", "libunwind"};
    printf("\nCalibration (budget mode): CPU per sample, profiled vs unprofiled blocks\n");
    printf("  %-13s %-10s %9s %12s %12s %12s %12s\n", "sampler", "unwinder", "test Hz",
           "achieved Hz", "us/sample", "handler us", "ceiling Hz");
    for (size_t s = 0; s < nsamplers; s++) {
        for (size_t u = 0; u < sizeof unwinders / sizeof unwinders[0]; u++) {
            struct hzprof_config cfg;
            hzprof_config_init(&cfg);
            cfg.sampler = samplers[s];
            cfg.unwinder = unwinders[u];
            struct hzprof_calibration c;
            int rc = hzprof_calibrate(&cfg, &c);
            cJSON *row = rows ? cJSON_CreateObject() : NULL;
            if (row) {
                cJSON_AddStringToObject(row, "sampler", samplers[s]);
                cJSON_AddItemToArray(rows, row);
            }
            if (rc != HZPROF_OK) {
                printf("  %-13s %-10s unavailable: %s\n", samplers[s], unwinders[u],
                       hzprof_error_detail());
                if (row)
                    cJSON_AddStringToObject(row, "unavailable", hzprof_error_detail());
                break;
            }
            printf("  %-13s %-10s %9u %12.0f %12.1f %12.2f %12.0f\n", samplers[s], unwinders[u],
                   c.test_rate_hz, c.achieved_hz, c.cost_ns / 1e3, c.handler_ns / 1e3,
                   c.ceiling_hz);
            if (row) {
                cJSON_AddStringToObject(row, "unwinder", unwinders[u]);
                cJSON_AddNumberToObject(row, "cost_ns", c.cost_ns);
                cJSON_AddNumberToObject(row, "handler_ns", c.handler_ns);
                cJSON_AddNumberToObject(row, "achieved_hz", c.achieved_hz);
                cJSON_AddNumberToObject(row, "ceiling_hz", c.ceiling_hz);
                cJSON_AddNumberToObject(row, "test_rate_hz", c.test_rate_hz);
                cJSON_AddNumberToObject(row, "pairs", c.pairs);
                cJSON_AddNumberToObject(row, "cpu_seconds", c.cpu_seconds);
            }
        }
    }
    return 0;
}

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
        case 'F': {
            o.nrates = 0;
            char *list = strdup(optarg), *save = NULL;
            for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (o.nrates == 8 || parse_long("--rates", tok, 1, HZPROF_MAX_RATE_HZ, &v)) {
                    if (o.nrates == 8)
                        fprintf(stderr, "hzprof cost: --rates: at most 8 rates\n");
                    free(list);
                    return 2;
                }
                o.rates[o.nrates++] = (unsigned)v;
            }
            free(list);
            if (o.nrates == 0) {
                fprintf(stderr, "hzprof cost: --rates: empty list\n");
                return 2;
            }
            break;
        }
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
    cJSON *doc = json ? cJSON_CreateObject() : NULL;
    if (doc) {
        cJSON_AddStringToObject(doc, "schema", "hzprof.cost/1");
        cJSON_AddItemToObject(doc, "machine", machine_metadata());
        cJSON_AddItemToObject(doc, "build", build_metadata());
        cJSON *opts = cJSON_AddObjectToObject(doc, "options");
        cJSON_AddNumberToObject(opts, "signals", (double)o.signals);
        cJSON_AddNumberToObject(opts, "rounds", o.rounds);
        cJSON_AddNumberToObject(opts, "depth", o.depth);
        cJSON_AddNumberToObject(opts, "seconds", o.seconds);
    }
    int rc = 0;
    if ((o.part == 0 || o.part == 1) && run_path(&o, doc) != 0)
        rc = 1;
    if (!rc && (o.part == 0 || o.part == 2) && run_samplers(&o, doc) != 0)
        rc = 1;
    if (!rc && (o.part == 0 || o.part == 3) && run_calibration(doc) != 0)
        rc = 1;
    if (json) {
        char *text = rc ? NULL : cJSON_Print(doc);
        if (text && fprintf(json, "%s\n", text) < 0)
            rc = 1;
        if (fclose(json) != 0)
            rc = 1;
        if (rc)
            fprintf(stderr, "hzprof cost: '%s' not written\n", json_path);
        free(text);
        cJSON_Delete(doc);
    }
    return rc;
}
