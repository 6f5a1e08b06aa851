package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/jobs"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

func mustOpenDB(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ratsnetz.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestRunnerWakesAndCompletes(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	got := make(chan string, 10)
	r := &jobs.Runner{
		Queue:    db,
		Handlers: map[string]jobs.Handler{"mail": func(ctx context.Context, j *ratsnetz.Job) error { got <- string(j.Payload); return nil }},
		Poll:     time.Hour, // only Wake can make it run after the first poll
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	q := jobs.Queue{JobQueue: db, Runner: r}
	if err := q.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Payload: []byte("hallo")}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p != "hallo" {
			t.Errorf("payload %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job did not run after Wake")
	}
	// The job is completed: nothing is left.
	deadline := time.Now().Add(10 * time.Second)
	for {
		stats, err := db.FindJobStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still pending: %+v", stats)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

func TestRunnerRetriesWithBackoffAndDropsPermanent(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	db.Now = clock
	var calls atomic.Int32
	r := &jobs.Runner{
		Queue: db,
		Handlers: map[string]jobs.Handler{
			"flaky": func(ctx context.Context, j *ratsnetz.Job) error {
				if calls.Add(1) < 3 {
					return errors.New("smtp: connection refused")
				}
				return nil
			},
			"broken": func(ctx context.Context, j *ratsnetz.Job) error { return jobs.Permanent(errors.New("bad payload")) },
			"panics": func(ctx context.Context, j *ratsnetz.Job) error { panic("boom") },
		},
		Backoff:    10 * time.Second,
		MaxBackoff: time.Minute,
		Now:        clock,
	}
	if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "flaky"}, ratsnetz.NewJob{Kind: "broken"}, ratsnetz.NewJob{Kind: "panics"}); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RunOnce(ctx); err != nil || n != 3 {
		t.Fatalf("first run: %d, %v", n, err)
	}
	// The flaky job failed once: it is back in ~10 s, not before.
	now.Add(int64(8 * time.Second))
	if n, _ := r.RunOnce(ctx); n != 0 {
		t.Fatalf("ran %d jobs before the backoff", n)
	}
	now.Add(int64(4 * time.Second))
	if n, _ := r.RunOnce(ctx); n != 2 { // flaky (attempt 2) and panics (attempt 2)
		t.Fatalf("second run: %d jobs, want 2", n)
	}
	// Second failure: ~20 s.
	now.Add(int64(17 * time.Second))
	if n, _ := r.RunOnce(ctx); n != 0 {
		t.Fatalf("ran %d jobs before the doubled backoff", n)
	}
	now.Add(int64(6 * time.Second))
	if n, _ := r.RunOnce(ctx); n != 2 {
		t.Fatalf("third run: %d, want 2", n)
	}
	if calls.Load() != 3 {
		t.Errorf("flaky ran %d times, want 3", calls.Load())
	}
	stats, err := db.FindJobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Kind != "panics" {
		t.Errorf("pending %+v, want only the panicking job (flaky done, broken dropped)", stats)
	}
}

func TestBackoffCapped(t *testing.T) {
	r := &jobs.Runner{Backoff: time.Second, MaxBackoff: 30 * time.Second}
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {5, 16 * time.Second}, {6, 30 * time.Second}, {60, 30 * time.Second}} {
		got := r.BackoffFor(tc.attempt)
		if got < tc.want*9/10 || got > tc.want*11/10 {
			t.Errorf("attempt %d: %v, want %v ±10 %%", tc.attempt, got, tc.want)
		}
	}
}

func TestConcurrencyBoundAndCloseWaits(t *testing.T) {
	ctx := context.Background()
	db := mustOpenDB(t)
	release := make(chan struct{})
	var running, peak atomic.Int32
	var mu sync.Mutex
	done := 0
	r := &jobs.Runner{
		Queue:       db,
		Concurrency: 3,
		Handlers: map[string]jobs.Handler{"slow": func(ctx context.Context, j *ratsnetz.Job) error {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-release
			running.Add(-1)
			mu.Lock()
			done++
			mu.Unlock()
			return nil
		}},
	}
	var js []ratsnetz.NewJob
	for range 10 {
		js = append(js, ratsnetz.NewJob{Kind: "slow"})
	}
	if err := db.EnqueueJobs(ctx, js...); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for running.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("three jobs did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while jobs were running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-closed
	if peak.Load() != 3 {
		t.Errorf("peak concurrency %d, want 3", peak.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	stats, _ := db.FindJobStats(ctx)
	if done < 3 || len(stats) != 1 || stats[0].Pending != 10-done {
		t.Errorf("done %d, pending %+v: every job is either done or still pending", done, stats)
	}
}
