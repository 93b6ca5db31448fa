/*
 * protobuf.h — the protocol-buffers wire format, just what profile.proto needs: an encoder
 * into a growable buffer and a bounds-checked decoder.
 *
 * Wire types used: 0 (varint), 1 (64-bit), 2 (length-delimited), 5 (32-bit). Groups (3, 4)
 * are rejected. The decoder never reads past its buffer: every failure (truncated varint,
 * length beyond the end, bad wire type) is reported as an error, never a crash.
 */
#ifndef HZPROF_PROTOBUF_H
#define HZPROF_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- encoder --- */

struct pb_buf {
    uint8_t *data;
    size_t len, cap;
    bool failed; /* allocation failed; every later call is a no-op */
};

void pb_buf_free(struct pb_buf *b);
void pb_put_varint_field(struct pb_buf *b, uint32_t field, uint64_t v);
/* Omits the field when v is 0 (proto3 default). */
void pb_put_varint_nonzero(struct pb_buf *b, uint32_t field, uint64_t v);
void pb_put_bytes_field(struct pb_buf *b, uint32_t field, const void *data, size_t n);
/* Packed repeated varints. Omitted when n is 0. */
void pb_put_packed_varints(struct pb_buf *b, uint32_t field, const uint64_t *v, size_t n);
/* A nested message: encode it into `inner` first, then put it. */
void pb_put_message(struct pb_buf *b, uint32_t field, const struct pb_buf *inner);

/* --- decoder --- */

struct pb_reader {
    const uint8_t *p, *end;
};

struct pb_field {
    uint32_t number;
    uint32_t wire_type;
    uint64_t varint;        /* wire types 0, 1, 5 */
    struct pb_reader bytes; /* wire type 2 */
};

/* Reads the next field. Returns 1 on success, 0 at the end of the buffer, -1 on malformed
 * input (with *error set to a static message). */
int pb_next_field(struct pb_reader *r, struct pb_field *f, const char **error);

/* Reads every varint of a packed field (or the single varint of an unpacked one) into a
 * newly allocated array. Returns 0 or -1 (malformed / out of memory, *error set). The
 * array is appended to (*out, *n), so repeated unpacked occurrences accumulate. */
int pb_read_varints(const struct pb_field *f, uint64_t **out, size_t *n, const char **error);

#endif
