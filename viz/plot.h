/*
 * plot.h — gnuplot charts of an `hzprof bench` results.json: overhead against rate per
 * workload (log x, a line per sampler/unwinder, CI error bars, the zero line), achieved
 * against requested rate, cost per sample per sampler/unwinder (bars with CI), cache
 * misses per sample where counters or cachegrind data exist, and the truth attribution
 * error. Each chart is NAME.svg and NAME.png with its NAME.gp script and
 * NAME.dat data beside it, so the paper can reuse them.
 */
#ifndef HZPROF_PLOT_H
#define HZPROF_PLOT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Writes the charts into dir (which must exist). Returns 0, or -1 with a message. */
int plot_results(cJSON *results, const char *dir, char *err, size_t n);

#endif
