package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

var (
	savedConfirmRE = regexp.MustCompile(`/suche/gespeichert/bestaetigen\?token=([A-Za-z0-9_%-]+)`)
	savedUnsubRE   = regexp.MustCompile(`/suche/gespeichert/abmelden/([A-Za-z0-9_-]+)`)
)

// TestSavedSearchSignup: a citizen saves a search from /suche, confirms it
// by the mailed link (the GET alone does not), and ends it with the
// one-click POST a mail program sends (no cookie, no form token); saving
// itself needs the form token.
func TestSavedSearchSignup(t *testing.T) {
	var feeds ratsnetz.FeedsService
	var saved ratsnetz.SavedSearchService
	e := newAuthEnv(t, func(cfg *Config, base string) {
		feeds = cfg.Store.(ratsnetz.FeedsService)
		saved = cfg.Store.(ratsnetz.SavedSearchService)
		cfg.Feeds = FeedsDeps{Feeds: feeds}
		cfg.Search = SearchDeps{Search: cfg.Store.(ratsnetz.SearchService), Saved: saved}
	})
	ctx := context.Background()
	b := e.browser(t)
	resp, body := b.get("/suche?q=Radweg")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/suche/speichern"`) || !strings.Contains(body, `name="email"`) {
		t.Fatalf("search page offers no saving: %d\n%s", resp.StatusCode, body)
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	if resp, _ := b.post("/suche/speichern", url.Values{"csrf": {tok}, "q": {"Radweg"}, "email": {"kein-at"}}); resp.StatusCode != 400 {
		t.Errorf("bad e-mail: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/suche/speichern", strings.NewReader("q=Radweg&email=x%40example.org"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("saving without a form token was accepted")
		}
	}
	if resp, body := b.post("/suche/speichern", url.Values{"csrf": {tok}, "q": {"Radweg"}, "email": {"buerger@example.org"}}); resp.StatusCode != 200 ||
		!strings.Contains(body, "buerger@example.org") {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	mails, err := feeds.PendingMails(ctx, 10)
	if err != nil || len(mails) != 1 || mails[0].To != "buerger@example.org" {
		t.Fatalf("confirmation mail: %+v %v", mails, err)
	}
	cm, um := savedConfirmRE.FindStringSubmatch(mails[0].Text), savedUnsubRE.FindStringSubmatch(mails[0].Text)
	if cm == nil || um == nil {
		t.Fatalf("links missing:\n%s", mails[0].Text)
	}
	resp, body = b.get("/suche/gespeichert/bestaetigen?token=" + cm[1])
	if resp.StatusCode != 200 {
		t.Fatalf("confirm page: %d", resp.StatusCode)
	}
	if active, _ := saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{Active: true}); len(active) != 0 {
		t.Error("GET confirmed")
	}
	raw, _ := url.QueryUnescape(cm[1])
	tok = csrfField.FindStringSubmatch(body)[1]
	if resp, _ := b.post("/suche/gespeichert/bestaetigen", url.Values{"csrf": {tok}, "token": {"falsch"}}); resp.StatusCode != 404 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/suche/gespeichert/bestaetigen", url.Values{"csrf": {tok}, "token": {raw}}); resp.StatusCode != 200 {
		t.Errorf("confirm: %d", resp.StatusCode)
	}
	active, _ := saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{Active: true})
	if len(active) != 1 || active[0].Query != "Radweg" || active[0].Email != "buerger@example.org" {
		t.Fatalf("active: %+v", active)
	}
	req, _ = http.NewRequest(http.MethodPost, e.base+"/suche/gespeichert/abmelden/"+um[1], strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("one-click unsubscribe: %d", resp.StatusCode)
	}
	if all, _ := saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{}); len(all) != 0 {
		t.Errorf("still saved: %+v", all)
	}
}
