/*
 * test_api.c — the public API's contract: configuration errors, lifecycle errors, label
 * misuse, output errors, truncation at max depth; and the internal map and label
 * interning that the profile rests on.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_runner.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hzprof.h"
#include "labels.h"
#include "map.h"
#include "samplers/jitter.h"
#include "samplers/sampler.h"
#include "support.h"
#include "test_config.h"

START_TEST(test_defaults)
{
    struct hzprof_config cfg;
    memset(&cfg, 0xff, sizeof cfg);
    hzprof_config_init(&cfg);
    ck_assert_uint_eq(cfg.rate_hz, 100);
    ck_assert_uint_eq(cfg.max_depth, 64);
    ck_assert_uint_eq(cfg.ring_words, 1u << 17);
    ck_assert_str_eq(cfg.sampler, "thread-timer");
    ck_assert_str_eq(cfg.unwinder, "libunwind");
}
END_TEST

START_TEST(test_unknown_sampler_lists_valid_names)
{
    struct hzprof_config cfg = test_config("bogus", "fp");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_UNKNOWN_SAMPLER);
    ck_assert_str_eq(hzprof_error_detail(),
                     "unknown sampler 'bogus' (valid: itimer, thread-timer, perf-clock, "
                     "perf-cycles, wall, wall-timer, manual)");
    ck_assert_int_eq(hzprof_running(), 0);
}
END_TEST

START_TEST(test_unknown_unwinder_lists_valid_names)
{
    struct hzprof_config cfg = test_config("manual", "dwarf");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_UNKNOWN_UNWINDER);
    ck_assert_str_eq(hzprof_error_detail(),
                     "unknown unwinder 'dwarf' (valid: fp, libunwind, none, empty)");
}
END_TEST

START_TEST(test_out_of_range_values)
{
    struct hzprof_config cfg = test_config("manual", "fp");
    cfg.rate_hz = 0;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(hzprof_error_detail(), "rate 0 Hz"));
    cfg.rate_hz = HZPROF_MAX_RATE_HZ + 1;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_RATE);
    cfg = test_config("manual", "fp");
    cfg.max_depth = HZPROF_MAX_DEPTH_LIMIT + 1;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    cfg = test_config("manual", "fp");
    cfg.ring_words = 3000;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(hzprof_error_detail(), "power of two"));
    ck_assert_int_eq(hzprof_running(), 0);
}
END_TEST

/* Issue 14 #1: 100 kHz perf timers on 64 busy threads locked a CPU in the kernel for
 * minutes. Every sampler refuses a rate above its safe maximum, and the perf samplers one
 * above the kernel's perf_event_max_sample_rate (which the kernel lowers under load), with
 * HZPROF_ERR_RATE and a detail that names the limit: refused, never clamped, nothing armed. */
START_TEST(test_rate_limits)
{
    for (const char *const *name = hzprof_sampler_names(); *name; name++) {
        const unsigned max = hzprof_sampler_max_rate(*name);
        ck_assert_uint_ge(max, 1);
        ck_assert_uint_le(max, HZPROF_MAX_RATE_HZ);
        struct hzprof_config cfg = test_config(*name, "fp");
        cfg.rate_hz = 100000;
        ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_RATE);
        ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_RATE);
        ck_assert_msg(strstr(hzprof_error_detail(), "100000 Hz is above") != NULL, "%s: %s", *name,
                      hzprof_error_detail());
        ck_assert_int_eq(hzprof_running(), 0);
    }
    ck_assert_uint_eq(hzprof_sampler_max_rate("nosuch"), 0);
    /* The kernel's limit, as read from /proc (the kernel lowers it by itself). */
    const struct sampler_ops *perf = sampler_find("perf-clock"), *tick = sampler_find("itimer");
    ck_assert_int_eq(sampler_rate_check(perf, 8000, 5000), HZPROF_ERR_RATE);
    ck_assert_ptr_nonnull(strstr(hzprof_error_detail(), "above the kernel's limit of 5000 Hz"));
    ck_assert_int_eq(sampler_rate_check(perf, 5000, 5000), HZPROF_OK);
    ck_assert_int_eq(sampler_rate_check(perf, 8000, 0), HZPROF_OK);    /* unknown: not checked */
    ck_assert_int_eq(sampler_rate_check(tick, 8000, 5000), HZPROF_OK); /* not a perf timer */
    const unsigned kernel = sampler_kernel_max_rate();
    if (kernel && kernel < HZPROF_MAX_RATE_HZ)
        ck_assert_uint_eq(hzprof_sampler_max_rate("perf-clock"), kernel);
    /* At the limit, accepted. */
    struct hzprof_config cfg = test_config("manual", "fp");
    cfg.rate_hz = HZPROF_MAX_RATE_HZ;
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_OK);
}
END_TEST

