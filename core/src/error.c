/* error.c — error codes and messages (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static __thread char error_detail[512];

const char *hzprof_strerror(int code)
{
    switch (code) {
    case HZPROF_OK: return "success";
    case HZPROF_ERR_INVALID: return "invalid configuration";
    case HZPROF_ERR_UNKNOWN_SAMPLER: return "unknown sampler";
    case HZPROF_ERR_UNKNOWN_UNWINDER: return "unknown unwinder";
    case HZPROF_ERR_RUNNING: return "profiler already running";
    case HZPROF_ERR_NOT_RUNNING: return "profiler not running";
    case HZPROF_ERR_NO_PMU: return "hardware counters unavailable";
    case HZPROF_ERR_PERMISSION: return "permission denied by the kernel";
    case HZPROF_ERR_SYSTEM: return "system call failed";
    case HZPROF_ERR_NO_MEMORY: return "out of memory";
    case HZPROF_ERR_IO: return "output failed";
    case HZPROF_ERR_NO_PROFILE: return "no profile recorded";
    case HZPROF_ERR_LABELS: return "label stack misuse";
    case HZPROF_ERR_RATE: return "sampling rate too high";
    case HZPROF_ERR_BUDGET: return "overhead budget cannot be met";
    default: return "unknown error";
    }
}

const char *hzprof_error_detail(void)
{
    return error_detail;
}

int error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_detail, sizeof error_detail, fmt, ap);
    va_end(ap);
    return code;
}

int error_set_errno(int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(error_detail, sizeof error_detail, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof error_detail)
        snprintf(error_detail + n, sizeof error_detail - (size_t)n, ": %s", strerror(errnum));
    return code;
}

void error_clear(void)
{
    error_detail[0] = '\0';
}
