// Package audit writes the audit log off the request path: handlers hand
// events to a Recorder, which appends them from its own goroutine, so that
// recording every access to a non-public document does not slow page views.
// It also runs the retention purge.
package audit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Appender is the part of ratsnetz.AccountService the recorder needs.
type Appender interface {
	AppendAudit(ctx context.Context, e *ratsnetz.AuditEvent) error
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
}

// Recorder appends events asynchronously. Create with New; Close waits
// until every accepted event is written.
type Recorder struct {
	store  Appender
	logger *slog.Logger
	now    func() time.Time
	ch     chan *ratsnetz.AuditEvent
	done   chan struct{}

	mu     sync.Mutex
	closed bool
}

// New starts a recorder with a queue of size events (at least 1). now nil
// means time.Now.
func New(store Appender, logger *slog.Logger, now func() time.Time, size int) *Recorder {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	r := &Recorder{store: store, logger: logger, now: now, ch: make(chan *ratsnetz.AuditEvent, max(size, 1)), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *Recorder) run() {
	defer close(r.done)
	for e := range r.ch {
		// Written even while the server shuts down: the event happened.
		if err := r.store.AppendAudit(context.Background(), e); err != nil {
			r.logger.Error("audit append failed", "action", e.Action, "object", e.ObjectKind, "id", e.ObjectID, "err", err)
		}
	}
}

// Record queues e (its Time set now if zero). When the queue is full the
// event is written synchronously instead of being dropped: an access to
// confidential material must always be on record.
func (r *Recorder) Record(ctx context.Context, e ratsnetz.AuditEvent) {
	if e.Time.IsZero() {
		e.Time = r.now().UTC()
	}
	r.mu.Lock()
	queued := false
	if !r.closed {
		select {
		case r.ch <- &e:
			queued = true
		default:
		}
	}
	r.mu.Unlock()
	if !queued {
		r.writeNow(ctx, &e)
	}
}

func (r *Recorder) writeNow(ctx context.Context, e *ratsnetz.AuditEvent) {
	if err := r.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		r.logger.ErrorContext(ctx, "audit append failed", "action", e.Action, "err", err)
	}
}

// Close stops accepting queued events and waits until all queued events
// are written. Record after Close writes synchronously.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.ch)
	}
	r.mu.Unlock()
	<-r.done
	return nil
}

// Purge deletes events older than keep before now (the retention setting,
// e.g. 365 days) and returns how many.
func (r *Recorder) Purge(ctx context.Context, keep time.Duration) (int64, error) {
	n, err := r.store.PurgeAudit(ctx, r.now().Add(-keep))
	if err != nil {
		return 0, err
	}
	if n > 0 {
		r.logger.InfoContext(ctx, "audit retention purge", "deleted", n, "keep", keep.String())
	}
	return n, nil
}
