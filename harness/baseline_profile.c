/* baseline_profile.c — see baseline_profile.h. */
#define _GNU_SOURCE
#include "baseline_profile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folded.h"
#include "pprof/pprof_codec.h"
#include "profile_input.h"
#include "text_file.h"

#define MAX_FRAMES 512

/* Single-quotes a path for the shell ('\'' for a quote inside). */
static void shell_quote(char *out, size_t n, const char *s)
{
    size_t k = 0;
    if (n < 3)
        return;
    out[k++] = '\'';
    for (; *s && k + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else {
            out[k++] = *s;
        }
    }
    out[k++] = '\'';
    out[k] = '\0';
}

/* Appends one sample (frames leaf first) to the folded text as root;...;leaf 1. */
static void fold_sample(FILE *folded, char **frames, size_t nframes)
{
    if (!nframes)
        return;
    for (size_t i = nframes; i-- > 0;) {
        for (char *c = frames[i]; *c; c++)
            if (*c == ';' || *c == '\n')
                *c = ':'; /* ';' separates frames in folded text */
        fprintf(folded, "%s%s", frames[i], i ? ";" : " 1\n");
    }
}

/* perf.data -> folded text via `perf script -F ip,sym`: a sample is a run of indented
 * "ADDRESS SYMBOL" lines, leaf first, ended by a blank line. */
static int perf_to_pprof(const char *raw, const char *out_pb, char *err, size_t n)
{
    char q[8300], cmd[8400];
    shell_quote(q, sizeof q, raw);
    snprintf(cmd, sizeof cmd, BASELINE_PERF " script -i %s -F ip,sym 2>/dev/null", q);
    FILE *p = popen(cmd, "r");
    if (!p) {
        snprintf(err, n, "cannot run perf script: %s", strerror(errno));
        return -1;
    }
    char *text = NULL, *line = NULL;
    size_t text_len = 0, cap = 0, nframes = 0;
    FILE *folded = open_memstream(&text, &text_len);
    char *frames[MAX_FRAMES];
    ssize_t len;
    while ((len = getline(&line, &cap, p)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *s = line + strspn(line, " \t");
        if (*s == '\0') {
            fold_sample(folded, frames, nframes);
            while (nframes)
                free(frames[--nframes]);
            continue;
        }
        char *sym = strchr(s, ' ');
        if (sym && nframes < MAX_FRAMES)
            frames[nframes++] = strdup(sym + 1);
    }
    fold_sample(folded, frames, nframes);
    while (nframes)
        free(frames[--nframes]);
    free(line);
    int status = pclose(p);
    fclose(folded);
    int rc = -1;
    struct pp_profile prof;
    char why[256];
    if (status != 0) {
        snprintf(err, n, "perf script failed on '%s'", raw);
    } else if (text_len == 0) {
        snprintf(err, n, "'%s' holds no samples", raw);
    } else if (folded_parse(text, text_len, &prof, why, sizeof why) != 0) {
        snprintf(err, n, "perf script output: %s", why);
    } else {
        uint8_t *pb;
        size_t pb_len;
        FILE *f = NULL;
        if (pprof_encode(&prof, &pb, &pb_len) == 0) {
            f = fopen(out_pb, "wb");
            rc = f && fwrite(pb, 1, pb_len, f) == pb_len ? 0 : -1;
            if (f && fclose(f) != 0)
                rc = -1;
            free(pb);
        }
        if (rc)
            snprintf(err, n, "cannot write '%s'", out_pb);
        profile_free(&prof);
    }
    free(text);
    return rc;
}

static int gperftools_to_pprof(const char *raw, const char *out_pb, char *err, size_t n)
{
    char q_raw[8300], q_out[8300], cmd[17000];
    shell_quote(q_raw, sizeof q_raw, raw);
    shell_quote(q_out, sizeof q_out, out_pb);
    snprintf(cmd, sizeof cmd,
             "command -v go >/dev/null 2>&1 && go tool pprof -proto -output %s %s >/dev/null 2>&1",
             q_out, q_raw);
    if (system(cmd) != 0 || access(out_pb, R_OK) != 0) {
        snprintf(err, n,
                 "cannot convert the gperftools profile '%s' (needs `go tool pprof`: "
                 "apt-get install golang-go)",
                 raw);
        return -1;
    }
    return 0;
}

/* Samples in a gperftools CPU profile: 64-bit words, header [0, 3, 0, period, 0], then
 * records [count, depth, pc...], ending with [0, 1, 0]. -1 if unreadable. */
static double gperftools_samples(const char *path)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return -1;
    const uint64_t *w = (const uint64_t *)data;
    size_t n = len / 8, i = 5;
    double samples = 0;
    while (i + 2 <= n) {
        uint64_t count = w[i], depth = w[i + 1];
        if (count == 0 && depth == 1)
            break;
        samples += (double)count;
        i += 2 + depth;
    }
    free(data);
    return samples;
}

/* Samples in a perf.data file: one line per sample from `perf script -F time`. */
static double perf_samples(const char *path)
{
    char q[8300], cmd[8400];
    shell_quote(q, sizeof q, path);
    snprintf(cmd, sizeof cmd, BASELINE_PERF " script -i %s -F time 2>/dev/null", q);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    double lines = 0;
    int ch;
    while ((ch = fgetc(p)) != EOF)
        lines += ch == '\n';
    return pclose(p) == 0 ? lines : -1;
}

/* Samples in a pprof profile (Go's): the sum of the first value, samples/count. */
static double pprof_samples(const char *path)
{
    struct pp_profile p;
    char err[256];
    if (profile_load(path, &p, err, sizeof err) != 0)
        return -1;
    double samples = 0;
    for (size_t i = 0; i < p.nsamples; i++)
        samples += p.samples[i].nvalues ? (double)p.samples[i].values[0] : 0;
    profile_free(&p);
    return samples;
}

double baseline_samples(const char *name, const char *profile)
{
    if (strcmp(name, "perf-record") == 0)
        return perf_samples(profile);
    if (strcmp(name, "go-pprof") == 0)
        return pprof_samples(profile);
    return gperftools_samples(profile);
}

int baseline_profile_to_pprof(const char *baseline, const char *raw, const char *out_pb, char *err,
                              size_t n)
{
    if (strcmp(baseline, "perf-record") == 0)
        return perf_to_pprof(raw, out_pb, err, n);
    if (strncmp(baseline, "gperftools", 10) == 0)
        return gperftools_to_pprof(raw, out_pb, err, n);
    snprintf(err, n, "%s writes pprof itself", baseline);
    return -1;
}
