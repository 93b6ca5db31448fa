// Package run is what the Go twins of the C workloads share: the profiling flags, Go's
// own CPU profiler (runtime/pprof) around the measured region, and the one JSON object a
// run prints on stdout — the same schema as workloads/common.h ("hzprof.workload/1"), so
// `hzprof bench` reads a Go twin's result exactly as it reads a C workload's.
//
// Profiling: --sampler go-pprof turns Go's profiler on; --hz sets its rate with
// runtime.SetCPUProfileRate before pprof.StartCPUProfile (which asks for 100 Hz: the
// runtime then prints "cannot set cpu profile rate until previous profile has finished"
// on stderr and keeps our rate — the documented way to change the rate in Go 1.19). The
// profile's "cpu" values are scaled for 100 Hz in that case; its sample counts are right,
// and the counts are what the harness reads. The profile is written to --profile-out, or
// discarded.
//
// Hardware counters are not measured by the twins: the JSON has no "counters" object.
package run

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"
)

// Options are the profiling flags.
type Options struct {
	Sampler    string
	Hz         int
	ProfileOut string
}

// ParseFlag consumes a profiling flag at args[*i]: true if it was one. Bad values exit 2.
func (o *Options) ParseFlag(prog string, args []string, i *int) bool {
	flag := args[*i]
	if flag != "--sampler" && flag != "--hz" && flag != "--profile-out" {
		return false
	}
	if *i+1 >= len(args) {
		Fail(prog, 2, "%s needs a value", flag)
	}
	*i++
	value := args[*i]
	switch flag {
	case "--sampler":
		if value != "go-pprof" {
			Fail(prog, 2, "--sampler: '%s' is not go-pprof (the Go twins run Go's own profiler)", value)
		}
		o.Sampler = value
	case "--hz":
		o.Hz = int(ParseUint(prog, flag, value, 1, 1000000))
	case "--profile-out":
		o.ProfileOut = value
	}
	return true
}

// ParseArgs reads the command line: profiling flags into o, --help (prints usage, exits
// 0), and every other flag with its value through set, which reports whether it knew the
// flag. An unknown flag or a missing value exits 2 with one line.
func ParseArgs(prog string, args []string, o *Options, usage func(), set func(flag, value string) bool) {
	for i := 1; i < len(args); i++ {
		if o.ParseFlag(prog, args, &i) {
			continue
		}
		a := args[i]
		if a == "--help" || a == "-h" {
			usage()
			os.Exit(0)
		}
		if i+1 >= len(args) || !set(a, args[i+1]) {
			Fail(prog, 2, "unknown or incomplete option '%s'; see --help", a)
		}
		i++
	}
}

// Usage is the help text of the profiling flags.
const Usage = `Profiling (off unless --sampler is given):
  --sampler go-pprof  Go's runtime/pprof CPU profiler
  --hz N              sampling rate (default 100), set with runtime.SetCPUProfileRate
  --profile-out F     write the pprof profile (.pb.gz) to F
`

// Fail prints "PROG: message" on stderr and exits with status.
func Fail(prog string, status int, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", prog, fmt.Sprintf(format, args...))
	os.Exit(status)
}

// ParseUint parses a flag's integer value in lo..hi, or exits 2 with a message.
func ParseUint(prog, flag, text string, lo, hi uint64) uint64 {
	v, err := strconv.ParseUint(text, 10, 64)
	if err != nil || v < lo || v > hi {
		Fail(prog, 2, "%s: '%s' is not an integer in %d..%d", flag, text, lo, hi)
	}
	return v
}

type profiling struct {
	Enabled    bool   `json:"enabled"`
	Sampler    string `json:"sampler,omitempty"`
	Hz         int    `json:"hz,omitempty"`
	ProfileOut string `json:"profile_out,omitempty"`
	Error      string `json:"error,omitempty"`
}

