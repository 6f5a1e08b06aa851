package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testFeeds checks member settings, feed tokens, read marks and citizen alerts.
func testFeeds(t *testing.T, db *sqlstore.DB) {
	t.Run("MemberSettings", func(t *testing.T) { testMemberSettings(t, db) })
	t.Run("ReadMarks", func(t *testing.T) { testReadMarks(t, db) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, db) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, db) })
}

func testMemberSettings(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{Email: "feeds-member@example.org", PersonID: 100, Active: true})
	b := MustCreateAccount(t, db, &ratsnetz.Account{Email: "feeds-staff@example.org", Active: true})
	s, err := db.FindMemberSettings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Notify != ratsnetz.NotifyDaily || s.CalendarTokenHash != "" {
		t.Errorf("defaults: %+v", s)
	}
	if err := db.SetNotifyMode(ctx, a.ID, "bald"); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("invalid mode: %v", err)
	}
	if err := db.SetNotifyMode(ctx, a.ID, ratsnetz.NotifyImmediate); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNotifyMode(ctx, 999999, ratsnetz.NotifyImmediate); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("unknown account: %v", err)
	}
	if err := db.SetCalendarToken(ctx, a.ID, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if s, err = db.FindMemberSettings(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if s.Notify != ratsnetz.NotifyImmediate || s.CalendarTokenHash != "hash-1" || s.CalendarCreated.IsZero() {
		t.Errorf("after set: %+v", s)
	}
	if id, err := db.FindAccountByCalendarToken(ctx, "hash-1"); err != nil || id != a.ID {
		t.Errorf("find by token: %d %v", id, err)
	}
	// Another account cannot take the same hash.
	if err := db.SetCalendarToken(ctx, b.ID, "hash-1"); ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
		t.Errorf("duplicate token: %v", err)
	}
	// Renewing replaces the old URL; revoking removes it.
	if err := db.SetCalendarToken(ctx, a.ID, "hash-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindAccountByCalendarToken(ctx, "hash-1"); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("old token still works: %v", err)
	}
	if err := db.SetCalendarToken(ctx, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"hash-2", ""} {
		if _, err := db.FindAccountByCalendarToken(ctx, h); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
			t.Errorf("revoked token %q still works: %v", h, err)
		}
	}
	if s, _ = db.FindMemberSettings(ctx, a.ID); s.CalendarTokenHash != "" || !s.CalendarCreated.IsZero() || s.Notify != ratsnetz.NotifyImmediate {
		t.Errorf("after revoke: %+v", s)
	}
	// Modes: a is immediate; accounts with a person and no settings get the
	// daily default; staff without a person get no digest.
	c := MustCreateAccount(t, db, &ratsnetz.Account{Email: "feeds-member2@example.org", PersonID: 101, Active: true})
	daily, err := db.FindMemberSettingsByMode(ctx, ratsnetz.NotifyDaily)
	if err != nil {
		t.Fatal(err)
	}
	if len(daily) != 1 || daily[0].AccountID != c.ID {
		t.Errorf("daily: %+v", daily)
	}
	now := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	if err := db.SetDigestSent(ctx, c.ID, now); err != nil {
		t.Fatal(err)
	}
	if daily, _ = db.FindMemberSettingsByMode(ctx, ratsnetz.NotifyDaily); len(daily) != 1 || !daily[0].DigestSent.Equal(now) {
		t.Errorf("daily after digest: %+v", daily)
	}
	imm, err := db.FindMemberSettingsByMode(ctx, ratsnetz.NotifyImmediate)
	if err != nil || len(imm) != 1 || imm[0].AccountID != a.ID {
		t.Errorf("immediate: %+v %v", imm, err)
	}
}

