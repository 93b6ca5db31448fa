/* protobuf.c — see protobuf.h. */
#include "protobuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void pb_buf_free(struct pb_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static bool pb_reserve(struct pb_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

static void pb_put_raw_varint(struct pb_buf *b, uint64_t v)
{
    if (!pb_reserve(b, 10))
        return;
    while (v >= 0x80) {
        b->data[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->data[b->len++] = (uint8_t)v;
}

static void pb_put_tag(struct pb_buf *b, uint32_t field, uint32_t wire_type)
{
    pb_put_raw_varint(b, ((uint64_t)field << 3) | wire_type);
}

void pb_put_varint_field(struct pb_buf *b, uint32_t field, uint64_t v)
{
    pb_put_tag(b, field, 0);
    pb_put_raw_varint(b, v);
}

void pb_put_varint_nonzero(struct pb_buf *b, uint32_t field, uint64_t v)
{
    if (v)
        pb_put_varint_field(b, field, v);
}

void pb_put_bytes_field(struct pb_buf *b, uint32_t field, const void *data, size_t n)
{
    pb_put_tag(b, field, 2);
    pb_put_raw_varint(b, n);
    if (n && pb_reserve(b, n)) {
        memcpy(b->data + b->len, data, n);
        b->len += n;
    }
}

void pb_put_packed_varints(struct pb_buf *b, uint32_t field, const uint64_t *v, size_t n)
{
    if (n == 0)
        return;
    struct pb_buf inner = {0};
    for (size_t i = 0; i < n; i++)
        pb_put_raw_varint(&inner, v[i]);
    if (inner.failed)
        b->failed = true;
    else
        pb_put_bytes_field(b, field, inner.data, inner.len);
    pb_buf_free(&inner);
}

void pb_put_message(struct pb_buf *b, uint32_t field, const struct pb_buf *inner)
{
    if (inner->failed)
        b->failed = true;
    else
        pb_put_bytes_field(b, field, inner->data, inner->len);
}

static int pb_get_varint(struct pb_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t byte = *r->p++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1; /* more than 10 bytes */
}

int pb_next_field(struct pb_reader *r, struct pb_field *f, const char **error)
{
    if (r->p >= r->end)
        return 0;
    uint64_t tag;
    if (pb_get_varint(r, &tag) != 0) {
        *error = "truncated or overlong field tag";
        return -1;
    }
    f->number = (uint32_t)(tag >> 3);
    f->wire_type = (uint32_t)(tag & 7);
    if (f->number == 0 || (tag >> 3) > 0x1fffffff) {
        *error = "invalid field number";
        return -1;
    }
    switch (f->wire_type) {
    case 0:
        if (pb_get_varint(r, &f->varint) != 0) {
            *error = "truncated varint";
            return -1;
        }
        return 1;
    case 1:
    case 5: {
        size_t n = f->wire_type == 1 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n) {
            *error = "truncated fixed-width field";
            return -1;
        }
        f->varint = 0;
        for (size_t i = 0; i < n; i++)
            f->varint |= (uint64_t)r->p[i] << (8 * i);
        r->p += n;
        return 1;
    }
    case 2: {
        uint64_t len;
        if (pb_get_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p)) {
            *error = "length-delimited field runs past the end";
            return -1;
        }
        f->bytes.p = r->p;
        f->bytes.end = r->p + len;
        r->p += len;
        return 1;
    }
    default: *error = "unsupported wire type"; return -1;
    }
}

int pb_count_varints(const struct pb_field *f, size_t *count, const char **error)
{
    if (f->wire_type == 0) {
        *count = 1;
        return 0;
    }
    if (f->wire_type != 2) {
        *error = "repeated integer field with a wrong wire type";
        return -1;
    }
    /* A varint ends at each byte without the continuation bit; pb_get_varint rejects an
     * overlong one (more than 10 bytes) when reading. */
    size_t n = 0;
    for (const uint8_t *q = f->bytes.p; q < f->bytes.end; q++)
        n += !(*q & 0x80);
    if (f->bytes.end > f->bytes.p && (f->bytes.end[-1] & 0x80)) {
        *error = "truncated varint in a packed field";
        return -1;
    }
    *count = n;
    return 0;
}

size_t pb_capacity(size_t n)
{
    size_t cap = n ? 1 : 0;
    while (cap < n)
        cap *= 2;
    return cap;
}

int pb_read_varints(const struct pb_field *f, uint64_t **out, size_t *n, const char **error)
{
    size_t count;
    if (pb_count_varints(f, &count, error) != 0)
        return -1;
    if (count == 0)
        return 0;
    if (count > SIZE_MAX / sizeof **out / 2 - *n) {
        *error = "out of memory";
        return -1;
    }
    const size_t cap = pb_capacity(*n + count);
    if (cap != pb_capacity(*n)) {
        uint64_t *grown = realloc(*out, cap * sizeof **out);
        if (!grown) {
            *error = "out of memory";
            return -1;
        }
        *out = grown;
    }
    if (f->wire_type == 0) {
        (*out)[(*n)++] = f->varint;
        return 0;
    }
    struct pb_reader r = f->bytes;
    while (r.p < r.end) {
        if (pb_get_varint(&r, &(*out)[*n]) != 0) {
            *error = "overlong varint in a packed field";
            return -1;
        }
        (*n)++;
    }
    return 0;
}
