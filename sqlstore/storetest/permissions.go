package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// The permission matrix (issue 5): for each role, exactly which non-public
// meetings, agenda items, papers, consultations and files come back through
// the real Find methods, proven by per-object canary markers in every
// non-public title and text and by the IDs the lists and references name.

// permNow is the clock of the matrix: memberships and grants are judged at
// this time.
var permNow = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// marker is the canary of one non-public object: Canary + "-" + kind letter
// + ID (m meeting, i agenda item, p paper, c consultation, f file).
func marker(kind byte, id int64) string { return fmt.Sprintf("%s-%c%d", Canary, kind, id) }

var markerRE = regexp.MustCompile(regexp.QuoteMeta(Canary) + `-[a-z][0-9]+`)

// permFixture: the city (body 1) with committees A (10) and B (11), faction
// F (13) and department Amt 61 (14); the Stadtwerke (body 2) with their
// company-law confidential supervisory board S (12).
//
//	persons 100 member A (and F), 101 deputy A, 102 member B, 103 member A
//	  conflicted on items 300 and 305, 104 member S, 106 member B on behalf of F,
//	  108 member A with a grant on S, 109 expired grant on S
//	meetings 200 A non-public, 201 B non-public, 202 S non-public, 203 A public
//	items 300 (200, paper 400, cons 500, resolution file 600), 301 (200, paper 401, cons 501),
//	  302 (202, paper 402, cons 502, aux file 602, 607), 303 (201, aux file 603),
//	  304 (203, non-public, paper 404, cons 504), 305 (203, public, paper 405, cons 505, aux file 608)
//	papers 400 (main file 600, aux 607, 610), 401 (Amt 61 lead, aux 601), 402 (S), 403 (no
//	  consultation, granted per paper), 404, all non-public; 405 public (main 605, aux 606)
//	files 600–604, 606–609, 611 non-public, 605 and 610 public; 607 belongs to paper 400 and
//	  board item 302; 609 has no owner; 610 is public but its only owner (400) is not;
//	  611 belongs to public item 305 and paper 401
func permFixture() *ratsnetz.Dataset {
	t := day(2026, 1, 1)
	m := func(id int64) ratsnetz.Meta { return meta(id, t, t) }
	org := func(id, body int64, name string, confidential bool) *ratsnetz.Organization {
		return &ratsnetz.Organization{Meta: m(id), BodyID: body, Name: name, Confidential: confidential}
	}
	term := day(2025, 11, 1)
	ms := func(id, person, org int64, role string, onBehalf int64) *ratsnetz.Membership {
		return &ratsnetz.Membership{Meta: m(id), PersonID: person, OrganizationID: org, Role: role, StartDate: term, OnBehalfOfID: onBehalf}
	}
	var persons []*ratsnetz.Person
	for id := int64(100); id <= 109; id++ {
		persons = append(persons, &ratsnetz.Person{Meta: m(id), BodyID: 1, Name: "Person " + itoa(id)})
	}
	item := func(id, meeting int64, public bool, paper, cons int64) *ratsnetz.AgendaItem {
		a := &ratsnetz.AgendaItem{Meta: m(id), MeetingID: meeting, Order: int(id % 10), Number: "TOP " + itoa(id), Public: public,
			Name: "Punkt " + itoa(id), PaperID: paper, ConsultationID: cons}
		if !public {
			a.Name += " " + marker('i', id)
			a.ResolutionText = "Beschluss " + marker('i', id)
		}
		return a
	}
	paper := func(id, body int64, public bool) *ratsnetz.Paper {
		p := &ratsnetz.Paper{Meta: m(id), BodyID: body, Name: "Vorlage " + itoa(id), Reference: "2026/" + itoa(id), Public: public}
		if !public {
			p.Name += " " + marker('p', id)
		}
		return p
	}
	cons := func(id, paper, meeting, item, org int64, public bool) *ratsnetz.Consultation {
		c := &ratsnetz.Consultation{Meta: m(id), PaperID: paper, MeetingID: meeting, AgendaItemID: item, OrganizationIDs: []int64{org}, Role: "Beratung"}
		if !public {
			c.Result = "Ergebnis " + marker('c', id)
		}
		return c
	}
	file := func(id, body int64, public bool) *ratsnetz.File {
		f := &ratsnetz.File{Meta: m(id), BodyID: body, Name: "Datei " + itoa(id), FileName: "datei-" + itoa(id) + ".pdf", Public: public}
		if !public {
			f.Name += " " + marker('f', id)
			f.Text = "Inhalt " + marker('f', id)
		}
		return f
	}
	ds := &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{Meta: m(1), Name: "Musterstadt"}, {Meta: m(2), Name: "Stadtwerke", OwnerBodyID: 1}},
		Organizations: []*ratsnetz.Organization{
			org(10, 1, "Ausschuss A", false), org(11, 1, "Ausschuss B", false), org(12, 2, "Aufsichtsrat", true),
			org(13, 1, "Fraktion F", false), org(14, 1, "Amt 61", false),
		},
		Persons: persons,
		Memberships: []*ratsnetz.Membership{
			ms(1000, 100, 10, ratsnetz.RoleMember, 0), ms(1001, 101, 10, ratsnetz.RoleDeputy, 0),
			ms(1002, 102, 11, ratsnetz.RoleMember, 0), ms(1003, 103, 10, ratsnetz.RoleMember, 0),
			ms(1004, 104, 12, ratsnetz.RoleMember, 0), ms(1006, 106, 11, ratsnetz.RoleMember, 13),
			ms(1008, 108, 10, ratsnetz.RoleMember, 0), ms(1009, 100, 13, ratsnetz.RoleMember, 0),
			ms(1010, 106, 13, ratsnetz.RoleMember, 0),
		},
		Meetings: []*ratsnetz.Meeting{
			{Meta: m(200), BodyID: 1, Name: "Sitzung A " + marker('m', 200), OrganizationIDs: []int64{10}, AuxiliaryFileIDs: []int64{604}},
			{Meta: m(201), BodyID: 1, Name: "Sitzung B " + marker('m', 201), OrganizationIDs: []int64{11}},
			{Meta: m(202), BodyID: 2, Name: "Aufsichtsrat " + marker('m', 202), OrganizationIDs: []int64{12}},
			{Meta: m(203), BodyID: 1, Name: "Sitzung A öffentlich", OrganizationIDs: []int64{10}, Public: true},
		},
		AgendaItems: []*ratsnetz.AgendaItem{
			item(300, 200, false, 400, 500), item(301, 200, false, 401, 501), item(302, 202, false, 402, 502),
			item(303, 201, false, 0, 0), item(304, 203, false, 404, 504), item(305, 203, true, 405, 505),
		},
		Papers: []*ratsnetz.Paper{paper(400, 1, false), paper(401, 1, false), paper(402, 2, false), paper(403, 1, false),
			paper(404, 1, false), paper(405, 1, true)},
		Consultations: []*ratsnetz.Consultation{
			cons(500, 400, 200, 300, 10, false), cons(501, 401, 200, 301, 10, false), cons(502, 402, 202, 302, 12, false),
			cons(504, 404, 203, 304, 10, false), cons(505, 405, 203, 305, 10, true),
		},
	}
	for id := int64(600); id <= 611; id++ {
		ds.Files = append(ds.Files, file(id, 1, id == 605 || id == 610))
	}
	ds.AgendaItems[0].ResolutionFileID = 600
	ds.AgendaItems[2].AuxiliaryFileIDs = []int64{602, 607}
	ds.AgendaItems[3].AuxiliaryFileIDs = []int64{603}
	ds.AgendaItems[5].AuxiliaryFileIDs = []int64{608, 611}
	ds.Papers[0].MainFileID, ds.Papers[0].AuxiliaryFileIDs = 600, []int64{607, 610}
	ds.Papers[1].UnderDirectionOfIDs, ds.Papers[1].AuxiliaryFileIDs = []int64{14}, []int64{601, 611}
	ds.Papers[5].MainFileID, ds.Papers[5].AuxiliaryFileIDs = 605, []int64{606}
	return ds
}

