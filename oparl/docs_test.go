package oparl_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/oparl/validate"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// docsEnv is a server with stored documents (Config.Build set) over the
// store of live, whose server renders everything live.
func docsEnv(tb testing.TB, live *env) (*env, *oparl.Server) {
	tb.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	s := oparl.NewServer(oparl.Config{
		Store: live.db, BaseURL: srv.URL, Build: "docs-test",
		System: ratsnetz.System{
			Name:    "Ratsnetz Test",
			Vendor:  "https://github.com/ratsnetz/ratsnetz",
			Product: "https://github.com/ratsnetz/ratsnetz",
			License: "https://creativecommons.org/licenses/by/4.0/",
		},
	})
	mux.Handle("/oparl/", s.Handler())
	handleFiles(mux)
	return &env{db: live.db, srv: srv, clock: live.clock, base: srv.URL + "/oparl/v1.1"}, s
}

// docParams are the list parameters the stored-document tests walk.
var docParams = []string{"", "limit=3", "limit=2&omit_internal=true", "modified_since=2020-01-01T00:00:00%2B01:00&limit=4"}

// compareEverything requires every list page (docParams) and every object
// standalone to be byte-identical on a and b, and no page of a to carry
// the non-public marker (secret). It returns everything a served.
func compareEverything(t *testing.T, a, b *env, secret string) []byte {
	t.Helper()
	compareLists(t, a, b, docParams)
	var all bytes.Buffer
	norm := func(e *env, body []byte) []byte { return bytes.ReplaceAll(body, []byte(e.srv.URL), []byte("BASE")) }
	for _, body := range a.walk(t, a.base+"/body") {
		bodyPath := strings.TrimPrefix(body["id"].(string), a.base)
		for _, l := range []string{"organization", "person", "meeting", "paper", "agendaitem", "consultation",
			"file", "location", "legislativeterm", "membership"} {
			for _, q := range []string{"", "?modified_since=2020-01-01T00:00:00%2B01:00"} {
				_, page := a.get(t, a.base+bodyPath+"/"+l+q)
				all.Write(page)
				sameIdentity(t, a, bodyPath+"/"+l+q, page)
				for _, o := range a.walk(t, a.base+bodyPath+"/"+l+q) {
					p := strings.TrimPrefix(o["id"].(string), a.base)
					_, x := a.get(t, a.base+p)
					_, y := b.get(t, b.base+p)
					all.Write(x)
					if l == "meeting" || l == "paper" {
						sameIdentity(t, a, p, x)
					}
					if nx, ny := norm(a, x), norm(b, y); !bytes.Equal(nx, ny) {
						t.Errorf("GET %s differs:\nstored documents: %s\nlive:             %s", p, nx, ny)
					}
				}
			}
		}
	}
	if bytes.Contains(all.Bytes(), []byte(secret)) {
		i := bytes.Index(all.Bytes(), []byte(secret))
		t.Errorf("non-public marker served: …%s…", all.Bytes()[max(0, i-300):i+20])
	}
	return all.Bytes()
}

// sameIdentity requires the body of path (after e.base) for a client
// without gzip to be unencoded and exactly the bytes a gzip client got
// (gzipped, the inflated stored fragments: deflate.go), and a body of 1 KiB
// or more to be gzipped for a client that accepts it.
func sameIdentity(t *testing.T, e *env, path string, gzipped []byte) {
	t.Helper()
	resp, b := e.get(t, e.base+path, "Accept-Encoding", "identity")
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("GET %s without gzip: Content-Encoding %q", path, ce)
	}
	if !bytes.Equal(b, gzipped) {
		t.Errorf("GET %s: identity body differs from the gzip body:\nidentity: %s\ngzip:     %s", path, b, gzipped)
	}
	if resp, z := e.get(t, e.base+path, "Accept-Encoding", "gzip"); len(z) >= 1024 && resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("GET %s: %d bytes not gzipped", path, len(z))
	}
}

