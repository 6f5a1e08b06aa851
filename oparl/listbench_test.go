package oparl_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// BenchmarkUncachedLists requests random pages of the ten external lists of
// an existing (large) dataset straight from the OParl server — no response
// cache — with 32 concurrent clients over real HTTP with gzip, and reports
// pages/s, p50 and p99. The dataset is only read, never migrated or written:
//
//	RATSNETZ_OPARL_BENCH_SQLITE    SQLite file, e.g. /tmp/ratsnetz-bench/data-sqlite/ratsnetz.db
//	RATSNETZ_OPARL_BENCH_POSTGRES  PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/ratsnetz_bench?sslmode=disable
//	RATSNETZ_OPARL_BENCH_RATE      optional: open loop at this many pages/s instead of 32 clients
//
// Sub-benchmarks: "crawl" draws the list of each request with the weight of
// its page count (what a harvester walking every list requests), "equal"
// draws the ten lists equally often, and one per list type.
//
//	go test ./oparl -run '^$' -bench UncachedLists -benchtime 2000x
func BenchmarkUncachedLists(b *testing.B) {
	ctx := context.Background()
	type target struct {
		name string
		open func() (*sqlstore.DB, error)
	}
	var targets []target
	if p := os.Getenv("RATSNETZ_OPARL_BENCH_SQLITE"); p != "" {
		targets = append(targets, target{"sqlite", func() (*sqlstore.DB, error) { return sqlite.Open(ctx, p) }})
	}
	if u := os.Getenv("RATSNETZ_OPARL_BENCH_POSTGRES"); u != "" {
		// The application name finds this benchmark's backends, whose
		// CPU time is reported as pg-cpu-ms/page.
		if !strings.Contains(u, "application_name=") {
			if strings.Contains(u, "?") {
				u += "&application_name=" + benchAppName
			} else {
				u += "?application_name=" + benchAppName
			}
		}
		targets = append(targets, target{"postgres", func() (*sqlstore.DB, error) { return postgres.Open(ctx, u) }})
	}
	if len(targets) == 0 {
		b.Skip("set RATSNETZ_OPARL_BENCH_SQLITE and/or RATSNETZ_OPARL_BENCH_POSTGRES to an existing dataset")
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			db, err := tg.open()
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			benchLists(b, db)
		})
	}
}

// benchList is one external list with keyset cursors spread over it.
type benchList struct {
	name    string
	cursors []int64 // "after" values; 0 = first page
	weight  int
}

