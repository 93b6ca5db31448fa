/* samplers.c — the table of sampler strategies. Adding one: a new file and a line here. */
#include <stddef.h>
#include <string.h>

#include "hzprof.h"
#include "sampler.h"

static const struct sampler_ops *const samplers[] = {
    &sampler_itimer,      &sampler_thread_timer, &sampler_perf_clock,
    &sampler_perf_cycles, &sampler_wall,         &sampler_manual,
};

static const char *const sampler_names[] = {
    "itimer", "thread-timer", "perf-clock", "perf-cycles", "wall", "manual", NULL,
};

const struct sampler_ops *sampler_find(const char *name)
{
    for (size_t i = 0; i < sizeof samplers / sizeof samplers[0]; i++)
        if (strcmp(samplers[i]->name, name) == 0)
            return samplers[i];
    return NULL;
}

const char *const *hzprof_sampler_names(void)
{
    return sampler_names;
}
