/* results_load.c — see results_load.h. The schema is a table per object: each field's
 * name, type and whether it must be there; objects and arrays of objects nest. */
#include "results_load.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_summary.h"
#include "text_file.h"

enum kind {
    STRING,
    NUMBER,
    BOOL,
    STRING_OR_NULL,
    NUMBER_OR_NULL,
    OBJECT,    /* checked with sub when given, else any object */
    OBJECTS,   /* an array of objects, each checked with sub */
    STRINGS,   /* an array of strings */
    NUMBERS,   /* an array of numbers */
    ANY_ARRAY, /* an array of anything */
};

struct field {
    const char *name; /* NULL ends a table */
    enum kind kind;
    bool required;
    const struct field *sub;
};

#define END                                                                                        \
    {                                                                                              \
        NULL, STRING, false, NULL                                                                  \
    }

/* {value, lo, hi}: null where a figure could not be computed. */
static const struct field estimate[] = {
    {"value", NUMBER_OR_NULL, true, NULL},
    {"lo", NUMBER_OR_NULL, false, NULL},
    {"hi", NUMBER_OR_NULL, false, NULL},
    END,
};

static const struct field machine[] = {
    {"host", STRING_OR_NULL, true, NULL},
    {"cpu_model", STRING_OR_NULL, true, NULL},
    {"cores_online", NUMBER_OR_NULL, true, NULL},
    {"kernel", STRING_OR_NULL, true, NULL},
    {"config_hz", NUMBER_OR_NULL, true, NULL},
    {"caches_bytes", OBJECT, false, NULL},
    END,
};

static const struct field build[] = {
    {"hzprof_version", STRING, true, NULL},
    {"git_commit", STRING, true, NULL},
    {"compiler_version", STRING, true, NULL},
    END,
};

static const struct field workload[] = {
    {"name", STRING, true, NULL},
    {"program", STRING, true, NULL},
    {"args", STRINGS, false, NULL},
    END,
};

static const struct field config[] = {
    {"workloads", OBJECTS, true, workload},
    {"samplers", STRINGS, true, NULL},
    {"unwinders", STRINGS, true, NULL},
    {"baselines", STRINGS, false, NULL},
    {"rates", NUMBERS, true, NULL},
    {"repetitions", NUMBER, true, NULL},
    {"warmup", NUMBER, true, NULL},
    {"max_overhead_pct", NUMBERS, false, NULL},
    END,
};

static const struct field paired[] = {
    {"pairs", NUMBER, true, NULL},
    {"achieved_hz", NUMBER_OR_NULL, false, NULL},
    {"cpu_overhead", OBJECT, true, estimate},
    {"throughput_overhead", OBJECT, true, estimate},
    {"cost_per_sample_us", OBJECT, false, estimate},
    {"handler_us_per_sample", OBJECT, false, estimate},
    {"resolved", BOOL, true, NULL},
    {"text", STRING, true, NULL},
    {"cost_text", STRING, true, NULL},
    END,
};

static const struct field row[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING_OR_NULL, true, NULL},
    {"unwinder", STRING_OR_NULL, true, NULL},
    {"rate", NUMBER, true, NULL},
    {"n", NUMBER, true, NULL},
    {"throughput", OBJECT, false, estimate},
    {"overhead", OBJECT, false, estimate},
    {"achieved_hz_median", NUMBER_OR_NULL, false, NULL},
    {"paired", OBJECT, false, paired},
    {"unavailable", STRING, false, NULL},
    {"failed", STRING, false, NULL},
    END,
};

static const struct field cost_row[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"cost_per_sample", OBJECT, true, estimate},
    {"cost_per_sample_process_tree", OBJECT, false, estimate},
    END,
};

static const struct field aa[] = {
    {"workload", STRING, true, NULL},
    {"pairs", NUMBER, true, NULL},
    {"cpu_ratio", OBJECT, true, estimate},
    {"mde_pct", NUMBER_OR_NULL, true, NULL},
    {"trial_seconds_median", NUMBER_OR_NULL, false, NULL},
    END,
};

