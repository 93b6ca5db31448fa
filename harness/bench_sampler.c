/* bench_sampler.c — see bench_sampler.h. */
#include "bench_sampler.h"

#include <stdio.h>
#include <string.h>

#include "hzprof.h"

int bench_sampler_parse(const char *spec, struct bench_sampler *out, char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    snprintf(out->jitter, sizeof out->jitter, "none");
    const char *plus = strchr(spec, '+');
    const size_t len = plus ? (size_t)(plus - spec) : strlen(spec);
    if (len == 0 || len >= sizeof out->base) {
        snprintf(err, n, "sampler '%s': no sampler name before its modifiers", spec);
        return -1;
    }
    memcpy(out->base, spec, len);
    const unsigned caps = hzprof_sampler_caps(out->base);
    if (caps & HZPROF_CAP_KNOWN && !(caps & HZPROF_CAP_USER)) {
        snprintf(err, n, "'%s' takes no samples by itself and cannot be benchmarked", out->base);
        return -1;
    }
    if (!caps) {
        char names[256] = "";
        for (const char *const *v = hzprof_sampler_names(); *v; v++)
            if (hzprof_sampler_caps(*v) & HZPROF_CAP_USER)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         names[0] ? ", " : "", *v);
        snprintf(err, n, "unknown name '%s' (valid: %s)", out->base, names);
        return -1;
    }
    while (plus) {
        const char *mod = plus + 1, *next = strchr(mod, '+');
        const size_t mlen = next ? (size_t)(next - mod) : strlen(mod);
        if (mlen == 12 && strncmp(mod, "no-interrupt", 12) == 0) {
            if (!(caps & HZPROF_CAP_NO_INTERRUPT)) {
                snprintf(err, n, "sampler '%s': %s has no no-interrupt mode", spec, out->base);
                return -1;
            }
            out->no_interrupt = true;
        } else if (mlen > 7 && strncmp(mod, "jitter=", 7) == 0 && mlen - 7 < sizeof out->jitter) {
            memcpy(out->jitter, mod + 7, mlen - 7);
            out->jitter[mlen - 7] = '\0';
            if (strcmp(out->jitter, "uniform") != 0 && strcmp(out->jitter, "exp") != 0) {
                snprintf(err, n, "sampler '%s': jitter must be uniform or exp", spec);
                return -1;
            }
            if (!(caps & HZPROF_CAP_JITTER)) {
                snprintf(err, n, "sampler '%s': %s cannot jitter its intervals", spec, out->base);
                return -1;
            }
        } else {
            snprintf(err, n,
                     "sampler '%s': unknown modifier '%.*s' (valid: +jitter=uniform, "
                     "+jitter=exp, +no-interrupt)",
                     spec, (int)mlen, mod);
            return -1;
        }
        plus = next;
    }
    return 0;
}

bool bench_sampler_is_wall(const char *spec)
{
    struct bench_sampler s;
    char err[160];
    return bench_sampler_parse(spec, &s, err, sizeof err) == 0 &&
           (hzprof_sampler_caps(s.base) & HZPROF_CAP_WALL);
}
