/*
 * pprof_decode.c — profile.proto bytes (gzipped or not) into a pp_profile, for untrusted
 * input (see pprof_decode.h). Field numbers: core/src/pprof/pprof_fields.h.
 */
#include "pprof_decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof/pprof_fields.h"
#include "protobuf_read.h"

void pprof_limits_default(struct pprof_limits *lim)
{
    *lim = (struct pprof_limits){
        .max_decompressed = PPROF_MAX_DECOMPRESSED,
        .max_decoded_bytes = (size_t)PPROF_MAX_DECODED_BYTES,
        .max_strings = PPROF_MAX_STRINGS,
        .max_samples = PPROF_MAX_SAMPLES,
        .max_locations = PPROF_MAX_LOCATIONS,
        .max_functions = PPROF_MAX_FUNCTIONS,
        .max_mappings = PPROF_MAX_MAPPINGS,
        .max_sample_types = PPROF_MAX_SAMPLE_TYPES,
        .max_sample_depth = PPROF_MAX_SAMPLE_DEPTH,
        .max_lines = PPROF_MAX_LINES,
        .max_labels = PPROF_MAX_LABELS,
        .max_comments = PPROF_MAX_COMMENTS,
        .max_frames = PPROF_MAX_FRAMES,
        .frames_per_byte = PPROF_FRAMES_PER_BYTE,
    };
}

int pprof_is_gzip(const uint8_t *data, size_t len)
{
    return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* The decoder's state: its limits, the memory charged so far, and the message of a limit
 * that was hit (the wire-format errors are static strings). */
struct decoder {
    const struct pprof_limits *lim;
    size_t charged;
    bool over_limit;
    char message[160];
};

/* Sets a limit error: "more than LIMIT WHAT". Always returns -1. */
static int over(struct decoder *d, const char **error, size_t limit, const char *what)
{
    snprintf(d->message, sizeof d->message, "more than %zu %s", limit, what);
    d->over_limit = true;
    *error = d->message;
    return -1;
}

/* "N MiB" when that is exact, else "N bytes". */
static const char *size_text(char *buf, size_t size, size_t bytes)
{
    if (bytes && bytes % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", bytes >> 20);
    else
        snprintf(buf, size, "%zu bytes", bytes);
    return buf;
}

/* What glibc's malloc keeps per allocation, at least: charged with every allocation so
 * that many tiny ones (empty strings) cost what they really do. */
#define ALLOC_OVERHEAD 16

/* Charges `bytes` of decoded model against the budget, before they are allocated. */
static int charge(struct decoder *d, size_t bytes, const char **error)
{
    const size_t budget = d->lim->max_decoded_bytes;
    if (bytes > budget - d->charged || ALLOC_OVERHEAD > budget - d->charged - bytes) {
        char size[32];
        snprintf(d->message, sizeof d->message, "more than %s of decoded profile",
                 size_text(size, sizeof size, budget));
        d->over_limit = true;
        *error = d->message;
        return -1;
    }
    d->charged += bytes + ALLOC_OVERHEAD;
    return 0;
}

/* pp_grow within a count limit, charging what the growth allocates: pp_grow doubles the
 * capacity when n is 0 or a power of two, so the capacity held is charged exactly. */
static void *grow(struct decoder *d, void **array, size_t *n, size_t size, size_t limit,
                  const char *what, const char **error)
{
    if (*n >= limit) {
        over(d, error, limit, what);
        return NULL;
    }
    if ((*n & (*n - 1)) == 0 && charge(d, (*n ? *n : 1) * size, error) != 0)
        return NULL;
    void *elem = pp_grow(array, n, size);
    if (!elem)
        *error = "out of memory";
    return elem;
}

/* pb_read_varints within a count limit, charging the growth of the array. */
static int read_varints(struct decoder *d, const struct pb_field *f, uint64_t **out, size_t *n,
                        size_t limit, const char *what, const char **error)
{
    size_t count;
    if (pb_count_varints(f, &count, error) != 0)
        return -1;
    if (count > limit || *n > limit - count)
        return over(d, error, limit, what);
    const size_t grown = pb_capacity(*n + count) - pb_capacity(*n);
    if (grown && charge(d, grown * sizeof **out, error) != 0)
        return -1;
    return pb_read_varints(f, out, n, error);
}

/* Returns 0, -1 (error set) or -2: more than `max` bytes decompressed. */
static int gunzip_bytes(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *out_len,
                        const char **error)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        *error = "zlib initialization failed";
        return -1;
    }
    size_t cap = max, n = 0;
    if (len < max / 4 && len * 4 + 1024 < max)
        cap = len * 4 + 1024;
    uint8_t *buf = malloc(cap);
    int rc = Z_OK;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    if (!buf) {
        *error = "out of memory";
        goto fail;
    }
    while (rc != Z_STREAM_END) {
        if (n == cap) {
            if (cap >= max) {
                inflateEnd(&z);
                free(buf);
                return -2;
            }
            size_t ncap = cap > max / 2 ? max : cap * 2;
            uint8_t *grown = realloc(buf, ncap);
            if (!grown) {
                *error = "out of memory";
                goto fail;
            }
            buf = grown;
            cap = ncap;
        }
        z.next_out = buf + n;
        z.avail_out = (uInt)(cap - n);
        rc = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            *error = "truncated gzip data";
            goto fail;
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            *error = rc == Z_DATA_ERROR ? "corrupt gzip data" : "gzip decompression failed";
            goto fail;
        }
    }
    inflateEnd(&z);
    *out = buf;
    *out_len = n;
    return 0;