/* The "empty" unwinder (issue 13's platform floor): every signal counted, nothing
 * recorded, nothing unwound. */
START_TEST(test_empty_unwinder_counts_and_records_nothing)
{
    struct hzprof_config cfg = test_config("manual", "empty");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    const pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(syscall(SYS_tgkill, pid, tid, SIGPROF), 0);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_uint_eq(st.samples_taken, 50);
    ck_assert_uint_eq(st.samples_recorded, 0);
    ck_assert_uint_eq(st.handler_ns_total, 0);
    ck_assert_str_eq(st.unwinder, "empty");
}
END_TEST

START_TEST(test_wall_counts_ticks_it_cannot_deliver)
{
    /* Issue 14 #20: a thread that does not take its SIGPROF (here it blocks it; on a busy
     * machine it has not been scheduled) cannot take the wall sampler's next ticks:
     * SIGPROF does not queue, so they would merge into the pending one unseen. They are
     * counted as missed, not lost silently. */
    struct hzprof_config cfg = test_config("wall", "fp");
    cfg.rate_hz = 1000;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    sigset_t prof, old;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &prof, &old);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do /* busy 0.2 s of wall time with SIGPROF blocked: some 200 ticks */
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 200000000L);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    /* Every tick of the 0.2 s but the first (pending, taken at the unblock) is missed,
     * whether the helper was on time (the signal pending) or late (periods skipped). */
    ck_assert_msg(st.samples_missed >= 50, "%llu missed, %llu taken",
                  (unsigned long long)st.samples_missed, (unsigned long long)st.samples_taken);
    ck_assert_uint_le(st.samples_taken, 20);
}
END_TEST

START_TEST(test_jitter_and_no_interrupt_are_checked)
{
    /* Issue 15: what each sampler can do is in its table entry, and a request it cannot
     * honour is refused with the reason, before anything is armed. */
    struct hzprof_config cfg = test_config("perf-clock", "fp");
    cfg.jitter = "gauss";
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
    ck_assert_str_eq(hzprof_error_detail(), "unknown jitter 'gauss' (valid: none, uniform, exp)");
    cfg = test_config("thread-timer", "fp");
    cfg.jitter = "uniform";
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(hzprof_error_detail(), "thread-timer cannot jitter"));
    ck_assert_int_eq(hzprof_running(), 0);
    cfg = test_config("itimer", "fp");
    cfg.jitter = "exp";
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
    cfg = test_config("perf-clock", "fp");
    cfg.no_interrupt = 1;
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
    ck_assert_ptr_nonnull(strstr(hzprof_error_detail(), "no-interrupt is a mode of the wall"));
    cfg = test_config("wall-timer", "fp");
    cfg.no_interrupt = 1;
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_ERR_INVALID);
    cfg = test_config("wall", "fp");
    cfg.no_interrupt = 1;
    cfg.jitter = "exp";
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_OK);
    cfg = test_config("wall-timer", "fp");
    cfg.jitter = "none";
    ck_assert_int_eq(hzprof_config_check(&cfg), HZPROF_OK);

    ck_assert_uint_eq(hzprof_sampler_caps("bogus"), 0);
    ck_assert_uint_eq(hzprof_sampler_caps("manual"), HZPROF_CAP_KNOWN);
    ck_assert_uint_eq(hzprof_sampler_caps("wall-timer"),
                      HZPROF_CAP_KNOWN | HZPROF_CAP_USER | HZPROF_CAP_WALL | HZPROF_CAP_JITTER);
    ck_assert_uint_eq(hzprof_sampler_caps("perf-clock"),
                      HZPROF_CAP_KNOWN | HZPROF_CAP_USER | HZPROF_CAP_JITTER);
    /* The names list is the table's. */
    size_t n = 0;
    for (const char *const *p = hzprof_sampler_names(); *p; p++, n++)
        ck_assert_uint_ne(hzprof_sampler_caps(*p), 0);
    ck_assert_uint_eq(n, 7);
}
END_TEST

