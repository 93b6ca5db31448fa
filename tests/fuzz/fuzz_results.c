/* fuzz_results.c — libFuzzer target: a results.json as `hzprof report` and `plot` read it
 * (results_check), then what the readers do with an accepted one: the summary markdown,
 * the LaTeX report, two runs side by side (here the run with itself). See
 * scripts/fuzz.sh. Writing a run (bench_summarize) is not reached from here: the symbols
 * it needs are stubbed below so that bench_summary.c links alone. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "bench.h"
#include "bench_summary.h"
#include "compare_md.h"
#include "fuzz_view.h"
#include "machine.h"
#include "paper_data.h"
#include "results_load.h"
#include "summary_md.h"

cJSON *machine_metadata(void)
{
    abort();
}
cJSON *build_metadata(void)
{
    abort();
}
cJSON *bench_config_to_json(const struct bench_config *c)
{
    (void)c;
    abort();
}
bool bench_config_is_target(const struct bench_config *c, const char *w, const char *s,
                            const char *u, unsigned r)
{
    (void)c, (void)w, (void)s, (void)u, (void)r;
    abort();
}
bool bench_config_runs(const struct bench_config *c, size_t s, unsigned r)
{
    (void)c, (void)s, (void)r;
    abort();
}
bool bench_baseline_has_twin(const char *b)
{
    (void)b;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    cJSON *doc = cJSON_Parse(text);
    free(text);
    char err[1024];
    if (doc && results_check(doc, err, sizeof err) == 0) {
        summary_md_write(fuzz_null(), doc);
        latex_report_write(doc, fuzz_null());
        cJSON *const runs[] = {doc, doc};
        const char *const names[] = {"a", "b"};
        compare_md_write(fuzz_null(), runs, names, 2); /* bench_compare of the two */
    }
    cJSON_Delete(doc);
    return 0;
}
