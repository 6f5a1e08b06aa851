package oparl_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestEmbeddedFileDerivatives: a file embedded in a list page names only
// its visible derivatives, in their order — the same list the standalone
// file (general find) shows — and never a non-public one.
func TestEmbeddedFileDerivatives(t *testing.T) {
	fill := func(t *testing.T) func(db *sqlstore.DB) {
		return func(db *sqlstore.DB) {
			ds := testData()
			// File 3 is the main file of the public paper 1; file 4 is
			// the non-public main file of paper 2; 5 and 2 are public.
			ds.Files[2].DerivativeFileIDs = []int64{5, 4, 2}
			ds.Files[0].MasterFileID = 4
			if err := db.Load(ratsnetz.SystemContext(t.Context()), ds); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *env
	}{
		{"sqlite", func(t *testing.T) *env { return MustOpenEnvWith(t, fill(t)) }},
		{"postgres", func(t *testing.T) *env { return newEnv(t, pgtest.MustOpenMigrated(t), fill(t)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.open(t)
			want := []any{e.base + "/file/5", e.base + "/file/2"}
			var main map[string]any
			for _, p := range e.walk(t, e.base+"/body/1/paper") {
				if p["id"] == e.base+"/paper/1" {
					main, _ = p["mainFile"].(map[string]any)
				}
			}
			if main == nil {
				t.Fatal("paper 1 without mainFile on the paper list")
			}
			if diff := cmp.Diff(want, main["derivativeFile"]); diff != "" {
				t.Errorf("embedded derivativeFile (-want +got):\n%s", diff)
			}
			standalone := e.getJSON(t, e.base+"/file/3", 200)
			if diff := cmp.Diff(want, standalone["derivativeFile"]); diff != "" {
				t.Errorf("standalone derivativeFile (-want +got):\n%s", diff)
			}
			// The meeting page embeds file 1, whose master is non-public.
			_, page := e.get(t, e.base+"/body/1/meeting")
			if !bytes.Contains(page, []byte(`"invitation":{"id":"`+e.base+`/file/1"`)) {
				t.Fatalf("meeting page without file 1: %s", page)
			}
			for _, p := range []string{"/body/1/paper", "/body/1/meeting", "/body/1/agendaItem", "/body/1/file", "/file/3", "/file/1"} {
				_, b := e.get(t, e.base+p)
				if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte(`"`+e.base+`/file/4"`)) {
					t.Errorf("GET %s names the non-public file 4: %s", p, b)
				}
			}
		})
	}
}