// permWant is what one role sees: meetings, agenda items with content,
// papers, consultations and files (public ones included).
type permWant struct {
	meetings, items, papers, consultations, files []int64
}

var (
	permPublic = permWant{[]int64{203}, []int64{305}, []int64{405}, []int64{505}, []int64{605}}
	permA      = permWant{[]int64{200, 203}, []int64{300, 301, 304, 305}, []int64{400, 401, 404, 405},
		[]int64{500, 501, 504, 505}, []int64{600, 601, 604, 605, 606, 608, 610, 611}}
	permB     = permWant{[]int64{201, 203}, []int64{303, 305}, []int64{405}, []int64{505}, []int64{603, 605}}
	permBoard = permWant{[]int64{202, 203}, []int64{302, 305}, []int64{402, 405}, []int64{502, 505}, []int64{602, 605}}
	permCity  = permWant{[]int64{200, 201, 203}, []int64{300, 301, 303, 304, 305}, []int64{400, 401, 404, 405},
		[]int64{500, 501, 504, 505}, []int64{600, 601, 603, 604, 605, 606, 608, 610, 611}}
)

func testPermissions(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	db.Now = func() time.Time { return permNow }
	ds := permFixture()
	MustLoad(t, db, ds)
	for _, item := range []int64{300, 305} {
		if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 103, AgendaItemID: item}); err != nil {
			t.Fatal(err)
		}
	}
	account := func(name string, person int64, roles ...ratsnetz.AccountRole) ratsnetz.Viewer {
		a := &ratsnetz.Account{UserName: name, PersonID: person, Roles: roles, Active: true}
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.Viewer()
	}
	grant := func(g *ratsnetz.Grant) {
		if err := db.CreateGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	mandate := ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}
	paperGrant := account("vorlagenfreigabe", 0)
	grant(&ratsnetz.Grant{AccountID: paperGrant.AccountID, ObjectKind: ratsnetz.GrantPaper, ObjectID: 403})
	grant(&ratsnetz.Grant{PersonID: 108, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 12, Expires: permNow.Add(24 * time.Hour)})
	// Granted two days ago, expired an hour ago.
	db.Now = func() time.Time { return permNow.Add(-48 * time.Hour) }
	grant(&ratsnetz.Grant{PersonID: 109, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 12, Expires: permNow.Add(-time.Hour)})
	db.Now = func() time.Time { return permNow }
	deactivated := account("deaktiviert", 100, mandate, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindAdministrator})
	if err := db.DeactivateAccount(ctx, deactivated.AccountID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		v    ratsnetz.Viewer
		want permWant
	}{
		{"public", ratsnetz.Viewer{}, permPublic},
		{"member of A", account("mitgliedA", 100, mandate), permA},
		{"deputy of A", account("vertretungA", 101, mandate), permA},
		{"member of B only", account("mitgliedB", 102, mandate), permB},
		// Conflicted on items 300 and 305: loses item 300, paper 400
		// (treated only there), its consultation and files 600 (resolution
		// of 300) and 610 (owner 400); the public item 305 stays, but not
		// its non-public files 608 and 611 (611 also belongs to paper 401,
		// which the member sees), nor 606 (non-public file of the public
		// paper 405, reached only through the consultation at item 305).
		{"member of A conflicted on items 300 and 305", account("befangen", 103, mandate), permWant{[]int64{200, 203}, []int64{301, 304, 305},
			[]int64{401, 404, 405}, []int64{501, 504, 505}, []int64{601, 604, 605}}},
		{"Stadtwerke board member", account("aufsichtsrat", 104, mandate), permBoard},
		// Member of A with a grant on the board: both, and file 607, which
		// belongs to paper 400 (A) and board item 302 and needs both.
		{"member of A with board grant", account("freigabe", 108, mandate), permWant{[]int64{200, 202, 203}, []int64{300, 301, 302, 304, 305},
			[]int64{400, 401, 402, 404, 405}, []int64{500, 501, 502, 504, 505}, []int64{600, 601, 602, 604, 605, 606, 607, 608, 610, 611}}},
		{"expired board grant", account("abgelaufen", 109, mandate), permPublic},
		{"faction staff of F", account("fraktion", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 13}), permB},
		{"clerk of Amt 61", account("amt61", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindClerk, OrganizationID: 14}),
			permWant{[]int64{203}, []int64{305}, []int64{401, 405}, []int64{501, 505}, []int64{601, 605, 611}}},
		{"council office of the city", account("sitzungsdienst", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}), permCity},
		{"board office of the Stadtwerke", account("gremienbuero", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2}), permBoard},
		{"administrator", account("admin", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindAdministrator}), permCity},
		{"explicit paper grant", paperGrant, permWant{[]int64{203}, []int64{305}, []int64{403, 405}, []int64{505}, []int64{605}}},
		{"deactivated member of A and administrator", deactivated, permPublic},
		{"account without roles or person", account("niemand", 0), permPublic},
	}
	sysRefs := permRefs(t, sys, db, ds)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkPermissions(t, db, ds, ratsnetz.NewContextWithViewer(public, tc.v), tc.want, sysRefs)
		})
		// The same matrix as one request that resolves the rights once
		// (the portal's per-request cache): identical results.
		t.Run(tc.name+"/rights cached per request", func(t *testing.T) {
			ctx := ratsnetz.NewContextWithRightsCache(ratsnetz.NewContextWithViewer(public, tc.v))
			checkPermissions(t, db, ds, ctx, tc.want, sysRefs)
		})
	}
	// Inside one request with the cache, a change of rights applies to the
	// next store call at once (every rights write bumps the data version,
	// which keys the cache).
	t.Run("rights cache sees a grant and its revocation", func(t *testing.T) {
		v := account("spaetefreigabe", 0)
		ctx := ratsnetz.NewContextWithRightsCache(ratsnetz.NewContextWithViewer(public, v))
		visible := func() bool {
			t.Helper()
			_, err := db.FindPaperByID(ctx, 403)
			if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil
		}
		if visible() {
			t.Fatal("paper 403 visible before the grant")
		}
		g := &ratsnetz.Grant{AccountID: v.AccountID, ObjectKind: ratsnetz.GrantPaper, ObjectID: 403}
		grant(g)
		if !visible() {
			t.Fatal("paper 403 not visible after the grant (stale cached rights)")
		}
		if err := db.DeleteGrant(context.Background(), g.ID); err != nil {
			t.Fatal(err)
		}
		if visible() {
			t.Fatal("paper 403 still visible after the revocation (stale cached rights)")
		}
	})
	// The system sees everything.
	all := permWant{idsOf(ds.Meetings), idsOf(ds.AgendaItems), idsOf(ds.Papers), idsOf(ds.Consultations), idsOf(ds.Files)}
	checkPermissions(t, db, ds, sys, all, sysRefs)
}

