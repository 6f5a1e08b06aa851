package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/app"
)

// TestCloseTwice: Close may be called again (a test's cleanup after an
// explicit Close, a second signal) and from several goroutines at once;
// every call returns once the first has finished, and the server is gone.
// Before, a second call blocked forever on the finished server's channel.
func TestCloseTwice(t *testing.T) {
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}, nil)
	if err := m.Open(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if err := m.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- m.Close() }()
	}
	// A generous bound, not a speed target: without it a regression would
	// hang until the test binary's timeout instead of failing here.
	deadline := time.After(time.Minute)
	for range 3 {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("repeated Close: %v", err)
			}
		case <-deadline:
			t.Fatal("a repeated Close did not return")
		}
	}
	if resp, err := http.Get(m.URL() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after Close: %d", resp.StatusCode)
	}
}
