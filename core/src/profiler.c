/*
 * profiler.c — the session lifecycle: hzprof_start, hzprof_stop, statistics, output.
 *
 * Start order matters: the calling thread registers and the process's threads are
 * scanned first (so the reader thread, created next, is not among them); the handler is
 * installed and the session published (enabled = 1) before any timer is armed, so no
 * early signal is lost or misread. Stop runs the same steps backwards; see session.h for
 * the handshake that makes freeing the ring safe. A failure at any step undoes the steps
 * before it, so a failed start leaves nothing armed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "budget.h"
#include "error.h"
#include "folded.h"
#include "handler.h"
#include "map.h"
#include "pprof/build.h"
#include "pprof/pprof_encode.h"
#include "reader.h"
#include "samplers/jitter.h"
#include "session.h"
#include "symbols.h"
#include "threads.h"

static pthread_mutex_t lifecycle_lock = PTHREAD_MUTEX_INITIALIZER;
static int running;
static int have_profile;
static struct map profile;
static struct hzprof_config active_cfg;
static const struct sampler_ops *active_sampler; /* active_cfg.sampler's */
static struct timespec wall_start, cpu_start, realtime_start;
static double last_wall_seconds, last_cpu_seconds;
static struct hzprof_stats last_stats;
static struct budget_info active_budget; /* budget mode's choice (budget.h); zero if off */

void hzprof_config_init(struct hzprof_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rate_hz = HZPROF_DEFAULT_RATE_HZ;
    cfg->sampler = "thread-timer";
    cfg->unwinder = "libunwind";
    cfg->max_depth = HZPROF_DEFAULT_MAX_DEPTH;
    cfg->ring_words = HZPROF_DEFAULT_RING_WORDS;
}

static void names_list(const char *const *names, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
}

static int config_resolve(const struct hzprof_config *in, struct hzprof_config *out,
                          const struct sampler_ops **sampler, const struct unwinder_ops **unwinder)
{
    char valid[256];
    hzprof_config_init(out);
    if (in)
        *out = *in;
    if (!out->sampler)
        out->sampler = "thread-timer";
    if (!out->unwinder)
        out->unwinder = "libunwind";
    *sampler = sampler_find(out->sampler);
    if (!*sampler) {
        names_list(hzprof_sampler_names(), valid, sizeof valid);
        return error_set(HZPROF_ERR_UNKNOWN_SAMPLER, "unknown sampler '%s' (valid: %s)",
                         out->sampler, valid);
    }
    *unwinder = unwinder_find(out->unwinder);
    if (!*unwinder) {
        names_list(hzprof_unwinder_names(), valid, sizeof valid);
        return error_set(HZPROF_ERR_UNKNOWN_UNWINDER, "unknown unwinder '%s' (valid: %s)",
                         out->unwinder, valid);
    }
    int rc = budget_check(out);
    if (rc != HZPROF_OK)
        return rc;
    if (out->max_overhead != 0)
        out->rate_hz = 1; /* ignored: budget.c chooses it at start */
    if (out->rate_hz < 1)
        return error_set(HZPROF_ERR_INVALID, "rate %u Hz out of range 1..%u", out->rate_hz,
                         HZPROF_MAX_RATE_HZ);
    rc = sampler_rate_check(*sampler, out->rate_hz, sampler_kernel_max_rate());
    if (rc != HZPROF_OK)
        return rc;
    if (out->max_depth < 1 || out->max_depth > HZPROF_MAX_DEPTH_LIMIT)
        return error_set(HZPROF_ERR_INVALID, "max depth %u out of range 1..%u", out->max_depth,
                         HZPROF_MAX_DEPTH_LIMIT);
    if (out->ring_words < HZPROF_MIN_RING_WORDS || (out->ring_words & (out->ring_words - 1)))
        return error_set(HZPROF_ERR_INVALID, "ring capacity %zu words is not a power of two >= %u",
                         out->ring_words, HZPROF_MIN_RING_WORDS);
    const int jitter = jitter_parse(out->jitter);
    if (jitter < 0)
        return error_set(HZPROF_ERR_INVALID, "unknown jitter '%s' (valid: none, uniform, exp)",
                         out->jitter);
    if (jitter != JITTER_NONE && !(*sampler)->jitter_ok)
        return error_set(HZPROF_ERR_INVALID,
                         "%s cannot jitter its intervals (%s): use perf-clock, wall or wall-timer",
                         out->sampler,
                         (*sampler)->thread_arm || (*sampler)->start
                             ? "its timer expires on the kernel tick or counts hardware events, "
                               "so an interval cannot be drawn finer than the tick"
                             : "it has no timer");
    if (out->no_interrupt && !(*sampler)->no_interrupt_ok)
        return error_set(HZPROF_ERR_INVALID,
                         "no-interrupt is a mode of the wall sampler only (%s: %s)", out->sampler,
                         (*sampler)->wall_clock
                             ? "the kernel signals each thread itself, blocked or not"
                             : "CPU samplers never signal a blocked thread's own timer");
    out->jitter = jitter_name(jitter);
    out->no_interrupt = out->no_interrupt != 0;
    return HZPROF_OK;
}

