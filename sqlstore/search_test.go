package sqlstore_test

import (
	"context"
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestSearchRelevance runs the relevance suite on the demo municipality on
// both databases: the same queries must put the same objects on top.
func TestSearchRelevance(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		db := openSQLite(t)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		storetest.RunSearchRelevance(t, db)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		db := openPostgres(t)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		storetest.RunSearchRelevance(t, db)
	})
}
