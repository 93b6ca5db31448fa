// Command matmul is the Go twin of workloads/matmul.c: the same C = A·B in float64,
// the same loop orders, sizes (--fit finds the cache sizes as the C matmul does: caches.go), matrices and
// exact Freivalds check, so that Go's own profiler is measured on the same work as ours.
//
//	go-matmul [--order ijk|ikj|blocked] [--n N | --fit l1|l2|llc|dram] [--reps R]
//	          [--tile T] [--threads T] [--sampler go-pprof --hz N --profile-out F]
//
// Threads split the rows of C, one goroutine each (GOMAXPROCS is Go's default).
// Throughput: GFLOP/s = 2·N³·R / wall seconds of the measured region.
package main

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"hzprof/workloads/go/internal/run"
)

const prog = "go-matmul"

type job struct {
	a, b, c                   []float64
	n, rowBegin, rowEnd, tile int
	reps                      int
	order                     string
}

//go:noinline
func multiplyIJK(j *job) {
	n := j.n
	for i := j.rowBegin; i < j.rowEnd; i++ {
		for k2 := 0; k2 < n; k2++ {
			sum := 0.0
			for k := 0; k < n; k++ {
				sum += j.a[i*n+k] * j.b[k*n+k2]
			}
			j.c[i*n+k2] = sum
		}
	}
}

//go:noinline
func multiplyIKJ(j *job) {
	n := j.n
	for i := j.rowBegin; i < j.rowEnd; i++ {
		ci := j.c[i*n : i*n+n]
		for x := range ci {
			ci[x] = 0
		}
		for k := 0; k < n; k++ {
			aik := j.a[i*n+k]
			bk := j.b[k*n : k*n+n]
			for x, b := range bk {
				ci[x] += aik * b
			}
		}
	}
}

