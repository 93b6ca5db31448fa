/*
 * bench_run.c — runs the planned trials, each a fresh process, appending each result to
 * trials.jsonl at once (see bench.h). Resumable. Prints nothing: progress goes to the
 * caller's callbacks, errors to its err buffer (ARCHITECTURE.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "bench.h"
#include "bench_sampler.h"
#include "bench_pairs.h"
#include "bench_summary.h"
#include "folded.h"
#include "profile_input.h"
#include "score.h"
#include "stats.h"
#include "text_file.h"

struct trial_output {
    char *out;
    size_t out_len;
    char err[2048];
    size_t err_len;
    int status; /* exit status, 128+signal, or -1 on timeout */
    double seconds;
    double cpu_seconds; /* user + system CPU of the process and its children (wait4) */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pinning (bench.h): the workload on the last CPU the harness may use, the harness on the
 * others, so neither measures the other. Returns the workload's CPU, or -1 with fewer than
 * two CPUs (nothing pinned). The previous mask is kept in *saved to be restored. */
static int pin_harness(cpu_set_t *saved)
{
    if (sched_getaffinity(0, sizeof *saved, saved) != 0 || CPU_COUNT(saved) < 2)
        return -1;
    int cpu = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, saved))
            cpu = i;
    cpu_set_t harness = *saved;
    CPU_CLR(cpu, &harness);
    return sched_setaffinity(0, sizeof harness, &harness) == 0 ? cpu : -1;
}

static void close_pipe(int fds[2])
{
    const int e = errno; /* the caller's reason, kept for its message */
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    errno = e;
}

/* In the child after a failed exec: the reason on its stderr, which is the trial's pipe
 * (the record's "error"), with write(2) alone: after fork, stdio's buffers and locks are
 * the parent's. */
static void exec_failed(const char *program, int e)
{
    const char *parts[] = {"cannot run ", program, ": ", strerror(e), "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            return;
}

/* Runs argv with the extra environment variable pad (and pinned to cpu unless -1);
 * captures stdout and the tail of stderr; kills it after timeout_s. Returns 0 with the
 * child reaped, or -1 with a reason in err (nothing left open, no child left). */
static int run_process(char *const argv[], const char *pad, char *const *env, unsigned timeout_s,
                       int cpu, struct trial_output *o, char *err, size_t err_size)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        snprintf(err, err_size, "cannot start a trial: %s", strerror(errno));
        close_pipe(out_pipe);
        return -1;
    }
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "cannot start a trial: %s", strerror(errno));
        close_pipe(out_pipe);
        close_pipe(err_pipe);
        return -1;
    }
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        setenv("HZPROF_BENCH_PAD", pad, 1);
        if (cpu >= 0) { /* the whole process tree: a baseline's helper process too */
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
        }
        for (size_t i = 0; env && env[i]; i++)
            putenv(env[i]);
        execv(argv[0], argv);
        exec_failed(argv[0], errno);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    size_t cap = 0;
    bool timed_out = false, no_memory = false;
    while ((fds[0].fd >= 0 || fds[1].fd >= 0) && !no_memory) {
        double left = t0 + timeout_s - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            timed_out = true;
            break;
        }
        int n = poll(fds, 2, (int)(left * 1000) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[8192];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                continue;
            }
            if (i == 0) {
                if (o->out_len + (size_t)got + 1 > cap) {
                    cap = (o->out_len + (size_t)got + 1) * 2;
                    char *grown = realloc(o->out, cap);
                    if (!grown) {
                        kill(pid, SIGKILL);
                        no_memory = true;
                        break;
                    }
                    o->out = grown;
                }
                memcpy(o->out + o->out_len, buf, (size_t)got);
                o->out_len += (size_t)got;
                o->out[o->out_len] = '\0';
            } else {
                /* Keep the last bytes of stderr: that is where the reason is. */
                size_t keep = sizeof o->err - 1;
                size_t g = (size_t)got > keep ? keep : (size_t)got;
                if (o->err_len + g > keep) {
                    size_t drop = o->err_len + g - keep;
                    memmove(o->err, o->err + drop, o->err_len - drop);
                    o->err_len -= drop;
                }
                memcpy(o->err + o->err_len, buf + got - g, g);
                o->err_len += g;
                o->err[o->err_len] = '\0';
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
        ;
    o->seconds = now_s() - t0;
    o->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    o->status = timed_out ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (no_memory) {
        free(o->out);
        o->out = NULL;
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    return 0;
}

/* Valgrind cachegrind's totals: the "events:" names and the "summary:" numbers. */
static cJSON *cachegrind_summary(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[4096], events[4096] = "";
    cJSON *o = NULL;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "events:", 7) == 0)
            snprintf(events, sizeof events, "%s", line + 7);
        if (strncmp(line, "summary:", 8) == 0 && events[0] && !o) { /* the first one */
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "source", "cachegrind");
            char *se = NULL, *sv = NULL;
            char *e = strtok_r(events, " \n", &se);
            char *v = strtok_r(line + 8, " \n", &sv);
            for (; e && v; e = strtok_r(NULL, " \n", &se), v = strtok_r(NULL, " \n", &sv))
                cJSON_AddNumberToObject(o, e, strtod(v, NULL));
        }
    }
    fclose(f);
    return o;
}

