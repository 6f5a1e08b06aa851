package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ratsnetz/ratsnetz/app"
)

// openInstance starts one portal instance behind the load balancer's
// public URL; it is closed at the end of the test.
func openInstance(t *testing.T, dataDir, databaseURL, secret string) *app.Main {
	m, stop := startInstance(t, dataDir, databaseURL, secret)
	t.Cleanup(stop)
	return m
}

// startInstance starts an instance and returns its stop function (Close
// may be called once only).
func startInstance(t *testing.T, dataDir, databaseURL, secret string) (*app.Main, func()) {
	t.Helper()
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: dataDir, DatabaseURL: databaseURL, Secret: secret,
		BaseURL: "http://rat.example", SearchIndexer: "off"}, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { m.Close() }) }
	return m, stop
}

// crossForm fetches the login form from one instance and posts it to the
// others with the same cookies (a load balancer without sticky sessions);
// it returns each answer's status and whether it was the CSRF rejection.
func crossForm(t *testing.T, from *app.Main, to ...*app.Main) (rejected []bool) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(from.URL() + "/anmelden")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on %s/anmelden", from.URL())
	}
	// The instances all listen on 127.0.0.1, so the jar sends the same
	// anonymous CSRF cookie to each (cookies ignore the port).
	for _, dst := range to {
		form := url.Values{"csrf": {string(m[1])}, "login": {"niemand@example.org"}, "passwort": {"falsch-falsch-falsch"}}
		req, _ := http.NewRequest(http.MethodPost, dst.URL()+"/anmelden", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://rat.example")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		isCSRF := resp.StatusCode == http.StatusForbidden && strings.Contains(string(b), "Anfrage abgelehnt")
		if !isCSRF && !strings.Contains(string(b), "Anmeldung") {
			t.Fatalf("POST /anmelden on %s: %d, neither the login answer nor the CSRF rejection:\n%s", dst.URL(), resp.StatusCode, b)
		}
		rejected = append(rejected, isCSRF)
	}
	return rejected
}

// TestInstancesShareCSRFKey: two instances on one database (no
// RATSNETZ_SECRET) accept each other's form tokens, also after a restart;
// the key comes from the database, so an instance on another database
// rejects them.
func TestInstancesShareCSRFKey(t *testing.T) {
	dir := t.TempDir()
	a, stopA := startInstance(t, dir, "", "")
	t.Cleanup(stopA)
	b := openInstance(t, dir, "", "")
	other := openInstance(t, t.TempDir(), "", "")
	if got := crossForm(t, a, a, b, other); got[0] || got[1] || !got[2] {
		t.Errorf("rejected (same instance, other instance on the database, instance on another database) = %v, want [false false true]", got)
	}
	if got := crossForm(t, b, a); got[0] {
		t.Error("instance A rejected B's form")
	}
	stopA()
	restarted := openInstance(t, dir, "", "")
	if got := crossForm(t, b, restarted); got[0] {
		t.Error("a restarted instance rejected the form of one that kept running")
	}
}

// TestConfiguredSecretSharesCSRFKey: with RATSNETZ_SECRET, instances accept
// each other's forms whatever their databases; another secret does not.
func TestConfiguredSecretSharesCSRFKey(t *testing.T) {
	secret := strings.Repeat("geheim-", 6)
	a := openInstance(t, t.TempDir(), "", secret)
	b := openInstance(t, t.TempDir(), "sqlite:"+filepath.Join(t.TempDir(), "b.db"), secret)
	c := openInstance(t, t.TempDir(), "", strings.Repeat("anders-", 6))
	if got := crossForm(t, a, b, c); got[0] || !got[1] {
		t.Errorf("rejected (same secret, other secret) = %v, want [false true]", got)
	}
}

func TestSecretTooShort(t *testing.T) {
	err := app.Config{Addr: ":8080", DataDir: "data", Secret: "kurz"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "RATSNETZ_SECRET") || !strings.Contains(err.Error(), "32 Zeichen") {
		t.Errorf("short secret: %v", err)
	}
	if s := (app.Config{Secret: strings.Repeat("x", 40)}).String(); strings.Contains(s, "xxxxxxxxxx") {
		t.Errorf("secret printed: %s", s)
	}
}
