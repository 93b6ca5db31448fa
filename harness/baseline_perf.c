/*
 * baseline_perf.c — `perf record -F RATE -e cpu-clock -g`: a separate process that reads
 * the kernel's sample buffer (no signal in the workload). Its perf.data is read with
 * `perf script`: counted (-F time) and folded here into our pprof (-F ip,sym).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "folded_parse.h"
#include "pprof/pprof_encode.h"
#include "profile_input.h"

#define PERF "/usr/bin/perf"
#define MAX_FRAMES 512

static const char *missing(const char *program, const char *bin_dir, char *why, size_t n)
{
    (void)program, (void)bin_dir, (void)why, (void)n;
    return access(PERF, X_OK) != 0 ? "perf not installed: no " PERF " (apt-get install linux-perf)"
                                   : NULL;
}

static void command(struct baseline_cmd *cmd, const char *profiles, size_t trial, unsigned rate)
{
    snprintf(cmd->out, sizeof cmd->out, "%s/trial-%zu.perf.data", profiles, trial);
    snprintf(cmd->rate, sizeof cmd->rate, "%u", rate);
    const char *pre[] = {PERF, "record", "-F", cmd->rate, "-e", "cpu-clock",
                         "-g", "-q",     "-o", cmd->out,  "--"};
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        cmd->pre[cmd->npre++] = pre[i];
}

/* Samples in a perf.data file: one line per sample from `perf script -F time`. */
static double samples(const char *path)
{
    char q[8300], cmd[8400];
    baseline_shell_quote(q, sizeof q, path);
    snprintf(cmd, sizeof cmd, PERF " script -i %s -F time 2>/dev/null", q);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    double lines = 0;
    int ch;
    while ((ch = fgetc(p)) != EOF)
        lines += ch == '\n';
    return pclose(p) == 0 ? lines : -1;
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
static int to_pprof(const char *raw, const char *out_pb, char *err, size_t n)
{
    char q[8300], cmd[8400];
    baseline_shell_quote(q, sizeof q, raw);
    snprintf(cmd, sizeof cmd, PERF " script -i %s -F ip,sym 2>/dev/null", q);
    FILE *p = popen(cmd, "r");
    if (!p) {
        snprintf(err, n, "cannot run perf script: %s", strerror(errno));
        return -1;
    }
    char *text = NULL, *line = NULL;
    size_t text_len = 0, cap = 0, nframes = 0;
    FILE *folded = open_memstream(&text, &text_len);
    if (!folded) {
        snprintf(err, n, "cannot convert '%s': out of memory", raw);
        pclose(p);
        return -1;
    }
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
        if (sym && nframes < MAX_FRAMES && (frames[nframes] = strdup(sym + 1)) != NULL)
            nframes++;
    }
    fold_sample(folded, frames, nframes);
    while (nframes)
        free(frames[--nframes]);
    free(line);
    int status = pclose(p);
    const bool whole = fclose(folded) == 0; /* the text is complete only after this */
    int rc = -1;
    struct pp_profile prof;
    char why[256];
    if (!whole) {
        snprintf(err, n, "cannot convert '%s': out of memory", raw);
    } else if (status != 0) {
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

const struct baseline_ops baseline_perf_record = {
    .name = "perf-record",
    .missing = missing,
    .command = command,
    .samples = samples,
    .to_pprof = to_pprof,
};
