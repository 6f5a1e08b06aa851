// Package storetest is the conformance suite of the SQL store: every
// behaviour of ratsnetz.Store, visibility included, run against each
// database by its backend's tests.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// Run runs the suite. open returns a fresh, empty database of its own for
// every call (migrated or not: the suite migrates).
func Run(t *testing.T, open func(t *testing.T) *sqlstore.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *sqlstore.DB)
	}{
		{"MigrateEmpty", testMigrateEmpty},
		{"RoundTrip", testRoundTrip},
		{"LoadIdempotent", testLoadIdempotent},
		{"LoadReplacesLists", testLoadReplacesLists},
		{"LoadInvalid", testLoadInvalid},
		{"LoadLarge", testLoadLarge},
		{"LoadVisibility", testLoadVisibility},
		{"Filters", testFilters},
		{"Paging", testPaging},
		{"Limits", testLimits},
		{"InvalidFilters", testInvalidFilters},
		{"ChangeFilters", testChangeFilters},
		{"Deleted", testDeleted},
		{"Depublication", testDepublication},
		{"ParentModified", testParentModified},
		{"PublicVisibility", testPublicVisibility},
		{"PublicNeverSeesCanary", testPublicNeverSeesCanary},
		{"Permissions", testPermissions},
		{"NotFound", testNotFound},
		{"Batch", testBatch},
		{"Shallow", testShallow},
		{"Pages", testPages},
		{"PagesPermissions", testPagesPermissions},
		{"ConcurrentReadsDuringLoad", testConcurrentReadsDuringLoad},
		{"DataVersion", testDataVersion},
		// Areas of later issues, each in its own file (storetest/<area>.go).
		{"Office", testOffice},
		{"Jobs", testJobs},
		{"Feeds", testFeeds},
		{"Live", testLive},
		{"LiveHands", testLiveHands},
		{"LiveSecret", testLiveSecret},
		{"Search", testSearch},
		{"OParlDocs", testOParlDocs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			// Whatever a test wrote, by whichever write path (Load, the
			// office, raw SQL), the stored file visibility must still be
			// the public's rule at its end: a write path that leaves
			// files.visible_public wrong fails the suite on both
			// databases. A cleanup, so that it runs after parallel
			// subtests too (and before the database is closed: cleanups
			// run last-registered first).
			t.Cleanup(func() { checkVisibilityFlags(t, db, tc.name+" (end of test)") })
			tc.fn(t, db)
		})
	}
}

var (
	sys    = ratsnetz.SystemContext(context.Background())
	public = context.Background()
)

// MustLoad loads ds into db as the system.
func MustLoad(tb testing.TB, db ratsnetz.Loader, ds *ratsnetz.Dataset) {
	tb.Helper()
	if err := db.Load(sys, ds); err != nil {
		tb.Fatalf("load: %v", err)
	}
}

func mustLoadFixture(tb testing.TB, db *sqlstore.DB) *ratsnetz.Dataset {
	tb.Helper()
	ds := Fixture()
	MustLoad(tb, db, ds)
	return ds
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// list is the result of a Find* list method.
type list[T any] struct {
	items []T
	n     int
}

// result is a list method's answer before the error is checked.
type result[T any] struct {
	items []T
	n     int
	err   error
}

func mk[T any](items []T, n int, err error) result[T] { return result[T]{items, n, err} }

func (r result[T]) must(t *testing.T, what string) list[T] {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	return list[T]{r.items, r.n}
}

// idsOf returns the Meta.ID of every object (pointers to domain structs).
func idsOf[T any](xs []T) []int64 {
	ids := make([]int64, 0, len(xs))
	for _, x := range xs {
		ids = append(ids, reflect.ValueOf(x).Elem().FieldByName("ID").Int())
	}
	return ids
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := ratsnetz.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

func testMigrateEmpty(t *testing.T, db *sqlstore.DB) {
	if err := db.Migrate(public); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if empty := must[bool](t, "empty")(db.Empty(public)); !empty {
		t.Error("new database is not empty")
	}
	mustLoadFixture(t, db)
	if empty := must[bool](t, "empty")(db.Empty(public)); empty {
		t.Error("database with bodies is empty")
	}
	if err := db.Migrate(public); err != nil {
		t.Fatalf("migrate after load: %v", err)
	}
	if got := mk(db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "papers"); got.n != 3 {
		t.Errorf("papers after re-migrate: %d, want 3", got.n)
	}
}

// testRoundTrip: the system gets back every field of every object.
func testRoundTrip(t *testing.T, db *sqlstore.DB) {
	ds := mustLoadFixture(t, db)
	for _, want := range ds.Bodies {
		diff(t, "body", must[*ratsnetz.Body](t, "body")(db.FindBodyByID(sys, want.ID)), want)
	}
	for _, want := range ds.Locations {
		diff(t, "location", must[*ratsnetz.Location](t, "location")(db.FindLocationByID(sys, want.ID)), want)
	}
	terms := mk(db.FindLegislativeTerms(sys, ratsnetz.LegislativeTermFilter{})).must(t, "terms")
	diff(t, "terms (by start)", terms.items, []*ratsnetz.LegislativeTerm{ds.LegislativeTerms[1], ds.LegislativeTerms[0]})
	for _, want := range ds.Organizations {
		diff(t, "organization", must[*ratsnetz.Organization](t, "organization")(db.FindOrganizationByID(sys, want.ID)), want)
	}
	for _, want := range ds.Persons {
		diff(t, "person", must[*ratsnetz.Person](t, "person")(db.FindPersonByID(sys, want.ID)), want)
	}
	for _, want := range ds.Memberships {
		diff(t, "membership", must[*ratsnetz.Membership](t, "membership")(db.FindMembershipByID(sys, want.ID)), want)
	}
	for _, want := range ds.Meetings {
		diff(t, "meeting", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(sys, want.ID)), want)
	}
	for _, want := range ds.AgendaItems {
		diff(t, "agenda item", must[*ratsnetz.AgendaItem](t, "agenda item")(db.FindAgendaItemByID(sys, want.ID)), want)
	}
	for _, want := range ds.Papers {
		diff(t, "paper", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(sys, want.ID)), want)
	}
	for _, want := range ds.Consultations {
		diff(t, "consultation", must[*ratsnetz.Consultation](t, "consultation")(db.FindConsultationByID(sys, want.ID)), want)
	}
	files := withBackRefs(ds)
	for _, f := range ds.Files {
		diff(t, "file", must[*ratsnetz.File](t, "file")(db.FindFileByID(sys, f.ID)), files[f.ID])
	}
	// Lists return the same objects as the find-by-ID methods.
	papers := mk(db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "papers")
	diff(t, "paper list", papers.items, ds.Papers)
	meetings := mk(db.FindMeetings(sys, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "meetings")
	diff(t, "meeting list", meetings.items, ds.Meetings)
	var wantFiles []*ratsnetz.File
	for _, f := range ds.Files {
		wantFiles = append(wantFiles, files[f.ID])
	}
	fl := mk(db.FindFiles(sys, ratsnetz.FileFilter{})).must(t, "files")
	diff(t, "file list", fl.items, wantFiles)
	diff(t, "body list", mk(db.FindBodies(sys, ratsnetz.BodyFilter{})).must(t, "bodies").items, ds.Bodies)
	diff(t, "location list", mk(db.FindLocations(sys, ratsnetz.LocationFilter{})).must(t, "locations").items, ds.Locations)
	diff(t, "organization list", mk(db.FindOrganizations(sys, ratsnetz.OrganizationFilter{})).must(t, "orgs").items, ds.Organizations)
	diff(t, "person list", mk(db.FindPersons(sys, ratsnetz.PersonFilter{})).must(t, "persons").items, ds.Persons)
	diff(t, "membership list", mk(db.FindMemberships(sys, ratsnetz.MembershipFilter{})).must(t, "memberships").items, ds.Memberships)
}

// snapshot is everything the system sees, as JSON, to compare states.
func snapshot(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	all := ratsnetz.ListOptions{Limit: sqlstore.MaxLimit, WithDeleted: true, WithTotal: true}
	var parts []any
	add := func(items any, n int, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		parts = append(parts, items, n)
	}
	add(db.FindBodies(sys, ratsnetz.BodyFilter{ListOptions: all}))
	add(db.FindLegislativeTerms(sys, ratsnetz.LegislativeTermFilter{ListOptions: all}))
	add(db.FindLocations(sys, ratsnetz.LocationFilter{ListOptions: all}))
	add(db.FindOrganizations(sys, ratsnetz.OrganizationFilter{ListOptions: all}))
	add(db.FindPersons(sys, ratsnetz.PersonFilter{ListOptions: all}))
	add(db.FindMemberships(sys, ratsnetz.MembershipFilter{ListOptions: all}))
	add(db.FindMeetings(sys, ratsnetz.MeetingFilter{ListOptions: all}))
	add(db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{ListOptions: all}))
	add(db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: all}))
	add(db.FindConsultations(sys, ratsnetz.ConsultationFilter{ListOptions: all}))
	add(db.FindFiles(sys, ratsnetz.FileFilter{ListOptions: all}))
	b, err := json.MarshalIndent(parts, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testLoadIdempotent(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	first := snapshot(t, db)
	mustLoadFixture(t, db)
	if second := snapshot(t, db); second != first {
		t.Errorf("second load changed the data:\n%s", cmp.Diff(first, second))
	}
	// Loading in parts, duplicates inside one dataset included, gives the same.
	ds := Fixture()
	MustLoad(t, db, &ratsnetz.Dataset{Papers: append(ds.Papers, ds.Papers[0]), Files: ds.Files})
	MustLoad(t, db, &ratsnetz.Dataset{Meetings: ds.Meetings, AgendaItems: ds.AgendaItems})
	if third := snapshot(t, db); third != first {
		t.Errorf("partial re-load changed the data:\n%s", cmp.Diff(first, third))
	}
	// No duplicate rows behind the lists.
	p := must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(sys, 60))
	diff(t, "related papers after three loads", p.RelatedPaperIDs, []int64{61, 62})
	f := must[*ratsnetz.File](t, "file")(db.FindFileByID(sys, 80))
	diff(t, "file owners after three loads", f.PaperIDs, []int64{60})
}

