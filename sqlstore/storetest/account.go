package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// RunAccounts runs the conformance suite of ratsnetz.AccountService
// (accounts, sessions, one-time tokens, grants, audit log). open returns a
// fresh database per call, as for Run.
func RunAccounts(t *testing.T, open func(t *testing.T) *sqlstore.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *sqlstore.DB)
	}{
		{"Accounts", testAccounts},
		{"AccountInvalid", testAccountInvalid},
		{"TOTPStepOnlyForward", testTOTPStep},
		{"Sessions", testSessions},
		{"Deactivate", testDeactivate},
		{"Tokens", testTokens},
		{"TokenConcurrentConsume", testTokenConcurrent},
		{"Grants", testGrants},
		{"Audit", testAudit},
		{"Conflicts", testConflicts},
		{"RightsWritesBumpVersion", testRightsBumpVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			tc.fn(t, db)
		})
	}
}

var at0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// MustCreateAccount creates an account or fails the test.
func MustCreateAccount(tb testing.TB, db ratsnetz.AccountService, a *ratsnetz.Account) *ratsnetz.Account {
	tb.Helper()
	if err := db.CreateAccount(context.Background(), a); err != nil {
		tb.Fatalf("create account %q: %v", a.Email+a.UserName, err)
	}
	return a
}

var accountCmp = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(ratsnetz.Account{}, "Modified")}

