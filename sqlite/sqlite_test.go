package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// MustOpenDB opens a fresh SQLite database in a temporary directory.
func MustOpenDB(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ratsnetz.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *sqlstore.DB { return MustOpenDB(t) })
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared", "x.db?mode=memory"} {
		if db, err := sqlite.Open(context.Background(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// TestSettings checks that every pooled connection has the settings.
func TestSettings(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	for name, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
		for _, pool := range []string{"read", "write"} {
			p := db.ReadDB()
			if pool == "write" {
				p = db.WriteDB()
			}
			var got string
			if err := p.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s pool: %s = %q, want %q", pool, name, got, want)
			}
		}
	}
	var qo string
	if err := db.ReadDB().QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("read pool query_only = %q (%v), want 1", qo, err)
	}
}
