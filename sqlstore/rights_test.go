package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

func openSQLite(t *testing.T) *sqlstore.DB {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres opens a store (not migrated) in a fresh schema of its own.
func openPostgres(t *testing.T) *sqlstore.DB { t.Helper(); return pgtest.MustOpen(t) }

var now = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// rightsFixture: the city (body 1) with committees A (10) and B (11),
// faction F (13), department Amt 61 (14); the Stadtwerke (body 2) with its
// confidential supervisory board S (12). Non-public meetings 200 (A), 201
// (B), 202 (S) and public meeting 203 (A); non-public agenda items and
// papers treated in them.
func rightsFixture() *ratsnetz.Dataset {
	meta := func(id int64) ratsnetz.Meta {
		return ratsnetz.Meta{ID: id, Created: day(2026, 1, 1), Modified: day(2026, 1, 1)}
	}
	org := func(id, body int64, name string, confidential bool) *ratsnetz.Organization {
		return &ratsnetz.Organization{Meta: meta(id), BodyID: body, Name: name, Confidential: confidential}
	}
	ms := func(id, person, org int64, role string, start, end time.Time, onBehalf int64) *ratsnetz.Membership {
		return &ratsnetz.Membership{Meta: meta(id), PersonID: person, OrganizationID: org, Role: role, StartDate: start, EndDate: end, OnBehalfOfID: onBehalf}
	}
	var persons []*ratsnetz.Person
	for id := int64(100); id <= 109; id++ {
		persons = append(persons, &ratsnetz.Person{Meta: meta(id), BodyID: 1, Name: "P"})
	}
	term := day(2025, 11, 1)
	return &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{Meta: meta(1), Name: "Musterstadt"}, {Meta: meta(2), Name: "Stadtwerke", OwnerBodyID: 1}},
		Organizations: []*ratsnetz.Organization{
			org(10, 1, "Ausschuss A", false), org(11, 1, "Ausschuss B", false), org(12, 2, "Aufsichtsrat", true),
			org(13, 1, "Fraktion F", false), org(14, 1, "Amt 61", false),
		},
		Persons: persons,
		Memberships: []*ratsnetz.Membership{
			ms(1000, 100, 10, ratsnetz.RoleMember, term, time.Time{}, 0),
			ms(1001, 101, 10, ratsnetz.RoleDeputy, term, time.Time{}, 0),
			ms(1002, 102, 11, ratsnetz.RoleMember, term, time.Time{}, 0),
			ms(1003, 103, 10, ratsnetz.RoleMember, term, time.Time{}, 0),
			ms(1004, 104, 12, ratsnetz.RoleMember, term, time.Time{}, 0),
			ms(1005, 105, 10, ratsnetz.RoleMember, term, day(2026, 5, 15), 0), // left last month
			ms(1006, 106, 11, ratsnetz.RoleMember, term, time.Time{}, 13),     // sits in B for faction F
			ms(1007, 107, 10, ratsnetz.RoleMember, day(2026, 7, 15), time.Time{}, 0),
			ms(1008, 100, 13, ratsnetz.RoleMember, term, time.Time{}, 0),
			ms(1009, 106, 13, ratsnetz.RoleMember, term, time.Time{}, 0),
		},
		Meetings: []*ratsnetz.Meeting{
			{Meta: meta(200), BodyID: 1, Name: "A nö", OrganizationIDs: []int64{10}},
			{Meta: meta(201), BodyID: 1, Name: "B nö", OrganizationIDs: []int64{11}},
			{Meta: meta(202), BodyID: 2, Name: "S", OrganizationIDs: []int64{12}},
			{Meta: meta(203), BodyID: 1, Name: "A öffentlich", OrganizationIDs: []int64{10}, Public: true},
		},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: meta(300), MeetingID: 200, Name: "TOP 1", PaperID: 400, ConsultationID: 500},
			{Meta: meta(301), MeetingID: 200, Name: "TOP 2", PaperID: 401, ConsultationID: 501},
			{Meta: meta(302), MeetingID: 202, Name: "TOP S", PaperID: 402, ConsultationID: 502},
			{Meta: meta(303), MeetingID: 201, Name: "TOP B"},
		},
		Papers: []*ratsnetz.Paper{
			{Meta: meta(400), BodyID: 1, Name: "Grundstücksverkauf"},
			{Meta: meta(401), BodyID: 1, Name: "Bauvorhaben", UnderDirectionOfIDs: []int64{14}},
			{Meta: meta(402), BodyID: 2, Name: "Wirtschaftsplan"},
			{Meta: meta(403), BodyID: 1, Name: "Einzelfreigabe"},
		},
		Consultations: []*ratsnetz.Consultation{
			{Meta: meta(500), PaperID: 400, MeetingID: 200, AgendaItemID: 300, OrganizationIDs: []int64{10}},
			{Meta: meta(501), PaperID: 401, MeetingID: 200, AgendaItemID: 301, OrganizationIDs: []int64{10}},
			{Meta: meta(502), PaperID: 402, MeetingID: 202, AgendaItemID: 302, OrganizationIDs: []int64{12}},
		},
	}
}

