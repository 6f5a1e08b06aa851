package e2e

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/mail/smtptest"
	"github.com/ratsnetz/ratsnetz/totp"
)

// TestInvitationByMail: the council office invites a council meeting in the
// browser (the Ladungsfrist has passed, so it gives a reason); a member who
// chose e-mail receives the invitation at a real SMTP server process
// started by the test, opens the personal link in the browser, confirms
// receipt and sees the meeting's documents, non-public part included; a
// member who chose paper is on the print list, and the office marks the
// packet as posted. The mail carries no non-public content.
func TestInvitationByMail(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Ratsnetz with the demo, an SMTP server and two browsers")
	}
	ctx := context.Background()
	mailDir := t.TempDir()
	smtpd := smtptest.Start(t, smtptest.Build(t, t.TempDir()), mailDir, smtptest.Options{})

	dir, err := os.MkdirTemp(dataParent(), "ratsnetz-e2e-distribution-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: dir, Demo: true,
		SMTPURL: "smtp://" + smtpd.Addr + "?tls=none", MailFrom: "sitzungsdienst@musterstadt.example"}, logger)
	openCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := m.Open(openCtx); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base := m.URL()
	sys := ratsnetz.SystemContext(ctx)

	// The council meeting that treated the non-public demo paper.
	items, _, err := m.DB.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{PaperID: demo.NonPublicPaperID})
	if err != nil || len(items) == 0 {
		t.Fatalf("agenda item of the non-public paper: %v", err)
	}
	meeting, err := m.DB.FindMeetingByID(sys, items[0].MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	member, err := m.DB.FindAccountByLogin(ctx, "ratsmitglied@musterstadt.example")
	if err != nil {
		t.Fatal(err)
	}
	// Another council member chose paper (set in the store: they have no login).
	ms, _, err := m.DB.FindMemberships(sys, ratsnetz.MembershipFilter{OrganizationID: meeting.OrganizationIDs[0], ActiveAt: meeting.Start,
		ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	var paperPerson *ratsnetz.Person
	for _, ms := range ms {
		if ms.PersonID != member.PersonID {
			if paperPerson, err = m.DB.FindPersonByID(sys, ms.PersonID); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if paperPerson == nil {
		t.Fatal("no second council member")
	}
	if err := m.DB.SaveDeliveryPrefs(sys, &ratsnetz.DeliveryPrefs{PersonID: paperPerson.ID, Channel: ratsnetz.ChannelPost,
		PostalAddress: paperPerson.Name + "\nAm Papierweg 7\n12345 Musterstadt"}); err != nil {
		t.Fatal(err)
	}

	// The member chooses e-mail to a private address, with consent.
	ms1 := &session{t: t, ctx: newTab(t, newBrowser(t), 8*time.Minute), base: base}
	ms1.openStatus("/anmelden", 200)
	ms1.fill("#login", "ratsmitglied@musterstadt.example")
	ms1.fill("#passwort", demo.DemoPassword)
	slowSubmit(t, ms1, `form.account-form button[type="submit"]`)
	ms1.openStatus("/mein/zustellung", 200)
	ms1.wantText("h1", "Zustellung")
	clickJS(t, ms1, `#weg-email`)
	ms1.fill("#email", "erika.privat@example.org")
	clickJS(t, ms1, `#einwilligung`)
	slowSubmit(t, ms1, `form.account-form button[type="submit"]`)
	ms1.wantText("main", "Ihr Zustellweg ist gespeichert.")

	// The office logs in with password and TOTP and invites.
	secret, err := totp.DecodeSecret(demo.DemoTOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	off := &session{t: t, ctx: newTab(t, newBrowser(t), 8*time.Minute), base: base}
	off.openStatus("/anmelden", 200)
	off.fill("#login", "sitzungsdienst@musterstadt.example")
	off.fill("#passwort", demo.DemoPassword)
	slowSubmit(t, off, `form.account-form button[type="submit"]`)
	off.fill("#code", totp.Code(secret, time.Now()))
	slowSubmit(t, off, `form.account-form button[type="submit"]`)
	path := "/sitzungsdienst/sitzungen/" + strconv.FormatInt(meeting.ID, 10) + "/einladung"
	off.openStatus(path, 200)
	off.wantText("main", "Ladungsfrist", "nicht eingehalten", "per E-Mail")
	off.fill("#begruendung", "Nachträgliche Einladung für den Test")
	slowSubmit(t, off, `main form button[type="submit"]`)
	off.wantText("main", "Die Einladung ist gespeichert")

	// The mail arrives at the SMTP server process.
	raw := waitForSMTP(t, mailDir, "erika.privat@example.org")
	if strings.Contains(raw.text+raw.html+raw.subject, demo.Canary) {
		t.Fatalf("CONFIDENTIALITY: the invitation mail carries non-public content:\n%s", raw.text)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/mein/empfang/[A-Za-z0-9_-]+`).FindString(raw.text)
	if link == "" || !strings.Contains(raw.html, link) || raw.messageID == "" {
		t.Fatalf("mail without personal link or Message-ID:\n%s", raw.text)
	}

	// The member opens the link: receipt confirmed, then the documents.
	ms1.openStatus(strings.TrimPrefix(link, base), 200)
	ms1.wantText("main", "Empfang", "bestätigt")
	slowSubmit(t, ms1, `main a[href="/sitzungen/`+strconv.FormatInt(meeting.ID, 10)+`"]`)
	ms1.wantText("main", demo.Canary, "nichtöffentlich")

	// The office sees when it was sent and opened, and the print list.
	off.openStatus(path, 200)
	if txt := off.text("main"); strings.Contains(txt, "ausstehend") && !regexp.MustCompile(`erika\.privat@example\.org\s+\S+`).MatchString(txt) {
		t.Errorf("no sent time for the e-mail recipient:\n%s", txt)
	}
	off.openStatus("/sitzungsdienst/sitzungen/"+strconv.FormatInt(meeting.ID, 10)+"/druckliste", 200)
	off.wantText("main", paperPerson.Name, "Am Papierweg 7")
	slowSubmit(t, off, `main form button[type="submit"]`)
	off.wantText("main", "Als versendet vermerkt", "versendet")
	rs, err := m.DB.FindRecipients(sys, ratsnetz.RecipientFilter{MeetingID: meeting.ID, PersonID: member.PersonID})
	if err != nil || len(rs) != 1 || rs[0].Sent.IsZero() || rs[0].Opened.IsZero() {
		t.Errorf("proof of receipt: %+v, %v", rs, err)
	}
}

// slowSubmit is session.submit with room for the slow steps of this test
// (password hashing at login, rendering the invitation) on a loaded machine
// under the race detector.
func slowSubmit(t *testing.T, s *session, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 90*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s on %s: %v", sel, s.location(), err)
	}
}

// clickJS clicks a radio button or checkbox, as a user would.
func clickJS(t *testing.T, s *session, sel string) {
	t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

type receivedMail struct {
	messageID, subject, text, html string
}

// waitForSMTP polls the SMTP server's directory for a mail to addr and
// decodes its parts.
func waitForSMTP(t *testing.T, dir, addr string) receivedMail {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		got, err := smtptest.Received(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if m.To != addr {
				continue
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			out := receivedMail{messageID: m.MessageID, subject: m.Subject}
			_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(quotedprintable.NewReader(p))
				if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
					out.html = string(b)
				} else {
					out.text = string(b)
				}
			}
			return out
		}
		time.Sleep(100 * time.Millisecond) // polling a directory: nothing to wait on
	}
	t.Fatalf("no mail to %s at the SMTP server", addr)
	return receivedMail{}
}
