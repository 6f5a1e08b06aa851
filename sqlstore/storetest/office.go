package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// officeWorld is the fixture of the office tests: the regular fixture, a
// department, a committee with a chair, and accounts per role.
type officeWorld struct {
	db   *sqlstore.DB
	now  time.Time
	loc  *time.Location
	ctxs map[string]context.Context
}

const (
	officeDept      = 15 // Amt für Schule (Verwaltungsbereich)
	officeDept2     = 17 // Kämmerei
	officeCommittee = 16 // Schulausschuss
	officeChair     = 21 // Max Muster chairs the Schulausschuss
)

func newOfficeWorld(t *testing.T, db *sqlstore.DB) *officeWorld {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	mustLoadFixture(t, db)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	MustLoad(t, db, &ratsnetz.Dataset{
		Organizations: []*ratsnetz.Organization{
			{Meta: meta(officeDept, t0, t0), BodyID: 1, Name: "Amt für Schule", OrganizationType: ratsnetz.OrgTypeVerwaltungsbereich, Classification: ratsnetz.ClassAmt},
			{Meta: meta(officeDept2, t0, t0), BodyID: 1, Name: "Kämmerei", OrganizationType: ratsnetz.OrgTypeVerwaltungsbereich, Classification: ratsnetz.ClassAmt},
			{Meta: meta(officeCommittee, t0, t0), BodyID: 1, Name: "Schulausschuss", OrganizationType: ratsnetz.OrgTypeGremium, Classification: ratsnetz.ClassAusschuss},
		},
		Memberships: []*ratsnetz.Membership{
			{Meta: meta(35, t0, t0), PersonID: officeChair, OrganizationID: officeCommittee, Role: ratsnetz.RoleChair, VotingRight: true, StartDate: day(2025, 11, 1), OnBehalfOfID: 12},
			{Meta: meta(36, t0, t0), PersonID: 20, OrganizationID: officeCommittee, Role: ratsnetz.RoleMember, VotingRight: true, StartDate: day(2025, 11, 1), OnBehalfOfID: 12},
		},
	})
	w := &officeWorld{db: db, now: now, ctxs: map[string]context.Context{"public": public, "system": sys}}
	w.loc, _ = time.LoadLocation("Europe/Berlin")
	for name, a := range map[string]*ratsnetz.Account{
		"clerk":   {Email: "clerk@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindClerk, OrganizationID: officeDept}}},
		"clerk2":  {Email: "clerk2@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindClerk, OrganizationID: officeDept2}}},
		"office":  {Email: "office@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}}},
		"office2": {Email: "office2@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 2}}},
		"member":  {Email: "member@x.example", PersonID: 20, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}},
		"chair":   {Email: "chair@x.example", PersonID: officeChair, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}},
		"faction": {Email: "faction@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 12}}},
		"board":   {Email: "board@x.example", PersonID: 22, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}},
		"admin":   {Email: "admin@x.example", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindAdministrator}}},
		"bare":    {Email: "bare@x.example"},
	} {
		a.Active = true
		if err := db.CreateAccount(context.Background(), a); err != nil {
			t.Fatalf("create account %s: %v", name, err)
		}
		w.ctxs[name] = ratsnetz.NewContextWithViewer(context.Background(), a.Viewer())
	}
	return w
}

func (w *officeWorld) ctx(name string) context.Context { return w.ctxs[name] }

// berlin returns a Berlin wall-clock time.
func (w *officeWorld) berlin(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, w.loc)
}

func (w *officeWorld) draft(t *testing.T, who string, d *ratsnetz.PaperDraft) *ratsnetz.PaperDraft {
	t.Helper()
	if d.BodyID == 0 {
		d.BodyID = 1
	}
	if d.PaperType == "" {
		d.PaperType = ratsnetz.PaperTypeResolution
	}
	if err := w.db.CreatePaperDraft(w.ctx(who), d); err != nil {
		t.Fatalf("create draft as %s: %v", who, err)
	}
	return d
}

func (w *officeWorld) version(t *testing.T) int64 {
	t.Helper()
	return must[int64](t, "data version")(w.db.DataVersion(context.Background()))
}

// testOffice checks the council office's writes: papers, meetings, agenda, minutes, motions.
func testOffice(t *testing.T, db *sqlstore.DB) {
	w := newOfficeWorld(t, db)
	t.Run("Drafts", func(t *testing.T) { testOfficeDrafts(t, w) })
	t.Run("References", func(t *testing.T) { testOfficeReferences(t, w) })
	t.Run("Motions", func(t *testing.T) { testOfficeMotions(t, w) })
	t.Run("MeetingsAgendaMinutes", func(t *testing.T) { testOfficeMeetings(t, w) })
}