/* Scores a truth trial's profile against the truth in its output: the attribution error
 * and, where the truth names syscall sites, the skid at system calls. */
static void score_truth(cJSON *record, cJSON *output, const char *profile, bool wall)
{
    cJSON *truths = cJSON_GetObjectItem(cJSON_GetObjectItem(output, "result"), "truth");
    cJSON *truth = cJSON_GetObjectItem(truths, wall ? "wall" : "cpu");
    if (!cJSON_IsObject(truth))
        return;
    struct pp_profile p;
    char err[256];
    if (profile_load(profile, &p, err, sizeof err) == 0) {
        struct truth_share t[16];
        size_t n = 0;
        for (cJSON *e = truth->child; e && n < 16; e = e->next)
            t[n++] = (struct truth_share){e->string, e->valuedouble, 0};
        cJSON_AddNumberToObject(record, "attribution_error_pts", score_attribution(&p, 0, t, n));
        cJSON_AddStringToObject(record, "attribution_kind", wall ? "wall" : "cpu");
        const char *sites[8];
        size_t nsites = 0;
        cJSON *list = cJSON_GetObjectItem(truths, "syscall_sites");
        for (cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e && nsites < 8; e = e->next)
            if (cJSON_IsString(e))
                sites[nsites++] = e->valuestring;
        struct skid_score k;
        if (nsites && score_skid(&p, 0, t, n, sites, nsites, &k) == 0) {
            cJSON_AddNumberToObject(record, "skid_pts", k.skid_pts);
            cJSON_AddNumberToObject(record, "syscall_site_pct", k.profile_pct);
            cJSON_AddNumberToObject(record, "syscall_site_truth_pct", k.truth_pct);
        }
        profile_free(&p);
    }
}

/* Puts a baseline's statistics where the summary reads ours: output.profiling. */
static void record_baseline(cJSON *output, const char *name, unsigned rate, double samples)
{
    cJSON_DeleteItemFromObject(output, "profiling");
    cJSON *p = cJSON_AddObjectToObject(output, "profiling");
    cJSON_AddBoolToObject(p, "enabled", true);
    cJSON_AddStringToObject(p, "baseline", name);
    cJSON_AddStringToObject(p, "sampler", name);
    cJSON_AddNumberToObject(p, "hz", rate);
    /* NaN when the workload did not say (then no achieved rate), never a NULL read. */
    const double cpu = cJSON_GetNumberValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(output, "measured"), "cpu_seconds"));
    if (samples >= 0) {
        cJSON_AddNumberToObject(p, "samples", samples);
        cJSON_AddNumberToObject(p, "achieved_hz", cpu > 0 ? samples / cpu : 0);
    } else {
        cJSON_AddNullToObject(p, "samples");
        cJSON_AddNullToObject(p, "achieved_hz");
    }
    cJSON_AddNullToObject(p, "lost");
    cJSON_AddStringToObject(p, "lost_reason", "not reported by this profiler");
    cJSON_AddNullToObject(p, "handler_ns_mean");
}

