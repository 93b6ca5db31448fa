/* bench_plan.c — configurations and their interleaved, shuffled order (see bench.h). */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "bench.h"
#include "stats.h"

bool bench_baseline_has_twin(const char *baseline)
{
    const struct baseline_ops *b = baseline_find(baseline);
    return b && b->twin;
}

int bench_plan_make(const struct bench_config *c, struct bench_plan *p)
{
    size_t twins = 0;
    for (size_t b = 0; b < c->nbaselines; b++)
        twins += bench_baseline_has_twin(c->baselines[b]);
    size_t sampler_rates = 0;
    for (size_t s = 0; s < c->nsamplers; s++)
        for (size_t r = 0; r < c->nrates; r++)
            sampler_rates += bench_config_runs(c, s, c->rates[r]);
    p->nconfigs = c->nworkloads * (1 + sampler_rates * c->nunwinders + c->nbaselines * c->nrates +
                                   twins + c->nsamplers * c->nunwinders * c->nbudgets);
    p->nblocks = c->warmup + c->repetitions;
    p->configs = calloc(p->nconfigs, sizeof *p->configs);
    p->order = NULL;
    p->role = NULL;
    p->ntrials = 0;
    if (!p->configs)
        return -1;
    size_t k = 0;
    for (size_t w = 0; w < c->nworkloads; w++) {
        p->configs[k++] = (struct bench_config_entry){w, NULL, NULL, 0, false, 0};
        for (size_t s = 0; s < c->nsamplers; s++)
            for (size_t u = 0; u < c->nunwinders; u++) {
                for (size_t r = 0; r < c->nrates; r++)
                    if (bench_config_runs(c, s, c->rates[r]))
                        p->configs[k++] = (struct bench_config_entry){
                            w, c->samplers[s], c->unwinders[u], c->rates[r], false, 0};
                for (size_t b = 0; b < c->nbudgets; b++) /* budget mode: rate 0 */
                    p->configs[k++] = (struct bench_config_entry){
                        w, c->samplers[s], c->unwinders[u], 0, false, c->budgets_pct[b]};
            }
        for (size_t b = 0; b < c->nbaselines; b++) {
            if (bench_baseline_has_twin(c->baselines[b])) /* the twin, profiling off */
                p->configs[k++] =
                    (struct bench_config_entry){w, c->baselines[b], "builtin", 0, true, 0};
            for (size_t r = 0; r < c->nrates; r++)
                p->configs[k++] = (struct bench_config_entry){
                    w, c->baselines[b], "builtin", c->rates[r], true, 0};
        }
    }
    /* Pairs: (off of c, c) for every configuration that profiles, (off, off) per
     * workload. */
    size_t *units = calloc(p->nconfigs, sizeof *units); /* on config id, or off id for A/A */
    if (!units) {
        bench_plan_free(p);
        return -1;
    }
    size_t nunits = 0;
    for (size_t i = 0; i < p->nconfigs; i++)
        if (p->configs[i].sampler == NULL || p->configs[i].rate > 0 || p->configs[i].budget_pct > 0)
            units[nunits++] = i; /* twins' off configs (rate 0) only ever pair as "off" */
    p->pairs_per_block = nunits;
    p->ntrials = 2 * nunits * p->nblocks;
    p->order = calloc(p->ntrials, sizeof *p->order);
    p->role = calloc(p->ntrials, sizeof *p->role);
    if (!p->order || !p->role) {
        free(units);
        bench_plan_free(p);
        return -1;
    }
    for (size_t b = 0; b < p->nblocks; b++) {
        struct rng r;
        rng_seed(&r, c->seed * 1000003u + b);
        for (size_t i = nunits; i > 1; i--) { /* Fisher-Yates over the pairs */
            size_t j = rng_below(&r, i);
            size_t t = units[i - 1];
            units[i - 1] = units[j];
            units[j] = t;
        }
        for (size_t i = 0; i < nunits; i++) {
            const size_t k = 2 * (b * nunits + i), u = units[i];
            if (p->configs[u].sampler == NULL) { /* A/A */
                p->order[k] = p->order[k + 1] = u;
                p->role[k] = p->role[k + 1] = BENCH_ROLE_AA;
                continue;
            }
            const bool on_first = rng_below(&r, 2) == 1;
            p->order[k + !on_first] = u;
            p->role[k + !on_first] = BENCH_ROLE_ON;
            p->order[k + on_first] = bench_plan_off_of(p, u);
            p->role[k + on_first] = BENCH_ROLE_OFF;
        }
    }
    free(units);
    return 0;
}

const char *const bench_role_names[] = {"off", "on", "aa"};

size_t bench_plan_off_of(const struct bench_plan *p, size_t config)
{
    const struct bench_config_entry *e = &p->configs[config];
    const bool twin = e->baseline && bench_baseline_has_twin(e->sampler);
    for (size_t i = 0; i < p->nconfigs; i++) {
        const struct bench_config_entry *o = &p->configs[i];
        if (o->workload != e->workload || o->rate != 0)
            continue;
        if (twin ? (o->sampler && strcmp(o->sampler, e->sampler) == 0) : o->sampler == NULL)
            return i;
    }
    return config; /* not reached: every workload has its off configuration */
}

void bench_plan_free(struct bench_plan *p)
{
    free(p->configs);
    free(p->order);
    free(p->role);
    p->configs = NULL; /* freeing twice (a failed make, then the caller's free) is harmless */
    p->order = NULL;
    p->role = NULL;
}