func testOfficeDrafts(t *testing.T, w *officeWorld) {
	db := w.db
	// Nobody without a writing role may create a draft.
	for _, who := range []string{"public", "member", "faction", "bare", "clerk2", "office2"} {
		err := db.CreatePaperDraft(w.ctx(who), &ratsnetz.PaperDraft{BodyID: 1, DepartmentID: officeDept, Name: "x", PaperType: ratsnetz.PaperTypeResolution})
		if ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
			t.Errorf("create draft as %s: %v, want forbidden", who, err)
		}
	}
	wantCode(t, "draft without title", db.CreatePaperDraft(w.ctx("clerk"), &ratsnetz.PaperDraft{BodyID: 1, DepartmentID: officeDept,
		PaperType: ratsnetz.PaperTypeResolution}), ratsnetz.EINVALID)
	wantCode(t, "draft with a faction as department", db.CreatePaperDraft(w.ctx("clerk"), &ratsnetz.PaperDraft{BodyID: 1, DepartmentID: 12,
		Name: "x", PaperType: ratsnetz.PaperTypeResolution}), ratsnetz.EFORBIDDEN)
	wantCode(t, "draft consulted by a faction", db.CreatePaperDraft(w.ctx("clerk"), &ratsnetz.PaperDraft{BodyID: 1, DepartmentID: officeDept,
		Name: "x", PaperType: ratsnetz.PaperTypeResolution, Consultations: []ratsnetz.DraftConsultation{{OrganizationID: 12, Role: ratsnetz.ConsultationDecision}}}), ratsnetz.EINVALID)

	before := w.version(t)
	d := w.draft(t, "clerk", &ratsnetz.PaperDraft{DepartmentID: officeDept, Name: "Sanierung Schule " + Canary, Public: false,
		Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: "Der Rat beschließt " + Canary}},
		Consultations: []ratsnetz.DraftConsultation{{OrganizationID: officeCommittee, Role: ratsnetz.ConsultationPreliminary, Date: day(2026, 12, 1)},
			{OrganizationID: 10, Role: ratsnetz.ConsultationDecision, Date: day(2026, 12, 10)}}})
	if d.ID == 0 || d.Version != 1 || d.State != ratsnetz.DraftOpen {
		t.Fatalf("created draft: %+v", d)
	}
	if w.version(t) != before {
		t.Errorf("creating a draft bumped the data version: drafts are not shown outside the office")
	}
	// Drafts are seen by author, department clerks, council office, admin only.
	for who, visible := range map[string]bool{"clerk": true, "office": true, "admin": true, "system": true,
		"public": false, "member": false, "faction": false, "clerk2": false, "office2": false, "bare": false, "board": false} {
		got, err := db.FindPaperDraftByID(w.ctx(who), d.ID)
		if visible && (err != nil || got.Name != d.Name) {
			t.Errorf("%s: find draft: %v", who, err)
		}
		if !visible && (ratsnetz.ErrorCode(err) == "" || got != nil) {
			t.Errorf("%s sees the draft (err %v)", who, err)
		}
		if !visible && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND && ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
			t.Errorf("%s: find draft: code %q", who, ratsnetz.ErrorCode(err))
		}
		list, _, err := db.FindPaperDrafts(w.ctx(who), ratsnetz.PaperDraftFilter{})
		if err == nil && slices.ContainsFunc(list, func(x *ratsnetz.PaperDraft) bool { return x.ID == d.ID }) != visible {
			t.Errorf("%s: draft in list = %v, want %v", who, !visible, visible)
		}
	}
	// The canary of a draft reaches no regular read, not even the system's.
	if ps, _, _ := db.FindPapers(sys, ratsnetz.PaperFilter{Text: Canary, ListOptions: ratsnetz.ListOptions{Limit: 100}}); slices.ContainsFunc(ps, func(p *ratsnetz.Paper) bool {
		return strings.HasPrefix(p.Name, "Sanierung Schule")
	}) {
		t.Errorf("draft appears among papers before release")
	}

	// Each save is a version; a stale save conflicts.
	d.Name = "Sanierung der Schule " + Canary
	d.Sections = append(d.Sections, ratsnetz.TextSection{Heading: ratsnetz.SectionReasoning, Text: "Weil."})
	if err := db.UpdatePaperDraft(w.ctx("clerk"), d, 1); err != nil {
		t.Fatalf("update draft: %v", err)
	}
	if d.Version != 2 {
		t.Errorf("version after save = %d, want 2", d.Version)
	}
	wantCode(t, "stale save", db.UpdatePaperDraft(w.ctx("office"), d, 1), ratsnetz.ECONFLICT)
	wantCode(t, "save by another department", db.UpdatePaperDraft(w.ctx("clerk2"), d, 2), ratsnetz.ENOTFOUND)
	vs := must[[]*ratsnetz.PaperDraftVersion](t, "versions")(db.FindPaperDraftVersions(w.ctx("clerk"), d.ID))
	if len(vs) != 2 || vs[0].Version != 2 || vs[1].Name != "Sanierung Schule "+Canary || len(vs[0].Sections) != 2 {
		t.Errorf("versions = %+v", vs)
	}
	// Attachments.
	att := &ratsnetz.DraftAttachment{Name: "Kostenschätzung " + Canary, FileName: "kosten.pdf", MimeType: "application/pdf", Size: 10,
		SHA256: strings.Repeat("a", 64), SHA512: strings.Repeat("b", 128), BlobKey: "office/test/kosten.pdf", Public: true}
	if err := db.AddDraftAttachment(w.ctx("clerk"), d.ID, att); err != nil {
		t.Fatalf("add attachment: %v", err)
	}
	wantCode(t, "attachment without file", db.AddDraftAttachment(w.ctx("clerk"), d.ID, &ratsnetz.DraftAttachment{Name: "x"}), ratsnetz.EINVALID)
	wantCode(t, "attachment by outsider", db.AddDraftAttachment(w.ctx("member"), d.ID, att), ratsnetz.ENOTFOUND)

	// Release: only the council office of the body.
	for _, who := range []string{"clerk", "office2", "member"} {
		if _, err := db.ReleasePaperDraft(w.ctx(who), d.ID); err == nil {
			t.Errorf("%s released the draft", who)
		}
	}
	before = w.version(t)
	p := must[*ratsnetz.Paper](t, "release")(db.ReleasePaperDraft(w.ctx("office"), d.ID))
	if p.Reference != "2026/0001" || p.Status != ratsnetz.PaperStatusInProgress || p.Public {
		t.Errorf("released paper: ref %q status %q public %v", p.Reference, p.Status, p.Public)
	}
	if w.version(t) == before {
		t.Errorf("release did not bump the data version")
	}
	if _, err := db.ReleasePaperDraft(w.ctx("office"), d.ID); ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
		t.Errorf("second release: %v, want conflict", err)
	}
	wantCode(t, "save after release", db.UpdatePaperDraft(w.ctx("clerk"), d, 2), ratsnetz.ECONFLICT)
	got := must[*ratsnetz.Paper](t, "find released")(db.FindPaperByID(sys, p.ID))
	if got.Name != d.Name || got.MainFileID == 0 || len(got.UnderDirectionOfIDs) != 1 || got.UnderDirectionOfIDs[0] != officeDept || len(got.Sections) != 2 {
		t.Errorf("stored paper = %+v", got)
	}
	cs := mk(db.FindConsultations(sys, ratsnetz.ConsultationFilter{PaperID: p.ID})).must(t, "consultations")
	if len(cs.items) != 2 || cs.items[0].OrganizationIDs[0] != officeCommittee || cs.items[1].Role != ratsnetz.ConsultationDecision ||
		!cs.items[1].Authoritative || cs.items[0].Status != ratsnetz.ConsultationPlanned {
		t.Errorf("consultations = %+v", cs.items)
	}
	f := must[*ratsnetz.File](t, "file")(db.FindFileByID(sys, got.MainFileID))
	if f.Public || f.SHA256 != att.SHA256 || f.BlobKey != att.BlobKey {
		t.Errorf("file of a non-public paper = %+v (must be non-public)", f)
	}
	// The released non-public paper: the public and non-entitled never see it;
	// the clerk's department sees it through the lead department.
	if _, err := db.FindPaperByID(public, p.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public sees the non-public released paper: %v", err)
	}
	if _, err := db.FindFileByID(public, got.MainFileID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public sees the non-public file: %v", err)
	}
	if _, err := db.FindPaperByID(w.ctx("board"), p.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("board member sees the non-public paper: %v", err)
	}
	if _, err := db.FindPaperByID(w.ctx("clerk"), p.ID); err != nil {
		t.Errorf("clerk of the lead department does not see the released paper: %v", err)
	}

	// A public paper with a supplement (Ergänzungsvorlage) subordinated to it.
	pub := w.draft(t, "office", &ratsnetz.PaperDraft{DepartmentID: officeDept, Name: "Schulwegsicherung", Public: true,
		Consultations: []ratsnetz.DraftConsultation{{OrganizationID: officeCommittee, Role: ratsnetz.ConsultationDecision}}})
	pp := must[*ratsnetz.Paper](t, "release public")(db.ReleasePaperDraft(w.ctx("office"), pub.ID))
	if _, err := db.FindPaperByID(public, pp.ID); err != nil {
		t.Errorf("public does not see the released public paper: %v", err)
	}
	sup := w.draft(t, "clerk", &ratsnetz.PaperDraft{DepartmentID: officeDept, Name: "Ergänzung Schulwegsicherung", Public: true,
		PaperType: ratsnetz.PaperTypeSupplement, ParentPaperID: pp.ID})
	sp := must[*ratsnetz.Paper](t, "release supplement")(db.ReleasePaperDraft(w.ctx("admin"), sup.ID))
	parent := must[*ratsnetz.Paper](t, "parent")(db.FindPaperByID(public, pp.ID))
	child := must[*ratsnetz.Paper](t, "child")(db.FindPaperByID(public, sp.ID))
	if !slices.Contains(parent.SubordinatedPaperIDs, sp.ID) || !slices.Contains(child.SuperordinatedPaperIDs, pp.ID) {
		t.Errorf("supplement links: parent sub %v, child super %v", parent.SubordinatedPaperIDs, child.SuperordinatedPaperIDs)
	}
	if pp.Reference != "2026/0002" || sp.Reference != "2026/0003" {
		t.Errorf("references %q, %q; want 2026/0002, 2026/0003", pp.Reference, sp.Reference)
	}
}

