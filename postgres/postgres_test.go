package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// dsn returns the test server's DSN from RATSNETZ_TEST_POSTGRES; without it
// the test is skipped, except in CI where it fails.
func dsn(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("RATSNETZ_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("RATSNETZ_TEST_POSTGRES is not set, but CI is: the PostgreSQL tests must run in CI")
		}
		tb.Skip("PostgreSQL tests skipped: set RATSNETZ_TEST_POSTGRES (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return u
}

// MustOpenDB opens the store in a fresh schema t_<random> that is dropped
// when the test ends, so tests run in parallel.
func MustOpenDB(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	base := dsn(tb)
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

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
	u, err := url.Parse(dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
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
