package oparl_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// secret marks every non-public title, text and file of the test data.
const secret = "GEHEIM-OPARL-5K9"

// testClock is a settable clock for the store's de-publication times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a running OParl server over a SQLite store.
type env struct {
	db    *sqlstore.DB
	srv   *httptest.Server
	clock *testClock
	base  string // srv.URL + "/oparl/v1.1"
}

// t0 is the creation time of the test data.
var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// MustOpenEnv starts the server over a store loaded with ds (testData if nil).
func MustOpenEnv(tb testing.TB, ds *ratsnetz.Dataset) *env {
	tb.Helper()
	if ds == nil {
		ds = testData()
	}
	return MustOpenEnvWith(tb, func(db *sqlstore.DB) {
		if err := db.Load(ratsnetz.SystemContext(context.Background()), ds); err != nil {
			tb.Fatal(err)
		}
	})
}

// MustOpenEnvWith starts the server over a store filled by fill.
func MustOpenEnvWith(tb testing.TB, fill func(db *sqlstore.DB)) *env {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return newEnv(tb, db, fill)
}

// newEnv starts the server over the migrated store db filled by fill.
func newEnv(tb testing.TB, db *sqlstore.DB, fill func(db *sqlstore.DB)) *env {
	tb.Helper()
	clock := &testClock{t: t0.Add(24 * time.Hour)}
	db.Now = clock.Now
	fill(db)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	s := oparl.NewServer(oparl.Config{
		Store:   db,
		BaseURL: srv.URL,
		System: ratsnetz.System{
			Name:    "Ratsnetz Test",
			Vendor:  "https://github.com/ratsnetz/ratsnetz",
			Product: "https://github.com/ratsnetz/ratsnetz",
			License: "https://creativecommons.org/licenses/by/4.0/",
		},
	})
	mux.Handle("/oparl/", s.Handler())
	handleFiles(mux)
	return &env{db: db, srv: srv, clock: clock, base: srv.URL + "/oparl/v1.1"}
}

// load loads ds as the system.
func (e *env) load(tb testing.TB, ds *ratsnetz.Dataset) {
	tb.Helper()
	if err := e.db.Load(ratsnetz.SystemContext(context.Background()), ds); err != nil {
		tb.Fatal(err)
	}
}

