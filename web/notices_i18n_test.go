package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNoticesInEnglish: the CSRF rejection and the rights pages' "no
// access" notice come from the catalogue, German by default and English
// for an English browser (they were German in both before).
func TestNoticesInEnglish(t *testing.T) {
	e := newAuthEnv(t)
	for _, c := range []struct {
		lang, want, unwanted string
	}{{"de", "Anfrage abgelehnt", "Request refused"}, {"en", "Request refused", "Anfrage abgelehnt"}} {
		b := e.browser(t)
		req, _ := http.NewRequest(http.MethodPost, e.base+"/anmelden", strings.NewReader(url.Values{"login": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.base)
		req.Header.Set("Accept-Language", c.lang)
		resp, body := b.do(req)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, c.want) || strings.Contains(body, c.unwanted) {
			t.Errorf("%s CSRF rejection: %d, want %q without %q", c.lang, resp.StatusCode, c.want, c.unwanted)
		}
	}
	b := e.browser(t)
	if resp := b.login(memberEmail, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, body := b.get("/verwaltung/freigaben?lang=en")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "No access") || strings.Contains(body, "Kein Zugriff") {
		t.Errorf("English no-access page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.get("/verwaltung/freigaben?lang=de")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Kein Zugriff") {
		t.Errorf("German no-access page: %d", resp.StatusCode)
	}
}
