/* profile_input.c — see profile_input.h. */
#include "profile_input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "pprof/pprof_codec.h"

#define MAX_INPUT_BYTES (1ull << 31)

static int read_all(FILE *f, uint8_t **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_INPUT_BYTES) {
                free(buf);
                errno = EFBIG;
                return -1;
            }
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                return -1;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        errno = e ? e : EIO;
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

int profile_load(const char *path, struct pp_profile *p, char *err, size_t err_size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = read_all(f, &data, &len);
    int e = errno;
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
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
