/*
 * io.c — an I/O-bound service under load: a loopback TCP server (non-blocking sockets,
 * epoll) and a closed-loop load generator in one process.
 *
 *   io [--connections C] [--requests R] [--work N] [--think-us U] [--timeout-s S]
 *      [profiling flags]
 *
 * Each of C connections has one request in flight at a time: 16 bytes {id, seed}. The
 * server does N rounds of integer mixing on the seed (a little CPU per request) and
 * answers {id, result}; the client checks the answer and records the latency, then waits
 * U microseconds (think time: with a large U the process is mostly idle) before sending
 * the next. Throughput is completed requests per second; latency p50/p99/p99.9 in µs.
 *
 * Signals: SIGPROF interrupts system calls. epoll_wait returns EINTR whatever SA_RESTART
 * says, and reads and writes can be interrupted or short: every call here retries, and
 * partial messages are buffered, so no request is lost or garbled by the profiler. A
 * request without an answer when the timeout expires counts as lost; a wrong answer as
 * wrong; either fails the run (exit 1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#define MSG_BYTES 16
#define MAX_CONNECTIONS 1024

struct msg {
    uint64_t id, value;
};

static uint64_t __attribute__((noinline)) request_work(uint64_t seed, unsigned rounds)
{
    uint64_t x = seed | 1;
    for (unsigned i = 0; i < rounds; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

/* --- server --- */

struct server_conn {
    struct server_conn *next, *prev; /* all open connections, freed at stop */
    int fd;
    uint8_t in[MSG_BYTES];
    size_t in_len;
    uint8_t out[4096];
    size_t out_len;
};

struct server {
    int listen_fd, epoll_fd, stop_fd;
    unsigned work;
    struct server_conn *conns;
};

static void server_close(struct server *s, struct server_conn *c)
{
    epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static void server_flush(struct server_conn *c)
{
    size_t off = 0;
    while (off < c->out_len) {
        ssize_t n = write(c->fd, c->out + off, c->out_len - off);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            break; /* EAGAIN: the rest waits for EPOLLOUT */
    }
    memmove(c->out, c->out + off, c->out_len - off);
    c->out_len -= off;
}

static bool server_read(struct server *s, struct server_conn *c)
{
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_len, MSG_BYTES - c->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        if (n <= 0)
            return false; /* closed or error */
        c->in_len += (size_t)n;
        if (c->in_len == MSG_BYTES) {
            struct msg m;
            memcpy(&m, c->in, sizeof m);
            m.value = request_work(m.value, s->work);
            if (c->out_len + MSG_BYTES > sizeof c->out)
                return false; /* a client that never reads: drop it */
            memcpy(c->out + c->out_len, &m, sizeof m);
            c->out_len += MSG_BYTES;
            c->in_len = 0;
            server_flush(c);
        }
    }
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    struct epoll_event events[64];
    workload_thread_started();
    for (;;) {
        int n = epoll_wait(s->epoll_fd, events, 64, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (int i = 0; i < n; i++) {
            void *p = events[i].data.ptr;
            if (p == &s->stop_fd) {
                while (s->conns)
                    server_close(s, s->conns);
                return NULL;
            }
            if (p == &s->listen_fd) {
                int fd;
                while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
                           0 ||
                       errno == EINTR) {
                    if (fd < 0)
                        continue;
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct server_conn *c = calloc(1, sizeof *c);
                    if (!c) {
                        close(fd);
                        continue;
                    }
                    c->fd = fd;
                    c->next = s->conns;
                    if (s->conns)
                        s->conns->prev = c;
                    s->conns = c;
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
                    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            struct server_conn *c = p;
            if (events[i].events & EPOLLOUT)
                server_flush(c);
            if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !server_read(s, c))
                server_close(s, c);
        }
    }
    return NULL;
}

/* --- load generator --- */

struct client_conn {
    int fd;
    bool in_flight, dead;
    uint64_t id, expected;
    double sent_at, next_send_at;
    uint8_t in[MSG_BYTES];
    size_t in_len;
};

struct load {
    struct client_conn *conns;
    unsigned nconns;
    uint64_t requests, issued, completed, wrong, lost;
    unsigned work;
    double think_s, deadline;
    double *latencies_us;
};

static bool write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue; /* 16 bytes on an idle socket: EAGAIN cannot last */
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void client_send(struct load *l, struct client_conn *c, double now)
{
    struct msg m = {.id = l->issued, .value = 0x9e3779b97f4a7c15ull * (l->issued + 1)};
    c->id = m.id;
    c->expected = request_work(m.value, l->work);
    c->sent_at = now;
    c->in_flight = true;
    l->issued++;
    if (!write_all(c->fd, &m, sizeof m)) {
        c->dead = true;
        c->in_flight = false;
        l->lost++;
    }
}

static void client_read(struct load *l, struct client_conn *c)
{
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_len, MSG_BYTES - c->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            if (c->in_flight)
                l->lost++;
            c->in_flight = false;
            c->dead = true;
            return;
        }
        c->in_len += (size_t)n;
        if (c->in_len < MSG_BYTES)
            continue;
        struct msg m;
        memcpy(&m, c->in, sizeof m);
        c->in_len = 0;
        double now = measure_now();
        if (!c->in_flight || m.id != c->id || m.value != c->expected)
            l->wrong++;
        else
            l->latencies_us[l->completed++] = (now - c->sent_at) * 1e6;
        c->in_flight = false;
        c->next_send_at = now + l->think_s;
    }
}