func testLoadReplacesLists(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	ds := Fixture()
	p := ds.Papers[0]
	p.Name = "Neubau der Grundschule Süd (geändert)"
	p.RelatedPaperIDs = []int64{62}
	p.AuxiliaryFileIDs = []int64{87}
	p.MainFileID = 0
	p.Sections = nil
	m := ds.Meetings[0]
	m.OrganizationIDs = []int64{12}
	m.ParticipantIDs = nil
	m.InvitationFileID = 0
	c := ds.Consultations[0]
	c.OrganizationIDs = []int64{11, 12}
	f := ds.Files[4]
	f.DerivativeFileIDs = []int64{85}
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}, Meetings: []*ratsnetz.Meeting{m},
		Consultations: []*ratsnetz.Consultation{c}, Files: []*ratsnetz.File{f}})
	diff(t, "paper", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(sys, p.ID)), p)
	diff(t, "meeting", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(sys, m.ID)), m)
	diff(t, "consultation", must[*ratsnetz.Consultation](t, "consultation")(db.FindConsultationByID(sys, c.ID)), c)
	got := must[*ratsnetz.File](t, "file")(db.FindFileByID(sys, 84))
	diff(t, "derivatives", got.DerivativeFileIDs, []int64{85})
	diff(t, "file 84 owners", got.MeetingIDs, []int64(nil))
	got = must[*ratsnetz.File](t, "file")(db.FindFileByID(sys, 87))
	diff(t, "file 87 owners", [][]int64{got.PaperIDs, got.MeetingIDs}, [][]int64{{60}, {40}})
	ms := mk(db.FindMeetings(sys, ratsnetz.MeetingFilter{OrganizationID: 10})).must(t, "meetings of 10")
	diff(t, "meetings of organization 10", idsOf(ms.items), []int64{})
}

func testLoadInvalid(t *testing.T, db *sqlstore.DB) {
	for _, ds := range []*ratsnetz.Dataset{
		{Papers: []*ratsnetz.Paper{{Name: "ohne ID"}}},
		{Meetings: []*ratsnetz.Meeting{{Meta: ratsnetz.Meta{ID: -3}}}},
		{Files: []*ratsnetz.File{nil}},
	} {
		wantCode(t, "load", db.Load(sys, ds), ratsnetz.EINVALID)
	}
	if err := db.Load(sys, &ratsnetz.Dataset{}); err != nil {
		t.Errorf("empty dataset: %v", err)
	}
	// A failed Load leaves nothing behind.
	err := db.Load(sys, &ratsnetz.Dataset{Bodies: Fixture().Bodies, Papers: []*ratsnetz.Paper{{Name: "ohne ID"}}})
	wantCode(t, "load", err, ratsnetz.EINVALID)
	if empty := must[bool](t, "empty")(db.Empty(public)); !empty {
		t.Error("failed load left bodies behind")
	}
}

// testLoadLarge loads more rows than one multi-row statement holds and more
// join rows than one IN list, in one Load, twice.
func testLoadLarge(t *testing.T, db *sqlstore.DB) {
	const n = 1200
	ds := &ratsnetz.Dataset{}
	for i := range n {
		id := int64(1000 + i)
		ds.Papers = append(ds.Papers, &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: id, Created: t0, Modified: t0},
			Name: fmt.Sprintf("Vorlage %d", i), Public: i%10 != 0, Date: t0.Add(time.Duration(i) * time.Hour),
			AuxiliaryFileIDs: []int64{100000 + id}, RelatedPaperIDs: []int64{id + 1, id + 2}})
		ds.Files = append(ds.Files, &ratsnetz.File{Meta: ratsnetz.Meta{ID: 100000 + id}, Name: "Anlage", Public: true})
	}
	MustLoad(t, db, ds)
	MustLoad(t, db, ds)
	all := mk(db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "papers")
	if all.n != n {
		t.Errorf("system sees %d papers, want %d", all.n, n)
	}
	pub := mk(db.FindPapers(public, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{WithTotal: true, Limit: 3}})).must(t, "papers")
	if pub.n != n-n/10 {
		t.Errorf("public sees %d papers, want %d", pub.n, n-n/10)
	}
	diff(t, "newest public papers", idsOf(pub.items), []int64{1000 + n - 1, 1000 + n - 2, 1000 + n - 3})
	p := must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(sys, 1008))
	diff(t, "related", p.RelatedPaperIDs, []int64{1009, 1010})
	p = must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, 1008))
	diff(t, "related, public", p.RelatedPaperIDs, []int64{1009}) // 1010 is not public
	files := mk(db.FindFiles(public, ratsnetz.FileFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "files")
	if files.n != n-n/10 {
		t.Errorf("public sees %d files, want %d (files of non-public papers are hidden)", files.n, n-n/10)
	}
}

