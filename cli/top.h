/* top.h — the table `hzprof top` prints, apart from its command line: for the command
 * and the fuzz targets (tests/fuzz/), which run it on every profile they decode. */
#ifndef HZPROF_CLI_TOP_H
#define HZPROF_CLI_TOP_H

#include <stdbool.h>
#include <stdio.h>

#include "pprof/profile.h"

/* Writes the functions with the most of sample value `value_index` (flat, or cumulative
 * when by_cum), at most `limit` rows (0: all), as `pprof -top` does. p is indexed (as
 * profile_load leaves it). Returns 0, or -1 when memory runs out (nothing written). */
int top_write(const struct pp_profile *p, int value_index, long limit, bool by_cum, FILE *out);

#endif
