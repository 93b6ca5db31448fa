/*
 * rec_smallstack.c — threads on the smallest stacks POSIX allows, profiled from outside
 * (issue 14 #3: 8 threads with 16 KB stacks crashed under every sampler with libunwind).
 *
 *   rec_smallstack threads      8 threads of PTHREAD_STACK_MIN burn 0.3 s of CPU each in
 *                               small_stack_burn, then "ok" on stdout
 *   rec_smallstack altstack     the main thread burns 0.6 s inside its own SIGUSR1
 *                               handler, on its own 8 KB alternate stack (SA_ONSTACK):
 *                               SIGPROF lands there, where there is no room to unwind
 *
 * Exit 0 and "ok" only if every thread ran to the end.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void __attribute__((noinline)) small_stack_burn(double seconds)
{
    volatile unsigned long x = 0;
    const double t0 = thread_cpu();
    while (thread_cpu() - t0 < seconds)
        for (int i = 0; i < 1000; i++)
            x += (unsigned long)i;
}

static void *worker(void *arg)
{
    (void)arg;
    small_stack_burn(0.3);
    return NULL;
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    small_stack_burn(0.6);
    handled = 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "threads") == 0) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
        pthread_t t[8];
        for (int i = 0; i < 8; i++)
            if (pthread_create(&t[i], &attr, worker, NULL) != 0) {
                fprintf(stderr, "rec_smallstack: pthread_create failed\n");
                return 1;
            }
        for (int i = 0; i < 8; i++)
            pthread_join(t[i], NULL);
    } else if (argc == 2 && strcmp(argv[1], "altstack") == 0) {
#if defined(__SANITIZE_ADDRESS__) /* instrumented frames are several times larger */
        static char alt[65536];
#else
        static char alt[8192];
#endif
        stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
        struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
        if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGUSR1, &sa, NULL) != 0) {
            perror("rec_smallstack: sigaltstack");
            return 1;
        }
        raise(SIGUSR1);
        if (!handled)
            return 1;
    } else {
        fprintf(stderr, "usage: rec_smallstack threads|altstack\n");
        return 2;
    }
    puts("ok");
    return 0;
}
