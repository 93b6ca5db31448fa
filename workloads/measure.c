/* measure.c — see measure.h. */
#define _GNU_SOURCE
#include "measure.h"

#include <errno.h>
#include <stdio.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct event_spec {
    const char *name;
    uint32_t type;
    uint64_t config;
};

#define CACHE_EVENT(cache, op, result)                                                             \
    ((uint64_t)(cache) | ((uint64_t)(op) << 8) | ((uint64_t)(result) << 16))

static const struct event_spec events[] = {
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
    {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {"L1-dcache-load-misses", PERF_TYPE_HW_CACHE,
     CACHE_EVENT(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ,
                 PERF_COUNT_HW_CACHE_RESULT_MISS)},
    {"LLC-load-misses", PERF_TYPE_HW_CACHE,
     CACHE_EVENT(PERF_COUNT_HW_CACHE_LL, PERF_COUNT_HW_CACHE_OP_READ,
                 PERF_COUNT_HW_CACHE_RESULT_MISS)},
    {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
};

double measure_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rusage_seconds(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int open_counter(const struct event_spec *e, int exclude_kernel)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = e->type;
    attr.config = e->config;
    attr.disabled = 1;
    attr.inherit = 1;
    attr.exclude_hv = 1;
    attr.exclude_kernel = (unsigned)exclude_kernel;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

void measure_begin(struct measure *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        struct measure_counter *c = &m->counters[m->ncounters++];
        c->name = events[i].name;
        c->fd = open_counter(&events[i], 0);
        if (c->fd < 0 && (errno == EACCES || errno == EPERM))
            c->fd = open_counter(&events[i], 1); /* user space only, if that is allowed */
        c->open_errno = c->fd < 0 ? errno : 0;
    }
    rusage_seconds(&m->user_start, &m->sys_start);
    for (int i = 0; i < m->ncounters; i++)
        if (m->counters[i].fd >= 0)
            ioctl(m->counters[i].fd, PERF_EVENT_IOC_ENABLE, 0);
    m->wall_start = measure_now();
}

void measure_end(struct measure *m)
{
    m->wall_seconds = measure_now() - m->wall_start;
    for (int i = 0; i < m->ncounters; i++) {
        struct measure_counter *c = &m->counters[i];
        if (c->fd < 0)
            continue;
        ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
        uint64_t v[3];
        if (read(c->fd, v, sizeof v) == (ssize_t)sizeof v) {
            c->raw = v[0];
            c->enabled_ns = v[1];
            c->running_ns = v[2];
        } else {
            c->open_errno = errno ? errno : EIO;
        }
        close(c->fd);
        c->fd = c->open_errno ? -1 : -2; /* -2: read fine */
    }
    double user, sys;
    rusage_seconds(&user, &sys);
    m->user_seconds = user - m->user_start;
    m->sys_seconds = sys - m->sys_start;
}

void measure_to_json(const struct measure *m, cJSON *obj)
{
    cJSON *measured = cJSON_AddObjectToObject(obj, "measured");
    cJSON_AddNumberToObject(measured, "wall_seconds", m->wall_seconds);
    cJSON_AddNumberToObject(measured, "user_seconds", m->user_seconds);
    cJSON_AddNumberToObject(measured, "system_seconds", m->sys_seconds);
    cJSON_AddNumberToObject(measured, "cpu_seconds", m->user_seconds + m->sys_seconds);
    cJSON *counters = cJSON_AddObjectToObject(obj, "counters");
    for (int i = 0; i < m->ncounters; i++) {
        const struct measure_counter *c = &m->counters[i];
        cJSON *e = cJSON_AddObjectToObject(counters, c->name);
        if (c->fd == -1 || c->running_ns == 0) {
            char reason[256];
            const int hw = i < 6; /* the hardware and hardware-cache events come first */
            if (!c->open_errno)
                snprintf(reason, sizeof reason, "counter never scheduled (time_running = 0)");
            else
                snprintf(reason, sizeof reason, "perf_event_open: %s%s", strerror(c->open_errno),
                         hw && (c->open_errno == ENOENT || c->open_errno == EOPNOTSUPP ||
                                c->open_errno == ENODEV)
                             ? " (no hardware PMU available, e.g. a VM without a virtual PMU)"
                             : "");
            cJSON_AddNullToObject(e, "value");
            cJSON_AddStringToObject(e, "reason", reason);
            continue;
        }
        const int scaled = c->running_ns < c->enabled_ns;
        const double value = scaled ? (double)c->raw * (double)c->enabled_ns / (double)c->running_ns
                                    : (double)c->raw;
        cJSON_AddNumberToObject(e, "value", value);
        cJSON_AddNumberToObject(e, "raw", (double)c->raw);
        cJSON_AddNumberToObject(e, "time_enabled_ns", (double)c->enabled_ns);
        cJSON_AddNumberToObject(e, "time_running_ns", (double)c->running_ns);
        cJSON_AddBoolToObject(e, "scaled", scaled);
    }
}