static void run_load(struct load *l, int epoll_fd)
{
    struct epoll_event events[64];
    for (;;) {
        double now = measure_now();
        double next_due = 1e300;
        unsigned busy = 0;
        for (unsigned i = 0; i < l->nconns; i++) {
            struct client_conn *c = &l->conns[i];
            if (c->dead)
                continue;
            if (c->in_flight) {
                busy++;
                continue;
            }
            if (l->issued >= l->requests)
                continue;
            if (c->next_send_at <= now) {
                client_send(l, c, now);
                busy += c->in_flight;
            } else if (c->next_send_at < next_due) {
                next_due = c->next_send_at;
            }
        }
        if (busy == 0 && (l->issued >= l->requests || next_due == 1e300))
            break;
        if (now > l->deadline)
            break;
        int timeout_ms = next_due < 1e300 ? (int)((next_due - now) * 1000) : 100;
        if (timeout_ms > 100)
            timeout_ms = 100;
        int n = epoll_wait(epoll_fd, events, 64, timeout_ms < 0 ? 0 : timeout_ms);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; i++)
            client_read(l, events[i].data.ptr);
    }
    for (unsigned i = 0; i < l->nconns; i++)
        if (l->conns[i].in_flight)
            l->lost++; /* no answer before the deadline */
    if (l->issued < l->requests)
        l->lost += l->requests - l->issued; /* never sent: connections died or time ran out */
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, uint64_t n, double q)
{
    if (n == 0)
        return 0;
    uint64_t i = (uint64_t)(q * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: io [--connections C] [--requests R] [--work N] [--think-us U]\n"
            "          [--timeout-s S] [profiling flags]\n\n"
            "A loopback TCP server (epoll) under a closed-loop load; prints one JSON object.\n"
            "Throughput in requests/s; latency percentiles in microseconds.\n"
            "  --connections C  concurrent connections, one request in flight each (default 16)\n"
            "  --requests R     total requests (default 20000)\n"
            "  --work N         mixing rounds of server CPU work per request (default 2000)\n"
            "  --think-us U     client pause after each answer, in µs (default 0)\n"
            "  --timeout-s S    give up after S seconds; unanswered requests are lost "
            "(default 120)\n\n%s",
            profiling_usage);
}

