package e2e

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/web"
)

const scratchCanary = "GEHEIM-CANARY-7731"

var scratch struct {
	once sync.Once
	fx   *fixtures
	err  error
}

func pdfBytes(text string) []byte {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, text)
	var b bytes.Buffer
	p.Output(&b)
	return b.Bytes()
}

func mustSite(t *testing.T) *fixtures {
	t.Helper()
	scratch.once.Do(func() {
		dir, _ := os.MkdirTemp("", "scratch")
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "t.db"))
		if err != nil {
			scratch.err = err
			return
		}
		if err := db.Migrate(ctx); err != nil {
			scratch.err = err
			return
		}
		blobs, _ := disk.New(filepath.Join(dir, "files"))
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		meta := func(id int64) ratsnetz.Meta { return ratsnetz.Meta{ID: id, Created: now, Modified: now} }
		sys := ratsnetz.SystemContext(ctx)
		put := func(key, text string) ratsnetz.BlobInfo {
			info, err := blobs.Put(sys, key, bytes.NewReader(pdfBytes(text)))
			if err != nil {
				panic(err)
			}
			return info
		}
		i1 := put("f1", "Vorlage 1")
		i2 := put("f2", scratchCanary)
		ds := &ratsnetz.Dataset{
			Bodies: []*ratsnetz.Body{{Meta: meta(1), Name: "Stadt Musterstadt", Kind: ratsnetz.BodyKindMunicipality}},
			Organizations: []*ratsnetz.Organization{
				{Meta: meta(10), BodyID: 1, Name: "Rat der Stadt", OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassParlament},
				{Meta: meta(11), BodyID: 1, Name: "SPD-Fraktion", OrganizationType: ratsnetz.OrgTypeFraktion},
				{Meta: meta(12), BodyID: 1, Name: "CDU-Fraktion", OrganizationType: ratsnetz.OrgTypeFraktion},
			},
			Persons:     []*ratsnetz.Person{{Meta: meta(20), BodyID: 1, Name: "Erika Mustermann", FamilyName: "Mustermann", GivenName: "Erika"}},
			Memberships: []*ratsnetz.Membership{{Meta: meta(21), PersonID: 20, OrganizationID: 10, Role: ratsnetz.RoleMember, VotingRight: true}},
			Meetings: []*ratsnetz.Meeting{
				{Meta: meta(30), BodyID: 1, Name: "12. Sitzung des Rates", MeetingState: ratsnetz.MeetingStateHeld, Start: now.AddDate(0, 0, -3), End: now.AddDate(0, 0, -3).Add(3 * time.Hour), OrganizationIDs: []int64{10}, Public: true},
				{Meta: meta(31), BodyID: 1, Name: "Aufsichtsrat " + scratchCanary, Start: now.AddDate(0, 0, -5), OrganizationIDs: []int64{10}, Public: false},
			},
			AgendaItems: []*ratsnetz.AgendaItem{
				{Meta: meta(40), MeetingID: 30, Order: 0, Number: "Ö 1", Name: "Neubau der Grundschule Nord", Public: true, ConsultationID: 60, PaperID: 50, Result: ratsnetz.ResultAdopted,
					Vote: &ratsnetz.VoteResult{Yes: 30, No: 5, Abstain: 2, Factions: []ratsnetz.FactionVote{{OrganizationID: 11, Name: "SPD-Fraktion", Yes: 20, No: 0, Abstain: 1}, {OrganizationID: 12, Name: "CDU-Fraktion", Yes: 10, No: 5, Abstain: 1}}}},
				{Meta: meta(41), MeetingID: 30, Order: 1, Number: "N 1", Name: "Grundstück " + scratchCanary, Public: false},
			},
			Papers: []*ratsnetz.Paper{
				{Meta: meta(50), BodyID: 1, Name: "Neubau der Grundschule Nord", Reference: "2026/0001", Date: now.AddDate(0, 0, -20), PaperType: ratsnetz.PaperTypeResolution, Status: ratsnetz.PaperStatusDecided, Public: true, MainFileID: 70},
				{Meta: meta(51), BodyID: 1, Name: "Geheim " + scratchCanary, Reference: "2026/0002", Date: now.AddDate(0, 0, -20), PaperType: ratsnetz.PaperTypeResolution, Public: false, MainFileID: 71},
			},
			Consultations: []*ratsnetz.Consultation{{Meta: meta(60), PaperID: 50, MeetingID: 30, AgendaItemID: 40, OrganizationIDs: []int64{10}, Role: ratsnetz.ConsultationDecision, Status: ratsnetz.ConsultationDone}},
			Files: []*ratsnetz.File{
				{Meta: meta(70), BodyID: 1, Name: "Vorlage 2026/0001", FileName: "vorlage-2026-0001.pdf", MimeType: "application/pdf", Size: i1.Size, SHA256: i1.SHA256, BlobKey: "f1", Public: true, PaperIDs: []int64{50}},
				{Meta: meta(71), BodyID: 1, Name: "Geheim", FileName: "geheim.pdf", MimeType: "application/pdf", Size: i2.Size, SHA256: i2.SHA256, BlobKey: "f2", Public: false, PaperIDs: []int64{51}},
			},
		}
		if err := db.Load(sys, ds); err != nil {
			scratch.err = err
			return
		}
		srv := httptest.NewServer(web.NewServer(web.Config{Store: db, Blobs: blobs, Now: func() time.Time { return now }}).Handler())
		scratch.fx, scratch.err = discover(ctx, db)
		if scratch.err == nil {
			scratch.fx.Base = srv.URL
			scratch.fx.Canary = scratchCanary
			if c := os.Getenv("SCRATCH_CANARY"); c != "" {
				scratch.fx.Canary = c
			}
		}
	})
	if scratch.err != nil {
		t.Fatal(scratch.err)
	}
	return scratch.fx
}