/* Records a kept baseline profile: "profile" is a pprof file (converted where the
 * baseline writes another format, for the flame graphs), "profile_raw" what it wrote. */
static void keep_baseline_profile(cJSON *rec, const struct baseline_ops *bl, const char *raw,
                                  const char *dir)
{
    const size_t skip = strlen(dir) + 1;
    if (!bl->to_pprof) {
        cJSON_AddStringToObject(rec, "profile", raw + skip);
        return;
    }
    cJSON_AddStringToObject(rec, "profile_raw", raw + skip);
    char pb[8300], why[512];
    snprintf(pb, sizeof pb, "%.*s.pb.gz", (int)(strrchr(raw, '.') - raw), raw);
    if (bl->to_pprof(raw, pb, why, sizeof why) == 0)
        cJSON_AddStringToObject(rec, "profile", pb + skip);
    else
        cJSON_AddStringToObject(rec, "profile_error", why);
}

/* What every trial of one run shares. */
struct run_ctx {
    const struct bench_progress *p; /* may be NULL */
    char *err;                      /* the caller's: why the run stopped */
    size_t err_size;
    const struct bench_config *c;
    const struct bench_plan *plan;
    const char *dir, *bin_dir, *profiles;
    FILE *out;          /* trials.jsonl, appending */
    bool *done;         /* by trial number, BENCH_MAX_TRIALS */
    char **unavailable; /* by configuration: why it cannot run here */
    size_t mate_config; /* the configuration of the trial's pair mate */
    int cpu;            /* the workload's CPU, or -1 */
    cpu_set_t saved_mask;
    size_t finished, total;
    double started;
    long stop_after, ran; /* test hook: HZPROF_BENCH_STOP_AFTER */
};

/* Reads the trials already recorded (resume): marks done[] (by trial number, planned or
 * adaptive), the configurations found unavailable, and the highest trial number. A
 * partial last line (a run killed mid-write) is cut off; any other damaged line (not
 * JSON, or no trial number and config) is kept in the file, skipped, and counted: a
 * damaged line never costs the good ones after it. */
static int load_done(struct run_ctx *x, const char *path, size_t *damaged, long *max_trial)
{
    FILE *f = fopen(path, "r+");
    *damaged = 0;
    *max_trial = -1;
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long good_end = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* the partial last line of a killed run */
        good_end = ftell(f);
        cJSON *rec = cJSON_Parse(line);
        cJSON *t = cJSON_GetObjectItem(rec, "trial");
        cJSON *id = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "config"), "id");
        if (!cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble >= BENCH_MAX_TRIALS ||
            !cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble >= x->plan->nconfigs) {
            (*damaged)++;
            cJSON_Delete(rec);
            continue;
        }
        const size_t k = (size_t)t->valuedouble, cid = (size_t)id->valuedouble;
        x->done[k] = true;
        if ((long)k > *max_trial)
            *max_trial = (long)k;
        const char *un = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "unavailable"));
        if (un && !x->unavailable[cid])
            x->unavailable[cid] = strdup(un);
        cJSON_Delete(rec);
    }
    free(line);
    if (ftruncate(fileno(f), good_end) != 0) {
        const int e = errno; /* the reason, not fclose's */
        fclose(f);
        errno = e;
        return -1;
    }
    fclose(f);
    return 0;
}

/* The pad length of trial k (environment size, bench.h): a function of the seed and k
 * alone, so a resumed or adaptive trial draws the same as it would have. */
static size_t pad_length(uint64_t seed, size_t k)
{
    struct rng r;
    rng_seed(&r, seed ^ 0x5eedu ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull));
    return rng_below(&r, 4096);
}

/* Runs trial k of configuration cid in its role and returns its record (bench.h); NULL
 * with the reason in x->err when the trial could not be started. */
