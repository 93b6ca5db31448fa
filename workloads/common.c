/* common.c — see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hzprof.h"

const char profiling_usage[] =
    "Profiling (off unless --sampler is given):\n"
    "  --sampler S       itimer, thread-timer, perf-clock, perf-cycles, wall, wall-timer\n"
    "  --hz N            sampling rate (default 100)\n"
    "  --max-overhead P  instead of --hz: the rate whose predicted overhead is P percent\n"
    "                    (budget mode; calibrates ~0.4 s of CPU before the measured part)\n"
    "  --unwinder U      libunwind (default), fp, none\n"
    "  --jitter K        none (default), uniform or exp: random intervals, same mean\n"
    "  --no-interrupt    wall: never signal a blocked thread\n"
    "  --profile-out F   write the profile: F.pb.gz (pprof) or F.folded (folded stacks)\n";

void workload_thread_started(void)
{
    void (*register_thread)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "ProfilerRegisterThread");
    if (register_thread)
        register_thread();
}

int parse_uint_flag(const char *prog, const char *flag, const char *text, unsigned long lo,
                    unsigned long hi, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text ? text : "", &end, 10);
    if (!text || errno || *end || end == text || text[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "%s: %s: '%s' is not an integer in %lu..%lu\n", prog, flag,
                text ? text : "", lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int profiling_parse_flag(struct profiling_options *o, const char *prog, int argc, char **argv,
                         int *i)
{
    static const struct option flags[] = {PROFILING_LONGOPTS};
    const char *flag = argv[*i];
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        if (strncmp(flag, "--", 2) != 0 || strcmp(flag + 2, flags[k].name) != 0)
            continue;
        if (flags[k].has_arg == no_argument)
            return profiling_option(o, prog, flags[k].val, NULL);
        if (*i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value\n", prog, flag);
            return -1;
        }
        (*i)++;
        return profiling_option(o, prog, flags[k].val, argv[*i]);
    }
    return 0;
}

int profiling_option(struct profiling_options *o, const char *prog, int opt, const char *arg)
{
    unsigned long v;
    switch (opt) {
    case PROFILING_OPT_SAMPLER: o->sampler = arg; return 1;
    case PROFILING_OPT_UNWINDER: o->unwinder = arg; return 1;
    case PROFILING_OPT_PROFILE_OUT: o->profile_out = arg; return 1;
    case PROFILING_OPT_JITTER: o->jitter = arg; return 1;
    case PROFILING_OPT_NO_INTERRUPT: o->no_interrupt = true; return 1;
    case PROFILING_OPT_HZ:
        if (parse_uint_flag(prog, "--hz", arg, 1, HZPROF_MAX_RATE_HZ, &v) != 0)
            return -1;
        o->hz = (unsigned)v;
        break;
    case PROFILING_OPT_MAX_OVERHEAD:
        if (hzprof_overhead_parse(arg, &o->max_overhead) != HZPROF_OK) {
            fprintf(stderr, "%s: --max-overhead: %s\n", prog, hzprof_error_detail());
            return -1;
        }
        break;
    default: return 0;
    }
    if (o->hz && o->max_overhead > 0) {
        fprintf(stderr, "%s: --hz and --max-overhead both given: give a rate or a budget\n", prog);
        return -1;
    }
    return 1;
}

int workload_option(struct profiling_options *o, const char *prog,
                    const struct uint_flag *uint_flags, int opt, const char *arg)
{
    const int p = profiling_option(o, prog, opt, arg);
    if (p != 0)
        return p;
    for (const struct uint_flag *f = uint_flags; f->flag; f++)
        if (f->opt == opt)
            return parse_uint_flag(prog, f->flag, arg, f->lo, f->hi, f->out) == 0 ? 1 : -1;
    return 0;
}

int workload_bad_flag(const char *prog, int ch, char **argv)
{
    /* getopt_long has stepped past the word that holds the flag it refused. */
    if (ch == ':')
        fprintf(stderr, "%s: %s needs a value\n", prog, argv[optind - 1]);
    else
        fprintf(stderr, "%s: unknown or incomplete option '%s'; see --help\n", prog,
                argv[optind - 1]);
    return 2;
}

int workload_extra_args(const char *prog, int argc, char **argv)
{
    if (optind >= argc)
        return 0;
    fprintf(stderr, "%s: unknown or incomplete option '%s'; see --help\n", prog, argv[optind]);
    return 2;
}

void run_init(struct run *r, const char *workload, const struct profiling_options *o)
{
    memset(r, 0, sizeof *r);
    r->prof = *o;
    r->doc = cJSON_CreateObject();
    cJSON_AddStringToObject(r->doc, "schema", "hzprof.workload/1");
    cJSON_AddStringToObject(r->doc, "workload", workload);
    r->params = cJSON_AddObjectToObject(r->doc, "params");
    r->result = cJSON_CreateObject();
}

