/*
 * pprof_codec.c — profile.proto encoding and decoding, gzip via zlib (see pprof_codec.h).
 * Field numbers are those of google/pprof proto/profile.proto.
 */
#include "pprof_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protobuf.h"

/* Profile */
enum {
    F_SAMPLE_TYPE = 1,
    F_SAMPLE = 2,
    F_MAPPING = 3,
    F_LOCATION = 4,
    F_FUNCTION = 5,
    F_STRING_TABLE = 6,
    F_DROP_FRAMES = 7,
    F_KEEP_FRAMES = 8,
    F_TIME_NANOS = 9,
    F_DURATION_NANOS = 10,
    F_PERIOD_TYPE = 11,
    F_PERIOD = 12,
    F_COMMENT = 13,
    F_DEFAULT_SAMPLE_TYPE = 14,
};

/* --- encoding --- */

static void put_value_type(struct pb_buf *b, uint32_t field, const struct pp_value_type *vt)
{
    struct pb_buf m = {0};
    pb_put_varint_nonzero(&m, 1, (uint64_t)vt->type);
    pb_put_varint_nonzero(&m, 2, (uint64_t)vt->unit);
    pb_put_message(b, field, &m);
    pb_buf_free(&m);
}

static void put_sample(struct pb_buf *b, const struct pp_sample *s)
{
    struct pb_buf m = {0};
    pb_put_packed_varints(&m, 1, s->location_ids, s->nlocations);
    pb_put_packed_varints(&m, 2, (const uint64_t *)s->values, s->nvalues);
    for (size_t i = 0; i < s->nlabels; i++) {
        struct pb_buf l = {0};
        pb_put_varint_nonzero(&l, 1, (uint64_t)s->labels[i].key);
        pb_put_varint_nonzero(&l, 2, (uint64_t)s->labels[i].str);
        pb_put_varint_nonzero(&l, 3, (uint64_t)s->labels[i].num);
        pb_put_varint_nonzero(&l, 4, (uint64_t)s->labels[i].num_unit);
        pb_put_message(&m, 3, &l);
        pb_buf_free(&l);
    }
    pb_put_message(b, F_SAMPLE, &m);
    pb_buf_free(&m);
}

static void put_mapping(struct pb_buf *b, const struct pp_mapping *mp)
{
    struct pb_buf m = {0};
    pb_put_varint_nonzero(&m, 1, mp->id);
    pb_put_varint_nonzero(&m, 2, mp->memory_start);
    pb_put_varint_nonzero(&m, 3, mp->memory_limit);
    pb_put_varint_nonzero(&m, 4, mp->file_offset);
    pb_put_varint_nonzero(&m, 5, (uint64_t)mp->filename);
    pb_put_varint_nonzero(&m, 6, (uint64_t)mp->build_id);
    pb_put_varint_nonzero(&m, 7, mp->has_functions);
    pb_put_varint_nonzero(&m, 8, mp->has_filenames);
    pb_put_varint_nonzero(&m, 9, mp->has_line_numbers);
    pb_put_varint_nonzero(&m, 10, mp->has_inline_frames);
    pb_put_message(b, F_MAPPING, &m);
    pb_buf_free(&m);
}

static void put_location(struct pb_buf *b, const struct pp_location *l)
{
    struct pb_buf m = {0};
    pb_put_varint_nonzero(&m, 1, l->id);
    pb_put_varint_nonzero(&m, 2, l->mapping_id);
    pb_put_varint_nonzero(&m, 3, l->address);
    for (size_t i = 0; i < l->nlines; i++) {
        struct pb_buf ln = {0};
        pb_put_varint_nonzero(&ln, 1, l->lines[i].function_id);
        pb_put_varint_nonzero(&ln, 2, (uint64_t)l->lines[i].line);
        pb_put_message(&m, 4, &ln);
        pb_buf_free(&ln);
    }
    pb_put_varint_nonzero(&m, 5, l->is_folded);
    pb_put_message(b, F_LOCATION, &m);
    pb_buf_free(&m);
}

