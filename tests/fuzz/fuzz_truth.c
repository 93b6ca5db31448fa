/* fuzz_truth.c — libFuzzer target: the truth JSON that `hzprof score PROFILE RESULT.json`
 * reads (truth_parse, both kinds, and its syscall sites), scored against a small fixed
 * profile (attribution and skid). See scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "folded_parse.h"
#include "fuzz_text.h"
#include "score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pp_profile profile;
    static int ready;
    if (!ready) {
        static const char stacks[] = "main;truth_a 50\nmain;truth_b 30\nmain;truth_c 20\n"
                                     "main;sleep;[off-cpu] 7\nmain;truth_syscall_site 3\n";
        char err[256];
        if (folded_parse(stacks, sizeof stacks - 1, &profile, err, sizeof err) != 0)
            abort();
        ready = 1;
    }
    /* As read_file gives it: NUL-terminated, with its length. */
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    static const char *const kinds[] = {"cpu", "wall"};
    for (size_t k = 0; k < 2; k++) {
        struct truth t;
        char err[512];
        if (truth_parse(text, size, kinds[k], "fuzz.json", &t, err, sizeof err) == 0) {
            score_attribution(&profile, 0, t.shares, t.n);
            struct skid_score skid;
            score_skid(&profile, 0, t.shares, t.n, (const char *const *)t.sites, t.nsites, &skid);
            truth_free(&t);
        }
    }
    free(text);
    return 0;
}
