/*
 * threads.c — thread registry, per-thread arming, and the pthread_create interposer.
 *
 * Why interpose pthread_create: per-thread samplers (thread-timer, perf-*) only sample
 * threads that have a timer, and the frame-pointer unwinder needs each thread's stack
 * bounds, which only the thread itself can learn cheaply. Wrapping the start routine lets
 * every new thread register itself before running user code, and a pthread key
 * destructor unregisters it (disarming its timer) when it exits, by return or
 * pthread_exit. The real pthread_create is found with dlsym(RTLD_NEXT).
 *
 * Threads that existed before the library was loaded are found in /proc/self/task at
 * start (threads_scan_process): they are sampled, but their stack bounds are unknown, so
 * the fp unwinder records only their leaf frame unless they call hzprof_thread_register.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "altstack.h"
#include "error.h"
#include "session.h"
#include "thread_state.h"
#include "unwind/unwinder.h"

__thread struct thread_state hz_thread __attribute__((tls_model("initial-exec")));

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_entry *registry;
static const struct sampler_ops *armed_sampler; /* per-thread sampler in force, or NULL */
static struct sampler_params armed_params;
static uint64_t armed_count; /* threads armed since threads_arm_all (registry lock) */

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

/* --- registry (lock held) --- */

static struct thread_entry *entry_find(pid_t tid)
{
    for (struct thread_entry *t = registry; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}

static struct thread_entry *entry_add(pid_t tid)
{
    struct thread_entry *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->tid = tid;
    sampler_thread_init(&t->s);
    t->next = registry;
    registry = t;
    return t;
}

static void entry_free(struct thread_entry *t)
{
    sampler_thread_free(&t->s);
    free(t);
}

static void entry_remove(struct thread_entry *victim)
{
    for (struct thread_entry **p = &registry; *p; p = &(*p)->next) {
        if (*p == victim) {
            *p = victim->next;
            entry_free(victim);
            return;
        }
    }
}

static int entry_arm(struct thread_entry *t)
{
    if (!armed_sampler || t->armed || !armed_sampler->thread_arm)
        return HZPROF_OK;
    int rc = armed_sampler->thread_arm(t, &armed_params);
    if (rc == HZPROF_OK) {
        t->armed = true;
        armed_count++;
    }
    return rc;
}

static void entry_disarm(struct thread_entry *t)
{
    if (t->armed && armed_sampler && armed_sampler->thread_disarm)
        armed_sampler->thread_disarm(t);
    t->armed = false;
}

/* --- registration --- */

static void thread_exit_destructor(void *unused)
{
    (void)unused;
    hzprof_thread_unregister();
}

static void make_exit_key(void)
{
    pthread_key_create(&exit_key, thread_exit_destructor);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void learn_stack_bounds(void)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        hz_thread.stack_lo = (uintptr_t)addr;
        hz_thread.stack_hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&attr);
}

/* The running session's unwinder, NULL outside a session (threads_set_session). */
static const struct unwinder_ops *session_unwinder;

void threads_set_session(const struct unwinder_ops *unwinder)
{
    __atomic_store_n(&session_unwinder, unwinder, __ATOMIC_RELEASE);
}

static int process_unprofiled;

void threads_process_unprofiled(void)
{
    __atomic_store_n(&process_unprofiled, 1, __ATOMIC_RELEASE);
}

