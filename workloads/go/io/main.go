// Command io is the Go twin of workloads/io.c: a loopback TCP server and a closed-loop
// load generator in one process, doing the same work per request, so that Go's own
// profiler is measured on the same service as ours.
//
//	go-io [--connections C] [--requests R] [--work N] [--think-us U] [--timeout-s S]
//	      [--sampler go-pprof --hz N --profile-out F]
//
// Each of C connections has one request in flight at a time: 16 bytes {id, seed}
// (little-endian). The server does N rounds of xorshift mixing on the seed and answers
// {id, result}; the client checks the answer, records the latency and waits U
// microseconds before the next request. Where io.c multiplexes with epoll by hand, the
// twin is written the way Go programs are: a goroutine per connection on each side, with
// the runtime's netpoller underneath. Throughput is completed requests per second.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"hzprof/workloads/go/internal/run"
)

const prog = "go-io"

//go:noinline
func requestWork(seed uint64, rounds uint64) uint64 {
	x := seed | 1
	for i := uint64(0); i < rounds; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func serve(c net.Conn, work uint64) {
	defer c.Close()
	var buf [16]byte
	for {
		if _, err := io.ReadFull(c, buf[:]); err != nil {
			return
		}
		v := requestWork(binary.LittleEndian.Uint64(buf[8:]), work)
		binary.LittleEndian.PutUint64(buf[8:], v)
		if _, err := c.Write(buf[:]); err != nil {
			return
		}
	}
}

type load struct {
	requests, work   uint64
	think            time.Duration
	deadline         time.Time
	issued           uint64 // atomic: request ids handed out
	completed, wrong uint64 // atomic
	lost             uint64 // atomic
	mu               sync.Mutex
	latenciesUs      []float64
}

// client runs one connection's closed loop until the requests are all issued.
func (l *load) client(c net.Conn) {
	defer c.Close()
	var buf [16]byte
	lat := make([]float64, 0, 1024)
	for {
		id := atomic.AddUint64(&l.issued, 1) - 1
		if id >= l.requests {
			break
		}
		seed := 0x9e3779b97f4a7c15 * (id + 1)
		expected := requestWork(seed, l.work)
		binary.LittleEndian.PutUint64(buf[:8], id)
		binary.LittleEndian.PutUint64(buf[8:], seed)
		c.SetDeadline(l.deadline)
		sent := time.Now()
		if _, err := c.Write(buf[:]); err != nil {
			atomic.AddUint64(&l.lost, 1)
			break
		}
		if _, err := io.ReadFull(c, buf[:]); err != nil {
			atomic.AddUint64(&l.lost, 1)
			break
		}
		if binary.LittleEndian.Uint64(buf[:8]) != id || binary.LittleEndian.Uint64(buf[8:]) != expected {
			atomic.AddUint64(&l.wrong, 1)
		} else {
			lat = append(lat, float64(time.Since(sent).Nanoseconds())/1e3)
			atomic.AddUint64(&l.completed, 1)
		}
		if l.think > 0 {
			time.Sleep(l.think)
		}
	}
	l.mu.Lock()
	l.latenciesUs = append(l.latenciesUs, lat...)
	l.mu.Unlock()
}

func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q * float64(len(sorted)-1))
	return sorted[k]
}

func usage() {
	fmt.Print(`usage: go-io [--connections C] [--requests R] [--work N] [--think-us U]
             [--timeout-s S] [profiling flags]

The Go twin of io: a loopback TCP service under closed-loop load; prints one JSON
object. Throughput in requests/s.
  --connections C  concurrent connections, one request in flight each (default 16)
  --requests R     requests in total (default 20000)
  --work N         rounds of integer mixing per request on the server (default 2000)
  --think-us U     client think time between requests, in µs (default 0)
  --timeout-s S    give up after S seconds; unanswered requests are lost (default 120)

` + run.Usage)
}

func main() {
	var opts run.Options
	var conns, requests, work, thinkUs, timeoutS uint64 = 16, 20000, 2000, 0, 120
	run.ParseArgs(prog, os.Args, &opts, usage, func(flag, value string) bool {
		var target *uint64
		var lo, hi uint64
		switch flag {
		case "--connections":
			target, lo, hi = &conns, 1, 1024
		case "--requests":
			target, lo, hi = &requests, 1, 100000000
		case "--work":
			target, lo, hi = &work, 0, 100000000
		case "--think-us":
			target, lo, hi = &thinkUs, 0, 10000000
		case "--timeout-s":
			target, lo, hi = &timeoutS, 1, 86400
		default:
			return false
		}
		*target = run.ParseUint(prog, flag, value, lo, hi)
		return true
	})

	r := run.New("io", opts)
	r.Params["connections"] = conns
	r.Params["requests"] = requests
	r.Params["work"] = work
	r.Params["think_us"] = thinkUs
	r.Params["timeout_s"] = timeoutS

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		run.Fail(prog, 1, "cannot listen on 127.0.0.1: %v", err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, work)
		}
	}()
	clients := make([]net.Conn, conns)
	for i := range clients {
		if clients[i], err = net.Dial("tcp", ln.Addr().String()); err != nil {
			run.Fail(prog, 1, "connect: %v", err)
		}
	}

	l := &load{requests: requests, work: work, think: time.Duration(thinkUs) * time.Microsecond,
		latenciesUs: make([]float64, 0, requests)}
	r.Begin()
	l.deadline = time.Now().Add(time.Duration(timeoutS) * time.Second)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			l.client(c)
		}(c)
	}
	wg.Wait()
	r.End(float64(l.completed), "requests/s")
	ln.Close()

	sort.Float64s(l.latenciesUs)
	r.Result["completed"] = l.completed
	r.Result["lost"] = l.lost
	r.Result["wrong"] = l.wrong
	maxUs := 0.0
	if n := len(l.latenciesUs); n > 0 {
		maxUs = l.latenciesUs[n-1]
	}
	r.Result["latency_us"] = map[string]float64{"p50": percentile(l.latenciesUs, 0.50),
		"p99": percentile(l.latenciesUs, 0.99), "p99.9": percentile(l.latenciesUs, 0.999),
		"max": maxUs}
	ok := l.lost == 0 && l.wrong == 0 && l.completed == requests
	errorText := ""
	if !ok {
		errorText = "requests lost or answered wrongly"
	}
	os.Exit(r.Finish(ok, errorText))
}
