/*
 * rec_threadprobe.c — says whether a new thread was taken in by the profiler: its
 * alternate signal stack, which the profiler installs on every thread it registers
 * (core/src/altstack.c) and which a thread the program creates never has otherwise.
 * Prints "registered" or "not registered". A program preloaded but not profiled (a child
 * that inherited LD_PRELOAD) must print the latter (issue 14 #18).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

static void *probe(void *out)
{
    stack_t ss;
    *(int *)out = sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE);
    return NULL;
}

int main(void)
{
    int registered = -1;
    pthread_t t;
    if (pthread_create(&t, NULL, probe, &registered) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    puts(registered ? "registered" : "not registered");
    return 0;
}
