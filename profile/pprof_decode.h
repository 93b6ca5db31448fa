/*
 * pprof_decode.h — the bytes of a .pb.gz file (the protobuf encoding of
 * perftools.profiles.Profile, gzip-compressed) into a pp_profile. The encoder is core's
 * (core/src/pprof/pprof_encode.h); only the tools read profiles, so the decoder is here.
 *
 * The decoder is meant for untrusted input: every malformed, truncated or non-gzip input
 * is an error with a message, never a crash, a hang or an unbounded allocation.
 *
 * Limits. Capping the decompressed size alone does not bound the decoded model: every
 * entry costs at least 2 bytes on the wire but a few dozen in memory (a gzip of 2.7 MB,
 * one empty string-table entry repeated, decoded into 512 M strings and 12.9 GB). So the
 * decoder also bounds how many entries of each kind a profile may have and the memory its
 * model may take, and refuses a profile over any of them with a one-line error naming the
 * limit. Top-level counts are checked on a first pass over the fields, before anything is
 * allocated; nested counts (values, locations and labels per sample, lines per location)
 * before their arrays grow. Last, what the views walk is bounded: the frames of all
 * samples, inlined lines expanded. A location of 65536 lines named by many samples
 * multiplies them for free: 2^30 frames from 1.4 KB of gzip had `flame` (as it was then)
 * build a node per frame until the kernel killed it; 2^26 took it 160 s, 5 GB and a 13 GB
 * SVG. At the floor below, one stack of 4 M frames, today's flame takes 4.6 s and 365 MB
 * and writes a 730 MB SVG (top: 0.02 s). Frames are bounded relative to the decompressed
 * size (PPROF_FRAMES_PER_BYTE: a location id takes a byte or more and a real one stands
 * for a few inlined lines at most), with a floor of PPROF_MAX_FRAMES for small profiles,
 * so the views' work (time and memory proportional to the frames) is proportional to
 * what was decompressed.
 *
 * The defaults are far above real profiles: a process has at most vm.max_map_count
 * (65530 by default) mappings; hzprof records at most 256 frames per sample
 * (HZPROF_MAX_DEPTH_LIMIT), Go 512 and perf 127 by default; real profiles have 1 to 4
 * sample types, a few inlined lines per location, and up to some hundred thousand
 * samples, locations, functions and strings. None is relative to the compressed size:
 * real profiles of deep recursion repeat the same location ids thousands of times and
 * compress as well as a bomb does, so the ratio cannot tell them apart. The counts are
 * already bounded by the decompressed size (each entry takes 2 bytes or more); the caps
 * below are much lower than that. What is left is the time to gunzip up to
 * PPROF_MAX_DECOMPRESSED (about 7 s for 1 GiB of the bomb above on our 2-core test VM).
 */
#ifndef HZPROF_PPROF_DECODE_H
#define HZPROF_PPROF_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "pprof/profile.h"

#define PPROF_MAX_DECOMPRESSED (1u << 30)    /* bytes of protobuf after gunzip */
#define PPROF_MAX_DECODED_BYTES (2ull << 30) /* memory of the decoded model */
#define PPROF_MAX_STRINGS (1u << 24)         /* string-table entries: 16,777,216 */
#define PPROF_MAX_SAMPLES (1u << 26)         /* 67,108,864 */
#define PPROF_MAX_LOCATIONS (1u << 24)       /* 16,777,216 */
#define PPROF_MAX_FUNCTIONS (1u << 24)       /* 16,777,216 */
#define PPROF_MAX_MAPPINGS (1u << 20)        /* 1,048,576 */
#define PPROF_MAX_SAMPLE_TYPES 1024          /* sample types, so values per sample */
#define PPROF_MAX_SAMPLE_DEPTH (1u << 20)    /* locations per sample: 1,048,576 */
#define PPROF_MAX_LINES 65536                /* lines per location (inlining depth) */
#define PPROF_MAX_LABELS 65536               /* labels per sample */
#define PPROF_MAX_COMMENTS (1u << 20)        /* 1,048,576 */
/* Frames of all samples, inlined lines expanded: PPROF_MAX_FRAMES, or for a larger
 * profile PPROF_FRAMES_PER_BYTE per byte of decompressed protobuf. */
#define PPROF_MAX_FRAMES (1u << 22) /* 4,194,304 */
#define PPROF_FRAMES_PER_BYTE 8

/* What a decoded profile may hold. The memory counted is what the decoder allocates for
 * the model (arrays at their capacity, strings, index tables, 16 bytes of allocator
 * bookkeeping per allocation), not the decompressed buffer, which is freed after. */
struct pprof_limits {
    size_t max_decompressed, max_decoded_bytes;
    size_t max_strings, max_samples, max_locations, max_functions, max_mappings;
    size_t max_sample_types, max_sample_depth, max_lines, max_labels, max_comments;
    size_t max_frames, frames_per_byte;
};

/* The PPROF_MAX_* values above. */
void pprof_limits_default(struct pprof_limits *lim);

/* Gunzips and decodes into *p (profile_init'ed by the call) and indexes it, within the
 * default limits. Returns 0, or -1 with a one-line message in err (at most err_size
 * bytes); *p is then empty. */
int pprof_decode(const uint8_t *data, size_t len, struct pp_profile *p, char *err, size_t err_size);

/* The same within `lim` (NULL: the defaults). */
int pprof_decode_limited(const uint8_t *data, size_t len, const struct pprof_limits *lim,
                         struct pp_profile *p, char *err, size_t err_size);

/* Decodes protobuf bytes that are not gzip-compressed (as pprof_decode does after
 * gunzipping): for tests and fuzzing of the protobuf layer alone. */
int pprof_decode_protobuf(const uint8_t *data, size_t len, const struct pprof_limits *lim,
                          struct pp_profile *p, char *err, size_t err_size);

/* True if the bytes start with the gzip magic number. */
int pprof_is_gzip(const uint8_t *data, size_t len);

#endif
