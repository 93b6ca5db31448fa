/* check_runner.h — runs a Check suite and turns its result into an exit status. */
#ifndef HZPROF_TEST_CHECK_RUNNER_H
#define HZPROF_TEST_CHECK_RUNNER_H

#include <check.h>

/* Runs every test of s (each in its own process), prints Check's report, frees s.
 * Returns EXIT_SUCCESS if all passed. */
int run_suite(Suite *s);

#endif