func benchLists(b *testing.B, db *sqlstore.DB) {
	ctx := context.Background()
	bodies, _, err := db.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil || len(bodies) == 0 {
		b.Fatalf("bodies: %v (%d)", err, len(bodies))
	}
	bodyID := bodies[0].ID // the city: the big body
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := oparl.Config{Store: db, BaseURL: srv.URL}
	if os.Getenv("RATSNETZ_OPARL_BENCH_DOCS") != "" {
		// Stored documents (a migrated copy: they are written into it). A
		// fixed base URL so that one build serves every later run.
		cfg.Build, cfg.BaseURL = "bench", "http://127.0.0.1:1"
	}
	api := oparl.NewServer(cfg)
	if cfg.Build != "" {
		start, cpu0 := time.Now(), cpuTime()
		st, err := api.BuildDocs(ctx)
		if err != nil {
			b.Fatalf("build stored documents: %v", err)
		}
		if len(st.Kinds) > 0 {
			b.Logf("stored documents built: %v, %d objects, %.1f MB JSON, %.1f MB stored, %v wall, %.1f s CPU",
				st.Kinds, st.Objects, float64(st.JSONBytes)/1e6, float64(st.Bytes)/1e6, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu0).Seconds())
		}
	}
	mux.Handle("/oparl/", api.Handler())
	base := srv.URL + "/oparl/v1.1/body/" + strconv.FormatInt(bodyID, 10) + "/"

	// Cursors: every 100th ID of each list, straight from the tables (an
	// "after" need not be a visible object; the page starts behind it).
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	body := strconv.FormatInt(bodyID, 10)
	queries := []struct{ name, sql string }{
		{"organization", "SELECT id FROM organizations WHERE body_id = " + body},
		{"person", "SELECT id FROM persons WHERE body_id = " + body},
		{"meeting", "SELECT id FROM meetings WHERE body_id = " + body},
		{"paper", "SELECT id FROM papers WHERE body_id = " + body},
		{"agendaitem", "SELECT a.id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id WHERE m.body_id = " + body},
		{"consultation", "SELECT c.id FROM consultations c JOIN papers p ON p.id = c.paper_id WHERE p.body_id = " + body},
		{"file", "SELECT id FROM files WHERE body_id = " + body},
		{"location", "SELECT id FROM locations WHERE body_id = " + body},
		{"legislativeterm", "SELECT id FROM legislative_terms WHERE body_id = " + body},
		{"membership", "SELECT m.id FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.body_id = " + body},
	}
	var lists []benchList
	for _, q := range queries {
		ids := tableIDs(b, db, q.sql+" ORDER BY 1")
		l := benchList{name: q.name, cursors: []int64{0}}
		for i := 99; i < len(ids)-1; i += 100 {
			l.cursors = append(l.cursors, ids[i])
		}
		l.weight = len(l.cursors)
		lists = append(lists, l)
	}
	// RATSNETZ_OPARL_BENCH_RATE (pages/s) switches from 32 closed-loop
	// clients to an open loop at that arrival rate: "p99 at 300 pages/s".
	// With 32 closed-loop clients the mean latency is 32/throughput by
	// construction (Little's law), so their p99 says more about the
	// client count than about a page.
	rate, _ := strconv.ParseFloat(os.Getenv("RATSNETZ_OPARL_BENCH_RATE"), 64)
	run := func(b *testing.B, pick func(*rand.Rand) (benchList, int64)) {
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
		var mu sync.Mutex
		var lat []time.Duration
		var bytes int64
		b.ResetTimer()
		pg0 := backendCPU(db)
		cpu0 := cpuTime()
		start := time.Now()
		fetch := func(rng *rand.Rand) (int64, bool) {
			l, after := pick(rng)
			u := base + l.name
			if after > 0 {
				u += "?after=" + strconv.FormatInt(after, 10)
			}
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return 0, false
			}
			k, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("%s: %d", u, resp.StatusCode)
				return 0, false
			}
			return k, true
		}
		if rate > 0 {
			// Open loop: request i is due at start + i/rate, whatever
			// the answers before it; its latency counts from when it was
			// due (no coordinated omission).
			var wg sync.WaitGroup
			interval := time.Duration(float64(time.Second) / rate)
			for i := range b.N {
				due := start.Add(time.Duration(i) * interval)
				time.Sleep(time.Until(due))
				wg.Add(1)
				go func(seed uint64) {
					defer wg.Done()
					k, ok := fetch(rand.New(rand.NewPCG(seed, seed+1)))
					d := time.Since(due)
					if ok {
						mu.Lock()
						lat = append(lat, d)
						bytes += k
						mu.Unlock()
					}
				}(rand.Uint64())
			}
			wg.Wait()
		} else {
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
				var mine []time.Duration
				var n int64
				for pb.Next() {
					t := time.Now()
					k, ok := fetch(rng)
					if !ok {
						return
					}
					mine = append(mine, time.Since(t))
					n += k
				}
				mu.Lock()
				lat = append(lat, mine...)
				bytes += n
				mu.Unlock()
			})
		}
		elapsed := time.Since(start)
		cpu := cpuTime() - cpu0
		b.StopTimer()
		pg1 := backendCPU(db)
		if len(lat) == 0 {
			return
		}
		slices.Sort(lat)
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "pages/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(bytes)/float64(len(lat))/1024, "KiB/page")
		// CPU time of the whole process (server, store, client) per page:
		// the load-independent measure; pages/s on an idle machine is
		// about GOMAXPROCS*1000/cpu-ms.
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/page")
		if pg1 != nil {
			// CPU time of the PostgreSQL backends serving this run (same
			// machine, /proc), per page: the database's share, which
			// cpu-ms/page does not contain.
			var d time.Duration
			for pid, t := range pg1 {
				d += t - pg0[pid]
			}
			b.ReportMetric(float64(d.Microseconds())/1000/float64(len(lat)), "pg-cpu-ms/page")
		}
	}
	total := 0
	for _, l := range lists {
		total += l.weight
	}
	b.Run("crawl", func(b *testing.B) {
		run(b, func(rng *rand.Rand) (benchList, int64) {
			n := rng.IntN(total)
			for _, l := range lists {
				if n < l.weight {
					return l, l.cursors[rng.IntN(len(l.cursors))]
				}
				n -= l.weight
			}
			panic("unreachable")
		})
	})
	b.Run("equal", func(b *testing.B) {
		run(b, func(rng *rand.Rand) (benchList, int64) {
			l := lists[rng.IntN(len(lists))]
			return l, l.cursors[rng.IntN(len(l.cursors))]
		})
	})
	for _, l := range lists {
		b.Run(fmt.Sprintf("%s-%dpages", l.name, len(l.cursors)), func(b *testing.B) {
			run(b, func(rng *rand.Rand) (benchList, int64) { return l, l.cursors[rng.IntN(len(l.cursors))] })
		})
	}
}

// cpuTime is the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tableIDs returns the IDs q selects.
func tableIDs(tb testing.TB, db *sqlstore.DB, q string) []int64 {
	tb.Helper()
	rows, err := db.ReadDB().Query(q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// benchAppName is the application_name of the benchmark's PostgreSQL
// connections.
const benchAppName = "ratsnetz-oparl-bench"

// backendCPU returns the CPU time (user+system) of each PostgreSQL backend
// of this benchmark by process ID, read from /proc (the server runs on the
// same machine); nil for SQLite or when /proc is not readable.
func backendCPU(db *sqlstore.DB) map[int]time.Duration {
	if db.Dialect().Name != "postgres" {
		return nil
	}
	rows, err := db.ReadDB().Query("SELECT pid FROM pg_stat_activity WHERE application_name = '" + benchAppName + "'")
	if err != nil {
		return nil
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return nil
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return nil
		}
		// Fields after the command name "(…)": state is field 3, utime
		// and stime are fields 14 and 15, in clock ticks (100 per second).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}
