// Package bench is an HTTP load generator for Ratsnetz' speed targets: it
// drives a running server with concurrent clients for a fixed time and
// reports requests per second, latency percentiles and the server's peak
// memory. Numbers come from benchmarks like this one, never from timed
// assertions in unit tests.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Target is one kind of request to measure. Path may contain "{id}", which
// is replaced by a random ID from IDs for each request.
type Target struct {
	Name string
	Path string
	IDs  []int64
}

// Options configure a run.
type Options struct {
	BaseURL     string
	Concurrency int
	Duration    time.Duration
	// Warmup requests are sent before measuring, so caches are in steady state.
	Warmup time.Duration
	// PID of the server process, for its peak resident memory (VmHWM); 0 skips it.
	PID    int
	Client *http.Client
	Seed   uint64
}

// Result is the outcome for one target.
type Result struct {
	Name      string
	Requests  int
	Errors    int // transport errors and status >= 500
	NotOK     int // status other than 200/304 (404 for non-public IDs, say)
	Bytes     int64
	Elapsed   time.Duration
	P50, P90  time.Duration
	P99, Max  time.Duration
	PeakRSSKB int64
}

// RPS is requests per second.
func (r Result) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// AvgBytes is the mean response size.
func (r Result) AvgBytes() int64 {
	if r.Requests == 0 {
		return 0
	}
	return r.Bytes / int64(r.Requests)
}

// String formats the result as one table row.
func (r Result) String() string {
	return fmt.Sprintf("%-28s %8.0f req/s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  n=%d  non-200=%d  errors=%d  avg %d B  peak RSS %d MB",
		r.Name, r.RPS(), ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Requests, r.NotOK, r.Errors, r.AvgBytes(), r.PeakRSSKB/1024)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run measures one target.
func Run(ctx context.Context, opts Options, t Target) (Result, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	client := opts.Client
	if client == nil {
		tr := &http.Transport{MaxIdleConns: opts.Concurrency * 2, MaxIdleConnsPerHost: opts.Concurrency * 2, DisableCompression: true}
		client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	if strings.Contains(t.Path, "{id}") && len(t.IDs) == 0 {
		return Result{}, fmt.Errorf("target %s: path has {id} but no IDs", t.Name)
	}
	if opts.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, opts.Warmup)
		drive(wctx, client, opts, t, nil)
		cancel()
	}
	rctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	start := time.Now()
	var res Result
	lat := drive(rctx, client, opts, t, &res)
	res.Elapsed = time.Since(start)
	res.Name = t.Name
	if len(lat) == 0 {
		return res, fmt.Errorf("target %s: no request completed", t.Name)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	res.P50, res.P90, res.P99, res.Max = pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1]
	if opts.PID > 0 {
		res.PeakRSSKB, _ = PeakRSSKB(opts.PID)
	}
	return res, nil
}

// drive runs the clients until ctx ends and returns all latencies.
func drive(ctx context.Context, client *http.Client, opts Options, t Target, res *Result) []time.Duration {
	var (
		mu  sync.Mutex
		all []time.Duration
		wg  sync.WaitGroup
	)
	for w := range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(opts.Seed, uint64(w)))
			var local []time.Duration
			var n, errs, notOK int
			var bytes int64
			for ctx.Err() == nil {
				path := t.Path
				if len(t.IDs) > 0 {
					path = strings.ReplaceAll(path, "{id}", strconv.FormatInt(t.IDs[rng.IntN(len(t.IDs))], 10))
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.BaseURL+path, nil)
				if err != nil {
					errs++
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs++
					}
					continue
				}
				nb, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if ctx.Err() != nil {
					break // cut off by the deadline: not a full sample
				}
				local = append(local, time.Since(t0))
				n++
				bytes += nb
				switch {
				case resp.StatusCode >= 500:
					errs++
				case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified:
					notOK++
				}
			}
			mu.Lock()
			all = append(all, local...)
			if res != nil {
				res.Requests += n
				res.Errors += errs
				res.NotOK += notOK
				res.Bytes += bytes
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

// PeakRSSKB reads the peak resident set size (VmHWM) of a Linux process.
func PeakRSSKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

// ProcessCPU reads the CPU time (user + system) a Linux process has used so
// far, from /proc/<pid>/stat.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name in parentheses (which may contain
	// spaces): utime and stime are the 14th and 15th of the whole line, in
	// clock ticks (100 per second on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return time.Duration(u+st) * 10 * time.Millisecond, nil
}
