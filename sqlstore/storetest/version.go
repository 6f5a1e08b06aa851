package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testDataVersion: every write kind bumps the data version in its own
// transaction, reads never do, and a failed load leaves it alone.
func testDataVersion(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, err := db.DataVersion(ctx)
		if err != nil {
			t.Fatalf("data version: %v", err)
		}
		return v
	}
	v := version()
	expect := func(what string, bumped bool) {
		t.Helper()
		got := version()
		switch {
		case bumped && got <= v:
			t.Errorf("after %s: version %d, want > %d", what, got, v)
		case !bumped && got != v:
			t.Errorf("after %s: version %d, want unchanged %d", what, got, v)
		}
		v = got
	}

	ds := Fixture()
	MustLoad(t, db, ds)
	expect("first load", true)
	MustLoad(t, db, Fixture())
	expect("reload of the same data", true)

	// Reads, as the public and as the system.
	for _, c := range []context.Context{public, sys} {
		if _, _, err := db.FindPapers(c, ratsnetz.PaperFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindPaperByID(c, ds.Papers[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.FindMeetings(c, ratsnetz.MeetingFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.FindFiles(c, ratsnetz.FileFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Empty(c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PendingExternalIDs(c, ratsnetz.KindPaper); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportState(c, "x"); err != nil {
			t.Fatal(err)
		}
	}
	expect("reads", false)

	// De-publication through Load.
	p := Fixture().Papers[0]
	p.Public = false
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}})
	expect("de-publication", true)

	// A failed load rolls the bump back with everything else.
	bad := Fixture().Papers[0]
	bad.ID = 0
	if err := db.Load(sys, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{bad}}); err == nil {
		t.Fatal("load of a paper without ID: no error")
	}
	expect("failed load", false)

	// The importer's writes.
	if _, err := db.ResolveExternalIDs(sys, ratsnetz.KindPaper, []string{"https://x/p/1", "https://x/p/2"}); err != nil {
		t.Fatal(err)
	}
	expect("resolve of new external ids", true)
	if _, err := db.ResolveExternalIDs(sys, ratsnetz.KindPaper, []string{"https://x/p/1"}); err != nil {
		t.Fatal(err)
	}
	expect("resolve of known external ids", false)
	if err := db.SetExternalIDState(sys, ratsnetz.KindPaper, []string{"https://x/p/1"}, ratsnetz.ExternalMissing); err != nil {
		t.Fatal(err)
	}
	expect("external id state", true)

	// Concurrent loads: each bump counts, none is lost.
	const n = 4
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Load(sys, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{Fixture().Papers[1]}})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := version(); got != v+n {
		t.Errorf("after %d concurrent loads: version %d, want %d", n, got, v+n)
	}
}
