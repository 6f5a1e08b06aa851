package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.JobQueue (owner: distribution engineer).
// Table: migration 0010_jobs_distribution.sql. A pending job is one row; a
// claim moves its run_at to the end of the lease and counts the attempt, so
// a job whose worker died is simply due again when the lease runs out;
// CompleteJob deletes the row. On PostgreSQL concurrent claimers skip each
// other's rows (FOR UPDATE SKIP LOCKED); on SQLite the single write
// connection with immediate transactions serializes them.

var _ ratsnetz.JobQueue = (*DB)(nil)

// maxJobKind is the longest job kind accepted.
const maxJobKind = 100

// EnqueueJobs stores jobs in one transaction. A job whose Kind and Key equal
// those of a pending job is skipped.
func (db *DB) EnqueueJobs(ctx context.Context, jobs ...ratsnetz.NewJob) error {
	if len(jobs) == 0 {
		return nil
	}
	for _, j := range jobs {
		if j.Kind == "" || len(j.Kind) > maxJobKind {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Ein Auftrag braucht eine Art (höchstens %d Zeichen).", maxJobKind)
		}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.enqueueJobsTx(ctx, tx, jobs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enqueue jobs: commit: %w", err)
	}
	return nil
}

// enqueueJobsTx stores jobs inside tx, so that a change and the work it
// causes commit together.
func (db *DB) enqueueJobsTx(ctx context.Context, tx *sql.Tx, jobs []ratsnetz.NewJob) error {
	now := db.now()
	q := db.rebind(`INSERT INTO jobs (kind, job_key, payload, attempts, run_at, last_error, created)
		VALUES (?, ?, ?, 0, ?, '', ?) ON CONFLICT DO NOTHING`)
	for _, j := range jobs {
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = now
		}
		payload := j.Payload
		if payload == nil {
			payload = []byte{}
		}
		if _, err := tx.ExecContext(ctx, q, j.Kind, j.Key, payload, db.tm(runAt), db.tm(now)); err != nil {
			return fmt.Errorf("enqueue job %s: %w", j.Kind, err)
		}
	}
	return nil
}

// ClaimJobs leases up to max due jobs of the given kinds, oldest due first:
// their run_at moves to now+lease and their attempt count goes up.
func (db *DB) ClaimJobs(ctx context.Context, kinds []string, max int, lease time.Duration) ([]*ratsnetz.Job, error) {
	if len(kinds) == 0 || max <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Frist eines Auftrags muss positiv sein.")
	}
	now := db.now()
	args := []any{db.tm(now.Add(lease))}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		ph[i] = "?"
		args = append(args, k)
	}
	args = append(args, db.tm(now), max)
	lock := ""
	if db.dialect.Name == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := db.rebind(`UPDATE jobs SET run_at = ?, attempts = attempts + 1 WHERE id IN (
		SELECT id FROM jobs WHERE kind IN (` + strings.Join(ph, ", ") + `) AND run_at <= ?
		ORDER BY run_at, id LIMIT ?` + lock + `)
		RETURNING id, kind, job_key, payload, attempts, run_at, last_error`)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	var jobs []*ratsnetz.Job
	for rows.Next() {
		j := &ratsnetz.Job{}
		if err := rows.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &j.Attempts, timeScanner{&j.RunAt}, &j.LastError); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim jobs: %w", err)
		}
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim jobs: commit: %w", err)
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(jobs, func(a, b *ratsnetz.Job) int { return cmp.Compare(a.ID, b.ID) })
	return jobs, nil
}

// CompleteJob deletes a done job. Completing a job that is gone is not an
// error: a worker whose lease ran out may finish after another one did.
func (db *DB) CompleteJob(ctx context.Context, id int64) error {
	if _, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM jobs WHERE id = ?`), id); err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	return nil
}

// RetryJob makes a failed job due again at runAt with its last error.
func (db *DB) RetryJob(ctx context.Context, id int64, runAt time.Time, lastErr string) error {
	if len(lastErr) > 2000 {
		lastErr = lastErr[:2000]
	}
	if _, err := db.write.ExecContext(ctx, db.rebind(`UPDATE jobs SET run_at = ?, last_error = ? WHERE id = ?`),
		db.tm(runAt), lastErr, id); err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

// JobStats counts pending jobs per kind and how many of them failed before.
type JobStats struct {
	Kind    string
	Pending int
	Failed  int
}

// FindJobStats returns the pending jobs per kind (for the office's overview
// and tests).
func (db *DB) FindJobStats(ctx context.Context) ([]JobStats, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, COUNT(*), SUM(CASE WHEN last_error <> '' THEN 1 ELSE 0 END)
		FROM jobs GROUP BY kind ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("job stats: %w", err)
	}
	defer rows.Close()
	var out []JobStats
	for rows.Next() {
		var s JobStats
		if err := rows.Scan(&s.Kind, &s.Pending, &s.Failed); err != nil {
			return nil, fmt.Errorf("job stats: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