fail:
    inflateEnd(&z);
    free(buf);
    return -1;
}

static int64_t as_int(uint64_t v)
{
    return (int64_t)v;
}

static int decode_value_type(struct pb_reader r, struct pp_value_type *vt, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.wire_type != 0)
            continue;
        if (f.number == 1)
            vt->type = as_int(f.varint);
        else if (f.number == 2)
            vt->unit = as_int(f.varint);
    }
    return rc;
}

static int decode_label(struct pb_reader r, struct pp_label *l, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.wire_type != 0)
            continue;
        switch (f.number) {
        case 1: l->key = as_int(f.varint); break;
        case 2: l->str = as_int(f.varint); break;
        case 3: l->num = as_int(f.varint); break;
        case 4: l->num_unit = as_int(f.varint); break;
        }
    }
    return rc;
}

static int decode_sample(struct decoder *d, struct pb_reader r, struct pp_sample *s,
                         const char **error)
{
    const struct pprof_limits *lim = d->lim;
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.number == 1) {
            if (read_varints(d, &f, &s->location_ids, &s->nlocations, lim->max_sample_depth,
                             "locations in a sample", error) != 0)
                return -1;
        } else if (f.number == 2) {
            if (read_varints(d, &f, (uint64_t **)&s->values, &s->nvalues, lim->max_sample_types,
                             "values in a sample", error) != 0)
                return -1;
        } else if (f.number == 3 && f.wire_type == 2) {
            struct pp_label *l = grow(d, (void **)&s->labels, &s->nlabels, sizeof *l,
                                      lim->max_labels, "labels in a sample", error);
            if (!l || decode_label(f.bytes, l, error) != 0)
                return -1;
        }
    }
    return rc;
}

static int decode_mapping(struct pb_reader r, struct pp_mapping *m, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.wire_type != 0)
            continue;
        switch (f.number) {
        case 1: m->id = f.varint; break;
        case 2: m->memory_start = f.varint; break;
        case 3: m->memory_limit = f.varint; break;
        case 4: m->file_offset = f.varint; break;
        case 5: m->filename = as_int(f.varint); break;
        case 6: m->build_id = as_int(f.varint); break;
        case 7: m->has_functions = f.varint != 0; break;
        case 8: m->has_filenames = f.varint != 0; break;
        case 9: m->has_line_numbers = f.varint != 0; break;
        case 10: m->has_inline_frames = f.varint != 0; break;
        }
    }
    return rc;
}

static int decode_line(struct pb_reader r, struct pp_line *l, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.wire_type != 0)
            continue;
        if (f.number == 1)
            l->function_id = f.varint;
        else if (f.number == 2)
            l->line = as_int(f.varint);
    }
    return rc;
}

static int decode_location(struct decoder *d, struct pb_reader r, struct pp_location *l,
                           const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.number == 4 && f.wire_type == 2) {
            struct pp_line *ln = grow(d, (void **)&l->lines, &l->nlines, sizeof *ln,
                                      d->lim->max_lines, "lines in a location", error);
            if (!ln || decode_line(f.bytes, ln, error) != 0)
                return -1;
        } else if (f.wire_type == 0) {
            switch (f.number) {
            case 1: l->id = f.varint; break;
            case 2: l->mapping_id = f.varint; break;
            case 3: l->address = f.varint; break;
            case 5: l->is_folded = f.varint != 0; break;
            }
        }
    }
    return rc;
}

static int decode_function(struct pb_reader r, struct pp_function *fn, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.wire_type != 0)
            continue;
        switch (f.number) {
        case 1: fn->id = f.varint; break;
        case 2: fn->name = as_int(f.varint); break;
        case 3: fn->system_name = as_int(f.varint); break;
        case 4: fn->filename = as_int(f.varint); break;
        case 5: fn->start_line = as_int(f.varint); break;
        }
    }
    return rc;
}

