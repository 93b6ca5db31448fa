/*
 * rec_syscalls.c — what a profiler's signals do to one blocking system call (issue 15).
 *
 *     rec_syscalls CALL      CALL: read write nanosleep accept epoll_wait pthread_cond_wait
 *
 * A thread blocks in CALL for about 200 ms while the main thread burns CPU (so that the
 * CPU samplers fire), and prints one line:
 *
 *     call=read calls=1 syscalls=1 eintr=0 eintr_total=0 short=0 spurious=0 woken=1 cpu_us=35
 *
 *   calls        the operations the program asked for (nanosleep: 20 sleeps of 10 ms)
 *   syscalls     the system calls they took, retries included
 *   eintr        operations that failed with EINTR at least once (at most `calls`)
 *   eintr_total  EINTR returns, retries included
 *   short        writes that returned fewer bytes than asked (write)
 *   spurious     pthread_cond_wait returns with the predicate still false
 *   woken        the blocked thread's voluntary context switches during the operations
 *                (/proc/thread-self/status): how many times it went to sleep, so 1 + the
 *                times something (a signal) woke it before its event
 *   cpu_us       the blocked thread's own CPU time during the operations
 *
 * The program is correct under interruption: it retries EINTR (with the time left),
 * continues short writes, and re-waits on a false predicate, as a robust program must.
 * It reports interruptions and exits 0 regardless. Its peers (the writer, the reader,
 * the connector, the signaller) sleep to absolute deadlines, so that their own
 * interruptions change nothing. Bad usage: one line on stderr, exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK_NS 200000000LL /* how long each call blocks */
#define SLEEPS 20            /* nanosleep: 20 x 10 ms */
#define SLEEP_NS 10000000L
#define WRITE_BYTES (1u << 20) /* write: 1 MiB through a 64 KiB pipe ... */
#define READ_CHUNK (16u << 10) /* ... drained 16 KiB every 3 ms: about 200 ms */
#define READ_EVERY_NS 3000000LL

struct result {
    long calls, syscalls, eintr, eintr_total, shorts, spurious;
};

static atomic_int done;
static int fds[2];
static int listen_fd;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int predicate;

