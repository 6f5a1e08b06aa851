package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestStmtCacheNested runs the same query again while rows of it are still
// open on the same connection: the cached statement is busy, so the second
// query must not reset the first.
func TestStmtCacheNested(t *testing.T) {
	ctx := context.Background()
	db, _ := mustOpen(t)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := db.ReadDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT value FROM json_each(?) ORDER BY value`
	for round := range 3 { // the first round prepares, the later ones hit the cache
		outer, err := tx.QueryContext(ctx, q, "[1,2,3]")
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for outer.Next() {
			var v int
			if err := outer.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			var inner int
			if err := tx.QueryRowContext(ctx, q, "[7]").Scan(&inner); err != nil || inner != 7 {
				t.Fatalf("round %d: nested query: %d, %v", round, inner, err)
			}
		}
		if err := outer.Err(); err != nil {
			t.Fatal(err)
		}
		outer.Close()
		if len(got) != 3 || got[0] != 1 || got[2] != 3 {
			t.Errorf("round %d: outer rows %v, want [1 2 3]", round, got)
		}
	}
}

// TestStmtCacheEvictsLeastRecentlyUsed: a full cache makes room by closing
// the least recently used statement, so a query used all the time stays
// cached while one-off texts (logged-in viewers' statements) come and go.
func TestStmtCacheEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	db, _ := mustOpen(t)
	conn := mustConn(t, db.ReadDB())
	const hot = `SELECT 0`
	for i := range maxCachedStmts + 50 {
		var v int
		if err := conn.QueryRowContext(ctx, hot).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i+1)).Scan(&v); err != nil || v != i+1 {
			t.Fatalf("query %d: %d, %v", i, v, err)
		}
	}
	if err := conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		if len(c.stmts) != maxCachedStmts {
			t.Errorf("%d statements cached, want %d", len(c.stmts), maxCachedStmts)
		}
		if _, ok := c.stmts[hot]; !ok {
			t.Error("the hot statement was evicted")
		}
		if _, ok := c.stmts["SELECT 1"]; ok {
			t.Error("the oldest one-off statement is still cached")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// cachedTexts returns the statement texts cached on conn's connection.
func cachedTexts(t *testing.T, conn *sql.Conn) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if err := conn.Raw(func(dc any) error {
		for q := range dc.(*cachingConn).stmts {
			out[q] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStmtCacheWrites: the write connection runs its statements from the
// cache with the same results as uncached — rows affected, last insert ID,
// a constraint error that leaves the statement usable, a rolled-back
// transaction — and a batch statement with many arguments is not cached.
func TestStmtCacheWrites(t *testing.T) {
	ctx := context.Background()
	db, _ := mustOpen(t)
	conn := mustConn(t, db.WriteDB())
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO t (a) VALUES (?)`
	for i := range 5 {
		res, err := conn.ExecContext(ctx, ins, 10*(i+1))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		n, _ := res.RowsAffected()
		if id != int64(i+1) || n != 1 {
			t.Errorf("insert %d: id %d, %d rows, want %d, 1", i, id, n, i+1)
		}
	}
	if _, err := conn.ExecContext(ctx, ins, 10); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("duplicate: %v, want a UNIQUE constraint error", err)
	}
	if _, err := conn.ExecContext(ctx, ins, 60); err != nil {
		t.Errorf("insert after the failed one: %v", err)
	}
	res, err := conn.ExecContext(ctx, `UPDATE t SET a = a + 1 WHERE a > ?`, 30)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Errorf("update: %d rows, want 3", n)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, ins, 70); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var sum, count int
	if err := conn.QueryRowContext(ctx, `SELECT SUM(a), COUNT(*) FROM t`).Scan(&sum, &count); err != nil {
		t.Fatal(err)
	}
	if sum != 10+20+30+41+51+61 || count != 6 {
		t.Errorf("table: sum %d of %d rows, want %d of 6", sum, count, 10+20+30+41+51+61)
	}

	// A multi-row INSERT of 101 arguments runs, uncached.
	many := `INSERT INTO t (a) VALUES (?)` + strings.Repeat(`, (?)`, maxCachedParams)
	args := make([]any, maxCachedParams+1)
	for i := range args {
		args[i] = 1000 + i
	}
	if res, err := conn.ExecContext(ctx, many, args...); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != int64(len(args)) {
		t.Errorf("batch insert: %d rows, want %d", n, len(args))
	}
	cached := cachedTexts(t, conn)
	for _, q := range []string{ins, `UPDATE t SET a = a + 1 WHERE a > ?`} {
		if !cached[q] {
			t.Errorf("%q is not cached", q)
		}
	}
	if cached[many] {
		t.Error("the statement of 101 arguments is cached")
	}
}

// TestStmtCacheSchemaChange: a statement cached on the write connection
// still runs right after another connection dropped and re-created its
// table with other columns (SQLite compiles it again), and a cached
// statement holds no snapshot once its rows are closed, also before their
// end: a TRUNCATE checkpoint, which needs every reader gone, completes.
func TestStmtCacheSchemaChange(t *testing.T) {
	ctx := context.Background()
	db, path := mustOpen(t)
	w := db.WriteDB()
	if _, err := w.ExecContext(ctx, `CREATE TABLE t (a TEXT, b TEXT)`); err != nil {
		t.Fatal(err)
	}
	const ins, sel = `INSERT INTO t (b) VALUES (?)`, `SELECT b FROM t ORDER BY b`
	if _, err := w.ExecContext(ctx, ins, "eins"); err != nil {
		t.Fatal(err)
	}
	read := func() []string {
		t.Helper()
		rows, err := w.QueryContext(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := read(); len(got) != 1 || got[0] != "eins" {
		t.Fatalf("before: %q", got)
	}

	// Another connection (as another process would) changes the schema:
	// b moves to the first column.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `DROP TABLE t; CREATE TABLE t (b TEXT, c INTEGER DEFAULT 7, a TEXT); INSERT INTO t (b) VALUES ('zwei')`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, ins, "drei"); err != nil {
		t.Fatalf("cached insert after the schema change: %v", err)
	}
	if got := read(); len(got) != 2 || got[0] != "drei" || got[1] != "zwei" {
		t.Errorf("after the schema change: %q, want [drei zwei]", got)
	}
	var c int
	if err := other.QueryRowContext(ctx, `SELECT c FROM t WHERE b = 'drei'`).Scan(&c); err != nil || c != 7 {
		t.Errorf("the cached insert wrote c = %d (%v), want the new default 7", c, err)
	}

	// Rows closed before their end: only the reset ends the statement's
	// read transaction.
	var first string
	if err := w.QueryRowContext(ctx, sel).Scan(&first); err != nil || first != "drei" {
		t.Fatalf("first row: %q, %v", first, err)
	}
	var busy, logPages, done int
	if err := other.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		t.Fatal(err)
	}
	if busy != 0 {
		t.Error("a checkpoint is blocked: a cached statement holds a snapshot")
	}
}

// mustOpen opens a fresh database in a temporary directory and returns it
// with its file's path.
func mustOpen(t *testing.T) (*sqlstore.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// mustConn takes one connection of pool for the test.
func mustConn(t *testing.T, pool *sql.DB) *sql.Conn {
	t.Helper()
	conn, err := pool.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
