/*
 * pprof_codec.h — a pp_profile to and from the bytes of a .pb.gz file: the protobuf
 * encoding of perftools.profiles.Profile, gzip-compressed (zlib).
 *
 * The decoder is meant for untrusted input: every malformed, truncated or non-gzip input
 * is an error with a message, never a crash, a hang or an unbounded allocation (the
 * decompressed size is capped at PPROF_MAX_DECOMPRESSED).
 */
#ifndef HZPROF_PPROF_CODEC_H
#define HZPROF_PPROF_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define PPROF_MAX_DECOMPRESSED (1u << 30)

/* Encodes and gzips. Returns 0 and a malloc'd buffer, or -1 (out of memory / zlib). */
int pprof_encode(const struct pp_profile *p, uint8_t **out, size_t *out_len);

/* Gunzips and decodes into *p (profile_init'ed by the call) and indexes it. Returns 0, or
 * -1 with a message in err (at most err_size bytes); *p is then empty. */
int pprof_decode(const uint8_t *data, size_t len, struct pp_profile *p, char *err, size_t err_size);

/* True if the bytes start with the gzip magic number. */
int pprof_is_gzip(const uint8_t *data, size_t len);

#endif