int hzprof_config_check(const struct hzprof_config *cfg)
{
    struct hzprof_config c;
    const struct sampler_ops *sampler;
    const struct unwinder_ops *unwinder;
    int rc = config_resolve(cfg, &c, &sampler, &unwinder);
    if (rc != HZPROF_OK || !sampler->probe)
        return rc;
    const struct sampler_params params = {.rate_hz = c.rate_hz,
                                          .period_ns = 1000000000u / c.rate_hz,
                                          .jitter = jitter_parse(c.jitter),
                                          .no_interrupt = c.no_interrupt};
    return sampler->probe(&params);
}

static double seconds_since(const struct timespec *t0, clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Waits until no handler is inside the session (see session.h). */
static void session_quiesce(void)
{
    __atomic_store_n(&hz_session.enabled, 0, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&hz_session.handlers_active, __ATOMIC_SEQ_CST) != 0)
        sched_yield();
}

static void session_release(void)
{
    ring_destroy(hz_session.ring);
    hz_session.ring = NULL;
    if (hz_session.wake_fd >= 0)
        close(hz_session.wake_fd);
    hz_session.wake_fd = -1;
}

static void session_reset(const struct hzprof_config *cfg, const struct sampler_ops *sampler,
                          const struct unwinder_ops *unwinder)
{
    hz_session.sampler = sampler;
    hz_session.unwinder = unwinder;
    hz_session.max_depth = cfg->max_depth;
    hz_session.period_ns = 1000000000u / cfg->rate_hz;
    hz_session.jitter = jitter_parse(cfg->jitter);
    hz_session.generation++;
    hz_session.wake_pending = 0;
    hz_session.pid = getpid();
    hz_session.samples_taken = 0;
    hz_session.samples_off_cpu = 0;
    hz_session.stacks_truncated = 0;
    hz_session.samples_low_stack = 0;
    hz_session.samples_missed = 0;
    hz_session.unsampled_cpu_ns = 0;
    hz_session.handler_ns_total = 0;
    hz_session.handler_ns_max = 0;
}

