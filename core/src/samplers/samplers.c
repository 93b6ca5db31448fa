/* samplers.c — the table of sampler strategies. Adding one: a new file and a line here. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../error.h"

#include "hzprof.h"
#include "sampler.h"

#define NSAMPLERS 7

static const struct sampler_ops *const samplers[NSAMPLERS] = {
    &sampler_itimer, &sampler_thread_timer, &sampler_perf_clock, &sampler_perf_cycles,
    &sampler_wall,   &sampler_wall_timer,   &sampler_manual,
};

/* The names, from the table (filled once: a name is not a constant expression in C). */
static const char *sampler_names[NSAMPLERS + 1];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_fill(void)
{
    for (size_t i = 0; i < NSAMPLERS; i++)
        sampler_names[i] = samplers[i]->name;
    sampler_names[NSAMPLERS] = NULL;
}

const struct sampler_ops *sampler_find(const char *name)
{
    for (size_t i = 0; i < NSAMPLERS; i++)
        if (strcmp(samplers[i]->name, name) == 0)
            return samplers[i];
    return NULL;
}

const char *const *hzprof_sampler_names(void)
{
    pthread_once(&names_once, names_fill);
    return sampler_names;
}

unsigned hzprof_sampler_caps(const char *name)
{
    const struct sampler_ops *s = name ? sampler_find(name) : NULL;
    if (!s)
        return 0;
    return HZPROF_CAP_KNOWN | (s->user_visible ? HZPROF_CAP_USER : 0) |
           (s->wall_clock ? HZPROF_CAP_WALL : 0) | (s->jitter_ok ? HZPROF_CAP_JITTER : 0) |
           (s->no_interrupt_ok ? HZPROF_CAP_NO_INTERRUPT : 0);
}

void sampler_thread_init(struct sampler_thread *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->stat_fd = -1;
}

void sampler_thread_free(struct sampler_thread *s)
{
    free(s->last);
    s->last = NULL;
}

void sampler_thread_forget_after_fork(struct sampler_thread *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->stat_fd >= 0)
        close(s->stat_fd);
    sampler_thread_free(s);
    sampler_thread_init(s);
}

unsigned sampler_kernel_max_rate(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
    unsigned v = 0;
    if (f) {
        if (fscanf(f, "%u", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

int sampler_rate_check(const struct sampler_ops *s, unsigned rate_hz, unsigned kernel_max)
{
    if (rate_hz > s->max_rate_hz)
        return error_set(HZPROF_ERR_RATE,
                         "%s: %u Hz is above its safe maximum of %u Hz (higher rates can lock "
                         "a CPU in the kernel)",
                         s->name, rate_hz, s->max_rate_hz);
    if (s->kernel_rate_limited && kernel_max && rate_hz > kernel_max)
        return error_set(HZPROF_ERR_RATE,
                         "%s: %u Hz is above the kernel's limit of %u Hz "
                         "(/proc/sys/kernel/perf_event_max_sample_rate, which the kernel lowers "
                         "when sampling interrupts take too long)",
                         s->name, rate_hz, kernel_max);
    return HZPROF_OK;
}

unsigned hzprof_sampler_max_rate(const char *name)
{
    const struct sampler_ops *s = name ? sampler_find(name) : NULL;
    if (!s)
        return 0;
    unsigned k = s->kernel_rate_limited ? sampler_kernel_max_rate() : 0;
    return k && k < s->max_rate_hz ? k : s->max_rate_hz;
}
