/*
 * preload.c — libhzprof_preload.so: profiles any program, unmodified, through LD_PRELOAD.
 *
 * Configuration comes from the environment (set by `hzprof record`, or by hand):
 *   HZPROF_OUTPUT     pprof output path (.pb.gz); default hzprof.pb.gz if neither output
 *                     variable is set
 *   HZPROF_FOLDED     folded-stacks output path
 *   HZPROF_RATE       samples per second (default 100)
 *   HZPROF_SAMPLER    sampler name (default thread-timer)
 *   HZPROF_UNWINDER   unwinder name (default libunwind)
 *   HZPROF_JITTER     none (default), uniform or exp: random sampling intervals
 *   HZPROF_NO_INTERRUPT  1: the wall sampler never signals a blocked thread
 *   HZPROF_MAX_DEPTH  frames per sample (default 64)
 *   HZPROF_MAX_OVERHEAD  budget mode: the most CPU profiling may add, a percentage
 *                     ("1%", "0.5%", "1"); the rate is chosen for it at start (see
 *                     hzprof_config.max_overhead), so HZPROF_RATE must not be set too
 *   HZPROF_COST_FILE  budget mode: the cost per sample from this `hzprof cost --json`
 *                     file (cost_file.h) instead of a calibration at start
 *   HZPROF_PID        profile only the process with this pid; set to our own pid when
 *                     absent, so children that inherit the environment stay unprofiled
 *   HZPROF_STATS      where to write a one-line summary (for `hzprof record`)
 *
 * Lifecycle. A constructor starts profiling before main. The profile is written when the
 * program returns from main or calls exit (an atexit handler, registered first so it runs
 * after the program's own), when it is stopped by SIGINT, SIGTERM or SIGHUP (if it left them at
 * their default action: our handler wakes a helper thread, which writes the profile and
 * re-raises the signal with the default action, so the exit status is the same), or just
 * before it replaces itself with execve (the new image is not profiled: HZPROF_PID is
 * changed in the environment it gets; an exec that cannot start, no such file or not
 * executable, does not end profiling, and one that fails anyway is reported). A forked child stops
 * sampling at once (see profiler.c) and never writes. Programs that end with _exit(2) or a fatal
 * signal write nothing.
 *
 * SIGNAL-HANDLER CODE: termination_handler only calls write(2) on a pipe.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cost_file.h"
#include "hzprof.h"
#include "threads.h"

static pid_t profiled_pid;
static int profiling;
static pthread_mutex_t finish_lock = PTHREAD_MUTEX_INITIALIZER;
static int finished;
static int signal_pipe[2] = {-1, -1};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, (size_t)n);
    (void)ignored;
}

static int env_unsigned(const char *name, unsigned lo, unsigned hi, unsigned *out)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end || n < lo || n > hi) {
        say("hzprof: %s='%s' is not an integer in %u..%u; not profiling", name, v, lo, hi);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* Budget mode from HZPROF_MAX_OVERHEAD and HZPROF_COST_FILE into cfg (whose sampler and
 * unwinder are set), with *cal holding a cost read from a file. Returns 0, or -1 after
 * saying why, in the style of env_unsigned. */
static int env_budget(struct hzprof_config *cfg, struct hzprof_calibration *cal)
{
    const char *budget = getenv("HZPROF_MAX_OVERHEAD");
    const char *cost = getenv("HZPROF_COST_FILE");
    const char *rate = getenv("HZPROF_RATE");
    if (!budget || !*budget) {
        if (cost && *cost) {
            say("hzprof: HZPROF_COST_FILE is set without HZPROF_MAX_OVERHEAD (the cost only "
                "serves a budget); not profiling");
            return -1;
        }
        return 0;
    }
    if (hzprof_overhead_parse(budget, &cfg->max_overhead) != HZPROF_OK) {
        say("hzprof: HZPROF_MAX_OVERHEAD=%s; not profiling", hzprof_error_detail());
        return -1;
    }
    if (rate && *rate) {
        say("hzprof: HZPROF_RATE and HZPROF_MAX_OVERHEAD are both set: give a rate or a budget "
            "(which chooses the rate), not both; not profiling");
        return -1;
    }
    if (cost && *cost) {
        char err[512];
        if (cost_file_read(cost, cfg->sampler, cfg->unwinder, cal, err, sizeof err) != 0) {
            say("hzprof: HZPROF_COST_FILE: %s; not profiling", err);
            return -1;
        }
        cfg->calibration = cal;
    }
    return 0;
}