// get fetches u and returns the response and its body.
func (e *env) get(tb testing.TB, u string, hdr ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no redirects, no transparent gzip
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			tb.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// getJSON fetches u, expects status and decodes the body.
func (e *env) getJSON(tb testing.TB, u string, status int) map[string]any {
	tb.Helper()
	resp, b := e.get(tb, u)
	if resp.StatusCode != status {
		tb.Fatalf("GET %s: status %d, want %d; body %s", u, resp.StatusCode, status, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("GET %s: %v; body %s", u, err, b)
	}
	return m
}

// walk follows a list to its end and returns its entries.
func (e *env) walk(tb testing.TB, u string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	seen := map[string]bool{}
	for u != "" {
		if seen[u] {
			tb.Fatalf("next loop at %s", u)
		}
		seen[u] = true
		page := e.getJSON(tb, u, http.StatusOK)
		for _, it := range page["data"].([]any) {
			out = append(out, it.(map[string]any))
		}
		next, _ := page["links"].(map[string]any)["next"].(string)
		u = next
	}
	return out
}

func ids(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

func at(d time.Duration) time.Time { return t0.Add(d) }

func meta(id int64, created, modified time.Duration) ratsnetz.Meta {
	return ratsnetz.Meta{ID: id, Created: at(created), Modified: at(modified)}
}

// testData is a small council: one city, three organizations, three
// persons, two meetings (one wholly non-public), three papers (one
// non-public), files for each, a non-public agenda item in a public meeting.
func testData() *ratsnetz.Dataset {
	h := time.Hour
	day := 24 * h
	return &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{
			Meta: meta(1, 0, h), Name: "Stadt Beispielstadt", ShortName: "Beispielstadt",
			Kind: ratsnetz.BodyKindMunicipality, Website: "https://www.beispielstadt.de/",
			License: "https://creativecommons.org/licenses/by/4.0/", AGS: "05315000", RGS: "053150000000",
			Classification: "Kreisfreie Stadt", LocationID: 1, Equivalent: []string{"https://www.wikidata.org/wiki/Q365"},
		}},
		LegislativeTerms: []*ratsnetz.LegislativeTerm{{
			Meta: meta(1, 0, 0), BodyID: 1, Name: "Wahlperiode 2020–2025",
			StartDate: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 10, 31, 0, 0, 0, 0, time.UTC),
		}},
		Locations: []*ratsnetz.Location{
			{Meta: meta(1, 0, 0), BodyID: 1, Description: "Rathaus, Ratssaal", StreetAddress: "Markt 1",
				PostalCode: "53111", Locality: "Beispielstadt", Room: "Ratssaal", HasGeo: true, Lat: 50.7353, Lon: 7.1002},
			{Meta: meta(2, 0, 0), BodyID: 1, Description: "Kreuzung Hauptstraße", HasGeo: true, Lat: 50.74, Lon: 7.09},
		},
		Organizations: []*ratsnetz.Organization{
			{Meta: meta(1, 0, 0), BodyID: 1, Name: "Rat der Stadt", OrganizationType: ratsnetz.OrgTypeGremium,
				Classification: ratsnetz.ClassParlament, LocationID: 1, Post: []string{"Vorsitz", "Mitglied"}},
			{Meta: meta(2, 0, 0), BodyID: 1, Name: "Ausschuss für Umwelt", ShortName: "UA",
				OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassAusschuss, SubOrganizationOfID: 1},
			{Meta: meta(3, 0, 0), BodyID: 1, Name: "Fraktion Grün", OrganizationType: ratsnetz.OrgTypeFraktion,
				Classification: ratsnetz.ClassFraktion, Color: "#1fa12d"},
		},
		Persons: []*ratsnetz.Person{
			{Meta: meta(1, 0, 0), BodyID: 1, Name: "Dr. Anna Berg", FamilyName: "Berg", GivenName: "Anna",
				Title: []string{"Dr."}, Gender: "female", LocationID: 1},
			{Meta: meta(2, 0, 0), BodyID: 1, Name: "Bernd Clemens", FamilyName: "Clemens", GivenName: "Bernd"},
			{Meta: meta(3, 0, 0), BodyID: 1, Name: "Cem Demir", FamilyName: "Demir", GivenName: "Cem"},
		},
		Memberships: []*ratsnetz.Membership{
			{Meta: meta(1, 0, 0), PersonID: 1, OrganizationID: 1, Role: ratsnetz.RoleChair, VotingRight: true,
				StartDate: time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC), OnBehalfOfID: 3},
			{Meta: meta(2, 0, 0), PersonID: 2, OrganizationID: 1, Role: ratsnetz.RoleMember, VotingRight: true},
			{Meta: meta(3, 0, 0), PersonID: 2, OrganizationID: 2, Role: ratsnetz.RoleMember, VotingRight: true},
			{Meta: meta(4, 0, 0), PersonID: 3, OrganizationID: 3, Role: ratsnetz.RoleFactionChair},
		},
		Meetings: []*ratsnetz.Meeting{
			{Meta: meta(1, 0, 2*h), BodyID: 1, Name: "5. Sitzung des Rates", MeetingState: ratsnetz.MeetingStateHeld,
				Start: at(30 * day), End: at(30*day + 3*h), LocationID: 1, OrganizationIDs: []int64{1},
				ParticipantIDs: []int64{1, 2}, InvitationFileID: 1, AuxiliaryFileIDs: []int64{2}, Public: true,
				Mode: ratsnetz.ModeInPerson},
			{Meta: meta(2, 0, 0), BodyID: 1, Name: "Sitzung " + secret, Start: at(31 * day),
				OrganizationIDs: []int64{2}, InvitationFileID: 6, Public: false},
		},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: meta(1, 0, h), MeetingID: 1, Order: 0, Number: "Ö 1", Name: "Eröffnung", Public: true},
			{Meta: meta(2, 0, h), MeetingID: 1, Order: 1, Number: "N 2", Name: "Grundstück " + secret,
				ResolutionText: secret, Public: false},
			{Meta: meta(3, 0, h), MeetingID: 1, Order: 2, Number: "Ö 3", Name: "Radweg Hauptstraße", Public: true,
				ConsultationID: 1, PaperID: 1, Result: ratsnetz.ResultAdopted, ResolutionText: "Der Rat beschließt den Radweg.",
				Vote: &ratsnetz.VoteResult{Yes: 30, No: 5, Abstain: 1}, AuxiliaryFileIDs: []int64{5}},
			{Meta: meta(4, 0, 0), MeetingID: 2, Order: 0, Number: "1", Name: "Vertrag " + secret, Public: true},
		},
		Papers: []*ratsnetz.Paper{
			{Meta: meta(1, 0, h), BodyID: 1, Name: "Radweg Hauptstraße", Reference: "2024/0001",
				Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), PaperType: ratsnetz.PaperTypeResolution,
				Status: ratsnetz.PaperStatusDecided, Public: true, MainFileID: 3, LocationIDs: []int64{2},
				OriginatorOrganizationIDs: []int64{3}, UnderDirectionOfIDs: []int64{2}, RelatedPaperIDs: []int64{2, 3},
				Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: "Der Radweg wird gebaut."}}},
			{Meta: meta(2, 0, 0), BodyID: 1, Name: "Grundstücksverkauf " + secret, Reference: "2024/0002",
				PaperType: ratsnetz.PaperTypeResolution, Public: false, MainFileID: 4,
				Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionReasoning, Text: secret}}},
			{Meta: meta(3, 0, 0), BodyID: 1, Name: "Anfrage Spielplätze", Reference: "2024/0003",
				PaperType: ratsnetz.PaperTypeQuestion, Public: true, OriginatorPersonIDs: []int64{3}},
		},
		Consultations: []*ratsnetz.Consultation{
			{Meta: meta(1, 0, 0), PaperID: 1, MeetingID: 1, AgendaItemID: 3, OrganizationIDs: []int64{1},
				Authoritative: true, Role: ratsnetz.ConsultationDecision, Status: ratsnetz.ConsultationDone},
			{Meta: meta(2, 0, 0), PaperID: 2, MeetingID: 2, AgendaItemID: 4, OrganizationIDs: []int64{2},
				Role: ratsnetz.ConsultationPreliminary},
			{Meta: meta(3, 0, 0), PaperID: 1, MeetingID: 2, AgendaItemID: 2, OrganizationIDs: []int64{2},
				Role: ratsnetz.ConsultationPreliminary},
		},
		Files: []*ratsnetz.File{
			{Meta: meta(1, 0, 0), BodyID: 1, Name: "Einladung", FileName: "einladung.pdf", MimeType: "application/pdf",
				Size: 1234, Public: true, Date: time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC), Text: "Einladung zur Sitzung"},
			{Meta: meta(2, 0, 0), BodyID: 1, Name: "Nachtrag", FileName: "nachtrag.pdf", MimeType: "application/pdf", Size: 99, Public: true},
			{Meta: meta(3, 0, 0), BodyID: 1, Name: "Vorlage 2024/0001", FileName: "vorlage.pdf", MimeType: "application/pdf",
				Size: 2048, Public: true, Text: "Der Radweg wird gebaut.", SHA512: strings.Repeat("ab", 64)},
			{Meta: meta(4, 0, 0), BodyID: 1, Name: "Gutachten " + secret, FileName: "gutachten.pdf", MimeType: "application/pdf",
				Public: false, Text: secret},
			{Meta: meta(5, 0, 0), BodyID: 1, Name: "Lageplan", FileName: "lageplan.pdf", MimeType: "application/pdf", Public: true},
			{Meta: meta(6, 0, 0), BodyID: 1, Name: "Einladung " + secret, FileName: "e.pdf", MimeType: "application/pdf", Public: true},
		},
	}
}

// fillDemo returns a fill function that loads the small demo city.
func fillDemo(t *testing.T) func(db *sqlstore.DB) {
	return func(db *sqlstore.DB) {
		blobs, err := disk.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ratsnetz.SystemContext(context.Background()), db, blobs, demo.Options{Scale: demo.ScaleSmall}); err != nil {
			t.Fatal(err)
		}
	}
}

// handleFiles adds a stand-in for the portal's file contents (the
// validator fetches accessUrl and downloadUrl) with the same headers.
func handleFiles(mux *http.ServeMux) {
	mux.HandleFunc("/dateien/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="x.pdf"`)
		io.WriteString(w, "%PDF-1.4")
	})
	mux.HandleFunc("/dateien/{id}/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="x.pdf"`)
		io.WriteString(w, "%PDF-1.4")
	})
}
