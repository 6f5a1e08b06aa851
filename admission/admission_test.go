package admission

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDefaults(t *testing.T) {
	l := New(Config{})
	if got, want := l.Limit(), DefaultPerCPU*runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Limit() = %d, want %d", got, want)
	}
	if got, want := l.maxQueue, DefaultQueuePerSlot*l.Limit(); got != want {
		t.Errorf("maxQueue = %d, want %d", got, want)
	}
	if got, want := l.retryAfter, "5"; got != want {
		t.Errorf("Retry-After = %q, want %q", got, want)
	}
	if got, want := New(Config{MaxWait: 1500 * time.Millisecond}).retryAfter, "2"; got != want {
		t.Errorf("Retry-After for 1.5 s = %q, want %q", got, want)
	}
	if got, want := New(Config{MaxWait: time.Millisecond}).retryAfter, "1"; got != want {
		t.Errorf("Retry-After for 1 ms = %q, want %q", got, want)
	}
}

// TestFIFO queues waiters one after another behind a full limiter and
// checks that slots go to them in arrival order, never more than Limit.
func TestFIFO(t *testing.T) {
	const limit, n = 2, 12
	l := New(Config{Limit: limit, MaxWait: time.Hour})
	ctx := context.Background()
	for range limit {
		if err := l.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	admitted := make(chan int, n)
	for i := range n {
		go func() {
			if err := l.Acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			admitted <- i
		}()
		// The next goroutine starts only when this one is queued, so
		// arrival order is i.
		waitFor(t, "waiter "+strconv.Itoa(i), func() bool { return l.Stats().Waiting == i+1 })
	}
	for want := range n {
		l.Release() // one slot frees: exactly the oldest waiter gets it
		if got := <-admitted; got != want {
			t.Fatalf("admitted waiter %d, want %d", got, want)
		}
		if s := l.Stats(); s.Running != limit || s.Waiting != n-want-1 {
			t.Fatalf("after admitting %d: %+v, want %d running and %d waiting", want, s, limit, n-want-1)
		}
	}
	for range limit {
		l.Release()
	}
	if s := l.Stats(); s != (Stats{}) {
		t.Errorf("at the end: %+v, want all zero", s)
	}
}

func TestFullQueue(t *testing.T) {
	l := New(Config{Limit: 1, MaxQueue: -1})
	ctx := context.Background()
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Acquire(ctx); !errors.Is(err, ErrFull) {
		t.Fatalf("second Acquire = %v, want ErrFull", err)
	}
	l.Release()
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	l.Release()
	if got := l.Stats(); got != (Stats{Rejected: 1}) {
		t.Errorf("Stats = %+v, want one rejection and nothing running", got)
	}
}

func TestWaitLimit(t *testing.T) {
	l := New(Config{Limit: 1, MaxWait: time.Nanosecond})
	ctx := context.Background()
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	// The slot stays taken, so the waiter can only give up.
	if err := l.Acquire(ctx); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Acquire = %v, want ErrTimeout", err)
	}
	if got := l.Stats(); got != (Stats{Running: 1, Rejected: 1}) {
		t.Errorf("Stats = %+v, want the holder running, no waiter, one rejection", got)
	}
	l.Release()
}

func TestCanceledWaiter(t *testing.T) {
	l := New(Config{Limit: 1, MaxWait: time.Hour})
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- l.Acquire(ctx) }()
	waitFor(t, "the waiter", func() bool { return l.Stats().Waiting == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire = %v, want context.Canceled", err)
	}
	if got := l.Stats(); got != (Stats{Running: 1}) {
		t.Errorf("Stats = %+v, want the waiter gone and not counted as rejected", got)
	}
	// The slot the canceled waiter never took is not lost.
	l.Release()
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Release()
}

// TestAdmittedWhileGivingUp covers the race in which a waiter is admitted
// just as it gives up: the slot must pass on, not leak.
func TestAdmittedWhileGivingUp(t *testing.T) {
	l := New(Config{Limit: 1, MaxWait: time.Hour})
	for range 200 {
		if err := l.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- l.Acquire(ctx) }()
		waitFor(t, "the waiter", func() bool { return l.Stats().Waiting == 1 })
		go cancel()
		l.Release() // races with the cancellation
		if err := <-errc; err == nil {
			l.Release()
		}
		if got := l.Stats(); got.Running != 0 || got.Waiting != 0 {
			t.Fatalf("Stats = %+v, want nothing running or waiting", got)
		}
	}
}

func TestUnlimited(t *testing.T) {
	l := New(Config{Limit: -1})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	if got := l.Wrap(h, nil); got == nil {
		t.Fatal("Wrap returned nil")
	}
	for range 100 {
		if err := l.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	l.Release()
	if got := l.Stats(); got != (Stats{}) {
		t.Errorf("Stats = %+v, want zero for an unbounded limiter", got)
	}
}

// TestWrapOverHTTP runs many real requests through a wrapped handler:
// never more than Limit inside, turned-away requests get the reject
// handler's 503 with Retry-After, and no goroutine stays behind.
func TestWrapOverHTTP(t *testing.T) {
	const limit, clients = 2, 40
	l := New(Config{Limit: limit, MaxQueue: 10, MaxWait: time.Hour, RetryAfter: 3 * time.Second})
	var mu sync.Mutex
	inside, most := 0, 0
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		<-release
		mu.Lock()
		inside--
		mu.Unlock()
		io.WriteString(w, "seite")
	})
	reject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "überlastet")
	})
	srv := httptest.NewServer(l.Wrap(h, reject))
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = clients
	before := runtime.NumGoroutine()

	type result struct {
		status     int
		body       string
		retryAfter string
	}
	results := make(chan result, clients)
	for range clients {
		go func() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				t.Error(err)
				results <- result{}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, string(b), resp.Header.Get("Retry-After")}
		}()
	}
	// 2 inside + 10 queued; the other 28 are turned away at once.
	var got []result
	for range clients - limit - 10 {
		got = append(got, <-results)
	}
	waitFor(t, "a full limiter", func() bool { s := l.Stats(); return s.Running == limit && s.Waiting == 10 })
	close(release)
	for range limit + 10 {
		got = append(got, <-results)
	}
	ok, busy := 0, 0
	for _, r := range got {
		switch {
		case r.status == http.StatusOK && r.body == "seite":
			ok++
		case r.status == http.StatusServiceUnavailable && r.body == "überlastet" && r.retryAfter == "3":
			busy++
		default:
			t.Errorf("unexpected response %+v", r)
		}
	}
	if ok != limit+10 || busy != clients-limit-10 {
		t.Errorf("%d served and %d turned away, want %d and %d", ok, busy, limit+10, clients-limit-10)
	}
	if most > limit {
		t.Errorf("%d requests ran at once, limit %d", most, limit)
	}
	if s := l.Stats(); s != (Stats{Rejected: clients - limit - 10}) {
		t.Errorf("Stats = %+v", s)
	}
	client.CloseIdleConnections()
	srv.Close()
	waitFor(t, "the request goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}
