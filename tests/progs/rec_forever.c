/* rec_forever.c — burns CPU until a signal stops it (for the SIGTERM test). */
#include <stdint.h>

static volatile uint64_t sink;

static void __attribute__((noinline)) spin_until_killed(void)
{
    for (;;)
        sink++;
}

int main(void)
{
    spin_until_killed();
}
