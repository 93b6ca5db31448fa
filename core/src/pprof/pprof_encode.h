/*
 * pprof_encode.h — a pp_profile to the bytes of a .pb.gz file: the protobuf encoding of
 * perftools.profiles.Profile, gzip-compressed (zlib). Reading them back is the tools'
 * (profile/pprof_decode.h), not the library's.
 */
#ifndef HZPROF_PPROF_ENCODE_H
#define HZPROF_PPROF_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* Encodes and gzips. Returns 0 and a malloc'd buffer, or -1 (out of memory / zlib). */
int pprof_encode(const struct pp_profile *p, uint8_t **out, size_t *out_len);

#endif
