/*
 * test_stats.c — the harness statistics against data whose answer is known.
 */
#include <check.h>

#include "check_runner.h"
#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* The paired statistics (issue 13) against tests/stats_reference.py, an independent
 * Python implementation: its output pasted here. The same seed draws the same resamples,
 * so the intervals agree to rounding. */
START_TEST(test_paired_statistics_match_the_reference)
{
    const double on[] = {1.30, 1.25, 1.41, 1.22, 1.35, 1.28, 1.33};
    const double off[] = {1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 1.00};
    struct estimate e = stats_paired_ratio_ci(on, off, 7, 2000, 0.95, 7);
    /* paired ratio: 1.3 [1.2254901960784315, 1.3636363636363638] */
    ck_assert_double_eq_tol(e.value, 1.3, 1e-12);
    ck_assert_double_eq_tol(e.lo, 1.2254901960784315, 1e-12);
    ck_assert_double_eq_tol(e.hi, 1.3636363636363638, 1e-12);
    const double aa_a[] = {1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01, 1.00};
    const double aa_b[] = {1.01, 0.99, 1.00, 1.03, 0.98, 1.00, 1.02, 0.99};
    struct estimate aa = stats_paired_ratio_ci(aa_b, aa_a, 8, 2000, 0.95, 11);
    /* aa ratio: 1.0098524558338187 [0.98019801980198018, 1.0101010101010102]
     * mde 0.01980198019801982 */
    ck_assert_double_eq_tol(aa.value, 1.0098524558338187, 1e-12);
    ck_assert_double_eq_tol(aa.lo, 0.98019801980198018, 1e-12);
    ck_assert_double_eq_tol(aa.hi, 1.0101010101010102, 1e-12);
    const double mde = stats_aa_mde(aa);
    ck_assert_double_eq_tol(mde, 0.01980198019801982, 1e-12);
    /* effect resolved against that mde: True */
    ck_assert(stats_resolved((struct estimate){e.value - 1, e.lo - 1, e.hi - 1}, mde));
    /* Inside the floor, or no floor known: not resolved. */
    ck_assert(!stats_resolved((struct estimate){0.015, 0.011, 0.03}, mde));
    ck_assert(!stats_resolved((struct estimate){-0.01, -0.05, 0.03}, mde));
    ck_assert(stats_resolved((struct estimate){-0.05, -0.08, -0.03}, mde));
    ck_assert(!stats_resolved((struct estimate){0.3, 0.2, 0.4}, NAN));
    /* Pairs with a non-positive reference are left out. */
    const double on3[] = {2, 3, 4}, off3[] = {1, 0, 2};
    ck_assert_double_eq_tol(stats_paired_ratio_ci(on3, off3, 3, 10, 0.95, 1).value, 2, 1e-12);
}
END_TEST

START_TEST(test_median_and_percentiles)
{
    const double odd[] = {5, 1, 4, 2, 3};
    ck_assert_double_eq(stats_median(odd, 5), 3);
    const double even[] = {4, 1, 3, 2};
    ck_assert_double_eq(stats_median(even, 4), 2.5);
    ck_assert_double_eq(stats_percentile(odd, 5, 0), 1);
    ck_assert_double_eq(stats_percentile(odd, 5, 1), 5);
    ck_assert_double_eq(stats_percentile(odd, 5, 0.25), 2);
    ck_assert(isnan(stats_median(odd, 0)));
}
END_TEST

START_TEST(test_rng_is_reproducible_and_uniform)
{
    struct rng a, b;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(rng_next(&a), rng_next(&b));
    /* Mean and variance of U(0,1) and N(0,1) from 100k draws. */
    double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_uniform(&a), z = rng_normal(&a);
        ck_assert(u >= 0 && u < 1);
        sum += u, sum2 += u * u, nsum += z, nsum2 += z * z;
    }
    ck_assert_double_eq_tol(sum / 1e5, 0.5, 0.01);
    ck_assert_double_eq_tol(sum2 / 1e5 - 0.25, 1.0 / 12, 0.01);
    ck_assert_double_eq_tol(nsum / 1e5, 0, 0.02);
    ck_assert_double_eq_tol(nsum2 / 1e5, 1, 0.02);
}
END_TEST

