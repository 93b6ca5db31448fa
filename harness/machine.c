/* machine.c — see machine.h. */
#define _GNU_SOURCE
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "cacheinfo.h"
#include "hzprof.h"

#include "build_info.h" /* generated: HZPROF_GIT_COMMIT, HZPROF_BUILD_FLAGS */

static void add_null(cJSON *o, const char *key, const char *reason)
{
    cJSON_AddNullToObject(o, key);
    char k[64];
    snprintf(k, sizeof k, "%s_reason", key);
    cJSON_AddStringToObject(o, k, reason);
}

static void add_cpu_model(cJSON *o)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v) {
                v += 2;
                v[strcspn(v, "\n")] = '\0';
                cJSON_AddStringToObject(o, "cpu_model", v);
                fclose(f);
                return;
            }
        }
    }
    if (f)
        fclose(f);
    add_null(o, "cpu_model", "no 'model name' in /proc/cpuinfo");
}

/* The same sizes and source as matmul --fit uses (cacheinfo.h). */
static void add_caches(cJSON *o)
{
    struct cache_info ci;
    char err[256];
    if (cache_info_read(&ci, err, sizeof err) != 0) {
        cJSON_AddNullToObject(o, "caches_bytes");
        cJSON_AddStringToObject(o, "caches_bytes_reason", err);
        return;
    }
    cache_info_to_json(&ci, o);
}

/* CONFIG_HZ from /boot/config-RELEASE or /proc/config.gz. */
static void add_config_hz(cJSON *o, const char *release)
{
    char path[256], line[256];
    snprintf(path, sizeof path, "/boot/config-%s", release);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "CONFIG_HZ=", 10) == 0) {
            cJSON_AddNumberToObject(o, "config_hz", atoi(line + 10));
            cJSON_AddStringToObject(o, "config_hz_source", path);
            fclose(f);
            return;
        }
    if (f)
        fclose(f);
    gzFile gz = gzopen("/proc/config.gz", "r");
    while (gz && gzgets(gz, line, sizeof line))
        if (strncmp(line, "CONFIG_HZ=", 10) == 0) {
            cJSON_AddNumberToObject(o, "config_hz", atoi(line + 10));
            cJSON_AddStringToObject(o, "config_hz_source", "/proc/config.gz");
            gzclose(gz);
            return;
        }
    if (gz)
        gzclose(gz);
    add_null(o, "config_hz",
             "no /boot/config-<release> or /proc/config.gz; the tick caps of itimer and "
             "thread-timer in the results show it");
}

cJSON *machine_metadata(void)
{
    cJSON *o = cJSON_CreateObject();
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(o, "host", host);
    add_cpu_model(o);
    cJSON_AddNumberToObject(o, "cores_online", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddNumberToObject(o, "memory_bytes",
                            (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE));
    add_caches(o);
    struct utsname u;
    if (uname(&u) == 0) {
        cJSON_AddStringToObject(o, "kernel", u.release);
        cJSON_AddStringToObject(o, "kernel_version", u.version);
        cJSON_AddStringToObject(o, "arch", u.machine);
        add_config_hz(o, u.release);
    }
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int paranoid;
    if (f && fscanf(f, "%d", &paranoid) == 1)
        cJSON_AddNumberToObject(o, "perf_event_paranoid", paranoid);
    if (f)
        fclose(f);
    cJSON_AddBoolToObject(o, "running_as_root", geteuid() == 0);
    return o;
}

cJSON *build_metadata(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "hzprof_version", HZPROF_VERSION);
    cJSON_AddStringToObject(o, "git_commit", HZPROF_GIT_COMMIT);
    cJSON_AddStringToObject(o, "compiler_version", __VERSION__);
    cJSON_AddStringToObject(o, "flags", HZPROF_BUILD_FLAGS);
    return o;
}