START_TEST(test_jitter_draws_keep_the_mean)
{
    /* Pure arithmetic on a fixed seed: the draws' mean is the period, and each draw stays
     * in its kind's range (uniform: [T/2, 3T/2]; exp: at least 1/HZPROF_MAX_RATE_HZ). */
    const uint64_t period = 1000000; /* 1 kHz */
    const int kinds[] = {JITTER_NONE, JITTER_UNIFORM, JITTER_EXP};
    for (size_t k = 0; k < 3; k++) {
        uint64_t state = jitter_seed(42), lo = UINT64_MAX, hi = 0;
        double sum = 0;
        const int n = 200000;
        for (int i = 0; i < n; i++) {
            const uint64_t d = jitter_next_ns(kinds[k], period, &state);
            sum += (double)d;
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        const double mean = sum / n;
        ck_assert_msg(mean > 0.995 * period && mean < 1.005 * period, "%s: mean %.0f ns",
                      jitter_name(kinds[k]), mean);
        if (kinds[k] == JITTER_UNIFORM)
            ck_assert(lo >= period / 2 && hi <= 3 * period / 2 && hi - lo > period * 9 / 10);
        if (kinds[k] == JITTER_EXP)
            ck_assert(lo >= 1000000000u / HZPROF_MAX_RATE_HZ && hi > 5 * period);
        if (kinds[k] == JITTER_NONE)
            ck_assert(lo == period && hi == period);
    }
}
END_TEST

START_TEST(test_jitter_takes_lateness_off_later_intervals)
{
    /* A timer re-armed from the handler starts each interval late (here 50 us, as a
     * timer-driven signal on a VM): jitter_next_due takes that off the intervals that
     * follow, so the expiries keep the mean rate. Pure arithmetic. */
    const uint64_t period = 250000, late = 50000; /* 4 kHz */
    const int n = 100000;
    uint64_t now = 1000000000;
    const uint64_t start = now;
    for (int i = 0; i < n; i++)
        now += jitter_next_due(JITTER_UNIFORM, period, now) + late; /* the next handler */
    const double mean = (double)(now - start) / n;
    ck_assert_msg(mean > 0.995 * period && mean < 1.005 * period, "mean interval %.0f ns", mean);
}
END_TEST

START_TEST(test_null_config_means_defaults)
{
    ck_assert_int_eq(hzprof_start(NULL), HZPROF_OK);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_OK);
    ck_assert_str_eq(st.sampler, "thread-timer");
    ck_assert_str_eq(st.unwinder, "libunwind");
    ck_assert_uint_eq(st.rate_hz, 100);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
}
END_TEST

START_TEST(test_lifecycle_errors)
{
    ck_assert_int_eq(hzprof_stop(), HZPROF_ERR_NOT_RUNNING);
    struct hzprof_stats st;
    ck_assert_int_eq(hzprof_get_stats(&st), HZPROF_ERR_NO_PROFILE);
    ck_assert_int_eq(hzprof_write_folded("x.folded", 0), HZPROF_ERR_NO_PROFILE);
    struct hzprof_config cfg = test_config("manual", "fp");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    ck_assert_int_eq(hzprof_running(), 1);
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_ERR_RUNNING);
    ck_assert_int_eq(hzprof_write_folded("x.folded", 0), HZPROF_ERR_NO_PROFILE);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_stop(), HZPROF_ERR_NOT_RUNNING);
}
END_TEST

START_TEST(test_write_to_bad_path_fails_cleanly)
{
    struct hzprof_config cfg = test_config("manual", "fp");
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_write_folded("/nonexistent-dir/p.folded", 0), HZPROF_ERR_IO);
    ck_assert_str_eq(hzprof_error_detail(),
                     "cannot write '/nonexistent-dir/p.folded': No such file or directory");
}
END_TEST