func testOfficeReferences(t *testing.T, w *officeWorld) {
	db := w.db
	wantCode(t, "scheme without seq", db.SetReferenceScheme(w.ctx("office"), 2, "{year}"), ratsnetz.EINVALID)
	wantCode(t, "scheme by clerk", db.SetReferenceScheme(w.ctx("clerk"), 2, "SW-{year}-{seq:3}"), ratsnetz.EFORBIDDEN)
	if err := db.SetReferenceScheme(w.ctx("office2"), 2, "SW-{year}-{seq:3}"); err != nil {
		t.Fatal(err)
	}
	// Imported papers already use numbers of 2026 in body 2: the counter
	// starts after the highest.
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{{Meta: meta(900, t0, t0), BodyID: 2, Name: "Import", Reference: "SW-2026-007", Public: true}}})
	// Concurrent releases in body 2 get distinct, gap-free numbers.
	const n = 8
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = w.draft(t, "office2", &ratsnetz.PaperDraft{BodyID: 2, Name: fmt.Sprintf("Wirtschaftsplan %d", i), Public: true,
			PaperType: ratsnetz.PaperTypeBoardTemplate}).ID
	}
	refs := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := db.ReleasePaperDraft(w.ctx("office2"), id)
			if err != nil {
				errs <- err
				return
			}
			refs[i] = p.Reference
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent release: %v", err)
	}
	slices.Sort(refs)
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("SW-2026-%03d", 8+i))
	}
	diff(t, "references of concurrent releases", refs, want)
	if s := must[string](t, "scheme")(db.ReferenceScheme(w.ctx("office"), 1)); s != ratsnetz.DefaultReferenceScheme {
		t.Errorf("default scheme = %q", s)
	}
}

