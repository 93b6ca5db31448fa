/* score.c — attribution error of a profile against ground truth (see score.h). */
#include "score.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int score_skid(const struct pp_profile *p, size_t value_index, const struct truth_share *t,
               size_t n, const char *const *sites, size_t nsites, struct skid_score *out)
{
    /* The sites sorted and unique, for lookups in O(log): a truth's JSON may name many. */
    const char **sorted = malloc((nsites ? nsites : 1) * sizeof *sorted);
    bool *counted = calloc(nsites ? nsites : 1, sizeof *counted);
    if (!sorted || !counted) {
        free(sorted);
        free(counted);
        return -1;
    }
    if (nsites)
        memcpy(sorted, sites, nsites * sizeof *sorted);
    qsort(sorted, nsites, sizeof *sorted, compare_names);
    size_t m = 0;
    for (size_t i = 0; i < nsites; i++)
        if (m == 0 || strcmp(sorted[m - 1], sorted[i]) != 0)
            sorted[m++] = sorted[i];
    double total = 0, at_site = 0;
    for (size_t s = 0; s < p->nsamples; s++) {
        const struct pp_sample *sm = &p->samples[s];
        if (value_index >= sm->nvalues)
            continue;
        const double v = (double)sm->values[value_index];
        const char *leaf = leaf_name(p, sm);
        total += v;
        if (m && bsearch(&leaf, sorted, m, sizeof *sorted, compare_names))
            at_site += v;
    }
    *out = (struct skid_score){total > 0 ? 100 * at_site / total : 0, 0, 0};
    /* Each site's first share in the truth (cJSON keeps a key given twice twice). */
    for (size_t i = 0; i < n && m; i++) {
        const char **hit = bsearch(&t[i].function, sorted, m, sizeof *sorted, compare_names);
        if (hit && !counted[hit - sorted]) {
            counted[hit - sorted] = true;
            out->truth_pct += t[i].percent;
        }
    }
    out->skid_pts = out->profile_pct - out->truth_pct;
    free(sorted);
    free(counted);
    return 0;
}

/* Up to 24 bytes of the line at q, for an error message: control characters as '?', so that
 * the message stays one line. */
static void excerpt(char *buf, size_t size, const char *q, const char *end)
{
    size_t n = 0;
    for (; q < end && *q != '\n' && n < 24 && n + 1 < size; q++)
        buf[n++] = (unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q;
    buf[n] = '\0';
}

/* "not valid JSON (line L, column C: near '...')" for the byte at `at`. */
static void not_json(const char *text, const char *at, const char *end, const char *name,
                     const char *why, char *err, size_t err_size)
{
    size_t line = 1, column = 1;
    for (const char *q = text; q < at; q++) {
        if (*q == '\n')
            line++, column = 1;
        else
            column++;
    }
    char near[32];
    excerpt(near, sizeof near, at, end);
    if (at == end)
        snprintf(err, err_size, "'%s' is not valid JSON (line %zu, column %zu: it ends early)",
                 name, line, column);
    else
        snprintf(err, err_size, "'%s' is not valid JSON (line %zu, column %zu: %s '%s')", name,
                 line, column, why, near);
}

int truth_parse(const char *text, size_t len, const char *kind, const char *name, struct truth *t,
                char *err, size_t err_size)
{
    memset(t, 0, sizeof *t);
    const char *end = text + len, *q = text;
    while (q < end && strchr(" \t\r\n", *q) && *q)
        q++;
    if (q == end) {
        snprintf(err, err_size, "'%s' is not valid JSON (empty file)", name);
        return -1;
    }
    /* cJSON stops at a NUL byte as at the end of the text: one in the file is an error. */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        not_json(text, nul, end, name, "a NUL byte", err, err_size);
        return -1;
    }
    /* The text is NUL-terminated (read_file): cJSON is given the terminator too, since with
     * require_null_terminated it wants to see it within the length. */
    const char *parse_end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &parse_end, 1);
    if (!doc) {
        const char *at = parse_end && parse_end >= text && parse_end <= end ? parse_end : text;
        not_json(text, at, end, name, "near", err, err_size);
        return -1;
    }
    cJSON *truths =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "result"), "truth");
    cJSON *truth = cJSON_GetObjectItemCaseSensitive(truths, kind);
    if (!cJSON_IsObject(truth)) {
        if (cJSON_IsObject(truths) && truths->child) {
            int n =
                snprintf(err, err_size, "'%s' has no result.truth.%s object (it has:", name, kind);
            for (cJSON *e = truths->child; e && n >= 0 && (size_t)n < err_size; e = e->next) {
                char key[32];
                excerpt(key, sizeof key, e->string, e->string + strlen(e->string));
                n += snprintf(err + n, err_size - (size_t)n, "%s %s", e == truths->child ? "" : ",",
                              key);
            }
            if (n >= 0 && (size_t)n < err_size)
                snprintf(err + n, err_size - (size_t)n, ")");
        } else {
            snprintf(err, err_size,
                     "'%s' has no result.truth.%s object (valid JSON, but not the output of a "
                     "truth workload run?)",
                     name, kind);
        }
        cJSON_Delete(doc);
        return -1;
    }
    size_t n = 0;
    for (cJSON *e = truth->child; e; e = e->next)
        n++;
    t->shares = calloc(n ? n : 1, sizeof *t->shares);
    if (!t->shares) {
        snprintf(err, err_size, "'%s': out of memory", name);
        cJSON_Delete(doc);
        return -1;
    }
    for (cJSON *e = truth->child; e; e = e->next) {
        const double share = cJSON_GetNumberValue(e);
        if (isnan(share)) /* not a number */
            continue;
        char *function = strdup(e->string);
        if (!function) {
            snprintf(err, err_size, "'%s': out of memory", name);
            cJSON_Delete(doc);
            truth_free(t);
            return -1;
        }
        t->shares[t->n++] = (struct truth_share){function, share, 0};
    }
    cJSON *sites = cJSON_GetObjectItemCaseSensitive(truths, "syscall_sites");
    const int nsites = cJSON_IsArray(sites) ? cJSON_GetArraySize(sites) : 0;
    if (nsites > 0 && !(t->sites = calloc((size_t)nsites, sizeof *t->sites))) {
        snprintf(err, err_size, "'%s': out of memory", name);
        cJSON_Delete(doc);
        truth_free(t);
        return -1;
    }
    for (cJSON *e = nsites > 0 ? sites->child : NULL; e; e = e->next) {
        const char *site = cJSON_GetStringValue(e);
        if (!site)
            continue;
        if (!(t->sites[t->nsites] = strdup(site))) {
            snprintf(err, err_size, "'%s': out of memory", name);
            cJSON_Delete(doc);
            truth_free(t);
            return -1;
        }
        t->nsites++;
    }
    cJSON_Delete(doc);
    return 0;
}

void truth_free(struct truth *t)
{
    for (size_t i = 0; i < t->n; i++)
        free((char *)t->shares[i].function);
    free(t->shares);
    for (size_t i = 0; i < t->nsites; i++)
        free(t->sites[i]);
    free(t->sites);
    memset(t, 0, sizeof *t);
}
