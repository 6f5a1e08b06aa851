package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

func TestLoadAccounts(t *testing.T) {
	ctx := ratsnetz.SystemContext(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	blobs, err := disk.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db, blobs, demo.Options{Scale: "small", Now: now}); err != nil {
		t.Fatal(err)
	}
	if err := password.Check(demo.DemoPassword); err != nil {
		t.Fatalf("demo password fails the policy: %v", err)
	}
	fast := password.Hasher{Params: password.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}}
	list, err := demo.LoadAccounts(ctx, db, fast, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadAccounts(ctx, db, fast, now); err != nil {
		t.Fatalf("second run (idempotent): %v", err)
	}
	accs, _, err := db.FindAccounts(ctx, ratsnetz.AccountFilter{ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil || len(accs) != len(list) {
		t.Fatalf("%d accounts, want %d (%v)", len(accs), len(list), err)
	}
	for _, d := range list {
		a, err := db.FindAccountByLogin(ctx, d.Email)
		if err != nil {
			t.Fatal(err)
		}
		ok, _, _ := fast.Verify(a.PasswordHash, demo.DemoPassword)
		if !ok || !a.Active || a.RequiresTOTP() != a.TOTPEnabled {
			t.Errorf("%s: password ok %v, active %v, TOTP required %v enabled %v", d.Email, ok, a.Active, a.RequiresTOTP(), a.TOTPEnabled)
		}
		if d.Role == ratsnetz.RoleKindMandateHolder && a.PersonID == 0 {
			t.Errorf("%s: no person", d.Email)
		}
	}

	// The live demo: a public hybrid meeting of the district council with a
	// non-public item (the canary), its chair and five members as accounts.
	mt, err := db.FindMeetingByID(ctx, demo.LiveMeetingID)
	if err != nil || !mt.Public || mt.Mode != ratsnetz.ModeHybrid || len(mt.OrganizationIDs) != 1 {
		t.Fatalf("live demo meeting: %+v, %v", mt, err)
	}
	items, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: demo.LiveMeetingID, ListOptions: ratsnetz.ListOptions{Limit: 10}})
	if err != nil || len(items) != 4 || items[3].Public || !strings.Contains(items[3].Name, demo.Canary) {
		t.Fatalf("live demo agenda: %d items, %v", len(items), err)
	}
	ms, _, err := db.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: mt.OrganizationIDs[0], ActiveAt: mt.Start, ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[int64]string{}
	for _, m := range ms {
		roles[m.PersonID] = m.Role
	}
	persons := map[int64]bool{}
	for i, login := range []string{demo.LiveChairEmail, demo.LiveMemberEmail(1), demo.LiveMemberEmail(2), demo.LiveMemberEmail(3), demo.LiveMemberEmail(4), demo.LiveMemberEmail(5)} {
		a, err := db.FindAccountByLogin(ctx, login)
		if err != nil {
			t.Fatalf("%s: %v", login, err)
		}
		role, ok := roles[a.PersonID]
		if !ok || persons[a.PersonID] || (i == 0) != (role == ratsnetz.RoleChair) {
			t.Errorf("%s: person %d has role %q in the district council (member: %v, twice: %v)", login, a.PersonID, role, ok, persons[a.PersonID])
		}
		persons[a.PersonID] = true
	}
}