//go:noinline
func multiplyBlocked(j *job) {
	n, t := j.n, j.tile
	for i := j.rowBegin; i < j.rowEnd; i++ {
		for x := 0; x < n; x++ {
			j.c[i*n+x] = 0
		}
	}
	for ii := j.rowBegin; ii < j.rowEnd; ii += t {
		for kk := 0; kk < n; kk += t {
			for jj := 0; jj < n; jj += t {
				iend, kend, jend := min(ii+t, j.rowEnd), min(kk+t, n), min(jj+t, n)
				for i := ii; i < iend; i++ {
					for k := kk; k < kend; k++ {
						aik := j.a[i*n+k]
						for x := jj; x < jend; x++ {
							j.c[i*n+x] += aik * j.b[k*n+x]
						}
					}
				}
			}
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func runJob(j *job) {
	for r := 0; r < j.reps; r++ {
		switch j.order {
		case "ijk":
			multiplyIJK(j)
		case "ikj":
			multiplyIKJ(j)
		default:
			multiplyBlocked(j)
		}
	}
}

// freivaldsMismatches counts the rows where C·x != A·(B·x); exact for small integers.
func freivaldsMismatches(a, b, c []float64, n int) int {
	x, bx := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(1 + (i*7+3)%5)
	}
	for i := 0; i < n; i++ {
		s := 0.0
		for k := 0; k < n; k++ {
			s += b[i*n+k] * x[k]
		}
		bx[i] = s
	}
	bad := 0
	for i := 0; i < n; i++ {
		lhs, rhs := 0.0, 0.0
		for k := 0; k < n; k++ {
			lhs += c[i*n+k] * x[k]
			rhs += a[i*n+k] * bx[k]
		}
		if lhs != rhs {
			bad++
		}
	}
	return bad
}

func usage() {
	fmt.Print(`usage: go-matmul [--order ijk|ikj|blocked] [--n N | --fit l1|l2|llc|dram] [--reps R]
                 [--tile T] [--threads T] [profiling flags]

The Go twin of matmul: C = A*B in float64; prints one JSON object. Throughput in GFLOP/s.
  --order O     loop order (default ikj)
  --n N         matrix size (default: --fit l2)
  --fit F       size so A, B, C fill 3/4 of L1d, L2 or the LLC, or 4x LLC (dram)
  --reps R      multiplications (default: about 1 GFLOP of work)
  --tile T      tile size for blocked (default 32)
  --threads T   goroutines splitting the rows (default 1)

` + run.Usage)
}

func main() {
	var opts run.Options
	order, fit := "ikj", ""
	var n, reps, tile, threads uint64 = 0, 0, 32, 1
	run.ParseArgs(prog, os.Args, &opts, usage, func(flag, v string) bool {
		switch flag {
		case "--order":
			if v != "ijk" && v != "ikj" && v != "blocked" {
				run.Fail(prog, 2, "--order: '%s' is not ijk, ikj or blocked", v)
			}
			order = v
		case "--fit":
			if v != "l1" && v != "l2" && v != "llc" && v != "dram" {
				run.Fail(prog, 2, "--fit: '%s' is not l1, l2, llc or dram", v)
			}
			fit = v
		case "--n":
			n = run.ParseUint(prog, flag, v, 2, 8192)
		case "--reps":
			reps = run.ParseUint(prog, flag, v, 1, 10000000)
		case "--tile":
			tile = run.ParseUint(prog, flag, v, 1, 4096)
		case "--threads":
			threads = run.ParseUint(prog, flag, v, 1, 256)
		default:
			return false
		}
		return true
	})
	if n != 0 && fit != "" {
		run.Fail(prog, 2, "--n and --fit exclude each other")
	}
	ci, err := readCaches()
	if err != nil {
		run.Fail(prog, 2, "%v", err)
	}
	l1, l2, l3 := ci.bytes[0], ci.bytes[1], ci.bytes[2]
	llc := l3
	if llc == 0 {
		llc = l2
	}
	if n == 0 {
		if fit == "" {
			fit = "l2"
		}
		bytes := map[string]uint64{"l1": l1 * 3 / 4, "l2": l2 * 3 / 4, "llc": llc * 3 / 4,
			"dram": llc * 4}[fit]
		if bytes == 0 {
			run.Fail(prog, 2, "--fit %s: cache size unknown (sources tried: %s); use --n", fit,
				os.Getenv("HZPROF_CACHE_SOURCES"))
		}
		n = 2
		for 3*(n+1)*(n+1)*8 <= bytes {
			n++
		}
	}
	if reps == 0 {
		reps = uint64(1e9 / (2.0 * float64(n) * float64(n) * float64(n)))
		if reps < 1 {
			reps = 1
		}
	}
	if threads > n {
		threads = n
	}

	r := run.New("matmul", opts)
	r.Params["order"] = order
	r.Params["n"] = n
	if fit != "" {
		r.Params["fit"] = fit
	}
	r.Params["reps"] = reps
	r.Params["tile"] = tile
	r.Params["threads"] = threads
	r.Params["working_set_bytes"] = 3 * n * n * 8
	caches := map[string]interface{}{"l1d": l1, "l2": l2, "l3": nil}
	if l3 != 0 {
		caches["l3"] = l3
	}
	r.Params["caches_bytes"] = caches
	r.Params["caches_source"] = ci.summary()
	if len(ci.rejected) > 0 {
		r.Params["caches_rejected"] = strings.Join(ci.rejected, "; ")
	}

	N := int(n)
	a, b, c := make([]float64, N*N), make([]float64, N*N), make([]float64, N*N)
	for i := range a { // small integers: exact products and sums
		a[i] = float64(int((uint64(i)*2654435761)%5) - 2)
		b[i] = float64(int((uint64(i)*40503+7)%5) - 2)
	}
	jobs := make([]job, threads)
	for t := range jobs {
		jobs[t] = job{a: a, b: b, c: c, n: N, rowBegin: N * t / int(threads),
			rowEnd: N * (t + 1) / int(threads), tile: int(tile), reps: int(reps), order: order}
	}

	r.Begin()
	if threads == 1 {
		runJob(&jobs[0])
	} else {
		var wg sync.WaitGroup
		for t := range jobs {
			wg.Add(1)
			go func(j *job) {
				defer wg.Done()
				runJob(j)
			}(&jobs[t])
		}
		wg.Wait()
	}
	r.End(2*float64(n)*float64(n)*float64(n)*float64(reps)/1e9, "GFLOP/s")

	bad := freivaldsMismatches(a, b, c, N)
	r.Result["verified"] = bad == 0
	r.Result["mismatched_rows"] = bad
	r.Result["check"] = "freivalds-exact"
	errorText := ""
	if bad != 0 {
		errorText = "result verification failed"
	}
	os.Exit(r.Finish(bad == 0, errorText))
}
