/* bench_config.c — see bench_config.h. */
#define _GNU_SOURCE
#include "bench_config.h"
#include "bench_sampler.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "hzprof.h"
#include "text_file.h"

const char *const bench_presets[] = {"quick", "full", "cachegrind", "bias", "budget", NULL};

/* quick: at most 10 minutes on 2 cores. Two workloads of ~0.4 s a trial; a tick sampler,
 * perf-clock and wall, each with the platform floor (empty) and fp, at 1 and 4 kHz
 * (thread-timer only at 1 kHz: it cannot pass CONFIG_HZ); 6 measured blocks, so every
 * figure has the 6 pairs it needs to resolve; then adaptive rounds until the headline
 * figures (perf-clock's floor and perf-clock/fp at 4 kHz on both workloads) have a cost
 * per sample within +-15%, or 8 minutes have passed. */
static const char preset_quick[] =
    "{\"workloads\": ["
    " {\"name\": \"matmul-l2\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l2\", \"--reps\", \"150\"]},"
    " {\"name\": \"io\", \"program\": \"io\", \"args\": [\"--connections\", \"16\", "
    "\"--requests\", \"10000\"]}],"
    " \"samplers\": [\"thread-timer\", \"perf-clock\", \"wall\"],"
    " \"max_rate_by_sampler\": {\"thread-timer\": 1000},"
    " \"unwinders\": [\"empty\", \"fp\"], \"baselines\": [\"gperftools\", "
    "\"perf-record\", \"go-pprof\"],"
    " \"rates\": [1000, 4000], \"repetitions\": 6, \"warmup\": 1, \"seed\": 1,"
    " \"adaptive\": {\"precision\": 0.15, \"budget_s\": 480, \"max_repetitions\": 40,"
    " \"targets\": [{\"sampler\": \"perf-clock\", \"unwinder\": \"empty\", \"rate\": 4000},"
    " {\"sampler\": \"perf-clock\", \"unwinder\": \"fp\", \"rate\": 4000}]}}";

/* full: the reference run, at most an hour on 2 cores: five workloads, every sampler with
 * the floor and both unwinders at 100 Hz to 8 kHz (tick samplers to 1 kHz; "none", the
 * leaf alone, is left to `hzprof cost`), every baseline; 6 measured blocks;
 * adaptive rounds until every configuration at 1 kHz and above that reaches its rate has
 * a cost per sample within +-5%, or 55 minutes have passed. */
static const char preset_full[] =
    "{\"workloads\": ["
    " {\"name\": \"matmul-l1\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l1\", \"--reps\", \"6000\"]},"
    " {\"name\": \"matmul-l2\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l2\", \"--reps\", \"150\"]},"
    " {\"name\": \"io\", \"program\": \"io\", \"args\": [\"--connections\", \"16\", "
    "\"--requests\", \"10000\"]},"
    " {\"name\": \"truth-split\", \"program\": \"truth\", \"args\": [\"--case\", \"split\", "
    "\"--seconds\", \"0.4\"]},"
    " {\"name\": \"truth-threads\", \"program\": \"truth\", \"args\": [\"--case\", \"threads\", "
    "\"--seconds\", \"0.4\"]}],"
    " \"samplers\": [\"itimer\", \"thread-timer\", \"perf-clock\", \"perf-cycles\", \"wall\"],"
    " \"max_rate_by_sampler\": {\"itimer\": 1000, \"thread-timer\": 1000},"
    " \"unwinders\": [\"empty\", \"fp\", \"libunwind\"],"
    " \"baselines\": [\"gperftools\", \"gperftools-thread\", \"perf-record\", \"go-pprof\"],"
    " \"rates\": [100, 1000, 4000, 8000], \"repetitions\": 6, \"warmup\": 1, \"seed\": 1,"
    " \"adaptive\": {\"precision\": 0.05, \"budget_s\": 3300, \"max_repetitions\": 60,"
    " \"targets\": [{\"rate\": 1000}, {\"rate\": 4000}, {\"rate\": 8000}]}}";

