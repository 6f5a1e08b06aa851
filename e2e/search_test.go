package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/demo"
)

// TestSearch searches from the header box on the start page in real
// Chromium: the results page lists the paper with the words highlighted,
// a facet narrows it down, the page passes axe-core, and the public never
// sees the canary among the results.
func TestSearch(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	// The indexer works in the background; wait until it has the papers.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var out struct{ Total int }
		if resp, err := http.Get(fx.Base + "/api/suche?q=Fraktionscloud"); err == nil {
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
		}
		if out.Total > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the search index did not get the demo papers")
		}
		time.Sleep(100 * time.Millisecond) // polling an HTTP endpoint with a deadline
	}
	s := &session{t: t, ctx: newTab(t, browserCtx, 3*time.Minute), base: fx.Base}

	s.openStatus("/", 200)
	s.fill("#site-search", "Fraktionscloud")
	if resp := s.submit(`form.search button[type="submit"]`); resp.Status != 200 {
		t.Fatalf("search answered %d", resp.Status)
	}
	if loc := s.location(); !strings.HasPrefix(loc, "/suche?q=Fraktionscloud") {
		t.Fatalf("the header search led to %s", loc)
	}
	s.wantText("h1", "Fraktionscloud")
	s.wantText(".search-results", "Sichere Fraktionscloud für alle Ratsfraktionen", "Treffer 1–")
	if !s.has(".search-hit mark") {
		t.Error("no highlighted words in the hits")
	}
	checkAxe(t, s.ctx, axeSource(t), "/suche")

	// Narrow down to papers through the facet link.
	s.submit(`.search-facets a[href*="typ=paper"]`)
	if loc := s.location(); !strings.Contains(loc, "typ=paper") {
		t.Fatalf("the facet led to %s", loc)
	}
	s.wantText(".search-results", "Sichere Fraktionscloud")

	// The public never finds the non-public material.
	s.openStatus("/suche?q="+url.QueryEscape(demo.Canary), 200)
	if txt := s.text(".search-results"); strings.Contains(txt, demo.Canary) || !strings.Contains(txt, "Keine Treffer") {
		t.Errorf("public canary search:\n%s", txt)
	}
}
