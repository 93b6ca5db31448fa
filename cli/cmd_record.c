/*
 * cmd_record.c — `hzprof record [options] -- PROG ARGS...`: runs PROG under the profiler
 * through LD_PRELOAD of libhzprof_preload.so, configured by HZPROF_* environment
 * variables (see core/preload/preload.c), waits for it, prints a one-line summary, and
 * exits with PROG's status (128 + N if PROG was killed by signal N).
 *
 * Everything that can be checked is checked before PROG starts: flags, the sampler and
 * unwinder names, that PROG exists and is executable, that the output directories are
 * writable. An existing output file is kept as FILE.old (as perf record does); if FILE.old
 * exists too, record refuses unless -f is given.
 *
 * Budget mode (--max-overhead PCT, instead of -F): the preload library calibrates what one
 * sample costs in PROG's process before main and chooses the rate (hzprof.h,
 * hzprof_config.max_overhead); --cost FILE gives that cost from `hzprof cost --json`
 * instead. What was chosen comes back through the stats file and is printed above the
 * summary line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "cost_file.h"
#include "hzprof.h"

#define PREFIX "hzprof record: "

static void record_usage(FILE *out)
{
    fprintf(
        out,
        "usage: hzprof record [-F HZ | --max-overhead PCT [--cost FILE]] [--sampler S]\n"
        "                     [--unwinder U] [--max-depth N] [--jitter K] [--no-interrupt]\n"
        "                     [-o FILE.pb.gz] [--folded FILE] [-f] -- PROG [ARGS...]\n\n"
        "Runs PROG with every thread profiled (LD_PRELOAD of libhzprof_preload.so) and\n"
        "writes the profile when PROG exits, calls exit, or is stopped by SIGINT, SIGTERM\n"
        "or SIGHUP.\n"
        "Children PROG forks or execs are not profiled. Exits with PROG's status.\n\n"
        "  -F, --freq HZ      samples per second per thread (default 100)\n"
        "  --max-overhead PCT the most CPU profiling may add, e.g. 1%% or 0.5%% (at most\n"
        "                     50%%): the highest rate whose predicted overhead fits, from\n"
        "                     a calibration of ~0.4 s of CPU when PROG starts\n"
        "  --cost FILE        with --max-overhead: the cost per sample from `hzprof cost\n"
        "                     --json FILE` instead of calibrating\n"
        "  --sampler S        itimer, thread-timer (default), perf-clock, perf-cycles, wall,\n"
        "                     wall-timer\n"
        "  --unwinder U       libunwind (default), fp, none, empty (no sample: the floor)\n"
        "  --max-depth N      frames per sample (default 64, at most %d)\n"
        "  --jitter K         random intervals, same mean: none (default), uniform (T/2..3T/2)\n"
        "                     or exp; perf-clock, wall and wall-timer only\n"
        "  --no-interrupt     wall: never signal a blocked thread (its tick is an off-CPU\n"
        "                     sample with the stack it last ran with)\n"
        "  -o FILE            pprof output (default hzprof.pb.gz); '-o none' for none\n"
        "  --folded FILE      also write folded stacks\n"
        "  -f, --force        overwrite outputs (default: keep an existing FILE as FILE.old)\n",
        HZPROF_MAX_DEPTH_LIMIT);
}

static int name_valid(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0)
            return 1;
    return 0;
}

static void list_names(const char *const *names, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && len < size; i++)
        if (!(hzprof_sampler_caps(names[i]) & HZPROF_CAP_KNOWN) ||
            (hzprof_sampler_caps(names[i]) & HZPROF_CAP_USER))
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", names[i]);
}

/* Like execvp's search: is PROG an executable file, directly or on PATH? */
static int find_program(const char *prog, char *found, size_t size)
{
    if (strchr(prog, '/')) {
        snprintf(found, size, "%s", prog);
        return access(prog, X_OK) == 0 ? 0 : -1;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(found, size, "%.*s/%s", (int)n, n ? p : ".", prog);
        struct stat st;
        if (stat(found, &st) == 0 && S_ISREG(st.st_mode) && access(found, X_OK) == 0)
            return 0;
        p += n + (colon ? 1 : 0);
        if (!colon)
            break;
    }
    errno = ENOENT;
    return -1;
}

