/* fuzz_config.c — libFuzzer target: a bench configuration as `hzprof bench FILE` reads it
 * (bench_config_parse), written back (bench_config_to_json), and, when the input holds a
 * NUL byte, what follows it given to every command-line override (--rates, --samplers,
 * ...: bench_config_override). See scripts/fuzz.sh. The library's name lists are given
 * here (the core is not linked): keep them as core/src/samplers/samplers.c and
 * core/src/unwind/unwinders.c have them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "bench_config.h"
#include "hzprof.h"

const char *const *hzprof_sampler_names(void)
{
    static const char *const names[] = {"itimer", "thread-timer", "perf-clock", "perf-cycles",
                                        "wall",   "wall-timer",   "manual",     NULL};
    return names;
}

/* As the samplers' table has them (the sampler_ops of core/src/samplers/). */
unsigned hzprof_sampler_caps(const char *name)
{
    static const struct {
        const char *name;
        unsigned caps;
    } caps[] = {
        {"itimer", HZPROF_CAP_USER},
        {"thread-timer", HZPROF_CAP_USER},
        {"perf-clock", HZPROF_CAP_USER | HZPROF_CAP_JITTER},
        {"perf-cycles", HZPROF_CAP_USER},
        {"wall", HZPROF_CAP_USER | HZPROF_CAP_WALL | HZPROF_CAP_JITTER | HZPROF_CAP_NO_INTERRUPT},
        {"wall-timer", HZPROF_CAP_USER | HZPROF_CAP_WALL | HZPROF_CAP_JITTER},
        {"manual", 0},
    };
    for (size_t i = 0; name && i < sizeof caps / sizeof caps[0]; i++)
        if (strcmp(name, caps[i].name) == 0)
            return HZPROF_CAP_KNOWN | caps[i].caps;
    return 0;
}

const char *const *hzprof_unwinder_names(void)
{
    static const char *const names[] = {"fp", "libunwind", "none", "empty", NULL};
    return names;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    const size_t json_len = strlen(text);
    const char *extra = json_len < size ? text + json_len + 1 : NULL;
    struct bench_config c;
    char err[512];
    if (bench_config_parse(text, &c, err, sizeof err) == 0) {
        cJSON_Delete(bench_config_to_json(&c));
        static const char *const keys[] = {"rates",     "samplers",  "unwinders",
                                           "baselines", "workloads", "repetitions",
                                           "warmup",    "seed",      "trial_timeout_s"};
        for (size_t k = 0; extra && k < sizeof keys / sizeof keys[0]; k++)
            if (bench_config_override(&c, keys[k], extra, err, sizeof err) == 0)
                cJSON_Delete(bench_config_to_json(&c));
        bench_config_free(&c);
    }
    free(text);
    return 0;
}