func testReadMarks(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{Email: "feeds-reader@example.org", PersonID: 100, Active: true})
	b := MustCreateAccount(t, db, &ratsnetz.Account{Email: "feeds-other@example.org", PersonID: 101, Active: true})
	t1 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	for _, m := range []struct {
		acc  int64
		kind string
		id   int64
		at   time.Time
	}{{a.ID, ratsnetz.ReadKindPaper, 1, t1}, {a.ID, ratsnetz.ReadKindPaper, 2, t1}, {a.ID, ratsnetz.ReadKindPaper, 1, t2},
		{a.ID, ratsnetz.ReadKindMeeting, 3, t1}, {b.ID, ratsnetz.ReadKindPaper, 3, t1}} {
		if err := db.MarkRead(ctx, m.acc, m.kind, m.id, m.at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkRead(ctx, a.ID, "file", 1, t1); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
	got, err := db.FindReadMarks(ctx, a.ID, ratsnetz.ReadKindPaper, []int64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{1: t2, 2: t1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read marks (-want +got):\n%s", diff)
	}
	if got, _ := db.FindReadMarks(ctx, a.ID, ratsnetz.ReadKindPaper, nil); len(got) != 0 {
		t.Errorf("no ids: %v", got)
	}
}

func testAlerts(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	mk := func(email string, org int64, kw, confirm, unsub string) *ratsnetz.AlertSubscription {
		return &ratsnetz.AlertSubscription{Email: email, OrganizationID: org, Keyword: kw, ConfirmHash: confirm,
			UnsubscribeHash: unsub, UnsubscribeToken: "raw-" + unsub, ConfirmExpires: now.Add(48 * time.Hour)}
	}
	for _, bad := range []*ratsnetz.AlertSubscription{
		mk("", 0, "", "c", "u"), mk("kein-at", 0, "", "c", "u"), mk("a@", 0, "", "c", "u"), mk("a b@example.org", 0, "", "c", "u"),
		mk("a@example.org", 0, "zeile\numbruch", "c", "u"), mk("a@example.org", 0, "", "", "u"),
	} {
		if err := db.CreateAlert(ctx, bad); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			t.Errorf("create %+v: %v, want invalid", bad, err)
		}
	}
	a := mk(" Buerger@Example.org ", 10, " Radweg ", "c1", "u1")
	if err := db.CreateAlert(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Email != "buerger@example.org" || a.Keyword != "Radweg" || a.Active() || a.Created.IsZero() {
		t.Errorf("created: %+v", a)
	}
	// Not confirmed yet: not listed as active.
	if got, _ := db.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true}); len(got) != 0 {
		t.Errorf("pending listed as active: %+v", got)
	}
	if _, err := db.ConfirmAlert(ctx, "wrong", now); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := db.ConfirmAlert(ctx, "c1", now.Add(49*time.Hour)); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("expired token: %v", err)
	}
	got, err := db.ConfirmAlert(ctx, "c1", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || !got.ConfirmedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("confirmed: %+v", got)
	}
	// Confirming twice keeps the first confirmation time.
	if again, err := db.ConfirmAlert(ctx, "c1", now.Add(2*time.Hour)); err != nil || !again.ConfirmedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("confirm twice: %+v %v", again, err)
	}
	// Signing up again for the same alert keeps it active and its
	// unsubscribe link; the new confirmation token replaces the old.
	dup := mk("buerger@example.org", 10, "Radweg", "c2", "u-other")
	if err := db.CreateAlert(ctx, dup); err != nil {
		t.Fatal(err)
	}
	if dup.ID != a.ID || !dup.Active() || dup.UnsubscribeHash != "u1" || dup.UnsubscribeToken != "raw-u1" {
		t.Errorf("second sign-up: %+v", dup)
	}
	active, err := db.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true})
	if err != nil || len(active) != 1 || active[0].ID != a.ID {
		t.Errorf("active: %+v %v", active, err)
	}
	// A pending one that expires is purged; the active one stays.
	p := mk("other@example.org", 0, "", "c3", "u3")
	if err := db.CreateAlert(ctx, p); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PurgeExpiredAlerts(ctx, now.Add(72*time.Hour)); err != nil || n != 1 {
		t.Errorf("purge: %d %v", n, err)
	}
	if all, _ := db.FindAlerts(ctx, ratsnetz.AlertFilter{}); len(all) != 1 {
		t.Errorf("after purge: %+v", all)
	}
	// Unsubscribe: find by hash, delete; then it is gone.
	u, err := db.FindAlertByUnsubscribe(ctx, "u1")
	if err != nil || u.ID != a.ID {
		t.Fatalf("find by unsubscribe: %+v %v", u, err)
	}
	if _, err := db.FindAlertByUnsubscribe(ctx, ""); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("empty hash: %v", err)
	}
	if err := db.DeleteAlert(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteAlert(ctx, a.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := db.FindAlertByUnsubscribe(ctx, "u1"); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
}

func testDeliveries(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	r := ratsnetz.AlertRecipient(7)
	objs := []ratsnetz.AlertObject{{Kind: ratsnetz.ReadKindPaper, ID: 1}, {Kind: ratsnetz.ReadKindPaper, ID: 2}, {Kind: ratsnetz.ReadKindMeeting, ID: 1}}
	got, err := db.FilterUndelivered(ctx, r, objs)
	if err != nil || len(got) != 3 {
		t.Fatalf("undelivered: %v %v", got, err)
	}
	m := &ratsnetz.OutgoingMail{To: "buerger@example.org", Subject: "Neue Vorlagen", Text: "Text", HTML: "<p>Text</p>",
		ListUnsubscribe: "https://example.org/benachrichtigungen/abmelden/x"}
	ok, err := db.RecordDelivery(ctx, r, objs[:2], m)
	if err != nil || !ok || m.ID == 0 {
		t.Fatalf("record: %v %v %+v", ok, err, m)
	}
	// The same objects again: nothing new, nothing stored.
	if ok, err := db.RecordDelivery(ctx, r, objs[1:2], &ratsnetz.OutgoingMail{To: "x@example.org", Subject: "s"}); err != nil || ok {
		t.Errorf("record twice: %v %v", ok, err)
	}
	if got, _ = db.FilterUndelivered(ctx, r, objs); len(got) != 1 || got[0] != objs[2] {
		t.Errorf("undelivered after record: %v", got)
	}
	// Another recipient is independent.
	if got, _ = db.FilterUndelivered(ctx, ratsnetz.MemberRecipient(7), objs); len(got) != 3 {
		t.Errorf("other recipient: %v", got)
	}
	// Racing matchers: exactly one records the object and queues its mail.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := db.RecordDelivery(ctx, r, objs[2:], &ratsnetz.OutgoingMail{To: "buerger@example.org", Subject: "Neue Sitzung"})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("racing matchers: %d recorded, want 1", wins)
	}
	if err := db.EnqueueMail(ctx, &ratsnetz.OutgoingMail{To: "a@example.org", Subject: "Zeile\r\nBcc: x"}); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("header injection: %v", err)
	}
	confirm := &ratsnetz.OutgoingMail{To: "neu@example.org", Subject: "Bitte bestätigen", Text: "Link"}
	if err := db.EnqueueMail(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingMails(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, p := range pending {
		subjects = append(subjects, p.Subject)
	}
	if diff := cmp.Diff([]string{"Neue Vorlagen", "Neue Sitzung", "Bitte bestätigen"}, subjects); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
	if pending[0].HTML != "<p>Text</p>" || pending[0].ListUnsubscribe != m.ListUnsubscribe || pending[0].To != m.To {
		t.Errorf("stored mail: %+v", pending[0])
	}
	if err := db.MarkMailSent(ctx, pending[0].ID); err != nil {
		t.Fatal(err)
	}
	if pending, _ = db.PendingMails(ctx, 1); len(pending) != 1 || pending[0].Subject != "Neue Sitzung" {
		t.Errorf("after sent: %+v", pending)
	}
}
