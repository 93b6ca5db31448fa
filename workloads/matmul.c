/*
 * matmul.c — dense double-precision C = A·B, the cache-heavy workload.
 *
 *   matmul [--order ijk|ikj|blocked] [--n N | --fit l1|l2|llc|dram] [--reps R]
 *          [--tile T] [--threads T] [--corrupt] [profiling flags]
 *
 * Loop orders: ijk (naive: B walked by column, a cache miss per step once B is large),
 * ikj (streams rows of B and C), blocked (T x T tiles of the ikj kernel). --fit picks N so
 * that the three matrices fill about 3/4 of the L1 data cache, the L2, or the last-level
 * cache (sizes from sysfs, sysconf, CPUID or a documented default: cacheinfo.h; the JSON
 * names the source), or four times the LLC (DRAM). Threads split the rows of C.
 *
 * Verification: A and B hold small integers, so every product and sum is exact in double
 * and C is exact whatever the loop order. Freivalds' check, C·x == A·(B·x) for a vector x
 * of nonzero integers, is then exact too, and catches any wrong element for certain, in
 * O(N²). --corrupt (a test hook) changes one element of C before the check.
 * Throughput: GFLOP/s = 2·N³·R / wall seconds of the measured region (the multiplications
 * only; setup, verification and profile writing are outside it).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cacheinfo.h"
#include "common.h"

enum order { ORDER_IJK, ORDER_IKJ, ORDER_BLOCKED };
static const char *const order_names[] = {"ijk", "ikj", "blocked"};

struct job {
    const double *a, *b;
    double *c;
    size_t n, row_begin, row_end, tile;
    unsigned reps;
    enum order order;
};

static void __attribute__((noinline)) multiply_ijk(const struct job *j)
{
    const size_t n = j->n;
    for (size_t i = j->row_begin; i < j->row_end; i++)
        for (size_t k2 = 0; k2 < n; k2++) {
            double sum = 0;
            for (size_t k = 0; k < n; k++)
                sum += j->a[i * n + k] * j->b[k * n + k2];
            j->c[i * n + k2] = sum;
        }
}

static void __attribute__((noinline)) multiply_ikj(const struct job *j)
{
    const size_t n = j->n;
    for (size_t i = j->row_begin; i < j->row_end; i++) {
        double *ci = &j->c[i * n];
        memset(ci, 0, n * sizeof *ci);
        for (size_t k = 0; k < n; k++) {
            const double aik = j->a[i * n + k];
            const double *bk = &j->b[k * n];
            for (size_t x = 0; x < n; x++)
                ci[x] += aik * bk[x];
        }
    }
}

static void __attribute__((noinline)) multiply_blocked(const struct job *j)
{
    const size_t n = j->n, t = j->tile;
    for (size_t i = j->row_begin; i < j->row_end; i++)
        memset(&j->c[i * n], 0, n * sizeof(double));
    for (size_t ii = j->row_begin; ii < j->row_end; ii += t)
        for (size_t kk = 0; kk < n; kk += t)
            for (size_t jj = 0; jj < n; jj += t) {
                const size_t iend = ii + t < j->row_end ? ii + t : j->row_end;
                const size_t kend = kk + t < n ? kk + t : n;
                const size_t jend = jj + t < n ? jj + t : n;
                for (size_t i = ii; i < iend; i++)
                    for (size_t k = kk; k < kend; k++) {
                        const double aik = j->a[i * n + k];
                        for (size_t x = jj; x < jend; x++)
                            j->c[i * n + x] += aik * j->b[k * n + x];
                    }
            }
}

static void *run_job(void *arg)
{
    const struct job *j = arg;
    for (unsigned r = 0; r < j->reps; r++) {
        if (j->order == ORDER_IJK)
            multiply_ijk(j);
        else if (j->order == ORDER_IKJ)
            multiply_ikj(j);
        else
            multiply_blocked(j);
    }
    return NULL;
}

static void *thread_job(void *arg)
{
    workload_thread_started();
    return run_job(arg);
}

/* Freivalds with exact integer arithmetic: returns the number of rows where C·x differs. */
static size_t freivalds_mismatches(const double *a, const double *b, const double *c, size_t n)
{
    double *x = malloc(n * sizeof *x), *bx = malloc(n * sizeof *bx);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        x[i] = (double)(1 + (i * 7 + 3) % 5);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < n; k++)
            s += b[i * n + k] * x[k];
        bx[i] = s;
    }
    for (size_t i = 0; i < n; i++) {
        double lhs = 0, rhs = 0;
        for (size_t k = 0; k < n; k++) {
            lhs += c[i * n + k] * x[k];
            rhs += a[i * n + k] * bx[k];
        }
        if (lhs != rhs)
            bad++;
    }
    free(x);
    free(bx);
    return bad;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: matmul [--order ijk|ikj|blocked] [--n N | --fit l1|l2|llc|dram] [--reps R]\n"
            "              [--tile T] [--threads T] [--corrupt] [profiling flags]\n\n"
            "C = A*B in double precision; prints one JSON object. Throughput in GFLOP/s.\n"
            "  --order O     loop order (default ikj)\n"
            "  --n N         matrix size (default: --fit l2)\n"
            "  --fit F       size so A, B, C fill 3/4 of L1d, L2 or the LLC, or 4x LLC (dram)\n"
            "  --reps R      multiplications (default: about 1 GFLOP of work)\n"
            "  --tile T      tile size for blocked (default 32)\n"
            "  --threads T   threads splitting the rows (default 1)\n"
            "  --corrupt     test hook: damage one element of C before verification\n\n%s",
            profiling_usage);
}

