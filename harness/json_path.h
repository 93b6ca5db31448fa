/* json_path.h — reading results and trial records (the harness, and viz above it): a
 * field two or three levels down (NULL where any level is missing), a number (NAN when
 * absent or not a number, as results write missing values), and an estimate as text. */
#ifndef HZPROF_HARNESS_JSON_PATH_H
#define HZPROF_HARNESS_JSON_PATH_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static inline cJSON *get(cJSON *o, const char *a, const char *b, const char *c)
{
    cJSON *x = cJSON_GetObjectItem(o, a);
    if (b)
        x = cJSON_GetObjectItem(x, b);
    if (c)
        x = cJSON_GetObjectItem(x, c);
    return x;
}

/* cJSON_GetNumberValue, with <math.h>'s NAN for a missing or non-number value: cJSON's own
 * NaN has its sign bit set (it divides 0.0 by 0.0), which printf would write as "-nan". */
static inline double num(cJSON *x)
{
    const double v = cJSON_GetNumberValue(x);
    return isnan(v) ? NAN : v;
}

/* An estimate {value, lo, hi} as "v [lo, hi]", each printed with fmt: the value alone when
 * lo or hi is not a finite number, and `missing` when the value is not (NULL: the value
 * printed all the same). The one formatter of intervals for summary.md, the bias table
 * and the paper's numbers. */
static inline void estimate_text(char *buf, size_t n, cJSON *e, const char *fmt,
                                 const char *missing)
{
    const double v = num(cJSON_GetObjectItem(e, "value")), lo = num(cJSON_GetObjectItem(e, "lo")),
                 hi = num(cJSON_GetObjectItem(e, "hi"));
    char a[48], b[48], c[48], out[160];
    snprintf(a, sizeof a, fmt, v);
    snprintf(b, sizeof b, fmt, lo);
    snprintf(c, sizeof c, fmt, hi);
    if (!isfinite(v) && missing)
        snprintf(out, sizeof out, "%s", missing);
    else if (!isfinite(lo) || !isfinite(hi))
        snprintf(out, sizeof out, "%s", a);
    else
        snprintf(out, sizeof out, "%s [%s, %s]", a, b, c);
    if (n == 0)
        return;
    size_t len = strlen(out); /* a cell too short truncates the text */
    if (len >= n)
        len = n - 1;
    memcpy(buf, out, len);
    buf[len] = '\0';
}

#endif
