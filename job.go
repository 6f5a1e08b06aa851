package ratsnetz

import (
	"context"
	"time"
)

// NewJob is background work to be done durably: stored in the database
// (ideally in the same transaction as the change that caused it), done later
// by a worker, retried with backoff when it fails. A crash delays a job,
// never loses it.
type NewJob struct {
	// Kind names the worker that does it, e.g. "mail" or "search.index".
	Kind string
	// Key, if set, makes the job idempotent: a second job with the same
	// Kind and Key is not stored while the first one is not done.
	Key string
	// Payload is the job's data, JSON by convention.
	Payload []byte
	// RunAt is the earliest time to run it; zero means now.
	RunAt time.Time
}

// Job is a stored job claimed by a worker.
type Job struct {
	ID        int64
	Kind      string
	Key       string
	Payload   []byte
	Attempts  int
	RunAt     time.Time
	LastError string
}

// JobQueue stores jobs durably and hands them out to workers under a lease:
// a job claimed by a worker that dies is claimed again after the lease runs
// out, so a worker must make its effect idempotent (e.g. mail carries a
// Message-ID and is recorded as sent before the job completes).
type JobQueue interface {
	// EnqueueJobs stores jobs; it returns once they are durable.
	EnqueueJobs(ctx context.Context, jobs ...NewJob) error
	// ClaimJobs leases up to max due jobs of the given kinds.
	ClaimJobs(ctx context.Context, kinds []string, max int, lease time.Duration) ([]*Job, error)
	// CompleteJob marks a job done.
	CompleteJob(ctx context.Context, id int64) error
	// RetryJob gives a failed job back to run again at runAt.
	RetryJob(ctx context.Context, id int64, runAt time.Time, lastErr string) error
}
