/* cacheinfo.c — see cacheinfo.h. */
#define _GNU_SOURCE
#include "cacheinfo.h"

#include <cjson/cJSON.h>
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const cache_level_names[CACHE_LEVELS] = {"l1d", "l2", "l3"};

static const unsigned long KiB = 1024, MiB = 1024 * 1024;

/* sysfs: index<i>/{level,type,size}; size is "48K" or "1024K" or "32M". */
static void from_sysfs(unsigned long out[CACHE_LEVELS])
{
    const char *root = getenv("HZPROF_SYSFS_CPU");
    if (!root || !*root)
        root = "/sys/devices/system/cpu";
    for (int idx = 0; idx < 16; idx++) {
        char path[512], type[32] = "";
        int level = 0;
        unsigned long size = 0;
        char unit = '\0';
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/level", root, idx);
        FILE *f = fopen(path, "r");
        if (!f)
            break;
        if (fscanf(f, "%d", &level) != 1)
            level = 0;
        fclose(f);
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/type", root, idx);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%31s", type) != 1)
                type[0] = '\0';
            fclose(f);
        }
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/size", root, idx);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%lu%c", &size, &unit) < 1)
                size = 0;
            fclose(f);
        }
        size = unit == 'M' ? size * MiB : unit == 'K' ? size * KiB : size;
        if (strcmp(type, "Instruction") == 0 || level < 1 || level > 3)
            continue;
        if (level == 1 && strcmp(type, "Data") != 0)
            continue;
        if (!out[level - 1])
            out[level - 1] = size;
    }
}

static void from_sysconf(unsigned long out[CACHE_LEVELS])
{
    const int names[CACHE_LEVELS] = {_SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE,
                                     _SC_LEVEL3_CACHE_SIZE};
    for (int l = 0; l < CACHE_LEVELS; l++) {
        long v = sysconf(names[l]);
        out[l] = v > 0 ? (unsigned long)v : 0;
    }
}

/* The deterministic cache parameters leaves (4, 0x8000001D) share one layout. */
static void cpuid_cache_leaf(unsigned leaf, unsigned long out[CACHE_LEVELS])
{
    for (unsigned sub = 0; sub < 16; sub++) {
        unsigned a, b, c, d;
        if (!__get_cpuid_count(leaf, sub, &a, &b, &c, &d))
            return;
        const unsigned type = a & 31, level = (a >> 5) & 7;
        if (type == 0)
            return;
        if (type == 2 || level < 1 || level > 3) /* instruction cache */
            continue;
        const unsigned long ways = (b >> 22) + 1, parts = ((b >> 12) & 0x3ff) + 1,
                            line = (b & 0xfff) + 1, sets = (unsigned long)c + 1;
        if (!out[level - 1])
            out[level - 1] = ways * parts * line * sets;
    }
}

static void from_cpuid(unsigned long out[CACHE_LEVELS])
{
    unsigned a, b, c, d, max_basic = __get_cpuid_max(0, NULL),
                         max_ext = __get_cpuid_max(0x80000000, NULL);
    if (max_basic >= 4)
        cpuid_cache_leaf(4, out);
    if (max_ext >= 0x8000001D && __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 22)))
        cpuid_cache_leaf(0x8000001D, out); /* AMD topology extensions */
    if (max_ext >= 0x80000006 && !out[CACHE_L2] && !out[CACHE_L3]) {
        /* AMD legacy: 0x80000005 ECX[31:24] L1d KiB; 0x80000006 ECX[31:16] L2 KiB,
         * EDX[31:18] L3 in 512 KiB units. Intel leaves these zero except L2. */
        if (__get_cpuid(0x80000005, &a, &b, &c, &d) && !out[CACHE_L1D])
            out[CACHE_L1D] = (unsigned long)(c >> 24) * KiB;
        if (__get_cpuid(0x80000006, &a, &b, &c, &d)) {
            out[CACHE_L2] = (unsigned long)(c >> 16) * KiB;
            out[CACHE_L3] = (unsigned long)(d >> 18) * 512 * KiB;
        }
    }
}

static void from_default(unsigned long out[CACHE_LEVELS])
{
    out[CACHE_L1D] = 32 * KiB;
    out[CACHE_L2] = 512 * KiB;
    out[CACHE_L3] = 16 * MiB;
}

