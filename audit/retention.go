package audit

import (
	"context"
	"time"
)

// Retention purges audit events older than Keep: once at Start and then
// every Interval, until Stop. Its goroutine belongs to whoever called Start
// (app.Main); Stop ends it and waits for a purge in progress.
type Retention struct {
	Recorder *Recorder
	// Keep is how long events are kept (e.g. 365 days).
	Keep time.Duration
	// Interval between purges; default one day.
	Interval time.Duration
	// After is the timer; nil means time.After. Tests pass a channel they
	// control (the recorder's clock decides what "older" means).
	After func(time.Duration) <-chan time.Time
	// Purged, if set, is called after each purge (tests wait on it).
	Purged func(n int64, err error)

	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs the first purge and schedules the next ones in a goroutine.
func (r *Retention) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	after := r.After
	if after == nil {
		after = time.After
	}
	every := r.Interval
	if every <= 0 {
		every = 24 * time.Hour
	}
	go func() {
		defer close(r.done)
		for {
			n, err := r.Recorder.Purge(ctx, r.Keep)
			if err != nil && ctx.Err() == nil {
				r.Recorder.logger.Error("audit retention purge failed", "err", err)
			}
			if r.Purged != nil {
				r.Purged(n, err)
			}
			select {
			case <-ctx.Done():
				return
			case <-after(every):
			}
		}
	}()
}

// Stop ends the schedule and waits for its goroutine. It returns nil; the
// signature fits app.Main's closers.
func (r *Retention) Stop() error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	<-r.done
	return nil
}
