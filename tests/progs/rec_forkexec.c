/*
 * rec_forkexec.c — forks and execs /bin/true in a loop while profiled (and burns a little
 * CPU between), then exits 0. Children must neither crash nor write the parent's profile.
 *
 *   rec_forkexec failexec [NOTEXEC]: first execs that fail (a missing path, a name on no
 *   PATH entry, and NOTEXEC, a file that is executable but no program, when given), then
 *   burns CPU in after_failed_exec: a failed exec must not end profiling (issue 14 #10).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uint64_t sink;

__attribute__((noinline)) static void after_failed_exec(void)
{
    for (uint64_t k = 0; k < 300000000; k++)
        sink += k * k;
}

static int fail_exec(const char *notexec)
{
    execl("/no/such/dir/prog", "prog", (char *)NULL);
    if (errno != ENOENT)
        return 1;
    execlp("no-such-program-on-any-path", "x", (char *)NULL);
    if (errno != ENOENT)
        return 1;
    if (notexec) {
        execl(notexec, notexec, (char *)NULL);
        if (errno != ENOEXEC) {
            fprintf(stderr, "exec of %s: %s\n", notexec, strerror(errno));
            return 1;
        }
    }
    after_failed_exec();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "failexec") == 0)
        return fail_exec(argc >= 3 ? argv[2] : NULL);
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
