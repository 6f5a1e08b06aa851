// Package jobs runs the durable background jobs of ratsnetz.JobQueue: a
// Runner polls the queue (and wakes at once when told that jobs were
// enqueued), runs a bounded number of jobs at a time through handlers by
// kind, completes the ones that succeed and gives failed ones back with an
// exponential backoff up to a cap. A crash loses nothing: a claimed job's
// lease runs out and it is claimed again, so handlers must be idempotent.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Handler does one job. An error makes the job run again later (unless it
// is Permanent).
type Handler func(ctx context.Context, job *ratsnetz.Job) error

// permanentError marks an error retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the Runner drops the job (logged) instead of
// retrying it — for a payload that can never be done, e.g. invalid JSON.
func Permanent(err error) error { return permanentError{err} }

// Runner claims and runs jobs. Set the fields, then Start; Close stops it
// and waits for running jobs.
type Runner struct {
	Queue    ratsnetz.JobQueue
	Handlers map[string]Handler
	// Concurrency is how many jobs run at once (default 4).
	Concurrency int
	// Lease is how long a claimed job is reserved for its worker (default
	// 5 minutes). A job still running when its lease ends may run twice.
	Lease time.Duration
	// Poll is the interval between polls when not woken (default 5 s).
	Poll time.Duration
	// Backoff is the first retry delay (default 10 s); each further attempt
	// doubles it up to MaxBackoff (default 1 hour), with ±10 % jitter.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger

	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
}

func (r *Runner) defaults() {
	if r.Concurrency <= 0 {
		r.Concurrency = 4
	}
	if r.Lease <= 0 {
		r.Lease = 5 * time.Minute
	}
	if r.Poll <= 0 {
		r.Poll = 5 * time.Second
	}
	if r.Backoff <= 0 {
		r.Backoff = 10 * time.Second
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = time.Hour
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
}

func (r *Runner) kinds() []string {
	ks := make([]string, 0, len(r.Handlers))
	for k := range r.Handlers {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Start starts the polling loop. It returns at once; Close stops it.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return errors.New("jobs: runner already started")
	}
	if r.Queue == nil || len(r.Handlers) == 0 {
		return errors.New("jobs: runner needs a queue and handlers")
	}
	r.defaults()
	r.wake = make(chan struct{}, 1)
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go r.loop(ctx)
	return nil
}

// Wake makes a started runner poll now (after an enqueue). It never blocks.
func (r *Runner) Wake() {
	r.mu.Lock()
	w := r.wake
	r.mu.Unlock()
	if w == nil {
		return
	}
	select {
	case w <- struct{}{}:
	default:
	}
}

// Close stops the loop and waits for the jobs it is running; their
// contexts are cancelled, and jobs that fail because of that are retried
// by the next runner.
func (r *Runner) Close() error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	<-done
	return nil
}

func (r *Runner) loop(ctx context.Context) {
	defer close(r.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.wake:
		}
		// Drain the queue while there is work, then sleep.
		for {
			n, err := r.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				r.Logger.Error("jobs: claim", "err", err)
			}
			if n == 0 || err != nil || ctx.Err() != nil {
				break
			}
		}
		timer.Reset(r.Poll)
	}
}

// RunOnce claims up to Concurrency due jobs, runs them in parallel and
// returns when all are done or given back. It returns the number of jobs
// claimed. Tests and commands may call it directly without Start.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	r.defaults()
	jobs, err := r.Queue.ClaimJobs(ctx, r.kinds(), r.Concurrency, r.Lease)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { r.run(ctx, j) })
	}
	wg.Wait()
	return len(jobs), nil
}

func (r *Runner) run(ctx context.Context, j *ratsnetz.Job) {
	err := r.call(ctx, j)
	// Book-keeping must land even when ctx was cancelled meanwhile.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var perm permanentError
	switch {
	case err == nil:
		if cerr := r.Queue.CompleteJob(bctx, j.ID); cerr != nil {
			r.Logger.Error("jobs: complete", "id", j.ID, "kind", j.Kind, "err", cerr)
		}
	case errors.As(err, &perm):
		r.Logger.Error("jobs: dropped (permanent failure)", "id", j.ID, "kind", j.Kind, "err", err)
		if cerr := r.Queue.CompleteJob(bctx, j.ID); cerr != nil {
			r.Logger.Error("jobs: complete", "id", j.ID, "kind", j.Kind, "err", cerr)
		}
	default:
		delay := r.BackoffFor(j.Attempts)
		r.Logger.Warn("jobs: failed, retrying", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "in", delay, "err", err)
		if rerr := r.Queue.RetryJob(bctx, j.ID, r.Now().Add(delay), err.Error()); rerr != nil {
			r.Logger.Error("jobs: retry", "id", j.ID, "kind", j.Kind, "err", rerr)
		}
	}
}

// call runs the handler, turning a panic into an error.
func (r *Runner) call(ctx context.Context, j *ratsnetz.Job) (err error) {
	h := r.Handlers[j.Kind]
	if h == nil {
		return Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// BackoffFor returns the delay before the next run after the given attempt
// (1 = the first run failed): Backoff·2^(attempt-1), capped at MaxBackoff,
// with ±10 % jitter so that many failed jobs do not return together.
func (r *Runner) BackoffFor(attempt int) time.Duration {
	r.defaults()
	d := r.Backoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.MaxBackoff)
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

// Queue wraps a JobQueue so that enqueueing wakes a runner at once.
type Queue struct {
	ratsnetz.JobQueue
	Runner *Runner
}

// EnqueueJobs stores the jobs and wakes the runner.
func (q Queue) EnqueueJobs(ctx context.Context, jobs ...ratsnetz.NewJob) error {
	if err := q.JobQueue.EnqueueJobs(ctx, jobs...); err != nil {
		return err
	}
	if q.Runner != nil {
		q.Runner.Wake()
	}
	return nil
}
