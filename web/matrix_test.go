package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/totp"
)

// The permission matrix of the portal (issue 5). Every output path is
// checked for every role: the fixture's canary (testCanary) must appear
// exactly where the role is entitled. The store decides; the matrix proves
// each path honours it. To add an output path (search, iCal, mail, PDF,
// live events …) write a test that calls checkMatrix with the paths and what
// each role must see, or runMatrix with your own check — see .team/access.md.

// matrixRole is one row of the matrix: a logged-in account (or the public)
// and the non-public material of the fixture it is entitled to.
type matrixRole struct {
	Name  string
	Login string // e-mail address; "" = the public
	// Council: the council's non-public paper 401, its agenda item 302 in
	// the public council meeting 200 (title, resolution, files).
	Council bool
	// Board: the confidential supervisory board (org 20): meeting 201 and
	// its agenda item 303.
	Board bool
	// File: file 502, a non-public attachment of council meeting 200 and of
	// the public paper 400 that the board also consults.
	File bool
}

// Any reports whether the role sees any non-public material at all.
func (r matrixRole) Any() bool { return r.Council || r.Board || r.File }

// matrixRoles are the roles of the acceptance over the web fixture.
// Accounts are created by newMatrixEnv.
func matrixRoles() []matrixRole {
	return []matrixRole{
		{Name: "public"},
		{Name: "member", Login: memberEmail, Council: true, File: true},                   // council chair (person 100)
		{Name: "deputy", Login: "stellv@example.org", Council: true, File: true},          // deputy of the council (102)
		{Name: "conflicted member", Login: "befangen@example.org", File: true},            // person 101, Befangenheit on item 302
		{Name: "bare account", Login: "ohne@example.org"},                                 // no person, no rights
		{Name: "faction staff", Login: "fraktion@example.org", Council: true, File: true}, // faction 12 sits in the council
		{Name: "board grant", Login: "gast@example.org", Board: true, File: true},         // explicit grant on the board (org 20)
		{Name: "council office", Login: "sitzungsdienst@example.org", Council: true, File: true},
		{Name: "board office", Login: "gremienbuero@example.org", Board: true, File: true},
		// administrators never reach confidential boards
		{Name: "admin", Login: adminEmail, Council: true, File: true},
	}
}

