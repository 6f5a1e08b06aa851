package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// MustOpenPostgres opens a migrated store in a fresh schema of its own.
func MustOpenPostgres(tb testing.TB) *sqlstore.DB { tb.Helper(); return pgtest.MustOpenMigrated(tb) }

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
