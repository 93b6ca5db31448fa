/*
 * handler.h — the SIGPROF handler. It records one sample of the interrupted thread into
 * hz_session.ring; see handler.c for what it may and may not do.
 */
#ifndef HZPROF_HANDLER_H
#define HZPROF_HANDLER_H

/* Installs the handler for SIGPROF (SA_SIGINFO | SA_RESTART). Returns 0 or -errno. */
int handler_install(void);

/* Whether SIGPROF is still ours: 0 when the program has since installed its own handler
 * or ignored the signal (its samples stop then). */
int handler_is_installed(void);

#endif