func testAccounts(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{
		PersonID: 7, Email: "Erika.Mustermann@Musterstadt.example", UserName: "EMustermann", DisplayName: "Erika Mustermann",
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$x$y", TOTPSecret: []byte{1, 2, 3, 250}, TOTPEnabled: true, TOTPLastStep: 42,
		RecoveryCodeHashes: []string{"aa", "bb"}, Active: true, LastLogin: at0,
		Roles: []ratsnetz.AccountRole{
			{Kind: ratsnetz.RoleKindMandateHolder},
			{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1},
			{Kind: ratsnetz.RoleKindMandateHolder}, // duplicates are stored once
		},
	})
	if a.ID == 0 || a.Created.IsZero() {
		t.Fatalf("create did not set ID/Created: %+v", a)
	}
	if a.Email != "erika.mustermann@musterstadt.example" || a.UserName != "emustermann" {
		t.Errorf("login names not lower-cased: %q %q", a.Email, a.UserName)
	}
	want := *a
	want.Roles = []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}, {Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}}
	sortRoles := cmpopts.SortSlices(func(x, y ratsnetz.AccountRole) bool { return x.Kind < y.Kind })
	for name, find := range map[string]func() (*ratsnetz.Account, error){
		"by id": func() (*ratsnetz.Account, error) { return db.FindAccountByID(ctx, a.ID) },
		"by email": func() (*ratsnetz.Account, error) {
			return db.FindAccountByLogin(ctx, " ERIKA.mustermann@musterstadt.EXAMPLE ")
		},
		"by user name": func() (*ratsnetz.Account, error) { return db.FindAccountByLogin(ctx, "eMustermann") },
	} {
		got, err := find()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diff := cmp.Diff(&want, got, accountCmp, sortRoles); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	for _, login := range []string{"", "niemand@musterstadt.example", "niemand", "erika.mustermann"} {
		_, err := db.FindAccountByLogin(ctx, login)
		wantCode(t, "find unknown login "+login, err, ratsnetz.ENOTFOUND)
	}
	_, err := db.FindAccountByID(ctx, 999)
	wantCode(t, "find unknown id", err, ratsnetz.ENOTFOUND)

	// E-mail and user name are unique, whatever the case.
	err = db.CreateAccount(ctx, &ratsnetz.Account{Email: "ERIKA.MUSTERMANN@musterstadt.example", Active: true})
	wantCode(t, "duplicate email", err, ratsnetz.ECONFLICT)
	err = db.CreateAccount(ctx, &ratsnetz.Account{UserName: "emustermann", Active: true})
	wantCode(t, "duplicate user name", err, ratsnetz.ECONFLICT)

	// Staff without person, e-mail only; SSO identity unique.
	b := MustCreateAccount(t, db, &ratsnetz.Account{Email: "sitzungsdienst@musterstadt.example", DisplayName: "Sitzungsdienst",
		OIDCIssuer: "https://idp.example", OIDCSubject: "sub-1", Active: true})
	got, err := db.FindAccountByOIDC(ctx, "https://idp.example", "sub-1")
	if err != nil || got.ID != b.ID {
		t.Errorf("FindAccountByOIDC = %v, %v; want account %d", got, err, b.ID)
	}
	_, err = db.FindAccountByOIDC(ctx, "https://other.example", "sub-1")
	wantCode(t, "oidc other issuer", err, ratsnetz.ENOTFOUND)
	_, err = db.FindAccountByOIDC(ctx, "", "")
	wantCode(t, "oidc empty", err, ratsnetz.ENOTFOUND)
	err = db.CreateAccount(ctx, &ratsnetz.Account{UserName: "zweit", OIDCIssuer: "https://idp.example", OIDCSubject: "sub-1"})
	wantCode(t, "duplicate oidc", err, ratsnetz.ECONFLICT)

	// Update: roles replaced, other fields kept.
	roles := []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindAdministrator}}
	name := "Erika M."
	upd, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{Roles: &roles, DisplayName: &name})
	if err != nil {
		t.Fatal(err)
	}
	want.Roles, want.DisplayName = roles, name
	if diff := cmp.Diff(&want, upd, accountCmp); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	if !upd.RequiresTOTP() || upd.HasRole(ratsnetz.RoleKindMandateHolder) {
		t.Errorf("roles after update: %+v", upd.Roles)
	}
	taken := "SITZUNGSDIENST@musterstadt.example"
	_, err = db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{Email: &taken})
	wantCode(t, "update to taken email", err, ratsnetz.ECONFLICT)
	_, err = db.UpdateAccount(ctx, 999, ratsnetz.AccountUpdate{DisplayName: &name})
	wantCode(t, "update unknown", err, ratsnetz.ENOTFOUND)
	var none []string
	upd, err = db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{RecoveryCodeHashes: &none})
	if err != nil || len(upd.RecoveryCodeHashes) != 0 {
		t.Errorf("clear recovery codes: %v, %v", upd, err)
	}

	// Lists.
	yes, no := true, false
	for _, tc := range []struct {
		f    ratsnetz.AccountFilter
		want []int64
	}{
		{ratsnetz.AccountFilter{}, []int64{a.ID, b.ID}}, // "Erika M." < "Sitzungsdienst"
		{ratsnetz.AccountFilter{Query: "SITZUNG"}, []int64{b.ID}},
		{ratsnetz.AccountFilter{Query: "erika m"}, []int64{a.ID}},
		{ratsnetz.AccountFilter{Query: "%"}, nil},
		{ratsnetz.AccountFilter{PersonID: 7}, []int64{a.ID}},
		{ratsnetz.AccountFilter{Active: &no}, nil},
		{ratsnetz.AccountFilter{Active: &yes, IDs: []int64{b.ID}}, []int64{b.ID}},
		{ratsnetz.AccountFilter{ListOptions: ratsnetz.ListOptions{Limit: 1, Offset: 1, WithTotal: true}}, []int64{b.ID}},
	} {
		got, n, err := db.FindAccounts(ctx, tc.f)
		if err != nil {
			t.Errorf("FindAccounts(%+v): %v", tc.f, err)
			continue
		}
		var ids []int64
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		if diff := cmp.Diff(tc.want, ids, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindAccounts(%+v) (-want +got):\n%s", tc.f, diff)
		}
		if tc.f.WithTotal && n != 2 {
			t.Errorf("total %d, want 2", n)
		}
	}
	_, _, err = db.FindAccounts(ctx, ratsnetz.AccountFilter{ListOptions: ratsnetz.ListOptions{Limit: -1}})
	wantCode(t, "negative limit", err, ratsnetz.EINVALID)
}

func testAccountInvalid(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	for _, a := range []*ratsnetz.Account{
		{},
		{Email: "kein-at-zeichen"},
		{UserName: "mit leerzeichen"},
		{UserName: "a@b"},
		{UserName: "x", OIDCSubject: "nur-subject"},
		{UserName: "x", Roles: []ratsnetz.AccountRole{{Kind: "kaiser"}}},
		{UserName: "x", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindClerk}}},
		{UserName: "x", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindFactionStaff}}},
		{UserName: "x", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCompanyStaff}}},
	} {
		wantCode(t, fmt.Sprintf("create %+v", a), db.CreateAccount(ctx, a), ratsnetz.EINVALID)
	}
	if n := mk(db.FindAccounts(ctx, ratsnetz.AccountFilter{})).must(t, "accounts").items; len(n) != 0 {
		t.Errorf("invalid accounts were stored: %d", len(n))
	}
}

