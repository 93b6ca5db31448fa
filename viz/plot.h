/*
 * plot.h — gnuplot charts of an `hzprof bench` results.json: overhead against rate per
 * workload (log x, a line per sampler/unwinder, CI error bars, the zero line), achieved
 * against requested rate, cost per sample per sampler/unwinder (bars with CI), cache
 * misses per sample where counters or cachegrind data exist, and the truth attribution
 * error. Each chart is NAME.svg, NAME.png and NAME.pdf with its NAME.gp script and
 * NAME.dat data beside it, so the paper can reuse them.
 */
#ifndef HZPROF_PLOT_H
#define HZPROF_PLOT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define PLOT_MAX_CHARTS 160
#define PLOT_NAME_MAX 300

/* The names of the charts drawn (NAME.svg, NAME.png), in drawing order. */
struct plot_list {
    char names[PLOT_MAX_CHARTS][PLOT_NAME_MAX];
    size_t n;
};

/* Writes the charts into dir (which must exist) and, if written is not NULL, lists them
 * there (a chart with nothing to draw is skipped). Returns 0, or -1 with a message. */
int plot_results(cJSON *results, const char *dir, struct plot_list *written, char *err, size_t n);

#endif
