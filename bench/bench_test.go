package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsRequestsAndStatuses(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasSuffix(r.URL.Path, "/2") {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "hallo")
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Options{BaseURL: srv.URL, Concurrency: 4, Duration: 200 * time.Millisecond, PID: os.Getpid()},
		Target{Name: "paper", Path: "/vorlagen/{id}", IDs: []int64{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || int64(res.Requests) > hits.Load() {
		t.Fatalf("requests = %d, server saw %d", res.Requests, hits.Load())
	}
	if res.NotOK == 0 || res.NotOK == res.Requests {
		t.Errorf("non-200 = %d of %d, want some but not all (ID 2 is a 404)", res.NotOK, res.Requests)
	}
	if res.Errors != 0 {
		t.Errorf("errors = %d", res.Errors)
	}
	if !(res.P50 <= res.P99 && res.P99 <= res.Max) {
		t.Errorf("percentiles out of order: %v %v %v", res.P50, res.P99, res.Max)
	}
	if res.PeakRSSKB <= 0 {
		t.Errorf("peak RSS not read")
	}
}

func TestRunRejectsIDPathWithoutIDs(t *testing.T) {
	if _, err := Run(context.Background(), Options{BaseURL: "http://127.0.0.1:1"}, Target{Name: "x", Path: "/v/{id}"}); err == nil {
		t.Fatal("want error")
	}
}

func TestProcessCPU(t *testing.T) {
	// Burn some CPU so the own process has at least one clock tick.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	cpu, err := ProcessCPU(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Fatalf("own process: cpu %v, err %v; want > 0", cpu, err)
	}
	if _, err := ProcessCPU(-1); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}
