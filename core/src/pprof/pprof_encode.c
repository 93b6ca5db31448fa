/*
 * pprof_encode.c — a pp_profile to profile.proto bytes, gzipped with zlib (see
 * pprof_encode.h). The decoder, which only the tools need, is profile/pprof_decode.c.
 */
#include "pprof_encode.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof_fields.h"
#include "protobuf.h"

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
