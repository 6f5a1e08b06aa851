// Package postgres is the PostgreSQL backend of Ratsnetz: pgx v5 through
// database/sql behind sqlstore.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the first key of the advisory lock that serializes
// Migrate; the second is the hash of the current schema.
const migrationLock = 0x52617473 // "Rats"

// loadLock is the first key of the advisory lock that serializes Load.
const loadLock = migrationLock + 1

// Dialect returns the PostgreSQL dialect of sqlstore.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sqlstore.Dialect{
		Name:           "postgres",
		Numbered:       true,
		EncodeTime:     sqlstore.EncodeTimeNative,
		Migrations:     sub,
		LockMigrations: lockMigrations,
		BeginLoad:      lockLoad,
		AfterLoad:      advanceSequences,
		AfterCommit:    analyzeGrown,
		MaxParams:      65535,
		NullsLast:      " NULLS LAST",
		IDSet:          sqlstore.ArrayIDSet,
		// Reads run in READ COMMITTED: every statement takes its own
		// snapshot even inside a transaction.
		NoReadTx: true,
		AggregateIDs: func(col, order string) string {
			return "string_agg(CAST(" + col + " AS text), ',' ORDER BY " + order + ")"
		},
	}
}

func lockMigrations(ctx context.Context, conn *sql.Conn) (func(), error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, migrationLock); err != nil {
		return nil, err
	}
	return func() {
		// A fresh context: the lock must go even when ctx is done.
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, migrationLock)
	}, nil
}

// lockLoad serializes Load transactions on one schema: concurrent loads of
// overlapping objects would otherwise deadlock on the join tables.
func lockLoad(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, loadLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	// A bulk load need not wait for the WAL flush at commit: a crash may
	// lose the last loads (they are repeatable), never corrupt data.
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return fmt.Errorf("set synchronous_commit: %w", err)
	}
	return nil
}

// advanceSequences moves the identity sequences of the loaded tables past
// their largest ID, so that later inserts without ID do not collide.
func advanceSequences(ctx context.Context, tx *sql.Tx, tables []string) error {
	seen := map[string]bool{}
	for _, t := range tables {
		if seen[t] {
			continue
		}
		seen[t] = true
		// t is one of the package's own table names, never user input.
		q := `SELECT setval(pg_get_serial_sequence('` + t + `', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM ` + t + `), false)`
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("advance sequence of %s: %w", t, err)
		}
	}
	return nil
}

// analyzeGrown refreshes the planner statistics of the written tables that
// changed by more than half since their last analyze. Bulk loads (demo,
// import) otherwise leave the planner without statistics until autovacuum
// comes by, and the portal's first queries get bad plans. The halving rule
// keeps the total work of a long series of loads logarithmic per table.
func analyzeGrown(ctx context.Context, db *sql.DB, tables []string) error {
	rows, err := db.QueryContext(ctx, `SELECT relname FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND relname = ANY($1)
		AND n_mod_since_analyze > 200 + n_live_tup / 2`, tables)
	if err != nil {
		return fmt.Errorf("find tables to analyze: %w", err)
	}
	var grown []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("find tables to analyze: %w", err)
		}
		grown = append(grown, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find tables to analyze: %w", err)
	}
	for _, t := range grown {
		// t comes from the catalogue and is one of the tables we wrote.
		if _, err := db.ExecContext(ctx, `ANALYZE `+pgIdent(t)); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	return nil
}

// Canceled queries keep their connection. pgx's default closes the
// connection the moment a query's context ends (a visitor who hangs up, a
// bench client cut off at its deadline), and the pool's replacement must
// prepare and plan every statement anew: 10–150 ms per statement for the
// visibility predicates, which the next visitors wait for. Instead a query
// whose context ends may finish for cancelDelay (the portal's queries take
// milliseconds); a longer one is canceled by the server (cancel request)
// and the connection stays usable. Only if the server does not answer
// within cancelDeadline is the connection given up, as before.
const (
	cancelDelay    = 100 * time.Millisecond
	cancelDeadline = 5 * time.Second
)

func keepConnOnCancel(c *pgconn.PgConn) ctxwatch.Handler {
	return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: cancelDelay, DeadlineDelay: cancelDeadline}
}

func pgIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Open connects to the PostgreSQL database at url (a postgres:// URL or
// key=value DSN; runtime parameters such as search_path may be given in it).
// Open does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// The visibility predicates make queries expensive to plan (several ms)
	// and cheap to run; pgx prepares every statement once per connection, so
	// a generic plan is made once and reused. Without this, PostgreSQL plans
	// the first five executions per connection anew.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	// The rights predicates of logged-in viewers (sqlstore/rights.go) nest
	// many small subqueries; their estimated cost passes jit_above_cost and
	// JIT compiling them takes seconds for queries that run in
	// milliseconds. OLTP lookups never profit from JIT.
	if _, ok := cfg.RuntimeParams["jit"]; !ok {
		cfg.RuntimeParams["jit"] = "off"
	}
	cfg.BuildContextWatcherHandler = keepConnOnCancel
	db := stdlib.OpenDB(*cfg)
	// Few connections: the server has as many cores as this machine, so
	// more connections only queue inside PostgreSQL, and each new
	// connection plans every statement once more (the visibility
	// predicates take 10–150 ms to plan), which under load shows as p99.
	n := max(8, 4*runtime.NumCPU())
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return sqlstore.New(db, db, Dialect()), nil
}