func testFilters(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	at := func(y int, m time.Month, d int) time.Time { return day(y, m, d) }
	type tc struct {
		name string
		got  func() ([]int64, error)
		want []int64
	}
	ids := func(f func() (any, int, error)) func() ([]int64, error) {
		return func() ([]int64, error) {
			xs, _, err := f()
			if err != nil {
				return nil, err
			}
			return idsOf(reflectSlice(xs)), nil
		}
	}
	tests := []tc{
		{"bodies by IDs", ids(func() (any, int, error) { return db.FindBodies(sys, ratsnetz.BodyFilter{IDs: []int64{2, 99}}) }), []int64{2}},
		{"terms of body", ids(func() (any, int, error) {
			return db.FindLegislativeTerms(sys, ratsnetz.LegislativeTermFilter{BodyID: 1, IDs: []int64{3, 4}})
		}), []int64{4, 3}},
		{"terms of other body", ids(func() (any, int, error) {
			return db.FindLegislativeTerms(sys, ratsnetz.LegislativeTermFilter{BodyID: 2})
		}), nil},
		{"locations of body 2", ids(func() (any, int, error) { return db.FindLocations(sys, ratsnetz.LocationFilter{BodyID: 2}) }), []int64{6}},
		{"locations by IDs", ids(func() (any, int, error) { return db.FindLocations(sys, ratsnetz.LocationFilter{IDs: []int64{5}}) }), []int64{5}},
		{"organizations of body 1", ids(func() (any, int, error) {
			return db.FindOrganizations(sys, ratsnetz.OrganizationFilter{BodyID: 1})
		}), []int64{10, 11, 12}},
		{"organizations by type", ids(func() (any, int, error) {
			return db.FindOrganizations(sys, ratsnetz.OrganizationFilter{OrganizationType: ratsnetz.OrgTypeFraktion})
		}), []int64{12}},
		{"organizations by classification", ids(func() (any, int, error) {
			return db.FindOrganizations(sys, ratsnetz.OrganizationFilter{Classification: ratsnetz.ClassAusschuss, IDs: []int64{10, 11}})
		}), []int64{11}},
		{"organizations active 2024", ids(func() (any, int, error) {
			return db.FindOrganizations(sys, ratsnetz.OrganizationFilter{ActiveAt: at(2024, 5, 1)})
		}), []int64{10, 12, 13}},
		{"organizations active on last day", ids(func() (any, int, error) {
			return db.FindOrganizations(sys, ratsnetz.OrganizationFilter{ActiveAt: time.Date(2020, 10, 31, 18, 0, 0, 0, time.UTC)})
		}), []int64{11, 12, 13}},
		{"persons of body 1", ids(func() (any, int, error) { return db.FindPersons(sys, ratsnetz.PersonFilter{BodyID: 1}) }), []int64{20, 21}},
		{"persons in organization", ids(func() (any, int, error) {
			return db.FindPersons(sys, ratsnetz.PersonFilter{OrganizationID: 13})
		}), []int64{22}},
		{"persons by IDs", ids(func() (any, int, error) { return db.FindPersons(sys, ratsnetz.PersonFilter{IDs: []int64{21, 20}}) }), []int64{20, 21}},
		{"memberships of person", ids(func() (any, int, error) {
			return db.FindMemberships(sys, ratsnetz.MembershipFilter{PersonID: 21})
		}), []int64{31}},
		{"memberships of organization", ids(func() (any, int, error) {
			return db.FindMemberships(sys, ratsnetz.MembershipFilter{OrganizationID: 10})
		}), []int64{30}},
		{"memberships of body", ids(func() (any, int, error) {
			return db.FindMemberships(sys, ratsnetz.MembershipFilter{BodyID: 1})
		}), []int64{30, 31}},
		{"memberships active", ids(func() (any, int, error) {
			return db.FindMemberships(sys, ratsnetz.MembershipFilter{ActiveAt: at(2021, 1, 1)})
		}), []int64{30, 32}},
		{"memberships by IDs", ids(func() (any, int, error) {
			return db.FindMemberships(sys, ratsnetz.MembershipFilter{IDs: []int64{32, 31}})
		}), []int64{31, 32}},
		{"meetings by start", ids(func() (any, int, error) { return db.FindMeetings(sys, ratsnetz.MeetingFilter{}) }), []int64{40, 41, 42}},
		{"meetings newest first", ids(func() (any, int, error) {
			return db.FindMeetings(sys, ratsnetz.MeetingFilter{Descending: true})
		}), []int64{42, 41, 40}},
		{"meetings of organization", ids(func() (any, int, error) {
			return db.FindMeetings(sys, ratsnetz.MeetingFilter{OrganizationID: 10})
		}), []int64{40}},
		{"meetings of body", ids(func() (any, int, error) { return db.FindMeetings(sys, ratsnetz.MeetingFilter{BodyID: 2}) }), []int64{42}},
		{"meetings from/until", ids(func() (any, int, error) {
			return db.FindMeetings(sys, ratsnetz.MeetingFilter{From: time.Date(2024, 3, 1, 16, 0, 0, 0, time.UTC), Until: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)})
		}), []int64{40, 41}},
		{"meetings by IDs", ids(func() (any, int, error) { return db.FindMeetings(sys, ratsnetz.MeetingFilter{IDs: []int64{41, 43}}) }), []int64{41}},
		{"agenda items of meeting", ids(func() (any, int, error) {
			return db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{MeetingID: 40})
		}), []int64{50, 51, 54}},
		{"agenda items in meeting order", ids(func() (any, int, error) { return db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{}) }),
			[]int64{50, 51, 54, 53, 52}},
		{"agenda items of paper", ids(func() (any, int, error) {
			return db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{PaperID: 60})
		}), []int64{50, 52}},
		{"agenda items of body", ids(func() (any, int, error) {
			return db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{BodyID: 2})
		}), []int64{52}},
		{"agenda items by IDs", ids(func() (any, int, error) {
			return db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{IDs: []int64{53, 51}})
		}), []int64{51, 53}},
		{"papers by ID", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{}) }), []int64{60, 61, 62}},
		{"papers newest first", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Newest: true}) }), []int64{61, 60, 62}},
		{"papers by type", ids(func() (any, int, error) {
			return db.FindPapers(sys, ratsnetz.PaperFilter{PaperType: ratsnetz.PaperTypeMotion})
		}), []int64{62}},
		{"papers by status", ids(func() (any, int, error) {
			return db.FindPapers(sys, ratsnetz.PaperFilter{Status: ratsnetz.PaperStatusDecided})
		}), []int64{60, 61}},
		{"papers by reference", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Reference: "2023/0100"}) }), []int64{62}},
		{"papers by year", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Year: 2023}) }), []int64{62}},
		{"papers by organization", ids(func() (any, int, error) {
			return db.FindPapers(sys, ratsnetz.PaperFilter{OrganizationID: 13})
		}), []int64{60}},
		{"papers by body", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{BodyID: 2}) }), nil},
		{"papers by IDs", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{IDs: []int64{62, 63}}) }), []int64{62}},
		{"papers by text in title, any case", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Text: "GRUNDSCHULE"}) }), []int64{60}},
		{"papers by text with umlaut", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Text: "änderung"}) }), []int64{62}},
		{"papers by text in reference", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Text: "2024/"}) }), []int64{60, 61}},
		{"papers by text, wildcards are literal", ids(func() (any, int, error) { return db.FindPapers(sys, ratsnetz.PaperFilter{Text: "%"}) }), nil},
		{"papers by text and type", ids(func() (any, int, error) {
			return db.FindPapers(sys, ratsnetz.PaperFilter{Text: "bebauungsplan", PaperType: ratsnetz.PaperTypeMotion, Year: 2023, Newest: true})
		}), []int64{62}},
		{"consultations of paper", ids(func() (any, int, error) {
			return db.FindConsultations(sys, ratsnetz.ConsultationFilter{PaperID: 60})
		}), []int64{72, 70}},
		{"consultations of meeting", ids(func() (any, int, error) {
			return db.FindConsultations(sys, ratsnetz.ConsultationFilter{MeetingID: 40})
		}), []int64{70, 71}},
		{"consultations of organization", ids(func() (any, int, error) {
			return db.FindConsultations(sys, ratsnetz.ConsultationFilter{OrganizationID: 10})
		}), []int64{72, 70, 71}},
		{"consultations of body", ids(func() (any, int, error) {
			return db.FindConsultations(sys, ratsnetz.ConsultationFilter{BodyID: 1, IDs: []int64{73, 70}})
		}), []int64{70, 73}},
		{"files of paper", ids(func() (any, int, error) { return db.FindFiles(sys, ratsnetz.FileFilter{PaperID: 60}) }), []int64{80, 81, 83}},
		{"files of meeting", ids(func() (any, int, error) { return db.FindFiles(sys, ratsnetz.FileFilter{MeetingID: 40}) }), []int64{84, 87}},
		{"files of agenda item", ids(func() (any, int, error) { return db.FindFiles(sys, ratsnetz.FileFilter{AgendaItemID: 51}) }), []int64{81}},
		{"files of body", ids(func() (any, int, error) { return db.FindFiles(sys, ratsnetz.FileFilter{BodyID: 2}) }), []int64{86}},
		{"files by IDs", ids(func() (any, int, error) { return db.FindFiles(sys, ratsnetz.FileFilter{IDs: []int64{88, 80}}) }), []int64{80, 88}},
	}
	for _, tc := range tests {
		got, err := tc.got()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// reflectSlice turns a []*T held in an any into []any of its elements.
func reflectSlice(xs any) []any {
	v := reflect.ValueOf(xs)
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface()
	}
	return out
}

