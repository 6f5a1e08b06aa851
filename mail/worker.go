package mail

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// JobKind is the job kind of a queued mail.
const JobKind = "mail"

// permanent marks a job payload that can never be sent (the jobs runner
// drops it); it matches jobs.Permanent by its method.
type permanent struct{ err error }

func (e permanent) Error() string { return e.err.Error() }
func (e permanent) Unwrap() error { return e.err }

// NewJob returns the job that sends m. It fills a Message-ID under domain
// (if m.ID is empty), which is also the job's key: enqueueing the same mail
// twice while it is pending queues it once, and every retry sends the same
// Message-ID.
func NewJob(m Message, domain string) (ratsnetz.NewJob, error) {
	if err := m.Validate(); err != nil {
		return ratsnetz.NewJob{}, err
	}
	if m.ID == "" {
		m.ID = NewID(domain)
	}
	p, err := json.Marshal(m)
	if err != nil {
		return ratsnetz.NewJob{}, fmt.Errorf("mail: %w", err)
	}
	return ratsnetz.NewJob{Kind: JobKind, Key: m.ID, Payload: p}, nil
}

// Worker sends queued mails: its Handle is the jobs handler of kind "mail".
type Worker struct {
	Sender Sender
	// OnSent, if set, runs after the server accepted the mail (e.g. to
	// record when an invitation was sent). An error makes the job retry,
	// which sends the mail again with the same Message-ID.
	OnSent func(ctx context.Context, m Message) error
	// Permanent wraps errors retrying cannot fix (jobs.Permanent).
	Permanent func(error) error
}

// Handle sends the mail in the job's payload.
func (w *Worker) Handle(ctx context.Context, job *ratsnetz.Job) error {
	var m Message
	if err := json.Unmarshal(job.Payload, &m); err != nil {
		return w.permanent(fmt.Errorf("mail job %d: payload: %w", job.ID, err))
	}
	if err := m.Validate(); err != nil {
		return w.permanent(fmt.Errorf("mail job %d: %w", job.ID, err))
	}
	if m.ID == "" {
		// Payloads not made by NewJob: derive a stable ID from the job.
		m.ID = fmt.Sprintf("job-%d@ratsnetz.invalid", job.ID)
	}
	if err := w.Sender.Send(ctx, m); err != nil {
		return err
	}
	if w.OnSent != nil {
		return w.OnSent(ctx, m)
	}
	return nil
}

func (w *Worker) permanent(err error) error {
	if w.Permanent != nil {
		return w.Permanent(err)
	}
	return permanent{err}
}

// Enqueuer stores jobs durably (ratsnetz.JobQueue's EnqueueJobs).
type Enqueuer interface {
	EnqueueJobs(ctx context.Context, jobs ...ratsnetz.NewJob) error
}

// QueueSender is a Sender that queues each mail as a job instead of
// sending it: Send returns once the mail is stored, and the mail worker
// delivers it (with retries). Use it wherever a mail must not be lost.
type QueueSender struct {
	Queue Enqueuer
	// Domain is the Message-ID domain of mails without an ID.
	Domain string
}

// Send queues m.
func (q QueueSender) Send(ctx context.Context, m Message) error {
	job, err := NewJob(m, q.Domain)
	if err != nil {
		return err
	}
	return q.Queue.EnqueueJobs(ctx, job)
}
