/*
 * test_budget.c — budget mode's contract (hzprof.h: hzprof_config.max_overhead): the pure
 * choice of a rate for a budget and a cost (edges: a tiny cost gives the sampler's
 * maximum, a huge one HZPROF_ERR_BUDGET), the parsing of a budget as the command line
 * and HZPROF_MAX_OVERHEAD write it, the config checks, a start with a given cost (the
 * statistics say what was chosen), and that a calibration leaves no profile behind.
 * No assertion depends on how fast this machine is: the calibrated figures are only
 * checked for consistency with the choice they led to.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hzprof.h"
#include "support.h"
#include "test_config.h"

START_TEST(test_rate_for_budget)
{
    struct hzprof_budget b;
    /* 1% of a CPU-second over 55 us a sample: 181.8 -> 181 Hz (never rounded up). */
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 10000, 0, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 181);
    ck_assert_double_eq_tol(b.predicted_overhead, 181 * 55e-6, 1e-12);
    ck_assert(b.predicted_overhead <= 0.01);
    /* Binary fractions do not lose the exact case: 3% over 3 ms is 10 Hz, not 9. */
    ck_assert_int_eq(hzprof_budget_rate(0.03, 3e6, 10000, 0, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 10);
    /* A tiny cost: the sampler's maximum, and the prediction at that rate. */
    ck_assert_int_eq(hzprof_budget_rate(0.01, 0.001, 10000, 0, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 10000);
    ck_assert_double_eq_tol(b.predicted_overhead, 10000 * 0.001e-9, 1e-15);
    ck_assert_int_eq(hzprof_budget_rate(0.5, 1e-300, 4000, 0, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 4000);
    /* A ceiling (a tick sampler): the rate is not lowered, the prediction is. */
    ck_assert_int_eq(hzprof_budget_rate(0.01, 5000, 10000, 250, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 2000);
    ck_assert_double_eq_tol(b.predicted_overhead, 250 * 5e-6, 1e-12);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 10000, 250, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 181); /* under the ceiling: the ceiling plays no part */
    ck_assert_double_eq_tol(b.predicted_overhead, 181 * 55e-6, 1e-12);
    /* Exactly 1 Hz fits; a cost above the budget at 1 Hz is refused, with the figures. */
    ck_assert_int_eq(hzprof_budget_rate(0.01, 1e7, 10000, 0, &b), HZPROF_OK);
    ck_assert_uint_eq(b.rate_hz, 1);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 2e7, 10000, 0, &b), HZPROF_ERR_BUDGET);
    ck_assert_str_eq(hzprof_error_detail(), "a sample costs 20000 us of CPU here, so even 1 Hz "
                                            "adds 2%, above the budget of 1%");
    ck_assert_str_eq(hzprof_strerror(HZPROF_ERR_BUDGET), "overhead budget cannot be met");
}
END_TEST

START_TEST(test_rate_for_budget_refuses_bad_arguments)
{
    struct hzprof_budget b;
    const double bad_budgets[] = {0, -0.01, 0.5000001, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_budgets / sizeof bad_budgets[0]; i++)
        ck_assert_int_eq(hzprof_budget_rate(bad_budgets[i], 55000, 10000, 0, &b),
                         HZPROF_ERR_INVALID);
    const double bad_costs[] = {0, -1, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad_costs / sizeof bad_costs[0]; i++)
        ck_assert_int_eq(hzprof_budget_rate(0.01, bad_costs[i], 10000, 0, &b), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 0, 0, &b), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 10000, NAN, &b), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 10000, -1, &b), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_budget_rate(0.01, 55000, 10000, 0, NULL), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_budget_rate(0.5, 55000, 10000, 0, &b), HZPROF_OK); /* the limit */
}
END_TEST

START_TEST(test_overhead_parse)
{
    static const struct {
        const char *text;
        double fraction;
    } good[] = {{"1%", 0.01},  {"0.5%", 0.005}, {"1", 0.01},    {"50%", 0.5},
                {".5", 0.005}, {"1.", 0.01},    {"0.01", 1e-4}, {"007%", 0.07}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double f = -1;
        ck_assert_msg(hzprof_overhead_parse(good[i].text, &f) == HZPROF_OK, "'%s' refused: %s",
                      good[i].text, hzprof_error_detail());
        ck_assert_double_eq_tol(f, good[i].fraction, 1e-15);
    }
    static const char *const bad[] = {"",   "%",   "abc",   "0",     "0%",  "0.0", "-1",
                                      "+1", "60",  "50.01", "nan",   "inf", "1e0", " 1",
                                      "1 ", "1%%", "1%x",   "1.2.3", ".",   "1,5", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double f = 42;
        ck_assert_msg(hzprof_overhead_parse(bad[i], &f) == HZPROF_ERR_INVALID, "'%s' accepted",
                      bad[i]);
        ck_assert_double_eq(f, 42); /* untouched */
    }
    ck_assert_int_eq(hzprof_overhead_parse(NULL, NULL), HZPROF_ERR_INVALID);
    hzprof_overhead_parse("abc", NULL);
    ck_assert_str_eq(hzprof_error_detail(), "'abc' is not an overhead budget (a percentage above "
                                            "0 and at most 50, like 1% or 0.5%)");
}
END_TEST