int main(int argc, char **argv)
{
    struct profiling_options prof = {0};
    unsigned long conns = 16, requests = 20000, work = 2000, think_us = 0, timeout_s = 120;
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"connections", required_argument, NULL, 'c'},
                                             {"requests", required_argument, NULL, 'r'},
                                             {"work", required_argument, NULL, 'w'},
                                             {"think-us", required_argument, NULL, 'u'},
                                             {"timeout-s", required_argument, NULL, 's'},
                                             PROFILING_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    const struct uint_flag uint_flags[] = {{'c', "--connections", 1, MAX_CONNECTIONS, &conns},
                                           {'r', "--requests", 1, 100000000, &requests},
                                           {'w', "--work", 0, 100000000, &work},
                                           {'u', "--think-us", 0, 10000000, &think_us},
                                           {'s', "--timeout-s", 1, 86400, &timeout_s},
                                           {0, NULL, 0, 0, NULL}};
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, WORKLOAD_OPTSTRING("h"), longopts, NULL)) != -1) {
        const int p = workload_option(&prof, "io", uint_flags, ch, optarg);
        if (p < 0)
            return 2;
        if (p > 0)
            continue;
        switch (ch) {
        case 'h': usage(stdout); return 0;
        default: return workload_bad_flag("io", ch, argv);
        }
    }
    if (workload_extra_args("io", argc, argv))
        return 2;

    struct run run;
    run_init(&run, "io", &prof);
    cJSON_AddNumberToObject(run.params, "connections", (double)conns);
    cJSON_AddNumberToObject(run.params, "requests", (double)requests);
    cJSON_AddNumberToObject(run.params, "work", (double)work);
    cJSON_AddNumberToObject(run.params, "think_us", (double)think_us);
    cJSON_AddNumberToObject(run.params, "timeout_s", (double)timeout_s);

    /* Server socket on an ephemeral loopback port. */
    struct server srv = {.work = (unsigned)work};
    srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    if (srv.listen_fd < 0 || bind(srv.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(srv.listen_fd, 1024) != 0 ||
        getsockname(srv.listen_fd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "io: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        return 1;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return 1;
    srv.stop_fd = pipefd[0];
    srv.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &srv.listen_fd};
    epoll_ctl(srv.epoll_fd, EPOLL_CTL_ADD, srv.listen_fd, &ev);
    ev.data.ptr = &srv.stop_fd;
    epoll_ctl(srv.epoll_fd, EPOLL_CTL_ADD, srv.stop_fd, &ev);

    /* Client connections (blocking connect, then non-blocking). */
    struct load load = {.nconns = (unsigned)conns,
                        .requests = requests,
                        .work = (unsigned)work,
                        .think_s = (double)think_us / 1e6};
    load.conns = calloc(conns, sizeof *load.conns);
    load.latencies_us = calloc(requests, sizeof *load.latencies_us);
    int client_epoll = epoll_create1(EPOLL_CLOEXEC);
    pthread_t server_thread;
    pthread_create(&server_thread, NULL, server_main, &srv);
    for (unsigned long i = 0; i < conns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc;
        do
            rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
        while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            fprintf(stderr, "io: connect: %s\n", strerror(errno));
            return 1;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        load.conns[i].fd = fd;
        struct epoll_event cev = {.events = EPOLLIN, .data.ptr = &load.conns[i]};
        epoll_ctl(client_epoll, EPOLL_CTL_ADD, fd, &cev);
    }

    int rc = run_begin(&run);
    if (rc) {
        ssize_t ignored = write(pipefd[1], "x", 1);
        (void)ignored;
        pthread_join(server_thread, NULL);
        for (unsigned long i = 0; i < conns; i++)
            close(load.conns[i].fd);
        free(load.conns);
        free(load.latencies_us);
        return rc;
    }
    load.deadline = measure_now() + (double)timeout_s;
    run_load(&load, client_epoll);
    run_end(&run, (double)load.completed, "requests/s");

    ssize_t ignored = write(pipefd[1], "x", 1);
    (void)ignored;
    pthread_join(server_thread, NULL);
    qsort(load.latencies_us, load.completed, sizeof *load.latencies_us, cmp_double);
    cJSON_AddNumberToObject(run.result, "completed", (double)load.completed);
    cJSON_AddNumberToObject(run.result, "lost", (double)load.lost);
    cJSON_AddNumberToObject(run.result, "wrong", (double)load.wrong);
    cJSON *lat = cJSON_AddObjectToObject(run.result, "latency_us");
    cJSON_AddNumberToObject(lat, "p50", percentile(load.latencies_us, load.completed, 0.50));
    cJSON_AddNumberToObject(lat, "p99", percentile(load.latencies_us, load.completed, 0.99));
    cJSON_AddNumberToObject(lat, "p99.9", percentile(load.latencies_us, load.completed, 0.999));
    cJSON_AddNumberToObject(lat, "max", load.completed ? load.latencies_us[load.completed - 1] : 0);
    const bool ok = load.lost == 0 && load.wrong == 0 && load.completed == requests;
    for (unsigned long i = 0; i < conns; i++)
        close(load.conns[i].fd);
    close(client_epoll);
    close(srv.epoll_fd);
    close(srv.listen_fd);
    close(pipefd[0]);
    close(pipefd[1]);
    free(load.conns);
    free(load.latencies_us);
    return run_finish(&run, ok, ok ? NULL : "requests lost or answered wrongly");
}
