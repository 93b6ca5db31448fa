/* json_fields.h — reading one field of a results.json object, for the viz modules: a
 * string (NULL when absent or not a string) or a number (NAN when absent or null, as
 * results write missing values). */
#ifndef HZPROF_VIZ_JSON_FIELDS_H
#define HZPROF_VIZ_JSON_FIELDS_H

#include <cjson/cJSON.h>
#include <math.h>

static inline const char *field_str(cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
}

/* cJSON_GetNumberValue, with <math.h>'s NAN for a missing or non-number value: cJSON's own
 * NaN has its sign bit set (it divides 0.0 by 0.0), which printf would write as "-nan". */
static inline double field_num(cJSON *o, const char *k)
{
    const double v = cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
    return isnan(v) ? NAN : v;
}

/* A summary configuration that ran and never succeeded: results.json gives it "failed"
 * (the first error) and n 0, and no "unavailable" (unavailable by design is expected). */
static inline int field_config_failed(cJSON *c)
{
    return field_num(c, "n") == 0 && field_str(c, "failed") && !field_str(c, "unavailable");
}

#endif
