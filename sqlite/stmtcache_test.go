package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStmtCacheNested runs the same query again while rows of it are still
// open on the same connection: the cached statement is busy, so the second
// query must not reset the first.
func TestStmtCacheNested(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.ReadDB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
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
