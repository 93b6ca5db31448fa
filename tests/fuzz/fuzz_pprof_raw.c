/* fuzz_pprof_raw.c — libFuzzer target: the pprof decoder on protobuf bytes that are not
 * compressed, so that mutations reach the protobuf layer instead of failing the gzip CRC;
 * then the views of what it accepts. See scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_view.h"
#include "pprof_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pp_profile p;
    char err[256];
    if (pprof_decode_protobuf(data, size, NULL, &p, err, sizeof err) == 0) {
        fuzz_view(&p);
        profile_free(&p);
    }
    return 0;
}
