/*
 * handler.h — the SIGPROF handler. It records one sample of the interrupted thread into
 * hz_session.ring; see handler.c for what it may and may not do.
 */
#ifndef HZPROF_HANDLER_H
#define HZPROF_HANDLER_H

#include <stdint.h>
#include <sys/types.h>

/* Installs the handler for SIGPROF (SA_SIGINFO | SA_RESTART). Returns 0 or -errno. */
int handler_install(void);

/* Whether SIGPROF is still ours: 0 when the program has since installed its own handler
 * or ignored the signal (its samples stop then). */
int handler_is_installed(void);

/* Writes a sample of another thread into the session's ring, as its handler would have:
 * for the wall helper's off-CPU samples of blocked threads it did not interrupt. Call
 * only while the session is enabled (between the sampler's start and stop). Not
 * signal-handler code, but async-signal-safe all the same. */
void handler_record_for(pid_t tid, uint32_t label_set, const uint64_t *pcs, unsigned depth,
                        unsigned flags);

#endif
