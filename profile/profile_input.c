/* profile_input.c — see profile_input.h. */
#include "profile_input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded_parse.h"
#include "pprof_decode.h"
#include "text_file.h"

int profile_load(const char *path, struct pp_profile *p, char *err, size_t err_size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t len = 0;
    uint8_t *data = (uint8_t *)read_stream(f, &len);
    int e = errno;
    if (f != stdin)
        fclose(f);
    int rc;
    if (!data) {
        snprintf(err, err_size, "cannot read '%s': %s", path, strerror(e));
        return -1;
    }
    char why[256];
    if (pprof_is_gzip(data, len))
        rc = pprof_decode(data, len, p, why, sizeof why);
    else
        rc = folded_parse((const char *)data, len, p, why, sizeof why);
    free(data);
    if (rc != 0)
        snprintf(err, err_size, "'%s': %s", path, why);
    return rc;
}

/* Appends s to err, control characters (a hostile name's newline) shown as '?', so that
 * the message stays one line. */
static void append_name(char *err, size_t err_size, const char *s)
{
    size_t n = strlen(err);
    for (; *s && n + 1 < err_size; s++)
        err[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    err[n] = '\0';
}

int profile_value_index(const struct pp_profile *p, const char *type, const char *path, char *err,
                        size_t err_size)
{
    if (p->nsample_types == 0) {
        if (type)
            snprintf(err, err_size, "no sample type '%s' in '%s' (it has none)", type, path);
        else
            snprintf(err, err_size, "'%s' has no sample types (no values to show)", path);
        return -1;
    }
    if (!type)
        return (int)p->nsample_types - 1;
    int i = profile_sample_type_index(p, type);
    if (i < 0) {
        snprintf(err, err_size, "no sample type '%s' in '%s' (it has: ", type, path);
        for (size_t k = 0; k < p->nsample_types; k++) {
            if (k)
                append_name(err, err_size, ", ");
            append_name(err, err_size, profile_string(p, p->sample_types[k].type));
        }
        append_name(err, err_size, ")");
    }
    return i;
}
