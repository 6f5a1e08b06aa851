package app_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

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

// TestServeSingleSignOn: the system started with the SSO settings from the
// environment (as `ratsnetz serve` reads them) offers single sign-on through
// a real OpenID provider process (mockoidc on its own port), hides the
// password form with RATSNETZ_LOCAL_LOGIN=off, refuses password posts, and
// logs a user in by verified e-mail.
func TestServeSingleSignOn(t *testing.T) {
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { provider.Shutdown() })
	pc := provider.Config()
	secretFile := filepath.Join(t.TempDir(), "oidc-secret")
	if err := os.WriteFile(secretFile, []byte(pc.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"RATSNETZ_OIDC_ISSUER": pc.Issuer, "RATSNETZ_OIDC_CLIENT_ID": pc.ClientID,
		"RATSNETZ_OIDC_CLIENT_SECRET_FILE": secretFile, "RATSNETZ_OIDC_LINK_BY_EMAIL": "on", "RATSNETZ_LOCAL_LOGIN": "off",
		"RATSNETZ_ADDR": "127.0.0.1:0", "RATSNETZ_DATA": t.TempDir()}
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.BindFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if s := cfg.String(); strings.Contains(s, pc.ClientSecret) {
		t.Errorf("the configuration prints the secret: %s", s)
	}
	m := app.NewMain(cfg, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	now := time.Now()
	if err := m.DB.CreateAccount(context.Background(), &ratsnetz.Account{Email: "jane.doe@example.com", DisplayName: "Jane Doe",
		Active: true, Created: now, Modified: now}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	_, body := get("/anmelden")
	if !strings.Contains(body, `href="/anmelden/sso?next=`) {
		t.Fatal("the login page offers no single sign-on")
	}
	if strings.Contains(body, `name="passwort"`) {
		t.Error("the password form is shown although RATSNETZ_LOCAL_LOGIN=off")
	}
	provider.QueueUser(mockoidc.DefaultUser())
	resp, body := get("/anmelden/sso?next=/konto")
	if resp.Request.URL.Path != "/konto" || resp.StatusCode != 200 || !strings.Contains(body, "jane.doe@example.com") {
		t.Fatalf("after single sign-on: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
}

// TestConfigSSOInvalid: bad SSO settings stop the start with one sentence.
func TestConfigSSOInvalid(t *testing.T) {
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), OIDCIssuer: "https://login.example", OIDCClientID: "rat"}, nil)
	err := m.Open(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "Client-Secret") {
		t.Fatalf("Open = %v, want the missing secret named", err)
	}
}

// TestAuditRetentionScheduled: Main purges audit events older than
// RATSNETZ_AUDIT_RETENTION when it starts (and daily after), by its injected
// clock; Close stops the schedule.
func TestAuditRetentionScheduled(t *testing.T) {
	ctx := context.Background()
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), AuditRetention: "30d"}
	clock := time.Date(2031, 1, 15, 12, 0, 0, 0, time.UTC)
	seed := app.NewMain(cfg, nil)
	if err := seed.OpenStorage(ctx); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{clock.AddDate(0, 0, -45), clock.AddDate(0, 0, -31), clock.AddDate(0, 0, -29), clock.AddDate(0, 0, -1)} {
		if err := seed.DB.AppendAudit(ctx, &ratsnetz.AuditEvent{Time: at, Action: ratsnetz.AuditLogin}); err != nil {
			t.Fatal(err)
		}
	}
	seed.Close()

	m := app.NewMain(cfg, nil)
	m.Now = func() time.Time { return clock }
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		evs, _, err := m.DB.FindAuditEvents(ctx, ratsnetz.AuditFilter{Action: ratsnetz.AuditLogin, ListOptions: ratsnetz.ListOptions{Limit: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 2 {
			for _, e := range evs {
				if clock.Sub(e.Time) > 30*24*time.Hour {
					t.Errorf("event of %v survived", e.Time)
				}
			}
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			m.Close()
			t.Fatalf("%d login events left, want the 2 younger than 30 days", len(evs))
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
