/*
 * floor_check.c — an independent check of the platform floor that `hzprof bench`
 * reports (the "empty" unwinder): written apart from libhzprof and the harness, it arms
 * the same kind of timer, a perf_event task-clock counter per thread delivering SIGPROF,
 * to a handler that only counts, and times fixed work with the timer off and on.
 *
 *   floor-check [--hz HZ] [--pairs N] [--n N] [--reps R] [--cpu C]
 *
 * Work: an ikj double matmul of N x N, R times (default 256, 12). Each pair runs the
 * work once off and once on, in an order that alternates, pinned to CPU C (default: the
 * last CPU allowed). Prints one JSON object: per-pair CPU ratio (on / off) and cost per
 * sample ((CPU on - CPU off) / signals), and their medians.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals;

static void on_prof(int sig)
{
    (void)sig;
    signals++;
}

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void work(double *a, double *b, double *c, size_t n, unsigned reps)
{
    for (unsigned r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n; k++) {
                const double aik = a[i * n + k];
                for (size_t j = 0; j < n; j++)
                    c[i * n + j] += aik * b[k * n + j];
            }
}

/* A task-clock counter on this thread that sends it SIGPROF every 1e9/hz ns of CPU. */
static int arm(unsigned hz)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.sample_period = 1000000000ull / hz;
    attr.disabled = 1;
    attr.exclude_hv = 1;
    attr.wakeup_events = 1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        attr.exclude_kernel = 1;
        fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    }
    if (fd < 0)
        return -1;
    struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = (pid_t)syscall(SYS_gettid)};
    if (fcntl(fd, F_SETSIG, SIGPROF) != 0 || fcntl(fd, F_SETOWN_EX, &owner) != 0 ||
        fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) != 0 || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    unsigned hz = 4000, pairs = 7, reps = 12;
    size_t n = 256;
    int cpu = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i];
        long v = strtol(argv[i + 1], NULL, 10);
        if (strcmp(f, "--hz") == 0 && v > 0 && v <= 10000)
            hz = (unsigned)v;
        else if (strcmp(f, "--pairs") == 0 && v > 0 && v <= 1000)
            pairs = (unsigned)v;
        else if (strcmp(f, "--n") == 0 && v > 1 && v <= 4096)
            n = (size_t)v;
        else if (strcmp(f, "--reps") == 0 && v > 0 && v <= 100000)
            reps = (unsigned)v;
        else if (strcmp(f, "--cpu") == 0 && v >= 0 && v < CPU_SETSIZE)
            cpu = (int)v;
        else {
            fprintf(stderr, "floor-check: bad option '%s %s'; see the top of floor_check.c\n", f,
                    argv[i + 1]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        fprintf(stderr, "floor-check: options come as '--name value' pairs\n");
        return 2;
    }
    cpu_set_t set;
    if (cpu < 0 && sched_getaffinity(0, sizeof set, &set) == 0)
        for (int i = 0; i < CPU_SETSIZE; i++)
            if (CPU_ISSET(i, &set))
                cpu = i;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "floor-check: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
    struct sigaction sa = {.sa_handler = on_prof, .sa_flags = SA_RESTART};
    sigaction(SIGPROF, &sa, NULL);
    double *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b),
           *c = calloc(n * n, sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < n * n; i++)
        a[i] = (double)(i % 7), b[i] = (double)(i % 5);
    work(a, b, c, n, 1); /* warm caches and pages */
    double ratio[1000], cost[1000];
    printf("{\"hz\": %u, \"n\": %zu, \"reps\": %u, \"cpu\": %d, \"pairs\": [", hz, n, reps, cpu);
    for (unsigned p = 0; p < pairs; p++) {
        double off = 0, on = 0;
        long got = 0;
        for (int side = 0; side < 2; side++) {
            const int timed_on = (side + (int)p) % 2; /* alternate which side goes first */
            int fd = -1;
            if (timed_on) {
                signals = 0;
                if ((fd = arm(hz)) < 0) {
                    fprintf(stderr, "floor-check: perf_event_open(task-clock): %s\n",
                            strerror(errno));
                    return 1;
                }
            }
            const double t0 = thread_cpu();
            work(a, b, c, n, reps);
            const double t = thread_cpu() - t0;
            if (timed_on) {
                ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
                close(fd);
                got = signals;
                on = t;
            } else {
                off = t;
            }
        }
        ratio[p] = on / off;
        cost[p] = got ? (on - off) / (double)got * 1e6 : 0;
        printf("%s{\"cpu_off\": %.6f, \"cpu_on\": %.6f, \"signals\": %ld}", p ? ", " : "", off, on,
               got);
    }
    printf("], \"cpu_ratio_median\": %.4f, \"cost_us_per_signal_median\": %.2f, \"check\": %g}\n",
           median(ratio, (int)pairs), median(cost, (int)pairs), c[n + 1]);
    free(a), free(b), free(c);
    return 0;
}
