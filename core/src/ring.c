/*
 * ring.c — lock-free multi-writer, single-reader ring of sample records.
 *
 * SIGNAL-HANDLER CODE: ring_write() runs inside the SIGPROF handler. It must stay
 * async-signal-safe: no malloc, no locks, no stdio, no system calls; every byte it
 * touches is preallocated by ring_create().
 *
 * Why not Go's profBuf as is: profBuf has a single writer, and Go serializes its signal
 * handlers with a spin lock (prof.signalLock). With per-thread timers, two threads on two
 * CPUs take samples at the same moment; a spinning handler burns the very CPU time we are
 * trying to measure, and a handler preempted while holding the lock stalls the other. So
 * writers here reserve space with a compare-and-swap instead, and commit independently.
 *
 * Layout. The ring is `capacity` 64-bit words (a power of two). Positions are counts of
 * words ever reserved or consumed (64-bit, they never wrap in practice); position p lives
 * at index p & mask. Each record is one header word followed by its payload:
 *
 *     header = COMMITTED | flags << 24 | type << 16 | payload_words
 *
 * A header word of zero means "not committed yet". The reader zeroes every word it
 * consumes before giving the space back, so a writer always reserves zeroed words, and the
 * reader never mistakes stale payload for a header.
 *
 * Protocol.
 *  writer: load read_pos (acquire) and reserve_pos. If the record does not fit before the
 *          end of the array, it also reserves the tail as a PAD record (the reader skips
 *          it), so a record never wraps. If reserve_pos + pad + len - read_pos exceeds the
 *          capacity, the ring is full: count the record lost, return false. Otherwise CAS
 *          reserve_pos forward (retry if another writer won). Then write the payload with
 *          plain stores and publish the header with a release store; a PAD header is
 *          published the same way.
 *  reader: at read_pos, load the header (acquire). Zero: the next record is not committed
 *          yet (or the ring is empty) — stop; records behind it wait for the next drain,
 *          so records are consumed strictly in reservation order. Non-zero: hand the
 *          payload to the callback, zero the record's words, and advance read_pos with a
 *          release store, which hands the zeroed words back to the writers.
 *
 * Overflow. A full ring drops the new record (never live data) and bumps lost_pending and
 * lost_total. The reader takes lost_pending with an atomic exchange and emits it as one
 * "lost" entry in the profile, as profBuf emits its overflow record. So for any run:
 * records produced = records read back + lost_total.
 *
 * Progress. Writers are lock-free (a CAS loop that fails only when another writer made
 * progress). A writer that reserved space and was then descheduled delays the reader
 * until it commits, which is bounded by one handler run; it never blocks other writers
 * unless the ring fills up, in which case they drop their samples.
 */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_COMMITTED (1ull << 63)
#define HEADER_TYPE_PAD 0xffu

static uint64_t header_make(unsigned type, unsigned flags, uint64_t n)
{
    return HEADER_COMMITTED | ((uint64_t)(flags & 0xffffu) << 24) |
           ((uint64_t)(type & 0xffu) << 16) | (n & 0xffffu);
}

static unsigned header_type(uint64_t h)
{
    return (unsigned)(h >> 16) & 0xffu;
}

static unsigned header_flags(uint64_t h)
{
    return (unsigned)(h >> 24) & 0xffffu;
}

static uint64_t header_payload_words(uint64_t h)
{
    return h & 0xffffu;
}

struct ring *ring_create(size_t capacity)
{
    if (capacity < 64 || (capacity & (capacity - 1)) != 0)
        return NULL;
    struct ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->words = calloc(capacity, sizeof *r->words);
    if (!r->words) {
        free(r);
        return NULL;
    }
    r->capacity = capacity;
    r->mask = capacity - 1;
    return r;
}

void ring_destroy(struct ring *r)
{
    if (!r)
        return;
    free(r->words);
    free(r);
}

static bool ring_count_lost(struct ring *r)
{
    __atomic_fetch_add(&r->lost_pending, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->lost_total, 1, __ATOMIC_RELAXED);
    return false;
}

bool ring_write(struct ring *r, unsigned type, unsigned flags, const uint64_t *payload, size_t n)
{
    const uint64_t len = (uint64_t)n + 1;
    if (type == 0 || type >= HEADER_TYPE_PAD || n > RING_MAX_PAYLOAD_WORDS || len > r->capacity / 2)
        return ring_count_lost(r);

    uint64_t pos = __atomic_load_n(&r->reserve_pos, __ATOMIC_RELAXED);
    uint64_t pad;
    for (;;) {
        const uint64_t read = __atomic_load_n(&r->read_pos, __ATOMIC_ACQUIRE);
        const uint64_t index = pos & r->mask;
        pad = index + len > r->capacity ? r->capacity - index : 0;
        if (pos + pad + len - read > r->capacity)
            return ring_count_lost(r);
        if (__atomic_compare_exchange_n(&r->reserve_pos, &pos, pos + pad + len, true,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            break;
        /* pos now holds the current reserve_pos; try again. */
    }

    if (pad) {
        /* The pad's own words are already zero; only its header says how long it is. */
        __atomic_store_n(&r->words[pos & r->mask], header_make(HEADER_TYPE_PAD, 0, pad - 1),
                         __ATOMIC_RELEASE);
        pos += pad;
    }
    uint64_t *rec = &r->words[pos & r->mask];
    memcpy(rec + 1, payload, n * sizeof *payload); /* memcpy is async-signal-safe */
    __atomic_store_n(&rec[0], header_make(type, flags, n), __ATOMIC_RELEASE);
    __atomic_fetch_add(&r->written_total, 1, __ATOMIC_RELAXED);
    return true;
}

size_t ring_read(struct ring *r, ring_record_fn fn, void *ctx)
{
    size_t consumed = 0;
    uint64_t pos = __atomic_load_n(&r->read_pos, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t *rec = &r->words[pos & r->mask];
        const uint64_t h = __atomic_load_n(&rec[0], __ATOMIC_ACQUIRE);
        if (h == 0)
            break;
        const uint64_t n = header_payload_words(h);
        if (header_type(h) != HEADER_TYPE_PAD) {
            fn(ctx, header_type(h), header_flags(h), rec + 1, (size_t)n);
            consumed++;
        }
        memset(rec, 0, (size_t)(n + 1) * sizeof *rec);
        pos += n + 1;
        __atomic_store_n(&r->read_pos, pos, __ATOMIC_RELEASE);
    }
    return consumed;
}

uint64_t ring_take_lost(struct ring *r)
{
    return __atomic_exchange_n(&r->lost_pending, 0, __ATOMIC_RELAXED);
}

uint64_t ring_lost_total(const struct ring *r)
{
    return __atomic_load_n(&r->lost_total, __ATOMIC_RELAXED);
}

uint64_t ring_written_total(const struct ring *r)
{
    return __atomic_load_n(&r->written_total, __ATOMIC_RELAXED);
}

uint64_t ring_used_words(const struct ring *r)
{
    return __atomic_load_n(&r->reserve_pos, __ATOMIC_RELAXED) -
           __atomic_load_n(&r->read_pos, __ATOMIC_RELAXED);
}