/* bias (issue 15): where samples land, not what they cost. The truth workloads whose
 * split is measured: syscalls (a cheap system call every 50 us: skid towards system-call
 * returns), the same with 2 extra busy threads on the workload's one CPU (saturated), and
 * periodic with a period of 1, 3 and 1.1 times the 1 kHz interval (lockstep); every
 * sampler that can, with fixed and jittered intervals, the wall sampler's no-interrupt
 * mode and wall-timer; frame pointers; 5 measured blocks. At most 15 minutes on 2 cores. */
static const char preset_bias[] =
    "{\"workloads\": ["
    " {\"name\": \"syscalls\", \"program\": \"truth\", \"args\": [\"--case\", \"syscalls\", "
    "\"--syscall-us\", \"50\", \"--seconds\", \"0.4\"]},"
    " {\"name\": \"syscalls-busy2\", \"program\": \"truth\", \"args\": [\"--case\", "
    "\"syscalls\", \"--syscall-us\", \"50\", \"--busy\", \"2\", \"--seconds\", \"0.4\"]},"
    " {\"name\": \"periodic-1x\", \"program\": \"truth\", \"args\": [\"--case\", \"periodic\", "
    "\"--period-us\", \"1000\", \"--seconds\", \"0.4\"]},"
    " {\"name\": \"periodic-3x\", \"program\": \"truth\", \"args\": [\"--case\", \"periodic\", "
    "\"--period-us\", \"3000\", \"--seconds\", \"0.4\"]},"
    " {\"name\": \"periodic-1.1x\", \"program\": \"truth\", \"args\": [\"--case\", "
    "\"periodic\", \"--period-us\", \"1100\", \"--seconds\", \"0.4\"]}],"
    " \"samplers\": [\"thread-timer\", \"perf-clock\", \"perf-clock+jitter=uniform\","
    " \"perf-clock+jitter=exp\", \"wall\", \"wall+jitter=uniform\", \"wall+no-interrupt\","
    " \"wall-timer\", \"wall-timer+jitter=uniform\"],"
    " \"unwinders\": [\"fp\"], \"rates\": [1000], \"repetitions\": 5, \"warmup\": 1,"
    " \"seed\": 1}";

/* budget (issue 15): does `--max-overhead 1%` keep its promise? matmul and io profiled in
 * budget mode (each trial calibrates, picks its rate, predicts its overhead) by perf-clock
 * and thread-timer, paired with unprofiled trials as every configuration; 12 measured
 * blocks. About 5 minutes on 2 cores. */
static const char preset_budget[] =
    "{\"workloads\": ["
    " {\"name\": \"matmul-l2\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l2\", \"--reps\", \"150\"]},"
    " {\"name\": \"io\", \"program\": \"io\", \"args\": [\"--connections\", \"16\", "
    "\"--requests\", \"10000\"]}],"
    " \"samplers\": [\"perf-clock\", \"thread-timer\"], \"unwinders\": [\"fp\"],"
    " \"max_overhead_pct\": [1], \"repetitions\": 12, \"warmup\": 1, \"seed\": 1}";

/* cachegrind: the full preset's question of cache misses per sample, on a machine without
 * a PMU: every trial under valgrind's cache simulator (slow: the work is cut down; the
 * simulation is deterministic enough that few repetitions do). */
static const char preset_cachegrind[] =
    "{\"workloads\": ["
    " {\"name\": \"matmul-l1\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l1\", \"--reps\", \"300\"]},"
    " {\"name\": \"matmul-l2\", \"program\": \"matmul\", \"args\": [\"--order\", \"ikj\", "
    "\"--fit\", \"l2\", \"--reps\", \"10\"]},"
    " {\"name\": \"io\", \"program\": \"io\", \"args\": [\"--connections\", \"16\", "
    "\"--requests\", \"1000\"]}],"
    " \"samplers\": [\"itimer\", \"thread-timer\", \"perf-clock\"],"
    " \"unwinders\": [\"none\", \"fp\", \"libunwind\"],"
    " \"rates\": [1000], \"repetitions\": 3, \"warmup\": 0, \"seed\": 1, \"cachegrind\": true}";

static const char *const programs[] = {"matmul", "io", "truth", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, n, __VA_ARGS__);                                                             \
        return -1;                                                                                 \
    } while (0)