// TestStoredDocsMatchLive walks write steps on SQLite and PostgreSQL —
// publishing and de-publishing papers, agenda items, meetings and files,
// relinking files, deleting, changing embedded objects, an import and an
// office result — and after each requires every list page and object of a
// server with stored documents to equal the live render byte for byte,
// both while the documents are stale (before the rebuild) and after it,
// and no non-public marker anywhere. It also shows the documents are
// served (a tampered document appears) and dropped at the next write.
func TestStoredDocsMatchLive(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *env
	}{
		{"sqlite", func(t *testing.T) *env { return MustOpenEnv(t, nil) }},
		{"postgres", func(t *testing.T) *env {
			return newEnv(t, pgtest.MustOpenMigrated(t), func(db *sqlstore.DB) {
				if err := db.Load(ratsnetz.SystemContext(context.Background()), testData()); err != nil {
					t.Fatal(err)
				}
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := tc.open(t)
			docs, srv := docsEnv(t, live)
			ctx := ratsnetz.SystemContext(context.Background())
			now := t0.Add(48 * time.Hour)
			step := func(name string, ds *ratsnetz.Dataset) {
				now = now.Add(time.Hour)
				live.clock.Set(now)
				setModified(ds, now)
				if err := live.db.Load(ctx, ds); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			d := testData()
			steps := []struct {
				name  string
				write func()
			}{
				{"initial", func() {}},
				{"paper 1 de-published", func() {
					d.Papers[0].Public = false
					step("paper", &ratsnetz.Dataset{Papers: d.Papers[:1]})
				}},
				{"paper 1 published again", func() {
					d.Papers[0].Public = true
					step("paper", &ratsnetz.Dataset{Papers: d.Papers[:1]})
				}},
				{"agenda item 3 de-published", func() {
					d.AgendaItems[2].Public = false
					step("item", &ratsnetz.Dataset{AgendaItems: d.AgendaItems[2:3]})
				}},
				{"meeting 1 de-published", func() {
					d.Meetings[0].Public = false
					step("meeting", &ratsnetz.Dataset{Meetings: d.Meetings[:1]})
				}},
				{"meeting 1 and item 3 published again", func() {
					d.Meetings[0].Public = true
					d.AgendaItems[2].Public = true
					step("meeting", &ratsnetz.Dataset{Meetings: d.Meetings[:1], AgendaItems: d.AgendaItems[2:3]})
				}},
				{"file 5 (item 3) de-published", func() {
					d.Files[4].Public = false
					step("file", &ratsnetz.Dataset{Files: d.Files[4:5]})
				}},
				{"file 5 published, files relinked", func() {
					d.Files[4].Public = true
					d.Meetings[0].AuxiliaryFileIDs = []int64{5}
					d.Meetings[0].ResultsProtocolFileID = 2
					d.Papers[2].MainFileID = 5
					d.AgendaItems[0].ResolutionFileID = 1
					step("relink", &ratsnetz.Dataset{Files: d.Files[4:5], Meetings: d.Meetings[:1],
						Papers: d.Papers[2:3], AgendaItems: d.AgendaItems[:1]})
				}},
				{"non-public paper 2 shares file 5", func() {
					// A file named by a non-public owner leaves every page.
					d.Papers[1].AuxiliaryFileIDs = []int64{5}
					step("share", &ratsnetz.Dataset{Papers: d.Papers[1:2]})
				}},
				{"embedded objects changed", func() {
					d.AgendaItems[0].Name = "Eröffnung und Begrüßung"
					d.AgendaItems[2].Vote = &ratsnetz.VoteResult{Yes: 31, No: 4, Abstain: 1}
					d.Locations[0].Room = "Großer Saal"
					d.Consultations[0].Status = ratsnetz.ConsultationDone
					d.Consultations[0].Result = ratsnetz.ResultAdopted
					d.Files[0].Name = "Einladung (neu)"
					step("embedded", &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{d.AgendaItems[0], d.AgendaItems[2]},
						Locations: d.Locations[:1], Consultations: d.Consultations[:1], Files: d.Files[:1]})
				}},
				{"content changed, modified unchanged", func() {
					// A stamp of modified times would miss this one.
					d.AgendaItems[2].ResolutionText = "Der Rat beschließt den Radweg (geändert)."
					if err := live.db.Load(ctx, &ratsnetz.Dataset{AgendaItems: d.AgendaItems[2:3]}); err != nil {
						t.Fatal(err)
					}
				}},
				{"agenda item 1 and paper 3 deleted", func() {
					d.AgendaItems[0].Deleted = true
					d.Papers[2].Deleted = true
					step("delete", &ratsnetz.Dataset{AgendaItems: d.AgendaItems[:1], Papers: d.Papers[2:3]})
				}},
				{"import of a meeting and a paper", func() {
					step("import", &ratsnetz.Dataset{
						Meetings: []*ratsnetz.Meeting{{Meta: meta(3, 0, 0), BodyID: 1, Name: "6. Sitzung des Rates",
							Start: at(60 * 24 * time.Hour), LocationID: 2, OrganizationIDs: []int64{1}, Public: true,
							InvitationFileID: 7}},
						AgendaItems: []*ratsnetz.AgendaItem{
							{Meta: meta(5, 0, 0), MeetingID: 3, Order: 0, Number: "Ö 1", Name: "Haushalt", Public: true,
								ConsultationID: 4, PaperID: 4},
							{Meta: meta(6, 0, 0), MeetingID: 3, Order: 1, Number: "N 2", Name: "Personal " + secret, Public: false,
								AuxiliaryFileIDs: []int64{8}},
						},
						Papers: []*ratsnetz.Paper{{Meta: meta(4, 0, 0), BodyID: 1, Name: "Haushalt 2025", Reference: "2024/0004",
							Public: true, MainFileID: 7}},
						Consultations: []*ratsnetz.Consultation{{Meta: meta(4, 0, 0), PaperID: 4, MeetingID: 3, AgendaItemID: 5,
							OrganizationIDs: []int64{1}}},
						Files: []*ratsnetz.File{
							{Meta: meta(7, 0, 0), BodyID: 1, Name: "Haushaltsplan", FileName: "h.pdf", MimeType: "application/pdf", Public: true},
							{Meta: meta(8, 0, 0), BodyID: 1, Name: "Personalakte " + secret, FileName: "p.pdf", MimeType: "application/pdf", Public: true},
						},
					})
				}},
				{"office result for agenda item 5", func() {
					now = now.Add(time.Hour)
					live.clock.Set(now)
					if _, err := live.db.RecordResult(ctx, 5, ratsnetz.ItemResult{Result: ratsnetz.ResultAdopted,
						ResolutionText: "Der Haushalt wird beschlossen.", Vote: &ratsnetz.VoteResult{Yes: 20, No: 3}}); err != nil {
						t.Fatalf("record result: %v", err)
					}
				}},
			}
			for _, s := range steps {
				s.write()
				// Stale documents (after a write, before the rebuild) are
				// never served.
				compareEverything(t, docs, live, secret)
				st, err := srv.BuildDocs(context.Background())
				if err != nil {
					t.Fatalf("%s: build: %v", s.name, err)
				}
				if st.Objects == 0 || st.Superseded {
					t.Fatalf("%s: build stored %d documents (superseded %v)", s.name, st.Objects, st.Superseded)
				}
				if again, err := srv.BuildDocs(context.Background()); err != nil || len(again.Kinds) != 0 {
					t.Fatalf("%s: second build without a write rendered %v (%v)", s.name, again.Kinds, err)
				}
				compareEverything(t, docs, live, secret)
				if t.Failed() {
					t.Fatalf("step %q failed", s.name)
				}
			}

			// The documents are what is served: a tampered document shows,
			// gzipped (from the stored fragments) and inflated, under a new
			// ETag (computed from the documents' hashes, deflate.go).
			tagged := []string{"/body/1/meeting", "/meeting/1", "/body/1/paper", "/paper/1"}
			etags := map[string]string{}
			for _, u := range tagged {
				resp, _ := docs.get(t, docs.base+u)
				etags[u] = resp.Header.Get("ETag")
				if resp, _ := docs.get(t, docs.base+u, "If-None-Match", etags[u]); resp.StatusCode != http.StatusNotModified {
					t.Errorf("GET %s with its ETag: status %d, want 304", u, resp.StatusCode)
				}
			}
			wdb := live.db.WriteDB()
			type row struct {
				set, id int64
				doc     []byte
			}
			var rows []row
			rs, err := wdb.Query(`SELECT set_id, id, doc FROM oparl_docs`)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.set, &r.id, &r.doc); err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r)
			}
			if err := rs.Close(); err != nil {
				t.Fatal(err)
			}
			update := `UPDATE oparl_docs SET doc = ? WHERE set_id = ? AND id = ?`
			if live.db.Dialect().Name == "postgres" {
				update = `UPDATE oparl_docs SET doc = $1 WHERE set_id = $2 AND id = $3`
			}
			for _, r := range rows {
				doc, err := oparl.TamperDoc(r.doc, "Radweg", "MANIPULIERT")
				if err != nil {
					t.Fatalf("stored document %d not in the compressed layout: %v", r.id, err)
				}
				if _, err := wdb.Exec(update, doc, r.set, r.id); err != nil {
					t.Fatal(err)
				}
			}
			for _, u := range tagged {
				if resp, _ := docs.get(t, docs.base+u, "If-None-Match", etags[u]); resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s with the ETag from before the change: status %d, want 200", u, resp.StatusCode)
				}
				for _, enc := range []string{"gzip", "identity"} {
					resp, b := docs.get(t, docs.base+u, "Accept-Encoding", enc)
					if !bytes.Contains(b, []byte("MANIPULIERT")) {
						t.Errorf("GET %s (%s): not served from the stored documents: %s", u, enc, b)
					}
					if got := resp.Header.Get("Content-Encoding"); (got == "gzip") != (enc == "gzip") {
						t.Errorf("GET %s (Accept-Encoding %s): Content-Encoding %q", u, enc, got)
					}
				}
			}
			// Any write makes them stale: the live render again.
			step("touch", &ratsnetz.Dataset{Persons: testData().Persons[:1]})
			if b := compareEverything(t, docs, live, secret); bytes.Contains(b, []byte("MANIPULIERT")) {
				t.Error("stale documents served after a write")
			}
		})
	}
}

