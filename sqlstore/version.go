package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// DataVersion returns the data version: a counter in the database that every
// write transaction of council data bumps before it commits (bumpVersion).
// It is read from the database on every call, never cached, so several
// processes sharing one database see each other's writes at once. The query
// is a one-row primary-key lookup whose prepared statement the connection
// keeps (SQLite: sqlite/stmtcache.go; PostgreSQL: pgx's statement cache).
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.read.QueryRowContext(ctx, `SELECT version FROM data_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

// bumpVersion increments the data version inside tx. Every write
// transaction that changes data some viewer may see calls it (Load, the
// importer's ID bookkeeping, …); the new version becomes visible with the
// data, atomically. Account bookkeeping (sessions, tokens, audit) does not
// change what is shown and does not call it.
//
// On PostgreSQL the row lock serializes the bumping transactions from this
// point to their commit; Load already serializes on its advisory lock.
func (db *DB) bumpVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE data_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump data version: %w", err)
	}
	return nil
}
