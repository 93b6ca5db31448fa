/*
 * e2e_labels.c — labels travel with the samples taken while they are set, and only
 * with those.
 *
 * Part 1, exact: with the "manual" sampler the test takes each sample itself (tgkill), so
 * it knows which labels were current: 100 samples with {phase=even}, 100 with none,
 * 50 with {phase=outer,step=inner} (nested push), 50 with {phase=outer} (after the inner
 * pop). The profile must hold exactly those counts per label set.
 *
 * Part 2, under a real timer (thread-timer, 250 Hz): work_labeled runs only while
 * {kind=labeled} is pushed, work_plain only while no label is set. Every sample whose
 * leaf is work_labeled must carry {kind=labeled}; every sample in work_plain none.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hzprof.h"
#include "support.h"
#include "test_config.h"

static volatile uint64_t sink;

static void take_sample(void)
{
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGPROF);
}

static uint64_t count_root(const struct folded *f, const char *root)
{
    uint64_t n = 0;
    size_t len = strlen(root);
    for (size_t i = 0; i < f->n; i++)
        if (strncmp(f->lines[i].stack, root, len) == 0 && f->lines[i].stack[len] == ';')
            n += f->lines[i].count;
    return n;
}

static uint64_t count_unlabeled(const struct folded *f)
{
    uint64_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->lines[i].stack[0] != '{')
            n += f->lines[i].count;
    return n;
}

static void part_exact(void)
{
    struct hzprof_config cfg = test_config("manual", "fp");
    expect(hzprof_start(&cfg) == HZPROF_OK, "start: %s", hzprof_error_detail());
    for (int i = 0; i < 100; i++) {
        expect(hzprof_label_push("phase", "even") == HZPROF_OK, "push");
        take_sample();
        expect(hzprof_label_pop() == HZPROF_OK, "pop");
        take_sample();
    }
    expect(hzprof_label_push("phase", "outer") == HZPROF_OK, "push outer");
    for (int i = 0; i < 50; i++) {
        expect(hzprof_label_push("step", "inner") == HZPROF_OK, "push inner");
        take_sample();
        expect(hzprof_label_pop() == HZPROF_OK, "pop inner");
        take_sample();
    }
    expect(hzprof_label_pop() == HZPROF_OK, "pop outer");
    expect(hzprof_label_pop() == HZPROF_ERR_LABELS, "pop on an empty label stack must fail");
    hzprof_stop();
    expect(hzprof_write_folded("labels_exact.folded", HZPROF_FOLDED_LABELS) == HZPROF_OK,
           "write: %s", hzprof_error_detail());
    struct folded f = folded_load("labels_exact.folded");
    printf(
        "exact: even %llu, none %llu, outer+inner %llu, outer %llu, total %llu\n",
        (unsigned long long)count_root(&f, "{phase=even}"), (unsigned long long)count_unlabeled(&f),
        (unsigned long long)count_root(&f, "{phase=outer,step=inner}"),
        (unsigned long long)count_root(&f, "{phase=outer}"), (unsigned long long)folded_total(&f));
    expect(count_root(&f, "{phase=even}") == 100, "samples with {phase=even}");
    expect(count_unlabeled(&f) == 100, "samples without labels");
    expect(count_root(&f, "{phase=outer,step=inner}") == 50, "samples with nested labels");
    expect(count_root(&f, "{phase=outer}") == 50, "samples after the inner pop");
    expect(folded_total(&f) == 300, "total samples");
    folded_free(&f);
    unlink("labels_exact.folded");
}

static BURN_FUNCTION(work_labeled, 3)

static BURN_FUNCTION(work_plain, 5)

static void part_timer(void)
{
    const uint64_t block = spin_calibrate(0.02);
    struct hzprof_config cfg = test_config("thread-timer", "fp");
    cfg.rate_hz = 250;
    expect(hzprof_start(&cfg) == HZPROF_OK, "start: %s", hzprof_error_detail());
    for (int i = 0; i < 40; i++) {
        hzprof_label_push("kind", "labeled");
        sink += work_labeled(block);
        hzprof_label_pop();
        sink += work_plain(block);
    }
    hzprof_stop();
    expect(hzprof_write_folded("labels_timer.folded", HZPROF_FOLDED_LABELS) == HZPROF_OK,
           "write: %s", hzprof_error_detail());
    struct folded f = folded_load("labels_timer.folded");
    uint64_t labeled = folded_count_leaf(&f, "work_labeled");
    uint64_t plain = folded_count_leaf(&f, "work_plain");
    uint64_t labeled_ok = folded_count_frames(&f, "{kind=labeled}", "work_labeled");
    uint64_t plain_wrong = folded_count_frames(&f, "{kind=labeled}", "work_plain");
    printf("timer: work_labeled %llu (%llu labeled), work_plain %llu (%llu labeled)\n",
           (unsigned long long)labeled, (unsigned long long)labeled_ok, (unsigned long long)plain,
           (unsigned long long)plain_wrong);
    expect(labeled > 0 && plain > 0, "no samples in one of the functions");
    expect(labeled_ok == labeled, "samples in work_labeled without the label");
    expect(plain_wrong == 0, "samples in work_plain carry the label");
    folded_free(&f);
    unlink("labels_timer.folded");
}

int main(void)
{
    part_exact();
    part_timer();
    return 0;
}