/* The limit on the top-level entries of field `number` (sample types, samples, mappings,
 * locations, functions, strings) and their name in the error; 0 and NULL for a field that
 * is not counted. */
static size_t entry_limit(const struct pprof_limits *lim, uint32_t number, const char **what)
{
    static const struct {
        uint32_t number;
        size_t offset;
        const char *what;
    } entries[] = {
        {F_SAMPLE_TYPE, offsetof(struct pprof_limits, max_sample_types), "sample types"},
        {F_SAMPLE, offsetof(struct pprof_limits, max_samples), "samples"},
        {F_MAPPING, offsetof(struct pprof_limits, max_mappings), "mappings"},
        {F_LOCATION, offsetof(struct pprof_limits, max_locations), "locations"},
        {F_FUNCTION, offsetof(struct pprof_limits, max_functions), "functions"},
        {F_STRING_TABLE, offsetof(struct pprof_limits, max_strings), "strings"},
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (entries[i].number == number) {
            *what = entries[i].what;
            return *(const size_t *)((const char *)lim + entries[i].offset);
        }
    *what = NULL;
    return 0;
}

/* grow() for a top-level entry of field `number`, within its limit. */
static void *grow_entry(struct decoder *d, uint32_t number, void **array, size_t *n, size_t size,
                        const char **error)
{
    const char *what;
    const size_t limit = entry_limit(d->lim, number, &what);
    return grow(d, array, n, size, limit, what, error);
}

/* The first pass: counts the top-level entries of each kind and refuses a profile with too
 * many before anything is allocated for them, so a bomb of tiny entries costs one scan. */
static int check_counts(struct decoder *d, struct pb_reader r, const char **error)
{
    size_t n[F_STRING_TABLE + 1] = {0};
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        const char *what;
        const size_t limit = entry_limit(d->lim, f.number, &what);
        if (f.wire_type == 2 && what && ++n[f.number] > limit)
            return over(d, error, limit, what);
    }
    return rc;
}

static int decode_profile(struct decoder *d, struct pb_reader r, struct pp_profile *p,
                          const char **error)
{
    const struct pprof_limits *lim = d->lim;
    if (check_counts(d, r, error) != 0)
        return -1;
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        int sub = 0;
        if (f.wire_type == 2) {
            switch (f.number) {
            case F_SAMPLE_TYPE: {
                struct pp_value_type *vt = grow_entry(d, f.number, (void **)&p->sample_types,
                                                      &p->nsample_types, sizeof *vt, error);
                sub = vt ? decode_value_type(f.bytes, vt, error) : -1;
                break;
            }
            case F_SAMPLE: {
                struct pp_sample *s =
                    grow_entry(d, f.number, (void **)&p->samples, &p->nsamples, sizeof *s, error);
                sub = s ? decode_sample(d, f.bytes, s, error) : -1;
                break;
            }
            case F_MAPPING: {
                struct pp_mapping *m =
                    grow_entry(d, f.number, (void **)&p->mappings, &p->nmappings, sizeof *m, error);
                sub = m ? decode_mapping(f.bytes, m, error) : -1;
                break;
            }
            case F_LOCATION: {
                struct pp_location *l = grow_entry(d, f.number, (void **)&p->locations,
                                                   &p->nlocations, sizeof *l, error);
                sub = l ? decode_location(d, f.bytes, l, error) : -1;
                break;
            }
            case F_FUNCTION: {
                struct pp_function *fn = grow_entry(d, f.number, (void **)&p->functions,
                                                    &p->nfunctions, sizeof *fn, error);
                sub = fn ? decode_function(f.bytes, fn, error) : -1;
                break;
            }
            case F_STRING_TABLE: {
                size_t n = (size_t)(f.bytes.end - f.bytes.p);
                if (charge(d, n + 1, error) != 0)
                    return -1;
                char *s = malloc(n + 1);
                if (!s) {
                    *error = "out of memory";
                    return -1;
                }
                memcpy(s, f.bytes.p, n);
                s[n] = '\0';
                char **slot = grow_entry(d, f.number, (void **)&p->strings, &p->nstrings,
                                         sizeof *slot, error);
                if (!slot) {
                    free(s);
                    return -1;
                }
                *slot = s;
                break;
            }
            case F_PERIOD_TYPE: sub = decode_value_type(f.bytes, &p->period_type, error); break;
            case F_COMMENT:
                sub = read_varints(d, &f, (uint64_t **)&p->comments, &p->ncomments,
                                   lim->max_comments, "comments", error);
                break;
            }
        } else if (f.wire_type == 0) {
            switch (f.number) {
            case F_TIME_NANOS: p->time_nanos = as_int(f.varint); break;
            case F_DURATION_NANOS: p->duration_nanos = as_int(f.varint); break;
            case F_PERIOD: p->period = as_int(f.varint); break;
            case F_DEFAULT_SAMPLE_TYPE: p->default_sample_type = as_int(f.varint); break;
            case F_COMMENT:
                sub = read_varints(d, &f, (uint64_t **)&p->comments, &p->ncomments,
                                   lim->max_comments, "comments", error);
                break;
            }
        }
        if (sub < 0)
            return -1;
    }
    if (rc != 0)
        return rc;
    /* profile_index's id tables: 8 bytes per id up to about twice the elements; 32 bytes
     * per location and function is above that. */
    return charge(d, 32 * (p->nlocations + p->nfunctions), error);
}