START_TEST(test_config_checks)
{
    struct hzprof_config cfg;
    hzprof_config_init(&cfg);
    ck_assert(cfg.max_overhead == 0 && cfg.calibration == NULL); /* off by default */
    cfg.max_overhead = 0.01;
    cfg.rate_hz = 0; /* ignored in budget mode */
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_OK);
    cfg.sampler = "manual";
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
    ck_assert_str_eq(hzprof_error_detail(),
                     "budget mode needs a timer: the 'manual' sampler takes samples only when "
                     "the program signals itself, so no rate can be chosen");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_running(), 0);
    cfg.sampler = "thread-timer";
    const double bad[] = {-0.01, 0.6, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.max_overhead = bad[i];
        ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
        ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    }
    cfg.max_overhead = 0.01;
    struct hzprof_calibration cal = {.cost_ns = 0};
    cfg.calibration = &cal;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_running(), 0);
}
END_TEST

/* A given cost: no calibration, the choice is exact, and the statistics say it. */
START_TEST(test_start_with_given_cost)
{
    struct hzprof_calibration cal = {.cost_ns = 1e6, .ceiling_hz = 0};
    struct hzprof_config cfg = test_config("thread-timer", "fp");
    cfg.rate_hz = 5000; /* ignored */
    cfg.max_overhead = 0.01;
    cfg.calibration = &cal;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_uint_eq(st.rate_hz, 10);
    ck_assert_double_eq(st.max_overhead, 0.01);
    ck_assert_double_eq_tol(st.predicted_overhead, 0.01, 1e-12);
    ck_assert_double_eq(st.cost_ns_per_sample, 1e6);
    ck_assert_int_eq(st.cost_calibrated, 0);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_uint_eq(st.rate_hz, 10);
    ck_assert_double_eq(st.max_overhead, 0.01);
    /* The next session without a budget says nothing of one. */
    cfg.max_overhead = 0;
    cfg.rate_hz = 100;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_uint_eq(st.rate_hz, 100);
    ck_assert(st.max_overhead == 0 && st.predicted_overhead == 0 && st.cost_ns_per_sample == 0);
    /* A cost the budget cannot pay even at 1 Hz: refused, nothing started. */
    cal.cost_ns = 2e7;
    cfg.max_overhead = 0.01;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_BUDGET);
    ck_assert_int_eq(hzprof_running(), 0);
}
END_TEST

START_TEST(test_calibration_leaves_no_profile)
{
    /* A profile of the caller's exists before. */
    struct hzprof_config cfg = test_config("manual", "fp");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    struct hzprof_calibration cal;
    ck_assert_int_eq(hzprof_calibrate(&cfg, &cal), HZPROF_ERR_RUNNING);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_calibrate(&cfg, &cal), HZPROF_ERR_INVALID); /* manual: no timer */
    cfg.sampler = "thread-timer";
    ck_assert_int_eq(hzprof_calibrate(&cfg, &cal), HZPROF_OK);
    ck_assert(cal.cost_ns > 0 && cal.cost_ns >= cal.handler_ns);
    ck_assert_uint_eq(cal.test_rate_hz, 4000);
    ck_assert(cal.cpu_seconds > 0);
    /* Discarded like any start discards; and none of its own is left behind. */
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_ERR_NO_PROFILE);
    ck_assert_int_eq(hzprof_write_folded("never.folded", 0), HZPROF_ERR_NO_PROFILE);
    ck_assert_int_eq(access("never.folded", F_OK), -1);
    ck_assert_int_eq(hzprof_running(), 0);
}
END_TEST

static BURN_FUNCTION(budget_work, 7)

/* A calibrated start: the choice is the pure function's for the cost it measured, and the
 * session's profile holds the session's samples only. */
START_TEST(test_calibrated_start_is_consistent_and_clean)
{
    struct hzprof_config cfg = test_config("thread-timer", "fp");
    cfg.max_overhead = 0.005;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_int_eq(st.cost_calibrated, 1);
    ck_assert_double_eq(st.max_overhead, 0.005);
    struct hzprof_budget b;
    ck_assert_int_eq(hzprof_budget_rate(0.005, st.cost_ns_per_sample,
                                        hzprof_sampler_max_rate("thread-timer"),
                                        st.budget_ceiling_hz, &b),
                     HZPROF_OK);
    ck_assert_uint_eq(st.rate_hz, b.rate_hz);
    ck_assert_double_eq(st.predicted_overhead, b.predicted_overhead);
    ck_assert(st.predicted_overhead <= 0.005 + 1e-12);
    budget_work(spin_calibrate(0.2));
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_write_folded("budget.folded", 0), HZPROF_OK);
    struct folded f = folded_load("budget.folded");
    ck_assert_msg(folded_count_frame(&f, "calibration_burn") == 0,
                  "the calibration's samples are in the caller's profile");
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_uint_eq(folded_total(&f), st.samples_recorded + st.samples_lost);
    folded_free(&f);
    unlink("budget.folded");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("budget");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rate_for_budget);
    tcase_add_test(tc, test_rate_for_budget_refuses_bad_arguments);
    tcase_add_test(tc, test_overhead_parse);
    tcase_add_test(tc, test_config_checks);
    tcase_add_test(tc, test_start_with_given_cost);
    tcase_add_test(tc, test_calibration_leaves_no_profile);
    tcase_add_test(tc, test_calibrated_start_is_consistent_and_clean);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