static cJSON *trial_run(struct run_ctx *x, size_t k, size_t cid, enum bench_role role, size_t block)
{
    const struct bench_config_entry *e = &x->plan->configs[cid];
    const struct bench_workload *w = &x->c->workloads[e->workload];
    const bool warmup = block < x->c->warmup;
    const size_t pad_len = pad_length(x->c->seed, k);
    char rate[32], profile[8192] = "", cgout[8192] = "";
    cJSON *rec = cJSON_CreateObject();
    if (!rec) {
        snprintf(x->err, x->err_size, "out of memory");
        return NULL;
    }
    cJSON_AddNumberToObject(rec, "trial", (double)k);
    cJSON_AddNumberToObject(rec, "block", (double)block);
    cJSON_AddNumberToObject(rec, "pair", (double)(k / 2));
    cJSON_AddStringToObject(rec, "role", bench_role_names[role]);
    if (x->cpu >= 0)
        cJSON_AddNumberToObject(rec, "cpu", x->cpu);
    else
        cJSON_AddNullToObject(rec, "cpu");
    cJSON_AddBoolToObject(rec, "warmup", warmup);
    cJSON *cfg = cJSON_AddObjectToObject(rec, "config");
    cJSON_AddNumberToObject(cfg, "id", (double)cid);
    cJSON_AddStringToObject(cfg, "workload", w->name);
    cJSON_AddStringToObject(cfg, "program", w->program);
    if (e->sampler) {
        cJSON_AddStringToObject(cfg, "sampler", e->sampler);
        cJSON_AddStringToObject(cfg, "unwinder", e->unwinder);
        cJSON_AddNumberToObject(cfg, "rate", e->rate);
        if (e->budget_pct > 0) /* budget mode: the workload chooses its rate */
            cJSON_AddNumberToObject(cfg, "max_overhead_pct", e->budget_pct);
    } else {
        cJSON_AddNullToObject(cfg, "sampler");
        cJSON_AddNullToObject(cfg, "unwinder");
        cJSON_AddNumberToObject(cfg, "rate", 0);
    }
    cJSON_AddNumberToObject(rec, "env_pad_bytes", (double)pad_len);
    char pad[4097];
    memset(pad, 'x', pad_len);
    pad[pad_len] = '\0';

    /* A baseline (another profiler) is found by name in its table (baseline.h). */
    const struct baseline_ops *bl = e->baseline ? baseline_find(e->sampler) : NULL;
    char why[512];
    const char *missing =
        bl && !x->unavailable[cid] ? bl->missing(w->program, x->bin_dir, why, sizeof why) : NULL;
    if (missing) {
        x->unavailable[cid] = strdup(missing);
        cJSON_AddBoolToObject(rec, "baseline", true);
    }
    /* The off side of a pair whose profiled side cannot run here (known from an earlier
     * trial): nothing to pair it with, so it is skipped too (not "unavailable": the
     * off configuration itself is fine). */
    const size_t mate = x->mate_config;
    if (role == BENCH_ROLE_OFF && x->unavailable[mate] && !x->unavailable[cid]) {
        cJSON_AddStringToObject(rec, "skipped_reason",
                                "its pair's profiled configuration is unavailable here");
        cJSON_AddBoolToObject(rec, "skipped", true);
    } else if (x->unavailable[cid]) {
        cJSON_AddStringToObject(rec, "unavailable", x->unavailable[cid]);
        cJSON_AddBoolToObject(rec, "skipped", true);
    } else {
        char *argv[BENCH_MAX_ARGS + 24];
        size_t a = 0;
        char program[4096];
        const bool twin = bl && bl->twin;
        snprintf(program, sizeof program, "%s/%s%s", x->bin_dir, twin ? "go-" : "", w->program);
        if (x->c->cachegrind) {
            snprintf(cgout, sizeof cgout, "--cachegrind-out-file=%s/cachegrind/trial-%zu.out",
                     x->dir, k);
            argv[a++] = "/usr/bin/valgrind";
            argv[a++] = "--tool=cachegrind";
            argv[a++] = "--cache-sim=yes";
            argv[a++] = cgout;
        }
        /* A baseline's wrapper, environment and extra flags; none for a twin's off run. */
        static struct baseline_cmd bc; /* large; one trial at a time */
        memset(&bc, 0, sizeof bc);
        if (bl && e->rate)
            bl->command(&bc, x->profiles, k, e->rate);
        for (size_t i = 0; i < bc.npre; i++)
            argv[a++] = (char *)bc.pre[i];
        snprintf(rate, sizeof rate, "%u", e->rate);
        argv[a++] = program;
        for (size_t i = 0; i < w->nargs; i++)
            argv[a++] = w->args[i];
        /* Keep profiles of truth trials (to score them) and of the first measured
         * block (one profile per configuration, for flame graphs); none under
         * cachegrind, which would count the symbolizer's misses as the profiler's. */
        const bool keep_profile = e->sampler && !e->baseline && !x->c->cachegrind &&
                                  (strcmp(w->program, "truth") == 0 || block == x->c->warmup);
        for (size_t i = 0; i < bc.npost; i++)
            argv[a++] = (char *)bc.post[i];
        static struct bench_sampler spec; /* its fields are in argv until the trial ends */
        if (e->sampler && !e->baseline) {
            char why[200];
            if (bench_sampler_parse(e->sampler, &spec, why, sizeof why) != 0) { /* checked */
                snprintf(x->err, x->err_size, "%s", why);
                cJSON_Delete(rec);
                return NULL;
            }
            argv[a++] = "--sampler";
            argv[a++] = spec.base;
            if (strcmp(spec.jitter, "none") != 0) {
                argv[a++] = "--jitter";
                argv[a++] = spec.jitter;
            }
            if (spec.no_interrupt)
                argv[a++] = "--no-interrupt";
            argv[a++] = "--unwinder";
            argv[a++] = (char *)e->unwinder;
            if (e->budget_pct > 0) { /* budget mode: the workload chooses its rate */
                snprintf(rate, sizeof rate, "%.15g%%", e->budget_pct);
                argv[a++] = "--max-overhead";
            } else {
                argv[a++] = "--hz";
            }
            argv[a++] = rate;
            if (keep_profile) {
                snprintf(profile, sizeof profile, "%s/trial-%zu.pb.gz", x->profiles, k);
                argv[a++] = "--profile-out";
                argv[a++] = profile;
            }
        }
        argv[a] = NULL;
        memset(pad, 'x', pad_len);
        pad[pad_len] = '\0';
        struct trial_output o = {0};
        if (run_process(argv, pad, (char *const *)bc.env, x->c->trial_timeout_s, x->cpu, &o, x->err,
                        x->err_size) != 0) {
            cJSON_Delete(rec);
            return NULL;
        }
        cJSON_AddNumberToObject(rec, "exit_status", o.status);
        cJSON_AddNumberToObject(rec, "process_seconds", o.seconds);
        cJSON_AddNumberToObject(rec, "process_cpu_seconds", o.cpu_seconds);
        cJSON *output = o.out ? cJSON_Parse(o.out) : NULL;
        if (output)
            cJSON_AddItemToObject(rec, "output", output);
        else
            cJSON_AddNullToObject(rec, "output");
        if (o.status == -1)
            cJSON_AddStringToObject(rec, "error", "timeout: killed");
        const char *said = cJSON_GetStringValue(cJSON_GetObjectItem(output, "error"));
        if (o.status != 0 && o.status != -1)
            cJSON_AddStringToObject(rec, "error", said ? said : o.err);
        if (o.status == 3 && output) { /* the profiler cannot run this: skip the rest */
            x->unavailable[cid] = strdup(said ? said : "unavailable");
            cJSON_AddStringToObject(rec, "unavailable", x->unavailable[cid]);
        }
        if (bl) {
            const char *raw = bc.out[0] ? bc.out : NULL;
            cJSON_AddBoolToObject(rec, "baseline", true);
            if (o.status == 0 && output && raw)
                record_baseline(output, e->sampler, e->rate, bl->samples(raw));
            if (raw && block != x->c->warmup)
                unlink(raw);
            else if (raw)
                keep_baseline_profile(rec, bl, raw, x->dir);
        }
        if (o.status == 0 && output && profile[0]) {
            if (strcmp(w->program, "truth") == 0)
                score_truth(rec, output, profile, bench_sampler_is_wall(e->sampler));
            if (block == x->c->warmup) /* one kept per configuration */
                cJSON_AddStringToObject(rec, "profile", profile + strlen(x->dir) + 1);
            else
                unlink(profile);
        }
        if (x->c->cachegrind) {
            cJSON *cg = cachegrind_summary(cgout + strlen("--cachegrind-out-file="));
            if (cg)
                cJSON_AddItemToObject(rec, "cachegrind", cg);
        }
        free(o.out);
    }
    return rec;
}

