/*
 * build.c — map + symbolizer -> pp_profile (see build.h).
 *
 * Location addresses: the leaf PC as sampled; for callers the return address minus one,
 * i.e. an address inside the call instruction, which is what the frame's line means.
 * Locations are shared between samples (one per distinct address), functions between
 * locations (one per distinct name + file), as the proto intends.
 */
#define _GNU_SOURCE
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hash.h"
#include "../labels.h"

struct builder {
    struct pp_profile *p;
    struct symbolizer *sym;
    struct hash_table locations; /* adjusted address -> location id */
    struct hash_table functions; /* FNV-1a of (name, file) -> function id, checked */
    uint64_t pseudo_lost, pseudo_truncated, pseudo_off_cpu;
};

static uint64_t name_file_hash(const char *name, const char *file)
{
    /* 0xff (never in UTF-8) between the two, so that ("ab", "c") and ("a", "bc") hash
     * apart; the check against the stored strings makes any collision harmless. */
    const unsigned char separator = 0xff;
    uint64_t h = fnv1a_str(FNV1A_INIT, name);
    h = fnv1a_bytes(h, &separator, 1);
    return fnv1a_str(h, file);
}

static uint64_t function_id(struct builder *b, const char *name, const char *file)
{
    if (!file)
        file = "";
    const uint64_t key = name_file_hash(name, file);
    struct hash_probe pr = hash_probe_start(&b->functions, key);
    uint64_t id;
    while (hash_probe_next(&b->functions, &pr, &id)) {
        const struct pp_function *f = &b->p->functions[id - 1];
        if (strcmp(b->p->strings[f->name], name) == 0 &&
            strcmp(b->p->strings[f->filename], file) == 0)
            return id;
    }
    struct pp_function *f = profile_add_function(b->p);
    if (!f)
        return 0;
    f->id = b->p->nfunctions;
    f->name = profile_intern(b->p, name);
    f->system_name = f->name;
    f->filename = profile_intern(b->p, file);
    if (f->name < 0 || f->filename < 0 || hash_add(&b->functions, key, f->id) != 0)
        return 0;
    return f->id;
}

static uint64_t mapping_id_for(const struct pp_profile *p, uint64_t address)
{
    for (size_t i = 0; i < p->nmappings; i++)
        if (address >= p->mappings[i].memory_start && address < p->mappings[i].memory_limit)
            return p->mappings[i].id;
    return 0;
}

static uint64_t location_id(struct builder *b, uint64_t address)
{
    uint64_t id;
    if (hash_find(&b->locations, address, &id))
        return id;
    const struct symbol *s = symbolizer_lookup(b->sym, (uintptr_t)address);
    struct pp_location *l = profile_add_location(b->p);
    if (!l)
        return 0;
    l->id = b->p->nlocations;
    l->address = address;
    l->mapping_id = mapping_id_for(b->p, address);
    id = l->id;
    for (size_t i = 0; i < s->nframes; i++) {
        uint64_t fid = function_id(b, s->frames[i].function, s->frames[i].file);
        /* function_id may have grown p->locations? No: it only adds functions. */
        struct pp_line *line = pp_grow((void **)&b->p->locations[id - 1].lines,
                                       &b->p->locations[id - 1].nlines, sizeof *line);
        if (!fid || !line)
            return 0;
        line->function_id = fid;
        line->line = s->frames[i].line;
    }
    return hash_add(&b->locations, address, id) == 0 ? id : 0;
}

static uint64_t pseudo_location(struct builder *b, uint64_t *cache, const char *name)
{
    if (*cache)
        return *cache;
    uint64_t fid = function_id(b, name, NULL);
    struct pp_location *l = fid ? profile_add_location(b->p) : NULL;
    struct pp_line *line = l ? pp_grow((void **)&l->lines, &l->nlines, sizeof *line) : NULL;
    if (!line)
        return 0;
    l->id = b->p->nlocations;
    line->function_id = fid;
    *cache = l->id;
    return l->id;
}

