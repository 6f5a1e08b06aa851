package alerts_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "time/tzdata"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/alerts"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

const canary = "VERTRAULICH-7Q2X-KANARIE"

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// backends are the databases the matcher tests run on (PostgreSQL skips
// locally without RATSNETZ_TEST_POSTGRES and fails in CI).
var backends = []struct {
	name string
	open func(t *testing.T) *sqlstore.DB
}{
	{"sqlite", mustOpen},
	{"postgres", func(t *testing.T) *sqlstore.DB { return pgtest.MustOpenMigrated(t) }},
}

func mustOpen(t *testing.T) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// base: the council (10) and a committee (11); person 100 sits in the
// council.
func base() *ratsnetz.Dataset {
	meta := func(id int64) ratsnetz.Meta {
		return ratsnetz.Meta{ID: id, Created: t0.Add(-48 * time.Hour), Modified: t0.Add(-48 * time.Hour)}
	}
	return &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{Meta: meta(1), Name: "Stadt Musterstadt", Kind: ratsnetz.BodyKindMunicipality}},
		Organizations: []*ratsnetz.Organization{
			{Meta: meta(10), BodyID: 1, Name: "Rat der Stadt", OrganizationType: ratsnetz.OrgTypeGremium},
			{Meta: meta(11), BodyID: 1, Name: "Umweltausschuss", OrganizationType: ratsnetz.OrgTypeGremium},
		},
		Persons:     []*ratsnetz.Person{{Meta: meta(100), BodyID: 1, Name: "Anna Beispiel"}},
		Memberships: []*ratsnetz.Membership{{Meta: meta(700), PersonID: 100, OrganizationID: 10, Role: ratsnetz.RoleMember, StartDate: day(2020, 11, 1)}},
	}
}

// news adds, created at `at`, a public and a non-public paper of the
// council, a public paper of the committee, and a public and a
// non-public council meeting; ids are offset by off.
func news(at time.Time, off int64, topic string) *ratsnetz.Dataset {
	meta := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id + off, Created: at, Modified: at} }
	paper := func(id int64, name string, public bool) *ratsnetz.Paper {
		return &ratsnetz.Paper{Meta: meta(id), BodyID: 1, Name: name, Reference: "2026/0" + string(rune('0'+id%10)), Date: day(2026, 11, 20), Public: public}
	}
	cons := func(id, paper, org int64) *ratsnetz.Consultation {
		return &ratsnetz.Consultation{Meta: meta(id), PaperID: paper + off, OrganizationIDs: []int64{org}}
	}
	return &ratsnetz.Dataset{
		Papers:        []*ratsnetz.Paper{paper(400, topic+" Hauptstraße", true), paper(401, "Grundstück "+canary, false), paper(402, "Baumschutzsatzung", true)},
		Consultations: []*ratsnetz.Consultation{cons(500, 400, 10), cons(501, 401, 10), cons(502, 402, 11)},
		Meetings: []*ratsnetz.Meeting{
			{Meta: meta(200), BodyID: 1, Name: "Ratssitzung " + topic, Start: at.Add(96 * time.Hour), OrganizationIDs: []int64{10}, Public: true},
			{Meta: meta(201), BodyID: 1, Name: "Klausur " + canary, Start: at.Add(100 * time.Hour), OrganizationIDs: []int64{10}, Public: false},
		},
	}
}

// memSender records mails and can fail.
type memSender struct {
	mails []*ratsnetz.OutgoingMail
	fail  atomic.Bool
}

func (m *memSender) Send(ctx context.Context, mail *ratsnetz.OutgoingMail) error {
	if m.fail.Load() {
		return errors.New("smtp down")
	}
	m.mails = append(m.mails, mail)
	return nil
}

type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.t.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
func newClock(t time.Time) *clock    { c := &clock{}; c.set(t); return c }
func ctxSys() context.Context        { return ratsnetz.SystemContext(context.Background()) }
func subscribe(t *testing.T, db *sqlstore.DB, email string, org int64, kw string, at time.Time) *ratsnetz.AlertSubscription {
	t.Helper()
	ctx := context.Background()
	a := &ratsnetz.AlertSubscription{Email: email, OrganizationID: org, Keyword: kw, ConfirmHash: "c-" + email + kw,
		UnsubscribeHash: "u-" + email + kw, UnsubscribeToken: "tok-" + email + kw, ConfirmExpires: at.Add(time.Hour)}
	if err := db.CreateAlert(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := db.ConfirmAlert(ctx, a.ConfirmHash, at)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestMatchAlerts: a confirmed subscription gets one mail with the new
// public papers and meetings of its body, never non-public ones, never the
// same object twice, and nothing from before its confirmation.
func TestMatchAlerts(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testMatchAlerts(t, be.open(t)) })
	}
}

