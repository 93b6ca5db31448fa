/*
 * rec_forkexec.c — forks and execs /bin/true in a loop while profiled (and burns a little
 * CPU between), then exits 0. Children must neither crash nor write the parent's profile.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uint64_t sink;

int main(void)
{
    for (int i = 0; i < 60; i++) {
        for (uint64_t k = 0; k < 2000000; k++)
            sink += k * k;
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(126);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child %d: status 0x%x\n", i, status);
            return 1;
        }
    }
    return 0;
}
