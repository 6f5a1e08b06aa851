package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
)

// site is the one running Ratsnetz that all tests of the package share:
// loading the demo municipality takes seconds, so it starts at most once, on
// first use, and TestMain stops it.
var site struct {
	once sync.Once
	main *app.Main
	dir  string
	err  error
	fix  *fixtures
}

func TestMain(m *testing.M) {
	code := m.Run()
	if site.main != nil {
		if err := site.main.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: close Ratsnetz:", err)
			code = 1
		}
	}
	if site.dir != "" {
		os.RemoveAll(site.dir)
	}
	os.Exit(code)
}

// mustSite returns the URL of the running Ratsnetz with the demo
// municipality and what the tests know about its data, starting it on first
// use.
func mustSite(t *testing.T) *fixtures {
	t.Helper()
	site.once.Do(func() {
		site.dir, site.err = os.MkdirTemp(dataParent(), "ratsnetz-e2e-")
		if site.err != nil {
			return
		}
		// Server errors (a 500, a panic) show up in the test output; the
		// request log would drown them, and the tests ask for 404s on purpose.
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: site.dir, Demo: true}, logger)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		start := time.Now()
		if site.err = m.Open(ctx); site.err != nil {
			m.Close()
			return
		}
		site.main = m
		if site.fix, site.err = discover(ctx, m.DB); site.err == nil {
			site.fix.Base = m.URL()
			site.fix.Canary = demo.Canary
		}
		t.Logf("Ratsnetz with the demo started at %s in %v", m.URL(), time.Since(start).Round(time.Millisecond))
	})
	if site.err != nil {
		t.Fatalf("start Ratsnetz with the demo: %v", site.err)
	}
	return site.fix
}

// dataParent is where the throwaway data directory goes: memory (/dev/shm)
// when the machine has it, because loading the demo means many small
// fsync'ed writes (database and files) that the test does not need to
// survive a crash; the system's temporary directory otherwise.
func dataParent() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "ratsnetz-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}
