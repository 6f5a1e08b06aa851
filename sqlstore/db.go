// Package sqlstore is the one database/sql implementation of ratsnetz.Store.
// The SQL is written once with "?" placeholders; a Dialect (see the sqlite and
// postgres packages) supplies what differs: placeholder style, time encoding,
// migrations, migration locking and what to do after a Load.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Dialect describes what differs between the databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered turns "?" placeholders into $1, $2, … (PostgreSQL).
	Numbered bool
	// EncodeTime turns a non-zero UTC time into a query argument whose
	// order in the database is the time order.
	EncodeTime func(t time.Time) any
	// Migrations holds numbered files NNNN_name.sql at its root.
	Migrations fs.FS
	// LockMigrations, if set, takes a lock on conn that serializes Migrate
	// across processes; the returned func releases it.
	LockMigrations func(ctx context.Context, conn *sql.Conn) (func(), error)
	// BeginLoad, if set, runs first in each Load transaction and in each
	// office write (PostgreSQL serializes them with an advisory lock: loads
	// cannot deadlock, and the stored file visibility sees every link and
	// owner change in order).
	BeginLoad func(ctx context.Context, tx *sql.Tx) error
	// AfterLoad, if set, runs at the end of each Load transaction with the
	// tables written (PostgreSQL advances identity sequences here).
	AfterLoad func(ctx context.Context, tx *sql.Tx, tables []string) error
	// AfterCommit, if set, runs after each committed Load with the tables
	// written (PostgreSQL refreshes planner statistics of tables that grew).
	AfterCommit func(ctx context.Context, db *sql.DB, tables []string) error
	// MaxParams is the most bind parameters one statement may carry.
	MaxParams int
	// NullsLast is appended to descending sort keys so that rows without a
	// value come last on every database (" NULLS LAST" on PostgreSQL).
	NullsLast string
	// IDSet returns SQL for a set of IDs usable in "x IN (…)" with one "?"
	// and its argument (default JSONIDSet).
	IDSet func(ids []int64) (string, any)
	// NoReadTx lets the find methods of the council data (papers,
	// meetings, agenda items, consultations, files, bodies, organizations,
	// persons) run their queries on the read pool without a transaction.
	// Set it where each statement takes its own snapshot even inside a read
	// transaction (PostgreSQL's READ COMMITTED): there the transaction only
	// adds the BEGIN and ROLLBACK round trips. Every query applies the
	// viewer's visibility itself, so no statement depends on another's
	// snapshot for confidentiality.
	NoReadTx bool
	// AggregateIDs returns an aggregate expression of the integer column
	// col as comma-separated text ordered by order (default: SQLite's
	// group_concat with ORDER BY).
	AggregateIDs func(col, order string) string
}

// DB is a ratsnetz.Store on a SQL database. Reads go to the read pool,
// Load and Migrate to the write pool (one connection for SQLite, where
// writes serialize anyway).
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect Dialect
	// Now is the clock, used to time de-publications and to decide which
	// memberships and grants are in force. Defaults to time.Now.
	Now func() time.Time
	// OneStatementPages makes FindPaperPage and FindMeetingPage read a
	// page in one statement on PostgreSQL (see page.go; off by default:
	// its planning cost per connection is not yet repaid).
	OneStatementPages bool
	// loc is Europe/Berlin (nil if the zone database is missing: UTC).
	loc *time.Location
}

var (
	_ ratsnetz.Store     = (*DB)(nil)
	_ ratsnetz.Versioner = (*DB)(nil)
)

// New returns a DB on the given pools; read and write may be the same pool.
// The DB owns the pools: Close closes them.
func New(read, write *sql.DB, d Dialect) *DB {
	if d.MaxParams == 0 {
		d.MaxParams = 999
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = nil
	}
	return &DB{read: read, write: write, dialect: d, Now: time.Now, loc: loc}
}

// Dialect returns the dialect of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// ReadDB returns the read pool, for backend-specific extras and tests.
func (db *DB) ReadDB() *sql.DB { return db.read }

// WriteDB returns the write pool, for backend-specific extras and tests.
func (db *DB) WriteDB() *sql.DB { return db.write }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		if werr := db.write.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// rebind turns the "?" placeholders of q into the dialect's style. The SQL in
// this package never has "?" inside string literals.
func (db *DB) rebind(q string) string {
	if !db.dialect.Numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// beginRead starts the read transaction a find method runs in.
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

type migration struct {
	version int
	name    string
}

func (db *DB) migrations() ([]migration, error) {
	if db.dialect.Migrations == nil {
		return nil, errors.New("dialect has no migrations")
	}
	entries, err := fs.ReadDir(db.dialect.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		ms = append(ms, migration{version: v, name: e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the embedded migrations not applied yet, each in its own
// transaction, in order. It is idempotent and safe to run from several
// processes at once on PostgreSQL (advisory lock).
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.dialect.LockMigrations != nil {
		unlock, err := db.dialect.LockMigrations(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer unlock()
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: read versions: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: read versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: read versions: %w", err)
	}
	rows.Close()
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		body, err := fs.ReadFile(db.dialect.Migrations, m.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := func() error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.version, m.name, db.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			return tx.Commit()
		}(); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}
