/*
 * cmd_top.c — `hzprof top FILE [-n N] [--cum] [--sample-type TYPE]`: the functions with
 * the most samples, flat (as the innermost frame) and cumulative (anywhere on the stack,
 * counted once per sample), in the manner of `pprof -top`. FILE is pprof or folded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "profile_input.h"
#include "top.h"

/* Sums are long double: values are int64 and a profile may hold millions of them, so an
 * int64 sum overflows (two samples of INT64_MAX printed -461168601842738790400.00%). Its
 * 64-bit mantissa (x86-64) holds every int64 exactly, and sums exactly up to 2^64 in
 * magnitude; past that the error is a part in 2^64 of the total, invisible in the output. */
typedef long double wide;

struct row {
    int64_t name; /* string index */
    wide flat, cum;
    uint64_t last_sample; /* 1 + index of the last sample counted in cum */
};

static void top_usage(FILE *out)
{
    fprintf(out, "usage: hzprof top FILE [-n N] [--cum] [--sample-type TYPE]\n\n"
                 "Prints the functions with the most samples, as `pprof -top` does.\n"
                 "FILE is a pprof profile (.pb.gz) or folded stacks; '-' reads stdin.\n\n"
                 "  -n N               rows to print (default 20; 0 for all)\n"
                 "  --cum              sort by cumulative instead of flat value\n"
                 "  --sample-type T    the value to rank by: samples, cpu, wall, ...\n"
                 "                     (default: the profile's last sample type)\n");
}

static void format_value(char *buf, size_t size, wide v, const char *unit)
{
    if (strcmp(unit, "nanoseconds") == 0) {
        if (v >= 1e9L || v <= -1e9L)
            snprintf(buf, size, "%.2Lfs", v / 1e9L);
        else if (v >= 1e6L || v <= -1e6L)
            snprintf(buf, size, "%.2Lfms", v / 1e6L);
        else if (v >= 1e3L || v <= -1e3L)
            snprintf(buf, size, "%.2Lfus", v / 1e3L);
        else
            snprintf(buf, size, "%.0Lfns", v);
    } else {
        snprintf(buf, size, "%.0Lf", v);
    }
}

static int sort_by_cum; /* for row_cmp (qsort has no context argument) */

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    wide kx = sort_by_cum ? x->cum : x->flat, ky = sort_by_cum ? y->cum : y->flat;
    if (kx != ky)
        return kx < ky ? 1 : -1;
    return (x->name > y->name) - (x->name < y->name);
}

int top_write(const struct pp_profile *p, int vi, long limit, bool by_cum, FILE *out)
{
    const char *unit = profile_string(p, p->sample_types[vi].unit);
    /* A row per function name, found through the name's string index: a table by index
     * rather than a hash table, whose slots names chosen from a large string table could
     * be made to share. */
    uint32_t *row_of = calloc(p->nstrings ? p->nstrings : 1, sizeof *row_of); /* row + 1 */
    struct row *rows = NULL;
    size_t count = 0;
    wide total = 0;
    int rc = row_of ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < p->nsamples; i++) {
        const struct pp_sample *s = &p->samples[i];
        const wide v = s->values[vi];
        total += v;
        for (size_t k = 0; rc == 0 && k < s->nlocations; k++) {
            const struct pp_location *l = profile_location(p, s->location_ids[k]);
            for (size_t j = 0; j < l->nlines; j++) {
                const struct pp_function *f = profile_function(p, l->lines[j].function_id);
                const int64_t name = f ? f->name : 0;
                if (name <= 0) /* no function, or no name */
                    continue;
                if (!row_of[name]) {
                    struct row *r = pp_grow((void **)&rows, &count, sizeof *rows);
                    if (!r) {
                        rc = -1;
                        break;
                    }
                    r->name = name;
                    row_of[name] = (uint32_t)count;
                }
                struct row *r = &rows[row_of[name] - 1];
                if (k == 0 && j == 0)
                    r->flat += v;
                if (r->last_sample != i + 1) {
                    r->cum += v;
                    r->last_sample = i + 1;
                }
            }
        }
    }
    free(row_of);
    if (rc != 0) {
        free(rows);
        return -1;
    }
    sort_by_cum = by_cum;
    if (count) /* rows is NULL when there are none, and qsort wants an array */
        qsort(rows, count, sizeof *rows, row_cmp);
    const size_t shown = limit == 0 || (size_t)limit > count ? count : (size_t)limit;
    wide shown_flat = 0;
    for (size_t i = 0; i < shown; i++)
        shown_flat += rows[i].flat;
    char a[64], b[64], c[64];
    format_value(a, sizeof a, shown_flat, unit);
    format_value(b, sizeof b, total, unit);
    fprintf(out, "Showing %zu of %zu functions, %s of %s total (%s)\n", shown, count, a, b,
            profile_string(p, p->sample_types[vi].type));
    fprintf(out, "%12s %7s %7s %12s %7s  %s\n", "flat", "flat%", "sum%", "cum", "cum%", "function");
    wide sum = 0;
    const wide t = total != 0 ? total : 1;
    for (size_t i = 0; i < shown; i++) {
        sum += rows[i].flat;
        format_value(a, sizeof a, rows[i].flat, unit);
        format_value(c, sizeof c, rows[i].cum, unit);
        fprintf(out, "%12s %6.2Lf%% %6.2Lf%% %12s %6.2Lf%%  %s\n", a, 100 * rows[i].flat / t,
                100 * sum / t, c, 100 * rows[i].cum / t, profile_string(p, rows[i].name));
    }
    free(rows);
    return 0;
}

int cmd_top(int argc, char **argv)
{
    static const struct option longopts[] = {{"cum", no_argument, 0, 'c'},
                                             {"sample-type", required_argument, 0, 't'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    long limit = 20;
    const char *type = NULL;
    bool by_cum = false;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n': {
            char *end;
            errno = 0;
            limit = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || limit < 0) {
                fprintf(stderr, "hzprof top: -n: '%s' is not a non-negative integer\n", optarg);
                return 2;
            }
            break;
        }
        case 'c': by_cum = true; break;
        case 't': type = optarg; break;
        case 'h': top_usage(stdout); return 0;
        default:
            fprintf(stderr, "hzprof top: unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "hzprof top: expected one profile file; see --help\n");
        return 2;
    }
    struct pp_profile p;
    char err[512];
    if (profile_load(argv[optind], &p, err, sizeof err) != 0) {
        fprintf(stderr, "hzprof top: %s\n", err);
        return 1;
    }
    int vi = profile_value_index(&p, type, argv[optind], err, sizeof err);
    if (vi < 0) {
        fprintf(stderr, "hzprof top: %s\n", err);
        profile_free(&p);
        return 1;
    }
    int rc = top_write(&p, vi, limit, by_cum, stdout);
    if (rc != 0)
        fprintf(stderr, "hzprof top: out of memory\n");
    profile_free(&p);
    return rc != 0;
}
