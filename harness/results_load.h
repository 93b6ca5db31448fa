/*
 * results_load.h — the one reader of a results.json (the output of `hzprof bench`) for
 * every tool that shows results: `hzprof report` (markdown, HTML, LaTeX), `hzprof plot`,
 * the paper's numbers. It refuses a schema version it does not know and checks the shape
 * that every reader relies on (the fields bench_summary.c writes, with their types), so a
 * damaged, truncated or hand-edited file gives one clear error naming the field, never a
 * crash further on (issue 14 #13). Optional parts (the paired method's aa, layers, dose,
 * precision; a row's overhead or paired figures) are checked when present.
 */
#ifndef HZPROF_RESULTS_LOAD_H
#define HZPROF_RESULTS_LOAD_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Reads ARG (a results directory, or a results.json) into a checked document. The file's
 * path is written to path (path_n bytes). Returns NULL with a one-line reason in err. */
cJSON *results_load(const char *arg, char *path, size_t path_n, char *err, size_t n);

/* Checks a parsed document as results_load does. Returns 0, or -1 with the first problem
 * in err ("summary.configs[3].workload: expected a string"). */
int results_check(cJSON *doc, char *err, size_t n);

#endif