// setModified sets the modified time of every object in ds to at.
func setModified(ds *ratsnetz.Dataset, at time.Time) {
	for _, v := range ds.Meetings {
		v.Modified = at
	}
	for _, v := range ds.AgendaItems {
		v.Modified = at
	}
	for _, v := range ds.Papers {
		v.Modified = at
	}
	for _, v := range ds.Files {
		v.Modified = at
	}
	for _, v := range ds.Consultations {
		v.Modified = at
	}
	for _, v := range ds.Locations {
		v.Modified = at
	}
	for _, v := range ds.Persons {
		v.Modified = at
	}
}

// TestDemoStoredDocs: on the demo city with stored documents built, every
// list page and object equals the live render and carries no canary, and
// the validator finds no error.
func TestDemoStoredDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every list and object of the demo city")
	}
	live, _ := mustOpenDemo(t)
	docs, srv := docsEnv(t, live)
	st, err := srv.BuildDocs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Objects < 100 {
		t.Fatalf("stored %d documents", st.Objects)
	}
	compareEverything(t, docs, live, demo.Canary)
	rep, err := validate.Run(context.Background(), validate.Options{URL: docs.base + "/system", Client: docs.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors() > 0 {
		rep.Write(os.Stderr)
		t.Errorf("%d errors", rep.Errors())
	}
}
