package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// newSearchEnv serves the fixture with the search area on, indexed.
func newSearchEnv(t *testing.T) (*testEnv, *ratsnetz.Dataset) {
	t.Helper()
	ctx := context.Background()
	blobs, err := disk.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	files := testFiles()
	for _, f := range files {
		if _, err := blobs.Put(ctx, f.file.BlobKey, strings.NewReader(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	store := mustOpenStore(t)
	ds := testDataset(files)
	if err := store.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	db := store.(*sqlstore.DB)
	x := sqlstore.NewSearchIndex(db)
	for {
		n, err := x.IndexPending(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	srv := httptest.NewServer(NewServer(Config{
		Store: store, Blobs: blobs, BaseURL: "http://example.org",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return testNow },
		Search: SearchDeps{Search: db, Bodies: db},
	}).Handler())
	t.Cleanup(srv.Close)
	return &testEnv{srv: srv, store: store, files: files}, ds
}

// firstWord returns the first word of s with at least six letters.
func firstWord(s string) string {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) }) {
		if len([]rune(w)) >= 6 {
			return w
		}
	}
	return ""
}

func TestSearchPage(t *testing.T) {
	env, ds := newSearchEnv(t)
	var public, hidden []*ratsnetz.Paper
	for _, p := range ds.Papers {
		if p.Public {
			public = append(public, p)
		} else {
			hidden = append(hidden, p)
		}
	}
	if len(public) == 0 || len(hidden) == 0 {
		t.Fatal("fixture needs public and non-public papers")
	}

	t.Run("public hit", func(t *testing.T) {
		p := public[0]
		w := firstWord(p.Name)
		res, body := env.get(t, "/suche?q="+url.QueryEscape(w))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if !strings.Contains(body, fmt.Sprintf(`href="/vorlagen/%d"`, p.ID)) || !strings.Contains(body, "<mark>") {
			t.Errorf("/suche?q=%s lacks the paper %d with a highlight:\n%s", w, p.ID, body)
		}
		if !strings.Contains(body, `class="search-facets"`) {
			t.Error("no facets")
		}
	})

	t.Run("public gets nothing non-public", func(t *testing.T) {
		queries := []string{testCanary, `"` + testCanary + `"`, "GEHEIM*"}
		for _, p := range hidden {
			queries = append(queries, strings.TrimSpace(strings.ReplaceAll(p.Name, testCanary, "")))
		}
		for _, q := range queries {
			_, body := env.get(t, "/suche?q="+url.QueryEscape(q))
			results := body[strings.Index(body, `id="s-results"`):]
			if strings.Contains(results, testCanary) {
				t.Errorf("%q: results show the canary", q)
			}
			for _, p := range hidden {
				if strings.Contains(body, fmt.Sprintf(`/vorlagen/%d"`, p.ID)) {
					t.Errorf("%q: non-public paper %d listed", q, p.ID)
				}
			}
			_, js := env.get(t, "/api/suche?q="+url.QueryEscape(q))
			if strings.Contains(js, testCanary) && !strings.Contains(js, `"query":`) {
				t.Errorf("%q: JSON shows the canary", q)
			}
			var out searchJSON
			if err := json.Unmarshal([]byte(js), &out); err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			for _, h := range out.Hits {
				if strings.Contains(h.Title+h.Snippet, testCanary) {
					t.Errorf("%q: JSON hit %s %d shows the canary", q, h.Kind, h.ID)
				}
			}
		}
		var out searchJSON
		_, js := env.get(t, "/api/suche?q="+url.QueryEscape(testCanary))
		if err := json.Unmarshal([]byte(js), &out); err != nil {
			t.Fatal(err)
		}
		if out.Total != 0 || len(out.Hits) != 0 || len(out.Facets) != 0 {
			t.Errorf("canary search as the public: %+v", out)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, path := range []string{"/suche?q=x&jahr=abc", "/suche?q=x&typ=unbekannt", "/suche?q=x&seite=0",
			"/suche?q=x&koerperschaft=-1", "/suche?q=" + strings.Repeat("a", 300), "/suche?q=%zz",
			"/api/suche?q=x&jahr=abc", "/api/suche?q=" + strings.Repeat("a", 300)} {
			res, body := env.get(t, path)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", path, res.StatusCode)
			}
			if strings.HasPrefix(path, "/suche") && !strings.Contains(body, "<h1") {
				t.Errorf("%s: no error page", path)
			}
		}
		res, body := env.get(t, "/suche")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="s-q"`) {
			t.Errorf("empty search: status %d", res.StatusCode)
		}
	})

	t.Run("JSON and OpenSearch", func(t *testing.T) {
		res, js := env.get(t, "/api/suche?q="+url.QueryEscape(firstWord(public[0].Name))+"&typ=paper")
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		var out searchJSON
		if err := json.Unmarshal([]byte(js), &out); err != nil {
			t.Fatal(err)
		}
		if out.Total == 0 || out.Hits[0].Kind != ratsnetz.SearchPaper || !strings.HasPrefix(out.Hits[0].URL, "http://example.org/vorlagen/") {
			t.Errorf("JSON %+v", out)
		}
		_, home := env.get(t, "/")
		if !strings.Contains(home, `rel="search" type="application/opensearchdescription+xml" href="/suche/opensearch.xml"`) {
			t.Error("layout does not link the OpenSearch description")
		}
		res, xml := env.get(t, "/suche/opensearch.xml")
		if !strings.Contains(res.Header.Get("Content-Type"), "opensearchdescription+xml") ||
			!strings.Contains(xml, `template="http://example.org/suche?q={searchTerms}"`) {
			t.Errorf("opensearch: %s %s", res.Header.Get("Content-Type"), xml)
		}
	})
}
