/* altstack.c — see altstack.h. */
#define _GNU_SOURCE
#include "altstack.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "thread_state.h"

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer gives every thread a small alternate stack of its own (for its SEGV
 * report): in an ASan build ours replaces it, and it is put back at unregistration. */
static __thread stack_t replaced;
#endif

void altstack_install(void)
{
    stack_t old;
    if (hz_thread.alt_lo || sigaltstack(NULL, &old) != 0)
        return;
#if defined(__SANITIZE_ADDRESS__)
    if (!(old.ss_flags & SS_DISABLE) && !(old.ss_flags & SS_ONSTACK) &&
        old.ss_size < ALTSTACK_BYTES) {
        replaced = old;
        old.ss_flags = SS_DISABLE;
    }
#endif
    if (!(old.ss_flags & SS_DISABLE))
        return; /* ours already, or the program's own: keep it */
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *base = mmap(NULL, page + ALTSTACK_BYTES, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return;
    mprotect(base, page, PROT_NONE); /* an overflow faults instead of corrupting */
    stack_t ss = {.ss_sp = base + page, .ss_size = ALTSTACK_BYTES, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(base, page + ALTSTACK_BYTES);
        return;
    }
    hz_thread.alt_lo = (uintptr_t)ss.ss_sp;
    hz_thread.alt_hi = (uintptr_t)ss.ss_sp + ALTSTACK_BYTES;
}

void altstack_remove(void)
{
    if (!hz_thread.alt_lo)
        return;
    /* No SIGPROF may land on the stack while it goes away. */
    sigset_t prof, saved;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &prof, &saved);
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && (uintptr_t)cur.ss_sp == hz_thread.alt_lo &&
        !(cur.ss_flags & SS_DISABLE)) {
        if (cur.ss_flags & SS_ONSTACK) { /* called from a handler on it: leave it */
            pthread_sigmask(SIG_SETMASK, &saved, NULL);
            return;
        }
        stack_t off = {.ss_flags = SS_DISABLE};
#if defined(__SANITIZE_ADDRESS__)
        if (replaced.ss_sp)
            off = replaced;
        replaced.ss_sp = NULL;
#endif
        sigaltstack(&off, NULL);
    }
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    munmap((char *)hz_thread.alt_lo - page, page + ALTSTACK_BYTES);
    hz_thread.alt_lo = hz_thread.alt_hi = 0;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}
