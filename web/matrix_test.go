package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/totp"
)

// TestPermissionMatrix: for each role, each portal path shows the
// fixture's non-public canary exactly where the role is entitled. The
// store decides; this proves every HTML and download path honours it.
func TestPermissionMatrix(t *testing.T) {
	e := newAuthEnv(t)
	hash, err := cheap.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(email string, person int64, role ratsnetz.AccountRole) {
		a := &ratsnetz.Account{Email: email, PersonID: person, PasswordHash: hash, Active: true, Created: testNow, Modified: testNow,
			Roles: []ratsnetz.AccountRole{role}}
		if a.RequiresTOTP() {
			a.TOTPEnabled, a.TOTPSecret = true, testAdminSecret
		}
		if err := e.accounts.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	mk("stellv@example.org", 102, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder})
	mk("ohne@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder})
	mk("sitzungsdienst@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1})
	mk("gremienbuero@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2})

	// Council material (org 10): paper 401, agenda item 302. The
	// confidential board (org 20): meeting 201, agenda item 303.
	council := []string{"/vorlagen/401", "/vorlagen/401/druck", "/sitzungen/200/top/302"}
	board := []string{"/sitzungen/201", "/sitzungen/201/druck", "/sitzungen/201/top/303"}
	// File 502 is a non-public attachment of meeting 200 (council) and of
	// the public paper 400, which the board also consults (consultation
	// 601): by the rules both the council and the board office see it.
	file := []string{"/dateien/502", "/dateien/502/download"}
	tests := []struct {
		login          string
		council, board bool
	}{
		{"", false, false},
		{memberEmail, true, false},          // council chair (person 100)
		{"stellv@example.org", true, false}, // deputy of the council
		{"ohne@example.org", false, false},  // an account without person or rights
		{"sitzungsdienst@example.org", true, false},
		{"gremienbuero@example.org", false, true},
		{adminEmail, true, false}, // administrators never reach confidential boards
	}
	for _, tc := range tests {
		name := tc.login
		if name == "" {
			name = "public"
		}
		t.Run(name, func(t *testing.T) {
			b := e.browser(t)
			if tc.login != "" {
				resp := b.login(tc.login, testPassword)
				if strings.HasPrefix(resp.Header.Get("Location"), "/anmelden/zweiter-faktor") {
					e.advance(30 * time.Second) // a fresh code per login
					resp, _ = b.post("/anmelden/zweiter-faktor", url.Values{"csrf": {b.token("/anmelden/zweiter-faktor")},
						"code": {totp.Code(testAdminSecret, e.now())}})
				}
				if resp.StatusCode != 303 || b.session() == "" {
					t.Fatalf("login: %d", resp.StatusCode)
				}
			}
			check := func(paths []string, want bool) {
				for _, p := range paths {
					resp, body := b.get(p)
					if got := strings.Contains(body, testCanary); got != want {
						t.Errorf("%s: canary %v, want %v (status %d)", p, got, want, resp.StatusCode)
					}
					if want && resp.StatusCode != 200 {
						t.Errorf("%s: status %d", p, resp.StatusCode)
					}
				}
			}
			check(council, tc.council)
			check(board, tc.board)
			check(file, tc.council || tc.board)
			// The council meeting's agenda shows the non-public item's
			// title only to the council.
			if _, body := b.get("/sitzungen/200"); strings.Contains(body, "Grundstücksverkauf") != tc.council {
				t.Errorf("/sitzungen/200: non-public item title shown %v", !tc.council)
			}
			// Lists never leak to those without any right.
			for _, p := range []string{"/vorlagen", "/sitzungen", "/suche?q=Grundst%C3%BCck", "/gremien/20", "/"} {
				if _, body := b.get(p); strings.Contains(body, testCanary) && !tc.council && !tc.board {
					t.Errorf("%s shows the canary", p)
				}
			}
			if tc.board {
				if _, body := b.get("/sitzungen/201"); !strings.Contains(body, "vertraulich") {
					t.Errorf("board meeting without the vertraulich badge")
				}
			}
		})
	}
}
