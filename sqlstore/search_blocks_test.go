package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestSearchBlocks: a query answers the same (hits, scores, order, counts,
// facets) whether the postings come from the rows or from the posting
// blocks, also after documents changed since the blocks were built (stale
// documents), on both databases and on every path of the query.
func TestSearchBlocks(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		testSearchBlocks(t, openSQLite(t))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		testSearchBlocks(t, openPostgres(t))
	})
}

func testSearchBlocks(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	loadDemo(t, db)
	x := sqlstore.NewSearchIndex(db)
	x.StaleMax = -1 // blocks only when this test builds them
	x.BlockMin = 1  // every term gets a block
	storetest.MustIndexSearch(t, x)

	queries := []string{"Sanierung", "Schule", "Haushalt", "Sanierung Schule", "Haushaltsplan 2026", "Offener Ganztag",
		"Digitalisierung", "digitale Ausstattung", "Bebauungsplan Aufstellungsbeschluss", "Klimaschutz*",
		`"Offener Ganztag"`, "Offener Ganztag -Grundschule", "Antrag Fraktion Stadt", "Quokkaweide", "Quokkaweide Sanierung",
		"Tierheim Sanierung Kosten", "Niederschrift Anwesend"}
	limits := map[string]sqlstore.SearchLimits{
		"default":  {},
		"streamed": {FullRead: -1},
		"walk":     {FullRead: -1, Walk: 5},
		"budget":   {Budget: 3},
	}
	// answers runs every query on every path, as the public and as the
	// system, and returns the answers as text.
	answers := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, q := range queries {
			for ln, l := range limits {
				if ln == "budget" && !strings.Contains(q, " ") {
					// Out of budget, the rows take a single word's
					// documents in the order of their best posting, the
					// blocks in the order of the full score: both are
					// right ("more than N"), they are not the same N.
					continue
				}
				for vn, vctx := range map[string]context.Context{"public": ctx, "system": sys} {
					for _, f := range []func(*ratsnetz.SearchQuery){func(*ratsnetz.SearchQuery) {}, func(q *ratsnetz.SearchQuery) { q.Kind = ratsnetz.SearchPaper }} {
						sq := ratsnetz.SearchQuery{Text: q, Limit: 50}
						f(&sq)
						res, err := db.Search(sqlstore.WithSearchLimits(vctx, l), sq)
						if err != nil {
							t.Fatalf("%q: %v", q, err)
						}
						var b strings.Builder
						fmt.Fprintf(&b, "total %d capped %v facets %v\n", res.Total, res.TotalCapped, res.Facets)
						for _, h := range res.Hits {
							fmt.Fprintf(&b, "%s %d %d\n", h.Kind, h.ObjectID, h.Score)
						}
						out[fmt.Sprintf("%s/%s/%s/%s", q, ln, vn, sq.Kind)] = b.String()
					}
				}
			}
		}
		return out
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.WriteDB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.ReadDB().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Rows only.
	exec(`DELETE FROM search_blocks`)
	rows := answers()
	if !strings.Contains(rows["Sanierung Schule/default/public/"], "file") || !strings.Contains(rows["Sanierung/default/system/"], "paper") {
		t.Fatalf("the demo should have hits for Sanierung (Schule):\n%s\n%s", rows["Sanierung Schule/default/public/"], rows["Sanierung/default/system/"])
	}

	// Blocks of every term.
	if err := x.BuildSearchBlocks(ctx); err != nil {
		t.Fatal(err)
	}
	if n, v := count(`SELECT COUNT(*) FROM search_blocks`), count(`SELECT COUNT(*) FROM search_vocab`); n != v {
		t.Fatalf("%d blocks for %d terms", n, v)
	}
	if n := count(`SELECT COUNT(*) FROM search_stale`); n != 0 {
		t.Errorf("%d stale documents after the build, want 0", n)
	}
	if diff := cmp.Diff(rows, answers()); diff != "" {
		t.Fatalf("blocks answer differently than rows (-rows +blocks):\n%s", diff)
	}

	// Documents change after the blocks were built: words come, words go.
	ps, _, err := db.FindPapers(sys, ratsnetz.PaperFilter{Text: "Sanierung", ListOptions: ratsnetz.ListOptions{Limit: 3}})
	if err != nil || len(ps) < 3 {
		t.Fatalf("papers about Sanierung: %d, %v", len(ps), err)
	}
	ps[0].Name = "Quokkaweide Sanierung Schule Haushaltsplan 2026"
	ps[1].Name = "Umbenannt ohne das Wort"
	ps[1].Sections = nil
	ps[2].Deleted = true
	for _, p := range ps {
		p.Modified = p.Modified.Add(time.Hour)
	}
	storetest.MustLoad(t, db, &ratsnetz.Dataset{Papers: ps})
	if n := storetest.MustIndexSearch(t, x); n != 3 {
		t.Fatalf("IndexPending indexed %d objects, want 3", n)
	}
	if n := count(`SELECT COUNT(*) FROM search_stale`); n != 3 {
		t.Fatalf("%d stale documents, want 3", n)
	}
	stale := answers()
	if !strings.Contains(stale["Quokkaweide Sanierung/default/system/"], fmt.Sprintf("paper %d ", ps[0].ID)) {
		t.Errorf("the renamed paper is not found by its new words:\n%s", stale["Quokkaweide Sanierung/default/system/"])
	}
	exec(`DELETE FROM search_blocks`)
	if diff := cmp.Diff(answers(), stale); diff != "" {
		t.Fatalf("blocks with stale documents answer differently than rows (-rows +blocks):\n%s", diff)
	}

	// Built anew: the stale documents are forgotten, the answers stay.
	if err := x.BuildSearchBlocks(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM search_stale`); n != 0 {
		t.Errorf("%d stale documents after the second build, want 0", n)
	}
	if diff := cmp.Diff(stale, answers()); diff != "" {
		t.Fatalf("rebuilt blocks answer differently (-before +after):\n%s", diff)
	}

	// IndexPending builds the blocks itself once caught up with many
	// stale documents.
	x.StaleMax = 2
	ps[0].Name = "Noch einmal umbenannt"
	ps[1].Name = "Wieder umbenannt"
	ps[2].Deleted = false
	for _, p := range ps {
		p.Modified = p.Modified.Add(time.Hour)
	}
	storetest.MustLoad(t, db, &ratsnetz.Dataset{Papers: ps})
	storetest.MustIndexSearch(t, x)
	if n := count(`SELECT COUNT(*) FROM search_stale`); n != 0 {
		t.Errorf("%d stale documents after IndexPending caught up, want 0 (blocks built anew)", n)
	}
}