/* Appends a record to trials.jsonl, on disk before the next trial starts. Returns 0, or
 * the errno when it could not be written whole (the file keeps what it had: a partial
 * line is cut off by the next --resume). */
static int trial_record(struct run_ctx *x, cJSON *rec)
{
    char *line = cJSON_PrintUnformatted(rec);
    errno = 0;
    int rc = line && fprintf(x->out, "%s\n", line) > 0 && fflush(x->out) == 0 &&
                     fsync(fileno(x->out)) == 0
                 ? 0
             : errno ? errno
                     : EIO;
    free(line);
    return rc;
}

static void trial_label(const struct run_ctx *x, size_t cid, char *buf, size_t n)
{
    const struct bench_config_entry *e = &x->plan->configs[cid];
    char rate[48];
    if (e->budget_pct > 0)
        snprintf(rate, sizeof rate, "budget %g%%", e->budget_pct);
    else
        snprintf(rate, sizeof rate, "%u Hz", e->rate);
    snprintf(buf, n, "%s %s/%s %s", x->c->workloads[e->workload].name,
             e->sampler ? e->sampler : "off", e->unwinder ? e->unwinder : "-", rate);
}

/* Tells the caller that trial k of configuration cid is recorded (rec). */
static void trial_told(const struct run_ctx *x, size_t k, size_t cid, cJSON *rec)
{
    if (!x->p || !x->p->trial_done)
        return;
    char what[160];
    trial_label(x, cid, what, sizeof what);
    const double elapsed = now_s() - x->started, done = (double)x->finished;
    cJSON *status = cJSON_GetObjectItem(rec, "exit_status"); /* absent when skipped */
    const struct bench_trial_done t = {
        .trial = k,
        .done = x->finished,
        .total = x->total,
        .what = what,
        .elapsed_s = elapsed,
        .eta_s = done > 0 ? elapsed / done * (double)(x->total - x->finished) : 0,
        .skipped = cJSON_IsTrue(cJSON_GetObjectItem(rec, "skipped")),
        .exit_status = cJSON_IsNumber(status) ? status->valueint : 0,
        .error = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "error")),
    };
    x->p->trial_done(x->p->ctx, &t);
}

