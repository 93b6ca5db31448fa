/*
 * html_report.h — `hzprof report RESULTS --format html`: DIR/index.html, an offline page
 * with the machine and build, the charts (drawn if missing), the summary tables, and links
 * to a flame graph of one profiled trial per sampler (drawn if missing). Every src and
 * href is a relative path to a file in DIR.
 */
#ifndef HZPROF_HTML_REPORT_H
#define HZPROF_HTML_REPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* results: the parsed results.json of the run in dir. Returns 0, or -1 with err. */
int html_report_write(cJSON *results, const char *dir, char *err, size_t n);

#endif
