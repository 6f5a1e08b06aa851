package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testPages: FindPaperPage and FindMeetingPage return exactly what the
// separate finds the portal pages made before give (the page's object, its
// consultations or agenda, and the shallow neighbours behind the IDs it
// links), for every paper and meeting and every kind of viewer: the public,
// the system, logged-in viewers with each kind of right, a conflict of
// interest, a deactivated account; on the main fixture, after a
// de-publication and a deletion, and on the permission fixture. So the one
// statement per page leaks nothing the separate finds would hide.
func testPages(t *testing.T, db *sqlstore.DB) {
	db.OneStatementPages = true // the JSON path on PostgreSQL; SQLite ignores it
	t.Run("fixture", func(t *testing.T) {
		ds := mustLoadFixture(t, db)
		// A non-public item of a public meeting that treats a public paper
		// treated nowhere else in that meeting: the meeting page must not
		// load the paper for it.
		t0 := ds.AgendaItems[0].Created
		MustLoad(t, db, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{{Meta: meta(55, t0, t0), MeetingID: 40,
			Order: 3, Number: "N 2", Name: Canary, PaperID: 62}}})
		checkPages(t, db, "before", []context.Context{sys, public}, ds, true)
		// De-publish a paper, a meeting and a file, delete a paper, and
		// take a file off its paper.
		db.Now = func() time.Time { return time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC) }
		ds2 := Fixture()
		p, m, f := ds2.Papers[2], ds2.Meetings[1], ds2.Files[7]
		p.Public, m.Public, f.Public = false, false, false
		p.Name, m.Name, f.Name = Canary, Canary, Canary
		d := ds2.Papers[0]
		d.Deleted = true
		MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p, d}, Meetings: []*ratsnetz.Meeting{m}, Files: []*ratsnetz.File{f}})
		checkPages(t, db, "after de-publication", []context.Context{sys, public}, ds, true)
		checkVisibilityFlags(t, db, "main fixture after de-publication and deletion")
	})
	// The public's file predicates read files.visible_public; prove it
	// exact through every kind of write (on top of the fixture above).
	t.Run("VisibilityFlags", func(t *testing.T) { testVisibilityFlags(t, db) })
}

// testPagesPermissions is testPages on the permission fixture, for each
// viewer of testPermissions.
func testPagesPermissions(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	db.OneStatementPages = true
	db.Now = func() time.Time { return permNow }
	ds := permFixture()
	MustLoad(t, db, ds)
	for _, item := range []int64{300, 305} {
		if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 103, AgendaItemID: item}); err != nil {
			t.Fatal(err)
		}
	}
	account := func(name string, person int64, roles ...ratsnetz.AccountRole) context.Context {
		a := &ratsnetz.Account{UserName: name, PersonID: person, Roles: roles, Active: true}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return ratsnetz.NewContextWithViewer(public, a.Viewer())
	}
	mandate := ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}
	paperGrant := account("vorlagenfreigabe", 0)
	if err := db.CreateGrant(ctx, &ratsnetz.Grant{AccountID: ratsnetz.ViewerFromContext(paperGrant).AccountID,
		ObjectKind: ratsnetz.GrantPaper, ObjectID: 403}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateGrant(ctx, &ratsnetz.Grant{PersonID: 108, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 12,
		Expires: permNow.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	deactivated := account("deaktiviert", 100, mandate)
	if err := db.DeactivateAccount(ctx, ratsnetz.ViewerFromContext(deactivated).AccountID); err != nil {
		t.Fatal(err)
	}
	viewers := []context.Context{
		sys, public,
		account("mitgliedA", 100, mandate),
		account("mitgliedB", 102, mandate),
		account("befangen", 103, mandate),
		account("aufsichtsrat", 104, mandate),
		account("freigabe", 108, mandate),
		account("fraktion", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 13}),
		account("amt61", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindClerk, OrganizationID: 14}),
		account("sitzungsdienst", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}),
		account("gremienbuero", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2}),
		paperGrant, deactivated,
	}
	checkPages(t, db, "permissions", viewers, ds, false)
	checkVisibilityFlags(t, db, "permission fixture")
}