/* The absolute path of `path` (its directory resolved now: PROG may chdir before it
 * exits, and the profile is written then), into out. Returns 0, or -1 with a message. */
static int resolve_output(const char *path, char *out, size_t n)
{
    char copy[PATH_MAX], base_copy[PATH_MAX], dir[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(base_copy, sizeof base_copy, "%s", path);
    const char *base = basename(base_copy);
    if (!realpath(dirname(copy), dir) || access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, PREFIX "cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if ((size_t)snprintf(out, n, "%s/%s", strcmp(dir, "/") ? dir : "", base) >= n) {
        fprintf(stderr, PREFIX "cannot write '%s': path too long\n", path);
        return -1;
    }
    return 0;
}

/* Checks `path` (absolute) can be written, and whether an existing file would have to
 * move aside (*move) unless force. Moves nothing: every output is checked first. */
static int check_output(const char *path, const char *shown, int force, int *move)
{
    *move = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, PREFIX "cannot write '%s': Is a directory\n", shown);
        return -1;
    }
    if (force)
        return 0;
    char old[PATH_MAX + 8];
    snprintf(old, sizeof old, "%s.old", path);
    if (access(old, F_OK) == 0) {
        fprintf(stderr, PREFIX "'%s' and '%s.old' exist; remove one or use -f to overwrite\n",
                shown, shown);
        return -1;
    }
    *move = 1;
    return 0;
}

/* Moves an existing output aside as FILE.old (check_output said it must). */
static int keep_old(const char *path, const char *shown)
{
    char old[PATH_MAX + 8];
    snprintf(old, sizeof old, "%s.old", path);
    if (rename(path, old) != 0) {
        fprintf(stderr, PREFIX "cannot keep '%s' as '%s.old': %s\n", shown, shown, strerror(errno));
        return -1;
    }
    fprintf(stderr, PREFIX "kept the existing '%s' as '%s.old'\n", shown, shown);
    return 0;
}

/* libhzprof_preload.so beside the binary's lib/ directory, or $HZPROF_PRELOAD_LIB. */
static int find_preload(char *out, size_t size)
{
    const char *env = getenv("HZPROF_PRELOAD_LIB");
    if (env && *env) {
        snprintf(out, size, "%s", env);
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return -1;
        exe[n] = '\0';
        snprintf(out, size, "%s/../lib/libhzprof_preload.so", dirname(exe));
    }
    char resolved[PATH_MAX];
    if (!realpath(out, resolved))
        return -1;
    snprintf(out, size, "%s", resolved);
    return access(out, R_OK);
}

static pid_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0)
        kill(child_pid, sig);
}