static void put_function(struct pb_buf *b, const struct pp_function *f)
{
    struct pb_buf m = {0};
    pb_put_varint_nonzero(&m, 1, f->id);
    pb_put_varint_nonzero(&m, 2, (uint64_t)f->name);
    pb_put_varint_nonzero(&m, 3, (uint64_t)f->system_name);
    pb_put_varint_nonzero(&m, 4, (uint64_t)f->filename);
    pb_put_varint_nonzero(&m, 5, (uint64_t)f->start_line);
    pb_put_message(b, F_FUNCTION, &m);
    pb_buf_free(&m);
}

static int gzip_bytes(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip wrapper. Best speed, as Go's profile writer. */
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

int pprof_encode(const struct pp_profile *p, uint8_t **out, size_t *out_len)
{
    struct pb_buf b = {0};
    for (size_t i = 0; i < p->nsample_types; i++)
        put_value_type(&b, F_SAMPLE_TYPE, &p->sample_types[i]);
    for (size_t i = 0; i < p->nsamples; i++)
        put_sample(&b, &p->samples[i]);
    for (size_t i = 0; i < p->nmappings; i++)
        put_mapping(&b, &p->mappings[i]);
    for (size_t i = 0; i < p->nlocations; i++)
        put_location(&b, &p->locations[i]);
    for (size_t i = 0; i < p->nfunctions; i++)
        put_function(&b, &p->functions[i]);
    for (size_t i = 0; i < p->nstrings; i++)
        pb_put_bytes_field(&b, F_STRING_TABLE, p->strings[i], strlen(p->strings[i]));
    pb_put_varint_nonzero(&b, F_TIME_NANOS, (uint64_t)p->time_nanos);
    pb_put_varint_nonzero(&b, F_DURATION_NANOS, (uint64_t)p->duration_nanos);
    put_value_type(&b, F_PERIOD_TYPE, &p->period_type);
    pb_put_varint_nonzero(&b, F_PERIOD, (uint64_t)p->period);
    for (size_t i = 0; i < p->ncomments; i++)
        pb_put_varint_field(&b, F_COMMENT, (uint64_t)p->comments[i]);
    pb_put_varint_nonzero(&b, F_DEFAULT_SAMPLE_TYPE, (uint64_t)p->default_sample_type);
    int rc = b.failed ? -1 : gzip_bytes(b.data, b.len, out, out_len);
    pb_buf_free(&b);
    return rc;
}

/* --- decoding --- */

int pprof_is_gzip(const uint8_t *data, size_t len)
{
    return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

static int gunzip_bytes(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
                        const char **error)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        *error = "zlib initialization failed";
        return -1;
    }
    size_t cap = len * 4 + 1024, n = 0;
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
            if (cap >= PPROF_MAX_DECOMPRESSED) {
                *error = "decompressed profile larger than 1 GiB";
                goto fail;
            }
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                *error = "out of memory";
                goto fail;
            }
            buf = grown;
            cap *= 2;
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

