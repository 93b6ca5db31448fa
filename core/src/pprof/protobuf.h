/*
 * protobuf.h — the protocol-buffers wire format, just what profile.proto needs: an encoder
 * into a growable buffer. The bounds-checked decoder is the tools' (profile/protobuf_read.h).
 *
 * Wire types written: 0 (varint) and 2 (length-delimited).
 */
#ifndef HZPROF_PROTOBUF_H
#define HZPROF_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
