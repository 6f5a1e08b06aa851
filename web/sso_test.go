package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oidc"
)

// TestSingleSignOn logs in through a real OpenID provider (mockoidc on its
// own port): login page button → provider → callback → session.
func TestSingleSignOn(t *testing.T) {
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { provider.Shutdown() })
	pc := provider.Config()
	e := newAuthEnv(t, func(cfg *Config, base string) {
		c, err := oidc.New(context.Background(), oidc.Config{Issuer: pc.Issuer, ClientID: pc.ClientID, ClientSecret: pc.ClientSecret,
			RedirectURL: base + "/anmelden/sso/callback"})
		if err != nil {
			t.Fatal(err)
		}
		cfg.OIDC, cfg.OIDCLinkByEmail = c, true
	})
	if err := e.accounts.CreateAccount(context.Background(), &ratsnetz.Account{Email: "jane.doe@example.com", DisplayName: "Jane Doe",
		Active: true, Created: testNow, Modified: testNow}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (*http.Response, string) {
		resp, err := c.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if _, body := get("/anmelden"); !strings.Contains(body, `href="/anmelden/sso?next=%2f"`) {
		t.Errorf("login page without SSO button")
	}
	provider.QueueUser(mockoidc.DefaultUser())
	resp, body := get("/anmelden/sso?next=/konto")
	if resp.Request.URL.Path != "/konto" || resp.StatusCode != 200 || !strings.Contains(body, "Jane Doe") {
		t.Fatalf("after SSO: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	evs := e.audit(t, ratsnetz.AuditLogin)
	if len(evs) != 1 || evs[0].Detail != "sso" {
		t.Errorf("login events %+v", evs)
	}
	// A callback without the signed state cookie is refused.
	plain := &http.Client{}
	resp, err = plain.Get(e.base + "/anmelden/sso/callback?code=x&state=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("callback without state cookie: %d", resp.StatusCode)
	}
	// An identity without an account gets no session.
	other := &mockoidc.MockUser{Subject: "999", Email: "fremd@example.com", EmailVerified: true}
	provider.QueueUser(other)
	jar2, _ := cookiejar.New(nil)
	c = &http.Client{Jar: jar2}
	resp, body = get("/anmelden/sso")
	if resp.StatusCode != 403 || !strings.Contains(body, "kein aktives Konto") {
		t.Errorf("unknown identity: %d", resp.StatusCode)
	}
}
