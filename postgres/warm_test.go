package postgres_test

import (
	"context"
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