/* Runs trial k unless done; records it. Returns 0, or -1 with why the run stops in x->err. */
static int trial_do(struct run_ctx *x, size_t k, size_t cid, size_t mate, enum bench_role role,
                    size_t block)
{
    if (x->done[k])
        return 0;
    x->mate_config = mate;
    cJSON *rec = trial_run(x, k, cid, role, block);
    if (!rec)
        return -1;
    const int werr = trial_record(x, rec);
    if (werr) {
        cJSON_Delete(rec);
        snprintf(x->err, x->err_size,
                 "cannot write '%s/trials.jsonl': %s; stopped (what was written stays valid: "
                 "--resume %s continues)",
                 x->dir, strerror(werr), x->dir);
        return -1;
    }
    x->done[k] = true;
    x->finished++;
    trial_told(x, k, cid, rec);
    cJSON_Delete(rec);
    if (x->stop_after >= 0 && ++x->ran >= x->stop_after)
        _exit(137); /* test hook: as if killed */
    return 0;
}

/* The configurations the adaptive design still wants pairs of: targets whose paired cost
 * per sample has no interval yet or one wider than +-precision. Reads what trials.jsonl
 * holds now. Returns how many, ids in need[]. */
static size_t adaptive_needs(struct run_ctx *x, size_t *need)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/trials.jsonl", x->dir);
    cJSON *trials = bench_trials_load(path, NULL);
    struct trial_index ix;
    size_t n = 0;
    if (!trials || trial_index_make(trials, &ix) != 0) {
        cJSON_Delete(trials);
        return 0;
    }
    for (size_t cid = 0; cid < x->plan->nconfigs; cid++) {
        const struct bench_config_entry *e = &x->plan->configs[cid];
        const char *wname = x->c->workloads[e->workload].name;
        if (x->unavailable[cid] ||
            !bench_config_is_target(x->c, wname, e->sampler, e->unwinder, e->rate))
            continue;
        cJSON *p = bench_pairs_config(&ix, wname, e->sampler, e->unwinder, e->rate, e->baseline,
                                      NAN, x->c->seed);
        double half;
        bool reachable;
        const bool met = bench_pairs_meets(p, e->rate, x->c->precision, &half, &reachable);
        if (!reachable) { /* a tick sampler above CONFIG_HZ: no target */
            cJSON_Delete(p);
            continue;
        }
        if (!met && p) /* no pairs at all (every trial failed): more would not help */
            need[n++] = cid;
        cJSON_Delete(p);
    }
    trial_index_free(&ix);
    cJSON_Delete(trials);
    return n;
}