static void write_stats(const char *outputs)
{
    const char *path = getenv("HZPROF_STATS");
    struct hzprof_stats st;
    if (!path || !*path || hzprof_get_stats(&st) != HZPROF_OK)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f,
            "samples=%llu lost=%llu missed=%llu unsampled_ns=%llu truncated=%llu off_cpu=%llu "
            "low_stack=%llu achieved_hz=%.1f "
            "threads=%llu "
            "cpu_seconds=%.3f wall_seconds=%.3f handler_ns=%llu sampler=%s unwinder=%s "
            "rate=%u max_overhead=%.6g predicted_overhead=%.6g cost_ns=%.1f ceiling_hz=%.1f "
            "calibrated=%d outputs=%s\n",
            (unsigned long long)st.samples_taken, (unsigned long long)st.samples_lost,
            (unsigned long long)st.samples_missed, (unsigned long long)st.unsampled_cpu_ns,
            (unsigned long long)st.stacks_truncated, (unsigned long long)st.samples_off_cpu,
            (unsigned long long)st.samples_low_stack, st.achieved_hz,
            (unsigned long long)st.threads_seen, st.cpu_seconds, st.wall_seconds,
            (unsigned long long)st.handler_ns_total, st.sampler, st.unwinder, st.rate_hz,
            st.max_overhead, st.predicted_overhead, st.cost_ns_per_sample, st.budget_ceiling_hz,
            st.cost_calibrated, outputs);
    fclose(f);
}

/* Stops profiling and writes the outputs, once, in the profiled process only. */
static void finish(void)
{
    if (getpid() != profiled_pid)
        return;
    pthread_mutex_lock(&finish_lock);
    if (finished || !profiling) {
        pthread_mutex_unlock(&finish_lock);
        return;
    }
    finished = 1;
    hzprof_stop();
    /* Never silent about a program that took SIGPROF from us (issue 14 #16). */
    struct hzprof_stats st;
    if (hzprof_get_stats(&st) == HZPROF_OK) {
        if (st.sigprof_taken)
            say("hzprof: the program installed its own SIGPROF handler or ignored SIGPROF: "
                "sampling stopped there (%llu samples before)",
                (unsigned long long)st.samples_taken);
        else if (!(hzprof_sampler_caps(st.sampler) & HZPROF_CAP_WALL) &&
                 st.cpu_seconds * st.rate_hz >= 20 &&
                 st.achieved_hz < 0.2 * (st.rate_hz < 250 ? st.rate_hz : 250) &&
                 st.unsampled_cpu_ns < 0.05e9 * st.cpu_seconds)
            /* Far under even a 250 Hz tick, and not for threads too short to be sampled
             * (the summary says so then): the signal is not getting through. */
            say("hzprof: %llu samples in %.2f CPU s (%.0f Hz of %u asked): does the program "
                "block SIGPROF?",
                (unsigned long long)st.samples_taken, st.cpu_seconds, st.achieved_hz, st.rate_hz);
    }
    const char *pprof_path = getenv("HZPROF_OUTPUT");
    const char *folded_path = getenv("HZPROF_FOLDED");
    if ((!pprof_path || !*pprof_path) && (!folded_path || !*folded_path))
        pprof_path = "hzprof.pb.gz";
    char outputs[1024] = "";
    if (pprof_path && *pprof_path) {
        if (hzprof_write_pprof(pprof_path) != HZPROF_OK)
            say("hzprof: %s", hzprof_error_detail());
        else
            snprintf(outputs, sizeof outputs, "%s", pprof_path);
    }
    if (folded_path && *folded_path) {
        if (hzprof_write_folded(folded_path, 0) != HZPROF_OK)
            say("hzprof: %s", hzprof_error_detail());
        else
            snprintf(outputs + strlen(outputs), sizeof outputs - strlen(outputs), "%s%s",
                     outputs[0] ? "," : "", folded_path);
    }
    write_stats(outputs[0] ? outputs : "-");
    pthread_mutex_unlock(&finish_lock);
}

static void termination_handler(int sig)
{
    const int saved = errno;
    unsigned char s = (unsigned char)sig;
    ssize_t ignored = write(signal_pipe[1], &s, 1);
    (void)ignored;
    errno = saved;
}

