/*
 * altstack.h — a preallocated alternate signal stack for each registered thread that has
 * none, so the SIGPROF handler never runs out of the interrupted thread's stack.
 *
 * Why: the handler needs a few KB (the kernel's signal frame, ~3 KB with AVX state, the
 * record, and the unwinder: libunwind's unw_backtrace alone took 6.4 KB), and a program
 * may give its threads PTHREAD_STACK_MIN (16 KB) stacks, valid and common in servers with
 * many threads: 8 such threads crashed under every sampler with libunwind. The handler is
 * installed with SA_ONSTACK; a thread that already has an alternate stack (its program's)
 * keeps it, and the handler checks the room left there (handler.c) and falls back to a
 * PC-only sample, counted, when it is short.
 *
 * ALTSTACK_BYTES of read-write memory above one PROT_NONE guard page, mmap'ed at
 * registration (pages are only committed when touched) and unmapped at unregistration,
 * after the alternate stack is disabled if it is still ours.
 */
#ifndef HZPROF_ALTSTACK_H
#define HZPROF_ALTSTACK_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALTSTACK_BYTES (1024 * 1024) /* sanitizer runtimes run deep code in handlers */
#else
#define ALTSTACK_BYTES (64 * 1024)
#endif

/* On the calling thread: installs an alternate signal stack if it has none, and records
 * its bounds in hz_thread (alt_lo, alt_hi). Best effort: on failure nothing changes. */
void altstack_install(void);

/* On the calling thread: disables our alternate stack if it is in force, frees it. */
void altstack_remove(void);

#endif