static void die(const char *what)
{
    fprintf(stderr, "rec_syscalls: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long long now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleeps until `deadline` on CLOCK_MONOTONIC, whatever interrupts it. */
static void sleep_until(long long deadline)
{
    struct timespec ts = {.tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

static long voluntary_switches(void)
{
    FILE *f = fopen("/proc/thread-self/status", "r");
    if (!f)
        die("/proc/thread-self/status");
    char line[256];
    long n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* Peers: each acts on its own thread at ~200 ms from now. */

static void *peer_write_one(void *start)
{
    sleep_until(*(long long *)start + BLOCK_NS);
    char byte[64] = {0};
    if (write(fds[1], byte, sizeof byte) != (ssize_t)sizeof byte) /* atomic: <= PIPE_BUF */
        die("peer write");
    return NULL;
}

static void *peer_drain(void *start)
{
    static char buf[READ_CHUNK];
    long long next = *(long long *)start;
    for (size_t got = 0; got < WRITE_BYTES;) {
        next += READ_EVERY_NS;
        sleep_until(next);
        for (size_t chunk = 0; chunk < READ_CHUNK && got < WRITE_BYTES;) {
            ssize_t n = read(fds[0], buf, READ_CHUNK - chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                die("peer read");
            chunk += (size_t)n;
            got += (size_t)n;
        }
    }
    return NULL;
}

static void *peer_connect(void *start)
{
    sleep_until(*(long long *)start + BLOCK_NS);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getsockname(listen_fd, (struct sockaddr *)&addr, &len) != 0)
        die("getsockname");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    while (fd >= 0 && connect(fd, (struct sockaddr *)&addr, len) != 0)
        if (errno != EINTR)
            die("connect");
    if (fd < 0)
        die("socket");
    close(fd); /* accept still returns the connection, from the backlog */
    return NULL;
}

static void *peer_signal(void *start)
{
    sleep_until(*(long long *)start + BLOCK_NS);
    pthread_mutex_lock(&cond_lock);
    predicate = 1;
    pthread_mutex_unlock(&cond_lock);
    pthread_cond_signal(&cond); /* after the unlock: the waiter need not block on the mutex */
    return NULL;
}

/* The blocking operations, each counted into *r. */

/* After a call failed: true if by EINTR, counted into *r and *interrupted (the operation
 * was cut short at least once); false for any other failure. */
static int by_signal(struct result *r, int *interrupted)
{
    if (errno != EINTR)
        return 0;
    r->eintr_total++;
    *interrupted = 1;
    return 1;
}

/* One read of len bytes from the pipe into buf, or one write of them into it, continued
 * after EINTR and short counts. */
static void transfer(struct result *r, int writing, char *buf, size_t len)
{
    r->calls = 1;
    size_t off = 0;
    int interrupted = 0;
    while (off < len) {
        ssize_t n =
            writing ? write(fds[1], buf + off, len - off) : read(fds[0], buf + off, len - off);
        r->syscalls++;
        if (n < 0 && by_signal(r, &interrupted))
            continue;
        if (n <= 0)
            die(writing ? "write" : "read");
        if ((size_t)n < len - off)
            r->shorts++;
        off += (size_t)n;
    }
    r->eintr = interrupted;
}

static void do_read(struct result *r)
{
    char buf[64];
    transfer(r, 0, buf, sizeof buf);
}

static char write_buf[WRITE_BYTES];

static void do_write(struct result *r)
{
    /* write_buf is filled by main: its page faults are not the call's CPU. */
    transfer(r, 1, write_buf, WRITE_BYTES);
}

static void do_nanosleep(struct result *r)
{
    for (int i = 0; i < SLEEPS; i++) {
        struct timespec req = {0, SLEEP_NS}, rem;
        int interrupted = 0;
        r->calls++;
        for (;;) {
            r->syscalls++;
            if (nanosleep(&req, &rem) == 0)
                break;
            if (!by_signal(r, &interrupted))
                die("nanosleep");
            req = rem; /* sleep what is left */
        }
        r->eintr += interrupted;
    }
}

static void do_accept(struct result *r)
{
    r->calls = 1;
    int fd;
    int interrupted = 0;
    for (;;) {
        r->syscalls++;
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            break;
        if (!by_signal(r, &interrupted))
            die("accept");
    }
    close(fd);
    r->eintr = interrupted;
}

static void do_epoll_wait(struct result *r)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) != 0) /* never written */
        die("epoll");
    r->calls = 1;
    const long long deadline = now_ns(CLOCK_MONOTONIC) + BLOCK_NS;
    int interrupted = 0;
    for (;;) {
        long long left_ms = (deadline - now_ns(CLOCK_MONOTONIC) + 999999) / 1000000;
        if (left_ms <= 0)
            break;
        r->syscalls++;
        int n = epoll_wait(ep, &ev, 1, (int)left_ms);
        if (n == 0)
            break; /* the timeout: nothing was ready, as expected */
        if (n > 0 || !by_signal(r, &interrupted))
            die("epoll_wait (ready or failed)");
    }
    close(ep);
    r->eintr = interrupted;
}

static void do_cond_wait(struct result *r)
{
    r->calls = 1;
    pthread_mutex_lock(&cond_lock);
    while (!predicate) {
        r->syscalls++; /* one wait, not necessarily one system call */
        pthread_cond_wait(&cond, &cond_lock);
        r->spurious += !predicate;
    }
    pthread_mutex_unlock(&cond_lock);
}

static const struct call {
    const char *name;
    void (*run)(struct result *);
    void *(*peer)(void *);
} calls[] = {
    {"read", do_read, peer_write_one},   {"write", do_write, peer_drain},
    {"nanosleep", do_nanosleep, NULL},   {"accept", do_accept, peer_connect},
    {"epoll_wait", do_epoll_wait, NULL}, {"pthread_cond_wait", do_cond_wait, peer_signal},
};

static void *blocker(void *arg)
{
    const struct call *c = arg;
    static long long start;
    struct result r = {0};
    pthread_t peer;
    const long v0 = voluntary_switches();
    const long long cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    start = now_ns(CLOCK_MONOTONIC);
    if (c->peer && (errno = pthread_create(&peer, NULL, c->peer, &start)) != 0)
        die("pthread_create");
    c->run(&r);
    const long long cpu1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    const long v1 = voluntary_switches();
    if (c->peer)
        pthread_join(peer, NULL);
    printf("call=%s calls=%ld syscalls=%ld eintr=%ld eintr_total=%ld short=%ld spurious=%ld "
           "woken=%ld cpu_us=%lld\n",
           c->name, r.calls, r.syscalls, r.eintr, r.eintr_total, r.shorts, r.spurious, v1 - v0,
           (cpu1 - cpu0) / 1000);
    atomic_store(&done, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    const struct call *c = NULL;
    for (size_t i = 0; argc == 2 && i < sizeof calls / sizeof calls[0]; i++)
        if (strcmp(argv[1], calls[i].name) == 0)
            c = &calls[i];
    if (!c) {
        fprintf(stderr, "usage: rec_syscalls read|write|nanosleep|accept|epoll_wait|"
                        "pthread_cond_wait\n");
        return 2;
    }
    if (pipe2(fds, O_CLOEXEC) != 0)
        die("pipe");
    if (fcntl(fds[1], F_SETPIPE_SZ, 65536) < 0)
        die("F_SETPIPE_SZ");
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listen_fd, 1) != 0)
        die("listening socket");
    memset(write_buf, 'x', sizeof write_buf);
    pthread_t t;
    if ((errno = pthread_create(&t, NULL, blocker, (void *)c)) != 0)
        die("pthread_create");
    /* Burn CPU meanwhile: the CPU samplers then fire (on this thread). */
    volatile unsigned long spin = 0;
    while (!atomic_load_explicit(&done, memory_order_relaxed))
        spin++;
    pthread_join(t, NULL);
    return 0;
}