static void *termination_watcher(void *unused)
{
    (void)unused;
    unsigned char s;
    ssize_t n;
    do
        n = read(signal_pipe[0], &s, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        return NULL;
    finish();
    signal(s, SIG_DFL);
    kill(getpid(), s); /* process-directed: delivered to a thread that does not block it */
    return NULL;
}

static void catch_termination(void)
{
    if (pipe2(signal_pipe, O_CLOEXEC) != 0)
        return;
    /* The watcher blocks every signal, so it never runs a handler itself. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
        (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(
            RTLD_NEXT, "pthread_create");
    int rc = create ? create(&t, NULL, termination_watcher, NULL) : -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return;
    pthread_detach(t);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP}; /* a closed terminal too */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction cur;
        if (sigaction(sigs[i], NULL, &cur) != 0 || cur.sa_handler != SIG_DFL)
            continue; /* ignored or handled by the program: leave it alone */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = termination_handler;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

__attribute__((constructor)) static void preload_start(void)
{
    const char *pid_env = getenv("HZPROF_PID");
    if (pid_env && *pid_env && strtol(pid_env, NULL, 10) != (long)getpid()) {
        threads_process_unprofiled(); /* a child of the profiled program: costs nothing */
        return;
    }
    profiled_pid = getpid();
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)profiled_pid);
    setenv("HZPROF_PID", pid_text, 1);

    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    if (env_unsigned("HZPROF_RATE", 1, HZPROF_MAX_RATE_HZ, &cfg.rate_hz) != 0 ||
        env_unsigned("HZPROF_MAX_DEPTH", 1, HZPROF_MAX_DEPTH_LIMIT, &cfg.max_depth) != 0)
        return;
    if (getenv("HZPROF_SAMPLER") && *getenv("HZPROF_SAMPLER"))
        cfg.sampler = getenv("HZPROF_SAMPLER");
    if (getenv("HZPROF_UNWINDER") && *getenv("HZPROF_UNWINDER"))
        cfg.unwinder = getenv("HZPROF_UNWINDER");
    if (getenv("HZPROF_JITTER") && *getenv("HZPROF_JITTER"))
        cfg.jitter = getenv("HZPROF_JITTER");
    unsigned no_interrupt = 0;
    if (env_unsigned("HZPROF_NO_INTERRUPT", 0, 1, &no_interrupt) != 0)
        return;
    cfg.no_interrupt = (int)no_interrupt;
    struct hzprof_calibration cal;
    if (env_budget(&cfg, &cal) != 0)
        return;
    int rc = hzprof_start(&cfg); /* in budget mode: calibrates first, ~0.4 s of CPU */
    if (rc != HZPROF_OK) {
        say("hzprof: not profiling: %s: %s", hzprof_strerror(rc), hzprof_error_detail());
        return;
    }
    profiling = 1;
    /* A forked child is never profiled by the preload (it writes nothing): its threads
     * cost it nothing either. */
    pthread_atfork(NULL, NULL, threads_process_unprofiled);
    atexit(finish);
    catch_termination();
}

/* --- exec: write the profile first; the new image is not profiled --- */

/* A copy of envp with HZPROF_PID=0 (the new image must not profile into our files). */
static char **env_without_profiling(char *const envp[])
{
    size_t n = 0;
    while (envp && envp[n])
        n++;
    char **copy = malloc((n + 2) * sizeof *copy);
    if (!copy)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(envp[i], "HZPROF_PID=", 11) != 0)
            copy[k++] = envp[i];
    copy[k++] = (char *)"HZPROF_PID=0";
    copy[k] = NULL;
    return copy;
}

/* Whether an exec of file would get past the checks that fail most often (no such file,
 * not executable): only then is the profile written first, so a failed exec does not end
 * profiling (issue 14 #10). search_path: the execvp family's PATH search. */
