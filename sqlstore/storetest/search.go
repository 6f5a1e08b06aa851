package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testSearch checks the full-text index and its access control.
func testSearch(t *testing.T, db *sqlstore.DB) {
	t.Run("Permissions", func(t *testing.T) { testSearchPermissions(t, db) })
	t.Run("Incremental", func(t *testing.T) { testSearchIncremental(t, db) })
}

// RunSearchRelevance runs the relevance suite on the demo municipality:
// German queries with the results a user expects on top. It loads the
// demo into db (fresh and migrated), so it is kept apart from Run.
func RunSearchRelevance(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(sys, db, blobs, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	MustIndexSearch(t, sqlstore.NewSearchIndex(db))
	// Reference numbers depend on the demo's generation; look them up.
	ref := func(title string) string {
		ps, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Text: title, ListOptions: ratsnetz.ListOptions{Limit: 1}})
		if err != nil || len(ps) == 0 {
			t.Fatalf("no paper %q: %v", title, err)
		}
		return ps[0].Reference
	}
	type rel struct {
		q    string
		top  int    // the wanted hit is among the first top hits
		kind string // of this kind ("" = any)
		want string // and its title contains this
		// notTitle, if set, must not stand in any title of the first 10 hits.
		notTitle string
		filter   func(*ratsnetz.SearchQuery)
	}
	cases := []rel{
		// Stemming and derivations.
		{q: "Digitalisierung", top: 3, kind: ratsnetz.SearchPaper, want: "Digitalisierungsstrategie der Stadtverwaltung"},
		{q: "digitalisieren", top: 5, kind: ratsnetz.SearchPaper, want: "Digitalisierungsstrategie"},
		{q: "digitale Ausstattung", top: 3, kind: ratsnetz.SearchPaper, want: "Digitale Ausstattung der"},
		{q: "Tablets", top: 3, kind: ratsnetz.SearchPaper, want: "Digitale Ratsarbeit für ehrenamtliche"},
		{q: "Tablet Mandatsträger", top: 3, kind: ratsnetz.SearchPaper, want: "Digitale Ratsarbeit"},
		{q: "hybride Sitzungen", top: 3, kind: ratsnetz.SearchPaper, want: "Hybride Sitzungen der Ratsgremien"},
		{q: `"hybride Sitzungen"`, top: 1, want: "Hybride Sitzungen"},
		{q: "Glasfaserversorgung", top: 3, kind: ratsnetz.SearchPaper, want: "Glasfaserversorgung"},
		{q: "Klimaschutzkonzept", top: 1, kind: ratsnetz.SearchPaper, want: "Klimaschutzkonzept der Stadt"},
		{q: "Baumschutzsatzung", top: 1, kind: ratsnetz.SearchPaper, want: "Baumschutzsatzung"},
		{q: "Wohnungsmarktbericht", top: 1, kind: ratsnetz.SearchPaper, want: "Wohnungsmarktbericht"},
		{q: "Onlinezugangsgesetz", top: 1, kind: ratsnetz.SearchPaper, want: "Onlinezugangsgesetzes"},
		// Compounds typed in part (prefix).
		{q: "Fraktionscloud", top: 1, kind: ratsnetz.SearchPaper, want: "Sichere Fraktionscloud"},
		{q: "Kommunikation", top: 3, kind: ratsnetz.SearchPaper, want: "Kommunikationssystem"},
		{q: "Schulentwicklung", top: 3, kind: ratsnetz.SearchPaper, want: "Schulentwicklungsplan"},
		{q: "Glasfaser", top: 5, kind: ratsnetz.SearchPaper, want: "Glasfaserversorgung"},
		{q: "Haushaltsplan", top: 3, kind: ratsnetz.SearchPaper, want: "Haushaltssatzung und Haushaltsplan"},
		{q: "Klimaschutz*", top: 5, want: "Klimaschutz"},
		// Umlaut and ß folding.
		{q: "Verkehrsberuhigung Talstrasse", top: 1, kind: ratsnetz.SearchPaper, want: "Verkehrsberuhigung in der Talstraße"},
		{q: "Papierkoerbe Marktplatz", top: 1, kind: ratsnetz.SearchPaper, want: "Papierkörbe in der Marktplatz"},
		{q: "Papierkörbe Marktplatz", top: 1, kind: ratsnetz.SearchPaper, want: "Papierkörbe in der Marktplatz"},
		{q: "Ladesaeulen", top: 3, kind: ratsnetz.SearchPaper, want: "Ladesäulen für E-Autos"},
		{q: "Dachbegruenung", top: 1, kind: ratsnetz.SearchPaper, want: "Dachbegrünung"},
		{q: "Gefluechtete Wiesengrund", top: 1, kind: ratsnetz.SearchPaper, want: "Unterbringung Geflüchteter – Standort Wiesengrund"},
		{q: "Glasfaser Lindenstrasse", top: 3, kind: ratsnetz.SearchPaper, want: "Glasfaserversorgung im Bereich Lindenstraße"},
		// Several words, ranking by title.
		{q: "Tierheim Sanierung Kosten", top: 3, kind: ratsnetz.SearchPaper, want: "Kosten der Sanierung der Tierheim"},
		{q: "Entgeltordnung Musikschule", top: 1, kind: ratsnetz.SearchPaper, want: "Entgeltordnung der Musikschule"},
		{q: "Bebauungsplan Aufstellungsbeschluss", top: 1, kind: ratsnetz.SearchPaper, want: "Bebauungsplan"},
		{q: "Open Data Portal", top: 3, kind: ratsnetz.SearchPaper, want: "Open-Data-Portal"},
		// Reference numbers, exactly.
		{q: ref("Digitalisierungsstrategie der Stadtverwaltung"), top: 1, kind: ratsnetz.SearchPaper, want: "Digitalisierungsstrategie der Stadtverwaltung"},
		{q: ref("Sichere Fraktionscloud"), top: 1, kind: ratsnetz.SearchPaper, want: "Sichere Fraktionscloud"},
		// Organizations, bodies, persons.
		{q: "Ausschuss Digitales", top: 3, kind: ratsnetz.SearchOrganization, want: "Ausschuss für Digitales, Infrastruktur und Mobilität"},
		{q: "Amt für Digitalisierung", top: 3, kind: ratsnetz.SearchOrganization, want: "Amt für Digitalisierung und IT"},
		{q: "Stadtwerke", top: 3, kind: ratsnetz.SearchBody, want: "Stadtwerke Musterstadt GmbH"},
		{q: "Haverkamp", top: 1, kind: ratsnetz.SearchPerson, want: "Haverkamp"},
		// Minutes and resolutions of agenda items.
		{q: "Beschlussfähigkeit", top: 1, kind: ratsnetz.SearchAgendaItem, want: ""},
		// Exclusion and filters.
		{q: "Offener Ganztag -Grundschule", top: 3, kind: ratsnetz.SearchPaper, want: "Offener Ganztag", notTitle: "Grundschule"},
		{q: "Ganztag", top: 1, kind: ratsnetz.SearchPaper, want: "Offener Ganztag", filter: func(q *ratsnetz.SearchQuery) { q.Kind = ratsnetz.SearchPaper }},
		{q: "Papierkörbe", top: 1, kind: ratsnetz.SearchPaper, want: "Papierkörbe", filter: func(q *ratsnetz.SearchQuery) { q.PaperType = ratsnetz.PaperTypeMotion }},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			q := ratsnetz.SearchQuery{Text: c.q, Limit: 10}
			if c.filter != nil {
				c.filter(&q)
			}
			res, err := db.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for i, h := range res.Hits {
				title := text(h.Title)
				if i < c.top && (c.kind == "" || h.Kind == c.kind) && strings.Contains(title, c.want) {
					found = true
				}
				if c.notTitle != "" && strings.Contains(title, c.notTitle) {
					t.Errorf("hit %d %s %d %q contains the excluded %q", i+1, h.Kind, h.ObjectID, title, c.notTitle)
				}
				if q.Kind != "" && h.Kind != q.Kind || q.PaperType != "" && h.PaperType != q.PaperType {
					t.Errorf("hit %d %s %d (%s) outside the filter", i+1, h.Kind, h.ObjectID, h.PaperType)
				}
			}
			if !found {
				t.Errorf("no %s titled …%q… among the first %d of %d hits:\n%s", c.kind, c.want, c.top, res.Total, describe(res))
			}
		})
	}
	t.Run("PhraseOrder", func(t *testing.T) {
		// A phrase stands only in its order: "hybride Sitzungen" finds the
		// paper, the words the other way round do not; excluding the
		// phrase drops it from the hits of its first word.
		const paper = "Hybride Sitzungen der Ratsgremien"
		has := func(q string) bool {
			res, err := db.Search(ctx, ratsnetz.SearchQuery{Text: q, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if strings.Contains(text(h.Title), paper) {
					return true
				}
			}
			return false
		}
		for q, want := range map[string]bool{`"hybride Sitzungen"`: true, `"Sitzungen hybride"`: false,
			"hybride": true, `hybride -"hybride Sitzungen"`: false, `hybride -"Sitzungen hybride"`: true} {
			if got := has(q); got != want {
				t.Errorf("%s: paper %q found %v, want %v", q, paper, got, want)
			}
		}
	})
	if len(cases) < 30 {
		t.Errorf("only %d relevance cases", len(cases))
	}
	t.Run("Facets", func(t *testing.T) {
		res, err := db.Search(ctx, ratsnetz.SearchQuery{Text: "Papierkörbe", Kind: ratsnetz.SearchPaper})
		if err != nil {
			t.Fatal(err)
		}
		sum := func(name string) int {
			n := 0
			for _, f := range res.Facets[name] {
				n += f.Count
			}
			return n
		}
		if res.Total == 0 || sum("paper_type") != res.Total || sum("year") != res.Total || sum("body") != res.Total {
			t.Errorf("total %d, facets %v", res.Total, res.Facets)
		}
		// The kind facet counts without the kind filter: other kinds too.
		if len(res.Facets["kind"]) < 2 {
			t.Errorf("kind facet %v should list the other kinds", res.Facets["kind"])
		}
	})
	t.Run("PDFPage", func(t *testing.T) {
		// The text of file hits keeps its pages: a phrase from a later page
		// of a multi-page PDF reports that page.
		res, err := db.Search(ctx, ratsnetz.SearchQuery{Text: "Niederschrift Anwesend", Kind: ratsnetz.SearchFile, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.Page < 0 {
				t.Errorf("file %d page %d", h.ObjectID, h.Page)
			}
		}
	})
}

// MustIndexSearch brings the search index of x up to date.
func MustIndexSearch(tb testing.TB, x ratsnetz.SearchIndexer) int {
	tb.Helper()
	total := 0
	for {
		n, err := x.IndexPending(context.Background(), 1000)
		if err != nil {
			tb.Fatalf("index: %v", err)
		}
		total += n
		if n == 0 {
			return total
		}
	}
}

func text(ps []ratsnetz.SearchPart) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text)
	}
	return b.String()
}

