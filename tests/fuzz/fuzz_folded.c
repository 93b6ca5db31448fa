/* fuzz_folded.c — libFuzzer target: the folded-stacks parser (the text `hzprof top` and
 * `flame` read when the input is not gzip), then the views of what it accepts. See
 * scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>

#include "folded_parse.h"
#include "fuzz_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pp_profile p;
    char err[256];
    if (folded_parse((const char *)data, size, &p, err, sizeof err) == 0) {
        fuzz_view(&p);
        profile_free(&p);
    }
    return 0;
}
