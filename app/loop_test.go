package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLoop: rounds follow each other with the poll interval while they
// succeed; failures in a row double the wait up to the cap and are logged
// with it; a success resets the wait; Close cancels a running round and
// waits for the loop, without logging the cancellation.
func TestLoop(t *testing.T) {
	fail := errors.New("database gone")
	// Results of the rounds in order; after them a round blocks until Close.
	results := []error{nil, fail, fail, fail, fail, nil, fail, nil}
	var (
		mu     sync.Mutex
		rounds int
		waits  []time.Duration
	)
	blocked := make(chan struct{})
	cancelled := make(chan struct{})
	step := func(ctx context.Context) error {
		mu.Lock()
		i := rounds
		rounds++
		mu.Unlock()
		if i < len(results) {
			return results[i]
		}
		close(blocked)
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	}
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
	l := startLoop(loopSpec{step: step, poll: time.Second, maxBackoff: 5 * time.Second, logger: logger,
		failed: "test round failed, retrying",
		wait: func(ctx context.Context, d time.Duration) bool {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return ctx.Err() == nil
		}})
	select {
	case <-blocked:
	case <-time.After(30 * time.Second):
		t.Fatal("the loop did not reach the blocking round")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("Close returned before the running round saw its context cancelled")
	}
	s := time.Second
	want := []time.Duration{s, 2 * s, 4 * s, 5 * s, 5 * s, s, 2 * s, s}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	logMu.Lock()
	got := logs.String()
	logMu.Unlock()
	if n := strings.Count(got, "test round failed, retrying"); n != 5 {
		t.Errorf("%d failures logged, want 5:\n%s", n, got)
	}
	for _, in := range []string{"in=2s", "in=4s", "in=5s"} {
		if !strings.Contains(got, in) {
			t.Errorf("log lacks %q:\n%s", in, got)
		}
	}
	if strings.Contains(got, "context canceled") {
		t.Errorf("the cancellation at Close was logged:\n%s", got)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestLoopSleeps: the default wait ends after its duration and returns
// false at once when the context is done.
func TestLoopSleeps(t *testing.T) {
	if !sleep(context.Background(), time.Millisecond) {
		t.Error("sleep with a live context returned false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sleep(ctx, time.Hour) {
		t.Error("sleep with a cancelled context returned true")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
