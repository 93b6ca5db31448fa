/* score.c — attribution error of a profile against ground truth (see score.h). */
#include "score.h"

#include <math.h>
#include <string.h>

/* The innermost frame's function name of a sample ("" if it has none). */
static const char *leaf_name(const struct pp_profile *p, const struct pp_sample *s)
{
    if (s->nlocations == 0)
        return "";
    const struct pp_location *l = profile_location(p, s->location_ids[0]);
    if (!l || l->nlines == 0)
        return "";
    const struct pp_function *f = profile_function(p, l->lines[0].function_id);
    return f ? profile_string(p, f->name) : "";
}

double score_attribution(const struct pp_profile *p, size_t value_index, struct truth_share *t,
                         size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        t[i].profile_pct = 0;
    for (size_t s = 0; s < p->nsamples; s++) {
        const struct pp_sample *sm = &p->samples[s];
        if (value_index >= sm->nvalues)
            continue;
        const double v = (double)sm->values[value_index];
        total += v;
        const char *leaf = leaf_name(p, sm);
        for (size_t i = 0; i < n; i++)
            if (strcmp(leaf, t[i].function) == 0)
                t[i].profile_pct += v;
    }
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        t[i].profile_pct = total > 0 ? 100 * t[i].profile_pct / total : 0;
        double err = fabs(t[i].profile_pct - t[i].percent);
        if (err > worst)
            worst = err;
    }
    return worst;
}
