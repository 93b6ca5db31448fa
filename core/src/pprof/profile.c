/* profile.c — the in-memory pprof profile (see profile.h). */
#include "profile.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../hash.h"

void profile_init(struct pp_profile *p)
{
    memset(p, 0, sizeof *p);
}

static void id_index_free(struct pp_id_index *x)
{
    if (x)
        free(x->by_id);
    free(x);
}

void profile_free(struct pp_profile *p)
{
    for (size_t i = 0; i < p->nsamples; i++) {
        free(p->samples[i].location_ids);
        free(p->samples[i].values);
        free(p->samples[i].labels);
    }
    for (size_t i = 0; i < p->nlocations; i++)
        free(p->locations[i].lines);
    for (size_t i = 0; i < p->nstrings; i++)
        free(p->strings[i]);
    free(p->sample_types);
    free(p->samples);
    free(p->mappings);
    free(p->locations);
    free(p->functions);
    free(p->strings);
    free(p->comments);
    id_index_free(p->location_index);
    id_index_free(p->function_index);
    if (p->intern)
        hash_free(p->intern);
    free(p->intern);
    profile_init(p);
}

void *pp_grow(void **array, size_t *n, size_t size)
{
    /* Doubling: capacity is the next power of two >= n + 1. */
    size_t cap = 1;
    while (cap < *n + 1)
        cap *= 2;
    if ((*n & (*n - 1)) == 0 || *n == 0) {
        void *grown = realloc(*array, cap * size);
        if (!grown)
            return NULL;
        *array = grown;
    }
    void *elem = (char *)*array + *n * size;
    memset(elem, 0, size);
    (*n)++;
    return elem;
}

int64_t profile_intern(struct pp_profile *p, const char *s)
{
    if (!p->intern) {
        p->intern = calloc(1, sizeof *p->intern); /* an empty table */
        if (!p->intern)
            return -1;
        if (p->nstrings == 0 && profile_intern(p, "") != 0)
            return -1;
    }
    /* FNV-1a of the string -> its index; strings that collide are told apart here. */
    const uint64_t hash = fnv1a_str(FNV1A_INIT, s);
    struct hash_probe pr = hash_probe_start(p->intern, hash);
    uint64_t index;
    while (hash_probe_next(p->intern, &pr, &index))
        if (strcmp(p->strings[index], s) == 0)
            return (int64_t)index;
    char *copy = strdup(s);
    char **slot = copy ? pp_grow((void **)&p->strings, &p->nstrings, sizeof *slot) : NULL;
    if (!slot) {
        free(copy);
        return -1;
    }
    *slot = copy;
    index = p->nstrings - 1;
    if (hash_add(p->intern, hash, index) != 0) {
        p->nstrings--; /* as if it had never been added: a later call adds it again */
        free(copy);
        return -1;
    }
    return (int64_t)index;
}

struct pp_sample *profile_add_sample(struct pp_profile *p)
{
    return pp_grow((void **)&p->samples, &p->nsamples, sizeof *p->samples);
}

struct pp_location *profile_add_location(struct pp_profile *p)
{
    return pp_grow((void **)&p->locations, &p->nlocations, sizeof *p->locations);
}

struct pp_function *profile_add_function(struct pp_profile *p)
{
    return pp_grow((void **)&p->functions, &p->nfunctions, sizeof *p->functions);
}

struct pp_mapping *profile_add_mapping(struct pp_profile *p)
{
    return pp_grow((void **)&p->mappings, &p->nmappings, sizeof *p->mappings);
}

/* Id indexes. The element's id is at offset 0 of both pp_location and pp_function. */
_Static_assert(offsetof(struct pp_location, id) == 0, "id first");
_Static_assert(offsetof(struct pp_function, id) == 0, "id first");
static uint64_t elem_id(const void *elem)
{
    return *(const uint64_t *)elem;
}

static int by_id_cmp(const void *a, const void *b)
{
    const uint64_t x = elem_id(*(void *const *)a), y = elem_id(*(void *const *)b);
    return (x > y) - (x < y);
}

/* Indexes n elements of `size` bytes at `elems`. Returns 0, -1 (out of memory) or -2 (a
 * duplicate id). Ids are 1 or more (checked by the caller). */
