package main

import (
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
)

func TestArrivals(t *testing.T) {
	even := arrivals(3001, 3000, "gleichmaessig")
	if even[0] != 0 || math.Abs(even[3000].Seconds()-1) > 1e-6 {
		t.Errorf("even: first %s, last %s, want 0 and 1s", even[0], even[3000])
	}
	for i := 1; i < len(even); i++ {
		if d := even[i] - even[i-1]; d < 333*time.Microsecond || d > 334*time.Microsecond {
			t.Fatalf("even: gap %d is %s, want 1/3000 s", i, d)
		}
	}
	p := arrivals(5000, 3000, "poisson")
	for i := 1; i < len(p); i++ {
		if p[i] < p[i-1] {
			t.Fatalf("poisson: arrival %d before %d", i, i-1)
		}
	}
	// 4 999 exponential gaps of mean 1/3000 s: the offered rate is within a
	// few percent of 3 000/s (standard deviation ≈ 1.4 %).
	if rate := 4999 / p[4999].Seconds(); rate < 2800 || rate > 3200 {
		t.Errorf("poisson: offered %.0f ballots/s, want ≈ 3000", rate)
	}
	if q := arrivals(5000, 3000, "poisson"); q[4999] != p[4999] {
		t.Errorf("poisson arrivals differ between runs (%s, %s): the seed is fixed so runs compare", q[4999], p[4999])
	}
}

func TestBenchOption(t *testing.T) {
	n := map[string]int{}
	for i := range 1000 {
		n[benchOption(i)]++
	}
	if n["Ja"] != 800 || n["Nein"] != 100 || n["Enthaltung"] != 100 {
		t.Errorf("choices %v, want Ja 800, Nein 100, Enthaltung 100", n)
	}
}

// The group commit's record is found in a serve log (text format) by its
// vote — vote 1 is not vote 12 — and kept by the in-process handler.
func TestCommitStatsLine(t *testing.T) {
	var buf strings.Builder
	text := slog.New(slog.NewTextHandler(&buf, nil))
	text.Info("live: request", "path", "/live/1/stimme")
	text.Info(commitStatsMsg, "vote", int64(12), "requests", 5000, "batches", 400, "commit_p99", 12*time.Millisecond)
	if got, want := commitStatsLine(buf.String(), 12), "requests=5000 batches=400 commit_p99=12ms"; got != want {
		t.Errorf("vote 12: %q, want %q", got, want)
	}
	if got := commitStatsLine(buf.String(), 1); got != "" {
		t.Errorf("vote 1: %q, want nothing", got)
	}
	h := &commitStats{}
	l := slog.New(h)
	l.Info("something else", "vote", int64(3))
	l.Info(commitStatsMsg, "vote", int64(3), "requests", 7, "queue_p99", 1500*time.Microsecond)
	if got, want := h.line(3), "requests=7 queue_p99=1.5ms"; got != want {
		t.Errorf("in-process: %q, want %q", got, want)
	}
}