// testTOTPStep: the last used TOTP step only moves forward, so one code
// cannot log in twice even from two concurrent requests.
func testTOTPStep(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "totp", TOTPSecret: []byte("s"), TOTPEnabled: true, Active: true})
	step := int64(100)
	if _, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{TOTPLastStep: &step}); err != nil {
		t.Fatal(err)
	}
	_, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{TOTPLastStep: &step})
	wantCode(t, "same step again", err, ratsnetz.ECONFLICT)
	older := int64(99)
	_, err = db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{TOTPLastStep: &older})
	wantCode(t, "older step", err, ratsnetz.ECONFLICT)
	// A new secret resets the step.
	secret, zero := []byte("neu"), int64(0)
	got, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{TOTPSecret: &secret, TOTPLastStep: &zero})
	if err != nil || got.TOTPLastStep != 0 || string(got.TOTPSecret) != "neu" {
		t.Errorf("new secret: %+v, %v", got, err)
	}
}

func testSessions(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "s", Active: true})
	b := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "t", Active: true})
	mk := func(hash string, acc int64, created time.Time) *ratsnetz.Session {
		s := &ratsnetz.Session{TokenHash: hash, AccountID: acc, Created: created, Expires: created.Add(12 * time.Hour),
			UserAgent: "Firefox", IP: "192.0.2.1", TwoFactor: true}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatalf("create session: %v", err)
		}
		return s
	}
	s1 := mk("h1", a.ID, at0)
	s2 := mk("h2", a.ID, at0.Add(time.Hour))
	s3 := mk("h3", b.ID, at0)
	wantCode(t, "duplicate token", db.CreateSession(ctx, &ratsnetz.Session{TokenHash: "h1", AccountID: a.ID, Expires: at0.Add(time.Hour)}), ratsnetz.ECONFLICT)
	wantCode(t, "incomplete", db.CreateSession(ctx, &ratsnetz.Session{TokenHash: "h9"}), ratsnetz.EINVALID)

	got, err := db.FindSessionByToken(ctx, "h1", at0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s1, got); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	_, err = db.FindSessionByToken(ctx, "h1", at0.Add(12*time.Hour))
	wantCode(t, "expired session", err, ratsnetz.ENOTFOUND)
	_, err = db.FindSessionByToken(ctx, "nope", at0)
	wantCode(t, "unknown token", err, ratsnetz.ENOTFOUND)

	if err := db.TouchSession(ctx, s1.ID, at0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.TouchSession(ctx, s1.ID, at0.Add(time.Hour)); err != nil { // never back
		t.Fatal(err)
	}
	wantCode(t, "touch unknown", db.TouchSession(ctx, 999, at0), ratsnetz.ENOTFOUND)
	list, err := db.FindSessions(ctx, a.ID, at0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != s1.ID || !list[0].LastSeen.Equal(at0.Add(2*time.Hour)) || list[1].ID != s2.ID {
		t.Errorf("sessions of a: %+v", list)
	}
	// Log out everywhere else.
	n, err := db.DeleteAccountSessions(ctx, a.ID, s2.ID)
	if err != nil || n != 1 {
		t.Errorf("DeleteAccountSessions = %d, %v; want 1", n, err)
	}
	if _, err := db.FindSessionByToken(ctx, "h2", at0); err != nil {
		t.Errorf("kept session gone: %v", err)
	}
	if _, err := db.FindSessionByToken(ctx, "h3", at0); err != nil {
		t.Errorf("other account's session gone: %v", err)
	}
	if err := db.DeleteSession(ctx, s2.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, s2.ID); err != nil {
		t.Errorf("second logout: %v", err)
	}
	_, err = db.FindSessionByToken(ctx, "h2", at0)
	wantCode(t, "after logout", err, ratsnetz.ENOTFOUND)
	if n, _ := db.DeleteAccountSessions(ctx, b.ID, 0); n != 1 {
		t.Errorf("delete all of b: %d", n)
	}
	_ = s3
}

func testDeactivate(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "weg", Active: true})
	if err := db.CreateSession(ctx, &ratsnetz.Session{TokenHash: "s", AccountID: a.ID, Expires: at0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenPasswordReset, TokenHash: "r", AccountID: a.ID, Expires: at0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeactivateAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindAccountByID(ctx, a.ID)
	if err != nil || got.Active {
		t.Errorf("after deactivation: %+v, %v", got, err)
	}
	_, err = db.FindSessionByToken(ctx, "s", at0)
	wantCode(t, "session after deactivation", err, ratsnetz.ENOTFOUND)
	_, err = db.ConsumeToken(ctx, ratsnetz.TokenPasswordReset, "r", at0)
	wantCode(t, "reset token after deactivation", err, ratsnetz.ENOTFOUND)
	wantCode(t, "deactivate unknown", db.DeactivateAccount(ctx, 999), ratsnetz.ENOTFOUND)
}

func testTokens(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "tok", Active: true})
	tok := &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenPasswordReset, TokenHash: "reset", AccountID: a.ID, Created: at0, Expires: at0.Add(time.Hour)}
	if err := db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	inv := &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenInvitation, TokenHash: "inv", AccountID: a.ID, Created: at0, Expires: at0.Add(time.Hour)}
	if err := db.CreateToken(ctx, inv); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "bad purpose", db.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: "x", TokenHash: "x", AccountID: a.ID, Expires: at0}), ratsnetz.EINVALID)
	wantCode(t, "duplicate", db.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenInvitation, TokenHash: "inv", AccountID: a.ID, Expires: at0}), ratsnetz.ECONFLICT)

	_, err := db.ConsumeToken(ctx, ratsnetz.TokenInvitation, "reset", at0)
	wantCode(t, "wrong purpose", err, ratsnetz.ENOTFOUND)
	if _, err := db.FindToken(ctx, ratsnetz.TokenPasswordReset, "reset", at0); err != nil {
		t.Errorf("FindToken: %v", err)
	}
	got, err := db.ConsumeToken(ctx, ratsnetz.TokenPasswordReset, "reset", at0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := *tok
	want.Used = at0.Add(time.Minute)
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("consumed token (-want +got):\n%s", diff)
	}
	_, err = db.ConsumeToken(ctx, ratsnetz.TokenPasswordReset, "reset", at0.Add(2*time.Minute))
	wantCode(t, "second use", err, ratsnetz.ENOTFOUND)
	_, err = db.FindToken(ctx, ratsnetz.TokenPasswordReset, "reset", at0)
	wantCode(t, "find used", err, ratsnetz.ENOTFOUND)
	_, err = db.ConsumeToken(ctx, ratsnetz.TokenInvitation, "inv", at0.Add(time.Hour))
	wantCode(t, "expired", err, ratsnetz.ENOTFOUND)
	if err := db.DeleteTokens(ctx, a.ID, ratsnetz.TokenInvitation); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindToken(ctx, ratsnetz.TokenInvitation, "inv", at0)
	wantCode(t, "deleted", err, ratsnetz.ENOTFOUND)
}

