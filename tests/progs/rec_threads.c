/*
 * rec_threads.c — threads created while profiled (the preload starts before main), each
 * burning CPU in its own function under its own pprof label worker=N.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "burn.h"
#include "hzprof.h"

static volatile uint64_t sink;

static BURN_FUNCTION(work_zero, 1)
static BURN_FUNCTION(work_one, 2)
static BURN_FUNCTION(work_two, 3)

static void *worker(void *arg)
{
    static uint64_t (*const work[])(uint64_t) = {work_zero, work_one, work_two};
    int id = (int)(intptr_t)arg;
    char value[8];
    snprintf(value, sizeof value, "%d", id);
    hzprof_label_push("worker", value);
    sink += work[id](300000000ull);
    hzprof_label_pop();
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (intptr_t i = 0; i < 3; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return 0;
}