// newMatrixEnv is the portal with logins, OParl mounted as app does, and an
// account for every matrix role.
func newMatrixEnv(t *testing.T) *authEnv {
	t.Helper()
	e := newAuthEnv(t)
	e.web.Mount("/oparl/", oparl.NewServer(oparl.Config{Store: e.web.store, BaseURL: e.base, Now: e.now}).Handler())
	ctx := context.Background()
	hash, err := cheap.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(email string, person int64, role ratsnetz.AccountRole) *ratsnetz.Account {
		a := &ratsnetz.Account{Email: email, PersonID: person, PasswordHash: hash, Active: true, Created: testNow, Modified: testNow,
			Roles: []ratsnetz.AccountRole{role}}
		if a.RequiresTOTP() {
			a.TOTPEnabled, a.TOTPSecret = true, testAdminSecret
		}
		if err := e.accounts.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	mandate := ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}
	mk("stellv@example.org", 102, mandate)
	mk("befangen@example.org", 101, mandate)
	mk("ohne@example.org", 0, mandate)
	mk("fraktion@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 12})
	guest := mk("gast@example.org", 0, mandate)
	mk("sitzungsdienst@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1})
	mk("gremienbuero@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2})
	// The store dates grants by its own clock (expiry is covered by the
	// storage matrix).
	for _, g := range []*ratsnetz.Grant{
		{AccountID: guest.ID, ObjectKind: ratsnetz.GrantOrganization, ObjectID: 20, Expires: time.Now().AddDate(1, 0, 0)},
	} {
		if err := e.accounts.CreateGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	conflicts := e.accounts.(ratsnetz.ConflictService)
	if err := conflicts.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 101, AgendaItemID: 302}); err != nil {
		t.Fatal(err)
	}
	return e
}

// runMatrix calls check once per matrix role, in a subtest, with a browser
// logged in as that role (the public: no session).
func runMatrix(t *testing.T, e *authEnv, check func(t *testing.T, b *browser, r matrixRole)) {
	t.Helper()
	for _, r := range matrixRoles() {
		t.Run(r.Name, func(t *testing.T) {
			b := e.browser(t)
			if r.Login != "" {
				matrixLogin(t, e, b, r.Login)
			}
			check(t, b, r)
		})
	}
}

// matrixLogin logs b in as login, with the TOTP step if the account needs it.
func matrixLogin(t *testing.T, e *authEnv, b *browser, login string) {
	t.Helper()
	resp := b.login(login, testPassword)
	if strings.HasPrefix(resp.Header.Get("Location"), "/anmelden/zweiter-faktor") {
		e.advance(30 * time.Second) // a fresh code per login
		resp, _ = b.post("/anmelden/zweiter-faktor", url.Values{"csrf": {b.token("/anmelden/zweiter-faktor")},
			"code": {totp.Code(testAdminSecret, e.now())}})
	}
	if resp.StatusCode != http.StatusSeeOther || b.session() == "" {
		t.Fatalf("login %s: %d", login, resp.StatusCode)
	}
}

// matrixPath is an output path and which roles must see the canary there.
type matrixPath struct {
	Path string
	// Sees reports whether r must see the canary; nil = nobody.
	Sees func(r matrixRole) bool
	// Header is sent with the request (e.g. Authorization for OParl).
	Header http.Header
}

func seesCouncil(r matrixRole) bool { return r.Council }
func seesBoard(r matrixRole) bool   { return r.Board }
func seesFile(r matrixRole) bool    { return r.File }

// checkMatrix asserts, for every role, that each path shows the canary
// exactly when Sees says so, answers 200 where it must show it, and never
// answers 500.
func checkMatrix(t *testing.T, e *authEnv, paths []matrixPath) {
	t.Helper()
	runMatrix(t, e, func(t *testing.T, b *browser, r matrixRole) {
		for _, p := range paths {
			req, _ := http.NewRequest(http.MethodGet, e.base+p.Path, nil)
			for k, v := range p.Header {
				req.Header[k] = v
			}
			resp, body := b.do(req)
			want := p.Sees != nil && p.Sees(r)
			if got := strings.Contains(body, testCanary); got != want {
				t.Errorf("%s: canary %v, want %v (status %d)", p.Path, got, want, resp.StatusCode)
			}
			if want && resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d", p.Path, resp.StatusCode)
			}
			if resp.StatusCode >= 500 {
				t.Errorf("%s: status %d", p.Path, resp.StatusCode)
			}
		}
	})
}

// TestPermissionMatrix: the HTML pages, print views and downloads.
func TestPermissionMatrix(t *testing.T) {
	e := newMatrixEnv(t)
	var paths []matrixPath
	add := func(sees func(matrixRole) bool, ps ...string) {
		for _, p := range ps {
			paths = append(paths, matrixPath{Path: p, Sees: sees})
		}
	}
	add(seesCouncil, "/vorlagen/401", "/vorlagen/401/druck", "/sitzungen/200/top/302")
	add(seesBoard, "/sitzungen/201", "/sitzungen/201/druck", "/sitzungen/201/top/303")
	add(seesFile, "/dateien/502", "/dateien/502/download")
	// Lists and overview pages never carry the canary for anyone who has no
	// right at all (what they show to entitled roles is covered above).
	add(func(r matrixRole) bool { return false }, "/gremien", "/personen", "/personen/100")
	checkMatrix(t, e, paths)

	runMatrix(t, e, func(t *testing.T, b *browser, r matrixRole) {
		// The council meeting's agenda shows the non-public item's title only
		// to those entitled to its content (not the conflicted member).
		if _, body := b.get("/sitzungen/200"); strings.Contains(body, "Grundstücksverkauf") != r.Council {
			t.Errorf("/sitzungen/200: non-public item title shown %v, want %v", !r.Council, r.Council)
		}
		for _, p := range []string{"/vorlagen", "/sitzungen", "/suche?q=Grundst%C3%BCck", "/gremien/20", "/"} {
			if _, body := b.get(p); strings.Contains(body, testCanary) && !r.Any() {
				t.Errorf("%s shows the canary", p)
			}
		}
		if r.Board {
			if _, body := b.get("/sitzungen/201"); !strings.Contains(body, "vertraulich") {
				t.Errorf("board meeting without the vertraulich badge")
			}
		}
	})
}

// TestPermissionMatrixOParl: OParl answers as the public for everyone — a
// session cookie or an Authorization header changes nothing.
func TestPermissionMatrixOParl(t *testing.T) {
	e := newMatrixEnv(t)
	public := func(matrixRole) bool { return false }
	var paths []matrixPath
	for _, p := range []string{
		"/paper/401", "/paper/400", "/meeting/201", "/meeting/200", "/agendaitem/302", "/agendaitem/303", "/file/502",
		"/body/1/paper", "/body/1/meeting", "/body/1/agendaItem", "/body/1/file", "/body/2/meeting",
		"/organization/20/meeting", "/organization/10/meeting",
	} {
		paths = append(paths,
			matrixPath{Path: oparl.Prefix + p, Sees: public},
			matrixPath{Path: oparl.Prefix + p, Sees: public, Header: http.Header{"Authorization": {"Bearer x"}}})
	}
	checkMatrix(t, e, paths)
	// The canary check is only meaningful if OParl serves the public data.
	b := e.browser(t)
	matrixLogin(t, e, b, memberEmail)
	if resp, body := b.get(oparl.Prefix + "/paper/400"); resp.StatusCode != 200 || !strings.Contains(body, "Radweg") {
		t.Fatalf("OParl paper 400 for a member: %d %.200s", resp.StatusCode, body)
	}
	if resp, _ := b.get(oparl.Prefix + "/paper/401"); resp.StatusCode != 404 {
		t.Errorf("OParl non-public paper 401 for a member: %d, want 404", resp.StatusCode)
	}
}
