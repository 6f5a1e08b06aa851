package web

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/", "/vorlagen/400", "/vorlagen/401", "/gibtsnicht", "/sitzungen/abc", "/static/style.css", "/dateien/503"} {
		t.Run(path, func(t *testing.T) {
			resp, _ := env.get(t, path)
			h := resp.Header
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "same-origin" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") && !strings.Contains(csp, "sandbox") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy without frame-ancestors: %q", csp)
			}
			if strings.Contains(csp, "unsafe-inline") && strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Errorf("HTML page allows inline code: %q", csp)
			}
		})
	}
}

// TestBadInput: wrong IDs, filters, dates and oversized queries are answered
// with 400 or 404 pages in German, never 500.
func TestBadInput(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		path string
		want int
	}{
		{"/sitzungen/abc", 404},
		{"/sitzungen/-1", 404},
		{"/sitzungen/0", 404},
		{"/sitzungen/007", 404},
		{"/sitzungen/99999999999999999999999", 404},
		{"/sitzungen/9223372036854775807", 404},
		{"/sitzungen/1e3", 404},
		{"/sitzungen/200/top/abc", 404},
		{"/sitzungen/abc/top/300", 404},
		{"/sitzungen/202/top/300", 404}, // item of another meeting
		{"/sitzungen/200/top/302", 404}, // non-public item
		{"/sitzungen/201/top/303", 404}, // item of a non-public meeting
		{"/sitzungen/201", 404},
		{"/sitzungen/201/druck", 404},
		{"/vorlagen/401", 404},
		{"/vorlagen/401/druck", 404},
		{"/vorlagen/403", 404}, // soft-deleted
		{"/vorlagen/x", 404},
		{"/vorlagen/%00", 404},
		{"/gremien/-5", 404},
		{"/gremien/999", 404},
		{"/personen/abc", 404},
		{"/personen/999", 404},
		{"/dateien/abc", 404},
		{"/dateien/abc/download", 404},
		{"/gibtsnicht", 404},
		{"/static/", 404},
		{"/static/nope.css", 404},
		{"/sitzungen?gremium=abc", 400},
		{"/sitzungen?gremium=-1", 400},
		{"/sitzungen?gremium=999", 400},
		{"/sitzungen?gremium=99999999999999999999", 400},
		{"/sitzungen?von=2026-13-45", 400},
		{"/sitzungen?von=gestern", 400},
		{"/sitzungen?bis=31.02.2026", 400},
		{"/sitzungen?von=0001-01-01", 400},
		{"/sitzungen?seite=0", 400},
		{"/sitzungen?seite=-3", 400},
		{"/sitzungen?seite=abc", 400},
		{"/sitzungen?seite=99999999", 400},
		{"/sitzungen?%zz=1", 400},
		{"/sitzungen?a=%", 400},
		{"/sitzungen?q=%ff%fe", 400},
		{"/vorlagen?art=Unbekannt", 400},
		{"/vorlagen?status=irgendwas", 400},
		{"/vorlagen?jahr=zwanzig", 400},
		{"/vorlagen?jahr=99999", 400},
		{"/vorlagen?gremium=1.5", 400},
		{"/vorlagen?q=" + strings.Repeat("x", 201), 400},
		{"/vorlagen?q=" + strings.Repeat("x", 5000), 400},
		{"/vorlagen?" + strings.Repeat("a=1&", 1200), 400},
		{"/suche?q=" + strings.Repeat("y", 300), 400},
		{"/personen?seite=x", 400},
		{"/personen?buchstabe=AB", 400},
		{"/personen?buchstabe=ä", 400},
		{"/?a=%zz", 400},
	}
	for _, tt := range tests {
		t.Run(tt.path[:min(len(tt.path), 60)], func(t *testing.T) {
			resp, body := env.get(t, tt.path)
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type = %q, want an HTML error page", resp.Header.Get("Content-Type"))
			}
			wantTitle := map[int]string{400: "<h1>Ungültige Anfrage</h1>", 404: "<h1>Seite nicht gefunden</h1>"}[tt.want]
			if !strings.Contains(body, wantTitle) {
				t.Errorf("error page without %q", wantTitle)
			}
			if strings.Contains(body, testCanary) {
				t.Errorf("non-public content in an error page")
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/", "/vorlagen", "/vorlagen/400", "/dateien/503"} {
		resp, err := env.srv.Client().Post(env.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: status %d, Allow %q; want 405", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	resp, body := env.get(t, "/vorlagen/400")
	if req, _ := http.NewRequest(http.MethodHead, env.srv.URL+"/vorlagen/400", nil); req != nil {
		head, err := env.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		head.Body.Close()
		if head.StatusCode != http.StatusOK || resp.StatusCode != http.StatusOK || body == "" {
			t.Errorf("HEAD: status %d", head.StatusCode)
		}
	}
}

func TestRecoverRendersErrorPage(t *testing.T) {
	s := NewServer(Config{Store: mustOpenStore(t)})
	s.Mount("GET /kaputt", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }))
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	resp, body := get(t, srv.Client(), srv.URL+"/kaputt")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	if !strings.Contains(body, "<h1>Interner Fehler</h1>") || strings.Contains(body, "boom") {
		t.Errorf("500 page wrong or leaks the panic:\n%s", body)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing on 500")
	}
}

func TestMountKeepsMiddleware(t *testing.T) {
	s := NewServer(Config{Store: mustOpenStore(t)})
	s.Mount("/oparl/v1.1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	resp, body := get(t, srv.Client(), srv.URL+"/oparl/v1.1/system")
	if resp.StatusCode != http.StatusOK || body != "{}" {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	if resp.Header.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("mounted handler without security headers")
	}
}

func TestLocale(t *testing.T) {
	env := newTestEnv(t)
	t.Run("default German", func(t *testing.T) {
		_, body := env.get(t, "/sitzungen/200")
		for _, w := range []string{`<html lang="de">`, "Tagesordnung", "Di., 24.11.2026, 17:00 Uhr", `href="/sitzungen/200?lang=en"`} {
			if !strings.Contains(body, w) {
				t.Errorf("missing %q", w)
			}
		}
	})
	t.Run("Accept-Language", func(t *testing.T) {
		_, body := env.get(t, "/sitzungen/200", "Accept-Language", "en-GB,en;q=0.9,de;q=0.5")
		for _, w := range []string{`<html lang="en">`, "Agenda", "Tue, 24 Nov 2026, 17:00", "Public part"} {
			if !strings.Contains(body, w) {
				t.Errorf("missing %q", w)
			}
		}
		_, body = env.get(t, "/", "Accept-Language", "fr,de;q=0.8,en;q=0.2")
		if !strings.Contains(body, `<html lang="de">`) {
			t.Errorf("German not preferred")
		}
	})
	t.Run("switch and cookie", func(t *testing.T) {
		c := newJarClient(t)
		_, body := get(t, c, env.srv.URL+"/vorlagen?lang=en")
		if !strings.Contains(body, "<h1>Papers</h1>") || !strings.Contains(body, `href="/vorlagen?lang=de"`) {
			t.Fatalf("no English after ?lang=en")
		}
		_, body = get(t, c, env.srv.URL+"/gremien")
		if !strings.Contains(body, "<h1>Committees</h1>") {
			t.Errorf("language not remembered")
		}
		_, body = get(t, c, env.srv.URL+"/gremien?lang=de")
		if !strings.Contains(body, "<h1>Gremien</h1>") {
			t.Errorf("no switch back to German")
		}
		_, body = get(t, c, env.srv.URL+"/gremien?lang=xx")
		if !strings.Contains(body, "<h1>Gremien</h1>") {
			t.Errorf("unknown language changed the locale")
		}
	})
	t.Run("English error page", func(t *testing.T) {
		resp, body := env.get(t, "/vorlagen/401?lang=en")
		if resp.StatusCode != 404 || !strings.Contains(body, "<h1>Page not found</h1>") {
			t.Errorf("status %d, body without English 404 title", resp.StatusCode)
		}
	})
}

// TestCatalogsComplete: every key used in code and templates exists in every
// language, and the languages have the same keys.
func TestCatalogsComplete(t *testing.T) {
	cats := newCatalogs()
	keysOf := func(c *catalog) []string {
		var ks []string
		for k := range c.msgs {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if diff := cmp.Diff(keysOf(cats["de"]), keysOf(cats["en"])); diff != "" {
		t.Errorf("catalogues differ (-de +en):\n%s", diff)
	}
	re := regexp.MustCompile(`T "([a-zA-Z0-9.]+)"|"((?:err|file)\.[a-zA-Z]+)"`)
	var used []string
	entries, _ := templateFS.ReadDir("templates")
	for _, e := range entries {
		b, _ := templateFS.ReadFile("templates/" + e.Name())
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1]+m[2])
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys; the pattern is broken", len(used))
	}
	for _, k := range used {
		if !cats["de"].has(k) {
			t.Errorf("key %q missing", k)
		}
	}
	if !reflect.DeepEqual(cats["de"].weekdays[2], "Di.,") {
		t.Errorf("weekday %q", cats["de"].weekdays[2])
	}
}