static int id_index_build(struct pp_id_index **out, void *elems, size_t n, size_t size)
{
    struct pp_id_index *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    *out = x;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t id = elem_id((char *)elems + i * size);
        max = id > max ? id : max;
    }
    /* Dense when a table by id is at most about twice the elements. */
    x->dense = max <= 2 * (uint64_t)n + 16;
    x->size = x->dense ? (size_t)max + 1 : n;
    x->by_id = calloc(x->size ? x->size : 1, sizeof *x->by_id);
    if (!x->by_id)
        return -1;
    for (size_t i = 0; i < n; i++) {
        void *elem = (char *)elems + i * size;
        if (!x->dense)
            x->by_id[i] = elem;
        else if (x->by_id[elem_id(elem)])
            return -2;
        else
            x->by_id[elem_id(elem)] = elem;
    }
    if (!x->dense) {
        qsort(x->by_id, n, sizeof *x->by_id, by_id_cmp);
        for (size_t i = 1; i < n; i++)
            if (elem_id(x->by_id[i]) == elem_id(x->by_id[i - 1]))
                return -2;
    }
    return 0;
}

static void *id_index_find(const struct pp_id_index *x, uint64_t id)
{
    if (!x)
        return NULL;
    if (x->dense)
        return id < x->size ? x->by_id[id] : NULL;
    size_t lo = 0, hi = x->size;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const uint64_t m = elem_id(x->by_id[mid]);
        if (m == id)
            return x->by_id[mid];
        if (m < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool string_ok(const struct pp_profile *p, int64_t i)
{
    return i >= 0 && (size_t)i < p->nstrings;
}

int profile_index(struct pp_profile *p, const char **error)
{
    if (p->nstrings == 0 || p->strings[0][0] != '\0') {
        *error = "string table must start with the empty string";
        return -1;
    }
    id_index_free(p->location_index);
    id_index_free(p->function_index);
    p->location_index = p->function_index = NULL;
    for (size_t i = 0; i < p->nfunctions; i++) {
        const struct pp_function *f = &p->functions[i];
        if (f->id == 0 || !string_ok(p, f->name) || !string_ok(p, f->system_name) ||
            !string_ok(p, f->filename)) {
            *error = "function with id 0 or a bad string index";
            return -1;
        }
    }
    int rc = id_index_build(&p->function_index, p->functions, p->nfunctions, sizeof *p->functions);
    if (rc != 0) {
        *error = rc == -2 ? "duplicate function id" : "out of memory";
        return -1;
    }
    for (size_t i = 0; i < p->nlocations; i++) {
        const struct pp_location *l = &p->locations[i];
        if (l->id == 0) {
            *error = "location with id 0";
            return -1;
        }
        for (size_t k = 0; k < l->nlines; k++)
            if (l->lines[k].function_id && !profile_function(p, l->lines[k].function_id)) {
                *error = "line refers to an unknown function";
                return -1;
            }
    }
    rc = id_index_build(&p->location_index, p->locations, p->nlocations, sizeof *p->locations);
    if (rc != 0) {
        *error = rc == -2 ? "duplicate location id" : "out of memory";
        return -1;
    }
    for (size_t i = 0; i < p->nsamples; i++) {
        const struct pp_sample *sm = &p->samples[i];
        if (sm->nvalues != p->nsample_types) {
            *error = "sample has a different number of values than sample types";
            return -1;
        }
        for (size_t k = 0; k < sm->nlocations; k++)
            if (!profile_location(p, sm->location_ids[k])) {
                *error = "sample refers to an unknown location";
                return -1;
            }
        for (size_t k = 0; k < sm->nlabels; k++)
            if (!string_ok(p, sm->labels[k].key) || !string_ok(p, sm->labels[k].str) ||
                !string_ok(p, sm->labels[k].num_unit)) {
                *error = "label with a bad string index";
                return -1;
            }
    }
    for (size_t i = 0; i < p->nsample_types; i++)
        if (!string_ok(p, p->sample_types[i].type) || !string_ok(p, p->sample_types[i].unit)) {
            *error = "sample type with a bad string index";
            return -1;
        }
    for (size_t i = 0; i < p->nmappings; i++)
        if (!string_ok(p, p->mappings[i].filename) || !string_ok(p, p->mappings[i].build_id)) {
            *error = "mapping with a bad string index";
            return -1;
        }
    if (!string_ok(p, p->period_type.type) || !string_ok(p, p->period_type.unit)) {
        *error = "period type with a bad string index";
        return -1;
    }
    for (size_t i = 0; i < p->ncomments; i++)
        if (!string_ok(p, p->comments[i])) {
            *error = "comment with a bad string index";
            return -1;
        }
    return 0;
}

const struct pp_location *profile_location(const struct pp_profile *p, uint64_t id)
{
    return id_index_find(p->location_index, id);
}

const struct pp_function *profile_function(const struct pp_profile *p, uint64_t id)
{
    return id_index_find(p->function_index, id);
}

int profile_sample_type_index(const struct pp_profile *p, const char *type)
{
    for (size_t i = 0; i < p->nsample_types; i++)
        if (strcmp(profile_string(p, p->sample_types[i].type), type) == 0)
            return (int)i;
    return -1;
}
