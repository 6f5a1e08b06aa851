package audit_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/audit"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

func openDB(t *testing.T) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestRecordAll: every event handed over from many goroutines is in the
// log after Close, also when the queue is tiny (overflow writes directly).
func TestRecordAll(t *testing.T) {
	db := openDB(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	r := audit.New(db, nil, func() time.Time { return now }, 2)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				r.Record(context.Background(), ratsnetz.AuditEvent{AccountID: int64(g + 1), Action: ratsnetz.AuditAccess, ObjectKind: "file", ObjectID: int64(i)})
			}
		}()
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r.Record(context.Background(), ratsnetz.AuditEvent{Action: ratsnetz.AuditLogout}) // after Close: still written
	evs, n, err := db.FindAuditEvents(context.Background(), ratsnetz.AuditFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true, Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 101 {
		t.Errorf("%d events, want 101", n)
	}
	for _, e := range evs {
		if !e.Time.Equal(now) {
			t.Errorf("event time %v, want %v", e.Time, now)
			break
		}
	}
}

func TestPurge(t *testing.T) {
	db := openDB(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	r := audit.New(db, nil, func() time.Time { return now }, 10)
	defer r.Close()
	ctx := context.Background()
	for _, age := range []time.Duration{400 * 24 * time.Hour, 366 * 24 * time.Hour, 364 * 24 * time.Hour, time.Hour} {
		if err := db.AppendAudit(ctx, &ratsnetz.AuditEvent{Time: now.Add(-age), Action: ratsnetz.AuditLogin}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := r.Purge(ctx, 365*24*time.Hour)
	if err != nil || n != 2 {
		t.Errorf("Purge = %d, %v; want 2", n, err)
	}
}

// TestRetention: the schedule purges at start and at every tick of the
// injected timer, with the recorder's injected clock deciding what is
// older than Keep; Stop ends the goroutine (and -race sees no leak).
func TestRetention(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	for _, at := range []time.Time{now.AddDate(-2, 0, 0), now.AddDate(0, -6, 0), now.AddDate(0, 0, -1)} {
		if err := db.AppendAudit(ctx, &ratsnetz.AuditEvent{Time: at, Action: ratsnetz.AuditLogin}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		_, n, err := db.FindAuditEvents(ctx, ratsnetz.AuditFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true, Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rec := audit.New(db, nil, clock, 8)
	defer rec.Close()
	tick := make(chan time.Time)
	purged := make(chan int64)
	var intervals []time.Duration
	ret := &audit.Retention{Recorder: rec, Keep: 365 * 24 * time.Hour, Interval: 24 * time.Hour,
		After: func(d time.Duration) <-chan time.Time {
			mu.Lock()
			intervals = append(intervals, d)
			mu.Unlock()
			return tick
		},
		Purged: func(n int64, err error) {
			if err != nil {
				t.Error(err)
			}
			purged <- n
		}}
	ret.Start()
	if n := <-purged; n != 1 || count() != 2 {
		t.Fatalf("first purge deleted %d, %d left; want 1, 2", n, count())
	}
	// Seven months later the half-year-old event is due.
	mu.Lock()
	now = now.AddDate(0, 7, 0)
	mu.Unlock()
	tick <- now
	if n := <-purged; n != 1 || count() != 1 {
		t.Fatalf("second purge deleted %d, %d left; want 1, 1", n, count())
	}
	if err := ret.Stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(intervals) != 2 || intervals[0] != 24*time.Hour {
		t.Errorf("timer intervals %v", intervals)
	}
}
