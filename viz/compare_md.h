/* compare_md.h — several runs side by side as Markdown (`hzprof report A B ...`): each
 * run's machine and build, with two runs whether each figure they share reproduces
 * (bench_compare), then cost per sample and overhead with one column per run, rows matched
 * by configuration and flagged (two runs) where the 95% intervals do not overlap, and the
 * configurations with no successful trial. */
#ifndef HZPROF_VIZ_COMPARE_MD_H
#define HZPROF_VIZ_COMPARE_MD_H

#include <cjson/cJSON.h>
#include <stdio.h>

#define COMPARE_MD_MAX_RUNS 16

/* runs[0..nruns-1]: checked results.json documents (results_load.h), 2 to
 * COMPARE_MD_MAX_RUNS of them; names: their column headers (the arguments as given).
 * Returns 0, or -1 when a write to f failed (f's error flag is set). */
int compare_md_write(FILE *f, cJSON *const *runs, const char *const *names, int nruns);

#endif
