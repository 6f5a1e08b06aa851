// Package admission bounds how many expensive requests run at once.
//
// With every request running at once, 32 clients on 2 cores are processor
// sharing: each request takes about 16 times its CPU time, heavy pages and
// garbage collection stretch the tail, and every request keeps its buffers
// and database connection alive meanwhile. A Limiter lets a few requests run
// and queues the others first in, first out: throughput stays the same (the
// processors are busy either way), latency becomes queue wait plus one
// request's own time, the number of live request heaps falls and the
// database sees less contention. A request that waited too long, or finds
// the queue full, is turned away with 503 and Retry-After instead of adding
// to an overload.
//
// Only wrap what is expensive and short: page renders. Cached responses,
// static files, health checks and long-lived streams (server-sent events)
// must not be wrapped: a stream would hold its slot for its whole life.
package admission

import (
	"container/list"
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Defaults for Config's zero values.
const (
	// DefaultPerCPU is the number of concurrent requests per processor:
	// one computing while another waits for its database reply.
	DefaultPerCPU = 2
	// DefaultMaxWait is the longest a request waits for its turn.
	DefaultMaxWait = 5 * time.Second
	// DefaultQueuePerSlot bounds the queue at this many waiters per slot.
	DefaultQueuePerSlot = 64
)

// Config sets a Limiter's bounds.
type Config struct {
	// Limit is the number of requests running at once; 0 means
	// DefaultPerCPU × GOMAXPROCS, negative means no bound (Wrap returns
	// the handler unchanged).
	Limit int
	// MaxQueue is the number of requests that may wait; 0 means
	// DefaultQueuePerSlot × Limit, negative means none may wait.
	MaxQueue int
	// MaxWait is the longest a request waits for its turn; 0 means
	// DefaultMaxWait.
	MaxWait time.Duration
	// RetryAfter is sent with a 503; 0 means MaxWait rounded up to whole
	// seconds (at least one).
	RetryAfter time.Duration
}

// ErrFull is returned by Acquire when the queue is full.
var ErrFull = errors.New("admission: queue full")

// ErrTimeout is returned by Acquire when the request waited MaxWait.
var ErrTimeout = errors.New("admission: waited too long")

// Limiter admits at most Limit requests at once; the others wait in the
// order they came. It is safe for concurrent use.
type Limiter struct {
	limit, maxQueue int
	maxWait         time.Duration
	retryAfter      string

	mu       sync.Mutex
	running  int
	waiters  list.List // of chan struct{}, closed when the waiter is admitted
	rejected int64
}

// New returns a Limiter with cfg's bounds.
func New(cfg Config) *Limiter {
	l := &Limiter{limit: cfg.Limit, maxQueue: cfg.MaxQueue, maxWait: cfg.MaxWait}
	if l.limit < 0 {
		return &Limiter{limit: -1}
	}
	if l.limit == 0 {
		l.limit = DefaultPerCPU * runtime.GOMAXPROCS(0)
	}
	switch {
	case l.maxQueue == 0:
		l.maxQueue = DefaultQueuePerSlot * l.limit
	case l.maxQueue < 0:
		l.maxQueue = 0
	}
	if l.maxWait <= 0 {
		l.maxWait = DefaultMaxWait
	}
	ra := cfg.RetryAfter
	if ra <= 0 {
		ra = l.maxWait
	}
	l.retryAfter = strconv.FormatInt(max(1, int64((ra+time.Second-1)/time.Second)), 10)
	return l
}

// Limit is the number of requests admitted at once; -1 means no bound.
func (l *Limiter) Limit() int { return l.limit }

// Stats is a snapshot of a Limiter's state.
type Stats struct {
	Running  int   // admitted and not yet released
	Waiting  int   // queued
	Rejected int64 // turned away since start (full queue or MaxWait)
}

// Stats returns the current state.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Running: l.running, Waiting: l.waiters.Len(), Rejected: l.rejected}
}

// Acquire waits for a slot in arrival order. It returns nil once admitted
// (the caller must call Release), ErrFull if the queue is full, ErrTimeout
// after MaxWait, or ctx's error if ctx ends first.
func (l *Limiter) Acquire(ctx context.Context) error {
	if l.limit < 0 {
		return nil
	}
	l.mu.Lock()
	if l.running < l.limit && l.waiters.Len() == 0 {
		l.running++
		l.mu.Unlock()
		return nil
	}
	if l.waiters.Len() >= l.maxQueue {
		l.rejected++
		l.mu.Unlock()
		return ErrFull
	}
	ready := make(chan struct{})
	elem := l.waiters.PushBack(ready)
	l.mu.Unlock()

	timer := time.NewTimer(l.maxWait)
	defer timer.Stop()
	var err error
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = ErrTimeout
	}

	l.mu.Lock()
	select {
	case <-ready:
		// Admitted while giving up: hand the slot on, as if the request
		// had run and finished at once.
		l.mu.Unlock()
		l.Release()
	default:
		l.waiters.Remove(elem)
		if err == ErrTimeout {
			l.rejected++
		}
		l.mu.Unlock()
	}
	return err
}

// Release gives an admitted request's slot to the next waiter.
func (l *Limiter) Release() {
	if l.limit < 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running--
	if l.running < 0 {
		panic("admission: Release without Acquire")
	}
	for l.running < l.limit && l.waiters.Len() > 0 {
		ready := l.waiters.Remove(l.waiters.Front()).(chan struct{})
		l.running++
		close(ready)
	}
}

// Wrap runs h once the request is admitted. A request turned away gets
// Retry-After and then reject, which must write a 503 response. A request
// whose client left while it waited gets no response.
func (l *Limiter) Wrap(h, reject http.Handler) http.Handler {
	if l.limit < 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch err := l.Acquire(r.Context()); err {
		case nil:
			defer l.Release()
			h.ServeHTTP(w, r)
		case ErrFull, ErrTimeout:
			w.Header().Set("Retry-After", l.retryAfter)
			reject.ServeHTTP(w, r)
		default:
			// The client hung up (or the server shuts down): nobody reads
			// an answer.
		}
	})
}
