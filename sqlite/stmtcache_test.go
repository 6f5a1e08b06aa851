package sqlite

import (
	"context"
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