func describe(res *ratsnetz.SearchResult) string {
	var b strings.Builder
	for i, h := range res.Hits {
		fmt.Fprintf(&b, "  %2d. %-12s %5d score %3d %s %q\n", i+1, h.Kind, h.ObjectID, h.Score, h.Date.Format("2006-01-02"), text(h.Title))
	}
	return b.String()
}

// testSearchPermissions is the permission matrix of search: for each role
// of the store's matrix, exactly the non-public objects the role may see
// are found by their canary markers, and nothing else shows in hits,
// counts, facets or snippets.
func testSearchPermissions(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	db.Now = func() time.Time { return permNow }
	ds := permFixture()
	MustLoad(t, db, ds)
	MustIndexSearch(t, sqlstore.NewSearchIndex(db))
	for _, item := range []int64{300, 305} {
		if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 103, AgendaItemID: item}); err != nil {
			t.Fatal(err)
		}
	}
	account := func(name string, person int64, roles ...ratsnetz.AccountRole) ratsnetz.Viewer {
		a := &ratsnetz.Account{UserName: name, PersonID: person, Roles: roles, Active: true}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.Viewer()
	}
	mandate := ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}
	tests := []struct {
		name string
		v    ratsnetz.Viewer
		want permWant
	}{
		{"public", ratsnetz.Viewer{}, permPublic},
		{"member of A", account("mitgliedA", 100, mandate), permA},
		{"deputy of A", account("vertretungA", 101, mandate), permA},
		{"member of B only", account("mitgliedB", 102, mandate), permB},
		{"member of A conflicted on items 300 and 305", account("befangen", 103, mandate), permWant{[]int64{200, 203}, []int64{301, 304, 305},
			[]int64{401, 404, 405}, []int64{501, 504, 505}, []int64{601, 604, 605}}},
		{"Stadtwerke board member", account("aufsichtsrat", 104, mandate), permBoard},
		{"faction staff of F", account("fraktion", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 13}), permB},
		{"council office of the city", account("sitzungsdienst", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}), permCity},
		{"board office of the Stadtwerke", account("gremienbuero", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2}), permBoard},
		{"administrator", account("admin", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindAdministrator}), permCity},
		{"account without roles or person", account("niemand", 0), permPublic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vctx := ratsnetz.NewContextWithViewer(public, tc.v)
			// Every non-public object of the fixture carries the canary.
			var want []string
			add := func(kind string, letter byte, ids []int64) {
				for _, id := range ids {
					if permHasMarker(ds, string(letter)+fmt.Sprint(id)) {
						want = append(want, fmt.Sprintf("%s %d", kind, id))
					}
				}
			}
			add(ratsnetz.SearchMeeting, 'm', tc.want.meetings)
			add(ratsnetz.SearchAgendaItem, 'i', tc.want.items)
			add(ratsnetz.SearchPaper, 'p', tc.want.papers)
			add(ratsnetz.SearchFile, 'f', tc.want.files)
			slices.Sort(want)
			// The default path, and the path of large data: the rarest
			// word streamed, the others looked up per candidate.
			streamed := sqlstore.WithSearchLimits(vctx, sqlstore.SearchLimits{FullRead: -1})
			for _, c := range []struct {
				q   string
				ctx context.Context
			}{{Canary, vctx}, {`"` + Canary + `"`, vctx}, {"geheim*", vctx}, {"7f3a9c", vctx},
				{Canary, streamed}, {`"` + Canary + `"`, streamed}, {"7f3a9c geheim*", streamed}} {
				q, vctx := c.q, c.ctx
				res, err := db.Search(vctx, ratsnetz.SearchQuery{Text: q, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				visible := map[string]bool{}
				for _, w := range want {
					visible[w] = true
				}
				for _, h := range res.Hits {
					key := fmt.Sprintf("%s %d", h.Kind, h.ObjectID)
					got = append(got, key)
					// Snippets and titles only name markers of visible objects.
					for _, m := range markerRE.FindAllString(text(h.Title)+" "+text(h.Snippet), -1) {
						if !visibleMarker(m, tc.want) {
							t.Errorf("%q: hit %s shows marker %s", q, key, m)
						}
					}
				}
				slices.Sort(got)
				diff(t, q+": hits", got, want)
				if res.Total != len(want) {
					t.Errorf("%q: total %d, want %d", q, res.Total, len(want))
				}
				n := 0
				for _, f := range res.Facets["kind"] {
					n += f.Count
				}
				if n != len(want) {
					t.Errorf("%q: kind facet counts %d, want %d: %v", q, n, len(want), res.Facets["kind"])
				}
				// Facets per filter: a filtered query counts only visible hits.
				for _, kind := range []string{ratsnetz.SearchPaper, ratsnetz.SearchFile} {
					fres, err := db.Search(vctx, ratsnetz.SearchQuery{Text: q, Kind: kind, Limit: 100})
					if err != nil {
						t.Fatal(err)
					}
					wn := 0
					for _, w := range want {
						if strings.HasPrefix(w, kind+" ") {
							wn++
						}
					}
					if fres.Total != wn || len(fres.Hits) != wn {
						t.Errorf("%q kind %s: total %d hits %d, want %d", q, kind, fres.Total, len(fres.Hits), wn)
					}
				}
			}
			// Out of budget (one candidate checked, one looked up): fewer
			// hits and a capped count, but still none hidden.
			for _, l := range []sqlstore.SearchLimits{{Budget: 1}, {FullRead: -1, Walk: 1}} {
				res, err := db.Search(sqlstore.WithSearchLimits(vctx, l), ratsnetz.SearchQuery{Text: Canary, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					if key := fmt.Sprintf("%s %d", h.Kind, h.ObjectID); !slices.Contains(want, key) {
						t.Errorf("limits %+v: hidden hit %s", l, key)
					}
				}
				n := 0
				for _, f := range res.Facets["kind"] {
					n += f.Count
				}
				if res.Total > len(want) || n > len(want) || len(res.Hits) > res.Total {
					t.Errorf("limits %+v: total %d, kind facets %d, hits %d; %d visible", l, res.Total, n, len(res.Hits), len(want))
				}
				if res.Total < len(want) && !res.TotalCapped {
					t.Errorf("limits %+v: total %d of %d visible, not marked as capped", l, res.Total, len(want))
				}
			}
			if tc.v.IsPublic() {
				res, err := db.Search(vctx, ratsnetz.SearchQuery{Text: "Beschluss"})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					if strings.Contains(text(h.Title)+text(h.Snippet), Canary) {
						t.Errorf("public sees the canary in %s %d", h.Kind, h.ObjectID)
					}
				}
			}
		})
	}
}