int hzprof_thread_register(void)
{
    if (hz_thread.registered)
        return HZPROF_OK;
    pthread_once(&key_once, make_exit_key);
    learn_stack_bounds();
    altstack_install();
    /* Warm up what the handler will use on this thread: the session's unwinder only;
     * outside a session (a program registering its threads before it starts profiling)
     * every unwinder, since any may be chosen later. */
    const struct unwinder_ops *u = __atomic_load_n(&session_unwinder, __ATOMIC_ACQUIRE);
    if (!u)
        unwinders_thread_init();
    else if (u->thread_init)
        u->thread_init();
    hz_thread.in_session = u != NULL;
    hz_thread.samples = 0;
    hz_thread.tid = (pid_t)syscall(SYS_gettid);

    pthread_mutex_lock(&registry_lock);
    struct thread_entry *t = entry_find(hz_thread.tid);
    if (!t)
        t = entry_add(hz_thread.tid);
    int rc = HZPROF_OK;
    if (!t) {
        rc = error_set(HZPROF_ERR_NO_MEMORY, "cannot register thread %d", hz_thread.tid);
    } else {
        t->self_registered = true;
        rc = entry_arm(t);
        __atomic_store_n(&hz_thread.entry, t, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&registry_lock);
    /* The thread's CPU from here on is its own: arming its timer (above) is the profiler's
     * cost, before any timer could sample, and is not counted as unsampled at its exit. */
    hz_thread.cpu_at_register_ns = thread_cpu_ns();
    if (t) {
        hz_thread.registered = 1;
        pthread_setspecific(exit_key, &hz_thread);
    }
    return rc;
}

void hzprof_thread_unregister(void)
{
    if (!hz_thread.registered)
        return;
    /* Issue 14 #19: under a sampler that fires per period of the thread's CPU, what the
     * thread ran after its last sample is in no sample: account for it. */
    const struct sampler_ops *s = hz_session.sampler;
    if (hz_thread.in_session && __atomic_load_n(&session_unwinder, __ATOMIC_ACQUIRE) && s &&
        s->thread_cpu_period) {
        const uint64_t ran = thread_cpu_ns() - hz_thread.cpu_at_register_ns,
                       covered = hz_thread.samples * hz_session.period_ns;
        if (ran > covered)
            __atomic_fetch_add(&hz_session.unsampled_cpu_ns, ran - covered, __ATOMIC_RELAXED);
    }
    /* This thread's own handler is the only reader of hz_thread.entry: once it is
     * cleared, no handler can reach the entry about to be freed. */
    __atomic_store_n(&hz_thread.entry, NULL, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&registry_lock);
    struct thread_entry *t = entry_find(hz_thread.tid);
    if (t) {
        entry_disarm(t);
        entry_remove(t);
    }
    pthread_mutex_unlock(&registry_lock);
    hz_thread.registered = 0;
    pthread_setspecific(exit_key, NULL);
    altstack_remove();
}

int threads_scan_process(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return error_set_errno(HZPROF_ERR_SYSTEM, errno, "opendir /proc/self/task");
    int rc = HZPROF_OK;
    pthread_mutex_lock(&registry_lock);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long tid = strtol(de->d_name, &end, 10);
        if (*end != '\0' || tid <= 0)
            continue;
        if (!entry_find((pid_t)tid) && !entry_add((pid_t)tid)) {
            rc = error_set(HZPROF_ERR_NO_MEMORY, "cannot register thread %ld", tid);
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    closedir(d);
    return rc;
}

int threads_arm_all(const struct sampler_ops *s, const struct sampler_params *p)
{
    const pid_t self = (pid_t)syscall(SYS_gettid);
    int rc = HZPROF_OK;
    pthread_mutex_lock(&registry_lock);
    armed_sampler = s;
    armed_params = *p;
    armed_count = 0;
    for (struct thread_entry *t = registry; t; t = t->next) {
        int r = entry_arm(t);
        /* Another thread may have exited since the scan; only our own failure counts. */
        if (r != HZPROF_OK && t->tid == self) {
            rc = r;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    if (rc != HZPROF_OK)
        threads_disarm_all();
    return rc;
}

uint64_t threads_armed_total(void)
{
    pthread_mutex_lock(&registry_lock);
    const uint64_t n = armed_count;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

void threads_disarm_all(void)
{
    pthread_mutex_lock(&registry_lock);
    struct thread_entry **p = &registry;
    while (*p) {
        struct thread_entry *t = *p;
        entry_disarm(t);
        if (!t->self_registered) {
            *p = t->next;
            entry_free(t);
        } else {
            p = &t->next;
        }
    }
    armed_sampler = NULL;
    pthread_mutex_unlock(&registry_lock);
}

void threads_foreach(void (*fn)(struct thread_entry *t, void *ctx), void *ctx)
{
    pthread_mutex_lock(&registry_lock);
    for (struct thread_entry *t = registry; t; t = t->next)
        fn(t, ctx);
    pthread_mutex_unlock(&registry_lock);
}

/* --- pthread_create interposer --- */

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static pthread_create_fn real_pthread_create(void)
{
    static pthread_create_fn real;
    pthread_create_fn fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
    if (!fn) {
        fn = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
        __atomic_store_n(&real, fn, __ATOMIC_RELEASE);
    }
    return fn;
}

struct start_args {
    void *(*fn)(void *);
    void *arg;
    sigset_t mask; /* the creator's signal mask: what the thread would have inherited */
};

/* The new thread starts with SIGPROF blocked (see pthread_create below) and takes the
 * creator's mask back once registered: until then its stack bounds and alternate stack
 * are unknown, and a sample there could overflow a small stack. */
static void *registering_start(void *p)
{
    struct start_args a = *(struct start_args *)p;
    free(p);
    hzprof_thread_register();
    pthread_sigmask(SIG_SETMASK, &a.mask, NULL);
    return a.fn(a.arg);
}

/* Set while threads_create_internal goes through ThreadSanitizer's interceptor, which
 * calls back into our pthread_create: that call must pass the thread straight on. */
static __thread int creating_internal;

HZPROF_API int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *),
                              void *arg)
{
    pthread_create_fn real = real_pthread_create();
    if (!real)
        return EAGAIN;
    if (creating_internal || __atomic_load_n(&process_unprofiled, __ATOMIC_ACQUIRE))
        return real(thread, attr, fn, arg);
    struct start_args *a = malloc(sizeof *a);
    if (!a)
        return EAGAIN;
    a->fn = fn;
    a->arg = arg;
    sigset_t prof;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, &prof, &mask);
    a->mask = mask; /* a belongs to the new thread once it runs: restore from our copy */
    int rc = real(thread, attr, registering_start, a);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (rc != 0)
        free(a);
    return rc;
}

void threads_after_fork_child(void)
{
    /* The child has one thread (this one) and none of the parent's timers; the fds it
     * inherited are its own copies, so closing them here touches nothing of the parent. */
    pthread_mutex_init(&registry_lock, NULL);
    while (registry) {
        struct thread_entry *t = registry;
        registry = t->next;
        sampler_thread_forget_after_fork(&t->s);
        entry_free(t);
    }
    hz_thread.entry = NULL;
    armed_sampler = NULL;
    session_unwinder = NULL; /* the child is not profiled until it starts a session */
    if (hz_thread.registered) {
        hz_thread.registered = 0;
        hzprof_thread_register(); /* under the child's own tid */
    }
}

int threads_create_internal(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    pthread_create_fn real = real_pthread_create();
    if (!real)
        return EAGAIN;
    /* The new thread inherits this mask: it never takes SIGPROF itself. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
#if defined(__SANITIZE_THREAD__)
    /* ThreadSanitizer must see every thread start (else its first instrumented call
     * crashes), but its runtime comes before us, so libc's pthread_create (RTLD_NEXT from
     * here) skips it: go through its interceptor, which calls our pthread_create as the
     * "real" one; creating_internal makes that a plain pass-through. Test build only. */
    pthread_create_fn tsan = (pthread_create_fn)dlsym(RTLD_DEFAULT, "__interceptor_pthread_create");
    if (tsan) {
        creating_internal = 1;
        real = tsan;
    }
#endif
    int rc = real(thread, NULL, fn, arg);
    creating_internal = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
