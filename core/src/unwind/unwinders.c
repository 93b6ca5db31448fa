/* unwinders.c — the table of unwinders. */
#include <stddef.h>
#include <string.h>

#include "hzprof.h"
#include "unwinder.h"

static const struct unwinder_ops *const unwinders[] = {
    &unwinder_fp,
    &unwinder_libunwind,
    &unwinder_none,
    &unwinder_empty,
};

static const char *const unwinder_names[] = {"fp", "libunwind", "none", "empty", NULL};

const struct unwinder_ops *unwinder_find(const char *name)
{
    for (size_t i = 0; i < sizeof unwinders / sizeof unwinders[0]; i++)
        if (strcmp(unwinders[i]->name, name) == 0)
            return unwinders[i];
    return NULL;
}

void unwinders_thread_init(void)
{
    for (size_t i = 0; i < sizeof unwinders / sizeof unwinders[0]; i++)
        if (unwinders[i]->thread_init)
            unwinders[i]->thread_init();
}

const char *const *hzprof_unwinder_names(void)
{
    return unwinder_names;
}
