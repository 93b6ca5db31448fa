/*
 * error.h — error codes with a per-thread detail message (hzprof_error_detail).
 * The library never prints: callers decide what to show.
 */
#ifndef HZPROF_ERROR_H
#define HZPROF_ERROR_H

#include "hzprof.h"

/* Records a printf-style detail for the calling thread and returns code. */
int error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like error_set, with ": strerror(errnum)" appended. */
int error_set_errno(int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void error_clear(void);

#endif
