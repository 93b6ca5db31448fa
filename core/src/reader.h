/*
 * reader.h — the reader thread: drains hz_session.ring into the profile map at least
 * every READER_PERIOD_MS, sooner when a handler pokes it (ring half full), as Go's
 * profileWriter goroutine does.
 *
 * Contract: between reader_start and reader_stop only the reader thread touches the map.
 * reader_stop wakes and joins the thread, then drains whatever is left; call it only
 * after no handler can write any more (see session.h).
 */
#ifndef HZPROF_READER_H
#define HZPROF_READER_H

#include <stdint.h>

#include "map.h"
#include "ring.h"

#define READER_PERIOD_MS 100

int reader_start(struct map *m);
void reader_stop(void);

/* Drains the ring into the map once (also used by tests). Returns records consumed. */
size_t reader_drain(struct ring *r, struct map *m, uint64_t period_ns);

/* Distinct thread ids seen in samples since reader_start. */
uint64_t reader_threads_seen(void);

#endif