static int start_locked(const struct hzprof_config *in)
{
    const struct sampler_ops *sampler = NULL;
    const struct unwinder_ops *unwinder = NULL;
    struct hzprof_config cfg;
    int rc = config_resolve(in, &cfg, &sampler, &unwinder);
    if (rc != HZPROF_OK)
        return rc;
    /* Before the scan: a thread created from now on registers itself (threads.h). */
    threads_set_session(unwinder);
    if ((rc = hzprof_thread_register()) != HZPROF_OK ||
        (rc = threads_scan_process()) != HZPROF_OK) {
        threads_set_session(NULL);
        return rc;
    }
    if (unwinder->thread_init)
        unwinder->thread_init(); /* this thread may have registered before the session */
    int err = -handler_install();
    if (err) {
        threads_set_session(NULL);
        return error_set_errno(HZPROF_ERR_SYSTEM, err, "sigaction(SIGPROF)");
    }

    map_free(&profile);
    have_profile = 0;
    hz_session.ring = ring_create(cfg.ring_words);
    if (!hz_session.ring)
        return error_set(HZPROF_ERR_NO_MEMORY, "cannot allocate a ring of %zu words",
                         cfg.ring_words);
    hz_session.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (hz_session.wake_fd < 0) {
        rc = error_set_errno(HZPROF_ERR_SYSTEM, errno, "eventfd");
        goto fail_release;
    }
    session_reset(&cfg, sampler, unwinder);
    if ((err = reader_start(&profile)) != 0) {
        rc = error_set_errno(HZPROF_ERR_SYSTEM, err, "creating the reader thread");
        goto fail_release;
    }
    __atomic_store_n(&hz_session.enabled, 1, __ATOMIC_SEQ_CST);

    const struct sampler_params params = {.rate_hz = cfg.rate_hz,
                                          .period_ns = hz_session.period_ns,
                                          .jitter = hz_session.jitter,
                                          .no_interrupt = cfg.no_interrupt};
    if (sampler->start && (rc = sampler->start(&params)) != HZPROF_OK)
        goto fail_reader;
    if ((rc = threads_arm_all(sampler, &params)) != HZPROF_OK) {
        if (sampler->stop)
            sampler->stop();
        goto fail_reader;
    }
    active_cfg = cfg;
    active_sampler = sampler;
    clock_gettime(CLOCK_MONOTONIC, &wall_start);
    clock_gettime(CLOCK_REALTIME, &realtime_start);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
    running = 1;
    error_clear();
    return HZPROF_OK;

fail_reader:
    session_quiesce();
    reader_stop();
    map_free(&profile);
fail_release:
    session_release();
    threads_set_session(NULL);
    return rc;
}

int profiler_start(const struct hzprof_config *cfg, const struct budget_info *budget)
{
    pthread_mutex_lock(&lifecycle_lock);
    int rc = running ? error_set(HZPROF_ERR_RUNNING, "hzprof_start: already profiling")
                     : start_locked(cfg);
    if (rc == HZPROF_OK) {
        memset(&active_budget, 0, sizeof active_budget);
        if (budget)
            active_budget = *budget;
    }
    pthread_mutex_unlock(&lifecycle_lock);
    return rc;
}

int hzprof_start(const struct hzprof_config *cfg)
{
    if (cfg && cfg->max_overhead != 0) /* budget mode: it calibrates, then starts */
        return budget_start(cfg);
    return profiler_start(cfg, NULL);
}

void profiler_discard(void)
{
    pthread_mutex_lock(&lifecycle_lock);
    if (!running) {
        map_free(&profile);
        have_profile = 0;
        memset(&last_stats, 0, sizeof last_stats);
        memset(&active_budget, 0, sizeof active_budget);
    }
    pthread_mutex_unlock(&lifecycle_lock);
}

static void stats_fill(struct hzprof_stats *st, double wall_s, double cpu_s)
{
    memset(st, 0, sizeof *st);
    st->samples_taken = __atomic_load_n(&hz_session.samples_taken, __ATOMIC_RELAXED);
    st->samples_recorded = ring_written_total(hz_session.ring);
    st->samples_lost = ring_lost_total(hz_session.ring);
    st->samples_off_cpu = __atomic_load_n(&hz_session.samples_off_cpu, __ATOMIC_RELAXED);
    st->stacks_truncated = __atomic_load_n(&hz_session.stacks_truncated, __ATOMIC_RELAXED);
    st->samples_low_stack = __atomic_load_n(&hz_session.samples_low_stack, __ATOMIC_RELAXED);
    st->samples_missed = __atomic_load_n(&hz_session.samples_missed, __ATOMIC_RELAXED);
    st->unsampled_cpu_ns = __atomic_load_n(&hz_session.unsampled_cpu_ns, __ATOMIC_RELAXED);
    st->handler_ns_total = __atomic_load_n(&hz_session.handler_ns_total, __ATOMIC_RELAXED);
    st->handler_ns_max = __atomic_load_n(&hz_session.handler_ns_max, __ATOMIC_RELAXED);
    st->threads_seen = reader_threads_seen();
    if (hz_session.unwinder && hz_session.unwinder->no_record) /* no records to count */
        st->threads_seen = threads_armed_total();
    st->wall_seconds = wall_s;
    st->cpu_seconds = cpu_s;
    st->rate_hz = active_cfg.rate_hz;
    snprintf(st->sampler, sizeof st->sampler, "%s", active_cfg.sampler);
    snprintf(st->unwinder, sizeof st->unwinder, "%s", active_cfg.unwinder);
    st->max_overhead = active_budget.max_overhead;
    st->predicted_overhead = active_budget.predicted_overhead;
    st->cost_ns_per_sample = active_budget.cost_ns;
    st->budget_ceiling_hz = active_budget.ceiling_hz;
    st->cost_calibrated = active_budget.calibrated;
    if (active_sampler && active_sampler->wall_clock)
        st->achieved_hz = wall_s > 0 && st->threads_seen
                              ? (double)st->samples_taken / (wall_s * (double)st->threads_seen)
                              : 0;
    else
        st->achieved_hz = cpu_s > 0 ? (double)st->samples_taken / cpu_s : 0;
}

