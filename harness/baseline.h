/*
 * baseline.h — the other profilers the bench measures beside ours, one entry each in a
 * small ops table: gperftools and gperftools-thread (baseline_gperftools.c: libprofiler
 * preloaded, set by the environment), perf-record (baseline_perf.c: `perf record -g`, a
 * separate process) and go-pprof (baseline_go.c: Go's runtime/pprof inside the Go twin of
 * the workload). An entry says whether it can run here, how a trial's command line is
 * built, how many samples its profile holds, and how that profile becomes our pprof (for
 * the flame graphs beside ours). bench_run.c knows no baseline by name.
 */
#ifndef HZPROF_BASELINE_H
#define HZPROF_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

/* What one trial of a baseline adds to the workload's command line. */
struct baseline_cmd {
    const char *pre[12]; /* argv before the workload program (a wrapper such as perf) */
    size_t npre;
    const char *post[8]; /* argv after the workload's own arguments */
    size_t npost;
    const char *env[5]; /* extra environment, NULL-terminated */
    char out[8192];     /* the profile the trial writes */
    char rate[16];
    char store[3][8300]; /* backing for env strings */
};

struct baseline_ops {
    const char *name;
    /* Runs the workload's Go twin (bin_dir/go-PROGRAM) instead of the C program; the
     * twin with profiling off (configuration rate 0) is then its own reference. */
    bool twin;
    /* Why it cannot run `program` here (written to why), or NULL if it can. */
    const char *(*missing)(const char *program, const char *bin_dir, char *why, size_t n);
    /* Fills cmd for trial number `trial` at `rate` Hz, its profile under `profiles`. */
    void (*command)(struct baseline_cmd *cmd, const char *profiles, size_t trial, unsigned rate);
    /* The samples in a profile it wrote, or -1 when it cannot be read. */
    double (*samples)(const char *profile);
    /* Writes out_pb (our pprof) from the profile it wrote; 0, or -1 with a reason. NULL
     * for a baseline that writes pprof itself. */
    int (*to_pprof)(const char *raw, const char *out_pb, char *err, size_t n);
};

extern const struct baseline_ops baseline_gperftools, baseline_gperftools_thread,
    baseline_perf_record, baseline_go_pprof;

/* The entry called name, or NULL. */
const struct baseline_ops *baseline_find(const char *name);
/* Every baseline's name, NULL-terminated, in the table's order. */
const char *const *baseline_names(void);

/* For the entries: single-quotes s for the shell into out ('\'' for a quote inside). */
void baseline_shell_quote(char *out, size_t n, const char *s);

#endif