// checkPages compares the page finds with the separate finds for every
// paper and meeting of ds (and an unknown ID) and every viewer; complete
// asks that every part of the pages was non-empty somewhere.
func checkPages(t *testing.T, db *sqlstore.DB, what string, viewers []context.Context, ds *ratsnetz.Dataset, complete bool) {
	t.Helper()
	byID := func(a, b *ratsnetz.Meta) int { return cmp.Compare(a.ID, b.ID) }
	sortPapers := func(ps []*ratsnetz.Paper) {
		slices.SortFunc(ps, func(a, b *ratsnetz.Paper) int { return byID(&a.Meta, &b.Meta) })
	}
	sortMeetings := func(ms []*ratsnetz.Meeting) {
		slices.SortFunc(ms, func(a, b *ratsnetz.Meeting) int { return byID(&a.Meta, &b.Meta) })
	}
	sortItems := func(as []*ratsnetz.AgendaItem) {
		slices.SortFunc(as, func(a, b *ratsnetz.AgendaItem) int { return byID(&a.Meta, &b.Meta) })
	}
	sortFiles := func(fs []*ratsnetz.File) {
		slices.SortFunc(fs, func(a, b *ratsnetz.File) int { return byID(&a.Meta, &b.Meta) })
	}
	nonzero := func(ids ...int64) []int64 {
		var out []int64
		for _, id := range ids {
			if id != 0 {
				out = append(out, id)
			}
		}
		return out
	}
	// The fixture must exercise every part, or the comparison proves little.
	var seen [7]int
	defer func() {
		for i, n := range seen {
			if n == 0 && complete {
				t.Errorf("%s: part %d of the pages was empty on every page", what, i)
			}
		}
	}()
	for vi, ctx := range viewers {
		for _, id := range append(idsOf(ds.Papers), 999999) {
			got, err := db.FindPaperPage(ctx, id)
			p, werr := db.FindPaperByID(ctx, id)
			if ratsnetz.ErrorCode(err) != ratsnetz.ErrorCode(werr) || (werr != nil) != (err != nil) {
				t.Fatalf("%s: viewer %d paper %d: page error %v, find error %v", what, vi, id, err, werr)
			}
			if werr != nil {
				continue
			}
			want := &ratsnetz.PaperPage{Paper: p}
			want.Consultations = mk(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: id,
				ListOptions: ratsnetz.ListOptions{Limit: 500}})).must(t, "consultations").items
			var meetingIDs, itemIDs []int64
			for _, c := range want.Consultations {
				meetingIDs = append(meetingIDs, nonzero(c.MeetingID)...)
				itemIDs = append(itemIDs, nonzero(c.AgendaItemID)...)
			}
			if len(meetingIDs) > 0 {
				want.Meetings = mk(db.FindMeetingsShallow(ctx, ratsnetz.MeetingFilter{IDs: meetingIDs})).must(t, "meetings").items
			}
			if len(itemIDs) > 0 {
				for _, a := range mk(db.FindAgendaItemsShallow(ctx, ratsnetz.AgendaItemFilter{IDs: itemIDs})).must(t, "items").items {
					if !a.Redacted {
						want.AgendaItems = append(want.AgendaItems, a)
					}
				}
			}
			if fileIDs := nonzero(append([]int64{p.MainFileID}, p.AuxiliaryFileIDs...)...); len(fileIDs) > 0 {
				want.Files = mk(db.FindFilesShallow(ctx, ratsnetz.FileFilter{IDs: fileIDs})).must(t, "files").items
			}
			related := slices.Concat(p.RelatedPaperIDs, p.SuperordinatedPaperIDs, p.SubordinatedPaperIDs)
			if len(related) > 0 {
				want.Papers = mk(db.FindPapersShallow(ctx, ratsnetz.PaperFilter{IDs: related})).must(t, "papers").items
			}
			sortMeetings(got.Meetings)
			sortItems(got.AgendaItems)
			sortFiles(got.Files)
			sortPapers(got.Papers)
			diff(t, what+": paper page", got, want)
			for i, n := range []int{len(got.Consultations), len(got.Meetings), len(got.AgendaItems), len(got.Files), len(got.Papers)} {
				seen[i] += n
			}
		}
		for _, id := range append(idsOf(ds.Meetings), 999999) {
			got, err := db.FindMeetingPage(ctx, id)
			m, werr := db.FindMeetingByID(ctx, id)
			if ratsnetz.ErrorCode(err) != ratsnetz.ErrorCode(werr) || (werr != nil) != (err != nil) {
				t.Fatalf("%s: viewer %d meeting %d: page error %v, find error %v", what, vi, id, err, werr)
			}
			if werr != nil {
				continue
			}
			want := &ratsnetz.MeetingPage{Meeting: m}
			want.AgendaItems = mk(db.FindAgendaItemsShallow(ctx, ratsnetz.AgendaItemFilter{MeetingID: id,
				ListOptions: ratsnetz.ListOptions{Limit: 1000}})).must(t, "agenda").items
			var paperIDs []int64
			for _, a := range want.AgendaItems {
				if !a.Redacted {
					paperIDs = append(paperIDs, nonzero(a.PaperID)...)
				}
			}
			if len(paperIDs) > 0 {
				want.Papers = mk(db.FindPapersShallow(ctx, ratsnetz.PaperFilter{IDs: paperIDs})).must(t, "papers").items
			}
			fileIDs := nonzero(append([]int64{m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID}, m.AuxiliaryFileIDs...)...)
			if len(fileIDs) > 0 {
				want.Files = mk(db.FindFilesShallow(ctx, ratsnetz.FileFilter{IDs: fileIDs})).must(t, "files").items
			}
			sortFiles(got.Files)
			sortPapers(got.Papers)
			diff(t, what+": meeting page", got, want)
			seen[5] += len(got.AgendaItems)
			seen[6] += len(got.Papers) * len(got.Files)
		}
	}
}