int hzprof_stop(void)
{
    pthread_mutex_lock(&lifecycle_lock);
    if (!running) {
        pthread_mutex_unlock(&lifecycle_lock);
        return error_set(HZPROF_ERR_NOT_RUNNING, "hzprof_stop: not profiling");
    }
    const int taken = !handler_is_installed();
    threads_set_session(NULL);
    threads_disarm_all();
    if (hz_session.sampler->stop)
        hz_session.sampler->stop();
    last_wall_seconds = seconds_since(&wall_start, CLOCK_MONOTONIC);
    last_cpu_seconds = seconds_since(&cpu_start, CLOCK_PROCESS_CPUTIME_ID);
    session_quiesce();
    reader_stop();
    stats_fill(&last_stats, last_wall_seconds, last_cpu_seconds);
    last_stats.sigprof_taken = taken;
    session_release();
    running = 0;
    have_profile = 1;
    pthread_mutex_unlock(&lifecycle_lock);
    return HZPROF_OK;
}

int hzprof_running(void)
{
    pthread_mutex_lock(&lifecycle_lock);
    int r = running;
    pthread_mutex_unlock(&lifecycle_lock);
    return r;
}

int hzprof_get_stats(struct hzprof_stats *out)
{
    pthread_mutex_lock(&lifecycle_lock);
    int rc = HZPROF_OK;
    if (running)
        stats_fill(out, seconds_since(&wall_start, CLOCK_MONOTONIC),
                   seconds_since(&cpu_start, CLOCK_PROCESS_CPUTIME_ID));
    else if (have_profile)
        *out = last_stats;
    else
        rc = error_set(HZPROF_ERR_NO_PROFILE, "no profiling session yet");
    pthread_mutex_unlock(&lifecycle_lock);
    return rc;
}

/* Builds the pprof model of the last profile (lifecycle_lock held). */
static int build_profile_locked(struct pp_profile *pp)
{
    if (!have_profile)
        return error_set(HZPROF_ERR_NO_PROFILE,
                         running ? "stop the profiler before writing" : "no profile recorded yet");
    struct symbolizer *sym = symbolizer_open();
    if (!sym)
        return error_set(HZPROF_ERR_NO_MEMORY, "cannot start the symbolizer");
    char settings[200], totals[160], version[64], budget[224] = "";
    snprintf(version, sizeof version, "hzprof %s", HZPROF_VERSION);
    snprintf(settings, sizeof settings, "sampler=%s unwinder=%s rate=%uHz max_depth=%u%s%s%s",
             active_cfg.sampler, active_cfg.unwinder, active_cfg.rate_hz, active_cfg.max_depth,
             strcmp(active_cfg.jitter, "none") ? " jitter=" : "",
             strcmp(active_cfg.jitter, "none") ? active_cfg.jitter : "",
             active_cfg.no_interrupt ? " no_interrupt=1" : "");
    snprintf(
        totals, sizeof totals, "samples=%llu lost=%llu truncated=%llu achieved=%.0fHz threads=%llu",
        (unsigned long long)last_stats.samples_taken, (unsigned long long)last_stats.samples_lost,
        (unsigned long long)last_stats.stacks_truncated, last_stats.achieved_hz,
        (unsigned long long)last_stats.threads_seen);
    if (active_budget.max_overhead > 0) { /* budget mode: what it chose, and from what */
        char ceiling[64] = "";
        if (active_budget.ceiling_hz > 0)
            snprintf(ceiling, sizeof ceiling, " ceiling=%.0fHz", active_budget.ceiling_hz);
        snprintf(budget, sizeof budget,
                 "budget: max_overhead=%.3g%% chosen_rate=%uHz predicted_overhead=%.3g%% "
                 "cost_per_sample=%.0fns (%s)%s",
                 100 * active_budget.max_overhead, active_cfg.rate_hz,
                 100 * active_budget.predicted_overhead, active_budget.cost_ns,
                 active_budget.calibrated ? "calibrated" : "given", ceiling);
    }
    struct build_info info = {
        .sample_kind = active_sampler->wall_clock ? "wall" : "cpu",
        .period_ns = 1000000000u / active_cfg.rate_hz,
        .time_nanos = (int64_t)realtime_start.tv_sec * 1000000000 + realtime_start.tv_nsec,
        .duration_nanos = (int64_t)(last_wall_seconds * 1e9),
        .comments = {version, settings, totals, budget[0] ? budget : NULL, NULL},
    };
    int rc = pprof_build(pp, &profile, sym, &info);
    symbolizer_close(sym);
    return rc == 0 ? HZPROF_OK : error_set(HZPROF_ERR_NO_MEMORY, "cannot build the profile");
}