func testPaging(t *testing.T, db *sqlstore.DB) {
	ds := &ratsnetz.Dataset{}
	for i := range 23 {
		// Several meetings share a start: the order must still be stable.
		ds.Meetings = append(ds.Meetings, &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: int64(100 - i)},
			Start: t0.Add(time.Duration(i/3) * time.Hour), Public: i%4 != 3})
	}
	MustLoad(t, db, ds)
	for _, ctx := range []context.Context{sys, public} {
		full := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "all")
		if full.n != len(full.items) {
			t.Errorf("total %d, items %d", full.n, len(full.items))
		}
		for _, desc := range []bool{false, true} {
			full := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{Descending: desc})).must(t, "all")
			var paged []int64
			for off := 0; ; off += 5 {
				page := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{Descending: desc,
					ListOptions: ratsnetz.ListOptions{Limit: 5, Offset: off, WithTotal: true}})).must(t, "page")
				if page.n != len(full.items) {
					t.Errorf("offset %d: total %d, want %d", off, page.n, len(full.items))
				}
				if len(page.items) == 0 {
					break
				}
				paged = append(paged, idsOf(page.items)...)
			}
			diff(t, "offset pages", paged, idsOf(full.items))
		}
		// Keyset pages from After = -1 walk every ID once, in ID order,
		// whatever the filter's own order.
		var keyset []int64
		after := int64(-1)
		for range 20 {
			page := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{Descending: true,
				ListOptions: ratsnetz.ListOptions{Limit: 4, After: after}})).must(t, "keyset")
			if len(page.items) == 0 {
				break
			}
			keyset = append(keyset, idsOf(page.items)...)
			after = keyset[len(keyset)-1]
		}
		want := idsOf(full.items)
		slices.Sort(want)
		diff(t, "keyset pages", keyset, want)
		none := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{After: 1000}})).must(t, "beyond")
		diff(t, "after the last ID", idsOf(none.items), []int64{})
	}
	// Without WithTotal the count is -1.
	if got := mk(db.FindMeetings(sys, ratsnetz.MeetingFilter{})).must(t, "no total"); got.n != -1 {
		t.Errorf("count without WithTotal = %d, want -1", got.n)
	}
}

func testLimits(t *testing.T, db *sqlstore.DB) {
	ds := &ratsnetz.Dataset{}
	for i := range sqlstore.MaxLimit + 10 {
		ds.Locations = append(ds.Locations, &ratsnetz.Location{Meta: ratsnetz.Meta{ID: int64(i + 1)}, Description: "Ort"})
	}
	MustLoad(t, db, ds)
	def := mk(db.FindLocations(public, ratsnetz.LocationFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "default")
	if len(def.items) != sqlstore.DefaultLimit || def.n != sqlstore.MaxLimit+10 {
		t.Errorf("default page: %d items of %d, want %d of %d", len(def.items), def.n, sqlstore.DefaultLimit, sqlstore.MaxLimit+10)
	}
	big := mk(db.FindLocations(public, ratsnetz.LocationFilter{ListOptions: ratsnetz.ListOptions{Limit: 100000}})).must(t, "capped")
	if len(big.items) != sqlstore.MaxLimit {
		t.Errorf("capped page: %d items, want %d", len(big.items), sqlstore.MaxLimit)
	}
	one := mk(db.FindLocations(public, ratsnetz.LocationFilter{ListOptions: ratsnetz.ListOptions{Limit: 1, Offset: 7}})).must(t, "one")
	diff(t, "limit 1 offset 7", idsOf(one.items), []int64{8})
}

func testInvalidFilters(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	bad := []ratsnetz.ListOptions{
		{Limit: -1},
		{Offset: -5},
		{After: -2},
		{CreatedSince: t2, CreatedUntil: t0},
		{ModifiedSince: t2, ModifiedUntil: t1},
	}
	for _, o := range bad {
		_, _, err := db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: o})
		wantCode(t, fmt.Sprintf("papers %+v", o), err, ratsnetz.EINVALID)
		_, _, err = db.FindMeetings(public, ratsnetz.MeetingFilter{ListOptions: o})
		wantCode(t, fmt.Sprintf("meetings %+v", o), err, ratsnetz.EINVALID)
		_, _, err = db.FindPersons(public, ratsnetz.PersonFilter{ListOptions: o})
		wantCode(t, fmt.Sprintf("persons %+v", o), err, ratsnetz.EINVALID)
	}
	_, _, err := db.FindPapers(public, ratsnetz.PaperFilter{Year: -1})
	wantCode(t, "year -1", err, ratsnetz.EINVALID)
	_, _, err = db.FindMeetings(public, ratsnetz.MeetingFilter{From: t2, Until: t0})
	wantCode(t, "until before from", err, ratsnetz.EINVALID)
}