/* Executable, file-backed mappings of this process, from /proc/self/maps. */
static int add_mappings(struct builder *b)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0; /* no mappings: locations keep mapping_id 0 */
    char line[4096];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        unsigned long start, end, offset;
        char perms[8], path[4096] = "";
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095[^\n]", &start, &end, perms, &offset, path) <
            4)
            continue;
        char *p = path;
        while (*p == ' ')
            p++;
        if (perms[2] != 'x' || (*p != '/' && strcmp(p, "[vdso]") != 0))
            continue;
        struct pp_mapping *m = profile_add_mapping(b->p);
        if (!m) {
            rc = -1;
            break;
        }
        m->id = b->p->nmappings;
        m->memory_start = start;
        m->memory_limit = end;
        m->file_offset = offset;
        m->filename = profile_intern(b->p, p);
        m->build_id = profile_intern(b->p, symbolizer_build_id(b->sym, start));
        m->has_functions = m->has_filenames = m->has_line_numbers = m->has_inline_frames = true;
        if (m->filename < 0 || m->build_id < 0)
            rc = -1;
    }
    fclose(f);
    return rc;
}

static int add_labels(struct builder *b, struct pp_sample *s, uint32_t label_set)
{
    const struct label_set *set = labels_lookup(label_set);
    if (!set || set->count == 0)
        return 0;
    s->labels = calloc(set->count, sizeof *s->labels);
    if (!s->labels)
        return -1;
    for (uint32_t i = 0; i < set->count; i++) {
        s->labels[i].key = profile_intern(b->p, set->labels[i].key);
        s->labels[i].str = profile_intern(b->p, set->labels[i].value);
        if (s->labels[i].key < 0 || s->labels[i].str < 0)
            return -1;
    }
    s->nlabels = set->count;
    return 0;
}

static int add_sample(struct builder *b, const struct map_entry *e)
{
    struct pp_sample *s = profile_add_sample(b->p);
    if (!s)
        return -1;
    /* Leaf first: [off-cpu], the PCs, [truncated]. */
    s->location_ids = calloc(e->depth + 2, sizeof *s->location_ids);
    s->values = calloc(2, sizeof *s->values);
    if (!s->location_ids || !s->values)
        return -1;
    s->values[0] = (int64_t)e->count;
    s->values[1] = (int64_t)e->nanos;
    s->nvalues = 2;
    uint64_t *ids = s->location_ids;
    size_t n = 0;
    if (e->kind == MAP_KIND_LOST) {
        ids[n++] = pseudo_location(b, &b->pseudo_lost, "[lost]");
    } else {
        if (e->kind == MAP_KIND_OFF_CPU)
            ids[n++] = pseudo_location(b, &b->pseudo_off_cpu, "[off-cpu]");
        for (uint32_t i = 0; i < e->depth; i++)
            ids[n++] = location_id(b, i == 0 ? e->pcs[i] : e->pcs[i] - 1);
        if (e->flags & MAP_FLAG_TRUNCATED)
            ids[n++] = pseudo_location(b, &b->pseudo_truncated, "[truncated]");
    }
    s->nlocations = n;
    for (size_t i = 0; i < n; i++)
        if (ids[i] == 0)
            return -1;
    /* profile_add_sample may have moved s; it is the last sample. */
    return add_labels(b, &b->p->samples[b->p->nsamples - 1], e->label_set);
}

int pprof_build(struct pp_profile *p, const struct map *m, struct symbolizer *sym,
                const struct build_info *info)
{
    profile_init(p);
    struct builder b = {.p = p, .sym = sym};
    int rc = -1;
    if (profile_intern(p, "") != 0)
        goto out;
    struct pp_value_type *st = pp_grow((void **)&p->sample_types, &p->nsample_types, sizeof *st);
    if (!st)
        goto out;
    st->type = profile_intern(p, "samples");
    st->unit = profile_intern(p, "count");
    st = pp_grow((void **)&p->sample_types, &p->nsample_types, sizeof *st);
    if (!st)
        goto out;
    st->type = profile_intern(p, info->sample_kind);
    st->unit = profile_intern(p, "nanoseconds");
    p->period_type = *st;
    p->period = (int64_t)info->period_ns;
    p->time_nanos = info->time_nanos;
    p->duration_nanos = info->duration_nanos;
    for (size_t i = 0; i < 8 && info->comments[i]; i++) {
        int64_t *c = pp_grow((void **)&p->comments, &p->ncomments, sizeof *c);
        if (!c)
            goto out;
        *c = profile_intern(p, info->comments[i]);
    }
    if (add_mappings(&b) != 0)
        goto out;
    map_foreach(m, e) if (add_sample(&b, e) != 0) goto out;
    const char *error;
    rc = profile_index(p, &error);
out:
    hash_free(&b.locations);
    hash_free(&b.functions);
    if (rc != 0)
        profile_free(p);
    return rc;
}
