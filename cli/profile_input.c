/* profile_input.c — see profile_input.h. */
#include "profile_input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "pprof/pprof_codec.h"
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
