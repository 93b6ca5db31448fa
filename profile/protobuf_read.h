/*
 * protobuf_read.h — a bounds-checked reader of the protocol-buffers wire format, what
 * profile.proto needs (the encoder is core's: core/src/pprof/protobuf.h).
 *
 * Wire types read: 0 (varint), 1 (64-bit), 2 (length-delimited), 5 (32-bit). Groups (3, 4)
 * are rejected. The reader never reads past its buffer: every failure (truncated varint,
 * length beyond the end, bad wire type) is reported as an error, never a crash.
 */
#ifndef HZPROF_PROTOBUF_READ_H
#define HZPROF_PROTOBUF_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