/* The summary line; outputs as the user named them (the stats hold the absolute paths). */
static void print_summary(const char *stats_path, const char *prog, const char *const names[2][2])
{
    FILE *f = fopen(stats_path, "r");
    char line[2048] = "";
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr,
                PREFIX "no profile written: '%s' ended without exit() (by _exit, "
                       "exec failure or a fatal signal)\n",
                prog);
        if (f)
            fclose(f);
        return;
    }
    fclose(f);
    unsigned long long samples = 0, lost = 0, missed = 0, unsampled = 0, threads = 0, low_stack = 0;
    double hz = 0, cpu = 0, budget = 0, predicted = 0, cost_ns = 0, ceiling = 0;
    unsigned rate = 0;
    int calibrated = 0;
    char outputs[1024] = "-", sampler[64] = "?", unwinder[64] = "?";
    for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
        sscanf(tok, "samples=%llu", &samples);
        sscanf(tok, "lost=%llu", &lost);
        sscanf(tok, "missed=%llu", &missed);
        sscanf(tok, "unsampled_ns=%llu", &unsampled);
        sscanf(tok, "low_stack=%llu", &low_stack);
        sscanf(tok, "threads=%llu", &threads);
        sscanf(tok, "achieved_hz=%lf", &hz);
        sscanf(tok, "cpu_seconds=%lf", &cpu);
        sscanf(tok, "sampler=%63s", sampler);
        sscanf(tok, "unwinder=%63s", unwinder);
        sscanf(tok, "rate=%u", &rate);
        sscanf(tok, "max_overhead=%lf", &budget);
        sscanf(tok, "predicted_overhead=%lf", &predicted);
        sscanf(tok, "cost_ns=%lf", &cost_ns);
        sscanf(tok, "ceiling_hz=%lf", &ceiling);
        sscanf(tok, "calibrated=%d", &calibrated);
        sscanf(tok, "outputs=%1023s", outputs);
    }
    char shown[2048] = "";
    for (char *save = NULL, *tok = strtok_r(outputs, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const char *name = tok;
        for (int i = 0; i < 2; i++)
            if (names[i][0] && names[i][1] && strcmp(tok, names[i][1]) == 0)
                name = names[i][0];
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", shown[0] ? " " : "",
                 name);
    }
    char low[512] = "";
    if (low_stack)
        snprintf(low, sizeof low, ", %llu with the leaf only (too little stack to unwind)",
                 low_stack);
    if (missed) /* the wall sampler's ticks that never became samples (hzprof.h) */
        snprintf(low + strlen(low), sizeof low - strlen(low),
                 ", %llu ticks missed (the sampler ran late or the thread had not run)", missed);
    if (cpu > 0 && unsampled / 1e9 >= 0.01 * cpu) /* short threads (hzprof.h) */
        snprintf(low + strlen(low), sizeof low - strlen(low),
                 ", %.3f CPU s (%.0f%%) in exited threads after their last sample, in no sample",
                 unsampled / 1e9, 100 * unsampled / 1e9 / cpu);
    if (budget > 0) { /* budget mode: what was chosen, and why */
        char tick[160] = "";
        if (ceiling > 0 && ceiling < rate)
            snprintf(tick, sizeof tick,
                     "; %s reached only %.0f Hz in calibration (a tick sampler: CONFIG_HZ), so",
                     sampler, ceiling);
        fprintf(stderr,
                PREFIX "budget %.3g%%: %u Hz chosen (%s/%s: %.1f us of CPU per sample, %s)%s "
                       "predicted overhead %.2f%%\n",
                100 * budget, rate, sampler, unwinder, cost_ns / 1e3,
                calibrated ? "calibrated" : "from the cost file", tick[0] ? tick : ",",
                100 * predicted);
    }
    fprintf(stderr,
            PREFIX "%llu samples (%llu lost%s) from %llu threads, %.0f Hz achieved "
                   "(%s, %.2f CPU s); wrote %s\n",
            samples, lost, low, threads, hz, sampler, cpu, shown[0] ? shown : "-");
}

