package app

import (
	"context"
	"log/slog"
	"time"
)

// loopSpec describes a background loop: what it does each round and how it
// paces itself.
type loopSpec struct {
	// step does one round. Its error is logged and the round retried after
	// a longer wait; an error after Close (context cancelled) is not.
	step func(ctx context.Context) error
	// poll is the wait after a round that succeeded.
	poll time.Duration
	// maxBackoff caps the wait after failures: it starts at 2 × poll and
	// doubles with each failure in a row (0: one minute).
	maxBackoff time.Duration
	logger     *slog.Logger
	failed     string // log message of a failed round, e.g. "search indexing failed, retrying"
	// wait waits d or until ctx is done (false then). nil: a timer; tests
	// record the waits instead of sleeping.
	wait func(ctx context.Context, d time.Duration) bool
}

// loop is a running background loop: the first round at once, then one
// round after each wait. Close stops it.
type loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startLoop starts s in a goroutine owned by the returned loop.
func startLoop(s loopSpec) *loop {
	if s.maxBackoff <= 0 {
		s.maxBackoff = time.Minute
	}
	if s.wait == nil {
		s.wait = sleep
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		wait := s.poll
		for {
			err := s.step(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				wait = min(2*wait, max(s.maxBackoff, s.poll))
				s.logger.Warn(s.failed, "err", err, "in", wait)
			default:
				wait = s.poll
			}
			if !s.wait(ctx, wait) {
				return
			}
		}
	}()
	return l
}

// sleep waits d; false if ctx is done first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Close cancels the running round (its context) and waits for the loop to
// end.
func (l *loop) Close() error {
	l.cancel()
	<-l.done
	return nil
}
