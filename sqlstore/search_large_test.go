package sqlstore_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// BenchmarkSearchLarge runs the query classes of `ratsnetz search bench`
// as the public on an indexed large database, for CPU profiles:
//
//	RATSNETZ_SEARCH_LARGE=/tmp/search/large-sqlite/ratsnetz.db (or postgres://…) \
//	  go test -run X -bench SearchLarge -benchtime 20x -cpuprofile /tmp/search/cpu.out ./sqlstore/
func BenchmarkSearchLarge(b *testing.B) {
	src := os.Getenv("RATSNETZ_SEARCH_LARGE")
	if src == "" {
		b.Skip("RATSNETZ_SEARCH_LARGE not set")
	}
	ctx := context.Background()
	var db *sqlstore.DB
	var err error
	if strings.HasPrefix(src, "postgres://") {
		db, err = postgres.Open(ctx, src)
	} else {
		db, err = sqlite.Open(ctx, src)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	filter := func(q ratsnetz.SearchQuery) ratsnetz.SearchQuery {
		q.Kind, q.Year = ratsnetz.SearchPaper, 2025
		return q
	}
	for _, c := range []struct {
		name string
		q    ratsnetz.SearchQuery
	}{
		{"word", ratsnetz.SearchQuery{Text: "Schule"}},
		{"word-filter", filter(ratsnetz.SearchQuery{Text: "Schule"})},
		{"rare-word", ratsnetz.SearchQuery{Text: "Kita"}},
		{"two", ratsnetz.SearchQuery{Text: "Sanierung Schule"}},
		{"two-filter", filter(ratsnetz.SearchQuery{Text: "Sanierung Schule"})},
		{"phrase", ratsnetz.SearchQuery{Text: `"Offener Ganztag"`}},
		{"phrase-filter", filter(ratsnetz.SearchQuery{Text: `"Offener Ganztag"`})},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Search(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