func ids(t *testing.T, db *sqlstore.DB, table, pred string) []int64 {
	t.Helper()
	rows, err := db.ReadDB().QueryContext(context.Background(), "SELECT x.id FROM "+table+" x WHERE "+pred+" ORDER BY x.id")
	if err != nil {
		t.Fatalf("%s: %v\n%s", table, err, pred)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRights is the permission matrix of the rights predicates: for each
// role, which non-public meetings, agenda items and papers it reaches.
func TestRights(t *testing.T) {
	for name, open := range map[string]func(*testing.T) *sqlstore.DB{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testRights(t, open(t))
		})
	}
}

func testRights(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Load(ratsnetz.SystemContext(ctx), rightsFixture()); err != nil {
		t.Fatal(err)
	}
	if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 103, AgendaItemID: 300}); err != nil {
		t.Fatal(err)
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
	memberB := account("memberB", 102, mandate)
	grant(&ratsnetz.Grant{AccountID: memberB.AccountID, ObjectKind: ratsnetz.GrantPaper, ObjectID: 403})
	grant(&ratsnetz.Grant{PersonID: 108, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 12, Expires: time.Now().Add(24 * time.Hour)})
	grant(&ratsnetz.Grant{PersonID: 109, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 12, Expires: time.Now().Add(time.Hour)})
	// The grant of 109 is expired at the time the predicates are built for.
	later := time.Now().Add(2 * time.Hour)

	type want struct{ meetings, items, papers []int64 }
	tests := []struct {
		name string
		v    ratsnetz.Viewer
		at   time.Time
		want want
	}{
		{"member of A", account("memberA", 100, mandate), now, want{[]int64{200, 203}, []int64{300, 301}, []int64{400, 401}}},
		{"deputy of A", account("deputyA", 101, mandate), now, want{[]int64{200, 203}, []int64{300, 301}, []int64{400, 401}}},
		{"member of B only (+ paper grant)", memberB, now, want{[]int64{201}, []int64{303}, []int64{403}}},
		{"conflicted member of A", account("conflicted", 103, mandate), now, want{[]int64{200, 203}, []int64{301}, []int64{401}}},
		{"Stadtwerke board member", account("board", 104, mandate), now, want{[]int64{202}, []int64{302}, []int64{402}}},
		{"former member of A", account("former", 105, mandate), now, want{}},
		{"member of A from next month", account("future", 107, mandate), now, want{}},
		{"council member with board grant", account("granted", 108, mandate), now, want{[]int64{202}, []int64{302}, []int64{402}}},
		{"expired board grant", account("expired", 109, mandate), later, want{}},
		{"faction staff of F", account("fraktion", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 13}), now,
			want{[]int64{201}, []int64{303}, nil}},
		{"clerk of Amt 61", account("amt61", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindClerk, OrganizationID: 14}), now, want{nil, nil, []int64{401}}},
		{"council office of the city", account("sitzungsdienst", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}), now,
			want{[]int64{200, 201, 203}, []int64{300, 301, 303}, []int64{400, 401}}},
		{"council office of all bodies", account("sitzungsdienst-alle", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice}), now,
			want{[]int64{200, 201, 203}, []int64{300, 301, 303}, []int64{400, 401}}},
		{"board office of the Stadtwerke", account("gremienbuero", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2}), now,
			want{[]int64{202}, []int64{302}, []int64{402}}},
		{"administrator", account("admin", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindAdministrator}), now,
			want{[]int64{200, 201, 203}, []int64{300, 301, 303}, []int64{400, 401}}},
		{"account without roles or person", account("nobody", 0), now, want{}},
	}
	for _, tc := range tests {
		meeting, item, paper, ok := db.RightsForTest(tc.v, tc.at)
		if !ok {
			t.Fatalf("%s: no rights SQL for %+v", tc.name, tc.v)
		}
		got := want{ids(t, db, "meetings", meeting("x.id")), ids(t, db, "agenda_items", item("x.id")), ids(t, db, "papers", paper("x.id"))}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	for _, v := range []ratsnetz.Viewer{{}, {System: true}} {
		if _, _, _, ok := db.RightsForTest(v, now); ok {
			t.Errorf("rights SQL for %+v", v)
		}
	}
}