/* The `valid` argument of parse_strings for samplers: checked by bench_sampler_parse. */
static const char *const bench_sampler_specs[] = {NULL};

static int parse_strings(cJSON *arr, const char *key, char **out, size_t *count,
                         const char *const *valid, char *err, size_t n)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > BENCH_MAX_ITEMS)
        FAIL("'%s' must be a list of 1..%d names", key, BENCH_MAX_ITEMS);
    *count = 0;
    for (cJSON *e = arr->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            FAIL("'%s' must hold strings", key);
        if (valid == bench_sampler_specs) { /* a sampler with its modifiers */
            struct bench_sampler spec;
            char why[200];
            if (bench_sampler_parse(e->valuestring, &spec, why, sizeof why) != 0)
                FAIL("'%s': %s", key, why);
        } else if (valid && !in_list(e->valuestring, valid)) {
            char names[256] = "";
            for (const char *const *v = valid; *v; v++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         names[0] ? ", " : "", *v);
            FAIL("'%s': unknown name '%s' (valid: %s)", key, e->valuestring, names);
        }
        out[(*count)++] = strdup(e->valuestring);
    }
    return 0;
}

static int parse_uint(cJSON *v, const char *key, double lo, double hi, double *out, char *err,
                      size_t n)
{
    /* The range first: a huge number must not reach the integer test (it would not fit
     * any integer type: found by fuzzing). */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi) ||
        v->valuedouble != floor(v->valuedouble))
        FAIL("'%s' must be an integer in %.0f..%.0f", key, lo, hi);
    *out = v->valuedouble;
    return 0;
}

static int parse_rates(cJSON *arr, struct bench_config *c, char *err, size_t n)
{
    /* Empty is allowed here: a budget-only run has none, and its config.json says "rates":
     * [] (--resume reads it); the config as a whole then needs budgets. */
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > BENCH_MAX_ITEMS)
        FAIL("'rates' must be a list of at most %d rates in Hz", BENCH_MAX_ITEMS);
    c->nrates = 0;
    for (cJSON *e = arr->child; e; e = e->next) {
        double v;
        if (parse_uint(e, "rates", 1, HZPROF_MAX_RATE_HZ, &v, err, n))
            return -1;
        c->rates[c->nrates++] = (unsigned)v;
    }
    return 0;
}

/* "max_overhead_pct": budgets in percent, as `hzprof record --max-overhead` takes them. */
static int parse_budgets(cJSON *arr, struct bench_config *c, char *err, size_t n)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > BENCH_MAX_ITEMS)
        FAIL("'max_overhead_pct' must be a list of 1..%d budgets in percent", BENCH_MAX_ITEMS);
    c->nbudgets = 0;
    for (cJSON *e = arr->child; e; e = e->next) {
        /* The range test also refuses NaN; 100 x the library's limit (a fraction). */
        if (!cJSON_IsNumber(e) ||
            !(e->valuedouble > 0 && e->valuedouble <= 100 * HZPROF_MAX_OVERHEAD_LIMIT))
            FAIL("'max_overhead_pct' must hold budgets in percent, above 0 and at most %.0f",
                 100 * HZPROF_MAX_OVERHEAD_LIMIT);
        for (size_t i = 0; i < c->nbudgets; i++)
            if (c->budgets_pct[i] == e->valuedouble)
                FAIL("'max_overhead_pct': %g is given twice", e->valuedouble);
        c->budgets_pct[c->nbudgets++] = e->valuedouble;
    }
    return 0;
}

