package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// Synthetic generates a council of the benchmark's shape, scaled: at scale
// 1, 200 000 papers, 20 000 meetings, 400 000 agenda items and
// consultations, 500 000 files, 5 000 persons. It calls yield with datasets
// of about chunk papers (and the meetings, items and files that go with
// them). It is deterministic.
func Synthetic(scale float64, chunk int, yield func(*ratsnetz.Dataset) error) error {
	nPapers := max(int(200000*scale), 10)
	nMeetings := max(nPapers/10, 1)
	const nOrgs, itemsPerMeeting = 60, 20
	nPersons := max(int(5000*scale), 20)
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	span := 10 * 365 * 24 * time.Hour

	head := &ratsnetz.Dataset{Bodies: []*ratsnetz.Body{{Meta: ratsnetz.Meta{ID: 1, Created: base, Modified: base}, Name: "Stadt Benchstadt"}}}
	types := []string{ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion, ratsnetz.PaperTypeNotice}
	statuses := []string{ratsnetz.PaperStatusDecided, ratsnetz.PaperStatusInProgress, ratsnetz.PaperStatusNoted}
	for i := 1; i <= nOrgs; i++ {
		head.Organizations = append(head.Organizations, &ratsnetz.Organization{Meta: ratsnetz.Meta{ID: int64(i), Created: base, Modified: base},
			BodyID: 1, Name: fmt.Sprintf("Ausschuss %d", i), OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassAusschuss})
	}
	for i := 1; i <= nPersons; i++ {
		head.Persons = append(head.Persons, &ratsnetz.Person{Meta: ratsnetz.Meta{ID: int64(i), Created: base, Modified: base},
			BodyID: 1, Name: fmt.Sprintf("Person %d", i), Email: []string{fmt.Sprintf("p%d@example.org", i)}})
		for k := range 2 {
			head.Memberships = append(head.Memberships, &ratsnetz.Membership{Meta: ratsnetz.Meta{ID: int64(2*i - 1 + k), Created: base, Modified: base},
				PersonID: int64(i), OrganizationID: int64((i+k*7)%nOrgs + 1), Role: ratsnetz.RoleMember, VotingRight: true, StartDate: base})
		}
	}
	if err := yield(head); err != nil {
		return err
	}
	// Paper p is treated in meetings; meeting m holds items m*20..m*20+19.
	papersPerMeeting := max(nPapers/nMeetings, 1)
	meetingsPerChunk := max(chunk/papersPerMeeting, 1)
	fileID := int64(0)
	for m0 := 0; m0 < nMeetings; m0 += meetingsPerChunk {
		ds := &ratsnetz.Dataset{}
		for m := m0; m < min(m0+meetingsPerChunk, nMeetings); m++ {
			mid := int64(m + 1)
			start := base.Add(time.Duration(float64(span) * float64(m) / float64(nMeetings))).Truncate(time.Hour)
			org := int64(m%nOrgs + 1)
			fileID++
			meeting := &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: mid, Created: start, Modified: start}, BodyID: 1,
				Name: fmt.Sprintf("Sitzung %d", mid), Start: start, End: start.Add(3 * time.Hour), OrganizationIDs: []int64{org},
				ParticipantIDs: []int64{int64(m%nPersons + 1), int64((m+1)%nPersons + 1)}, InvitationFileID: fileID, Public: m%20 != 0}
			ds.Meetings = append(ds.Meetings, meeting)
			ds.Files = append(ds.Files, &ratsnetz.File{Meta: ratsnetz.Meta{ID: fileID, Created: start, Modified: start}, BodyID: 1,
				Name: "Einladung", FileName: "einladung.pdf", MimeType: "application/pdf", Size: 1000, Public: true})
			for p := m * papersPerMeeting; p < min((m+1)*papersPerMeeting, nPapers); p++ {
				pid := int64(p + 1)
				public := p%10 != 0
				paper := &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: pid, Created: start.Add(-30 * 24 * time.Hour), Modified: start},
					BodyID: 1, Name: fmt.Sprintf("Vorlage %d zum Thema %d", pid, r.IntN(1000)), Reference: fmt.Sprintf("%d/%05d", start.Year(), pid),
					Date: start.Add(-30 * 24 * time.Hour).Truncate(24 * time.Hour), PaperType: types[p%len(types)], Status: statuses[p%len(statuses)],
					Public: public, Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: "Der Ausschuss beschließt."}},
					OriginatorOrganizationIDs: []int64{org}}
				if p > 0 {
					paper.RelatedPaperIDs = []int64{pid - 1}
				}
				for k := range 3 {
					fileID++
					if k == 0 {
						paper.MainFileID = fileID
					} else {
						paper.AuxiliaryFileIDs = append(paper.AuxiliaryFileIDs, fileID)
					}
					ds.Files = append(ds.Files, &ratsnetz.File{Meta: ratsnetz.Meta{ID: fileID, Created: start, Modified: start}, BodyID: 1,
						Name: fmt.Sprintf("Anlage %d", k), FileName: "anlage.pdf", MimeType: "application/pdf", Size: 2000, Public: true})
				}
				ds.Papers = append(ds.Papers, paper)
			}
			for k := range itemsPerMeeting {
				iid := int64(m*itemsPerMeeting + k + 1)
				pid := int64((m*papersPerMeeting+k)%nPapers + 1)
				if k >= papersPerMeeting { // later items treat earlier papers (second readings)
					pid = int64((m*papersPerMeeting+k*7919)%nPapers + 1)
				}
				ds.AgendaItems = append(ds.AgendaItems, &ratsnetz.AgendaItem{Meta: ratsnetz.Meta{ID: iid, Created: start, Modified: start},
					MeetingID: mid, Order: k, Number: fmt.Sprintf("Ö %d", k+1), Name: fmt.Sprintf("TOP %d", k+1), Public: k%8 != 7,
					ConsultationID: iid, PaperID: pid, Result: ratsnetz.ResultAdopted})
				ds.Consultations = append(ds.Consultations, &ratsnetz.Consultation{Meta: ratsnetz.Meta{ID: iid, Created: start, Modified: start},
					PaperID: pid, MeetingID: mid, AgendaItemID: iid, OrganizationIDs: []int64{org}, Role: ratsnetz.ConsultationDecision,
					Date: start.Truncate(24 * time.Hour), Position: k % 3})
			}
		}
		if err := yield(ds); err != nil {
			return err
		}
	}
	return nil
}