/* The frames the views walk: every sample's locations, each as many frames as it has
 * lines (one if none), at most max_frames or frames_per_byte per byte of the `size` bytes
 * of protobuf. After profile_index, so every location id is known. */
static int check_frames(struct decoder *d, const struct pp_profile *p, size_t size,
                        const char **error)
{
    const size_t per_byte = d->lim->frames_per_byte;
    size_t max = d->lim->max_frames;
    if (per_byte && size > max / per_byte)
        max = size > SIZE_MAX / per_byte ? SIZE_MAX : size * per_byte;
    size_t frames = 0;
    for (size_t i = 0; i < p->nsamples; i++) {
        const struct pp_sample *s = &p->samples[i];
        for (size_t k = 0; k < s->nlocations; k++) {
            const struct pp_location *l = profile_location(p, s->location_ids[k]);
            const size_t n = l && l->nlines ? l->nlines : 1;
            if (n > max - frames)
                return over(d, error, max, "frames in the samples (inlined lines counted)");
            frames += n;
        }
    }
    return 0;
}

/* Decodes protobuf bytes into *p (already profile_init'ed) and indexes it. */
static int decode_indexed(const uint8_t *raw, size_t raw_len, struct decoder *d,
                          struct pp_profile *p, char *err, size_t err_size)
{
    const char *error = NULL;
    struct pb_reader r = {raw, raw + raw_len};
    int rc = decode_profile(d, r, p, &error);
    if (rc == 0 && p->nstrings == 0)
        rc = -1, error = "no string table: not a pprof profile";
    if (rc == 0 && profile_index(p, &error) != 0)
        rc = -1;
    if (rc == 0 && check_frames(d, p, raw_len, &error) != 0)
        rc = -1;
    if (rc != 0) {
        if (d->over_limit)
            snprintf(err, err_size, "refusing the profile: %s (the decoder's limit)", error);
        else
            snprintf(err, err_size, "malformed profile: %s", error ? error : "unknown error");
        profile_free(p);
        return -1;
    }
    return 0;
}

int pprof_decode_protobuf(const uint8_t *data, size_t len, const struct pprof_limits *lim,
                          struct pp_profile *p, char *err, size_t err_size)
{
    struct pprof_limits defaults;
    if (!lim) {
        pprof_limits_default(&defaults);
        lim = &defaults;
    }
    profile_init(p);
    struct decoder d = {.lim = lim};
    return decode_indexed(data, len, &d, p, err, err_size);
}

int pprof_decode_limited(const uint8_t *data, size_t len, const struct pprof_limits *lim,
                         struct pp_profile *p, char *err, size_t err_size)
{
    struct pprof_limits defaults;
    if (!lim) {
        pprof_limits_default(&defaults);
        lim = &defaults;
    }
    profile_init(p);
    const char *error = NULL;
    if (!pprof_is_gzip(data, len)) {
        snprintf(err, err_size, "not a gzip-compressed pprof profile");
        return -1;
    }
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    int gz = gunzip_bytes(data, len, lim->max_decompressed, &raw, &raw_len, &error);
    if (gz == -2) {
        char size[32];
        snprintf(err, err_size,
                 "refusing the profile: more than %s decompressed (the decoder's limit)",
                 size_text(size, sizeof size, lim->max_decompressed));
        return -1;
    }
    if (gz != 0) {
        snprintf(err, err_size, "%s", error);
        return -1;
    }
    struct decoder d = {.lim = lim};
    int rc = decode_indexed(raw, raw_len, &d, p, err, err_size);
    free(raw);
    return rc;
}

int pprof_decode(const uint8_t *data, size_t len, struct pp_profile *p, char *err, size_t err_size)
{
    return pprof_decode_limited(data, len, NULL, p, err, err_size);
}
