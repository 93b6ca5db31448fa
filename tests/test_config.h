/*
 * test_config.h — the configuration most tests start the profiler with: hzprof's
 * defaults (hzprof_config_init) but for the sampler and the unwinder, which each test names.
 * A header of its own, apart from support.h, because only the tests that link the library
 * can include hzprof.h.
 */
#ifndef HZPROF_TEST_CONFIG_H
#define HZPROF_TEST_CONFIG_H

#include "hzprof.h"

static inline struct hzprof_config test_config(const char *sampler, const char *unwinder)
{
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    cfg.sampler = sampler;
    cfg.unwinder = unwinder;
    return cfg;
}

#endif