static const struct {
    const char *name;
    void (*read)(unsigned long out[CACHE_LEVELS]);
} sources[] = {
    {"sysfs", from_sysfs},
    {"sysconf", from_sysconf},
    {"cpuid", from_cpuid},
    {"default", from_default},
};
enum { N_SOURCES = sizeof sources / sizeof sources[0] };

/* NULL when plausible, else why not. */
static const char *implausible(int level, unsigned long bytes)
{
    static const unsigned long lo[CACHE_LEVELS] = {4 * KiB, 64 * KiB, 1 * MiB},
                               hi[CACHE_LEVELS] = {4 * MiB, 64 * MiB, 256 * MiB};
    static const char *const too_big[CACHE_LEVELS] = {"above 4 MiB", "above 64 MiB",
                                                      "above 256 MiB"};
    static const char *const too_small[CACHE_LEVELS] = {"below 4 KiB", "below 64 KiB",
                                                        "below 1 MiB"};
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (bytes < lo[level])
        return too_small[level];
    if (bytes > hi[level])
        return too_big[level];
    if (pages > 0 && page > 0 && bytes > (unsigned long)pages / 16 * (unsigned long)page)
        return "above 1/16 of physical memory";
    return NULL;
}

static void append(char *buf, size_t cap, const char *text)
{
    size_t n = strlen(buf);
    if (n + 1 < cap)
        snprintf(buf + n, cap - n, "%s", text);
}

int cache_info_read(struct cache_info *ci, char *err, unsigned long errlen)
{
    memset(ci, 0, sizeof *ci);
    const char *list = getenv("HZPROF_CACHE_SOURCES");
    if (!list || !*list)
        list = "sysfs,sysconf,cpuid,default";
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    int order[N_SOURCES], n_order = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int s = 0; s < N_SOURCES; s++)
            if (strcmp(tok, sources[s].name) == 0)
                found = s;
        if (found < 0 || n_order == N_SOURCES) {
            snprintf(err, errlen,
                     "HZPROF_CACHE_SOURCES='%s': '%s' is not one of sysfs, sysconf, cpuid, "
                     "default (at most once each)",
                     list, tok);
            return -1;
        }
        order[n_order++] = found;
    }
    for (int k = 0; k < n_order; k++) {
        unsigned long got[CACHE_LEVELS] = {0};
        sources[order[k]].read(got);
        for (int l = 0; l < CACHE_LEVELS; l++) {
            if (ci->bytes[l] || !got[l])
                continue;
            const char *why = implausible(l, got[l]);
            if (why) {
                char line[160];
                snprintf(line, sizeof line, "%s%s: %lu bytes from %s (%s)",
                         ci->rejected[0] ? "; " : "", cache_level_names[l], got[l],
                         sources[order[k]].name, why);
                append(ci->rejected, sizeof ci->rejected, line);
                continue;
            }
            ci->bytes[l] = got[l];
            ci->source[l] = sources[order[k]].name;
        }
    }
    /* One name when every known level came from one source, else level=source pairs. */
    int uniform = 1;
    const char *first = NULL;
    for (int l = 0; l < CACHE_LEVELS; l++) {
        if (!ci->source[l])
            continue;
        if (first && strcmp(first, ci->source[l]) != 0)
            uniform = 0;
        if (!first)
            first = ci->source[l];
    }
    if (!first) {
        snprintf(ci->summary_source, sizeof ci->summary_source, "none");
    } else if (uniform) {
        snprintf(ci->summary_source, sizeof ci->summary_source, "%s", first);
    } else {
        for (int l = 0; l < CACHE_LEVELS; l++) {
            char part[32];
            snprintf(part, sizeof part, "%s%s=%s", ci->summary_source[0] ? "," : "",
                     cache_level_names[l], ci->source[l] ? ci->source[l] : "none");
            append(ci->summary_source, sizeof ci->summary_source, part);
        }
    }
    return 0;
}

void cache_info_to_json(const struct cache_info *ci, cJSON *o)
{
    cJSON *bytes = cJSON_AddObjectToObject(o, "caches_bytes");
    for (int l = 0; l < CACHE_LEVELS; l++)
        if (ci->bytes[l])
            cJSON_AddNumberToObject(bytes, cache_level_names[l], (double)ci->bytes[l]);
        else
            cJSON_AddNullToObject(bytes, cache_level_names[l]);
    cJSON_AddStringToObject(o, "caches_source", ci->summary_source);
    if (ci->rejected[0])
        cJSON_AddStringToObject(o, "caches_rejected", ci->rejected);
}