// permRefs returns the references (kind letter + ID) each object names,
// keyed by kind letter + ID, as ctx sees them.
func permRefs(t *testing.T, ctx context.Context, db *sqlstore.DB, ds *ratsnetz.Dataset) map[string][]string {
	t.Helper()
	o := ratsnetz.ListOptions{Limit: sqlstore.MaxLimit}
	refs := map[string][]string{}
	add := func(kind byte, objs any) {
		v := reflect.ValueOf(objs)
		for i := range v.Len() {
			e := v.Index(i).Elem()
			refs[string(kind)+itoa(e.FieldByName("ID").Int())] = refsOf(e)
		}
	}
	add('m', must[[]*ratsnetz.Meeting](t, "meetings")(first(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: o}))))
	add('i', must[[]*ratsnetz.AgendaItem](t, "items")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: o}))))
	add('p', must[[]*ratsnetz.Paper](t, "papers")(first(db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: o}))))
	add('c', must[[]*ratsnetz.Consultation](t, "consultations")(first(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{ListOptions: o}))))
	add('f', must[[]*ratsnetz.File](t, "files")(first(db.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: o}))))
	return refs
}

// refFields maps the reference fields of the domain structs to the kind
// they name.
var refFields = map[string]byte{
	"MeetingID": 'm', "MeetingIDs": 'm', "AgendaItemID": 'i', "AgendaItemIDs": 'i', "PaperID": 'p', "PaperIDs": 'p',
	"RelatedPaperIDs": 'p', "SuperordinatedPaperIDs": 'p', "SubordinatedPaperIDs": 'p', "ConsultationID": 'c',
	"MainFileID": 'f', "AuxiliaryFileIDs": 'f', "InvitationFileID": 'f', "ResultsProtocolFileID": 'f',
	"VerbatimProtocolFileID": 'f', "ResolutionFileID": 'f', "MasterFileID": 'f', "DerivativeFileIDs": 'f',
}

