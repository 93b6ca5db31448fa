/*
 * header_example.c — the usage example at the top of core/include/hzprof.h, which shows
 * this file's code below this comment, line for line. The header_example test builds it
 * against the public header and the library alone, runs it, checks that it wrote a
 * non-empty cpu.folded, and checks that the header's copy is still this code: an example
 * that no longer compiles, or no longer matches the API, fails the tests.
 */
#include <hzprof.h>
#include <stdio.h>
#include <time.h>

static volatile unsigned long sink;

int main(void)
{
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    cfg.rate_hz = 1000;
    cfg.sampler = "thread-timer";
    int rc = hzprof_start(&cfg);
    if (rc != HZPROF_OK) {
        fprintf(stderr, "%s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
        return 1;
    }
    while (clock() < CLOCKS_PER_SEC / 5)
        sink++;
    hzprof_stop();
    rc = hzprof_write_folded("cpu.folded", 0);
    if (rc != HZPROF_OK) {
        fprintf(stderr, "%s: %s\n", hzprof_strerror(rc), hzprof_error_detail());
        return 1;
    }
    return 0;
}
