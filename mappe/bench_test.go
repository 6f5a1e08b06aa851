package mappe_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/mappe"
	"github.com/ratsnetz/ratsnetz/pdf"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// benchWorld is a council of 80 members with one meeting of 40 agenda items
// (30 public, 10 non-public), each with a paper of about a page and one
// attachment PDF of six pages: a Sitzungsmappe of about 300 pages with 40
// attachments.
type benchWorld struct {
	db      *sqlstore.DB
	builder *mappe.Builder
	inviter *mappe.Inviter
	office  context.Context
	members []context.Context
}

const (
	benchMeeting = 1
	benchItems   = 40
	benchMembers = 80
)

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	blobs, err := disk.New(filepath.Join(b.TempDir(), "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	meta := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: now, Modified: now} }
	ds := &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{Meta: meta(1), Name: "Stadt Benchstadt"}},
		Organizations: []*ratsnetz.Organization{{Meta: meta(1), BodyID: 1, Name: "Rat der Stadt", OrganizationType: ratsnetz.OrgTypeGremium,
			Classification: ratsnetz.ClassParlament, InvitationDays: 7}},
		Meetings: []*ratsnetz.Meeting{{Meta: meta(benchMeeting), BodyID: 1, Name: "5. Sitzung des Rates", Public: true,
			Start: now.AddDate(0, 0, 14), End: now.AddDate(0, 0, 14).Add(3 * time.Hour), OrganizationIDs: []int64{1}}},
	}
	para := strings.Repeat("Die Verwaltung wird beauftragt, die Maßnahme im Rahmen der verfügbaren Haushaltsmittel umzusetzen und dem Ausschuss zu berichten. ", 30)
	for i := int64(1); i <= benchItems; i++ {
		public := i <= 30
		num := fmt.Sprintf("Ö %d", i)
		if !public {
			num = fmt.Sprintf("N %d", i-30)
		}
		ds.Papers = append(ds.Papers, &ratsnetz.Paper{Meta: meta(100 + i), BodyID: 1, Name: fmt.Sprintf("Vorlage %d", i), Reference: fmt.Sprintf("2026/%04d", i),
			PaperType: ratsnetz.PaperTypeResolution, Public: public, Date: now,
			Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: para}, {Heading: ratsnetz.SectionReasoning, Text: para}}})
		ds.AgendaItems = append(ds.AgendaItems, &ratsnetz.AgendaItem{Meta: meta(200 + i), MeetingID: benchMeeting, Order: int(i), Number: num,
			Name: fmt.Sprintf("Gegenstand %d", i), Public: public, PaperID: 100 + i, ConsultationID: 300 + i})
		ds.Consultations = append(ds.Consultations, &ratsnetz.Consultation{Meta: meta(300 + i), PaperID: 100 + i, MeetingID: benchMeeting,
			AgendaItemID: 200 + i, OrganizationIDs: []int64{1}, Role: ratsnetz.ConsultationDecision})
		// The attachment: a real PDF of six pages, text extracted at build time.
		doc := pdf.Document{Title: fmt.Sprintf("Anlage zu Vorlage %d", i)}
		for p := 0; p < 5; p++ {
			doc.Blocks = append(doc.Blocks, pdf.Heading{Text: fmt.Sprintf("Abschnitt %d", p+1)}, pdf.Paragraph{Text: para}, pdf.PageBreak{})
		}
		var buf bytes.Buffer
		if err := pdf.Render(doc, &buf); err != nil {
			b.Fatal(err)
		}
		key := fmt.Sprintf("bench/%d.pdf", i)
		info, err := blobs.Put(ctx, key, bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		ds.Files = append(ds.Files, &ratsnetz.File{Meta: meta(400 + i), BodyID: 1, Name: fmt.Sprintf("Anlage %d", i), FileName: fmt.Sprintf("anlage-%d.pdf", i),
			MimeType: "application/pdf", BlobKey: key, Size: info.Size, SHA256: info.SHA256, Public: public, PaperIDs: []int64{100 + i}})
		ds.Papers[len(ds.Papers)-1].AuxiliaryFileIDs = []int64{400 + i}
	}
	for i := int64(1); i <= benchMembers; i++ {
		ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: meta(1000 + i), BodyID: 1, Name: fmt.Sprintf("Mitglied %02d", i)})
		ds.Memberships = append(ds.Memberships, &ratsnetz.Membership{Meta: meta(2000 + i), PersonID: 1000 + i, OrganizationID: 1,
			Role: ratsnetz.RoleMember, VotingRight: true, StartDate: now.AddDate(-1, 0, 0)})
	}
	if err := db.Load(ratsnetz.SystemContext(ctx), ds); err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{db: db}
	office := &ratsnetz.Account{Email: "office@bench.example", Active: true, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice}}}
	if err := db.CreateAccount(ctx, office); err != nil {
		b.Fatal(err)
	}
	w.office = ratsnetz.NewContextWithViewer(ctx, office.Viewer())
	for i := int64(1); i <= benchMembers; i++ {
		a := &ratsnetz.Account{Email: fmt.Sprintf("m%d@bench.example", i), PersonID: 1000 + i, Active: true,
			Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}}
		if err := db.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
		w.members = append(w.members, ratsnetz.NewContextWithViewer(ctx, a.Viewer()))
	}
	loc, _ := time.LoadLocation("Europe/Berlin")
	w.builder = &mappe.Builder{Store: db, Blobs: blobs, Loc: loc, Now: db.Now}
	w.inviter = &mappe.Inviter{Builder: w.builder, Dist: db, Accounts: db, BaseURL: "https://rat.bench.example", Domain: "bench.example", Now: db.Now}
	return w
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // Linux: KiB
}

// BenchmarkSitzungsmappe renders one personal packet of ~300 pages with 40
// attachments (target ≤ 3 s, ≤ 200 MB RAM). Reports pages and the process's
// peak RSS.
func BenchmarkSitzungsmappe(b *testing.B) {
	w := newBenchWorld(b)
	var data []byte
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		var err error
		if data, err = w.builder.RenderPacket(w.members[0], benchMeeting, "Mitglied 01"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	info, err := pdf.ReadInfo(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(info.Pages), "pages")
	b.ReportMetric(float64(len(data))/(1<<20), "MB-pdf")
	b.ReportMetric(maxRSSMB(), "MB-maxrss")
}

// BenchmarkInviteCouncil invites a council of 80 members and renders each
// member's personal packet (target ≤ 30 s for the whole).
func BenchmarkInviteCouncil(b *testing.B) {
	w := newBenchWorld(b)
	pages := 0
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if _, err := w.db.WriteDB().Exec(`DELETE FROM invitations; DELETE FROM jobs`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		inv, _, err := w.inviter.Invite(w.office, benchMeeting, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Recipients) != benchMembers {
			b.Fatalf("%d recipients", len(inv.Recipients))
		}
		readers := make([]mappe.Reader, len(inv.Recipients))
		for i, r := range inv.Recipients {
			readers[i] = mappe.Reader{Viewer: ratsnetz.ViewerFromContext(w.members[r.PersonID-1001]), Name: r.Name}
		}
		var mu sync.Mutex
		pages = 0
		if err := w.builder.RenderPackets(context.Background(), benchMeeting, readers, runtime.GOMAXPROCS(0), func(i int, data []byte) error {
			mu.Lock()
			pages += bytes.Count(data, []byte("/Type /Page\n"))
			mu.Unlock()
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(pages), "pages-total")
	b.ReportMetric(maxRSSMB(), "MB-maxrss")
}