func testChangeFilters(t *testing.T, db *sqlstore.DB) {
	ds := &ratsnetz.Dataset{}
	for i := range 6 {
		ds.Papers = append(ds.Papers, &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: int64(i + 1),
			Created: t0.Add(time.Duration(i) * 24 * time.Hour), Modified: t1.Add(time.Duration(i) * 24 * time.Hour)}, Public: true})
		ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: ratsnetz.Meta{ID: int64(i + 1),
			Created: t0.Add(time.Duration(i) * 24 * time.Hour), Modified: t1.Add(time.Duration(i) * 24 * time.Hour)}})
	}
	MustLoad(t, db, ds)
	h := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
	m := func(d int) time.Time { return t1.Add(time.Duration(d) * 24 * time.Hour) }
	tests := []struct {
		name string
		o    ratsnetz.ListOptions
		want []int64
	}{
		{"created since (inclusive)", ratsnetz.ListOptions{CreatedSince: h(4)}, []int64{5, 6}},
		{"created until (inclusive)", ratsnetz.ListOptions{CreatedUntil: h(1)}, []int64{1, 2}},
		{"created range", ratsnetz.ListOptions{CreatedSince: h(1), CreatedUntil: h(2)}, []int64{2, 3}},
		{"modified since", ratsnetz.ListOptions{ModifiedSince: m(5)}, []int64{6}},
		{"modified until", ratsnetz.ListOptions{ModifiedUntil: m(0).Add(time.Second)}, []int64{1}},
		{"modified range with keyset", ratsnetz.ListOptions{ModifiedSince: m(1), ModifiedUntil: m(4), After: 2}, []int64{3, 4, 5}},
	}
	for _, tc := range tests {
		ps := mk(db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: tc.o})).must(t, tc.name)
		if got := idsOf(ps.items); !slices.Equal(got, tc.want) {
			t.Errorf("papers %s: got %v, want %v", tc.name, got, tc.want)
		}
		pe := mk(db.FindPersons(public, ratsnetz.PersonFilter{ListOptions: tc.o})).must(t, tc.name)
		if got := idsOf(pe.items); !slices.Equal(got, tc.want) {
			t.Errorf("persons %s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func testDeleted(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	for _, ctx := range []context.Context{sys, public} {
		ms := mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "meetings")
		if slices.Contains(idsOf(ms.items), 43) {
			t.Error("deleted meeting listed without WithDeleted")
		}
		ms = mk(db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "meetings")
		if !slices.Contains(idsOf(ms.items), 43) {
			t.Error("deleted meeting not listed with WithDeleted")
		}
		ps := mk(db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true, WithTotal: true}})).must(t, "papers")
		i := slices.Index(idsOf(ps.items), 63)
		if i < 0 {
			t.Fatal("deleted paper not listed with WithDeleted")
		}
		if p := ps.items[i]; !p.Deleted || !p.Modified.Equal(t2) {
			t.Errorf("deleted paper: Deleted=%v Modified=%v, want true, %v", p.Deleted, p.Modified, t2)
		}
		p := must[*ratsnetz.Paper](t, "deleted paper")(db.FindPaperByID(ctx, 63))
		if !p.Deleted {
			t.Error("FindPaperByID of a deleted paper: Deleted not set")
		}
	}
	// Deleting through a re-load, and un-deleting.
	ds := Fixture()
	ds.Persons[1].Deleted = true
	MustLoad(t, db, &ratsnetz.Dataset{Persons: ds.Persons})
	ps := mk(db.FindPersons(public, ratsnetz.PersonFilter{})).must(t, "persons")
	diff(t, "persons after deletion", idsOf(ps.items), []int64{20, 22})
	ps = mk(db.FindPersons(public, ratsnetz.PersonFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "persons")
	diff(t, "persons with deleted", idsOf(ps.items), []int64{20, 21, 22})
	ds.Persons[1].Deleted = false
	MustLoad(t, db, &ratsnetz.Dataset{Persons: ds.Persons})
	ps = mk(db.FindPersons(public, ratsnetz.PersonFilter{})).must(t, "persons")
	diff(t, "persons after un-deletion", idsOf(ps.items), []int64{20, 21, 22})
}

func testDepublication(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	depub := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return depub }
	ds := Fixture()
	p, m, f := ds.Papers[2], ds.Meetings[1], ds.Files[7] // 62, 41, 87
	p.Public, m.Public, f.Public = false, false, false
	p.Name, m.Name, f.Name = Canary, Canary, Canary
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}, Meetings: []*ratsnetz.Meeting{m}, Files: []*ratsnetz.File{f}})
	// A second load of the still non-public objects keeps the first time.
	db.Now = func() time.Time { return depub.Add(time.Hour) }
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}, Meetings: []*ratsnetz.Meeting{m}, Files: []*ratsnetz.File{f}})

	if _, err := db.FindPaperByID(public, 62); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("de-published paper by ID: %v, want not found", err)
	}
	ps := mk(db.FindPapers(public, ratsnetz.PaperFilter{})).must(t, "papers")
	diff(t, "public papers", idsOf(ps.items), []int64{60})
	ps = mk(db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "papers")
	diff(t, "public papers with tombstones", idsOf(ps.items), []int64{60, 62, 63})
	wantPaper := &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: 62, Created: p.Created, Modified: depub, Deleted: true}}
	diff(t, "paper tombstone", ps.items[1], wantPaper)
	ms := mk(db.FindMeetings(public, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "meetings")
	diff(t, "public meetings with tombstones", idsOf(ms.items), []int64{40, 41, 43})
	wantMeeting := &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: 41, Created: m.Created, Modified: depub, Deleted: true}}
	diff(t, "meeting tombstone", ms.items[1], wantMeeting)
	fs := mk(db.FindFiles(public, ratsnetz.FileFilter{IDs: []int64{87}, ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "files")
	diff(t, "file tombstone", fs.items, []*ratsnetz.File{{Meta: ratsnetz.Meta{ID: 87, Created: f.Created, Modified: depub, Deleted: true}}})
	// The agenda items of the de-published meeting are tombstones too.
	items := mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{MeetingID: 41})).must(t, "items")
	diff(t, "items of the de-published meeting", idsOf(items.items), []int64{})
	items = mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{MeetingID: 41, ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "items")
	src := Fixture().AgendaItems[3] // 53
	diff(t, "item tombstones of the de-published meeting", items.items, []*ratsnetz.AgendaItem{{
		Meta: ratsnetz.Meta{ID: 53, Created: src.Created, Modified: depub, Deleted: true}, MeetingID: 41, Number: src.Number, Redacted: true}})
	wantCode(t, "item of the de-published meeting", second(db.FindAgendaItemByID(public, 53)), ratsnetz.ENOTFOUND)
	// Change tracking sees the tombstone at its de-publication time.
	ps = mk(db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true, ModifiedSince: depub}})).must(t, "papers")
	diff(t, "papers modified since de-publication", idsOf(ps.items), []int64{62})
	// The system still sees everything.
	diff(t, "paper for the system", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(sys, 62)), p)
	// Publishing again ends the tombstone.
	p.Public, p.Name = true, "wieder öffentlich"
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}})
	got := must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, 62))
	diff(t, "re-published paper", got, p)
	// Objects that were never public are no tombstones.
	ps = mk(db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithDeleted: true}})).must(t, "papers")
	diff(t, "never-public paper is no tombstone", idsOf(ps.items), []int64{60, 62, 63})
}

