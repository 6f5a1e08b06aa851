package importer_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// MustOpenPostgres opens a migrated store in a fresh schema of the
// PostgreSQL named by RATSNETZ_TEST_POSTGRES (skipped without it, outside CI).
func MustOpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	base := os.Getenv("RATSNETZ_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("RATSNETZ_TEST_POSTGRES is not set, but CI is")
		}
		tb.Skip("PostgreSQL tests skipped: set RATSNETZ_TEST_POSTGRES")
	}
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
	tb.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
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
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// TestPostgres imports on PostgreSQL: same objects as on SQLite, stable IDs,
// an incremental re-run changes nothing.
func TestPostgres(t *testing.T) {
	pg := MustOpenPostgres(t)
	e := karlsruheN(t, 8)
	rep := mustImport(t, e, pg, nil)
	lite := MustOpenDB(t)
	rep2 := mustImport(t, e, lite, nil)
	if diff := cmp.Diff(rep2.Objects, rep.Objects); diff != "" {
		t.Errorf("objects (-sqlite +postgres):\n%s", diff)
	}
	want := snapshot(t, lite)
	got := snapshot(t, pg)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("postgres import differs from sqlite (-sqlite +postgres):\n%s", diff)
	}
	rep3 := mustImport(t, e, pg, func(o *importer.Options) {
		o.Now = func() time.Time { return time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC) }
	})
	if rep3.Total() != 0 {
		t.Errorf("re-run loaded %v", rep3.Objects)
	}
	if diff := cmp.Diff(got, snapshot(t, pg)); diff != "" {
		t.Errorf("re-run changed data:\n%s", diff)
	}
	// IDs are allocated above what the tables hold.
	ids, err := pg.ResolveExternalIDs(ratsnetz.SystemContext(context.Background()), ratsnetz.KindPaper, []string{"https://example.org/new"})
	if err != nil || ids["https://example.org/new"] <= 0 {
		t.Errorf("allocate: %v %v", ids, err)
	}
}
