package main

// The cache sizes --fit uses, found as workloads/cacheinfo.c finds them, so that the twin
// fits the same matrices as the C matmul: each level from the first source with a
// plausible value among sysfs (HZPROF_SYSFS_CPU replaces /sys/devices/system/cpu),
// sysconf (through getconf(1): glibc's sysconf, which reads CPUID; Go has no sysconf
// without cgo), and the documented default (L1d 32 KiB, L2 512 KiB, L3 16 MiB).
// HZPROF_CACHE_SOURCES lists the sources to try; "cpuid" is accepted and skipped here
// (getconf already reports what CPUID says). Plausible: L1d 4 KiB..4 MiB, L2 64 KiB..64
// MiB, L3 1 MiB..256 MiB, each at most 1/16 of physical memory.

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

type cacheInfo struct {
	bytes    [3]uint64 // l1d, l2, l3; 0: unknown
	source   [3]string
	rejected []string
}

var levelNames = [3]string{"l1d", "l2", "l3"}

func sysfsCaches() (out [3]uint64) {
	root := os.Getenv("HZPROF_SYSFS_CPU")
	if root == "" {
		root = "/sys/devices/system/cpu"
	}
	for idx := 0; idx < 16; idx++ {
		base := fmt.Sprintf("%s/cpu0/cache/index%d/", root, idx)
		lvText, err := os.ReadFile(base + "level")
		if err != nil {
			break
		}
		typText, _ := os.ReadFile(base + "type")
		sizeText, _ := os.ReadFile(base + "size")
		lv, _ := strconv.Atoi(strings.TrimSpace(string(lvText)))
		typ := strings.TrimSpace(string(typText))
		if typ == "Instruction" || lv < 1 || lv > 3 || (lv == 1 && typ != "Data") {
			continue
		}
		s := strings.TrimSpace(string(sizeText))
		mult := uint64(1)
		switch {
		case strings.HasSuffix(s, "K"):
			mult, s = 1<<10, strings.TrimSuffix(s, "K")
		case strings.HasSuffix(s, "M"):
			mult, s = 1<<20, strings.TrimSuffix(s, "M")
		}
		if v, err := strconv.ParseUint(s, 10, 64); err == nil && out[lv-1] == 0 {
			out[lv-1] = v * mult
		}
	}
	return out
}

func sysconfCaches() (out [3]uint64) {
	for i, name := range []string{"LEVEL1_DCACHE_SIZE", "LEVEL2_CACHE_SIZE", "LEVEL3_CACHE_SIZE"} {
		text, err := exec.Command("getconf", name).Output()
		if err != nil {
			continue
		}
		if v, err := strconv.ParseUint(strings.TrimSpace(string(text)), 10, 64); err == nil {
			out[i] = v
		}
	}
	return out
}

func implausible(level int, v uint64) string {
	lo := [3]uint64{4 << 10, 64 << 10, 1 << 20}
	hi := [3]uint64{4 << 20, 64 << 20, 256 << 20}
	switch {
	case v < lo[level]:
		return fmt.Sprintf("below %d KiB", lo[level]>>10)
	case v > hi[level]:
		return fmt.Sprintf("above %d MiB", hi[level]>>20)
	}
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil && v > uint64(si.Totalram)*uint64(si.Unit)/16 {
		return "above 1/16 of physical memory"
	}
	return ""
}

// readCaches returns the sizes, or an error for an unknown source name.
func readCaches() (cacheInfo, error) {
	var ci cacheInfo
	list := os.Getenv("HZPROF_CACHE_SOURCES")
	if list == "" {
		list = "sysfs,sysconf,cpuid,default"
	}
	for _, src := range strings.Split(list, ",") {
		var got [3]uint64
		switch src {
		case "sysfs":
			got = sysfsCaches()
		case "sysconf":
			got = sysconfCaches()
		case "cpuid":
			continue
		case "default":
			got = [3]uint64{32 << 10, 512 << 10, 16 << 20}
		default:
			return ci, fmt.Errorf("HZPROF_CACHE_SOURCES='%s': '%s' is not one of sysfs, sysconf, cpuid, default", list, src)
		}
		for l := 0; l < 3; l++ {
			if ci.bytes[l] != 0 || got[l] == 0 {
				continue
			}
			if why := implausible(l, got[l]); why != "" {
				ci.rejected = append(ci.rejected, fmt.Sprintf("%s: %d bytes from %s (%s)", levelNames[l], got[l], src, why))
				continue
			}
			ci.bytes[l], ci.source[l] = got[l], src
		}
	}
	return ci, nil
}

// summary is "sysconf" when every known level came from one source, else level=source pairs.
func (ci cacheInfo) summary() string {
	first, uniform := "", true
	for _, s := range ci.source {
		if s == "" {
			continue
		}
		if first != "" && s != first {
			uniform = false
		}
		if first == "" {
			first = s
		}
	}
	if first == "" {
		return "none"
	}
	if uniform {
		return first
	}
	parts := make([]string, 3)
	for l := range parts {
		s := ci.source[l]
		if s == "" {
			s = "none"
		}
		parts[l] = levelNames[l] + "=" + s
	}
	return strings.Join(parts, ",")
}
