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

/* The number of varints in a packed field (1 for an unpacked varint field), counted
 * without decoding them. Returns 0, or -1 on a wrong wire type or a truncated last varint
 * (*error set). Lets a caller check a limit before anything is allocated. */
int pb_count_varints(const struct pb_field *f, size_t *count, const char **error);

/* The capacity, in elements, that pb_read_varints keeps for an array of n elements: the
 * next power of two (0 for 0). Appending is then amortised O(1), also for a field that
 * arrives as many unpacked occurrences, and a caller can tell what an append allocates. */
size_t pb_capacity(size_t n);

/* Reads every varint of a packed field (or the single varint of an unpacked one),
 * appending them to (*out, *n), so repeated unpacked occurrences accumulate; the array's
 * capacity is always pb_capacity(*n). Returns 0 or -1 (malformed / out of memory, *error
 * set). */
int pb_read_varints(const struct pb_field *f, uint64_t **out, size_t *n, const char **error);

#endif
