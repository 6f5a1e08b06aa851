package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestSearchRebuild: the fast full rebuild writes exactly the index that
// indexing object by object writes (documents, postings, vocabulary), on
// both databases; an interrupted rebuild leaves the old index untouched;
// objects changed while a rebuild runs are caught up by IndexPending.
func TestSearchRebuild(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		testSearchRebuild(t, openSQLite(t))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		testSearchRebuild(t, openPostgres(t))
	})
}

func testSearchRebuild(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	loadDemo(t, db)
	x := sqlstore.NewSearchIndex(db)
	objects := storetest.MustIndexSearch(t, x)
	want := searchIndexDump(t, db)
	if len(want.postings) < objects {
		t.Fatalf("only %d postings for %d objects", len(want.postings), objects)
	}
	wantHits := searchTitles(t, db, "Sanierung Schule")
	if len(wantHits) == 0 {
		t.Fatal("the demo should have hits for Sanierung Schule")
	}

	// Interrupted while staging: the old index stays as it was.
	stop, cancel := context.WithCancel(ctx)
	_, err := x.Rebuild(stop, func(phase string, n int) {
		if n >= 1000 {
			cancel()
		}
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted rebuild: err %v, want context.Canceled", err)
	}
	searchIndexDump(t, db).diff(t, "after the interrupted rebuild", want)

	// Interrupted while swapping in: the swap is one transaction.
	stop, cancel = context.WithCancel(ctx)
	_, err = x.Rebuild(stop, func(phase string, n int) {
		if phase == "merge" {
			cancel()
		}
	})
	cancel()
	if err == nil {
		t.Fatal("rebuild cancelled before the swap: no error")
	}
	searchIndexDump(t, db).diff(t, "after the rebuild cancelled at the swap", want)

	// A full rebuild over a damaged index: the same index as before.
	if _, err := db.WriteDB().ExecContext(ctx, `DELETE FROM search_postings WHERE term >= 'm'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteDB().ExecContext(ctx, `UPDATE search_vocab SET df = df + 7`); err != nil {
		t.Fatal(err)
	}
	res, err := x.Rebuild(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Objects != objects || res.Postings != int64(len(want.postings)) || res.Terms != len(want.vocab) {
		t.Errorf("rebuild: %d objects, %d postings, %d terms; want %d, %d, %d", res.Objects, res.Postings, res.Terms,
			objects, len(want.postings), len(want.vocab))
	}
	if (db.Dialect().Name == "postgres") != (len(res.Backends) > 0) {
		t.Errorf("backends %v on %s", res.Backends, db.Dialect().Name)
	}
	searchIndexDump(t, db).diff(t, "after the rebuild", want)
	if got := searchTitles(t, db, "Sanierung Schule"); fmt.Sprint(got) != fmt.Sprint(wantHits) {
		t.Errorf("hits after the rebuild\n got %q\nwant %q", got, wantHits)
	}
	if n := storetest.MustIndexSearch(t, x); n != 0 {
		t.Errorf("after the rebuild IndexPending indexed %d objects, want 0", n)
	}
	// The staging tables are gone with the rebuild (a second one starts clean).
	if _, err := x.Rebuild(ctx, nil); err != nil {
		t.Fatalf("second rebuild: %v", err)
	}
	searchIndexDump(t, db).diff(t, "after the second rebuild", want)

	// A paper changed after the rebuild read it is indexed as read; the
	// next IndexPending brings it up to date.
	if db.Dialect().Name == "postgres" { // SQLite's one write connection is the rebuild's until it ends
		ps, _, err := db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{Limit: 1}})
		if err != nil || len(ps) == 0 {
			t.Fatalf("no paper: %v", err)
		}
		p := ps[0]
		changed := false
		if _, err := x.Rebuild(ctx, func(phase string, n int) {
			if phase == "read" && !changed {
				changed = true
				p.Name = "Zwischendurch umbenannt Quokkaweide"
				p.Modified = p.Modified.Add(time.Hour)
				storetest.MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}})
			}
		}); err != nil {
			t.Fatal(err)
		}
		if got := searchTitles(t, db, "Quokkaweide"); len(got) != 0 {
			t.Errorf("the rebuild indexed the change made after it read the paper: %q", got)
		}
		if n := storetest.MustIndexSearch(t, x); n != 1 {
			t.Errorf("IndexPending after the rebuild indexed %d objects, want 1 (the changed paper)", n)
		}
		if got := searchTitles(t, db, "Quokkaweide"); len(got) != 1 {
			t.Errorf("the changed paper: hits %q", got)
		}
	}
}

// searchIndex is the content of the index tables, row by row as text.
type searchIndex struct {
	docs, postings, vocab []string
}

func searchIndexDump(t *testing.T, db *sqlstore.DB) searchIndex {
	t.Helper()
	rows := func(q string) []string {
		t.Helper()
		rs, err := db.ReadDB().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		cols, err := rs.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			out = append(out, fmt.Sprintf("%q", vals))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return searchIndex{
		docs: rows(`SELECT id, kind, object_id, src_modified, body_id, paper_type, status, year, boost, date, title, subtitle, body, terms
			FROM search_docs ORDER BY id`),
		postings: rows(`SELECT term, s, dkey, doc_id FROM search_postings ORDER BY term, s, dkey, doc_id`),
		vocab:    rows(`SELECT term, df FROM search_vocab ORDER BY term`),
	}
}

func (got searchIndex) diff(t *testing.T, what string, want searchIndex) {
	t.Helper()
	for _, c := range []struct {
		table     string
		got, want []string
	}{{"search_docs", got.docs, want.docs}, {"search_postings", got.postings, want.postings}, {"search_vocab", got.vocab, want.vocab}} {
		if len(c.got) != len(c.want) {
			t.Errorf("%s: %s has %d rows, want %d", what, c.table, len(c.got), len(c.want))
			continue
		}
		for i := range c.got {
			if c.got[i] != c.want[i] {
				t.Errorf("%s: %s row %d\n got %s\nwant %s", what, c.table, i, c.got[i], c.want[i])
				break
			}
		}
	}
}

func searchTitles(t *testing.T, db *sqlstore.DB, q string) []string {
	t.Helper()
	res, err := db.Search(ratsnetz.SystemContext(context.Background()), ratsnetz.SearchQuery{Text: q, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		var s string
		for _, p := range h.Title {
			s += p.Text
		}
		out = append(out, h.Kind+" "+s)
	}
	return out
}

// loadDemo migrates db and loads the demo municipality into it (files on a
// temporary disk store).
func loadDemo(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ratsnetz.SystemContext(ctx), db, blobs, demo.Options{}); err != nil {
		t.Fatal(err)
	}
}
