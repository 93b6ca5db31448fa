/*
 * reader.c — the reader thread (see reader.h).
 *
 * It sleeps in poll(2) on the session's eventfd with a READER_PERIOD_MS timeout: the
 * timeout bounds how long a record waits in the ring, and the eventfd lets a handler
 * cut the wait short when the ring is past half full. After each wake-up it clears
 * wake_pending (so the next handler may poke again), then drains. Lost-sample counts are
 * taken from the ring on each drain and added to the map as one "lost" entry.
 */
#define _GNU_SOURCE
#include "reader.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "hash.h"
#include "session.h"
#include "threads.h"

static pthread_t reader_thread;
static int reader_stopping; /* atomic */
static struct map *reader_map;

/* Distinct tids (keys; the values are unused). Touched only by the draining thread;
 * tids_count is its count, apart from the table's because get_stats reads it live from
 * another thread. */
static struct hash_table tids;
static size_t tids_count;

static void tids_reset(void)
{
    hash_free(&tids);
    tids_count = 0;
}

static void tids_add(pid_t tid)
{
    uint64_t unused;
    if (tid <= 0 || hash_find(&tids, (uint64_t)tid, &unused))
        return;
    if (hash_add(&tids, (uint64_t)tid, 0) != 0)
        return; /* the count is a statistic; losing it is not worth failing for */
    __atomic_store_n(&tids_count, tids_count + 1, __ATOMIC_RELAXED);
}

uint64_t reader_threads_seen(void)
{
    return __atomic_load_n(&tids_count, __ATOMIC_RELAXED); /* read live by get_stats */
}

static void add_record(void *ctx, unsigned type, unsigned flags, const uint64_t *payload, size_t n)
{
    struct map *m = ctx;
    if (type != RECORD_SAMPLE || n < RECORD_SAMPLE_FIXED_WORDS)
        return;
    const pid_t tid = (pid_t)(uint32_t)payload[1];
    const uint32_t label_set = (uint32_t)(payload[1] >> 32);
    const unsigned kind = (flags & RECORD_FLAG_OFF_CPU) ? MAP_KIND_OFF_CPU : MAP_KIND_CPU;
    const unsigned map_flags = (flags & RECORD_FLAG_TRUNCATED) ? MAP_FLAG_TRUNCATED : 0;
    tids_add(tid);
    map_add(m, kind, map_flags, label_set, (const uintptr_t *)&payload[RECORD_SAMPLE_FIXED_WORDS],
            (uint32_t)(n - RECORD_SAMPLE_FIXED_WORDS), 1, payload[2]);
}

size_t reader_drain(struct ring *r, struct map *m, uint64_t period_ns)
{
    size_t n = ring_read(r, add_record, m);
    uint64_t lost = ring_take_lost(r);
    if (lost)
        map_add(m, MAP_KIND_LOST, 0, 0, NULL, 0, lost, lost * period_ns);
    return n;
}

static void *reader_main(void *unused)
{
    (void)unused;
    struct session *s = &hz_session;
    struct pollfd pfd = {.fd = s->wake_fd, .events = POLLIN};
    while (!__atomic_load_n(&reader_stopping, __ATOMIC_ACQUIRE)) {
        if (poll(&pfd, 1, READER_PERIOD_MS) > 0) {
            uint64_t count;
            ssize_t ignored = read(s->wake_fd, &count, sizeof count);
            (void)ignored;
        }
        __atomic_store_n(&s->wake_pending, 0, __ATOMIC_RELEASE);
        reader_drain(s->ring, reader_map, s->period_ns);
    }
    return NULL;
}

int reader_start(struct map *m)
{
    reader_map = m;
    tids_reset();
    __atomic_store_n(&reader_stopping, 0, __ATOMIC_RELEASE);
    return threads_create_internal(&reader_thread, reader_main, NULL);
}

void reader_stop(void)
{
    __atomic_store_n(&reader_stopping, 1, __ATOMIC_RELEASE);
    const uint64_t one = 1;
    ssize_t ignored = write(hz_session.wake_fd, &one, sizeof one);
    (void)ignored;
    pthread_join(reader_thread, NULL);
    reader_drain(hz_session.ring, reader_map, hz_session.period_ns);
}