func testPublicVisibility(t *testing.T, db *sqlstore.DB) {
	ds := mustLoadFixture(t, db)

	// Meetings: the non-public one is not found, ID lists name visible files only.
	ms := mk(db.FindMeetings(public, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "meetings")
	diff(t, "public meetings", idsOf(ms.items), []int64{40, 41})
	if ms.n != 2 {
		t.Errorf("public meeting total %d, want 2", ms.n)
	}
	diff(t, "meeting 40", ms.items[0], ds.Meetings[0])
	ms = mk(db.FindMeetings(public, ratsnetz.MeetingFilter{OrganizationID: 13})).must(t, "meetings")
	diff(t, "meetings of the supervisory board", idsOf(ms.items), []int64{})

	// Agenda items: non-public ones are placeholders.
	items := mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{MeetingID: 40, ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "items")
	src := ds.AgendaItems[1]
	item54 := *ds.AgendaItems[4]
	item54.PaperID, item54.ConsultationID = 0, 0 // paper 61 is not public
	diff(t, "agenda of meeting 40", items.items, []*ratsnetz.AgendaItem{
		ds.AgendaItems[0],
		{Meta: ratsnetz.Meta{ID: src.ID, Created: src.Created, Modified: src.Modified}, MeetingID: 40, Order: 1, Number: "N 1", Redacted: true},
		&item54,
	})
	if items.n != 3 {
		t.Errorf("agenda total %d, want 3", items.n)
	}
	items = mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{MeetingID: 42})).must(t, "items")
	diff(t, "agenda of the non-public meeting", idsOf(items.items), []int64{})
	items = mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{PaperID: 61})).must(t, "items")
	diff(t, "agenda items treating a non-public paper", idsOf(items.items), []int64{})
	items = mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{PaperID: 60})).must(t, "items")
	diff(t, "agenda items treating paper 60", idsOf(items.items), []int64{50})
	items = mk(db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{})).must(t, "items")
	diff(t, "all agenda items", idsOf(items.items), []int64{50, 51, 54, 53})

	// Papers: ID lists filtered.
	ps := mk(db.FindPapers(public, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "papers")
	diff(t, "public papers", idsOf(ps.items), []int64{60, 62})
	if ps.n != 2 {
		t.Errorf("public paper total %d, want 2", ps.n)
	}
	p60 := *ds.Papers[0]
	p60.RelatedPaperIDs = []int64{62}
	p60.AuxiliaryFileIDs = nil // 81 belongs to a non-public item too, 83 is not public
	diff(t, "paper 60", ps.items[0], &p60)
	ps = mk(db.FindPapers(public, ratsnetz.PaperFilter{Text: "grundstück"})).must(t, "papers")
	diff(t, "text search for a non-public title", idsOf(ps.items), []int64{})
	ps = mk(db.FindPapers(public, ratsnetz.PaperFilter{Reference: "2024/0002"})).must(t, "papers")
	diff(t, "reference of a non-public paper", idsOf(ps.items), []int64{})

	// Consultations: only of visible papers; hidden meetings and items zeroed.
	cs := mk(db.FindConsultations(public, ratsnetz.ConsultationFilter{PaperID: 60})).must(t, "consultations")
	c72 := *ds.Consultations[2]
	c72.MeetingID, c72.AgendaItemID = 0, 0
	diff(t, "consultations of paper 60", cs.items, []*ratsnetz.Consultation{&c72, ds.Consultations[0]})
	cs = mk(db.FindConsultations(public, ratsnetz.ConsultationFilter{MeetingID: 40})).must(t, "consultations")
	diff(t, "consultations of meeting 40", idsOf(cs.items), []int64{70})
	cs = mk(db.FindConsultations(public, ratsnetz.ConsultationFilter{MeetingID: 42})).must(t, "consultations")
	diff(t, "consultations of the non-public meeting", idsOf(cs.items), []int64{})
	cs = mk(db.FindConsultations(public, ratsnetz.ConsultationFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "consultations")
	diff(t, "all consultations", idsOf(cs.items), []int64{72, 70, 73})

	// Files: public and every owner visible.
	fs := mk(db.FindFiles(public, ratsnetz.FileFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "files")
	diff(t, "public files", idsOf(fs.items), []int64{80, 84, 85, 87, 88})
	if fs.n != 5 {
		t.Errorf("public file total %d, want 5", fs.n)
	}
	files := withBackRefs(ds)
	f84 := *files[84]
	f84.DerivativeFileIDs = []int64{85}
	diff(t, "file 84", fs.items[1], &f84)
	f88 := *files[88]
	f88.MasterFileID = 0
	diff(t, "file 88", fs.items[4], &f88)
	fs = mk(db.FindFiles(public, ratsnetz.FileFilter{PaperID: 60})).must(t, "files")
	diff(t, "files of paper 60", idsOf(fs.items), []int64{80})
	fs = mk(db.FindFiles(public, ratsnetz.FileFilter{AgendaItemID: 51})).must(t, "files")
	diff(t, "files of a redacted item", idsOf(fs.items), []int64{})
	fs = mk(db.FindFiles(public, ratsnetz.FileFilter{MeetingID: 42})).must(t, "files")
	diff(t, "files of the non-public meeting", idsOf(fs.items), []int64{})

	// Find by ID: what may not be seen is not found.
	notFound := []struct {
		what string
		err  error
	}{
		{"meeting 42", second(db.FindMeetingByID(public, 42))},
		{"agenda item 51 (non-public)", second(db.FindAgendaItemByID(public, 51))},
		{"agenda item 52 (non-public meeting)", second(db.FindAgendaItemByID(public, 52))},
		{"paper 61", second(db.FindPaperByID(public, 61))},
		{"consultation 71 (non-public paper)", second(db.FindConsultationByID(public, 71))},
		{"file 81 (owner non-public)", second(db.FindFileByID(public, 81))},
		{"file 82 (owner non-public)", second(db.FindFileByID(public, 82))},
		{"file 83 (non-public)", second(db.FindFileByID(public, 83))},
		{"file 86 (owner meeting non-public)", second(db.FindFileByID(public, 86))},
	}
	for _, nf := range notFound {
		wantCode(t, nf.what, nf.err, ratsnetz.ENOTFOUND)
	}
	diff(t, "paper 60 by ID", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, 60)), &p60)
	diff(t, "item 50 by ID", must[*ratsnetz.AgendaItem](t, "item")(db.FindAgendaItemByID(public, 50)), ds.AgendaItems[0])
	c73 := must[*ratsnetz.Consultation](t, "consultation")(db.FindConsultationByID(public, 73))
	diff(t, "consultation 73", c73, ds.Consultations[3])
	diff(t, "file 85", must[*ratsnetz.File](t, "file")(db.FindFileByID(public, 85)), files[85])

	// A logged-in account without rights sees what the public sees.
	acct := ratsnetz.NewContextWithViewer(public, ratsnetz.Viewer{AccountID: 7})
	wantCode(t, "account: paper 61", second(db.FindPaperByID(acct, 61)), ratsnetz.ENOTFOUND)

	// The system sees all of it.
	items = mk(db.FindAgendaItems(sys, ratsnetz.AgendaItemFilter{MeetingID: 40})).must(t, "items")
	diff(t, "agenda for the system", items.items, []*ratsnetz.AgendaItem{ds.AgendaItems[0], ds.AgendaItems[1], ds.AgendaItems[4]})
	fs = mk(db.FindFiles(sys, ratsnetz.FileFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true}})).must(t, "files")
	if fs.n != len(ds.Files) {
		t.Errorf("system sees %d files, want %d", fs.n, len(ds.Files))
	}
}