START_TEST(test_strerror_covers_codes)
{
    ck_assert_str_eq(hzprof_strerror(HZPROF_ERR_NO_PMU), "hardware counters unavailable");
    ck_assert_str_eq(hzprof_strerror(12345), "unknown error");
    for (int code = 0; code >= HZPROF_ERR_BUDGET; code--)
        ck_assert_str_ne(hzprof_strerror(code), "unknown error");
}
END_TEST

START_TEST(test_label_stack_bounds)
{
    ck_assert_int_eq(hzprof_label_pop(), HZPROF_ERR_LABELS);
    ck_assert_int_eq(hzprof_label_push("", "v"), HZPROF_ERR_INVALID);
    ck_assert_int_eq(hzprof_label_push("k", NULL), HZPROF_ERR_INVALID);
    for (int i = 0; i < HZPROF_LABEL_STACK_MAX; i++)
        ck_assert_int_eq(hzprof_label_push("depth", "x"), HZPROF_OK);
    ck_assert_int_eq(hzprof_label_push("depth", "x"), HZPROF_ERR_LABELS);
    for (int i = 0; i < HZPROF_LABEL_STACK_MAX; i++)
        ck_assert_int_eq(hzprof_label_pop(), HZPROF_OK);
    ck_assert_int_eq(hzprof_label_pop(), HZPROF_ERR_LABELS);
}
END_TEST

START_TEST(test_label_sets_are_interned_and_sorted)
{
    uint32_t a = labels_with(LABELS_EMPTY, "b", "2");
    uint32_t ab = labels_with(a, "a", "1");
    uint32_t a2 = labels_with(LABELS_EMPTY, "a", "1");
    uint32_t ba = labels_with(a2, "b", "2");
    ck_assert_uint_eq(ab, ba); /* same set, whatever the order of pushes */
    ck_assert_uint_ne(a, ab);
    const struct label_set *s = labels_lookup(ab);
    ck_assert_uint_eq(s->count, 2);
    ck_assert_str_eq(s->labels[0].key, "a");
    ck_assert_str_eq(s->labels[1].key, "b");
    /* A key pushed again replaces its value. */
    uint32_t replaced = labels_with(ab, "a", "9");
    s = labels_lookup(replaced);
    ck_assert_uint_eq(s->count, 2);
    ck_assert_str_eq(s->labels[0].value, "9");
    ck_assert_ptr_null(labels_lookup(1000000));
    ck_assert_uint_eq(labels_lookup(LABELS_EMPTY)->count, 0);
}
END_TEST

START_TEST(test_map_merges_equal_keys_only)
{
    struct map m;
    map_init(&m);
    uintptr_t s1[] = {1, 2, 3}, s2[] = {1, 2, 4};
    for (int i = 0; i < 5000; i++) /* forces several table growths */
        ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 0, (uintptr_t[]){(uintptr_t)i, 7}, 2, 1, 10),
                         0);
    ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 0, s1, 3, 1, 10), 0);
    ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 0, s1, 3, 2, 20), 0);
    ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 0, s2, 3, 1, 10), 0);
    ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 5, s1, 3, 1, 10), 0);     /* other labels */
    ck_assert_int_eq(map_add(&m, MAP_KIND_OFF_CPU, 0, 0, s1, 3, 1, 10), 0); /* other kind */
    ck_assert_int_eq(map_add(&m, MAP_KIND_CPU, 0, 0, s1, 2, 1, 10), 0);     /* prefix */
    ck_assert_uint_eq(m.nentries, 5000 + 5);
    ck_assert_uint_eq(map_total_count(&m), 5000 + 7);
    uint64_t s1_count = 0, s1_nanos = 0;
    map_foreach(&m, e) if (e->kind == MAP_KIND_CPU && e->label_set == 0 && e->depth == 3 &&
                           e->pcs[2] == 3)
    {
        s1_count += e->count;
        s1_nanos += e->nanos;
    }
    ck_assert_uint_eq(s1_count, 3);
    ck_assert_uint_eq(s1_nanos, 30);
    map_free(&m);
    ck_assert_uint_eq(m.nentries, 0);
}
END_TEST

