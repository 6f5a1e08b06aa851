package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testJobs checks the durable job queue (mail and other background work).
func testJobs(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	var clock atomic.Int64
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock.Store(start.UnixNano())
	db.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	claimAll := func(t *testing.T, kinds ...string) []*ratsnetz.Job {
		t.Helper()
		jobs, err := db.ClaimJobs(ctx, kinds, 1000, time.Minute)
		if err != nil {
			t.Fatalf("claim: %v", err)
		}
		return jobs
	}
	complete := func(t *testing.T, jobs []*ratsnetz.Job) {
		t.Helper()
		for _, j := range jobs {
			if err := db.CompleteJob(ctx, j.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Subtests run in order on one database; each leaves the queue empty.

	t.Run("EnqueueClaimComplete", func(t *testing.T) {
		if err := db.EnqueueJobs(ctx,
			ratsnetz.NewJob{Kind: "mail", Payload: []byte(`{"To":"a@example.org"}`)},
			ratsnetz.NewJob{Kind: "mail", Payload: []byte(`{"To":"b@example.org"}`)},
			ratsnetz.NewJob{Kind: "search.index", Payload: []byte(`1`)},
		); err != nil {
			t.Fatal(err)
		}
		got := claimAll(t, "mail")
		if len(got) != 2 || string(got[0].Payload) != `{"To":"a@example.org"}` || got[0].Attempts != 1 || got[0].Kind != "mail" {
			t.Fatalf("claimed %+v, want the two mails in order, attempt 1", got)
		}
		if again := claimAll(t, "mail"); len(again) != 0 {
			t.Errorf("leased jobs claimed again: %d", len(again))
		}
		complete(t, got)
		other := claimAll(t, "search.index", "mail")
		if len(other) != 1 || other[0].Kind != "search.index" {
			t.Fatalf("claimed %+v, want the search job only", other)
		}
		complete(t, other)
		// Completing twice is harmless (a late worker after a lease ran out).
		if err := db.CompleteJob(ctx, other[0].ID); err != nil {
			t.Errorf("second complete: %v", err)
		}
		advance(time.Hour)
		if left := claimAll(t, "mail", "search.index"); len(left) != 0 {
			t.Errorf("completed jobs came back: %d", len(left))
		}
	})

	t.Run("RunAt", func(t *testing.T) {
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", RunAt: db.Now().Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if got := claimAll(t, "mail"); len(got) != 0 {
			t.Fatalf("job claimed before its time")
		}
		advance(10 * time.Minute)
		got := claimAll(t, "mail")
		if len(got) != 1 || len(got[0].Payload) != 0 {
			t.Fatalf("claimed %+v, want the job with empty payload", got)
		}
		complete(t, got)
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		for range 3 {
			if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Key: "invitation-7-person-3", Payload: []byte("x")}); err != nil {
				t.Fatal(err)
			}
		}
		// The same key of another kind is another job.
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "search.index", Key: "invitation-7-person-3"}); err != nil {
			t.Fatal(err)
		}
		got := claimAll(t, "mail")
		if len(got) != 1 || got[0].Key != "invitation-7-person-3" {
			t.Fatalf("claimed %d jobs, want 1 with the key", len(got))
		}
		// While it is pending (even leased) the key still deduplicates.
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Key: "invitation-7-person-3"}); err != nil {
			t.Fatal(err)
		}
		complete(t, got)
		complete(t, claimAll(t, "search.index"))
		// Once done, the key may be used again.
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Key: "invitation-7-person-3"}); err != nil {
			t.Fatal(err)
		}
		again := claimAll(t, "mail")
		if len(again) != 1 {
			t.Fatalf("after completion: %d jobs, want 1", len(again))
		}
		complete(t, again)
	})

	t.Run("Retry", func(t *testing.T) {
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Payload: []byte("r")}); err != nil {
			t.Fatal(err)
		}
		got := claimAll(t, "mail")
		if len(got) != 1 {
			t.Fatalf("claimed %d", len(got))
		}
		if err := db.RetryJob(ctx, got[0].ID, db.Now().Add(30*time.Second), "smtp: connection refused"); err != nil {
			t.Fatal(err)
		}
		if early := claimAll(t, "mail"); len(early) != 0 {
			t.Fatal("retried job ran before its backoff")
		}
		advance(30 * time.Second)
		again := claimAll(t, "mail")
		if len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "smtp: connection refused" || string(again[0].Payload) != "r" {
			t.Fatalf("retry claimed %+v, want attempt 2 with the last error", again)
		}
		stats, err := db.FindJobStats(ctx)
		if err != nil || len(stats) != 1 || stats[0].Pending != 1 || stats[0].Failed != 1 {
			t.Errorf("stats %+v, %v; want one failed pending mail", stats, err)
		}
		complete(t, again)
	})

	t.Run("LeaseExpiry", func(t *testing.T) {
		if err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: "mail", Payload: []byte("l")}); err != nil {
			t.Fatal(err)
		}
		first := claimAll(t, "mail") // lease 1 minute; the worker "dies"
		if len(first) != 1 {
			t.Fatalf("claimed %d", len(first))
		}
		advance(59 * time.Second)
		if got := claimAll(t, "mail"); len(got) != 0 {
			t.Fatal("claimed while the lease holds")
		}
		advance(time.Second)
		second := claimAll(t, "mail")
		if len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v, want the same job, attempt 2", second)
		}
		complete(t, second)
	})

	t.Run("ConcurrentClaimersNeverShare", func(t *testing.T) {
		const n = 300
		jobs := make([]ratsnetz.NewJob, n)
		for i := range jobs {
			jobs[i] = ratsnetz.NewJob{Kind: "mail", Payload: fmt.Appendf(nil, "%d", i)}
		}
		if err := db.EnqueueJobs(ctx, jobs...); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				for {
					got, err := db.ClaimJobs(ctx, []string{"mail"}, 7, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						seen[j.ID]++
					}
					mu.Unlock()
					for _, j := range got {
						if err := db.CompleteJob(ctx, j.ID); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != n {
			t.Errorf("%d distinct jobs claimed, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("job %d claimed %d times", id, c)
			}
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		err := db.EnqueueJobs(ctx, ratsnetz.NewJob{Kind: ""})
		if ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			t.Errorf("empty kind: %v, want invalid", err)
		}
		if _, err := db.ClaimJobs(ctx, []string{"mail"}, 1, 0); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			t.Errorf("zero lease: %v, want invalid", err)
		}
	})

	t.Run("Distribution", func(t *testing.T) { testDistribution(t, db) })
}