START_TEST(test_median_ci_of_a_normal_sample)
{
    /* 1000 draws of N(10, 1): the median's standard error is sqrt(pi/2)/sqrt(n) ~ 0.0396,
     * so a 95% interval is about 0.155 wide and contains 10. */
    struct rng r;
    rng_seed(&r, 7);
    double x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = 10 + rng_normal(&r);
    struct estimate e = stats_median_ci(x, 1000, 2000, 0.95, 99);
    ck_assert(e.lo <= e.value && e.value <= e.hi);
    ck_assert(e.lo < 10 && 10 < e.hi);
    ck_assert_double_eq_tol(e.hi - e.lo, 0.155, 0.05);
    /* Same seed, same interval. */
    struct estimate again = stats_median_ci(x, 1000, 2000, 0.95, 99);
    ck_assert_double_eq(e.lo, again.lo);
    ck_assert_double_eq(e.hi, again.hi);
    /* A constant sample has a zero-width interval. */
    double c[20];
    for (int i = 0; i < 20; i++)
        c[i] = 3;
    e = stats_median_ci(c, 20, 500, 0.95, 1);
    ck_assert_double_eq(e.lo, 3);
    ck_assert_double_eq(e.hi, 3);
}
END_TEST

START_TEST(test_overhead_ci)
{
    struct rng r;
    rng_seed(&r, 11);
    double off[30], on[30], same[30];
    for (int i = 0; i < 30; i++) {
        off[i] = 100 + rng_normal(&r);
        on[i] = 95 + rng_normal(&r);
        same[i] = 100 + rng_normal(&r);
    }
    /* 5% slower: overhead ~0.05, clearly not zero. */
    struct estimate e = stats_overhead_ci(off, 30, on, 30, 2000, 0.95, 5);
    ck_assert_double_eq_tol(e.value, 0.05, 0.01);
    ck_assert(e.lo < 0.05 && 0.05 < e.hi);
    ck_assert(!estimate_includes_zero(e));
    /* Same distribution: indistinguishable from no overhead. */
    e = stats_overhead_ci(off, 30, same, 30, 2000, 0.95, 5);
    ck_assert(estimate_includes_zero(e));
}
END_TEST

START_TEST(test_slope_of_a_known_line)
{
    /* Exactly on y = 2.5 x + 7: slope exact, interval of zero width. */
    double x[10], y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = i * 100;
        y[i] = 2.5 * x[i] + 7;
    }
    struct estimate s;
    double c;
    ck_assert(stats_slope_ci(x, y, 10, 1000, 0.95, 3, &s, &c));
    ck_assert_double_eq_tol(s.value, 2.5, 1e-12);
    ck_assert_double_eq_tol(c, 7, 1e-9);
    ck_assert_double_eq_tol(s.lo, 2.5, 1e-9);
    ck_assert_double_eq_tol(s.hi, 2.5, 1e-9);
    /* With noise: the interval contains the true slope and excludes zero. */
    struct rng r;
    rng_seed(&r, 13);
    double xn[40], yn[40];
    for (int i = 0; i < 40; i++) {
        xn[i] = (i % 4) * 1000.0; /* four "rates", ten trials each */
        yn[i] = 0.003 * xn[i] + 2 + 0.2 * rng_normal(&r);
    }
    ck_assert(stats_slope_ci(xn, yn, 40, 2000, 0.95, 3, &s, &c));
    ck_assert(s.lo < 0.003 && 0.003 < s.hi);
    ck_assert(s.lo > 0);
    /* No spread in x: no slope. */
    double flat[3] = {1, 1, 1};
    ck_assert(!stats_slope_ci(flat, y, 3, 100, 0.95, 1, &s, &c));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, test_median_and_percentiles);
    tcase_add_test(tc, test_rng_is_reproducible_and_uniform);
    tcase_add_test(tc, test_median_ci_of_a_normal_sample);
    tcase_add_test(tc, test_overhead_ci);
    tcase_add_test(tc, test_slope_of_a_known_line);
    tcase_add_test(tc, test_paired_statistics_match_the_reference);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