// testTokenConcurrent: of many concurrent uses of one reset link exactly
// one succeeds.
func testTokenConcurrent(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := MustCreateAccount(t, db, &ratsnetz.Account{UserName: "race", Active: true})
	if err := db.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenPasswordReset, TokenHash: "once", AccountID: a.ID, Expires: at0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, notFound := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ConsumeToken(ctx, ratsnetz.TokenPasswordReset, "once", at0)
			mu.Lock()
			defer mu.Unlock()
			switch ratsnetz.ErrorCode(err) {
			case "":
				ok++
			case ratsnetz.ENOTFOUND:
				notFound++
			default:
				t.Errorf("consume: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || notFound != 7 {
		t.Errorf("concurrent consume: %d succeeded, %d not found; want 1 and 7", ok, notFound)
	}
}

func testGrants(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	g1 := &ratsnetz.Grant{PersonID: 5, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 20, Reason: "Berichte Stadtwerke", GrantedBy: 1}
	g2 := &ratsnetz.Grant{AccountID: 3, ObjectKind: ratsnetz.GrantPaper, ObjectID: 300, Expires: time.Now().Add(time.Hour)}
	for _, g := range []*ratsnetz.Grant{g1, g2} {
		if err := db.CreateGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []*ratsnetz.Grant{
		{ObjectKind: ratsnetz.GrantPaper, ObjectID: 1},
		{AccountID: 1, PersonID: 1, ObjectKind: ratsnetz.GrantPaper, ObjectID: 1},
		{AccountID: 1, ObjectKind: "meeting", ObjectID: 1},
		{AccountID: 1, ObjectKind: ratsnetz.GrantPaper},
		{AccountID: 1, ObjectKind: ratsnetz.GrantPaper, ObjectID: 1, Expires: time.Now().Add(-time.Hour)},
	} {
		wantCode(t, fmt.Sprintf("grant %+v", g), db.CreateGrant(ctx, g), ratsnetz.EINVALID)
	}
	ids := func(f ratsnetz.GrantFilter) []int64 {
		gs, _, err := db.FindGrants(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f    ratsnetz.GrantFilter
		want []int64
	}{
		{ratsnetz.GrantFilter{PersonID: 5}, []int64{g1.ID}},
		{ratsnetz.GrantFilter{AccountID: 3, ObjectKind: ratsnetz.GrantPaper, ObjectID: 300}, []int64{g2.ID}},
		{ratsnetz.GrantFilter{ActiveAt: time.Now()}, []int64{g2.ID, g1.ID}},
		{ratsnetz.GrantFilter{ActiveAt: time.Now().Add(2 * time.Hour)}, []int64{g1.ID}},
	} {
		if diff := cmp.Diff(tc.want, ids(tc.f), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindGrants(%+v) (-want +got):\n%s", tc.f, diff)
		}
	}
	gs, _, _ := db.FindGrants(ctx, ratsnetz.GrantFilter{PersonID: 5})
	if diff := cmp.Diff(g1, gs[0]); diff != "" {
		t.Errorf("grant round trip (-want +got):\n%s", diff)
	}
	if err := db.DeleteGrant(ctx, g1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete again", db.DeleteGrant(ctx, g1.ID), ratsnetz.ENOTFOUND)
}

func testAudit(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	evs := []*ratsnetz.AuditEvent{
		{Time: at0, Action: ratsnetz.AuditLoginFailed, Actor: "niemand", IP: "192.0.2.9", UserAgent: "curl"},
		{Time: at0.Add(time.Minute), AccountID: 1, Actor: "erika", Action: ratsnetz.AuditLogin, IP: "192.0.2.1"},
		{Time: at0.Add(2 * time.Minute), AccountID: 1, Actor: "erika", Action: ratsnetz.AuditAccess, ObjectKind: "file", ObjectID: 77},
		{Time: at0.Add(48 * time.Hour), AccountID: 2, Actor: "admin", Action: ratsnetz.AuditRolesChanged, ObjectKind: "account", ObjectID: 1, Detail: "+administrator"},
	}
	for _, e := range evs {
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "no action", db.AppendAudit(ctx, &ratsnetz.AuditEvent{}), ratsnetz.EINVALID)
	find := func(f ratsnetz.AuditFilter) []*ratsnetz.AuditEvent {
		got, _, err := db.FindAuditEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if diff := cmp.Diff([]*ratsnetz.AuditEvent{evs[3], evs[2], evs[1], evs[0]}, find(ratsnetz.AuditFilter{})); diff != "" {
		t.Errorf("all events newest first (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		f    ratsnetz.AuditFilter
		want []*ratsnetz.AuditEvent
	}{
		{ratsnetz.AuditFilter{AccountID: 1}, []*ratsnetz.AuditEvent{evs[2], evs[1]}},
		{ratsnetz.AuditFilter{Action: ratsnetz.AuditAccess, ObjectKind: "file", ObjectID: 77}, []*ratsnetz.AuditEvent{evs[2]}},
		{ratsnetz.AuditFilter{Since: at0.Add(time.Minute), Until: at0.Add(time.Hour)}, []*ratsnetz.AuditEvent{evs[2], evs[1]}},
		{ratsnetz.AuditFilter{ListOptions: ratsnetz.ListOptions{Limit: 1, Offset: 1}}, []*ratsnetz.AuditEvent{evs[2]}},
	} {
		if diff := cmp.Diff(tc.want, find(tc.f)); diff != "" {
			t.Errorf("FindAuditEvents(%+v) (-want +got):\n%s", tc.f, diff)
		}
	}
	_, _, err := db.FindAuditEvents(ctx, ratsnetz.AuditFilter{Since: at0, Until: at0.Add(-time.Hour)})
	wantCode(t, "reversed range", err, ratsnetz.EINVALID)

	var exported []*ratsnetz.AuditEvent
	if err := db.ExportAudit(ctx, ratsnetz.AuditFilter{}, func(e *ratsnetz.AuditEvent) error {
		exported = append(exported, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(evs, exported); diff != "" {
		t.Errorf("export oldest first (-want +got):\n%s", diff)
	}

	n, err := db.PurgeAudit(ctx, at0.Add(24*time.Hour))
	if err != nil || n != 3 {
		t.Errorf("PurgeAudit = %d, %v; want 3", n, err)
	}
	if diff := cmp.Diff([]*ratsnetz.AuditEvent{evs[3]}, find(ratsnetz.AuditFilter{})); diff != "" {
		t.Errorf("after purge (-want +got):\n%s", diff)
	}
	_, err = db.PurgeAudit(ctx, time.Time{})
	wantCode(t, "purge without limit", err, ratsnetz.EINVALID)
}

func testConflicts(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	c1 := &ratsnetz.ConflictOfInterest{PersonID: 5, AgendaItemID: 40, Note: "Geschäftsführer der Antragstellerin", RecordedBy: 1}
	c2 := &ratsnetz.ConflictOfInterest{PersonID: 6, AgendaItemID: 40}
	for _, c := range []*ratsnetz.ConflictOfInterest{c1, c2} {
		if err := db.DeclareConflict(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "twice", db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 5, AgendaItemID: 40}), ratsnetz.ECONFLICT)
	wantCode(t, "no item", db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 5}), ratsnetz.EINVALID)
	got, n, err := db.FindConflicts(ctx, ratsnetz.ConflictFilter{PersonID: 5, ListOptions: ratsnetz.ListOptions{WithTotal: true}})
	if err != nil || n != 1 {
		t.Fatalf("FindConflicts = %d, %v", n, err)
	}
	if diff := cmp.Diff(c1, got[0]); diff != "" {
		t.Errorf("conflict (-want +got):\n%s", diff)
	}
	if got, _, _ := db.FindConflicts(ctx, ratsnetz.ConflictFilter{AgendaItemID: 40}); len(got) != 2 {
		t.Errorf("by item: %d", len(got))
	}
	if err := db.DeleteConflict(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete again", db.DeleteConflict(ctx, c1.ID), ratsnetz.ENOTFOUND)
}

// testRightsBumpVersion: every write that changes what an account may see
// (grants, conflicts, roles, linked person, deactivation) bumps the data
// version in its transaction; rejected writes and pure login bookkeeping do
// not.
func testRightsBumpVersion(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, err := db.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a := MustCreateAccount(t, db, &ratsnetz.Account{Email: "rechte@example.org", PasswordHash: "x", Active: true,
		Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}})
	g := &ratsnetz.Grant{AccountID: a.ID, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 20}
	c := &ratsnetz.ConflictOfInterest{PersonID: 7, AgendaItemID: 300}
	person := int64(7)
	roles := []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}}
	last := time.Now()
	for _, tc := range []struct {
		name     string
		ok, bump bool
		fn       func() error
	}{
		{"create grant", true, true, func() error { return db.CreateGrant(ctx, g) }},
		{"invalid grant", false, false, func() error {
			return db.CreateGrant(ctx, &ratsnetz.Grant{AccountID: a.ID, ObjectKind: "meeting", ObjectID: 1})
		}},
		{"delete grant", true, true, func() error { return db.DeleteGrant(ctx, g.ID) }},
		{"delete missing grant", false, false, func() error { return db.DeleteGrant(ctx, g.ID) }},
		{"declare conflict", true, true, func() error { return db.DeclareConflict(ctx, c) }},
		{"declare conflict twice", false, false, func() error {
			return db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 7, AgendaItemID: 300})
		}},
		{"delete conflict", true, true, func() error { return db.DeleteConflict(ctx, c.ID) }},
		{"set roles", true, true, func() error {
			_, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{Roles: &roles})
			return err
		}},
		{"link person", true, true, func() error {
			_, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{PersonID: &person})
			return err
		}},
		{"last login", true, false, func() error {
			_, err := db.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{LastLogin: &last})
			return err
		}},
		{"deactivate", true, true, func() error { return db.DeactivateAccount(ctx, a.ID) }},
	} {
		before := version()
		err := tc.fn()
		if (err == nil) != tc.ok {
			t.Fatalf("%s: err %v", tc.name, err)
		}
		if got := version() > before; got != tc.bump {
			t.Errorf("%s: version bumped %v, want %v", tc.name, got, tc.bump)
		}
	}
}
