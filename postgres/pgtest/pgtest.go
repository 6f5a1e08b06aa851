// Package pgtest gives each test a PostgreSQL store of its own: a fresh
// schema in the server named by RATSNETZ_TEST_POSTGRES, dropped when the test
// ends, so tests of every package run in parallel against one server.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the schema setup

	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// DSN returns the test server's DSN from RATSNETZ_TEST_POSTGRES; without it
// the test is skipped, except in CI (env CI set) where it fails.
func DSN(tb testing.TB) string {
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

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpen opens a store in a fresh schema t_<random> that is dropped when
// the test ends. The store is not migrated.
func MustOpen(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	base := DSN(tb)
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
	db, err := postgres.Open(ctx, WithSearchPath(tb, base, schema))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustOpenMigrated is MustOpen followed by Migrate.
func MustOpenMigrated(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db := MustOpen(tb)
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}
