/* profile.c — the in-memory pprof profile (see profile.h). */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

struct intern_entry {
    struct intern_entry *next;
    uint64_t hash;
    int64_t index;
};

struct intern_table {
    struct intern_entry **buckets;
    size_t nbuckets, count;
};

void profile_init(struct pp_profile *p)
{
    memset(p, 0, sizeof *p);
}

static void intern_free(struct intern_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct intern_entry *e = t->buckets[i];
        while (e) {
            struct intern_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(t->buckets);
    free(t);
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
    free(p->location_by_id);
    free(p->function_by_id);
    intern_free(p->intern);
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

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

int64_t profile_intern(struct pp_profile *p, const char *s)
{
    if (!p->intern) {
        p->intern = calloc(1, sizeof *p->intern);
        if (!p->intern)
            return -1;
        p->intern->nbuckets = 4096;
        p->intern->buckets = calloc(p->intern->nbuckets, sizeof *p->intern->buckets);
        if (!p->intern->buckets)
            return -1;
        if (p->nstrings == 0 && profile_intern(p, "") != 0)
            return -1;
    }
    const uint64_t hash = str_hash(s);
    if (p->intern->count >= 2 * p->intern->nbuckets) { /* keep chains short */
        size_t n = p->intern->nbuckets * 4;
        struct intern_entry **grown = calloc(n, sizeof *grown);
        if (grown) {
            for (size_t i = 0; i < p->intern->nbuckets; i++) {
                struct intern_entry *e = p->intern->buckets[i];
                while (e) {
                    struct intern_entry *next = e->next;
                    e->next = grown[e->hash & (n - 1)];
                    grown[e->hash & (n - 1)] = e;
                    e = next;
                }
            }
            free(p->intern->buckets);
            p->intern->buckets = grown;
            p->intern->nbuckets = n;
        }
    }
    size_t b = hash & (p->intern->nbuckets - 1);
    for (struct intern_entry *e = p->intern->buckets[b]; e; e = e->next)
        if (e->hash == hash && strcmp(p->strings[e->index], s) == 0)
            return e->index;
    struct intern_entry *e = malloc(sizeof *e);
    char *copy = strdup(s);
    char **slot = copy && e ? pp_grow((void **)&p->strings, &p->nstrings, sizeof *slot) : NULL;
    if (!slot) {
        free(e);
        free(copy);
        return -1;
    }
    *slot = copy;
    e->hash = hash;
    e->index = (int64_t)(p->nstrings - 1);
    e->next = p->intern->buckets[b];
    p->intern->buckets[b] = e;
    p->intern->count++;
    return e->index;
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

/* Id indexes are open-addressed hash tables of pointers keyed by id. */
static size_t id_slot(uint64_t id, size_t size)
{
    return (size_t)(id * 0x9e3779b97f4a7c15ull >> 17) & (size - 1);
}

static size_t table_size_for(size_t n)
{
    size_t size = 16;
    while (size < 2 * n)
        size *= 2;
    return size;
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
    free(p->location_by_id);
    free(p->function_by_id);
    p->location_index_size = table_size_for(p->nlocations);
    p->function_index_size = table_size_for(p->nfunctions);
    p->location_by_id = calloc(p->location_index_size, sizeof *p->location_by_id);
    p->function_by_id = calloc(p->function_index_size, sizeof *p->function_by_id);
    if (!p->location_by_id || !p->function_by_id) {
        *error = "out of memory";
        return -1;
    }
    for (size_t i = 0; i < p->nfunctions; i++) {
        struct pp_function *f = &p->functions[i];
        if (f->id == 0 || !string_ok(p, f->name) || !string_ok(p, f->system_name) ||
            !string_ok(p, f->filename)) {
            *error = "function with id 0 or a bad string index";
            return -1;
        }
        size_t s = id_slot(f->id, p->function_index_size);
        while (p->function_by_id[s]) {
            if (p->function_by_id[s]->id == f->id) {
                *error = "duplicate function id";
                return -1;
            }
            s = (s + 1) & (p->function_index_size - 1);
        }
        p->function_by_id[s] = f;
    }
    for (size_t i = 0; i < p->nlocations; i++) {
        struct pp_location *l = &p->locations[i];
        if (l->id == 0) {
            *error = "location with id 0";
            return -1;
        }
        for (size_t k = 0; k < l->nlines; k++)
            if (l->lines[k].function_id && !profile_function(p, l->lines[k].function_id)) {
                *error = "line refers to an unknown function";
                return -1;
            }
        size_t s = id_slot(l->id, p->location_index_size);
        while (p->location_by_id[s]) {
            if (p->location_by_id[s]->id == l->id) {
                *error = "duplicate location id";
                return -1;
            }
            s = (s + 1) & (p->location_index_size - 1);
        }
        p->location_by_id[s] = l;
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
    if (!p->location_by_id)
        return NULL;
    for (size_t s = id_slot(id, p->location_index_size); p->location_by_id[s];
         s = (s + 1) & (p->location_index_size - 1))
        if (p->location_by_id[s]->id == id)
            return p->location_by_id[s];
    return NULL;
}

const struct pp_function *profile_function(const struct pp_profile *p, uint64_t id)
{
    if (!p->function_by_id)
        return NULL;
    for (size_t s = id_slot(id, p->function_index_size); p->function_by_id[s];
         s = (s + 1) & (p->function_index_size - 1))
        if (p->function_by_id[s]->id == id)
            return p->function_by_id[s];
    return NULL;
}

int profile_sample_type_index(const struct pp_profile *p, const char *type)
{
    for (size_t i = 0; i < p->nsample_types; i++)
        if (strcmp(profile_string(p, p->sample_types[i].type), type) == 0)
            return (int)i;
    return -1;
}