static int parse_workloads(cJSON *arr, struct bench_config *c, char *err, size_t n)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > BENCH_MAX_ITEMS)
        FAIL("'workloads' must be a list of 1..%d objects", BENCH_MAX_ITEMS);
    c->nworkloads = 0;
    for (cJSON *w = arr->child; w; w = w->next) {
        if (!cJSON_IsObject(w))
            FAIL("'workloads' must hold objects {name, program, args}");
        struct bench_workload *bw = &c->workloads[c->nworkloads++];
        for (cJSON *f = w->child; f; f = f->next)
            if (strcmp(f->string, "name") && strcmp(f->string, "program") &&
                strcmp(f->string, "args"))
                FAIL("'workloads': unknown key '%s' (valid: name, program, args)", f->string);
        cJSON *name = cJSON_GetObjectItem(w, "name"), *prog = cJSON_GetObjectItem(w, "program");
        cJSON *args = cJSON_GetObjectItem(w, "args");
        const char *program = cJSON_GetStringValue(prog), *label = cJSON_GetStringValue(name);
        if (!program || !in_list(program, programs))
            FAIL("'workloads.program' must be one of matmul, io, truth (got %s)",
                 program ? program : "nothing");
        bw->program = strdup(program);
        bw->name = strdup(label ? label : program);
        for (size_t k = 0; k + 1 < c->nworkloads; k++)
            if (strcmp(c->workloads[k].name, bw->name) == 0)
                FAIL("'workloads.name': '%s' appears twice", bw->name);
        if (args) {
            if (!cJSON_IsArray(args) || cJSON_GetArraySize(args) > BENCH_MAX_ARGS)
                FAIL("'workloads.args' must be a list of at most %d strings", BENCH_MAX_ARGS);
            for (cJSON *a = args->child; a; a = a->next) {
                if (!cJSON_IsString(a))
                    FAIL("'workloads.args' must hold strings");
                if (strncmp(a->valuestring, "--sampler", 9) == 0 ||
                    strcmp(a->valuestring, "--hz") == 0 ||
                    strcmp(a->valuestring, "--max-overhead") == 0 ||
                    strcmp(a->valuestring, "--unwinder") == 0 ||
                    strcmp(a->valuestring, "--profile-out") == 0)
                    FAIL("'workloads.args': '%s' is set by the harness", a->valuestring);
                bw->args[bw->nargs++] = strdup(a->valuestring);
            }
        }
    }
    return 0;
}

static int parse_adaptive(cJSON *o, struct bench_config *c, char *err, size_t n)
{
    if (!cJSON_IsObject(o))
        FAIL("'adaptive' must be an object {precision, budget_s, max_repetitions, targets}");
    double v;
    c->max_repetitions = 50;
    for (cJSON *f = o->child; f; f = f->next) {
        const char *k = f->string;
        if (strcmp(k, "precision") == 0) {
            if (!cJSON_IsNumber(f) || !(f->valuedouble > 0) || f->valuedouble >= 1)
                FAIL("'adaptive.precision' must be a number in (0, 1), e.g. 0.15 for +-15%%");
            c->precision = f->valuedouble;
        } else if (strcmp(k, "budget_s") == 0) {
            if (parse_uint(f, "adaptive.budget_s", 1, 86400, &v, err, n))
                return -1;
            c->budget_s = (unsigned)v;
        } else if (strcmp(k, "max_repetitions") == 0) {
            if (parse_uint(f, "adaptive.max_repetitions", 1, 1000, &v, err, n))
                return -1;
            c->max_repetitions = (unsigned)v;
        } else if (strcmp(k, "targets") == 0) {
            if (!cJSON_IsArray(f) || cJSON_GetArraySize(f) > BENCH_MAX_ITEMS)
                FAIL("'adaptive.targets' must be a list of at most %d objects", BENCH_MAX_ITEMS);
            for (cJSON *t = f->child; t; t = t->next) {
                if (!cJSON_IsObject(t))
                    FAIL("'adaptive.targets' must hold objects {workload, sampler, unwinder, "
                         "rate}");
                struct bench_target *bt = &c->targets[c->ntargets++];
                for (cJSON *g = t->child; g; g = g->next) {
                    char **dest = strcmp(g->string, "workload") == 0   ? &bt->workload
                                  : strcmp(g->string, "sampler") == 0  ? &bt->sampler
                                  : strcmp(g->string, "unwinder") == 0 ? &bt->unwinder
                                                                       : NULL;
                    if (dest && cJSON_IsString(g) && !*dest) {
                        *dest = strdup(g->valuestring);
                    } else if (strcmp(g->string, "rate") == 0) {
                        if (parse_uint(g, "adaptive.targets.rate", 1, HZPROF_MAX_RATE_HZ, &v, err,
                                       n))
                            return -1;
                        bt->rate = (unsigned)v;
                    } else {
                        FAIL("'adaptive.targets': bad key '%s' (valid: workload, sampler, "
                             "unwinder, rate, each once)",
                             g->string);
                    }
                }
            }
        } else {
            FAIL("'adaptive': unknown key '%s' (valid: precision, budget_s, max_repetitions, "
                 "targets)",
                 k);
        }
    }
    if (c->precision <= 0 || !c->budget_s)
        FAIL("'adaptive' needs 'precision' and 'budget_s'");
    return 0;
}

