/*
 * cacheinfo.h — this machine's data cache sizes, from the best source there is.
 *
 * Many VMs and containers have no /sys/devices/system/cpu/cpu0/cache (this project's own
 * Firecracker machines among them), and some report nonsense (the same machines' CPUID
 * says L3 = 508 MiB). So each level is taken from the first of these sources that gives a
 * plausible value:
 *
 *   sysfs    /sys/devices/system/cpu/cpu0/cache/index*         (the kernel's view)
 *   sysconf  sysconf(_SC_LEVEL1_DCACHE_SIZE, ...)             (glibc, from CPUID)
 *   cpuid    CPUID leaf 4 (Intel), 0x8000001D (AMD with topology extensions), else
 *            AMD's legacy 0x80000005 / 0x80000006
 *   default  L1d 32 KiB, L2 512 KiB, L3 16 MiB (a common x86-64 server core; documented
 *            in workloads/README.md)
 *
 * Plausible: L1d 4 KiB..4 MiB, L2 64 KiB..64 MiB, L3 1 MiB..256 MiB (no shipping core can
 * use more of one), each at most 1/16 of physical memory. A value outside that is treated
 * as unknown and recorded in `rejected` with the source it came from.
 *
 * Test hooks (environment): HZPROF_SYSFS_CPU replaces /sys/devices/system/cpu (point it
 * at an empty directory to take sysfs away, or at a hand-made tree); HZPROF_CACHE_SOURCES
 * is the comma-separated list of sources to try, in order (default
 * "sysfs,sysconf,cpuid,default").
 */
#ifndef HZPROF_CACHEINFO_H
#define HZPROF_CACHEINFO_H

enum { CACHE_L1D, CACHE_L2, CACHE_L3, CACHE_LEVELS };

struct cache_info {
    unsigned long bytes[CACHE_LEVELS]; /* 0: unknown (no source left, or none allowed) */
    const char *source[CACHE_LEVELS];  /* "sysfs", "sysconf", "cpuid", "default"; NULL */
    char summary_source[64];           /* "sysconf", or "l1d=sysfs,l2=sysfs,l3=default" */
    char rejected[512];                /* "l3: 532676608 bytes from sysconf (...)"; "" */
};

/* Fills *ci. Returns 0, or -1 with a one-line message in err when HZPROF_CACHE_SOURCES
 * names an unknown source. */
int cache_info_read(struct cache_info *ci, char *err, unsigned long errlen);

extern const char *const cache_level_names[CACHE_LEVELS]; /* "l1d", "l2", "l3" */

/* Adds "caches_bytes" {l1d, l2, l3: bytes or null}, "caches_source" (summary_source) and,
 * when something was rejected, "caches_rejected" (the text) to the object `o`. */
struct cJSON;
void cache_info_to_json(const struct cache_info *ci, struct cJSON *o);

#endif