/* Writes `len` bytes, or calls write_fn, into a temporary file beside `path`, then
 * renames it over `path`, so a failed write never leaves half a file behind. */
static int write_file_atomically(const char *path, int (*write_fn)(FILE *, void *), void *ctx)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
        return error_set(HZPROF_ERR_INVALID, "output path too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return error_set_errno(HZPROF_ERR_IO, errno, "cannot write '%s'", path);
    errno = 0;
    int werr = write_fn(f, ctx) != 0 ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !werr)
        werr = errno;
    if (!werr && rename(tmp, path) != 0)
        werr = errno;
    if (werr) {
        unlink(tmp);
        return error_set_errno(HZPROF_ERR_IO, werr, "cannot write '%s'", path);
    }
    return HZPROF_OK;
}

struct folded_ctx {
    const struct pp_profile *pp;
    unsigned flags;
};

static int write_folded_fn(FILE *f, void *ctx)
{
    const struct folded_ctx *c = ctx;
    return folded_write(c->pp, 0, c->flags & HZPROF_FOLDED_LABELS ? FOLDED_LABELS : 0, f);
}

int hzprof_write_folded(const char *path, unsigned flags)
{
    pthread_mutex_lock(&lifecycle_lock);
    struct pp_profile pp;
    int rc = build_profile_locked(&pp);
    if (rc == HZPROF_OK) {
        struct folded_ctx c = {&pp, flags};
        rc = write_file_atomically(path, write_folded_fn, &c);
        profile_free(&pp);
    }
    pthread_mutex_unlock(&lifecycle_lock);
    return rc;
}

struct bytes_ctx {
    const uint8_t *data;
    size_t len;
};

static int write_bytes_fn(FILE *f, void *ctx)
{
    const struct bytes_ctx *c = ctx;
    return fwrite(c->data, 1, c->len, f) == c->len ? 0 : -1;
}

int hzprof_write_pprof(const char *path)
{
    pthread_mutex_lock(&lifecycle_lock);
    struct pp_profile pp;
    int rc = build_profile_locked(&pp);
    if (rc == HZPROF_OK) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        if (pprof_encode(&pp, &bytes, &len) != 0)
            rc = error_set(HZPROF_ERR_NO_MEMORY, "cannot encode the profile");
        else
            rc = write_file_atomically(path, write_bytes_fn, &(struct bytes_ctx){bytes, len});
        free(bytes);
        profile_free(&pp);
    }
    pthread_mutex_unlock(&lifecycle_lock);
    return rc;
}

/* A forked child has none of the parent's threads (no reader, no timers of its own):
 * it must ignore any SIGPROF still in flight and start with a clean slate. Recording a
 * profile of the child is for the child to start. */
static void child_after_fork(void)
{
    __atomic_store_n(&hz_session.enabled, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&hz_session.handlers_active, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_init(&lifecycle_lock, NULL);
    running = 0;
    threads_after_fork_child();
}

__attribute__((constructor)) static void profiler_init(void)
{
    pthread_atfork(NULL, NULL, child_after_fork);
}
