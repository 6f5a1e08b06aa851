package mappe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/mappe"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/pdf"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

var demoNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

type world struct {
	db      *sqlstore.DB
	blobs   *disk.Store
	sum     demo.Summary
	builder *mappe.Builder
	ctxs    map[string]context.Context
}

// newWorld loads the small demo city with its accounts into SQLite.
func newWorld(tb testing.TB) *world {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "m.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return demoNow }
	blobs, err := disk.New(filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	sum, err := demo.Load(ctx, db, blobs, demo.Options{Scale: demo.ScaleSmall, Now: demoNow})
	if err != nil {
		tb.Fatal(err)
	}
	// Fast hashing: the test logs nobody in.
	h := password.Hasher{Params: password.Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}}
	if _, err := demo.LoadAccounts(ratsnetz.SystemContext(ctx), db, h, demoNow); err != nil {
		tb.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	w := &world{db: db, blobs: blobs, sum: sum, ctxs: map[string]context.Context{"public": ctx, "system": ratsnetz.SystemContext(ctx)},
		builder: &mappe.Builder{Store: db, Blobs: blobs, Loc: loc, Now: func() time.Time { return demoNow }}}
	for name, login := range map[string]string{"member": "ratsmitglied@musterstadt.example", "deputy": "stellvertretung@musterstadt.example",
		"board": "aufsichtsrat@musterstadt.example", "office": "sitzungsdienst@musterstadt.example"} {
		a, err := db.FindAccountByLogin(ctx, login)
		if err != nil {
			tb.Fatalf("account %s: %v", login, err)
		}
		w.ctxs[name] = ratsnetz.NewContextWithViewer(ctx, a.Viewer())
	}
	// A logged-in citizen without any mandate or role.
	bare := &ratsnetz.Account{Email: "buerger@example.org", Active: true}
	if err := db.CreateAccount(ctx, bare); err != nil {
		tb.Fatal(err)
	}
	w.ctxs["bare"] = ratsnetz.NewContextWithViewer(ctx, bare.Viewer())
	return w
}

func TestMappe(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo city")
	}
	w := newWorld(t)
	meetingID := w.sum.Known.TabletCouncilMeetingID

	packet := func(t *testing.T, who, recipient string) ([]byte, string, pdf.Info, []*ratsnetz.AgendaItem) {
		t.Helper()
		ctx := w.ctxs[who]
		data, err := w.builder.RenderPacket(ctx, meetingID, recipient)
		if err != nil {
			t.Fatal(err)
		}
		text := pageText(t, data)
		info, err := pdf.ReadInfo(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		items, _, err := w.db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: meetingID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		return data, text, info, items
	}
	// checkOrder: one bookmark per visible agenda item, in agenda order,
	// and the items' texts in the same order in the page text.
	checkOrder := func(t *testing.T, text string, info pdf.Info, items []*ratsnetz.AgendaItem) {
		t.Helper()
		var want []string
		for _, it := range items {
			if !it.Redacted {
				want = append(want, strings.TrimSpace(it.Number+" "+it.Name))
			}
		}
		count := map[string]int{}
		for _, o := range info.Outline {
			count[o]++
		}
		var got []string
		for _, o := range info.Outline {
			for _, w := range want {
				if o == w {
					got = append(got, o)
				}
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("item bookmarks\n got %q\nwant %q (outline %q)", got, want, info.Outline)
		}
		for _, w := range want {
			if count[w] != 1 {
				t.Errorf("bookmark %q appears %d times", w, count[w])
			}
		}
		if count["Tagesordnung"] != 1 {
			t.Errorf("no agenda bookmark: %q", info.Outline)
		}
		flat := strings.Join(strings.Fields(text), " ")
		pos := 0
		for _, it := range want {
			// Each item starts a page with its title, after the agenda.
			i := strings.Index(flat[pos:], strings.Join(strings.Fields(it), " "))
			if i < 0 {
				t.Errorf("item %q not in page text after position %d", it, pos)
				continue
			}
			pos += i + 1
		}
		if !strings.Contains(flat, "Seite 1 von ") {
			t.Error("no page numbers")
		}
	}

	t.Run("Public", func(t *testing.T) {
		data, text, info, items := packet(t, "public", "")
		if strings.Contains(text, demo.Canary) || bytes.Contains(data, []byte(demo.Canary)) || strings.Contains(strings.Join(info.Outline, " "), demo.Canary) {
			t.Fatal("the public packet carries non-public content")
		}
		checkOrder(t, text, info, items)
		if !strings.Contains(text, "Öffentliche Sitzungsmappe") {
			t.Error("public footer missing")
		}
		redacted := 0
		for _, it := range items {
			if it.Redacted {
				redacted++
			}
		}
		if redacted == 0 {
			t.Error("the meeting has no non-public item: the test proves nothing")
		}
		if info.Pages < 3 {
			t.Errorf("%d pages", info.Pages)
		}
	})

	t.Run("EntitledMember", func(t *testing.T) {
		_, text, info, items := packet(t, "member", "Erika Beispiel")
		if !strings.Contains(text, demo.Canary) {
			t.Error("the council member's packet lacks the non-public part")
		}
		checkOrder(t, text, info, items)
		flat := strings.Join(strings.Fields(text), " ")
		if !strings.Contains(flat, "Persönliches Exemplar für Erika Beispiel – enthält nichtöffentliche Unterlagen") {
			t.Error("recipient name missing on the pages")
		}
	})

	// (The deputy and the board member are entitled to parts of this
	// meeting's non-public material through their mandates: the store
	// decides, the packet follows.)
	for _, who := range []string{"bare"} {
		t.Run("NotEntitled/"+who, func(t *testing.T) {
			data, text, info, items := packet(t, who, "Jemand")
			if strings.Contains(text, demo.Canary) || bytes.Contains(data, []byte(demo.Canary)) {
				t.Fatalf("%s's packet carries non-public content", who)
			}
			checkOrder(t, text, info, items)
		})
	}

	// Attachments go in as their original pages, each with its bookmark
	// under its item: the member's packet has every page of every PDF the
	// member may see, and poppler reads their own text.
	t.Run("OriginalPages", func(t *testing.T) {
		data, text, info, items := packet(t, "member", "Erika Beispiel")
		ctx := w.ctxs["member"]
		attachments, pages := 0, 0
		flat := squash(text)
		for _, it := range items {
			if it.Redacted || it.PaperID == 0 {
				continue
			}
			files, _, err := w.db.FindFiles(ctx, ratsnetz.FileFilter{PaperID: it.PaperID, ListOptions: ratsnetz.ListOptions{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if !strings.Contains(f.MimeType, "pdf") || f.BlobKey == "" {
					continue
				}
				orig := readBlob(t, w, f.BlobKey)
				n, err := pdf.CountPages(orig)
				if err != nil {
					t.Fatalf("demo file %d: %v", f.ID, err)
				}
				attachments++
				pages += n
				if !contains(info.Outline, "Anlage: "+f.Name) {
					t.Errorf("no bookmark for attachment %q", f.Name)
				}
				if own, err := pdf.ExtractText(orig); err == nil && havePoppler() {
					words := strings.Fields(own)
					if !strings.Contains(flat, squash(strings.Join(words[:min(len(words), 12)], " "))) {
						t.Errorf("the packet lacks the original text of %q: %q", f.Name, strings.Join(words[:min(len(words), 12)], " "))
					}
				}
			}
		}
		if attachments == 0 {
			t.Fatal("no PDF attachment on the meeting: the test proves nothing")
		}
		if info.Pages < pages+2 {
			t.Errorf("%d pages for %d attachment pages", info.Pages, pages)
		}
		if !bytes.Contains(data, []byte("/RNTPL")) {
			t.Error("no imported page (form XObject) in the packet")
		}
	})

	t.Run("Poppler", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("poppler-utils not installed")
		}
		data, _, info, _ := packet(t, "public", "")
		f := filepath.Join(t.TempDir(), "m.pdf")
		if err := writeFile(f, data); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), demo.Canary) || !strings.Contains(string(out), "Tagesordnung") {
			t.Errorf("pdftotext: canary or agenda wrong")
		}
		pi, err := exec.Command("pdfinfo", f).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(pi), "Sitzungsmappe") {
			t.Errorf("pdfinfo title: %s", pi)
		}
		_ = info
	})
}