bool bench_config_runs(const struct bench_config *c, size_t sampler, unsigned rate)
{
    return !c->sampler_max_rate[sampler] || rate <= c->sampler_max_rate[sampler];
}

/* "max_rate_by_sampler": {name: Hz}; after "samplers" is known (checked at the end). */
static int parse_max_rates(cJSON *o, struct bench_config *c, char *err, size_t n)
{
    if (!cJSON_IsObject(o))
        FAIL("'max_rate_by_sampler' must be an object {sampler: Hz}");
    for (cJSON *f = o->child; f; f = f->next) {
        size_t i = 0;
        while (i < c->nsamplers && strcmp(c->samplers[i], f->string) != 0)
            i++;
        if (i == c->nsamplers)
            FAIL("'max_rate_by_sampler': '%s' is not one of the config's samplers", f->string);
        double v;
        if (parse_uint(f, "max_rate_by_sampler", 1, HZPROF_MAX_RATE_HZ, &v, err, n))
            return -1;
        c->sampler_max_rate[i] = (unsigned)v;
    }
    return 0;
}

bool bench_config_is_target(const struct bench_config *c, const char *workload, const char *sampler,
                            const char *unwinder, unsigned rate)
{
    if (!sampler || !rate)
        return false;
    if (!c->ntargets)
        return true;
    for (size_t i = 0; i < c->ntargets; i++) {
        const struct bench_target *t = &c->targets[i];
        if ((!t->workload || strcmp(t->workload, workload) == 0) &&
            (!t->sampler || strcmp(t->sampler, sampler) == 0) &&
            (!t->unwinder || strcmp(t->unwinder, unwinder) == 0) && (!t->rate || t->rate == rate))
            return true;
    }
    return false;
}

int bench_config_parse(const char *json, struct bench_config *c, char *err, size_t n)
{
    memset(c, 0, sizeof *c);
    c->repetitions = 5;
    c->warmup = 1;
    c->seed = 1;
    c->trial_timeout_s = 300;
    cJSON *doc = cJSON_Parse(json);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        FAIL("not a JSON object (syntax error near: %.30s)",
             cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
    }
    int rc = 0;
    double v = 0;
    cJSON *max_rates = NULL;
    for (cJSON *f = doc->child; f && rc == 0; f = f->next) {
        const char *k = f->string;
        /* A key given twice would be parsed twice, the first value lost (and leaked:
         * found by fuzzing): JSON allows it, a configuration does not. */
        for (cJSON *g = doc->child; g != f && rc == 0; g = g->next)
            if (strcmp(g->string, k) == 0) {
                snprintf(err, n, "'%s' is given twice", k);
                rc = -1;
            }
        if (rc)
            break;
        if (strcmp(k, "max_rate_by_sampler") == 0)
            max_rates = f; /* needs the samplers: parsed below */
        else if (strcmp(k, "workloads") == 0)
            rc = parse_workloads(f, c, err, n);
        else if (strcmp(k, "samplers") == 0)
            rc = parse_strings(f, k, c->samplers, &c->nsamplers, bench_sampler_specs, err, n);
        else if (strcmp(k, "unwinders") == 0)
            rc = parse_strings(f, k, c->unwinders, &c->nunwinders, hzprof_unwinder_names(), err, n);
        else if (strcmp(k, "rates") == 0)
            rc = parse_rates(f, c, err, n);
        else if (strcmp(k, "max_overhead_pct") == 0)
            rc = parse_budgets(f, c, err, n);
        else if (strcmp(k, "baselines") == 0)
            rc = parse_strings(f, k, c->baselines, &c->nbaselines, baseline_names(), err, n);
        else if (strcmp(k, "repetitions") == 0)
            rc = parse_uint(f, k, 1, 1000, &v, err, n), c->repetitions = (unsigned)v;
        else if (strcmp(k, "warmup") == 0)
            rc = parse_uint(f, k, 0, 100, &v, err, n), c->warmup = (unsigned)v;
        else if (strcmp(k, "seed") == 0)
            rc = parse_uint(f, k, 0, 9007199254740991.0, &v, err, n),
            c->seed = (unsigned long long)v;
        else if (strcmp(k, "trial_timeout_s") == 0)
            rc = parse_uint(f, k, 1, 86400, &v, err, n), c->trial_timeout_s = (unsigned)v;
        else if (strcmp(k, "adaptive") == 0)
            rc = parse_adaptive(f, c, err, n);
        else if (strcmp(k, "cachegrind") == 0) {
            if (!cJSON_IsBool(f))
                snprintf(err, n, "'cachegrind' must be true or false"), rc = -1;
            c->cachegrind = cJSON_IsTrue(f);
        } else {
            snprintf(err, n,
                     "unknown key '%s' (valid: workloads, samplers, unwinders, baselines, rates, "
                     "repetitions, warmup, seed, trial_timeout_s, cachegrind, adaptive, "
                     "max_rate_by_sampler, max_overhead_pct)",
                     k);
            rc = -1;
        }
    }
    if (rc == 0 && max_rates)
        rc = parse_max_rates(max_rates, c, err, n);
    cJSON_Delete(doc);
    if (rc == 0 &&
        (!c->nworkloads || !c->nsamplers || !c->nunwinders || (!c->nrates && !c->nbudgets))) {
        snprintf(err, n, "%s is required",
                 !c->nworkloads   ? "'workloads'"
                 : !c->nsamplers  ? "'samplers'"
                 : !c->nunwinders ? "'unwinders'"
                                  : "'rates' (or 'max_overhead_pct')");
        rc = -1;
    }
    if (rc)
        bench_config_free(c);
    return rc;
}

