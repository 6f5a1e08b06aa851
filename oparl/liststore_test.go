package oparl_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// generalStore is a sqlstore without the OParl list queries (ListStore):
// only the general finds, the batch loaders and the page loaders.
type generalStore struct {
	ratsnetz.Store
	oparl.PageStore
	oparl.BatchStore
}

// TestListStoreAnswersLikeFinds serves the same store twice, once with the
// OParl list queries (ListStore) and once through the general finds only,
// and compares every page of every list byte for byte — with small pages,
// omit_internal and created filters — on the test council and the demo
// city, on SQLite and PostgreSQL. The list queries restate the public's
// visibility as joins; this is the proof they mean the same.
func TestListStoreAnswersLikeFinds(t *testing.T) {
	fillData := func(t *testing.T) func(db *sqlstore.DB) {
		return func(db *sqlstore.DB) {
			ds := locationData()
			// A deleted public paper: its consultations stay listed (as
			// the general find lists them).
			ds.Papers[2].Deleted = true
			ds.Consultations = append(ds.Consultations, &ratsnetz.Consultation{Meta: meta(4, 0, 0), PaperID: 3,
				MeetingID: 1, AgendaItemID: 2, OrganizationIDs: []int64{1, 3}})
			if err := db.Load(ratsnetz.SystemContext(t.Context()), ds); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *env
	}{
		{"sqlite/data", func(t *testing.T) *env { return MustOpenEnvWith(t, fillData(t)) }},
		{"sqlite/demo", func(t *testing.T) *env { return MustOpenEnvWith(t, fillDemo(t)) }},
		{"postgres/data", func(t *testing.T) *env { return newEnv(t, pgtest.MustOpenMigrated(t), fillData(t)) }},
		{"postgres/demo", func(t *testing.T) *env { return newEnv(t, pgtest.MustOpenMigrated(t), fillDemo(t)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && strings.HasSuffix(tc.name, "demo") {
				t.Skip("walks every list of the demo city")
			}
			fast := tc.open(t)
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			mux.Handle("/oparl/", oparl.NewServer(oparl.Config{
				Store: generalStore{fast.db, fast.db, fast.db}, BaseURL: srv.URL,
				System: ratsnetz.System{
					Name:    "Ratsnetz Test",
					Vendor:  "https://github.com/ratsnetz/ratsnetz",
					Product: "https://github.com/ratsnetz/ratsnetz",
					License: "https://creativecommons.org/licenses/by/4.0/",
				},
			}).Handler())
			general := &env{db: fast.db, srv: srv, base: srv.URL + "/oparl/v1.1"}
			params := []string{"", "limit=3", "limit=2&omit_internal=true", "created_since=2020-01-01T00:00:00%2B01:00&limit=7"}
			if strings.HasSuffix(tc.name, "demo") {
				// Larger pages: the demo city has thousands of objects.
				params = []string{"", "limit=37&omit_internal=true", "created_since=2020-01-01T00:00:00%2B01:00&limit=61"}
			}
			compareLists(t, fast, general, params)
		})
	}
}

// compareLists walks every list of every body of a and b with each of the
// query strings params and fails on the first differing page of each list.
func compareLists(t *testing.T, a, b *env, params []string) {
	t.Helper()
	lists := []string{"organization", "person", "meeting", "paper", "agendaitem", "consultation", "file",
		"location", "legislativeterm", "membership"}
	norm := func(e *env, body []byte) []byte { return bytes.ReplaceAll(body, []byte(e.srv.URL), []byte("BASE")) }
	pages := 0
	for _, body := range a.walk(t, a.base+"/body") {
		bodyPath := strings.TrimPrefix(body["id"].(string), a.base)
		for _, l := range lists {
			for _, q := range params {
				p := bodyPath + "/" + l
				if q != "" {
					p += "?" + q
				}
				for p != "" {
					ra, ba := a.get(t, a.base+p)
					rb, bb := b.get(t, b.base+p)
					pages++
					if ra.StatusCode != http.StatusOK || rb.StatusCode != http.StatusOK {
						t.Fatalf("GET %s: status %d (list queries), %d (general finds)", p, ra.StatusCode, rb.StatusCode)
					}
					na, nb := norm(a, ba), norm(b, bb)
					if !bytes.Equal(na, nb) {
						t.Errorf("GET %s differs:\nlist queries:  %s\ngeneral finds: %s", p, na, nb)
						break
					}
					p = nextPath(t, a, ba)
				}
			}
		}
	}
	if pages < 40 {
		t.Fatalf("compared only %d pages", pages)
	}
}

// nextPath returns the path (after e.base) of the next link of a list page.
func nextPath(t *testing.T, e *env, page []byte) string {
	t.Helper()
	i := bytes.Index(page, []byte(`"next":"`))
	if i < 0 {
		return ""
	}
	rest := page[i+len(`"next":"`):]
	u := string(rest[:bytes.IndexByte(rest, '"')])
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u, e.base)
}
