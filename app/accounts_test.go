package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/totp"
)

// TestDemoAccounts logs in with the documented demo accounts through the
// whole system (response cache included): the council member sees the
// non-public demo paper with its badge, the public never does, and the
// administrator needs the demo TOTP code.
func TestDemoAccounts(t *testing.T) {
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true}, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base := m.URL()
	paper := base + "/vorlagen/" + itoa(demo.NonPublicPaperID)

	newClient := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	do := func(c *http.Client, method, u string, form url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	token := func(c *http.Client, path string) string {
		t.Helper()
		_, body := do(c, http.MethodGet, base+path, nil)
		m := csrf.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no csrf token on %s", path)
		}
		return m[1]
	}
	publicCheck := func(when string) {
		t.Helper()
		for i := 0; i < 2; i++ { // the second answer may come from the cache
			resp, body := do(newClient(), http.MethodGet, paper, nil)
			if resp.StatusCode != 404 || strings.Contains(body, demo.Canary) {
				t.Fatalf("%s: public got %d, canary %v", when, resp.StatusCode, strings.Contains(body, demo.Canary))
			}
		}
	}
	publicCheck("before")

	member := newClient()
	resp, _ := do(member, http.MethodPost, base+"/anmelden", url.Values{"csrf": {token(member, "/anmelden")},
		"login": {"ratsmitglied@musterstadt.example"}, "passwort": {demo.DemoPassword}})
	if resp.StatusCode != 303 {
		t.Fatalf("member login: %d", resp.StatusCode)
	}
	resp, body := do(member, http.MethodGet, paper, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, demo.Canary) || !strings.Contains(body, "nichtöffentlich") {
		t.Fatalf("member: %d, canary %v", resp.StatusCode, strings.Contains(body, demo.Canary))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("member page Cache-Control %q", cc)
	}
	publicCheck("after the member")
	// The view is on record (written asynchronously by the recorder).
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		evs, _, err := m.DB.FindAuditEvents(context.Background(), ratsnetz.AuditFilter{Action: ratsnetz.AuditAccess, ObjectKind: "paper",
			ObjectID: demo.NonPublicPaperID, ListOptions: ratsnetz.ListOptions{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) > 0 {
			if evs[0].Actor != "ratsmitglied@musterstadt.example" {
				t.Errorf("access event actor %q", evs[0].Actor)
			}
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("no access event for the non-public paper")
		}
	}

	admin := newClient()
	resp, _ = do(admin, http.MethodPost, base+"/anmelden", url.Values{"csrf": {token(admin, "/anmelden")},
		"login": {"admin@musterstadt.example"}, "passwort": {demo.DemoPassword}})
	if !strings.HasPrefix(resp.Header.Get("Location"), "/anmelden/zweiter-faktor") {
		t.Fatalf("admin password step → %q", resp.Header.Get("Location"))
	}
	secret, _ := totp.DecodeSecret(demo.DemoTOTPSecret)
	resp, _ = do(admin, http.MethodPost, base+"/anmelden/zweiter-faktor", url.Values{"csrf": {token(admin, "/anmelden/zweiter-faktor")},
		"code": {totp.Code(secret, time.Now())}})
	if resp.StatusCode != 303 {
		t.Fatalf("admin code: %d", resp.StatusCode)
	}
	resp, body = do(admin, http.MethodGet, base+"/verwaltung/konten", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "sitzungsdienst@musterstadt.example") {
		t.Fatalf("admin accounts page: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
