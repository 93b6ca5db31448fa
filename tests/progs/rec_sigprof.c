/*
 * rec_sigprof.c — a program that takes SIGPROF from a profiler after a first burn:
 *   rec_sigprof handler   installs its own SIGPROF handler
 *   rec_sigprof ignore    ignores SIGPROF
 *   rec_sigprof block     blocks SIGPROF
 * then burns more CPU and prints "done". `hzprof record` must say what happened
 * (issue 14 #16), and the program must behave as unprofiled.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t own;

static void handler(int sig)
{
    (void)sig;
    own++;
}

static void burn(unsigned long n)
{
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < n; i++)
        x += i;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    burn(200000000);
    if (strcmp(argv[1], "handler") == 0) {
        signal(SIGPROF, handler);
    } else if (strcmp(argv[1], "ignore") == 0) {
        signal(SIGPROF, SIG_IGN);
    } else if (strcmp(argv[1], "block") == 0) {
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGPROF);
        sigprocmask(SIG_BLOCK, &m, NULL);
    } else {
        return 2;
    }
    burn(1500000000);
    puts("done");
    return 0;
}
