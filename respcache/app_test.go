package respcache_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestAppDepublication runs the whole system (app.Main: portal and OParl
// behind the cache): public pages and OParl objects are cached, and a paper
// de-published through Load is gone from both at the next request.
func TestAppDepublication(t *testing.T) {
	ctx := context.Background()
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()}, nil)
	if err := m.OpenStorage(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.MustLoad(t, m.DB, storetest.Fixture())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	get := func(path string, hdr ...string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", m.URL()+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}

	paper := storetest.Fixture().Papers[0]
	pages := []string{"/vorlagen/60", "/vorlagen", "/oparl/v1.1/paper/60"}
	// hit gets path until the cache answers it (a background worker such as
	// the search indexer may bump the data version once after the start).
	hit := func(path string, hdr ...string) (int, string, http.Header) {
		t.Helper()
		status, body, h := get(path, hdr...)
		for i := 0; i < 20 && h.Get("X-Cache") != "HIT"; i++ {
			status, body, h = get(path, hdr...)
		}
		return status, body, h
	}
	for _, p := range pages {
		status, body, h := hit(p)
		if status != 200 || h.Get("X-Cache") != "HIT" || !strings.Contains(body, paper.Name) {
			t.Fatalf("%s: %d %s, name in body %v", p, status, h.Get("X-Cache"), strings.Contains(body, paper.Name))
		}
		if h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers lost on a hit: %v", p, h)
		}
	}
	// A visitor who opened a form carries the anonymous CSRF cookie (and
	// maybe a language): still the public, served from the cache.
	for _, c := range []string{"ratsnetz-csrf=abc", "lang=de; ratsnetz-csrf=abc"} {
		if _, _, h := hit("/vorlagen/60", "Cookie", c); h.Get("X-Cache") != "HIT" {
			t.Errorf("cookie %q: X-Cache %q, want HIT", c, h.Get("X-Cache"))
		}
	}
	// Not cached: health, session cookies (valid or not: never a stored
	// page for someone who may be logged in), authorization.
	for _, tc := range []struct {
		path string
		hdr  []string
	}{
		{"/healthz", nil},
		{"/vorlagen/60", []string{"Cookie", "ratsnetz-sitzung=x"}},
		{"/vorlagen/60", []string{"Cookie", "ratsnetz-csrf=abc; ratsnetz-sitzung=x"}},
		{"/vorlagen", []string{"Authorization", "Bearer x"}},
	} {
		get(tc.path, tc.hdr...)
		if _, _, h := get(tc.path, tc.hdr...); h.Get("X-Cache") != "" {
			t.Errorf("%s %v: X-Cache %q, want no caching", tc.path, tc.hdr, h.Get("X-Cache"))
		}
	}

	paper.Public = false
	storetest.MustLoad(t, m.DB, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper}})
	for _, p := range pages {
		status, body, h := get(p)
		if h.Get("X-Cache") == "HIT" || strings.Contains(body, paper.Name) {
			t.Errorf("%s after de-publication: %d %s, name in body %v", p, status, h.Get("X-Cache"), strings.Contains(body, paper.Name))
		}
	}
}
