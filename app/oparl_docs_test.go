package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

// TestOParlDocsBuilder: the background builder completes the stored
// documents without being asked, completes them again after a write, and
// Close stops it.
func TestOParlDocsBuilder(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	meta := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: t0, Modified: t0} }
	ds := &ratsnetz.Dataset{
		Bodies:   []*ratsnetz.Body{{Meta: meta(1), Name: "Stadt"}},
		Meetings: []*ratsnetz.Meeting{{Meta: meta(1), BodyID: 1, Name: "Ratssitzung", Start: t0, Public: true}},
		Papers:   []*ratsnetz.Paper{{Meta: meta(1), BodyID: 1, Name: "Vorlage", Public: true}},
	}
	if err := db.Load(ratsnetz.SystemContext(ctx), ds); err != nil {
		t.Fatal(err)
	}
	api := oparl.NewServer(oparl.Config{Store: db, BaseURL: "http://ris.example", Build: "test"})
	w := startOParlDocs(api, db.DataVersion, slog.New(slog.DiscardHandler), oparlDocsTiming{poll: 10 * time.Millisecond})
	defer w.Close()
	waitBuilt := func(what string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			done := true
			for _, kind := range []string{"meeting", "paper"} {
				built, current, err := db.OParlDocState(ctx, kind+" 2 test http://ris.example")
				if err != nil {
					t.Fatal(err)
				}
				done = done && built == current
			}
			if done {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: stored documents not built within 30 s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitBuilt("start")
	ds.Meetings[0].Name = "Ratssitzung (verlegt)"
	if err := db.Load(ratsnetz.SystemContext(ctx), &ratsnetz.Dataset{Meetings: ds.Meetings}); err != nil {
		t.Fatal(err)
	}
	waitBuilt("after a write")
	docs, err := db.FindOParlDocs(ctx, "meeting 2 test http://ris.example", []int64{1})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents after the rebuild: %v, %v", len(docs), err)
	}
	// The stored documents are compressed (oparl/deflate.go): read the
	// rebuilt one through the API, which serves it while the set is current.
	rec := httptest.NewRecorder()
	api.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oparl/v1.1/meeting/1", nil))
	if got := rec.Body.String(); !strings.Contains(got, "Ratssitzung (verlegt)") {
		t.Errorf("rebuilt document: %s", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