// Bench loads the synthetic council at scale into db (reporting the load
// time) and then benchmarks the portal's queries against it as the public.
func Bench(b *testing.B, db *sqlstore.DB, scale float64) {
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var objects int
	err := Synthetic(scale, 2000, func(ds *ratsnetz.Dataset) error {
		objects += len(ds.Papers) + len(ds.Meetings) + len(ds.AgendaItems) + len(ds.Consultations) + len(ds.Files) + len(ds.Persons)
		return db.Load(ratsnetz.SystemContext(ctx), ds)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d objects (scale %g) in %v", objects, scale, time.Since(start).Round(time.Millisecond))
	nPapers := int64(max(int(200000*scale), 10))
	nMeetings := max(nPapers/10, 1)
	queries := []struct {
		name string
		f    func(ctx context.Context, i int) error
	}{
		{"MeetingsNewest", func(ctx context.Context, i int) error {
			_, _, err := db.FindMeetings(ctx, ratsnetz.MeetingFilter{Descending: true, ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"MeetingsOfOrganization", func(ctx context.Context, i int) error {
			_, _, err := db.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: int64(i%60 + 1), Descending: true, ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"MeetingsOfMonth", func(ctx context.Context, i int) error {
			from := time.Date(2015+i%10, time.Month(i%12+1), 1, 0, 0, 0, 0, time.UTC)
			_, _, err := db.FindMeetings(ctx, ratsnetz.MeetingFilter{From: from, Until: from.AddDate(0, 1, 0)})
			return err
		}},
		{"MeetingByID", func(ctx context.Context, i int) error {
			_, err := db.FindMeetingByID(ctx, int64(i)%nMeetings+1)
			return ignoreNotFound(err)
		}},
		{"AgendaOfMeeting", func(ctx context.Context, i int) error {
			_, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: int64(i)%nMeetings + 1, ListOptions: ratsnetz.ListOptions{Limit: 100}})
			return err
		}},
		{"PapersNewest", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"PapersNewestPage50", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 20, Offset: 1000}})
			return err
		}},
		{"PapersOfType", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, PaperType: ratsnetz.PaperTypeQuestion, ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"PapersOfOrganization", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, OrganizationID: int64(i%60 + 1), ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"PapersOfYear", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, Year: 2015 + i%10, Status: ratsnetz.PaperStatusDecided, ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"PapersByText", func(ctx context.Context, i int) error {
			_, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, Text: fmt.Sprintf("thema %d", i%1000), ListOptions: ratsnetz.ListOptions{Limit: 20}})
			return err
		}},
		{"PaperByID", func(ctx context.Context, i int) error {
			_, err := db.FindPaperByID(ctx, int64(i)%nPapers+1)
			return ignoreNotFound(err)
		}},
		{"ConsultationsOfPaper", func(ctx context.Context, i int) error {
			_, _, err := db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: int64(i)%nPapers + 1})
			return err
		}},
		{"FilesOfPaper", func(ctx context.Context, i int) error {
			_, _, err := db.FindFiles(ctx, ratsnetz.FileFilter{PaperID: int64(i)%nPapers + 1})
			return err
		}},
		{"FileByID", func(ctx context.Context, i int) error {
			_, err := db.FindFileByID(ctx, int64(i)%(nPapers*3)+1)
			return ignoreNotFound(err)
		}},
		{"MembershipsOfOrganization", func(ctx context.Context, i int) error {
			_, _, err := db.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: int64(i%60 + 1), ListOptions: ratsnetz.ListOptions{Limit: 200}})
			return err
		}},
		{"PersonsPage", func(ctx context.Context, i int) error {
			_, _, err := db.FindPersons(ctx, ratsnetz.PersonFilter{ListOptions: ratsnetz.ListOptions{Limit: 50, Offset: i % 100 * 10}})
			return err
		}},
	}
	// The same queries for a logged-in council office account of the city
	// (entitled to every non-confidential organization: the longest ID
	// sets), under "LoggedIn/".
	office := &ratsnetz.Account{UserName: "bench-sitzungsdienst", Active: true,
		Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice}}}
	if err := db.CreateAccount(ctx, office); err != nil {
		b.Fatal(err)
	}
	logged := ratsnetz.NewContextWithViewer(ctx, office.Viewer())
	for _, v := range []struct {
		prefix string
		ctx    context.Context
	}{{"", ctx}, {"LoggedIn/", logged}} {
		for _, q := range queries {
			b.Run(v.prefix+q.name, func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					i := rand.IntN(1 << 20)
					for pb.Next() {
						i++
						if err := q.f(v.ctx, i*7919); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

func ignoreNotFound(err error) error {
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		return nil
	}
	return err
}