func second[T any](_ T, err error) error { return err }

// testPublicNeverSeesCanary calls every method with every filter the
// fixture makes interesting and checks that nothing non-public comes back.
func testPublicNeverSeesCanary(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	// De-publish one more paper so tombstones are in play.
	ds := Fixture()
	ds.Papers[0].Public = false
	ds.Papers[0].Name = "Grundschule " + Canary
	MustLoad(t, db, &ratsnetz.Dataset{Papers: ds.Papers[:1]})
	check := func(what string) func(any, error) {
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
			if strings.Contains(string(b), Canary) {
				t.Errorf("%s leaks non-public content: %s", what, b)
			}
		}
	}
	for _, ctx := range []context.Context{public} {
		for _, o := range []ratsnetz.ListOptions{{Limit: sqlstore.MaxLimit, WithDeleted: true}} {
			for _, id := range []int64{0, 42, 51, 52, 60, 61, 82, 13} {
				check("meetings")(first(db.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: id, ListOptions: o})))
				check("meetings by ID")(first(db.FindMeetings(ctx, ratsnetz.MeetingFilter{IDs: []int64{id}, ListOptions: o})))
				check("items of meeting")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: o})))
				check("items of paper")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{PaperID: id, ListOptions: o})))
				check("items by ID")(first(db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{IDs: []int64{id}, ListOptions: o})))
				check("papers of org")(first(db.FindPapers(ctx, ratsnetz.PaperFilter{OrganizationID: id, ListOptions: o})))
				check("papers by ID")(first(db.FindPapers(ctx, ratsnetz.PaperFilter{IDs: []int64{id}, ListOptions: o})))
				check("papers by text")(first(db.FindPapers(ctx, ratsnetz.PaperFilter{Text: "e", Newest: true, ListOptions: o})))
				check("consultations of paper")(first(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: id, ListOptions: o})))
				check("consultations of meeting")(first(db.FindConsultations(ctx, ratsnetz.ConsultationFilter{MeetingID: id, ListOptions: o})))
				check("files of paper")(first(db.FindFiles(ctx, ratsnetz.FileFilter{PaperID: id, ListOptions: o})))
				check("files of meeting")(first(db.FindFiles(ctx, ratsnetz.FileFilter{MeetingID: id, ListOptions: o})))
				check("files of item")(first(db.FindFiles(ctx, ratsnetz.FileFilter{AgendaItemID: id, ListOptions: o})))
				check("files by ID")(first(db.FindFiles(ctx, ratsnetz.FileFilter{IDs: []int64{id}, ListOptions: o})))
			}
		}
		for _, id := range fixtureIDs(ds) {
			check("meeting")(db.FindMeetingByID(ctx, id))
			check("item")(db.FindAgendaItemByID(ctx, id))
			check("paper")(db.FindPaperByID(ctx, id))
			check("consultation")(db.FindConsultationByID(ctx, id))
			check("file")(db.FindFileByID(ctx, id))
		}
		check("batch items")(db.FindAgendaItemsByMeetingIDs(ctx, []int64{40, 41, 42, 43}))
		check("batch consultations")(db.FindConsultationsByPaperIDs(ctx, []int64{60, 61, 62, 63}))
	}
}

func first[T any](v T, _ int, err error) (T, error) { return v, err }

// fixtureIDs returns the IDs of the meetings, agenda items, papers,
// consultations and files of ds.
func fixtureIDs(ds *ratsnetz.Dataset) []int64 {
	var ids []int64
	ids = append(ids, idsOf(ds.Meetings)...)
	ids = append(ids, idsOf(ds.AgendaItems)...)
	ids = append(ids, idsOf(ds.Papers)...)
	ids = append(ids, idsOf(ds.Consultations)...)
	return append(ids, idsOf(ds.Files)...)
}

func testNotFound(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	for _, ctx := range []context.Context{sys, public} {
		for what, err := range map[string]error{
			"body":         second(db.FindBodyByID(ctx, 999)),
			"location":     second(db.FindLocationByID(ctx, 999)),
			"organization": second(db.FindOrganizationByID(ctx, 999)),
			"person":       second(db.FindPersonByID(ctx, 999)),
			"membership":   second(db.FindMembershipByID(ctx, 999)),
			"meeting":      second(db.FindMeetingByID(ctx, 999)),
			"agenda item":  second(db.FindAgendaItemByID(ctx, 999)),
			"paper":        second(db.FindPaperByID(ctx, 999)),
			"consultation": second(db.FindConsultationByID(ctx, 999)),
			"file":         second(db.FindFileByID(ctx, 999)),
		} {
			wantCode(t, what, err, ratsnetz.ENOTFOUND)
			if msg := ratsnetz.ErrorMessage(err); msg == "" || strings.Contains(msg, "sql") {
				t.Errorf("%s: message %q is no user message", what, msg)
			}
		}
	}
}