func testMatchAlerts(t *testing.T, db *sqlstore.DB) {
	ctx := ctxSys()
	if err := db.Load(ctx, base()); err != nil {
		t.Fatal(err)
	}
	if err := db.Load(ctx, news(t0.Add(-time.Hour), 0, "Radweg")); err != nil { // before the subscription
		t.Fatal(err)
	}
	clk := newClock(t0.Add(time.Hour))
	council := subscribe(t, db, "rat@example.org", 10, "", t0)
	keyword := subscribe(t, db, "stichwort@example.org", 0, "radweg", t0)
	send := &memSender{}
	svc := &alerts.Service{Store: db, Feeds: db, Sender: send, BaseURL: "https://rat.example.de", Now: clk.now}

	if n, err := svc.MatchAlerts(context.Background()); err != nil || n != 0 {
		t.Fatalf("nothing new yet: %d %v", n, err)
	}
	if err := db.Load(ctx, news(t0.Add(30*time.Minute), 1000, "Radweg")); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.MatchAlerts(context.Background()); err != nil || n != 2 {
		t.Fatalf("first match: %d %v", n, err)
	}
	if n, err := svc.MatchAlerts(context.Background()); err != nil || n != 0 {
		t.Fatalf("second match mailed again: %d %v", n, err)
	}
	if n, err := svc.Dispatch(context.Background()); err != nil || n != 2 {
		t.Fatalf("dispatch: %d %v", n, err)
	}
	byTo := map[string]*ratsnetz.OutgoingMail{}
	for _, m := range send.mails {
		byTo[m.To] = m
		if strings.Contains(m.Text+m.HTML+m.Subject, canary) {
			t.Errorf("non-public content in the mail to %s:\n%s", m.To, m.Text)
		}
		if !strings.HasPrefix(m.ListUnsubscribe, "https://rat.example.de/benachrichtigungen/abmelden/tok-") ||
			!strings.Contains(m.Text, m.ListUnsubscribe) {
			t.Errorf("unsubscribe link %q", m.ListUnsubscribe)
		}
	}
	rat := byTo[council.Email]
	if rat == nil || !strings.Contains(rat.Text, "/vorlagen/1400") || !strings.Contains(rat.Text, "/sitzungen/1200") ||
		strings.Contains(rat.Text, "/vorlagen/1401") || strings.Contains(rat.Text, "/sitzungen/1201") || strings.Contains(rat.Text, "/vorlagen/1402") {
		t.Errorf("council alert:\n%+v", rat)
	}
	if strings.Contains(rat.Text, "/vorlagen/400") {
		t.Error("paper from before the confirmation mailed")
	}
	kw := byTo[keyword.Email]
	if kw == nil || !strings.Contains(kw.Text, "Radweg Hauptstraße") || !strings.Contains(kw.Text, "Ratssitzung Radweg") || strings.Contains(kw.Text, "Baumschutz") {
		t.Errorf("keyword alert:\n%+v", kw)
	}
	// A later paper: only that one is mailed.
	if err := db.Load(ctx, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{{Meta: ratsnetz.Meta{ID: 3000, Created: t0.Add(2 * time.Hour), Modified: t0.Add(2 * time.Hour)},
		BodyID: 1, Name: "Radweg Nachtrag", Public: true}}}); err != nil {
		t.Fatal(err)
	}
	send.mails = nil
	if n, _ := svc.MatchAlerts(context.Background()); n != 1 {
		t.Errorf("later paper: %d mails, want 1 (the keyword alert)", n)
	}
	svc.Dispatch(context.Background())
	if len(send.mails) != 1 || !strings.Contains(send.mails[0].Text, "/vorlagen/3000") || strings.Contains(send.mails[0].Text, "/vorlagen/1400") {
		t.Errorf("later mail: %+v", send.mails)
	}
}

// TestDispatchRetries: a failing mail system delays mails, never loses or
// doubles them.
func TestDispatchRetries(t *testing.T) {
	db := mustOpen(t)
	send := &memSender{}
	svc := &alerts.Service{Store: db, Feeds: db, Sender: send}
	for _, to := range []string{"a@example.org", "b@example.org"} {
		if err := db.EnqueueMail(context.Background(), &ratsnetz.OutgoingMail{To: to, Subject: "Test", Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	send.fail.Store(true)
	if n, err := svc.Dispatch(context.Background()); err == nil || n != 0 {
		t.Errorf("failing dispatch: %d %v", n, err)
	}
	send.fail.Store(false)
	if n, err := svc.Dispatch(context.Background()); err != nil || n != 2 {
		t.Errorf("retry: %d %v", n, err)
	}
	if n, _ := svc.Dispatch(context.Background()); n != 0 || len(send.mails) != 2 {
		t.Errorf("sent again: %d, %d mails", n, len(send.mails))
	}
}

// TestMatchMembers: immediate notifications per paper version and one
// daily digest, with only what the member may see and non-public papers by
// link only.
func TestMatchMembers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testMatchMembers(t, be.open(t)) })
	}
}

