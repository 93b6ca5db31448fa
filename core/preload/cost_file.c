/* cost_file.c — see cost_file.h. */
#define _GNU_SOURCE
#include "cost_file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COST_FILE_MAX (16u << 20) /* far above what hzprof cost writes */

static char *slurp(const char *path, char *err, size_t n)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, n, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *grown = cap <= COST_FILE_MAX ? realloc(buf, cap) : NULL;
            if (!grown) {
                snprintf(err, n, "'%s' is too large for a cost file", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        const size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    const int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, n, "cannot read '%s'", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A finite number field, or def when absent or not one. */
static double number(const cJSON *o, const char *k, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && v->valuedouble == v->valuedouble && v->valuedouble < 1e300 &&
                   v->valuedouble > -1e300
               ? v->valuedouble
               : def;
}

int cost_file_read(const char *path, const char *sampler, const char *unwinder,
                   struct hzprof_calibration *out, char *err, size_t n)
{
    char *text = slurp(path, err, n);
    if (!text)
        return -1;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    const char *schema = str(doc, "schema");
    int rc = -1;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "calibrated");
    if (!schema || strcmp(schema, "hzprof.cost/1") != 0) {
        snprintf(err, n, "'%s' is not a file of `hzprof cost --json` (schema hzprof.cost/1)", path);
    } else if (!cJSON_IsArray(rows)) {
        snprintf(err, n,
                 "'%s' has no cost per sample usable for budget mode: its figures per sampler "
                 "(samplers[].handler_ns_mean) are the time inside the handler only, without the "
                 "timer interrupt and signal delivery that make most of a sample's cost; write "
                 "one with this hzprof's `hzprof cost --json FILE`, or leave the cost file out "
                 "to calibrate",
                 path);
    } else {
        char have[256] = "";
        const cJSON *row;
        cJSON_ArrayForEach(row, rows)
        {
            const char *s = str(row, "sampler"), *u = str(row, "unwinder");
            if (!s)
                continue;
            if (strcmp(s, sampler) == 0 && str(row, "unavailable")) {
                snprintf(err, n,
                         "'%s': the %s sampler was unavailable where it was written: %.200s", path,
                         sampler, str(row, "unavailable"));
                break;
            }
            if (!u)
                continue;
            const double cost = number(row, "cost_ns", 0);
            if (strcmp(s, sampler) == 0 && strcmp(u, unwinder) == 0) {
                if (!(cost > 0 && cost < 1e12)) {
                    snprintf(err, n, "'%s': the cost_ns of %s/%s is not a positive number", path,
                             sampler, unwinder);
                    break;
                }
                memset(out, 0, sizeof *out);
                out->cost_ns = cost;
                out->handler_ns = number(row, "handler_ns", 0);
                out->achieved_hz = number(row, "achieved_hz", 0);
                const double ceiling = number(row, "ceiling_hz", 0);
                out->ceiling_hz = ceiling > 0 && ceiling < 1e12 ? ceiling : 0;
                const double test = number(row, "test_rate_hz", 0);
                out->test_rate_hz = test > 0 && test < 1e9 ? (unsigned)test : 0;
                const double pairs = number(row, "pairs", 0);
                out->pairs = pairs > 0 && pairs < 1e9 ? (unsigned)pairs : 0;
                rc = 0;
                break;
            }
            if (cost > 0 && strlen(have) + strlen(s) + strlen(u) + 4 < sizeof have)
                snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s/%s",
                         have[0] ? ", " : "", s, u);
        }
        if (rc != 0 && !row)
            snprintf(err, n,
                     "'%s' has no calibrated cost for %s/%s (it has: %s); write one with "
                     "`hzprof cost --json FILE`, or leave the cost file out to calibrate",
                     path, sampler, unwinder, have[0] ? have : "none");
    }
    cJSON_Delete(doc);
    return rc;
}
