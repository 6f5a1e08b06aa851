package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestSavedSearchListIsOwn: the member's page of saved searches lists their
// own searches only, and deletes only their own: another member's search
// (and a citizen's) is neither shown nor deletable by id; the page needs a
// login and is there in English too.
func TestSavedSearchListIsOwn(t *testing.T) {
	var saved ratsnetz.SavedSearchService
	e := newAuthEnv(t, func(cfg *Config, base string) {
		saved = cfg.Store.(ratsnetz.SavedSearchService)
		cfg.Feeds = FeedsDeps{Feeds: cfg.Store.(ratsnetz.FeedsService)}
		cfg.Search = SearchDeps{Search: cfg.Store.(ratsnetz.SearchService), Saved: saved}
	})
	ctx := context.Background()
	hash, err := cheap.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	other := &ratsnetz.Account{Email: "bernd@example.org", DisplayName: "Bernd", PersonID: 101, PasswordHash: hash, Active: true,
		Created: testNow, Modified: testNow, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}}
	if err := e.accounts.CreateAccount(ctx, other); err != nil {
		t.Fatal(err)
	}
	if resp, body := e.browser(t).get("/suche/gespeichert"); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "Radweg") {
		t.Errorf("anonymous list: %d, want 303 to the login", resp.StatusCode)
	}
	anna, bernd := e.browser(t), e.browser(t)
	for _, c := range []struct {
		b     *browser
		login string
		q     string
	}{{anna, memberEmail, "Radweg"}, {anna, memberEmail, "Schule"}, {bernd, other.Email, "Geheimprojekt Bernd"}} {
		if c.b.session() == "" {
			if resp := c.b.login(c.login, testPassword); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login %s: %d", c.login, resp.StatusCode)
			}
		}
		tok := c.b.token("/suche?q=" + url.QueryEscape(c.q))
		if resp, _ := c.b.post("/suche/speichern", url.Values{"csrf": {tok}, "q": {c.q}}); resp.StatusCode != 200 {
			t.Fatalf("save %q: %d", c.q, resp.StatusCode)
		}
	}
	citizen := &ratsnetz.SavedSearch{Email: "buerger@example.org", Query: "Buergerwunsch", ConfirmHash: "c", UnsubscribeHash: "u",
		ConfirmExpires: testNow.Add(time.Hour)}
	if err := saved.CreateSavedSearch(ctx, citizen); err != nil {
		t.Fatal(err)
	}
	all, err := saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{})
	if err != nil || len(all) != 4 {
		t.Fatalf("saved: %d %v", len(all), err)
	}
	var annaID, berndID int64
	for _, s := range all {
		switch s.Query {
		case "Radweg":
			annaID = s.ID
		case "Geheimprojekt Bernd":
			berndID = s.ID
		}
	}

	resp, body := anna.get("/suche/gespeichert")
	if resp.StatusCode != 200 || !strings.Contains(body, "Meine gespeicherten Suchen") || !strings.Contains(body, "Radweg") ||
		!strings.Contains(body, "Schule") {
		t.Fatalf("anna's list: %d\n%s", resp.StatusCode, body)
	}
	for _, foreign := range []string{"Geheimprojekt", "Buergerwunsch", "buerger@example.org"} {
		if strings.Contains(body, foreign) {
			t.Errorf("anna's list shows %q", foreign)
		}
	}
	if !strings.Contains(body, `aria-label="Gespeicherte Suche „Radweg“ löschen"`) {
		t.Error("delete button without an accessible name")
	}
	tok := csrfField.FindStringSubmatch(body)[1]
	for _, id := range []int64{berndID, citizen.ID} {
		resp, body := anna.post("/suche/gespeichert/loeschen", url.Values{"csrf": {tok}, "id": {strconv.FormatInt(id, 10)}})
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Geheimprojekt") {
			t.Errorf("deleting someone else's search %d: %d", id, resp.StatusCode)
		}
	}
	if resp, _ := anna.post("/suche/gespeichert/loeschen", url.Values{"id": {strconv.FormatInt(annaID, 10)}}); resp.StatusCode == 200 {
		t.Error("delete without a form token was accepted")
	}
	if resp, body := anna.post("/suche/gespeichert/loeschen", url.Values{"csrf": {tok}, "id": {strconv.FormatInt(annaID, 10)}}); resp.StatusCode != 200 ||
		!strings.Contains(body, "gelöscht") || strings.Contains(body, `>Radweg<`) || !strings.Contains(body, "Schule") {
		t.Errorf("delete own: %d\n%s", resp.StatusCode, body)
	}
	left, _ := saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{})
	var queries []string
	for _, s := range left {
		queries = append(queries, s.Query)
	}
	if want := []string{"Schule", "Geheimprojekt Bernd", "Buergerwunsch"}; !slices.Equal(queries, want) {
		t.Errorf("left %q, want %q", queries, want)
	}

	resp, body = bernd.get("/suche/gespeichert?lang=en")
	if resp.StatusCode != 200 || !strings.Contains(body, "My saved searches") || !strings.Contains(body, "Geheimprojekt Bernd") ||
		strings.Contains(body, "Schule") || strings.Contains(body, "Löschen") {
		t.Errorf("bernd's English list: %d\n%s", resp.StatusCode, body)
	}
}
