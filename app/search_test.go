package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
)

// TestSearchThroughTheSystem: the background indexer indexes the demo
// without being asked, the public finds public papers and never the
// non-public one, a council member finds it, and Close stops the indexer.
func TestSearchThroughTheSystem(t *testing.T) {
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true}, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			m.Close()
		}
	})
	base := m.URL()
	jar, _ := cookiejar.New(nil)
	member := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	total := func(c *http.Client, q string) int {
		t.Helper()
		var out struct{ Total int }
		if err := json.Unmarshal([]byte(get(c, "/api/suche?q="+url.QueryEscape(q))), &out); err != nil {
			t.Fatal(err)
		}
		return out.Total
	}
	// Poll until the indexer has got to the demo's papers.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(3 * time.Minute)
		for !ok() {
			select {
			case <-tick.C:
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("the index", func() bool { return total(http.DefaultClient, "Fraktionscloud") > 0 })

	secret := "Grundstücksangelegenheit Flurstück"
	if n := total(http.DefaultClient, secret); n != 0 {
		t.Errorf("public finds %d hits for the non-public paper", n)
	}
	if n := total(http.DefaultClient, demo.Canary); n != 0 {
		t.Errorf("public finds %d hits for the canary", n)
	}
	page := get(http.DefaultClient, "/suche?q="+url.QueryEscape(demo.Canary))
	if results := page[strings.Index(page, `id="s-results"`):]; strings.Contains(results, demo.Canary) {
		t.Error("public search results show the canary")
	}

	login := get(member, "/anmelden")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(login)
	if csrf == nil {
		t.Fatal("no csrf token")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/anmelden", strings.NewReader(url.Values{"csrf": {csrf[1]},
		"login": {"ratsmitglied@musterstadt.example"}, "passwort": {demo.DemoPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := member.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member login: %d", resp.StatusCode)
	}
	waitFor("the member's hit", func() bool { return total(member, secret) > 0 })
	body := get(member, "/suche?q="+url.QueryEscape(secret))
	if !strings.Contains(body, `href="/vorlagen/5"`) {
		t.Errorf("member's search lacks the non-public paper:\n%s", body)
	}
	if n := total(http.DefaultClient, secret); n != 0 {
		t.Errorf("after the member, the public finds %d hits", n)
	}

	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	closed = true
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Close did not return (indexer not stopped)")
	}
}
