package alerts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/alerts"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestSavedSearchAlerts is the permission matrix of the saved-search alert
// mail: a citizen's search mails public hits only, a council member's names
// a non-public hit by link only, an account without rights and a pending
// citizen get nothing; nothing is mailed twice; every mail carries the
// one-click unsubscribe link; a de-published hit is not mailed.
func TestSavedSearchAlerts(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testSavedSearchAlerts(t, be.open(t)) })
	}
}

func testSavedSearchAlerts(t *testing.T, db *sqlstore.DB) {
	ctx := ctxSys()
	bg := context.Background()
	if err := db.Load(ctx, base()); err != nil {
		t.Fatal(err)
	}
	if err := db.Load(ctx, news(t0.Add(30*time.Minute), 1000, "Radweg")); err != nil {
		t.Fatal(err)
	}
	member := &ratsnetz.Account{Email: "mitglied@example.org", PersonID: 100, Active: true}
	bare := &ratsnetz.Account{Email: "ohne@example.org", Active: true}
	for _, a := range []*ratsnetz.Account{member, bare} {
		if err := db.CreateAccount(bg, a); err != nil {
			t.Fatal(err)
		}
	}
	db.Now = func() time.Time { return t0 }
	save := func(s *ratsnetz.SavedSearch, confirm bool) *ratsnetz.SavedSearch {
		t.Helper()
		key := s.Email + s.Query + string(rune('a'+s.AccountID%26))
		s.UnsubscribeHash, s.UnsubscribeToken = "u-"+key, "tok-"+key
		if s.AccountID == 0 {
			s.ConfirmHash, s.ConfirmExpires = "c-"+key, t0.Add(time.Hour)
		}
		if err := db.CreateSavedSearch(bg, s); err != nil {
			t.Fatal(err)
		}
		if confirm {
			got, err := db.ConfirmSavedSearch(bg, s.ConfirmHash, t0)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		return s
	}
	citizenSecret := save(&ratsnetz.SavedSearch{Email: "buerger@example.org", Query: "Grundstück"}, true)
	citizen := save(&ratsnetz.SavedSearch{Email: "buerger@example.org", Query: "Radweg"}, true)
	pending := save(&ratsnetz.SavedSearch{Email: "offen@example.org", Query: "Radweg"}, false)
	memberSecret := save(&ratsnetz.SavedSearch{AccountID: member.ID, Query: "Grundstück"}, false)
	bareSecret := save(&ratsnetz.SavedSearch{AccountID: bare.ID, Query: "Grundstück"}, false)
	if pending.Active() || !memberSecret.Active() {
		t.Fatalf("activation: pending %v, member %v", pending.Active(), memberSecret.Active())
	}
	if _, err := sqlstore.NewSearchIndex(db).IndexPending(bg, 10000); err != nil {
		t.Fatal(err)
	}

	send := &memSender{}
	svc := &alerts.Service{Store: db, Feeds: db, Accounts: db, Sender: send, BaseURL: "https://rat.example.de",
		Now: func() time.Time { return t0.Add(time.Hour) }, Saved: db, Search: db}
	if n, err := svc.MatchSavedSearches(bg); err != nil || n != 2 {
		t.Fatalf("first match: %d mails, %v; want 2 (citizen Radweg, member Grundstück)", n, err)
	}
	if n, err := svc.MatchSavedSearches(bg); err != nil || n != 0 {
		t.Fatalf("second match mailed again: %d %v", n, err)
	}
	if _, err := svc.Dispatch(bg); err != nil {
		t.Fatal(err)
	}
	byTo := map[string]*ratsnetz.OutgoingMail{}
	for _, m := range send.mails {
		byTo[m.To] = m
		if strings.Contains(m.Text+m.HTML+m.Subject, canary) {
			t.Errorf("non-public content in the mail to %s:\n%s", m.To, m.Text)
		}
		if !strings.HasPrefix(m.ListUnsubscribe, "https://rat.example.de/suche/gespeichert/abmelden/tok-") || !strings.Contains(m.Text, m.ListUnsubscribe) {
			t.Errorf("unsubscribe link %q in the mail to %s", m.ListUnsubscribe, m.To)
		}
	}
	if len(send.mails) != 2 {
		t.Fatalf("%d mails, want 2: %+v", len(send.mails), byTo)
	}
	c := byTo["buerger@example.org"]
	if c == nil || !strings.Contains(c.Text, "/vorlagen/1400") || !strings.Contains(c.Text, "Radweg Hauptstraße") ||
		strings.Contains(c.Text, "/vorlagen/1401") || strings.Contains(c.Text, "/sitzungen/1201") {
		t.Errorf("citizen mail:\n%+v", c)
	}
	m := byTo[member.Email]
	if m == nil || !strings.Contains(m.Text, "/vorlagen/1401") || !strings.Contains(m.Text, "Nichtöffentlicher Treffer") ||
		strings.Contains(m.Text, "Grundstück "+canary) {
		t.Errorf("member mail:\n%+v", m)
	}
	if byTo["offen@example.org"] != nil || byTo[bare.Email] != nil {
		t.Error("a pending citizen or an account without rights got a mail")
	}
	_ = citizenSecret
	_ = bareSecret

	// A new public paper that is de-published before the next run is not
	// mailed; the next public one is.
	later := func(id int64, name string, public bool) *ratsnetz.Paper {
		at := t0.Add(2 * time.Hour)
		return &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: id, Created: at, Modified: at}, BodyID: 1, Name: name, Date: day(2026, 11, 21), Public: public}
	}
	if err := db.Load(ctx, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{later(3000, "Radweg zurückgezogen", true), later(3001, "Radweg Nachtrag", true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewSearchIndex(db).IndexPending(bg, 10000); err != nil {
		t.Fatal(err)
	}
	p := later(3000, "Radweg zurückgezogen", false)
	p.Modified = t0.Add(3 * time.Hour)
	if err := db.Load(ctx, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}); err != nil {
		t.Fatal(err)
	}
	send.mails = nil
	if n, err := svc.MatchSavedSearches(bg); err != nil || n != 1 {
		t.Fatalf("later match: %d %v", n, err)
	}
	svc.Dispatch(bg)
	if len(send.mails) != 1 || !strings.Contains(send.mails[0].Text, "/vorlagen/3001") || strings.Contains(send.mails[0].Text, "/vorlagen/3000") ||
		strings.Contains(send.mails[0].Text, "/vorlagen/1400") {
		t.Errorf("later mail: %+v", send.mails)
	}

	// Unsubscribing removes the search.
	got, err := db.FindSavedSearchByUnsubscribe(bg, citizen.UnsubscribeHash)
	if err != nil || got.ID != citizen.ID {
		t.Fatalf("find by unsubscribe: %+v %v", got, err)
	}
	if err := db.DeleteSavedSearch(bg, citizen.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSavedSearchByUnsubscribe(bg, citizen.UnsubscribeHash); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("after unsubscribe: %v", err)
	}
}
