/* summary_md.h — one run's results as Markdown: what `hzprof bench` writes to summary.md
 * and `hzprof report DIR` prints. The harness computes the figures (results.json's
 * summary); this only lays them out. */
#ifndef HZPROF_VIZ_SUMMARY_MD_H
#define HZPROF_VIZ_SUMMARY_MD_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* The summary of a checked results.json document (results_load.h) as Markdown, to f.
 * Returns 0, or -1 when a write to f failed (f's error flag is set; the caller reports
 * it, and closes f with file_close_checked). */
int summary_md_write(FILE *f, cJSON *results);

/* A configuration's first three cells, "| workload | sampler | unwinder |": sampler "off"
 * when it has none (profiling off), unwinder `none` when it has none. The one layout of a
 * row's names for every Markdown table (summary_md.c, compare_md.c). */
void summary_md_names(FILE *f, cJSON *row, const char *none);

#endif