type measured struct {
	WallSeconds   float64 `json:"wall_seconds"`
	UserSeconds   float64 `json:"user_seconds"`
	SystemSeconds float64 `json:"system_seconds"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	Work          float64 `json:"work"`
	Throughput    float64 `json:"throughput"`
	Unit          string  `json:"unit"`
}

type document struct {
	Schema    string                 `json:"schema"`
	Workload  string                 `json:"workload"`
	Twin      string                 `json:"twin"`
	GoVersion string                 `json:"go_version"`
	Params    map[string]interface{} `json:"params"`
	Profiling profiling              `json:"profiling"`
	Measured  *measured              `json:"measured,omitempty"`
	Result    map[string]interface{} `json:"result"`
	OK        bool                   `json:"ok"`
	Error     string                 `json:"error,omitempty"`
}

// Run is one run of a twin: its JSON document and measurement.
type Run struct {
	Params  map[string]interface{}
	Result  map[string]interface{}
	doc     document
	opts    Options
	out     io.WriteCloser
	started time.Time
	user0   time.Duration
	sys0    time.Duration
}

// New starts a run of the named workload.
func New(workload string, o Options) *Run {
	r := &Run{Params: map[string]interface{}{}, Result: map[string]interface{}{}, opts: o}
	r.doc = document{Schema: "hzprof.workload/1", Workload: workload, Twin: "go",
		GoVersion: runtime.Version()}
	return r
}

func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

// Begin starts the profiler (if asked) and the measurement. If the profiler cannot
// start, it prints the JSON with the error and exits 3, like the C workloads.
func (r *Run) Begin() {
	if r.opts.Sampler != "" {
		hz := r.opts.Hz
		if hz == 0 {
			hz = 100
		}
		r.doc.Profiling = profiling{Enabled: true, Sampler: r.opts.Sampler, Hz: hz,
			ProfileOut: r.opts.ProfileOut}
		r.out = discard{}
		if r.opts.ProfileOut != "" {
			f, err := os.Create(r.opts.ProfileOut)
			if err != nil {
				r.abort(3, err.Error())
			}
			r.out = f
		}
		if hz != 100 {
			runtime.SetCPUProfileRate(hz)
		}
		if err := pprof.StartCPUProfile(r.out); err != nil {
			r.abort(3, err.Error())
		}
	}
	r.user0, r.sys0 = cpuTimes()
	r.started = time.Now()
}

func (r *Run) abort(status int, msg string) {
	r.doc.Profiling.Enabled = false
	r.doc.Profiling.Error = msg
	r.doc.Error = msg
	r.Finish(false, msg)
	os.Exit(status)
}

// End stops the measurement and the profiler (which then writes the profile);
// throughput is work per wall-second of the measured region.
func (r *Run) End(work float64, unit string) {
	wall := time.Since(r.started).Seconds()
	user, sys := cpuTimes()
	u, s := (user - r.user0).Seconds(), (sys - r.sys0).Seconds()
	m := &measured{WallSeconds: wall, UserSeconds: u, SystemSeconds: s, CPUSeconds: u + s,
		Work: work, Unit: unit}
	if wall > 0 {
		m.Throughput = work / wall
	}
	r.doc.Measured = m
	if r.opts.Sampler != "" {
		pprof.StopCPUProfile()
		if err := r.out.Close(); err != nil {
			r.doc.Profiling.Error = err.Error()
		}
	}
}

// Finish prints the JSON document on one line and returns the exit status (0 or 1).
func (r *Run) Finish(ok bool, errorText string) int {
	r.doc.Params = r.Params
	r.doc.Result = r.Result
	r.doc.OK = ok
	if errorText != "" {
		r.doc.Error = errorText
	}
	line, err := json.Marshal(r.doc)
	if err != nil {
		Fail(r.doc.Workload, 1, "cannot encode the result: %v", err)
	}
	os.Stdout.Write(append(line, '\n'))
	if ok {
		return 0
	}
	return 1
}