func testBatch(t *testing.T, db *sqlstore.DB) {
	ds := mustLoadFixture(t, db)
	items := must[[]*ratsnetz.AgendaItem](t, "items")(db.FindAgendaItemsByMeetingIDs(public, []int64{40, 42, 41}))
	diff(t, "items of meetings", idsOf(items), []int64{50, 51, 54, 53})
	if !items[1].Redacted || items[1].Name != "" {
		t.Errorf("item 51 in batch not redacted: %+v", items[1])
	}
	items = must[[]*ratsnetz.AgendaItem](t, "items")(db.FindAgendaItemsByMeetingIDs(sys, []int64{40, 42}))
	diff(t, "items of meetings (system)", idsOf(items), []int64{50, 51, 54, 52})
	cs := must[[]*ratsnetz.Consultation](t, "consultations")(db.FindConsultationsByPaperIDs(public, []int64{60, 61, 62}))
	diff(t, "consultations of papers", idsOf(cs), []int64{72, 70, 73})
	diff(t, "consultation 70 in batch", cs[1], ds.Consultations[0])
	ms := must[[]*ratsnetz.Membership](t, "memberships")(db.FindMembershipsByPersonIDs(public, []int64{20, 21}))
	diff(t, "memberships of persons", idsOf(ms), []int64{30, 31})
	ms = must[[]*ratsnetz.Membership](t, "memberships")(db.FindMembershipsByOrganizationIDs(public, []int64{13, 10}))
	diff(t, "memberships of organizations", idsOf(ms), []int64{30, 32})
	ms = must[[]*ratsnetz.Membership](t, "memberships")(db.FindMembershipsByOrganizationIDs(public, nil))
	diff(t, "memberships of no organization", idsOf(ms), []int64{})
}

// testConcurrentReadsDuringLoad reads from several goroutines while loads
// run; under -race this checks the pools and the loader.
func testConcurrentReadsDuringLoad(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	done := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				ps, _, err := db.FindPapers(public, ratsnetz.PaperFilter{Newest: true})
				if err != nil {
					errs <- err
					return
				}
				if len(ps) == 0 {
					errs <- fmt.Errorf("no papers during load")
					return
				}
			}
		}()
	}
	for i := range 10 {
		ds := Fixture()
		ds.Papers[0].Name = fmt.Sprintf("Version %d", i)
		if err := db.Load(sys, ds); err != nil {
			t.Errorf("load %d: %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// testParentModified: a change or de-publication of an embedded object
// (agenda item, file, consultation, membership) moves the modification time
// of its parent forward, and a re-load of the parent does not move it back.
func testParentModified(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	later := t2.Add(48 * time.Hour)
	ds := Fixture()
	item := ds.AgendaItems[0] // 50 in meeting 40
	item.Modified = later
	cons := ds.Consultations[3] // 73 of paper 62
	cons.Modified = later.Add(time.Hour)
	ms := ds.Memberships[0] // 30 of person 20
	ms.Modified = later.Add(2 * time.Hour)
	MustLoad(t, db, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{item}, Consultations: []*ratsnetz.Consultation{cons},
		Memberships: []*ratsnetz.Membership{ms}})
	modified := func(what string, got time.Time, want time.Time) {
		t.Helper()
		if !got.Equal(want) {
			t.Errorf("%s: modified %v, want %v", what, got, want)
		}
	}
	modified("meeting 40 after its item changed", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(public, 40)).Modified, later)
	modified("paper 62 after its consultation changed", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, 62)).Modified, later.Add(time.Hour))
	modified("person 20 after a membership changed", must[*ratsnetz.Person](t, "person")(db.FindPersonByID(public, 20)).Modified, later.Add(2*time.Hour))
	// Re-loading the parents with their old times keeps the newer ones.
	MustLoad(t, db, Fixture())
	modified("meeting 40 after re-load", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(public, 40)).Modified, later)
	// De-publishing a file moves its owners to the de-publication time,
	// through agenda items up to their meeting.
	depub := later.Add(24 * time.Hour)
	db.Now = func() time.Time { return depub }
	f := Fixture().Files[0] // 80: main file of paper 60, resolution of item 50
	f.Public = false
	MustLoad(t, db, &ratsnetz.Dataset{Files: []*ratsnetz.File{f}})
	modified("paper 60 after its file was de-published", must[*ratsnetz.Paper](t, "paper")(db.FindPaperByID(public, 60)).Modified, depub)
	modified("item 50 after its file was de-published", must[*ratsnetz.AgendaItem](t, "item")(db.FindAgendaItemByID(public, 50)).Modified, depub)
	modified("meeting 40 after a file of its item was de-published", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(public, 40)).Modified, depub)
	modified("meeting 41 untouched", must[*ratsnetz.Meeting](t, "meeting")(db.FindMeetingByID(public, 41)).Modified, t0)
}

// testShallow: the shallow lists are the lists without ID lists.
func testShallow(t *testing.T, db *sqlstore.DB) {
	mustLoadFixture(t, db)
	for _, ctx := range []context.Context{sys, public} {
		f := ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{WithTotal: true, WithDeleted: true}}
		full := mk(db.FindPapers(ctx, f)).must(t, "papers")
		shallow := mk(db.FindPapersShallow(ctx, f)).must(t, "shallow papers")
		var want []*ratsnetz.Paper
		for _, p := range full.items {
			c := *p
			c.RelatedPaperIDs, c.SuperordinatedPaperIDs, c.SubordinatedPaperIDs = nil, nil, nil
			c.MainFileID, c.AuxiliaryFileIDs, c.LocationIDs = 0, nil, nil
			c.OriginatorPersonIDs, c.OriginatorOrganizationIDs, c.UnderDirectionOfIDs = nil, nil, nil
			c.Sections = nil // shallow finds leave out long texts
			want = append(want, &c)
		}
		diff(t, "shallow papers", shallow.items, want)
		if shallow.n != full.n {
			t.Errorf("shallow paper total %d, want %d", shallow.n, full.n)
		}
		mf := ratsnetz.MeetingFilter{Descending: true}
		meetings := mk(db.FindMeetings(ctx, mf)).must(t, "meetings")
		shallowM := mk(db.FindMeetingsShallow(ctx, mf)).must(t, "shallow meetings")
		var wantM []*ratsnetz.Meeting
		for _, m := range meetings.items {
			c := *m
			c.OrganizationIDs, c.ParticipantIDs, c.AuxiliaryFileIDs = nil, nil, nil
			c.InvitationFileID, c.ResultsProtocolFileID, c.VerbatimProtocolFileID = 0, 0, 0
			wantM = append(wantM, &c)
		}
		diff(t, "shallow meetings", shallowM.items, wantM)
		af := ratsnetz.AgendaItemFilter{MeetingID: 40}
		items := mk(db.FindAgendaItems(ctx, af)).must(t, "agenda items")
		shallowA := mk(db.FindAgendaItemsShallow(ctx, af)).must(t, "shallow agenda items")
		var wantA []*ratsnetz.AgendaItem
		for _, a := range items.items {
			c := *a
			c.ResolutionFileID, c.AuxiliaryFileIDs = 0, nil
			c.ResolutionText, c.MinutesText, c.Vote, c.ConsultationID = "", "", nil, 0
			wantA = append(wantA, &c)
		}
		diff(t, "shallow agenda items", shallowA.items, wantA)
		ff := ratsnetz.FileFilter{}
		files := mk(db.FindFiles(ctx, ff)).must(t, "files")
		shallowF := mk(db.FindFilesShallow(ctx, ff)).must(t, "shallow files")
		var wantF []*ratsnetz.File
		for _, f := range files.items {
			c := *f
			c.DerivativeFileIDs, c.PaperIDs, c.MeetingIDs, c.AgendaItemIDs = nil, nil, nil, nil
			c.Text, c.MasterFileID = "", 0
			wantF = append(wantF, &c)
		}
		diff(t, "shallow files", shallowF.items, wantF)
	}
}