static int exec_would_start(const char *file, int search_path)
{
    struct stat st;
    if (!file || !*file)
        return 0;
    if (!search_path || strchr(file, '/'))
        return stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/usr/bin"; /* glibc's default, confstr(_CS_PATH) */
    for (const char *p = path;;) {
        const size_t len = strcspn(p, ":");
        char candidate[4096];
        /* An empty entry is the current directory. */
        if (snprintf(candidate, sizeof candidate, "%.*s%s%s", (int)len, len ? p : ".", "/", file) <
                (int)sizeof candidate &&
            stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
            return 1;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* Before an exec in the profiled process: the new image must not profile into our files
 * (HZPROF_PID=0 in the environment it gets), and the profile is written first, unless the
 * exec is sure to fail. Returns whether it was written. */
static int before_exec(const char *file, int search_path)
{
    if (getpid() != profiled_pid)
        return 0;
    setenv("HZPROF_PID", "0", 1);
    if (!profiling || !exec_would_start(file, search_path))
        return 0;
    finish();
    return 1;
}

/* After an exec that returned (it failed): the environment is ours again; a failure that
 * came after the profile was written is said, since the rest of the run is not profiled. */
static void exec_failed(const char *file, int written, int err)
{
    if (getpid() != profiled_pid)
        return;
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%d", (int)profiled_pid);
    setenv("HZPROF_PID", pid_text, 1);
    if (written)
        say("hzprof: exec of '%s' failed (%s) after the profile was written: the rest of this "
            "run is not profiled",
            file, strerror(err));
    errno = err;
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);

static int real_execve(const char *path, char *const argv[], char *const envp[])
{
    execve_fn fn = (execve_fn)dlsym(RTLD_NEXT, "execve");
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    return fn(path, argv, envp);
}

HZPROF_API int execve(const char *path, char *const argv[], char *const envp[])
{
    const int written = before_exec(path, 0);
    char **env = env_without_profiling(envp);
    int rc = real_execve(path, argv, env ? env : envp);
    int saved = errno;
    free(env);
    exec_failed(path, written, saved);
    return rc;
}

HZPROF_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
    const int written = before_exec(file, 1);
    char **env = env_without_profiling(envp);
    int (*fn)(const char *, char *const[], char *const[]) =
        (int (*)(const char *, char *const[], char *const[]))dlsym(RTLD_NEXT, "execvpe");
    int rc = fn ? fn(file, argv, env ? env : envp) : (errno = ENOSYS, -1);
    int saved = errno;
    free(env);
    exec_failed(file, written, saved);
    return rc;
}

HZPROF_API int execv(const char *path, char *const argv[])
{
    const int written = before_exec(path, 0); /* also changes environ, which execv passes on */
    int rc = real_execve(path, argv, environ);
    exec_failed(path, written, errno);
    return rc;
}

HZPROF_API int execvp(const char *file, char *const argv[])
{
    const int written = before_exec(file, 1);
    int (*fn)(const char *, char *const[]) =
        (int (*)(const char *, char *const[]))dlsym(RTLD_NEXT, "execvp");
    int rc = fn ? fn(file, argv) : (errno = ENOSYS, -1);
    exec_failed(file, written, errno);
    return rc;
}

/* execl, execlp, execle: collect the variadic arguments (and execle's envp after the
 * terminating NULL) into a malloc'd argv, then as above. */
static char **collect_args(const char *first, va_list ap, char ***envp)
{
    size_t n = 1;
    va_list count;
    va_copy(count, ap);
    while (va_arg(count, char *))
        n++;
    va_end(count);
    char **argv = malloc((n + 1) * sizeof *argv);
    if (!argv)
        return NULL;
    argv[0] = (char *)first;
    for (size_t i = 1; i <= n; i++)
        argv[i] = va_arg(ap, char *); /* the last one read is the NULL */
    if (envp)
        *envp = va_arg(ap, char **);
    return argv;
}

/* execl and execlp: the argument list as a vector, then the vector form. */
static int exec_list(int (*exec_vector)(const char *, char *const[]), const char *target,
                     const char *arg, va_list ap)
{
    char **argv = collect_args(arg, ap, NULL);
    if (!argv)
        return errno = ENOMEM, -1;
    int rc = exec_vector(target, argv);
    int saved = errno;
    free(argv);
    errno = saved;
    return rc;
}

HZPROF_API int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int rc = exec_list(execv, path, arg, ap);
    va_end(ap);
    return rc;
}

HZPROF_API int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int rc = exec_list(execvp, file, arg, ap);
    va_end(ap);
    return rc;
}

HZPROF_API int execle(const char *path, const char *arg, ...)
{
    char **envp = NULL;
    va_list ap;
    va_start(ap, arg);
    char **argv = collect_args(arg, ap, &envp);
    va_end(ap);
    if (!argv)
        return errno = ENOMEM, -1;
    int rc = execve(path, argv, envp);
    free(argv);
    return rc;
}