static void add_profiling_json(struct run *r, const char *error)
{
    cJSON *p = cJSON_AddObjectToObject(r->doc, "profiling");
    cJSON_AddBoolToObject(p, "enabled", r->profiling_on);
    if (!r->prof.sampler)
        return;
    cJSON_AddStringToObject(p, "sampler", r->prof.sampler);
    struct hzprof_stats st;
    const bool stats = r->profiling_on && hzprof_get_stats(&st) == HZPROF_OK;
    /* Budget mode: the rate is the library's choice (known once started). */
    cJSON_AddNumberToObject(p, "hz",
                            stats                  ? st.rate_hz
                            : r->prof.hz           ? r->prof.hz
                            : r->prof.max_overhead ? 0
                                                   : HZPROF_DEFAULT_RATE_HZ);
    if (r->prof.max_overhead > 0)
        cJSON_AddNumberToObject(p, "max_overhead_pct", 100 * r->prof.max_overhead);
    cJSON_AddStringToObject(p, "unwinder", r->prof.unwinder ? r->prof.unwinder : "libunwind");
    cJSON_AddStringToObject(p, "jitter", r->prof.jitter ? r->prof.jitter : "none");
    cJSON_AddBoolToObject(p, "no_interrupt", r->prof.no_interrupt);
    if (r->prof.profile_out)
        cJSON_AddStringToObject(p, "profile_out", r->prof.profile_out);
    if (error)
        cJSON_AddStringToObject(p, "error", error);
    if (!stats)
        return;
    if (r->prof.max_overhead > 0) {
        cJSON_AddNumberToObject(p, "predicted_overhead_pct", 100 * st.predicted_overhead);
        cJSON_AddNumberToObject(p, "cost_ns_per_sample", st.cost_ns_per_sample);
        cJSON_AddNumberToObject(p, "budget_ceiling_hz", st.budget_ceiling_hz);
        cJSON_AddBoolToObject(p, "cost_calibrated", st.cost_calibrated);
    }
    cJSON_AddNumberToObject(p, "samples", (double)st.samples_taken);
    cJSON_AddNumberToObject(p, "recorded", (double)st.samples_recorded);
    cJSON_AddNumberToObject(p, "lost", (double)st.samples_lost);
    cJSON_AddNumberToObject(p, "missed", (double)st.samples_missed);
    cJSON_AddNumberToObject(p, "unsampled_cpu_seconds", (double)st.unsampled_cpu_ns / 1e9);
    cJSON_AddNumberToObject(p, "truncated", (double)st.stacks_truncated);
    cJSON_AddNumberToObject(p, "off_cpu", (double)st.samples_off_cpu);
    cJSON_AddNumberToObject(p, "handler_ns_total", (double)st.handler_ns_total);
    if (st.samples_taken)
        cJSON_AddNumberToObject(p, "handler_ns_mean",
                                (double)st.handler_ns_total / (double)st.samples_taken);
    else
        cJSON_AddNullToObject(p, "handler_ns_mean");
    cJSON_AddNumberToObject(p, "handler_ns_max", (double)st.handler_ns_max);
    cJSON_AddNumberToObject(p, "achieved_hz", st.achieved_hz);
    cJSON_AddNumberToObject(p, "threads_seen", (double)st.threads_seen);
    cJSON_AddNumberToObject(p, "cpu_seconds", st.cpu_seconds);
}

/* Prints the document as one line on stdout and frees it. Flushed at once: a sanitizer
 * that ends the process at exit would otherwise lose the buffered line. */
static void print_doc(cJSON *doc)
{
    char *text = cJSON_PrintUnformatted(doc);
    puts(text);
    fflush(stdout);
    free(text);
    cJSON_Delete(doc);
}

int run_begin(struct run *r)
{
    if (r->prof.sampler) {
        struct hzprof_config cfg;
        hzprof_config_init(&cfg);
        cfg.sampler = r->prof.sampler;
        if (r->prof.hz)
            cfg.rate_hz = r->prof.hz;
        cfg.max_overhead = r->prof.max_overhead; /* hzprof_start calibrates: not measured */
        if (r->prof.unwinder)
            cfg.unwinder = r->prof.unwinder;
        cfg.jitter = r->prof.jitter;
        cfg.no_interrupt = r->prof.no_interrupt;
        int rc = hzprof_start(&cfg);
        if (rc != HZPROF_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s: %s", hzprof_strerror(rc), hzprof_error_detail());
            add_profiling_json(r, msg);
            cJSON_AddItemToObject(r->doc, "result", r->result);
            cJSON_AddBoolToObject(r->doc, "ok", false);
            cJSON_AddStringToObject(r->doc, "error", msg);
            print_doc(r->doc);
            return 3;
        }
        r->profiling_on = true;
    }
    measure_begin(&r->measure);
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

void run_end(struct run *r, double work_done, const char *unit)
{
    measure_end(&r->measure);
    if (r->profiling_on)
        hzprof_stop();
    measure_to_json(&r->measure, r->doc);
    cJSON *measured = cJSON_GetObjectItem(r->doc, "measured");
    cJSON_AddNumberToObject(measured, "work", work_done);
    cJSON_AddNumberToObject(measured, "throughput",
                            r->measure.wall_seconds > 0 ? work_done / r->measure.wall_seconds : 0);
    cJSON_AddStringToObject(measured, "unit", unit);
    const char *error = NULL;
    char msg[600];
    if (r->profiling_on && r->prof.profile_out) {
        int rc = ends_with(r->prof.profile_out, ".folded")
                     ? hzprof_write_folded(r->prof.profile_out, 0)
                     : hzprof_write_pprof(r->prof.profile_out);
        if (rc != HZPROF_OK) {
            snprintf(msg, sizeof msg, "%s", hzprof_error_detail());
            error = msg;
        }
    }
    add_profiling_json(r, error);
}

int run_finish(struct run *r, bool ok, const char *error)
{
    cJSON_AddItemToObject(r->doc, "result", r->result);
    cJSON_AddBoolToObject(r->doc, "ok", ok);
    if (error)
        cJSON_AddStringToObject(r->doc, "error", error);
    print_doc(r->doc);
    return ok ? 0 : 1;
}