func TestInvite(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo city")
	}
	w := newWorld(t)
	ctx := context.Background()
	meetingID := w.sum.Known.NextCouncilMeetingID
	now := demoNow
	iv := &mappe.Inviter{Builder: w.builder, Dist: w.db, Accounts: w.db, BaseURL: "https://rat.example.org", Domain: "rat.example.org",
		Now: func() time.Time { return now }}

	if _, _, err := iv.Invite(w.ctxs["member"], meetingID, ""); ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		t.Fatalf("member invites: %v, want forbidden", err)
	}
	p, err := iv.Plan(w.ctxs["office"], meetingID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != ratsnetz.InvitationKindInvitation || len(p.Recipients) < 10 {
		t.Fatalf("plan: kind %s, %d recipients", p.Kind, len(p.Recipients))
	}
	// Too late: a reason is required.
	now = p.Deadline.Add(time.Hour)
	if _, _, err := iv.Invite(w.ctxs["office"], meetingID, " "); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Fatalf("late invitation without reason: %v", err)
	}
	inv, _, err := iv.Invite(w.ctxs["office"], meetingID, "Haushaltssperre erfordert schnelle Entscheidung")
	if err != nil {
		t.Fatal(err)
	}
	if inv.DeadlineMet || len(inv.PDF) == 0 {
		t.Errorf("invitation: met %v, pdf %d bytes", inv.DeadlineMet, len(inv.PDF))
	}
	letter, err := pdf.ExtractText(inv.PDF)
	if err != nil || !strings.Contains(letter, "Tagesordnung") || !strings.Contains(letter, "Haushaltssperre") {
		t.Errorf("invitation letter: %v\n%s", err, letter)
	}
	mailed := 0
	for _, r := range inv.Recipients {
		if r.Channel != ratsnetz.ChannelPost {
			mailed++
		}
	}
	jobs, err := w.db.ClaimJobs(ctx, []string{mail.JobKind}, 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != mailed || mailed == 0 {
		t.Fatalf("%d mail jobs, want %d (the app/e-mail recipients)", len(jobs), mailed)
	}
	for _, j := range jobs {
		var m mail.Message
		if err := json.Unmarshal(j.Payload, &m); err != nil {
			t.Fatal(err)
		}
		all := m.Subject + m.Body + m.HTML
		if strings.Contains(all, demo.Canary) {
			t.Fatalf("mail carries non-public content:\n%s", all)
		}
		if !strings.Contains(m.Body, "https://rat.example.org/mein/empfang/") || !strings.HasPrefix(m.Ref, mappe.RefPrefix) || m.ID == "" {
			t.Errorf("mail without personal link or reference: %+v", m)
		}
		w.db.CompleteJob(ctx, j.ID)
	}
	// Nothing changed: no Nachtrag.
	if _, _, err := iv.Invite(w.ctxs["office"], meetingID, ""); ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
		t.Errorf("Nachtrag without change: %v, want conflict", err)
	}
	// A new non-public item: the Nachtrag lists it, the mail does not name it.
	items, _, _ := w.db.FindAgendaItems(w.ctxs["system"], ratsnetz.AgendaItemFilter{MeetingID: meetingID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	order := 0
	if len(items) > 0 {
		order = items[len(items)-1].Order + 1
	}
	if err := w.db.Load(w.ctxs["system"], &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{{
		Meta: ratsnetz.Meta{ID: 9_000_001, Created: now, Modified: now}, MeetingID: meetingID, Order: order,
		Number: "N 9", Name: "Personalsache " + demo.Canary, Public: false, Addendum: true}}}); err != nil {
		t.Fatal(err)
	}
	sup, p2, err := iv.Invite(w.ctxs["office"], meetingID, "")
	if err != nil {
		t.Fatal(err)
	}
	if sup.Kind != ratsnetz.InvitationKindSupplement || len(sup.Changes) != 1 || !strings.Contains(sup.Changes[0], "Personalsache") ||
		strings.Contains(strings.Join(p2.PublicChanges, " "), demo.Canary) {
		t.Errorf("Nachtrag: %+v / public %q", sup.Changes, p2.PublicChanges)
	}
	jobs, _ = w.db.ClaimJobs(ctx, []string{mail.JobKind}, 1000, time.Minute)
	if len(jobs) != mailed {
		t.Errorf("%d Nachtrag mails, want %d", len(jobs), mailed)
	}
	for _, j := range jobs {
		if bytes.Contains(j.Payload, []byte(demo.Canary)) {
			t.Fatal("Nachtrag mail names the non-public item")
		}
		if !bytes.Contains(j.Payload, []byte("N 9 (nichtöffentlich)")) {
			t.Errorf("Nachtrag mail does not list the change: %s", j.Payload)
		}
	}
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o600) }

func havePoppler() bool {
	_, err := exec.LookPath("pdftotext")
	return err == nil
}

// pageText is the text of a PDF as poppler reads it (the original pages of
// attachments included); without poppler, the package's own extractor,
// which does not read imported pages.
func pageText(t *testing.T, data []byte) string {
	t.Helper()
	if !havePoppler() {
		text, err := pdf.ExtractText(data)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readBlob(t *testing.T, w *world, key string) []byte {
	t.Helper()
	r, err := w.blobs.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