#define GROW_OR_FAIL(ptr)                                                                          \
    do {                                                                                           \
        if (!(ptr)) {                                                                              \
            *error = "out of memory";                                                              \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

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

static int decode_sample(struct pb_reader r, struct pp_sample *s, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.number == 1) {
            if (pb_read_varints(&f, &s->location_ids, &s->nlocations, error) != 0)
                return -1;
        } else if (f.number == 2) {
            if (pb_read_varints(&f, (uint64_t **)&s->values, &s->nvalues, error) != 0)
                return -1;
        } else if (f.number == 3 && f.wire_type == 2) {
            struct pp_label *l = pp_grow((void **)&s->labels, &s->nlabels, sizeof *l);
            GROW_OR_FAIL(l);
            if (decode_label(f.bytes, l, error) != 0)
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

static int decode_location(struct pb_reader r, struct pp_location *l, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        if (f.number == 4 && f.wire_type == 2) {
            struct pp_line *ln = pp_grow((void **)&l->lines, &l->nlines, sizeof *ln);
            GROW_OR_FAIL(ln);
            if (decode_line(f.bytes, ln, error) != 0)
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

static int decode_profile(struct pb_reader r, struct pp_profile *p, const char **error)
{
    struct pb_field f;
    int rc;
    while ((rc = pb_next_field(&r, &f, error)) == 1) {
        int sub = 0;
        if (f.wire_type == 2) {
            switch (f.number) {
            case F_SAMPLE_TYPE: {
                struct pp_value_type *vt =
                    pp_grow((void **)&p->sample_types, &p->nsample_types, sizeof *vt);
                GROW_OR_FAIL(vt);
                sub = decode_value_type(f.bytes, vt, error);
                break;
            }
            case F_SAMPLE: {
                struct pp_sample *s = profile_add_sample(p);
                GROW_OR_FAIL(s);
                sub = decode_sample(f.bytes, s, error);
                break;
            }
            case F_MAPPING: {
                struct pp_mapping *m = profile_add_mapping(p);
                GROW_OR_FAIL(m);
                sub = decode_mapping(f.bytes, m, error);
                break;
            }
            case F_LOCATION: {
                struct pp_location *l = profile_add_location(p);
                GROW_OR_FAIL(l);
                sub = decode_location(f.bytes, l, error);
                break;
            }
            case F_FUNCTION: {
                struct pp_function *fn = profile_add_function(p);
                GROW_OR_FAIL(fn);
                sub = decode_function(f.bytes, fn, error);
                break;
            }
            case F_STRING_TABLE: {
                size_t n = (size_t)(f.bytes.end - f.bytes.p);
                char *s = malloc(n + 1);
                GROW_OR_FAIL(s);
                memcpy(s, f.bytes.p, n);
                s[n] = '\0';
                char **slot = pp_grow((void **)&p->strings, &p->nstrings, sizeof *slot);
                if (!slot) {
                    free(s);
                    *error = "out of memory";
                    return -1;
                }
                *slot = s;
                break;
            }
            case F_PERIOD_TYPE: sub = decode_value_type(f.bytes, &p->period_type, error); break;
            case F_COMMENT:
                if (pb_read_varints(&f, (uint64_t **)&p->comments, &p->ncomments, error) != 0)
                    return -1;
                break;
            }
        } else if (f.wire_type == 0) {
            switch (f.number) {
            case F_TIME_NANOS: p->time_nanos = as_int(f.varint); break;
            case F_DURATION_NANOS: p->duration_nanos = as_int(f.varint); break;
            case F_PERIOD: p->period = as_int(f.varint); break;
            case F_DEFAULT_SAMPLE_TYPE: p->default_sample_type = as_int(f.varint); break;
            case F_COMMENT:
                if (pb_read_varints(&f, (uint64_t **)&p->comments, &p->ncomments, error) != 0)
                    return -1;
                break;
            }
        }
        if (sub < 0)
            return -1;
    }
    return rc;
}

int pprof_decode(const uint8_t *data, size_t len, struct pp_profile *p, char *err, size_t err_size)
{
    profile_init(p);
    const char *error = NULL;
    if (!pprof_is_gzip(data, len)) {
        snprintf(err, err_size, "not a gzip-compressed pprof profile");
        return -1;
    }
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (gunzip_bytes(data, len, &raw, &raw_len, &error) != 0) {
        snprintf(err, err_size, "%s", error);
        return -1;
    }
    struct pb_reader r = {raw, raw + raw_len};
    int rc = decode_profile(r, p, &error);
    free(raw);
    if (rc == 0 && p->nstrings == 0)
        rc = -1, error = "no string table: not a pprof profile";
    if (rc == 0 && profile_index(p, &error) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, err_size, "malformed profile: %s", error ? error : "unknown error");
        profile_free(p);
        return -1;
    }
    return 0;
}