static const struct field layer[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"rate", NUMBER, true, NULL},
    {"total_us", OBJECT, true, estimate},
    {"platform_us", OBJECT, true, estimate},
    {"handler_us", OBJECT, true, estimate},
    {"rest_us", OBJECT, true, estimate},
    END,
};

static const struct field dose_point[] = {
    {"rate", NUMBER, true, NULL},
    {"achieved", BOOL, true, NULL},
    {"cost_text", STRING, true, NULL},
    {"cost_us", OBJECT, false, estimate},
    END,
};

static const struct field dose[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"points", OBJECTS, true, dose_point},
    {"nonlinear", BOOL, true, NULL},
    {"note", STRING, false, NULL},
    END,
};

static const struct field figure[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"rate", NUMBER, true, NULL},
    {"pairs", NUMBER, true, NULL},
    {"cost_text", STRING, true, NULL},
    {"met", BOOL, true, NULL},
    {"half_width_pct", NUMBER_OR_NULL, false, NULL},
    END,
};

static const struct field precision[] = {
    {"target_pct", NUMBER, true, NULL},
    {"figures", OBJECTS, true, figure},
    {"met", NUMBER, true, NULL},
    {"total", NUMBER, true, NULL},
    END,
};

static const struct field bias_row[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"rate", NUMBER, true, NULL},
    {"n", NUMBER, true, NULL},
    {"case", STRING, true, NULL},
    {"busy", NUMBER, true, NULL},
    {"period_over_interval", NUMBER, false, NULL},
    {"syscall_us", NUMBER, false, NULL},
    {"achieved_hz_median", NUMBER_OR_NULL, true, NULL},
    {"attribution_error_pts", OBJECT, true, estimate},
    {"skid_pts", OBJECT, false, estimate},
    {"syscall_site_pct_median", NUMBER_OR_NULL, false, NULL},
    {"syscall_site_truth_pct_median", NUMBER_OR_NULL, false, NULL},
    END,
};

/* Budget mode (bench_budget.h). */
static const struct field budget_row[] = {
    {"workload", STRING, true, NULL},
    {"sampler", STRING, true, NULL},
    {"unwinder", STRING, true, NULL},
    {"max_overhead_pct", NUMBER, true, NULL},
    {"n", NUMBER, true, NULL},
    {"chosen_rate_hz", NUMBER_OR_NULL, false, NULL},
    {"achieved_hz", NUMBER_OR_NULL, false, NULL},
    {"predicted_overhead_pct", NUMBER_OR_NULL, false, NULL},
    {"cost_us_per_sample", NUMBER_OR_NULL, false, NULL},
    {"paired", OBJECT, false, paired},
    {"verdict", STRING, true, NULL},
    {"over_budget", BOOL, false, NULL},
    {"unavailable", STRING, false, NULL},
    {"failed", STRING, false, NULL},
    END,
};

static const struct field summary[] = {
    {"configs", OBJECTS, true, row},
    {"cost_per_sample", OBJECTS, true, cost_row},
    {"aa", OBJECTS, false, aa},
    {"pinning", OBJECT, false, NULL},
    {"layers", OBJECTS, false, layer},
    {"dose", OBJECTS, false, dose},
    {"precision", OBJECT, false, precision},
    {"bias", OBJECTS, false, bias_row},
    {"budget", OBJECTS, false, budget_row},
    END,
};

static const struct field top[] = {
    {"schema_version", NUMBER, true, NULL},
    {"created", STRING, true, NULL},
    {"machine", OBJECT, true, machine},
    {"build", OBJECT, true, build},
    {"trials_build", OBJECT, false, build},
    {"config", OBJECT, true, config},
    {"counters_unavailable", OBJECT, false, NULL},
    {"summary", OBJECT, true, summary},
    {"trials", OBJECTS, true, NULL},
    END,
};