/* The reader adds lost samples as an entry without a stack: pcs NULL, depth 0. memcpy and
 * memcmp with a NULL pointer are undefined even for 0 bytes, and UBSan stopped the
 * sanitizer build on the first ring overflow; a second lost entry merges with the first. */
START_TEST(test_map_lost_entry_without_stack)
{
    struct map m;
    map_init(&m);
    ck_assert_int_eq(map_add(&m, MAP_KIND_LOST, 0, 0, NULL, 0, 3, 30), 0);
    ck_assert_int_eq(map_add(&m, MAP_KIND_LOST, 0, 0, NULL, 0, 4, 40), 0);
    ck_assert_uint_eq(m.nentries, 1);
    ck_assert_uint_eq(m.first->count, 7);
    ck_assert_uint_eq(m.first->nanos, 70);
    ck_assert_uint_eq(m.first->depth, 0);
    map_free(&m);
}
END_TEST

START_TEST(test_deep_stacks_truncate_at_max_depth)
{
#if defined(__SANITIZE_THREAD__)
    /* ThreadSanitizer delivers a self-sent signal at its next synchronization point, not
     * where it was sent: the sample's stack is not the caller's. `make tsan` runs this
     * file for races in the profiler's threads; depth is checked by the other builds. */
    return;
#endif
    const char *unwinder = _i == 0 ? "fp" : "libunwind";
    struct hzprof_config cfg = test_config("manual", unwinder);
    cfg.max_depth = 8;
    ck_assert_int_eq(hzprof_start(&cfg), HZPROF_OK);
    for (int i = 0; i < 10; i++)
        support_sample_at_depth(30); /* deeper than 8 */
    support_sample_at_depth(0);      /* may or may not exceed 8 frames: Check's runner adds
                                        some; the assertions below allow both */
    ck_assert_int_eq(hzprof_stop(), HZPROF_OK);
    struct hzprof_stats st;
    hzprof_get_stats(&st);
    ck_assert_uint_eq(st.samples_taken, 11);
    ck_assert_uint_ge(st.stacks_truncated, 10);
    ck_assert_int_eq(hzprof_write_folded("truncated.folded", 0), HZPROF_OK);
    struct folded f = folded_load("truncated.folded");
    /* Truncated stacks keep their leaf-most max_depth frames under a [truncated] root. */
    uint64_t truncated = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (strncmp(f.lines[i].stack, "[truncated];", 12) != 0)
            continue;
        truncated += f.lines[i].count;
        int frames = 0;
        for (const char *p = f.lines[i].stack; p; p = strchr(p + 1, ';'))
            frames++;
        ck_assert_int_eq(frames, 1 + 8);
    }
    ck_assert_uint_eq(truncated, st.stacks_truncated);
    folded_free(&f);
    unlink("truncated.folded");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_unknown_sampler_lists_valid_names);
    tcase_add_test(tc, test_unknown_unwinder_lists_valid_names);
    tcase_add_test(tc, test_out_of_range_values);
    tcase_add_test(tc, test_rate_limits);
    tcase_add_test(tc, test_empty_unwinder_counts_and_records_nothing);
    tcase_add_test(tc, test_wall_counts_ticks_it_cannot_deliver);
    tcase_add_test(tc, test_jitter_and_no_interrupt_are_checked);
    tcase_add_test(tc, test_jitter_draws_keep_the_mean);
    tcase_add_test(tc, test_jitter_takes_lateness_off_later_intervals);
    tcase_add_test(tc, test_null_config_means_defaults);
    tcase_add_test(tc, test_lifecycle_errors);
    tcase_add_test(tc, test_write_to_bad_path_fails_cleanly);
    tcase_add_test(tc, test_strerror_covers_codes);
    tcase_add_test(tc, test_label_stack_bounds);
    tcase_add_test(tc, test_label_sets_are_interned_and_sorted);
    tcase_add_test(tc, test_map_merges_equal_keys_only);
    tcase_add_test(tc, test_map_lost_entry_without_stack);
    tcase_add_loop_test(tc, test_deep_stacks_truncate_at_max_depth, 0, 2);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