int cmd_record(int argc, char **argv)
{
    static const struct option longopts[] = {{"freq", required_argument, 0, 'F'},
                                             {"sampler", required_argument, 0, 's'},
                                             {"unwinder", required_argument, 0, 'u'},
                                             {"max-depth", required_argument, 0, 'd'},
                                             {"output", required_argument, 0, 'o'},
                                             {"folded", required_argument, 0, 'l'},
                                             {"force", no_argument, 0, 'f'},
                                             {"jitter", required_argument, 0, 'j'},
                                             {"no-interrupt", no_argument, 0, 'N'},
                                             {"max-overhead", required_argument, 0, 'm'},
                                             {"cost", required_argument, 0, 'c'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *rate = "100", *sampler = "thread-timer", *unwinder = "libunwind";
    const char *depth = NULL, *output = "hzprof.pb.gz", *folded = NULL, *jitter = "none";
    const char *budget = NULL, *cost_file = NULL;
    int force = 0, no_interrupt = 0, rate_given = 0, ch;
    char names[256];
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+F:o:fh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'F': rate = optarg, rate_given = 1; break;
        case 'm': budget = optarg; break;
        case 'c': cost_file = optarg; break;
        case 's': sampler = optarg; break;
        case 'u': unwinder = optarg; break;
        case 'd': depth = optarg; break;
        case 'o': output = optarg; break;
        case 'l': folded = optarg; break;
        case 'f': force = 1; break;
        case 'j': jitter = optarg; break;
        case 'N': no_interrupt = 1; break;
        case 'h': record_usage(stdout); return 0;
        default:
            fprintf(stderr, PREFIX "unknown or incomplete option '%s'; see --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, PREFIX "no program to run; usage: hzprof record [options] -- PROG\n");
        return 2;
    }
    char *end;
    errno = 0;
    long hz = strtol(rate, &end, 10);
    /* The upper bound is the sampler's (hzprof_config_check below says which and why). */
    if (errno || *end || end == rate || hz < 1 || hz > 1000000000) {
        fprintf(stderr, PREFIX "-F: '%s' is not a rate in Hz (1..%d)\n", rate, HZPROF_MAX_RATE_HZ);
        return 2;
    }
    /* Budget mode: a budget instead of a rate (the library chooses the rate). */
    double max_overhead = 0;
    if (budget && hzprof_overhead_parse(budget, &max_overhead) != HZPROF_OK) {
        fprintf(stderr, PREFIX "--max-overhead: %s\n", hzprof_error_detail());
        return 2;
    }
    if (budget && rate_given) {
        fprintf(stderr, PREFIX "-F and --max-overhead both given: give a rate, or a budget "
                               "(which chooses the rate), not both\n");
        return 2;
    }
    if (cost_file && !budget) {
        fprintf(stderr, PREFIX "--cost needs --max-overhead (the cost only serves a budget)\n");
        return 2;
    }
    if (depth) {
        long d = strtol(depth, &end, 10);
        if (*end || end == depth || d < 1 || d > HZPROF_MAX_DEPTH_LIMIT) {
            fprintf(stderr, PREFIX "--max-depth: '%s' is not in 1..%d\n", depth,
                    HZPROF_MAX_DEPTH_LIMIT);
            return 2;
        }
    }
    if (!(hzprof_sampler_caps(sampler) & HZPROF_CAP_USER)) {
        list_names(hzprof_sampler_names(), names, sizeof names);
        fprintf(stderr, PREFIX "unknown sampler '%s' (valid: %s)\n", sampler, names);
        return 2;
    }
    if (!name_valid(unwinder, hzprof_unwinder_names())) {
        list_names(hzprof_unwinder_names(), names, sizeof names);
        fprintf(stderr, PREFIX "unknown unwinder '%s' (valid: %s)\n", unwinder, names);
        return 2;
    }
    /* Everything the library would refuse at start, refused now, before PROG runs: the
     * rate against the sampler's and the kernel's maximum, a PMU for perf-cycles. */
    struct hzprof_config check;
    hzprof_config_init(&check);
    check.rate_hz = (unsigned)hz;
    check.jitter = jitter;
    check.no_interrupt = no_interrupt;
    check.sampler = sampler;
    check.unwinder = unwinder;
    if (depth)
        check.max_depth = (unsigned)strtoul(depth, NULL, 10);
    check.max_overhead = max_overhead;
    /* The cost file too: the one PROG's preload will read, checked for this sampler and
     * unwinder now (absolute: PROG may start elsewhere). */
    char cost_abs[PATH_MAX] = "";
    if (cost_file) {
        struct hzprof_calibration cal;
        char err[512];
        if (!realpath(cost_file, cost_abs)) {
            fprintf(stderr, PREFIX "--cost: cannot read '%s': %s\n", cost_file, strerror(errno));
            return 2;
        }
        if (cost_file_read(cost_abs, sampler, unwinder, &cal, err, sizeof err) != 0) {
            fprintf(stderr, PREFIX "--cost: %s\n", err);
            return 2;
        }
    }
    int crc = hzprof_config_check(&check);
    if (crc != HZPROF_OK) {
        fprintf(stderr, PREFIX "%s; PROG not started\n", hzprof_error_detail());
        return 2;
    }
    if (strcmp(output, "none") == 0)
        output = NULL;
    if (!output && !folded) {
        fprintf(stderr, PREFIX "'-o none' and no --folded: nothing would be written\n");
        return 2;
    }
    char output_abs[PATH_MAX], folded_abs[PATH_MAX];
    if ((output && resolve_output(output, output_abs, sizeof output_abs) != 0) ||
        (folded && resolve_output(folded, folded_abs, sizeof folded_abs) != 0))
        return 1;
    if (output && folded && strcmp(output_abs, folded_abs) == 0) {
        fprintf(stderr, PREFIX "-o and --folded name the same file '%s'\n", output_abs);
        return 2;
    }
    const char *prog = argv[optind];
    char found[PATH_MAX], preload[PATH_MAX];
    if (find_program(prog, found, sizeof found) != 0) {
        fprintf(stderr, PREFIX "'%s': %s\n", prog,
                strchr(prog, '/') ? strerror(errno) : "command not found");
        return 127;
    }
    if (find_preload(preload, sizeof preload) != 0) {
        fprintf(stderr,
                PREFIX "cannot find libhzprof_preload.so (looked in '%s'); set "
                       "HZPROF_PRELOAD_LIB\n",
                preload);
        return 1;
    }
    /* Validate every output first, then move anything aside. */
    int move_output = 0, move_folded = 0;
    if ((output && check_output(output_abs, output, force, &move_output) != 0) ||
        (folded && check_output(folded_abs, folded, force, &move_folded) != 0))
        return 1;
    if ((move_output && keep_old(output_abs, output) != 0) ||
        (move_folded && keep_old(folded_abs, folded) != 0))
        return 1;

    char stats_path[] = "/tmp/hzprof-record-XXXXXX";
    int stats_fd = mkstemp(stats_path);
    if (stats_fd < 0) {
        fprintf(stderr, PREFIX "cannot create a temporary file: %s\n", strerror(errno));
        return 1;
    }
    close(stats_fd);

    /* Ctrl-C goes to the whole foreground group: PROG gets it and writes its profile;
     * we wait for it. SIGTERM/SIGHUP sent to us alone are passed on to PROG. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, fwd = {.sa_handler = forward_signal};
    struct sigaction old_int, old_quit, old_term, old_hup;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    sigaction(SIGTERM, &fwd, &old_term);
    sigaction(SIGHUP, &fwd, &old_hup);

    fflush(NULL);
    child_pid = fork();
    if (child_pid < 0) {
        fprintf(stderr, PREFIX "fork: %s\n", strerror(errno));
        unlink(stats_path);
        return 1;
    }
    if (child_pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        char pid[32], ld[PATH_MAX * 2];
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        const char *prev = getenv("LD_PRELOAD");
        snprintf(ld, sizeof ld, "%s%s%s", preload, prev && *prev ? " " : "", prev ? prev : "");
        setenv("LD_PRELOAD", ld, 1);
        setenv("HZPROF_PID", pid, 1);
        if (budget) { /* the preload chooses the rate */
            unsetenv("HZPROF_RATE");
            setenv("HZPROF_MAX_OVERHEAD", budget, 1);
        } else {
            setenv("HZPROF_RATE", rate, 1);
            unsetenv("HZPROF_MAX_OVERHEAD");
        }
        if (cost_file)
            setenv("HZPROF_COST_FILE", cost_abs, 1);
        else
            unsetenv("HZPROF_COST_FILE");
        setenv("HZPROF_SAMPLER", sampler, 1);
        setenv("HZPROF_UNWINDER", unwinder, 1);
        setenv("HZPROF_JITTER", jitter, 1);
        setenv("HZPROF_NO_INTERRUPT", no_interrupt ? "1" : "0", 1);
        setenv("HZPROF_STATS", stats_path, 1);
        if (depth)
            setenv("HZPROF_MAX_DEPTH", depth, 1);
        else
            unsetenv("HZPROF_MAX_DEPTH");
        if (output) /* absolute: PROG may chdir before it writes */
            setenv("HZPROF_OUTPUT", output_abs, 1);
        else
            unsetenv("HZPROF_OUTPUT");
        if (folded)
            setenv("HZPROF_FOLDED", folded_abs, 1);
        else
            unsetenv("HZPROF_FOLDED");
        execv(found, &argv[optind]);
        fprintf(stderr, PREFIX "cannot run '%s': %s\n", found, strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
        ;
    const char *const outputs_named[2][2] = {{output, output ? output_abs : NULL},
                                             {folded, folded ? folded_abs : NULL}};
    print_summary(stats_path, prog, outputs_named);
    unlink(stats_path);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, PREFIX "'%s' was killed by signal %d (%s)\n", prog, WTERMSIG(status),
                strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
