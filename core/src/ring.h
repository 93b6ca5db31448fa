/*
 * ring.h — a bounded, lock-free, multi-writer single-reader ring of 64-bit words that
 * carries sample records from signal handlers to the reader thread.
 *
 * Contract:
 *  - ring_write() is async-signal-safe and lock-free: any number of threads (and signal
 *    handlers) may call it concurrently. It never blocks, never allocates, and never
 *    overwrites a record the reader has not consumed: when there is no room it returns
 *    false and counts the record as lost.
 *  - ring_read() is called by one reader at a time. It hands each committed record, in
 *    reservation order, to a callback, then frees its space.
 *  - produced = written + lost, exactly (ring_lost_total() + records read back).
 * The protocol is described at the top of ring.c.
 */
#ifndef HZPROF_RING_H
#define HZPROF_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Record layout: word 0 is the header, then `ring_record.nwords` payload words. */
#define RING_MAX_PAYLOAD_WORDS 0xffffu

struct ring {
    uint64_t *words;        /* capacity words, zeroed where free */
    uint64_t capacity;      /* a power of two */
    uint64_t mask;          /* capacity - 1 */
    uint64_t reserve_pos;   /* words reserved by writers, ever (atomic) */
    uint64_t read_pos;      /* words consumed by the reader, ever (atomic) */
    uint64_t lost_pending;  /* records lost since the reader last took the count */
    uint64_t lost_total;    /* records lost, ever */
    uint64_t written_total; /* records committed, ever */
};

/* Allocates a ring of `capacity` words (a power of two, >= 64). NULL on failure. */
struct ring *ring_create(size_t capacity);
void ring_destroy(struct ring *r);

/* Async-signal-safe. Appends one record of `n` payload words with the given 8-bit type
 * (1..255) and 16-bit flags. Returns false (and counts it lost) if there is no room or
 * the record could never fit (n > RING_MAX_PAYLOAD_WORDS or n + 1 > capacity / 2). */
bool ring_write(struct ring *r, unsigned type, unsigned flags, const uint64_t *payload, size_t n);

/* Called by ring_read for each record. `payload` is valid only during the call. */
typedef void (*ring_record_fn)(void *ctx, unsigned type, unsigned flags, const uint64_t *payload,
                               size_t n);

/* Reader side: consumes every record committed contiguously from the read position
 * (stops at the first reserved-but-uncommitted one). Returns the number consumed. */
size_t ring_read(struct ring *r, ring_record_fn fn, void *ctx);

/* Reader side: returns the records lost since the last call and resets that count. */
uint64_t ring_take_lost(struct ring *r);

uint64_t ring_lost_total(const struct ring *r);
uint64_t ring_written_total(const struct ring *r);
/* Words currently reserved and not yet consumed (approximate while writers run). */
uint64_t ring_used_words(const struct ring *r);

#endif