int bench_config_load(const char *what, struct bench_config *c, char *err, size_t n)
{
    if (strcmp(what, "quick") == 0)
        return bench_config_parse(preset_quick, c, err, n);
    if (strcmp(what, "full") == 0)
        return bench_config_parse(preset_full, c, err, n);
    if (strcmp(what, "cachegrind") == 0)
        return bench_config_parse(preset_cachegrind, c, err, n);
    if (strcmp(what, "bias") == 0)
        return bench_config_parse(preset_bias, c, err, n);
    if (strcmp(what, "budget") == 0)
        return bench_config_parse(preset_budget, c, err, n);
    char *text = read_file(what, NULL);
    if (!text)
        FAIL("'%s' is neither a preset (quick, full, cachegrind, bias, budget) nor a readable "
             "file: %s",
             what, strerror(errno));
    char inner[400];
    int rc = bench_config_parse(text, c, inner, sizeof inner);
    free(text);
    if (rc)
        snprintf(err, n, "%s: %s", what, inner);
    return rc;
}

static void free_list(char **list, size_t *count)
{
    for (size_t i = 0; i < *count; i++)
        free(list[i]);
    *count = 0;
}

int bench_config_override(struct bench_config *c, const char *key, const char *value, char *err,
                          size_t n)
{
    /* Turn "a,b,c" into a JSON array, item by item (no text is pasted into JSON, so no
     * value can be more than one item), and reuse the strict parsers. */
    const bool numbers = strcmp(key, "rates") == 0;
    const bool list = numbers || strcmp(key, "samplers") == 0 || strcmp(key, "unwinders") == 0 ||
                      strcmp(key, "baselines") == 0 || strcmp(key, "workloads") == 0;
    cJSON *arr = list ? cJSON_CreateArray() : NULL;
    for (const char *p = value; list;) {
        const size_t len = strcspn(p, ",");
        char tok[64];
        if (len == 0 || len >= sizeof tok) {
            snprintf(err, n, "'%s': %s in '%.60s%s'", value,
                     len ? "a name too long" : "an empty item", value,
                     strlen(value) > 60 ? "..." : "");
            cJSON_Delete(arr);
            return -1;
        }
        memcpy(tok, p, len);
        tok[len] = '\0';
        if (numbers && strspn(tok, "0123456789") != len) {
            snprintf(err, n, "'%s' is not an integer rate in Hz", tok);
            cJSON_Delete(arr);
            return -1;
        }
        for (cJSON *e = arr->child; e; e = e->next)
            if (numbers ? e->valuedouble == strtod(tok, NULL) : strcmp(e->valuestring, tok) == 0) {
                snprintf(err, n, "'%s' is given twice", tok);
                cJSON_Delete(arr);
                return -1;
            }
        cJSON_AddItemToArray(arr, numbers ? cJSON_CreateNumber(strtod(tok, NULL))
                                          : cJSON_CreateString(tok));
        if (!p[len])
            break;
        p += len + 1;
    }
    int rc = 0;
    double v = 0;
    if (strcmp(key, "samplers") == 0) {
        /* Caps follow the names into the new list. */
        unsigned caps[BENCH_MAX_ITEMS] = {0};
        size_t k = 0;
        for (cJSON *e = arr->child; e && k < BENCH_MAX_ITEMS; e = e->next, k++)
            for (size_t i = 0; i < c->nsamplers; i++)
                if (strcmp(c->samplers[i], e->valuestring) == 0)
                    caps[k] = c->sampler_max_rate[i];
        memcpy(c->sampler_max_rate, caps, sizeof caps);
        free_list(c->samplers, &c->nsamplers);
        rc = parse_strings(arr, key, c->samplers, &c->nsamplers, bench_sampler_specs, err, n);
    } else if (strcmp(key, "unwinders") == 0) {
        free_list(c->unwinders, &c->nunwinders);
        rc = parse_strings(arr, key, c->unwinders, &c->nunwinders, hzprof_unwinder_names(), err, n);
    } else if (strcmp(key, "baselines") == 0) {
        free_list(c->baselines, &c->nbaselines);
        rc = parse_strings(arr, key, c->baselines, &c->nbaselines, baseline_names(), err, n);
    } else if (strcmp(key, "rates") == 0) {
        rc = parse_rates(arr, c, err, n);
    } else if (strcmp(key, "workloads") == 0) {
        /* Keep only the named workloads, in the config's order. */
        struct bench_config keep = *c;
        size_t k = 0;
        for (cJSON *e = arr ? arr->child : NULL; e; e = e->next) {
            size_t i = 0;
            while (i < c->nworkloads && strcmp(c->workloads[i].name, e->valuestring))
                i++;
            if (i == c->nworkloads) {
                snprintf(err, n, "unknown workload '%s'", e->valuestring);
                rc = -1;
                break;
            }
            keep.workloads[k++] = c->workloads[i];
        }
        if (rc == 0) {
            for (size_t i = 0; i < c->nworkloads; i++) { /* free the ones not kept */
                bool kept = false;
                for (size_t j = 0; j < k; j++)
                    kept |= keep.workloads[j].name == c->workloads[i].name;
                if (!kept) {
                    free(c->workloads[i].name);
                    free(c->workloads[i].program);
                    for (size_t a = 0; a < c->workloads[i].nargs; a++)
                        free(c->workloads[i].args[a]);
                }
            }
            memcpy(c->workloads, keep.workloads, sizeof keep.workloads);
            c->nworkloads = k;
        }
    } else {
        cJSON *num = cJSON_Parse(value);
        if (strcmp(key, "repetitions") == 0)
            rc = parse_uint(num, key, 1, 1000, &v, err, n), c->repetitions = (unsigned)v;
        else if (strcmp(key, "warmup") == 0)
            rc = parse_uint(num, key, 0, 100, &v, err, n), c->warmup = (unsigned)v;
        else if (strcmp(key, "seed") == 0)
            rc = parse_uint(num, key, 0, 9007199254740991.0, &v, err, n),
            c->seed = (unsigned long long)v;
        else
            snprintf(err, n, "unknown setting '%s'", key), rc = -1;
        cJSON_Delete(num);
    }
    cJSON_Delete(arr);
    return rc;
}