// visibleMarker reports whether the canary marker m (Canary-<letter><id>)
// belongs to an object in w.
func visibleMarker(m string, w permWant) bool {
	s := strings.TrimPrefix(m, Canary+"-")
	var id int64
	fmt.Sscan(s[1:], &id)
	switch s[0] {
	case 'm':
		return slices.Contains(w.meetings, id)
	case 'i':
		return slices.Contains(w.items, id)
	case 'p':
		return slices.Contains(w.papers, id)
	case 'c':
		return slices.Contains(w.consultations, id)
	case 'f':
		return slices.Contains(w.files, id)
	}
	return false
}

// testSearchIncremental: changes, de-publications and deletions reach the
// index through IndexPending alone, and indexing leaves the data version
// alone (the portal's page cache keys on it; search pages are uncached).
func testSearchIncremental(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	x := sqlstore.NewSearchIndex(db)
	t0 := day(2026, 3, 1)
	paper := &ratsnetz.Paper{Meta: meta(1, t0, t0), BodyID: 1, Name: "Sanierung der Stadtbücherei", Reference: "2026/0047", Public: true,
		Sections: []ratsnetz.TextSection{{Heading: "Sachverhalt", Text: "Die Fenster der Bücherei sind undicht."}}}
	MustLoad(t, db, &ratsnetz.Dataset{Bodies: []*ratsnetz.Body{{Meta: meta(1, t0, t0), Name: "Musterstadt"}}, Papers: []*ratsnetz.Paper{paper}})
	if n := MustIndexSearch(t, x); n != 2 {
		t.Errorf("indexed %d objects, want 2 (body, paper)", n)
	}
	if n := MustIndexSearch(t, x); n != 0 {
		t.Errorf("second pass indexed %d, want 0", n)
	}
	hits := func(q string) []int64 {
		t.Helper()
		res, err := db.Search(ctx, ratsnetz.SearchQuery{Text: q, Kind: ratsnetz.SearchPaper})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range res.Hits {
			ids = append(ids, h.ObjectID)
		}
		return ids
	}
	diff(t, "Fenster", hits("Fenster"), []int64{1})
	diff(t, "2026/0047", hits("2026/0047"), []int64{1})
	diff(t, "Stadtbuecherei", hits("Stadtbuecherei"), []int64{1})

	t1 := t0.Add(time.Hour)
	paper.Modified = t1
	paper.Sections[0].Text = "Das Dach der Bücherei ist undicht."
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper}})
	v0, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := MustIndexSearch(t, x); n != 1 {
		t.Errorf("after the change indexed %d, want 1", n)
	}
	if v1, _ := db.DataVersion(ctx); v1 != v0 {
		t.Errorf("indexing moved the data version (%d → %d)", v0, v1)
	}
	diff(t, "Fenster after change", hits("Fenster"), []int64(nil))
	diff(t, "Dach after change", hits("Dach"), []int64{1})

	// De-published: gone at once, before any reindexing (visibility is
	// decided at query time).
	paper.Public = false
	paper.Modified = t1.Add(time.Hour)
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper}})
	diff(t, "Dach after de-publication", hits("Dach"), []int64(nil))

	// A full rebuild finds the same.
	if err := x.ClearSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	diff(t, "after clear", hits("Sanierung"), []int64(nil))
	MustIndexSearch(t, x)
	res, err := db.Search(sys, ratsnetz.SearchQuery{Text: "Dach"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 {
		t.Errorf("system after rebuild: total %d, want 1", res.Total)
	}
}
