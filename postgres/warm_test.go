package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestWarmPages: warming the page statements on the read pool works on a
// loaded database, and stops with the context.
func TestWarmPages(t *testing.T) {
	db := pgtest.MustOpenMigrated(t)
	ctx := context.Background()
	if err := db.WarmPages(ctx); err != nil {
		t.Fatalf("WarmPages on an empty database: %v", err)
	}
	if err := db.Load(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	for _, one := range []bool{false, true} {
		db.OneStatementPages = one
		if err := db.WarmPages(ctx); err != nil {
			t.Fatalf("WarmPages (one statement %v): %v", one, err)
		}
		if got := db.ReadDB().Stats().OpenConnections; got < 1 {
			t.Errorf("%d open connections after warming", got)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.WarmPages(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("WarmPages with a canceled context = %v, want context.Canceled", err)
	}
}

// TestCanceledQueryKeepsConnection: a query whose context ends while it runs
// (a visitor who hung up) does not cost the pool its connection — with
// pgx's default the connection was closed at once, and its replacement had
// to prepare and plan every page statement anew. The query here waits for
// an advisory lock held elsewhere, so it is certainly running when the
// context ends; the server cancels it and the same backend serves the next
// query.
func TestCanceledQueryKeepsConnection(t *testing.T) {
	db := pgtest.MustOpen(t)
	ctx := context.Background()
	pool := db.ReadDB()
	pool.SetMaxOpenConns(1)
	var pid0 int
	if err := pool.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid0); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	hold, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	const key = 0x52617475 // any key no other test uses
	if _, err := hold.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		t.Fatal(err)
	}
	defer hold.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key)

	qctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := pool.ExecContext(qctx, `SELECT pg_advisory_xact_lock($1)`, key)
		done <- err
	}()
	for waiting := false; !waiting; {
		if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE pid = $1 AND wait_event_type = 'Lock')`, pid0).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the waiting query succeeded after its context ended")
	}
	var pid1 int
	if err := pool.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid1); err != nil {
		t.Fatal(err)
	}
	if pid1 != pid0 {
		t.Errorf("backend %d after the canceled query, was %d: the connection was closed", pid1, pid0)
	}
}