func testOfficeMotions(t *testing.T, w *officeWorld) {
	db := w.db
	m := &ratsnetz.Motion{Kind: ratsnetz.PaperTypeMotion, OrganizationID: 10, Title: "Tablets für den Rat", Text: "Der Rat möge beschließen …", Reasoning: "Papier sparen."}
	if err := db.SubmitMotion(w.ctx("member"), m); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if !m.Received.Equal(w.now) || m.State != ratsnetz.MotionSubmitted || m.PersonID != 20 || m.BodyID != 1 {
		t.Errorf("submitted motion = %+v", m)
	}
	q := &ratsnetz.Motion{Kind: ratsnetz.PaperTypeQuestion, OrganizationID: 10, FactionID: 12, Title: "Anfrage " + Canary, Text: "Wie viele …?"}
	if err := db.SubmitMotion(w.ctx("faction"), q); err != nil {
		t.Fatalf("submit for faction: %v", err)
	}
	wantCode(t, "faction staff for another faction", db.SubmitMotion(w.ctx("faction"), &ratsnetz.Motion{Kind: ratsnetz.PaperTypeMotion,
		OrganizationID: 10, FactionID: 99, Title: "x", Text: "y"}), ratsnetz.EFORBIDDEN)
	for _, who := range []string{"clerk", "public", "bare"} {
		wantCode(t, "submit as "+who, db.SubmitMotion(w.ctx(who), &ratsnetz.Motion{Kind: ratsnetz.PaperTypeMotion, OrganizationID: 10, Title: "x", Text: "y"}), ratsnetz.EFORBIDDEN)
	}
	wantCode(t, "motion to a faction", db.SubmitMotion(w.ctx("member"), &ratsnetz.Motion{Kind: ratsnetz.PaperTypeMotion, OrganizationID: 12, Title: "x", Text: "y"}), ratsnetz.EINVALID)
	wantCode(t, "motion without text", db.SubmitMotion(w.ctx("member"), &ratsnetz.Motion{Kind: ratsnetz.PaperTypeMotion, OrganizationID: 10, Title: "x"}), ratsnetz.EINVALID)

	for who, want := range map[string][]int64{"member": {m.ID}, "faction": {q.ID}, "office": {q.ID, m.ID}, "admin": {q.ID, m.ID},
		"chair": nil, "clerk": nil, "board": nil, "office2": nil} {
		ms := mk(db.FindMotions(w.ctx(who), ratsnetz.MotionFilter{})).must(t, "motions of "+who)
		var got []int64
		for _, x := range ms.items {
			got = append(got, x.ID)
		}
		diff(t, "motions seen by "+who, got, want)
	}
	if _, err := db.FindMotionByID(w.ctx("chair"), q.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("another member sees a faction's submission: %v", err)
	}
	if _, err := db.AcceptMotion(w.ctx("member"), m.ID, time.Time{}); err == nil {
		t.Errorf("the submitter accepted their own motion")
	}
	p := must[*ratsnetz.Paper](t, "accept")(db.AcceptMotion(w.ctx("office"), m.ID, day(2026, 12, 10)))
	if p.PaperType != ratsnetz.PaperTypeMotion || !p.Public || !strings.HasPrefix(p.Reference, "2026/") || !slices.Contains(p.OriginatorPersonIDs, 20) {
		t.Errorf("paper of motion = %+v", p)
	}
	got := must[*ratsnetz.Motion](t, "motion")(db.FindMotionByID(w.ctx("member"), m.ID))
	if got.State != ratsnetz.MotionAccepted || got.PaperID != p.ID || got.Reference != p.Reference {
		t.Errorf("accepted motion = %+v", got)
	}
	if _, err := db.AcceptMotion(w.ctx("office"), m.ID, time.Time{}); ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
		t.Errorf("second accept: %v", err)
	}
	wantCode(t, "reject without reason", db.RejectMotion(w.ctx("office"), q.ID, " "), ratsnetz.EINVALID)
	if err := db.RejectMotion(w.ctx("office"), q.ID, "Nicht zuständig."); err != nil {
		t.Fatal(err)
	}
	got = must[*ratsnetz.Motion](t, "motion")(db.FindMotionByID(w.ctx("faction"), q.ID))
	if got.State != ratsnetz.MotionRejected || got.Reason != "Nicht zuständig." || got.PaperID != 0 {
		t.Errorf("rejected motion = %+v", got)
	}
	// The rejected question's canary never became a paper.
	if ps, _, _ := db.FindPapers(sys, ratsnetz.PaperFilter{Text: Canary, ListOptions: ratsnetz.ListOptions{Limit: 100}}); slices.ContainsFunc(ps, func(p *ratsnetz.Paper) bool {
		return strings.HasPrefix(p.Name, "Anfrage")
	}) {
		t.Errorf("a rejected submission became a paper")
	}
}

