/* fuzz_flame_folded.c — libFuzzer target: the folded reader of `hzprof flame`
 * (flame_graph_add_folded, viz/flame_folded.c), which reads folded text straight into the
 * graph rather than through folded_parse: as the input, then as the base of a
 * differential graph, then drawn. See scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w")))
        return 0;
    struct flame_options o;
    flame_options_init(&o);
    struct flame_graph *g = flame_graph_new(&o);
    char err[256];
    if (g && flame_graph_add_folded(g, (const char *)data, size, false, err, sizeof err) == 0 &&
        flame_graph_add_folded(g, (const char *)data, size, true, err, sizeof err) == 0)
        flame_graph_write(g, null);
    flame_graph_free(g);
    return 0;
}