/* One adaptive round from trial number *next: a pair per needed configuration and an
 * A/A pair per workload, shuffled, the order within each pair drawn. */
static int adaptive_round(struct run_ctx *x, const size_t *need, size_t nneed, size_t block,
                          size_t *next)
{
    size_t *units = calloc(nneed + x->c->nworkloads, sizeof *units);
    if (!units) {
        snprintf(x->err, x->err_size, "out of memory");
        return -1;
    }
    size_t nu = 0;
    for (size_t i = 0; i < nneed; i++)
        units[nu++] = need[i];
    for (size_t cid = 0; cid < x->plan->nconfigs; cid++)
        if (!x->plan->configs[cid].sampler)
            units[nu++] = cid; /* the workloads' off configurations: A/A */
    struct rng r;
    rng_seed(&r, x->c->seed * 1000003u + block);
    for (size_t i = nu; i > 1; i--) {
        size_t j = rng_below(&r, i), t = units[i - 1];
        units[i - 1] = units[j];
        units[j] = t;
    }
    int rc = 0;
    for (size_t i = 0; i < nu && rc == 0; i++, *next += 2) {
        const size_t u = units[i];
        if (!x->plan->configs[u].sampler) {
            rc = trial_do(x, *next, u, u, BENCH_ROLE_AA, block);
            if (rc == 0)
                rc = trial_do(x, *next + 1, u, u, BENCH_ROLE_AA, block);
            continue;
        }
        const size_t off = bench_plan_off_of(x->plan, u);
        const bool on_first = rng_below(&r, 2) == 1;
        rc = trial_do(x, *next, on_first ? u : off, on_first ? off : u,
                      on_first ? BENCH_ROLE_ON : BENCH_ROLE_OFF, block);
        if (rc == 0)
            rc = trial_do(x, *next + 1, on_first ? off : u, on_first ? u : off,
                          on_first ? BENCH_ROLE_OFF : BENCH_ROLE_ON, block);
    }
    free(units);
    return rc;
}

