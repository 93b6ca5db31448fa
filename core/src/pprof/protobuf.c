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