func refsOf(e reflect.Value) []string {
	var out []string
	for i := range e.NumField() {
		kind, ok := refFields[e.Type().Field(i).Name]
		if !ok {
			continue
		}
		f := e.Field(i)
		if f.Kind() == reflect.Slice {
			for j := range f.Len() {
				out = append(out, string(kind)+itoa(f.Index(j).Int()))
			}
		} else if f.Int() != 0 {
			out = append(out, string(kind)+itoa(f.Int()))
		}
	}
	slices.Sort(out)
	return out
}

func checkPermissions(t *testing.T, db *sqlstore.DB, ds *ratsnetz.Dataset, ctx context.Context, want permWant, sysRefs map[string][]string) {
	t.Helper()
	visible := map[string]bool{}
	for kind, ids := range map[byte][]int64{'m': want.meetings, 'i': want.items, 'p': want.papers, 'c': want.consultations, 'f': want.files} {
		for _, id := range ids {
			visible[string(kind)+itoa(id)] = true
		}
	}
	// Every marker that comes back, on any path, must be of a visible
	// object; every visible non-public object's marker must come back.
	seen := map[string]bool{}
	var out []any
	collect := func(what string) func(any, error) {
		return func(v any, err error) {
			t.Helper()
			if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
				t.Errorf("%s: %v", what, err)
				return
			}
			b, jerr := json.Marshal(v)
			if jerr != nil {
				t.Fatal(jerr)
			}
			for _, m := range markerRE.FindAllString(string(b), -1) {
				key := strings.TrimPrefix(m, Canary+"-")
				if !visible[key] {
					t.Errorf("%s leaks %s: %s", what, m, b)
				}
				seen[key] = true
			}
			out = append(out, v)
		}
	}

	// Lists: exactly the visible objects.
	o := ratsnetz.ListOptions{Limit: sqlstore.MaxLimit, WithTotal: true}
	ms := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: o})).must(t, "meetings")
	collect("meetings")(ms.items, nil)
	diff(t, "meetings", idsOf(ms.items), want.meetings)
	if ms.n != len(want.meetings) {
		t.Errorf("meeting total %d, want %d", ms.n, len(want.meetings))
	}
	items := mk(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: o})).must(t, "items")
	collect("items")(items.items, nil)
	var listed, content []int64
	for _, a := range items.items {
		listed = append(listed, a.ID)
		if !a.Redacted {
			content = append(content, a.ID)
		} else if a.Name != "" || a.ResolutionText != "" || a.PaperID != 0 || a.ConsultationID != 0 || a.ResolutionFileID != 0 || len(a.AuxiliaryFileIDs) != 0 {
			t.Errorf("redacted item %d has content: %+v", a.ID, a)
		}
	}
	var wantListed []int64
	for _, a := range ds.AgendaItems {
		if slices.Contains(want.meetings, a.MeetingID) {
			wantListed = append(wantListed, a.ID)
		}
	}
	slices.Sort(listed)
	slices.Sort(content)
	diff(t, "listed items (placeholders included)", listed, wantListed)
	diff(t, "items with content", content, want.items)
	ps := mk(db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: o})).must(t, "papers")
	collect("papers")(ps.items, nil)
	diff(t, "papers", idsOf(ps.items), want.papers)
	cs := mk(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{ListOptions: o})).must(t, "consultations")
	collect("consultations")(cs.items, nil)
	got := idsOf(cs.items)
	slices.Sort(got)
	diff(t, "consultations", got, want.consultations)
	fs := mk(db.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: o})).must(t, "files")
	collect("files")(fs.items, nil)
	diff(t, "files", idsOf(fs.items), want.files)
	if fs.n != len(want.files) {
		t.Errorf("file total %d, want %d", fs.n, len(want.files))
	}
	// Text search over non-public titles.
	var wantText []int64
	for _, id := range want.papers {
		if id != 405 {
			wantText = append(wantText, id)
		}
	}
	ps = mk(db.FindPapers(ctx, ratsnetz.PaperFilter{Text: Canary, ListOptions: o})).must(t, "papers by text")
	diff(t, "papers found by the canary", idsOf(ps.items), wantText)

	// References: exactly the system's references restricted to what the
	// viewer may see.
	refs := permRefs(t, ctx, db, ds)
	for key, got := range refs {
		if strings.HasPrefix(key, "i") && !visible[key] {
			continue // placeholder: checked above
		}
		var wantRefs []string
		for _, r := range sysRefs[key] {
			if visible[r] {
				wantRefs = append(wantRefs, r)
			}
		}
		diff(t, "references of "+key, got, wantRefs)
	}

	// By ID: found exactly when visible.
	byID := func(what string, kind byte, ids []int64, find func(int64) (any, error)) {
		t.Helper()
		for _, id := range ids {
			v, err := find(id)
			collect(what)(v, err)
			found := err == nil
			if found != visible[string(kind)+itoa(id)] {
				t.Errorf("%s %d: found %v (err %v), want %v", what, id, found, err, !found)
			}
		}
	}
	byID("FindMeetingByID", 'm', idsOf(ds.Meetings), func(id int64) (any, error) { return db.FindMeetingByID(ctx, id) })
	byID("FindAgendaItemByID", 'i', idsOf(ds.AgendaItems), func(id int64) (any, error) { return db.FindAgendaItemByID(ctx, id) })
	byID("FindPaperByID", 'p', idsOf(ds.Papers), func(id int64) (any, error) { return db.FindPaperByID(ctx, id) })
	byID("FindConsultationByID", 'c', idsOf(ds.Consultations), func(id int64) (any, error) { return db.FindConsultationByID(ctx, id) })
	byID("FindFileByID", 'f', idsOf(ds.Files), func(id int64) (any, error) { return db.FindFileByID(ctx, id) })

	// Filtered lists and batches: never more than the visible objects.
	lo := ratsnetz.ListOptions{Limit: sqlstore.MaxLimit}
	for _, id := range idsOf(ds.Organizations) {
		ms := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: id, ListOptions: lo})).must(t, "meetings of org")
		collect("meetings of org")(ms.items, nil)
		for _, m := range ms.items {
			if !visible["m"+itoa(m.ID)] {
				t.Errorf("meetings of org %d: meeting %d", id, m.ID)
			}
		}
		ps := mk(db.FindPapers(ctx, ratsnetz.PaperFilter{OrganizationID: id, ListOptions: lo})).must(t, "papers of org")
		collect("papers of org")(ps.items, nil)
		for _, p := range ps.items {
			if !visible["p"+itoa(p.ID)] {
				t.Errorf("papers of org %d: paper %d", id, p.ID)
			}
		}
	}
	for _, id := range idsOf(ds.Meetings) {
		collect("items of meeting")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: lo})))
		collect("consultations of meeting")(first(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{MeetingID: id, ListOptions: lo})))
		collect("files of meeting")(first(db.FindFiles(ctx, ratsnetz.FileFilter{MeetingID: id, ListOptions: lo})))
	}
	for _, id := range idsOf(ds.Papers) {
		items := mk(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{PaperID: id, ListOptions: lo})).must(t, "items of paper")
		collect("items of paper")(items.items, nil)
		for _, a := range items.items {
			if !visible["i"+itoa(a.ID)] || !visible["p"+itoa(id)] {
				t.Errorf("items of paper %d: item %d", id, a.ID)
			}
		}
		collect("consultations of paper")(first(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: id, ListOptions: lo})))
		collect("files of paper")(first(db.FindFiles(ctx, ratsnetz.FileFilter{PaperID: id, ListOptions: lo})))
	}
	for _, id := range idsOf(ds.AgendaItems) {
		collect("files of item")(first(db.FindFiles(ctx, ratsnetz.FileFilter{AgendaItemID: id, ListOptions: lo})))
	}
	withDeleted := ratsnetz.ListOptions{Limit: sqlstore.MaxLimit, WithDeleted: true}
	collect("meetings with deleted")(first(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: withDeleted})))
	collect("items with deleted")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: withDeleted})))
	collect("papers with deleted")(first(db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: withDeleted})))
	collect("files with deleted")(first(db.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: withDeleted})))
	collect("batch items")(db.FindAgendaItemsByMeetingIDs(ctx, idsOf(ds.Meetings)))
	collect("batch consultations")(db.FindConsultationsByPaperIDs(ctx, idsOf(ds.Papers)))

	var missing []string
	for key := range visible {
		if !seen[key] && permHasMarker(ds, key) {
			missing = append(missing, key)
		}
	}
	slices.Sort(missing)
	diff(t, "visible non-public objects whose canary never came back", missing, []string{})
}

// permHasMarker reports whether the object key (kind letter + ID) carries a
// canary (it is non-public).
func permHasMarker(ds *ratsnetz.Dataset, key string) bool {
	for _, s := range []any{ds.Meetings, ds.AgendaItems, ds.Papers, ds.Consultations, ds.Files} {
		b, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		if strings.Contains(string(b), Canary+"-"+key+`"`) || strings.Contains(string(b), Canary+"-"+key+" ") {
			return true
		}
	}
	return false
}