int bench_run(const struct bench_config *c, const char *dir, const char *bin_dir, bool resume,
              const struct bench_progress *p, char *err, size_t err_size)
{
    if (err_size)
        err[0] = '\0';
    struct bench_plan plan;
    if (bench_plan_make(c, &plan) != 0) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    char path[4096], profiles[4096], cg[4096];
    snprintf(path, sizeof path, "%s/trials.jsonl", dir);
    snprintf(profiles, sizeof profiles, "%s/profiles", dir);
    snprintf(cg, sizeof cg, "%s/cachegrind", dir);
    struct run_ctx x = {.p = p,
                        .err = err,
                        .err_size = err_size,
                        .c = c,
                        .plan = &plan,
                        .dir = dir,
                        .bin_dir = bin_dir,
                        .profiles = profiles,
                        .cpu = -1};
    x.done = calloc(BENCH_MAX_TRIALS, sizeof *x.done);
    x.unavailable = calloc(plan.nconfigs, sizeof *x.unavailable);
    size_t *need = calloc(plan.nconfigs, sizeof *need);
    int rc = -1;
    size_t damaged = 0;
    long max_trial = -1;
    if (!x.done || !x.unavailable || !need) {
        snprintf(err, err_size, "out of memory");
        goto out;
    }
    const char *cant = mkdir(profiles, 0777) != 0 && errno != EEXIST              ? profiles
                       : c->cachegrind && mkdir(cg, 0777) != 0 && errno != EEXIST ? cg
                                                                                  : NULL;
    if (cant) {
        snprintf(err, err_size, "cannot create '%s': %s", cant, strerror(errno));
        goto out;
    }
    if (resume && load_done(&x, path, &damaged, &max_trial) != 0) {
        snprintf(err, err_size, "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    if (damaged && p && p->note) {
        char line[4200];
        snprintf(line, sizeof line, "%s: %zu damaged line%s kept and skipped", path, damaged,
                 damaged == 1 ? "" : "s");
        p->note(p->ctx, line);
    }
    if (!(x.out = fopen(path, "a"))) {
        snprintf(err, err_size, "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    for (size_t k = 0; k < plan.ntrials; k++)
        x.finished += x.done[k];
    x.total = plan.ntrials;
    x.cpu = pin_harness(&x.saved_mask);
    const char *stop_env = getenv("HZPROF_BENCH_STOP_AFTER");
    x.stop_after = stop_env ? strtol(stop_env, NULL, 10) : -1;
    x.started = now_s();
    rc = 0;
    for (size_t k = 0; k < plan.ntrials && rc == 0; k++)
        rc = trial_do(&x, k, plan.order[k], plan.order[k ^ 1], plan.role[k],
                      k / (2 * plan.pairs_per_block));
    /* Adaptive rounds (bench_config.h), numbered after the plan and after any adaptive
     * trials a resumed run already holds. */
    size_t next = plan.ntrials, block = plan.nblocks;
    if (max_trial >= (long)next) {
        next = ((size_t)max_trial + 2) & ~(size_t)1;      /* pairs start at even numbers */
        block = plan.nblocks + (next - plan.ntrials) / 2; /* distinct, not contiguous */
    }
    while (rc == 0 && c->precision > 0 && block < c->warmup + c->max_repetitions &&
           now_s() - x.started < c->budget_s && next + 2 * plan.nconfigs < BENCH_MAX_TRIALS) {
        const size_t nneed = adaptive_needs(&x, need);
        if (!nneed)
            break;
        x.total = x.finished + 2 * (nneed + c->nworkloads);
        rc = adaptive_round(&x, need, nneed, block++, &next);
    }
    if (fclose(x.out) != 0 && rc == 0) {
        snprintf(err, err_size, "cannot write '%s': %s", path, strerror(errno));
        rc = -1;
    }
    x.out = NULL;
    if (rc == 0) {
        const int failed = bench_summarize(c, dir, err, err_size);
        rc = failed < 0 ? -1 : failed > 0 ? BENCH_SOME_FAILED : 0;
    }
out:
    if (x.cpu >= 0)
        sched_setaffinity(0, sizeof x.saved_mask, &x.saved_mask);
    if (x.out)
        fclose(x.out);
    for (size_t i = 0; x.unavailable && i < plan.nconfigs; i++)
        free(x.unavailable[i]);
    free(x.unavailable);
    free(x.done);
    free(need);
    bench_plan_free(&plan);
    return rc;
}
