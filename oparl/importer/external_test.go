package importer_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestExternalIDStore checks sqlstore's ExternalIDStore on SQLite and (when
// configured) PostgreSQL: stable IDs above every used ID, pending and
// missing states, key/value state.
func TestExternalIDStore(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlstore.DB{"sqlite": MustOpenDB, "postgres": MustOpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := sys()
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			// A paper created locally (not imported) holds ID 50.
			if err := db.Load(ctx, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{{Meta: ratsnetz.Meta{ID: 50, Created: t0, Modified: t0}, Name: "lokal"}}}); err != nil {
				t.Fatal(err)
			}
			ids, err := db.ResolveExternalIDs(ctx, ratsnetz.KindPaper, []string{"https://x/p/1", "https://x/p/2", "https://x/p/1"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]int64{"https://x/p/1": 51, "https://x/p/2": 52}, ids); diff != "" {
				t.Errorf("allocated (-want +got):\n%s", diff)
			}
			again, err := db.ResolveExternalIDs(ctx, ratsnetz.KindPaper, []string{"https://x/p/2", "https://x/p/3"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]int64{"https://x/p/2": 52, "https://x/p/3": 53}, again); diff != "" {
				t.Errorf("second resolve (-want +got):\n%s", diff)
			}
			// Other kinds have their own ID space.
			if o, err := db.ResolveExternalIDs(ctx, ratsnetz.KindOrganization, []string{"https://x/o/1"}); err != nil || o["https://x/o/1"] != 1 {
				t.Errorf("organization id = %v, %v", o, err)
			}
			if _, err := db.ResolveExternalIDs(ctx, "nonsense", []string{"a"}); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
				t.Errorf("unknown kind: %v", err)
			}
			// Loaded objects are no longer pending; missing ones neither.
			if err := db.Load(ctx, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{{Meta: ratsnetz.Meta{ID: 51, ExternalID: "https://x/p/1", Created: t0, Modified: t0}}}}); err != nil {
				t.Fatal(err)
			}
			if err := db.SetExternalIDState(ctx, ratsnetz.KindPaper, []string{"https://x/p/3"}, ratsnetz.ExternalMissing); err != nil {
				t.Fatal(err)
			}
			pending, err := db.PendingExternalIDs(ctx, ratsnetz.KindPaper)
			if err != nil || !cmp.Equal(pending, []string{"https://x/p/2"}) {
				t.Errorf("pending = %v, %v", pending, err)
			}
			// Key/value state.
			for _, v := range []string{"a", "b", ""} {
				if err := db.SetImportState(ctx, "k", v); err != nil {
					t.Fatal(err)
				}
				if got, err := db.ImportState(ctx, "k"); err != nil || got != v {
					t.Errorf("state = %q, %v; want %q", got, err, v)
				}
			}
		})
	}
}

// TestImportBatchStore checks the importer's round-trip savers on SQLite
// and (when configured) PostgreSQL: ids of several kinds resolved in one
// call agree with single resolves, a page and its progress are stored
// together, stored files are read lean.
func TestImportBatchStore(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlstore.DB{"sqlite": MustOpenDB, "postgres": MustOpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := sys()
			t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			got, err := db.ResolveExternalIDsBatch(ctx, map[string][]string{
				ratsnetz.KindPaper: {"https://x/p/1", "https://x/p/2", "https://x/p/1"},
				ratsnetz.KindFile:  {"https://x/f/1"},
				ratsnetz.KindBody:  nil,
			})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]map[string]int64{
				ratsnetz.KindPaper: {"https://x/p/1": 1, "https://x/p/2": 2},
				ratsnetz.KindFile:  {"https://x/f/1": 1},
				ratsnetz.KindBody:  {},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
			again, err := db.ResolveExternalIDsBatch(ctx, map[string][]string{ratsnetz.KindPaper: {"https://x/p/3", "https://x/p/2"}})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]int64{"https://x/p/2": 2, "https://x/p/3": 3}, again[ratsnetz.KindPaper]); diff != "" {
				t.Errorf("second batch (-want +got):\n%s", diff)
			}
			if one, err := db.ResolveExternalIDs(ctx, ratsnetz.KindPaper, []string{"https://x/p/3"}); err != nil || one["https://x/p/3"] != 3 {
				t.Errorf("single resolve after batch = %v, %v", one, err)
			}
			if _, err := db.ResolveExternalIDsBatch(ctx, map[string][]string{"nonsense": {"a"}}); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
				t.Errorf("unknown kind: %v", err)
			}

			f := &ratsnetz.File{Meta: ratsnetz.Meta{ID: 1, ExternalID: "https://x/f/1", Created: t0, Modified: t0},
				Name: "Anlage", Text: "Volltext", BlobKey: "oparl/file/1", SHA256: "abc", Size: 42}
			state := map[string]string{"oparl:next:list": "https://x/list?page=2", "oparl:start:list": "2025"}
			if err := db.LoadImport(ctx, &ratsnetz.Dataset{Files: []*ratsnetz.File{f}}, state); err != nil {
				t.Fatal(err)
			}
			for k, v := range state {
				if got, err := db.ImportState(ctx, k); err != nil || got != v {
					t.Errorf("state %s = %q, %v; want %q", k, got, err, v)
				}
			}
			if err := db.LoadImport(ctx, nil, map[string]string{"oparl:next:list": ""}); err != nil {
				t.Fatal(err)
			}
			if got, err := db.ImportState(ctx, "oparl:next:list"); err != nil || got != "" {
				t.Errorf("removed state = %q, %v", got, err)
			}
			lean, err := db.ImportedFiles(ctx, []int64{1, 99}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantLean := map[int64]*ratsnetz.File{1: {Meta: ratsnetz.Meta{ID: 1, Modified: t0}, BlobKey: "oparl/file/1", SHA256: "abc", Size: 42}}
			if diff := cmp.Diff(wantLean, lean); diff != "" {
				t.Errorf("imported files (-want +got):\n%s", diff)
			}
			withText, err := db.ImportedFiles(ctx, []int64{1}, []int64{1})
			if err != nil || withText[1] == nil || withText[1].Text != "Volltext" {
				t.Errorf("imported files with text = %+v, %v", withText[1], err)
			}
		})
	}
}