static const char *const kind_names[] = {
    [STRING] = "a string",
    [NUMBER] = "a number",
    [BOOL] = "true or false",
    [STRING_OR_NULL] = "a string or null",
    [NUMBER_OR_NULL] = "a number or null",
    [OBJECT] = "an object",
    [OBJECTS] = "an array of objects",
    [STRINGS] = "an array of strings",
    [NUMBERS] = "an array of numbers",
    [ANY_ARRAY] = "an array",
};

static bool array_of(cJSON *v, cJSON_bool (*is)(const cJSON *const))
{
    if (!cJSON_IsArray(v))
        return false;
    for (cJSON *e = v->child; e; e = e->next)
        if (!is(e))
            return false;
    return true;
}

static bool kind_is(cJSON *v, enum kind k)
{
    switch (k) {
    case STRING: return cJSON_IsString(v);
    case NUMBER: return isfinite(cJSON_GetNumberValue(v)); /* NaN when not a number */
    case BOOL: return cJSON_IsBool(v);
    case STRING_OR_NULL: return cJSON_IsString(v) || cJSON_IsNull(v);
    case NUMBER_OR_NULL: return isfinite(cJSON_GetNumberValue(v)) || cJSON_IsNull(v);
    case OBJECT: return cJSON_IsObject(v);
    case OBJECTS: return array_of(v, cJSON_IsObject);
    case STRINGS: return array_of(v, cJSON_IsString);
    case NUMBERS: return array_of(v, cJSON_IsNumber);
    case ANY_ARRAY: return cJSON_IsArray(v);
    }
    return false;
}

static int check_object(cJSON *o, const struct field *fields, const char *where, char *err,
                        size_t n)
{
    for (const struct field *f = fields; f->name; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", f->name);
        cJSON *v = cJSON_GetObjectItem(o, f->name);
        if (!v) {
            if (!f->required)
                continue;
            snprintf(err, n, "%s: missing", path);
            return -1;
        }
        if (!kind_is(v, f->kind)) {
            snprintf(err, n, "%s: expected %s", path, kind_names[f->kind]);
            return -1;
        }
        if (!f->sub)
            continue;
        if (f->kind == OBJECT && check_object(v, f->sub, path, err, n) != 0)
            return -1;
        if (f->kind == OBJECTS) {
            int i = 0;
            for (cJSON *e = v->child; e; e = e->next, i++) {
                char item[600];
                snprintf(item, sizeof item, "%s[%d]", path, i);
                if (check_object(e, f->sub, item, err, n) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

int results_check(cJSON *doc, char *err, size_t n)
{
    if (!cJSON_IsObject(doc)) {
        snprintf(err, n, "not a JSON object");
        return -1;
    }
    cJSON *v = cJSON_GetObjectItem(doc, "schema_version");
    const double version = cJSON_GetNumberValue(v); /* any double; NaN: not a number */
    if (cJSON_IsNumber(v) && version != BENCH_SCHEMA_VERSION) {
        snprintf(err, n, "schema_version %g: this hzprof reads version %d (results from %s hzprof)",
                 version, BENCH_SCHEMA_VERSION,
                 version > BENCH_SCHEMA_VERSION ? "a newer" : "an older");
        return -1;
    }
    if (!cJSON_GetObjectItem(doc, "summary") && !cJSON_GetObjectItem(doc, "schema_version")) {
        snprintf(err, n, "not a results.json of hzprof bench (no schema_version, no summary)");
        return -1;
    }
    return check_object(doc, top, "", err, n);
}

cJSON *results_load(const char *arg, char *path, size_t path_n, char *err, size_t n)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, path_n, "%s/results.json", arg);
    else
        snprintf(path, path_n, "%s", arg);
    char *text = read_file(path, NULL);
    if (!text) {
        snprintf(err, n, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    cJSON *doc = cJSON_Parse(text);
    free(text);
    char why[512];
    if (!doc) {
        snprintf(err, n, "'%s' is not JSON", path);
        return NULL;
    }
    if (results_check(doc, why, sizeof why) != 0) {
        snprintf(err, n, "'%s': %s", path, why);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}
