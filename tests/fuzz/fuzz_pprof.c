/* fuzz_pprof.c — libFuzzer target: the pprof decoder on gzipped input (a .pb.gz file, as
 * `hzprof top FILE` reads it), then the views of what it accepts. See scripts/fuzz.sh.
 *
 * Byte mutations of a gzip stream almost all fail its CRC, so they would test zlib and our
 * gunzip loop only. The custom mutator below mostly mutates the protobuf inside instead
 * (gunzip, mutate, gzip again), and one time in four the gzip bytes themselves. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_view.h"
#include "pprof_decode.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pp_profile p;
    char err[256];
    if (pprof_decode(data, size, &p, err, sizeof err) == 0) {
        fuzz_view(&p);
        profile_free(&p);
    }
    return 0;
}

/* Runs z, set up by inflateInit2 or deflateInit2, over all of in into out (at most cap
 * bytes) with step (inflate or deflate), then ends it with end. Returns the length, or 0
 * if the stream did not finish in cap bytes (or is not a complete gzip stream). */
static size_t z_finish(z_stream *z, int (*step)(z_streamp, int), int (*end)(z_streamp),
                       const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    z->next_in = (Bytef *)in;
    z->avail_in = (uInt)len;
    z->next_out = out;
    z->avail_out = (uInt)cap;
    int rc = step(z, Z_FINISH);
    size_t n = z->total_out;
    end(z);
    return rc == Z_STREAM_END ? n : 0;
}

/* Gunzips at most `cap` bytes into out; returns the length, or 0 if it is not a complete
 * gzip stream of that size. */
static size_t gunzip_into(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return 0;
    return z_finish(&z, inflate, inflateEnd, in, len, out, cap);
}

/* Gzips in into out (at most cap bytes); returns the length, or 0 if it does not fit. */
static size_t gzip_into(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    return z_finish(&z, deflate, deflateEnd, in, len, out, cap);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    enum { RAW_MAX = 1 << 16 };
    static uint8_t raw[RAW_MAX];
    if (seed % 4 != 0 && pprof_is_gzip(data, size)) {
        size_t n = gunzip_into(data, size, raw, RAW_MAX / 2);
        if (n > 0) {
            n = LLVMFuzzerMutate(raw, n, RAW_MAX / 2);
            size_t out = gzip_into(raw, n, data, max_size);
            if (out > 0)
                return out;
        }
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
