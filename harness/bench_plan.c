/* bench_plan.c — configurations and their interleaved, shuffled order (see bench.h). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "stats.h"

bool bench_baseline_has_twin(const char *baseline)
{
    return strcmp(baseline, "go-pprof") == 0;
}

int bench_plan_make(const struct bench_config *c, struct bench_plan *p)
{
    size_t twins = 0;
    for (size_t b = 0; b < c->nbaselines; b++)
        twins += bench_baseline_has_twin(c->baselines[b]);
    p->nconfigs = c->nworkloads * (1 + c->nsamplers * c->nunwinders * c->nrates +
                                   c->nbaselines * c->nrates + twins);
    p->nblocks = c->warmup + c->repetitions;
    p->ntrials = p->nconfigs * p->nblocks;
    p->configs = calloc(p->nconfigs, sizeof *p->configs);
    p->order = calloc(p->ntrials, sizeof *p->order);
    if (!p->configs || !p->order)
        return -1;
    size_t k = 0;
    for (size_t w = 0; w < c->nworkloads; w++) {
        p->configs[k++] = (struct bench_config_entry){w, NULL, NULL, 0, false};
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++)
                for (size_t r = 0; r < c->nrates; r++)
                    p->configs[k++] = (struct bench_config_entry){
                        w, c->samplers[s], c->unwinders[u], c->rates[r], false};
        for (size_t b = 0; b < c->nbaselines; b++) {
            if (bench_baseline_has_twin(c->baselines[b])) /* the twin, profiling off */
                p->configs[k++] =
                    (struct bench_config_entry){w, c->baselines[b], "builtin", 0, true};
            for (size_t r = 0; r < c->nrates; r++)
                p->configs[k++] =
                    (struct bench_config_entry){w, c->baselines[b], "builtin", c->rates[r], true};
        }
    }
    for (size_t b = 0; b < p->nblocks; b++) {
        size_t *block = &p->order[b * p->nconfigs];
        for (size_t i = 0; i < p->nconfigs; i++)
            block[i] = i;
        struct rng r;
        rng_seed(&r, c->seed * 1000003u + b);
        for (size_t i = p->nconfigs; i > 1; i--) { /* Fisher-Yates */
            size_t j = rng_below(&r, i);
            size_t t = block[i - 1];
            block[i - 1] = block[j];
            block[j] = t;
        }
    }
    return 0;
}

void bench_plan_free(struct bench_plan *p)
{
    free(p->configs);
    free(p->order);
}