func testMatchMembers(t *testing.T, db *sqlstore.DB) {
	ctx := ctxSys()
	if err := db.Load(ctx, base()); err != nil {
		t.Fatal(err)
	}
	imm := &ratsnetz.Account{Email: "sofort@example.org", PersonID: 100, Active: true}
	daily := &ratsnetz.Account{Email: "taeglich@example.org", PersonID: 100, Active: true}
	other := &ratsnetz.Account{Email: "ohne@example.org", Active: true}
	for _, a := range []*ratsnetz.Account{imm, daily, other} {
		if err := db.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetNotifyMode(context.Background(), imm.ID, ratsnetz.NotifyImmediate); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	clk := newClock(t0) // 10:00 in Berlin
	send := &memSender{}
	svc := &alerts.Service{Store: db, Feeds: db, Accounts: db, Sender: send, BaseURL: "https://rat.example.de", Now: clk.now, Location: loc, DigestHour: 6}
	// First round: the starting point, no mail about the past.
	if n, err := svc.MatchMembers(context.Background()); err != nil || n != 0 {
		t.Fatalf("first round: %d %v", n, err)
	}
	clk.add(time.Hour)
	if err := db.Load(ctx, news(clk.now(), 0, "Radweg")); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	if n, err := svc.MatchMembers(context.Background()); err != nil || n != 1 {
		t.Fatalf("immediate: %d %v", n, err)
	}
	if n, _ := svc.MatchMembers(context.Background()); n != 0 {
		t.Errorf("immediate again: %d", n)
	}
	// Next day after 06:00 Berlin: the digest, once.
	clk.set(time.Date(2026, 11, 21, 5, 30, 0, 0, time.UTC))
	if n, err := svc.MatchMembers(context.Background()); err != nil || n != 1 {
		t.Fatalf("digest: %d %v", n, err)
	}
	if n, _ := svc.MatchMembers(context.Background()); n != 0 {
		t.Errorf("digest twice: %d", n)
	}
	svc.Dispatch(context.Background())
	if len(send.mails) != 2 {
		t.Fatalf("%d mails", len(send.mails))
	}
	for _, m := range send.mails {
		if m.To == other.Email {
			t.Error("account without person got a mail")
		}
		if strings.Contains(m.Text+m.HTML+m.Subject, canary) {
			t.Errorf("non-public content in the mail to %s:\n%s", m.To, m.Text)
		}
		// The member may see paper 401: it is linked, without its title.
		if !strings.Contains(m.Text, "/vorlagen/401") || !strings.Contains(m.Text, "Nichtöffentliche Vorlage") || !strings.Contains(m.Text, "Radweg Hauptstraße") {
			t.Errorf("member mail to %s:\n%s", m.To, m.Text)
		}
		if strings.Contains(m.Text, "/vorlagen/402") {
			t.Errorf("paper of another body in the mail to %s", m.To)
		}
	}
	if !strings.HasPrefix(send.mails[1].Subject, "Tageszusammenfassung") || send.mails[1].To != daily.Email {
		t.Errorf("digest mail: %s %s", send.mails[1].To, send.mails[1].Subject)
	}
}

// TestOutboxRender: the .eml carries the RFC 8058 headers and both parts,
// and a mail written twice (dispatch repeated after a crash) is one file.
func TestOutboxRender(t *testing.T) {
	dir := t.TempDir()
	o := &alerts.Outbox{Dir: dir, From: "rat@musterstadt.example", Now: func() time.Time { return t0 }}
	m := &ratsnetz.OutgoingMail{ID: 7, To: "buerger@example.org", Subject: "Neu: Vorlage 2026/0001 – Radweg", Text: "Guten Tag,\nneu: Radweg\n",
		HTML: "<p>Guten Tag</p>", ListUnsubscribe: "https://rat.example.de/benachrichtigungen/abmelden/abc", Created: t0}
	for i := 0; i < 2; i++ {
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != "<"+m.ListUnsubscribe+">" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != m.Subject {
		t.Errorf("subject %q", subj)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p) // quoted-printable is decoded by the reader
		types = append(types, p.Header.Get("Content-Type"))
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") && !strings.Contains(string(body), "neu: Radweg") {
			t.Errorf("text part %q", body)
		}
	}
	if len(types) != 2 {
		t.Errorf("parts %v", types)
	}
	if _, err := alerts.Render(&ratsnetz.OutgoingMail{To: "a@example.org\r\nBcc: x@example.org", Subject: "s"}, "", t0); err == nil {
		t.Error("header injection accepted")
	}
}

// TestWorker: the worker sends a queued mail when woken and Close waits.
func TestWorker(t *testing.T) {
	db := mustOpen(t)
	sent := make(chan struct{}, 10)
	svc := &alerts.Service{Store: db, Feeds: db, Sender: senderFunc(func() { sent <- struct{}{} })}
	w := alerts.Start(svc, time.Hour)
	defer w.Close()
	if err := db.EnqueueMail(context.Background(), &ratsnetz.OutgoingMail{To: "a@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	w.Wake()
	select {
	case <-sent:
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not send the woken mail")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

type senderFunc func()

func (f senderFunc) Send(ctx context.Context, m *ratsnetz.OutgoingMail) error { f(); return nil }
