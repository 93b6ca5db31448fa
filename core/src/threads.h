/*
 * threads.h — the registry of threads the profiler knows, and per-thread arming.
 *
 * Contract: every thread that registers itself (hzprof_thread_register, called
 * automatically from the pthread_create interposer) or that threads_scan_process() finds
 * in /proc/self/task has an entry. While a per-thread sampler is armed (threads_arm_all),
 * every entry, including ones added later, has that sampler's timer; entries leave at
 * thread exit (self-registered) or at threads_disarm_all (found by the scan), and their
 * timer is disarmed then, so no timer or fd outlives its thread or the session.
 * All functions take the registry lock themselves; the signal handler never touches it.
 */
#ifndef HZPROF_THREADS_H
#define HZPROF_THREADS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "samplers/sampler.h"

struct thread_entry {
    struct thread_entry *next;
    pid_t tid;
    bool self_registered; /* registered by the thread itself: stack bounds known */
    bool armed;
    struct sampler_thread s; /* the sampler's own (sampler.h); threads.c never reads it */
};

struct unwinder_ops;

/* A session begins (its unwinder: the one each thread that registers during it warms up)
 * or ends (NULL). Threads that register outside a session (a program that starts
 * profiling later) warm up every unwinder, since any may be chosen. */
void threads_set_session(const struct unwinder_ops *unwinder);

/* This process will not be profiled (the preload library in a child that inherited
 * LD_PRELOAD): new threads pass straight through pthread_create, with no registration,
 * alternate stack or warm-up, so such a program pays nothing per thread (issue 14 #18). */
void threads_process_unprofiled(void);

/* Adds entries for threads of this process not yet known. Returns 0 or an HZPROF_ERR_*. */
int threads_scan_process(void);

/* Arms every known thread with `s` (if it is per-thread) and remembers it for threads
 * that register later. Fails only if the calling thread cannot be armed. */
int threads_arm_all(const struct sampler_ops *s, const struct sampler_params *p);

/* Threads a per-thread sampler armed since the last threads_arm_all (kept after disarm,
 * for the statistics of a session that recorded nothing: the "empty" unwinder). */
uint64_t threads_armed_total(void);

/* Disarms every thread, forgets the sampler, and drops entries found by the scan. */
void threads_disarm_all(void);

/* Calls fn for each entry with the lock held (fn must not call back into threads_*). */
void threads_foreach(void (*fn)(struct thread_entry *t, void *ctx), void *ctx);

/* In a forked child: forgets the parent's threads (closing the child's copies of their
 * fds) and registers the calling thread under its new tid. */
void threads_after_fork_child(void);

/* The real pthread_create, for the library's own threads (which are not registered and
 * block SIGPROF). */
int threads_create_internal(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
