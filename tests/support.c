/* support.c — see support.h. */
#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void support_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: FAILED: %s\n  ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

struct folded folded_load(const char *path)
{
    struct folded f = {0};
    FILE *in = fopen(path, "r");
    expect(in != NULL, "cannot open folded profile '%s'", path);
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        char *space = strrchr(line, ' ');
        expect(space != NULL, "malformed folded line '%s'", line);
        *space = '\0';
        char *end;
        unsigned long long count = strtoull(space + 1, &end, 10);
        expect(*end == '\0' && count > 0, "bad count in folded line '%s'", space + 1);
        if (f.n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            f.lines = realloc(f.lines, alloc * sizeof *f.lines);
            expect(f.lines != NULL, "out of memory");
        }
        f.lines[f.n].stack = strdup(line);
        f.lines[f.n++].count = count;
    }
    free(line);
    fclose(in);
    return f;
}

void folded_free(struct folded *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->lines[i].stack);
    free(f->lines);
    f->lines = NULL;
    f->n = 0;
}

static bool has_frame(const char *stack, const char *frame)
{
    size_t fl = strlen(frame);
    for (const char *p = stack; p; p = strchr(p, ';')) {
        if (*p == ';')
            p++;
        if (strncmp(p, frame, fl) == 0 && (p[fl] == ';' || p[fl] == '\0'))
            return true;
    }
    return false;
}

uint64_t folded_count_leaf(const struct folded *f, const char *leaf)
{
    uint64_t n = 0;
    for (size_t i = 0; i < f->n; i++) {
        const char *last = strrchr(f->lines[i].stack, ';');
        last = last ? last + 1 : f->lines[i].stack;
        if (strcmp(last, leaf) == 0)
            n += f->lines[i].count;
    }
    return n;
}

uint64_t folded_count_frame(const struct folded *f, const char *frame)
{
    uint64_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (has_frame(f->lines[i].stack, frame))
            n += f->lines[i].count;
    return n;
}

uint64_t folded_count_frames(const struct folded *f, const char *a, const char *b)
{
    uint64_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (has_frame(f->lines[i].stack, a) && has_frame(f->lines[i].stack, b))
            n += f->lines[i].count;
    return n;
}

uint64_t folded_total(const struct folded *f)
{
    uint64_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->lines[i].count;
    return n;
}

void folded_dump(const struct folded *f)
{
    for (size_t i = 0; i < f->n; i++)
        fprintf(stderr, "    %s %llu\n", f->lines[i].stack, (unsigned long long)f->lines[i].count);
}

int __attribute__((noinline)) support_sample_at_depth(int depth)
{
    if (depth <= 0) {
        syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGPROF);
        return 0;
    }
    int r = support_sample_at_depth(depth - 1);
    __asm__ volatile("" ::: "memory"); /* not a tail call: every level keeps a frame */
    return r + 1;
}

double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t spin_kernel(uint64_t iterations, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (uint64_t i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x)); /* keep the loop from being folded away */
    }
    return x;
}

uint64_t spin_calibrate(double seconds)
{
    uint64_t iters = 1 << 20;
    for (;;) {
        double t0 = thread_cpu_seconds();
        spin_kernel(iters, 1);
        double dt = thread_cpu_seconds() - t0;
        if (dt > 0.05)
            return (uint64_t)((double)iters * seconds / dt) + 1;
        iters *= 2;
    }
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    expect(d != NULL, "cannot open %s", path);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n - (strcmp(path, "/proc/self/fd") == 0 ? 1 : 0); /* opendir's own fd */
}

int count_fds(void)
{
    return count_dir("/proc/self/fd");
}

char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = malloc(1);
    size_t len = 0, got;
    char chunk[65536];
    while (buf && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *grown = realloc(buf, len + got + 1);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    expect(buf != NULL, "out of memory reading %s", path);
    buf[len] = '\0';
    return buf;
}

int run_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    expect(n >= 0 && (size_t)n < sizeof cmd, "shell command too long");
    const int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int count_threads(void)
{
    return count_dir("/proc/self/task");
}

int count_posix_timers(void)
{
    FILE *f = fopen("/proc/self/timers", "r");
    expect(f != NULL, "cannot open /proc/self/timers (kernel without CONFIG_CHECKPOINT_RESTORE?)");
    int n = 0;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "ID:", 3) == 0)
            n++;
    fclose(f);
    return n;
}

bool machine_has_pmu(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_CPU_CYCLES;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}