cJSON *bench_config_to_json(const struct bench_config *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *ws = cJSON_AddArrayToObject(o, "workloads");
    for (size_t i = 0; i < c->nworkloads; i++) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "name", c->workloads[i].name);
        cJSON_AddStringToObject(w, "program", c->workloads[i].program);
        cJSON_AddItemToObject(w, "args",
                              cJSON_CreateStringArray((const char *const *)c->workloads[i].args,
                                                      (int)c->workloads[i].nargs));
        cJSON_AddItemToArray(ws, w);
    }
    cJSON_AddItemToObject(
        o, "samplers",
        cJSON_CreateStringArray((const char *const *)c->samplers, (int)c->nsamplers));
    cJSON_AddItemToObject(
        o, "unwinders",
        cJSON_CreateStringArray((const char *const *)c->unwinders, (int)c->nunwinders));
    if (c->nbaselines)
        cJSON_AddItemToObject(
            o, "baselines",
            cJSON_CreateStringArray((const char *const *)c->baselines, (int)c->nbaselines));
    /* Always written, empty in a budget-only run (results.json's readers expect it). */
    cJSON *rates = cJSON_AddArrayToObject(o, "rates");
    for (size_t i = 0; i < c->nrates; i++)
        cJSON_AddItemToArray(rates, cJSON_CreateNumber(c->rates[i]));
    if (c->nbudgets) {
        cJSON *b = cJSON_AddArrayToObject(o, "max_overhead_pct");
        for (size_t i = 0; i < c->nbudgets; i++)
            cJSON_AddItemToArray(b, cJSON_CreateNumber(c->budgets_pct[i]));
    }
    cJSON_AddNumberToObject(o, "repetitions", c->repetitions);
    cJSON_AddNumberToObject(o, "warmup", c->warmup);
    cJSON_AddNumberToObject(o, "seed", (double)c->seed);
    cJSON_AddNumberToObject(o, "trial_timeout_s", c->trial_timeout_s);
    cJSON_AddBoolToObject(o, "cachegrind", c->cachegrind);
    cJSON *caps = NULL;
    for (size_t i = 0; i < c->nsamplers; i++)
        if (c->sampler_max_rate[i]) {
            if (!caps)
                caps = cJSON_AddObjectToObject(o, "max_rate_by_sampler");
            cJSON_AddNumberToObject(caps, c->samplers[i], c->sampler_max_rate[i]);
        }
    if (c->precision > 0) {
        cJSON *a = cJSON_AddObjectToObject(o, "adaptive");
        cJSON_AddNumberToObject(a, "precision", c->precision);
        cJSON_AddNumberToObject(a, "budget_s", c->budget_s);
        cJSON_AddNumberToObject(a, "max_repetitions", c->max_repetitions);
        cJSON *ts = cJSON_AddArrayToObject(a, "targets");
        for (size_t i = 0; i < c->ntargets; i++) {
            cJSON *t = cJSON_CreateObject();
            if (c->targets[i].workload)
                cJSON_AddStringToObject(t, "workload", c->targets[i].workload);
            if (c->targets[i].sampler)
                cJSON_AddStringToObject(t, "sampler", c->targets[i].sampler);
            if (c->targets[i].unwinder)
                cJSON_AddStringToObject(t, "unwinder", c->targets[i].unwinder);
            if (c->targets[i].rate)
                cJSON_AddNumberToObject(t, "rate", c->targets[i].rate);
            cJSON_AddItemToArray(ts, t);
        }
    }
    return o;
}

void bench_config_free(struct bench_config *c)
{
    for (size_t i = 0; i < c->nworkloads; i++) {
        free(c->workloads[i].name);
        free(c->workloads[i].program);
        for (size_t k = 0; k < c->workloads[i].nargs; k++)
            free(c->workloads[i].args[k]);
    }
    for (size_t i = 0; i < c->nsamplers; i++)
        free(c->samplers[i]);
    for (size_t i = 0; i < c->nunwinders; i++)
        free(c->unwinders[i]);
    for (size_t i = 0; i < c->nbaselines; i++)
        free(c->baselines[i]);
    for (size_t i = 0; i < c->ntargets; i++) {
        free(c->targets[i].workload);
        free(c->targets[i].sampler);
        free(c->targets[i].unwinder);
    }
    memset(c, 0, sizeof *c);
}
