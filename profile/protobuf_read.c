/* protobuf_read.c — the wire-format reader (see protobuf_read.h). */
#include "protobuf_read.h"

#include <stdlib.h>
#include <string.h>

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
