/*
 * baseline_go.c — Go's runtime/pprof, run by the Go twin of the workload (workloads/go:
 * the same work written in Go, bin_dir/go-PROGRAM). The twin is a different program, so
 * it brings its own reference: the twin with profiling off. It writes pprof itself.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "profile_input.h"

static const char *missing(const char *program, const char *bin_dir, char *why, size_t n)
{
    if (strcmp(program, "matmul") != 0 && strcmp(program, "io") != 0) {
        snprintf(why, n, "no Go twin of the %s workload (workloads/go has matmul and io)", program);
        return why;
    }
    char twin[4096];
    snprintf(twin, sizeof twin, "%s/go-%s", bin_dir, program);
    if (access(twin, X_OK) != 0) {
        snprintf(why, n, "Go twin not built: no %.200s (apt-get install golang-go, then rebuild)",
                 twin);
        return why;
    }
    return NULL;
}

/* The twin takes the flags of our workloads: --sampler go-pprof --hz R --profile-out F. */
static void command(struct baseline_cmd *cmd, const char *profiles, size_t trial, unsigned rate)
{
    snprintf(cmd->out, sizeof cmd->out, "%s/trial-%zu.pb.gz", profiles, trial);
    snprintf(cmd->rate, sizeof cmd->rate, "%u", rate);
    const char *post[] = {"--sampler", "go-pprof", "--hz", cmd->rate, "--profile-out", cmd->out};
    for (size_t i = 0; i < sizeof post / sizeof post[0]; i++)
        cmd->post[cmd->npost++] = post[i];
}

/* Samples in a pprof profile (Go's): the sum of the first value, samples/count. */
static double samples(const char *path)
{
    struct pp_profile p;
    char err[256];
    if (profile_load(path, &p, err, sizeof err) != 0)
        return -1;
    double total = 0;
    for (size_t i = 0; i < p.nsamples; i++)
        total += p.samples[i].nvalues ? (double)p.samples[i].values[0] : 0;
    profile_free(&p);
    return total;
}

const struct baseline_ops baseline_go_pprof = {
    .name = "go-pprof",
    .twin = true,
    .missing = missing,
    .command = command,
    .samples = samples,
    .to_pprof = NULL,
};