int main(int argc, char **argv)
{
    struct profiling_options prof = {0};
    enum order order = ORDER_IKJ;
    unsigned long n = 0, reps = 0, tile = 32, threads = 1;
    const char *fit = NULL;
    bool corrupt = false;
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"corrupt", no_argument, NULL, 'c'},
                                             {"order", required_argument, NULL, 'o'},
                                             {"fit", required_argument, NULL, 'f'},
                                             {"n", required_argument, NULL, 'n'},
                                             {"reps", required_argument, NULL, 'r'},
                                             {"tile", required_argument, NULL, 't'},
                                             {"threads", required_argument, NULL, 'T'},
                                             PROFILING_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    const struct uint_flag uint_flags[] = {{'n', "--n", 2, 8192, &n},
                                           {'r', "--reps", 1, 10000000, &reps},
                                           {'t', "--tile", 1, 4096, &tile},
                                           {'T', "--threads", 1, 256, &threads},
                                           {0, NULL, 0, 0, NULL}};
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, WORKLOAD_OPTSTRING("h"), longopts, NULL)) != -1) {
        const int p = workload_option(&prof, "matmul", uint_flags, ch, optarg);
        if (p < 0)
            return 2;
        if (p > 0)
            continue;
        switch (ch) {
        case 'h': usage(stdout); return 0;
        case 'c': corrupt = true; break;
        case 'o': {
            int found = -1;
            for (int k = 0; k < 3; k++)
                if (strcmp(optarg, order_names[k]) == 0)
                    found = k;
            if (found < 0) {
                fprintf(stderr, "matmul: --order: '%s' is not ijk, ikj or blocked\n", optarg);
                return 2;
            }
            order = (enum order)found;
            break;
        }
        case 'f':
            if (strcmp(optarg, "l1") && strcmp(optarg, "l2") && strcmp(optarg, "llc") &&
                strcmp(optarg, "dram")) {
                fprintf(stderr, "matmul: --fit: '%s' is not l1, l2, llc or dram\n", optarg);
                return 2;
            }
            fit = optarg;
            break;
        default: return workload_bad_flag("matmul", ch, argv);
        }
    }
    if (workload_extra_args("matmul", argc, argv))
        return 2;
    if (n && fit) {
        fprintf(stderr, "matmul: --n and --fit exclude each other\n");
        return 2;
    }
    struct cache_info ci;
    char err[256];
    if (cache_info_read(&ci, err, sizeof err) != 0) {
        fprintf(stderr, "matmul: %s\n", err);
        return 2;
    }
    const unsigned long l1 = ci.bytes[CACHE_L1D], l2 = ci.bytes[CACHE_L2],
                        llc = ci.bytes[CACHE_L3] ? ci.bytes[CACHE_L3] : l2;
    if (!n) {
        const char *f = fit ? fit : "l2";
        unsigned long bytes = strcmp(f, "l1") == 0    ? l1 * 3 / 4
                              : strcmp(f, "l2") == 0  ? l2 * 3 / 4
                              : strcmp(f, "llc") == 0 ? llc * 3 / 4
                                                      : llc * 4;
        if (!bytes) {
            fprintf(stderr, "matmul: --fit %s: cache size unknown (sources tried: %s); use --n\n",
                    f,
                    getenv("HZPROF_CACHE_SOURCES") ? getenv("HZPROF_CACHE_SOURCES")
                                                   : "sysfs,sysconf,cpuid,default");
            return 2;
        }
        n = 2;
        while (3 * (n + 1) * (n + 1) * sizeof(double) <= bytes)
            n++;
        fit = f;
    }
    if (!reps) {
        reps = (unsigned long)(1e9 / (2.0 * (double)n * (double)n * (double)n));
        if (reps < 1)
            reps = 1;
    }
    if (threads > n)
        threads = n;

    struct run run;
    run_init(&run, "matmul", &prof);
    cJSON_AddStringToObject(run.params, "order", order_names[order]);
    cJSON_AddNumberToObject(run.params, "n", (double)n);
    if (fit)
        cJSON_AddStringToObject(run.params, "fit", fit);
    cJSON_AddNumberToObject(run.params, "reps", (double)reps);
    cJSON_AddNumberToObject(run.params, "tile", (double)tile);
    cJSON_AddNumberToObject(run.params, "threads", (double)threads);
    cJSON_AddNumberToObject(run.params, "working_set_bytes", 3.0 * (double)(n * n) * 8);
    cache_info_to_json(&ci, run.params);

    double *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b),
           *c = calloc(n * n, sizeof *c);
    struct job *jobs = calloc(threads, sizeof *jobs);
    pthread_t *tids = calloc(threads, sizeof *tids);
    if (!a || !b || !c || !jobs || !tids) {
        fprintf(stderr, "matmul: out of memory for n=%lu\n", n);
        return 1;
    }
    for (size_t i = 0; i < n * n; i++) { /* small integers: exact products and sums */
        a[i] = (double)((int)((i * 2654435761u) % 5) - 2);
        b[i] = (double)((int)((i * 40503u + 7) % 5) - 2);
    }
    for (unsigned long t = 0; t < threads; t++)
        jobs[t] = (struct job){
            a, b, c, n, n * t / threads, n * (t + 1) / threads, tile, (unsigned)reps, order};

    int rc = run_begin(&run);
    if (rc) {
        free(a), free(b), free(c), free(jobs), free(tids);
        return rc;
    }
    if (threads == 1) {
        run_job(&jobs[0]);
    } else {
        for (unsigned long t = 0; t < threads; t++)
            pthread_create(&tids[t], NULL, thread_job, &jobs[t]);
        for (unsigned long t = 0; t < threads; t++)
            pthread_join(tids[t], NULL);
    }
    run_end(&run, 2.0 * (double)n * (double)n * (double)n * (double)reps / 1e9, "GFLOP/s");

    if (corrupt)
        c[(n / 2) * n + n / 3] += 1;
    size_t bad = freivalds_mismatches(a, b, c, n);
    cJSON_AddBoolToObject(run.result, "verified", bad == 0);
    cJSON_AddNumberToObject(run.result, "mismatched_rows", (double)bad);
    cJSON_AddStringToObject(run.result, "check", "freivalds-exact");
    free(a);
    free(b);
    free(c);
    free(jobs);
    free(tids);
    return run_finish(&run, bad == 0, bad ? "result verification failed" : NULL);
}
