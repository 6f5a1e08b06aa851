package postgres_test

import (
	"context"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// MustOpenDB opens the store (not migrated) in a fresh schema of its own.
func MustOpenDB(tb testing.TB) *sqlstore.DB { tb.Helper(); return pgtest.MustOpen(tb) }

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *sqlstore.DB { return MustOpenDB(t) })
}

// TestMigrateConcurrently starts several instances on one schema at once.
func TestMigrateConcurrently(t *testing.T) {
	first := MustOpenDB(t)
	var dbs []*sqlstore.DB
	for range 4 {
		db, err := postgres.Open(context.Background(), searchPathDSN(t, first))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Migrate(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	var n int
	if err := first.ReadDB().QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = 1`).Scan(&n); err != nil || n != 1 {
		t.Errorf("migration 1 recorded %d times (%v), want once", n, err)
	}
}

func searchPathDSN(t *testing.T, db *sqlstore.DB) string {
	var schema string
	if err := db.ReadDB().QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	return pgtest.WithSearchPath(t, pgtest.DSN(t), schema)
}

// TestSequencesAfterLoad: an insert without ID after a Load gets a new ID.
func TestSequencesAfterLoad(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.MustLoad(t, db, storetest.Fixture())
	var id int64
	if err := db.WriteDB().QueryRowContext(ctx, `INSERT INTO papers (name) VALUES ('neu') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id <= 63 {
		t.Errorf("new paper ID %d collides with loaded IDs (max 63)", id)
	}
	if _, err := db.FindPaperByID(ratsnetz.SystemContext(ctx), id); err != nil {
		t.Errorf("find new paper: %v", err)
	}
}
