/* json_path.h — reading results and trial records in the harness: a field two or three
 * levels down (NULL where any level is missing), and a number (NAN when absent or not a
 * number, as results write missing values). */
#ifndef HZPROF_HARNESS_JSON_PATH_H
#define HZPROF_HARNESS_JSON_PATH_H

#include <cjson/cJSON.h>
#include <math.h>

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

#endif