func testOfficeMeetings(t *testing.T, w *officeWorld) {
	db := w.db
	office := w.ctx("office")
	wantCode(t, "meeting by clerk", func() error {
		_, err := db.CreateMeeting(w.ctx("clerk"), ratsnetz.MeetingInput{OrganizationID: officeCommittee, Start: w.berlin(2026, 12, 1, 17)})
		return err
	}(), ratsnetz.EFORBIDDEN)
	wantCode(t, "meeting without start", func() error {
		_, err := db.CreateMeeting(office, ratsnetz.MeetingInput{OrganizationID: officeCommittee})
		return err
	}(), ratsnetz.EINVALID)
	wantCode(t, "meeting at an unknown place", func() error {
		_, err := db.CreateMeeting(office, ratsnetz.MeetingInput{OrganizationID: officeCommittee, Start: w.berlin(2026, 12, 1, 17), LocationID: 999})
		return err
	}(), ratsnetz.EINVALID)
	wantCode(t, "meeting of a faction", func() error {
		_, err := db.CreateMeeting(office, ratsnetz.MeetingInput{OrganizationID: 12, Start: w.berlin(2026, 12, 1, 17)})
		return err
	}(), ratsnetz.EINVALID)

	// Series: every second Tuesday, and the second Tuesday of each month.
	series := must[[]*ratsnetz.Meeting](t, "series")(db.CreateMeetingSeries(office, ratsnetz.MeetingSeries{OrganizationID: officeCommittee,
		First: w.berlin(2027, 1, 12, 17), EveryWeeks: 2, Count: 3, Duration: 2 * time.Hour, Mode: ratsnetz.ModeHybrid, Public: true}))
	for i, m := range series {
		st := m.Start.In(w.loc)
		if want := w.berlin(2027, 1, 12, 17).AddDate(0, 0, 14*i); !st.Equal(want) || st.Weekday() != time.Tuesday || st.Hour() != 17 {
			t.Errorf("series meeting %d starts %v", i, st)
		}
	}
	monthly := must[[]*ratsnetz.Meeting](t, "monthly series")(db.CreateMeetingSeries(office, ratsnetz.MeetingSeries{OrganizationID: officeCommittee,
		First: w.berlin(2027, 1, 12, 17), NthWeekday: 2, Count: 4, Public: true}))
	for i, m := range monthly {
		st := m.Start.In(w.loc)
		if st.Weekday() != time.Tuesday || st.Day() < 8 || st.Day() > 14 || st.Month() != time.January+time.Month(i) || st.Hour() != 17 {
			t.Errorf("monthly meeting %d starts %v", i, st)
		}
	}
	wantCode(t, "series with both rules", func() error {
		_, err := db.CreateMeetingSeries(office, ratsnetz.MeetingSeries{OrganizationID: officeCommittee, First: w.now, EveryWeeks: 2, NthWeekday: 2, Count: 2})
		return err
	}(), ratsnetz.EINVALID)

	// A paper planned for the committee on 1 Dec and the council on 10 Dec.
	d := w.draft(t, "clerk", &ratsnetz.PaperDraft{DepartmentID: officeDept, Name: "Neue Mensa", Public: true,
		Consultations: []ratsnetz.DraftConsultation{{OrganizationID: officeCommittee, Role: ratsnetz.ConsultationPreliminary, Date: day(2026, 12, 1)},
			{OrganizationID: 10, Role: ratsnetz.ConsultationDecision, Date: day(2026, 12, 10)}}})
	paper := must[*ratsnetz.Paper](t, "release")(db.ReleasePaperDraft(office, d.ID))
	secret := w.draft(t, "clerk", &ratsnetz.PaperDraft{DepartmentID: officeDept, Name: "Personalsache " + Canary, Public: false,
		Consultations: []ratsnetz.DraftConsultation{{OrganizationID: officeCommittee, Role: ratsnetz.ConsultationDecision, Date: day(2026, 12, 1)}}})
	secretPaper := must[*ratsnetz.Paper](t, "release secret")(db.ReleasePaperDraft(office, secret.ID))

	committee := must[*ratsnetz.Meeting](t, "meeting")(db.CreateMeeting(office, ratsnetz.MeetingInput{OrganizationID: officeCommittee,
		Start: w.berlin(2026, 12, 1, 17), End: w.berlin(2026, 12, 1, 19), Mode: ratsnetz.ModeHybrid, LocationID: 5, Public: true}))
	council := must[*ratsnetz.Meeting](t, "council")(db.CreateMeeting(office, ratsnetz.MeetingInput{OrganizationID: 10, Name: "Sitzung des Rates",
		Start: w.berlin(2026, 12, 10, 17), Public: true}))
	if got := must[*ratsnetz.Meeting](t, "find")(db.FindMeetingByID(public, committee.ID)); got.Mode != ratsnetz.ModeHybrid || got.MeetingState != ratsnetz.MeetingStateScheduled {
		t.Errorf("meeting = %+v", got)
	}
	// Changing a meeting: private for a while, then public again.
	in := ratsnetz.MeetingInput{Name: "Sitzung des Rates (verlegt)", Start: w.berlin(2026, 12, 10, 18), Mode: ratsnetz.ModeOnline}
	if _, err := db.UpdateMeeting(w.ctx("clerk"), council.ID, in); ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		t.Errorf("clerk changes a meeting: %v", err)
	}
	must[*ratsnetz.Meeting](t, "update meeting")(db.UpdateMeeting(office, council.ID, in))
	if _, err := db.FindMeetingByID(public, council.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public sees the meeting made private: %v", err)
	}
	in.Public = true
	if got := must[*ratsnetz.Meeting](t, "update meeting")(db.UpdateMeeting(office, council.ID, in)); got.Name != in.Name || got.Mode != ratsnetz.ModeOnline || !got.Public {
		t.Errorf("updated meeting = %+v", got)
	}
	if err := db.AddStandardItems(office, committee.ID); err != nil {
		t.Fatal(err)
	}
	planned := must[[]*ratsnetz.Consultation](t, "planned")(db.PlannedConsultations(office, committee.ID))
	var plannedPapers []int64
	for _, c := range planned {
		plannedPapers = append(plannedPapers, c.PaperID)
	}
	// (Papers of the other subtests planned undated for the committee come too.)
	if !slices.Contains(plannedPapers, paper.ID) || !slices.Contains(plannedPapers, secretPaper.ID) {
		t.Errorf("papers planned for the committee = %v, want %d and %d among them", plannedPapers, paper.ID, secretPaper.ID)
	}
	if cs := must[[]*ratsnetz.Consultation](t, "planned council")(db.PlannedConsultations(office, council.ID)); slices.ContainsFunc(cs, func(c *ratsnetz.Consultation) bool { return c.PaperID == paper.ID }) {
		t.Errorf("the council sees the paper before the committee's consultation")
	}
	if _, err := db.PlannedConsultations(w.ctx("member"), committee.ID); ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		t.Errorf("member reads the planning: %v", err)
	}
	var paperC, secretC int64
	for _, c := range planned {
		switch c.PaperID {
		case paper.ID:
			paperC = c.ID
		case secretPaper.ID:
			secretC = c.ID
		}
	}
	item := must[*ratsnetz.AgendaItem](t, "pull paper")(db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{ConsultationID: paperC, Public: true}))
	sub := must[*ratsnetz.AgendaItem](t, "sub item")(db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{Name: "Bericht der Schulleitung", Public: true, Sub: true}))
	// Public requested, but the paper is not public: the item goes to the non-public part.
	nitem := must[*ratsnetz.AgendaItem](t, "pull secret")(db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{ConsultationID: secretC, Public: true}))
	urgent := must[*ratsnetz.AgendaItem](t, "urgent")(db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{Name: "Dringlichkeit: Heizung", Public: true, Urgent: true}))
	if _, err := db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{ConsultationID: paperC, Public: true}); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("pulling a paper twice: %v", err)
	}
	agenda := func(ctx context.Context) []string {
		t.Helper()
		items := mk(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: committee.ID})).must(t, "agenda")
		var out []string
		for _, it := range items.items {
			s := it.Number + " " + it.Name
			if it.Redacted {
				s = it.Number + " (redacted)"
			}
			if it.Urgent {
				s += " [D]"
			}
			if it.Addendum {
				s += " [N]"
			}
			out = append(out, s)
		}
		return out
	}
	diff(t, "agenda", agenda(office), []string{"Ö 1 " + ratsnetz.StandardOpening, "Ö 2 " + ratsnetz.StandardMinutes, "Ö 3 Neue Mensa",
		"Ö 3.1 Bericht der Schulleitung", "Ö 4 Dringlichkeit: Heizung [D]", "Ö 5 " + ratsnetz.StandardNotices, "Ö 6 " + ratsnetz.StandardQuestions,
		"N 1 Personalsache " + Canary})
	publicAgenda := agenda(public)
	if slices.ContainsFunc(publicAgenda, func(s string) bool { return strings.Contains(s, Canary) }) || publicAgenda[len(publicAgenda)-1] != "N 1 (redacted)" {
		t.Errorf("public agenda = %v", publicAgenda)
	}
	if err := db.MoveAgendaItem(office, urgent.ID, -2); err != nil {
		t.Fatal(err)
	}
	if err := db.MoveAgendaItem(office, nitem.ID, -1); err != nil { // first of its part: stays
		t.Fatal(err)
	}
	got := agenda(office)
	if got[2] != "Ö 3 Dringlichkeit: Heizung [D]" || got[7] != "N 1 Personalsache "+Canary {
		t.Errorf("after moves: %v", got)
	}
	if err := db.MoveAgendaItem(office, urgent.ID, 2); err != nil {
		t.Fatal(err)
	}
	_ = sub
	// Invitation, then a Nachtrag.
	invited := w.now
	if err := db.MarkInvited(office, committee.ID, invited); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(time.Hour)
	later := w.now
	db.Now = func() time.Time { return later }
	late := must[*ratsnetz.AgendaItem](t, "addendum")(db.AddAgendaItem(office, committee.ID, ratsnetz.AgendaItemInput{Name: "Nachtrag: Schulhof", Public: true}))
	if !late.Addendum {
		t.Errorf("item added after the invitation is not marked Nachtrag")
	}
	changes := must[[]ratsnetz.AgendaChange](t, "changes")(db.AgendaChangesSince(sys, committee.ID, invited))
	if len(changes) != 1 || changes[0].Item.ID != late.ID || !changes[0].Added {
		t.Errorf("changes since invitation = %+v", changes)
	}
	if m := must[*ratsnetz.Meeting](t, "find")(db.FindMeetingByID(public, committee.ID)); m.MeetingState != ratsnetz.MeetingStateInvited {
		t.Errorf("state after invitation = %q", m.MeetingState)
	}
	if err := db.RemoveAgendaItem(office, late.ID); err != nil {
		t.Fatal(err)
	}
	changes = must[[]ratsnetz.AgendaChange](t, "changes")(db.AgendaChangesSince(sys, committee.ID, invited))
	if len(changes) != 1 || !changes[0].Item.Deleted {
		t.Errorf("changes after removal = %+v", changes)
	}

	// Minutes.
	wantCode(t, "attendance by member", db.RecordAttendance(w.ctx("member"), committee.ID, nil), ratsnetz.EFORBIDDEN)
	wantCode(t, "bad attendance", db.RecordAttendance(office, committee.ID, []ratsnetz.Attendance{{PersonID: 20, Status: "da"}}), ratsnetz.EINVALID)
	if err := db.RecordAttendance(office, committee.ID, []ratsnetz.Attendance{
		{PersonID: officeChair, Status: ratsnetz.AttendancePresent, Arrived: w.berlin(2026, 12, 1, 17)},
		{PersonID: 20, Status: ratsnetz.AttendanceExcused}}); err != nil {
		t.Fatal(err)
	}
	if m := must[*ratsnetz.Meeting](t, "find")(db.FindMeetingByID(public, committee.ID)); !slices.Equal(m.ParticipantIDs, []int64{officeChair}) {
		t.Errorf("participants = %v", m.ParticipantIDs)
	}
	wantCode(t, "bad result", func() error {
		_, err := db.RecordResult(office, item.ID, ratsnetz.ItemResult{Result: "super"})
		return err
	}(), ratsnetz.EINVALID)
	res := must[*ratsnetz.AgendaItem](t, "result")(db.RecordResult(office, item.ID, ratsnetz.ItemResult{Result: ratsnetz.ResultRecommended,
		ResolutionText: "Der Ausschuss empfiehlt dem Rat den Bau.", Vote: &ratsnetz.VoteResult{Yes: 1, Unanimous: true,
			Factions: []ratsnetz.FactionVote{{OrganizationID: 12, Name: "Grün", Yes: 1}}}, ConflictPersonIDs: []int64{20}}))
	if res.Result != ratsnetz.ResultRecommended || res.Vote == nil || !res.Vote.Unanimous {
		t.Errorf("item after result = %+v", res)
	}
	if cs := mk(db.FindConflicts(sys, ratsnetz.ConflictFilter{AgendaItemID: item.ID})).must(t, "conflicts"); len(cs.items) != 1 || cs.items[0].PersonID != 20 {
		t.Errorf("conflicts = %+v", cs.items)
	}
	if p := must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, paper.ID)); p.Status != ratsnetz.PaperStatusInProgress {
		t.Errorf("paper status after the committee = %q", p.Status)
	}
	// Now the council's consultation is current.
	cplanned := must[[]*ratsnetz.Consultation](t, "planned council")(db.PlannedConsultations(office, council.ID))
	i := slices.IndexFunc(cplanned, func(c *ratsnetz.Consultation) bool { return c.PaperID == paper.ID })
	if i < 0 {
		t.Fatalf("council planning lacks the paper after the committee: %+v", cplanned)
	}
	citem := must[*ratsnetz.AgendaItem](t, "pull into council")(db.AddAgendaItem(office, council.ID, ratsnetz.AgendaItemInput{ConsultationID: cplanned[i].ID, Public: true}))
	must[*ratsnetz.AgendaItem](t, "council result")(db.RecordResult(office, citem.ID, ratsnetz.ItemResult{Result: ratsnetz.ResultAdopted, Vote: &ratsnetz.VoteResult{Yes: 30, No: 2}}))
	if p := must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, paper.ID)); p.Status != ratsnetz.PaperStatusDecided {
		t.Errorf("paper status after the council = %q", p.Status)
	}
	pcs := mk(db.FindConsultations(public, ratsnetz.ConsultationFilter{PaperID: paper.ID})).must(t, "consultations")
	if len(pcs.items) != 2 || pcs.items[0].Status != ratsnetz.ConsultationDone || pcs.items[0].MeetingID != committee.ID ||
		pcs.items[1].Result != ratsnetz.ResultAdopted || pcs.items[1].AgendaItemID != citem.ID {
		t.Errorf("Beratungsfolge = %+v", pcs.items)
	}
	// A postponed item comes back into the planning.
	must[*ratsnetz.AgendaItem](t, "postpone")(db.RecordResult(office, nitem.ID, ratsnetz.ItemResult{Result: ratsnetz.ResultPostponed}))
	scs := mk(db.FindConsultations(sys, ratsnetz.ConsultationFilter{PaperID: secretPaper.ID})).must(t, "secret consultations")
	if len(scs.items) != 2 || scs.items[0].Status != ratsnetz.ConsultationPostponed || scs.items[1].Status != ratsnetz.ConsultationPlanned {
		t.Errorf("after postponing: %+v", scs.items)
	}

	if err := db.SetMinutesText(office, committee.ID, "Die Sitzung verlief ruhig."); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindMinutes(w.ctx("member"), committee.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("a member reads the unpublished minutes: %v", err)
	}
	wantCode(t, "publish unsigned", db.PublishMinutes(office, committee.ID, &ratsnetz.File{Name: "Niederschrift", BlobKey: "k"}), ratsnetz.ECONFLICT)
	wantCode(t, "member signs as chair", db.SignMinutes(w.ctx("member"), committee.ID, ratsnetz.SignChair), ratsnetz.EFORBIDDEN)
	wantCode(t, "chair signs as recorder", db.SignMinutes(w.ctx("chair"), committee.ID, ratsnetz.SignRecorder), ratsnetz.EFORBIDDEN)
	if err := db.SignMinutes(w.ctx("chair"), committee.ID, ratsnetz.SignChair); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "sign twice", db.SignMinutes(w.ctx("chair"), committee.ID, ratsnetz.SignChair), ratsnetz.ECONFLICT)
	wantCode(t, "result after signature", func() error {
		_, err := db.RecordResult(office, item.ID, ratsnetz.ItemResult{Result: ratsnetz.ResultRejected})
		return err
	}(), ratsnetz.ECONFLICT)
	if err := db.SignMinutes(office, committee.ID, ratsnetz.SignRecorder); err != nil {
		t.Fatal(err)
	}
	mins := must[*ratsnetz.Minutes](t, "minutes")(db.FindMinutes(w.ctx("chair"), committee.ID))
	if !mins.Signed() || mins.Text != "Die Sitzung verlief ruhig." || len(mins.Attendance) != 2 || mins.ChairName == "" && mins.ChairAccountID == 0 {
		t.Errorf("minutes = %+v", mins)
	}
	before := w.version(t)
	f := &ratsnetz.File{Name: "Niederschrift Schulausschuss", FileName: "niederschrift.pdf", MimeType: "application/pdf", Size: 100,
		SHA256: strings.Repeat("c", 64), BlobKey: "office/minutes/1.pdf", Text: "Niederschrift"}
	if err := db.PublishMinutes(office, committee.ID, f); err != nil {
		t.Fatal(err)
	}
	if w.version(t) == before {
		t.Errorf("publication did not bump the data version")
	}
	m := must[*ratsnetz.Meeting](t, "published")(db.FindMeetingByID(public, committee.ID))
	if m.ResultsProtocolFileID != f.ID || m.MeetingState != ratsnetz.MeetingStateHeld {
		t.Errorf("published meeting = %+v", m)
	}
	if _, err := db.FindFileByID(public, f.ID); err != nil {
		t.Errorf("public cannot read the published minutes: %v", err)
	}
}
