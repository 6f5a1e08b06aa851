package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// TestGrantsAdmin: an administrator grants an account access to the
// confidential supervisory board with an expiry and revokes it; the account
// sees the board's meeting exactly in between. CSRF, a rejected form that
// keeps its values, the council office's limits and the audit are checked on
// the way.
func TestGrantsAdmin(t *testing.T) {
	e := newMatrixEnv(t)
	ctx := context.Background()
	hash, _ := cheap.Hash(testPassword)
	if err := e.accounts.CreateAccount(ctx, &ratsnetz.Account{Email: "neu-im-ar@example.org", PasswordHash: hash, Active: true,
		Created: testNow, Modified: testNow, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}}); err != nil {
		t.Fatal(err)
	}
	guest := e.browser(t)
	matrixLogin(t, e, guest, "neu-im-ar@example.org")
	boardVisible := func() bool {
		t.Helper()
		resp, body := guest.get("/sitzungen/201")
		return resp.StatusCode == 200 && strings.Contains(body, testCanary)
	}
	if boardVisible() {
		t.Fatal("the board meeting is visible before any grant")
	}

	admin := e.browser(t)
	admin.adminLogin()
	resp, body := admin.get("/verwaltung/freigaben")
	if resp.StatusCode != 200 || !strings.Contains(body, "Freigabe erteilen") {
		t.Fatalf("grants page: %d", resp.StatusCode)
	}
	until := time.Now().In(time.FixedZone("CET", 3600)).AddDate(0, 1, 0).Format("2006-01-02")
	form := url.Values{"konto": {"neu-im-ar@example.org"}, "art": {ratsnetz.GrantOrganization}, "nummer": {"20"}, "bis": {until}, "grund": {"Berichte an den Rat"}}

	// Without the CSRF token: refused, nothing granted.
	if resp, _ := admin.post("/verwaltung/freigaben", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("grant without csrf: %d, want 403", resp.StatusCode)
	}
	// A bad number: 400, the form keeps what was typed.
	bad := cloneForm(form)
	bad.Set("nummer", "zwanzig")
	bad.Set("csrf", admin.token("/verwaltung/freigaben"))
	resp, body = admin.post("/verwaltung/freigaben", bad)
	if resp.StatusCode != 400 || !strings.Contains(body, `value="neu-im-ar@example.org"`) || !strings.Contains(body, `value="zwanzig"`) || !strings.Contains(body, "keine Zahl") {
		t.Errorf("bad grant: %d, form not kept", resp.StatusCode)
	}
	// An expiry in the past is refused.
	past := cloneForm(form)
	past.Set("bis", "2020-01-01")
	past.Set("csrf", admin.token("/verwaltung/freigaben"))
	if resp, body := admin.post("/verwaltung/freigaben", past); resp.StatusCode != 400 || !strings.Contains(body, "Zukunft") {
		t.Errorf("grant in the past: %d", resp.StatusCode)
	}
	if boardVisible() {
		t.Fatal("rejected grants gave access")
	}

	form.Set("csrf", admin.token("/verwaltung/freigaben"))
	if resp, body := admin.post("/verwaltung/freigaben", form); resp.StatusCode != 303 {
		t.Fatalf("grant: %d %s", resp.StatusCode, body)
	}
	if !boardVisible() {
		t.Fatal("the grant does not open the board meeting")
	}
	_, body = admin.get("/verwaltung/freigaben?ok=angelegt")
	if !strings.Contains(body, "Gremium 20") || !strings.Contains(body, "Berichte an den Rat") {
		t.Errorf("the grant is not listed")
	}
	if evs := e.audit(t, ratsnetz.AuditGrantCreated); len(evs) != 1 || evs[0].ObjectID != 20 || evs[0].Actor != adminEmail {
		t.Errorf("grant_created audit: %+v", evs)
	}

	// The council office of the city may not grant the company's board.
	office := e.browser(t)
	matrixLogin(t, e, office, "sitzungsdienst@example.org")
	of := cloneForm(form)
	of.Set("konto", memberEmail)
	of.Set("csrf", office.token("/verwaltung/freigaben"))
	if resp, body := office.post("/verwaltung/freigaben", of); resp.StatusCode != 403 || !strings.Contains(body, "Administration") {
		t.Errorf("council office grants a company board: %d", resp.StatusCode)
	}
	// … but a council paper of its body.
	of.Set("art", ratsnetz.GrantPaper)
	of.Set("nummer", "401")
	of.Set("csrf", office.token("/verwaltung/freigaben"))
	if resp, _ := office.post("/verwaltung/freigaben", of); resp.StatusCode != 303 {
		t.Errorf("council office grants a council paper: %d", resp.StatusCode)
	}
	// A member is no rights manager.
	member := e.browser(t)
	matrixLogin(t, e, member, memberEmail)
	if resp, _ := member.get("/verwaltung/freigaben"); resp.StatusCode != 403 {
		t.Errorf("member opens the grants page: %d", resp.StatusCode)
	}

	// Revoke: the access ends at once.
	acc, err := e.accounts.FindAccountByLogin(ctx, "neu-im-ar@example.org")
	if err != nil {
		t.Fatal(err)
	}
	gs, _, err := e.accounts.FindGrants(ctx, ratsnetz.GrantFilter{AccountID: acc.ID})
	if err != nil || len(gs) != 1 {
		t.Fatalf("grants of the account: %d, %v", len(gs), err)
	}
	boardGrant := "/verwaltung/freigaben/" + itoa(gs[0].ID) + "/widerrufen"
	if _, body := admin.get("/verwaltung/freigaben"); !strings.Contains(body, boardGrant) {
		t.Fatalf("no revoke button %s", boardGrant)
	}
	if resp, _ := admin.post(boardGrant, url.Values{}); resp.StatusCode != 403 {
		t.Errorf("revoke without csrf: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(boardGrant, url.Values{"csrf": {admin.token("/verwaltung/freigaben")}}); resp.StatusCode != 303 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if boardVisible() {
		t.Error("the board meeting is still visible after the revocation")
	}
	if evs := e.audit(t, ratsnetz.AuditGrantDeleted); len(evs) != 1 || evs[0].ObjectID != 20 {
		t.Errorf("grant_deleted audit: %+v", evs)
	}
}

// TestConflicts: a member declares a conflict of interest on an agenda item
// and loses its non-public paper at once, withdraws it and sees it again;
// the council office records one for another member, who cannot withdraw
// it; every step is audited.
func TestConflicts(t *testing.T) {
	e := newMatrixEnv(t)
	member := e.browser(t)
	matrixLogin(t, e, member, memberEmail) // person 100
	sees := func(b *browser) bool {
		t.Helper()
		resp, body := b.get("/vorlagen/401")
		return resp.StatusCode == 200 && strings.Contains(body, testCanary)
	}
	if !sees(member) {
		t.Fatal("the member does not see the council paper before")
	}
	resp, body := member.get("/konto/befangenheit?top=302")
	if resp.StatusCode != 200 || !strings.Contains(body, `value="302"`) {
		t.Fatalf("own conflicts page: %d", resp.StatusCode)
	}
	if resp, _ := member.post("/konto/befangenheit", url.Values{"top": {"302"}}); resp.StatusCode != 403 {
		t.Errorf("declare without csrf: %d", resp.StatusCode)
	}
	if resp, body := member.post("/konto/befangenheit", url.Values{"csrf": {member.token("/konto/befangenheit")}, "top": {"99999"}, "notiz": {"Nachbar"}}); resp.StatusCode != 400 ||
		!strings.Contains(body, "gibt es nicht") || !strings.Contains(body, `value="Nachbar"`) {
		t.Errorf("declare on a missing item: %d", resp.StatusCode)
	}
	if resp, _ := member.post("/konto/befangenheit", url.Values{"csrf": {member.token("/konto/befangenheit")}, "top": {"302"}, "notiz": {"Grundstück der Familie"}}); resp.StatusCode != 303 {
		t.Fatalf("declare: %d", resp.StatusCode)
	}
	if sees(member) {
		t.Error("the conflicted member still sees the paper")
	}
	if evs := e.audit(t, ratsnetz.AuditConflictDeclared); len(evs) != 1 || evs[0].ObjectID != 302 || evs[0].Actor != memberEmail {
		t.Errorf("conflict_declared audit: %+v", evs)
	}
	_, body = member.get("/konto/befangenheit")
	withdraw := regexp.MustCompile(`/konto/befangenheit/\d+/zurueckziehen`).FindString(body)
	if withdraw == "" {
		t.Fatal("no withdraw button")
	}
	if resp, _ := member.post(withdraw, url.Values{"csrf": {member.token("/konto/befangenheit")}}); resp.StatusCode != 303 {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if !sees(member) {
		t.Error("after withdrawing, the member does not see the paper again")
	}

	// The office records a conflict of the deputy (person 102).
	deputy := e.browser(t)
	matrixLogin(t, e, deputy, "stellv@example.org")
	office := e.browser(t)
	matrixLogin(t, e, office, "sitzungsdienst@example.org")
	if resp, body := office.post("/verwaltung/befangenheiten", url.Values{"csrf": {office.token("/verwaltung/befangenheiten")}, "person": {"x"}, "top": {"302"}}); resp.StatusCode != 400 ||
		!strings.Contains(body, "Person ist eine Nummer") {
		t.Errorf("record with a bad person: %d", resp.StatusCode)
	}
	if resp, _ := office.post("/verwaltung/befangenheiten", url.Values{"csrf": {office.token("/verwaltung/befangenheiten")}, "person": {"102"}, "top": {"302"}}); resp.StatusCode != 303 {
		t.Fatalf("office records: %d", resp.StatusCode)
	}
	if sees(deputy) {
		t.Error("the deputy still sees the paper")
	}
	_, body = deputy.get("/konto/befangenheit")
	if !strings.Contains(body, "vom Sitzungsdienst erfasst") || strings.Contains(body, "zurueckziehen") {
		t.Error("the deputy's page does not show the office's record as such")
	}
	id := regexp.MustCompile(`/verwaltung/befangenheiten/(\d+)/loeschen`).FindStringSubmatch(func() string { _, b := office.get("/verwaltung/befangenheiten"); return b }())
	if id == nil {
		t.Fatal("no delete button on the office page")
	}
	if resp, _ := deputy.post("/konto/befangenheit/"+id[1]+"/zurueckziehen", url.Values{"csrf": {deputy.token("/konto/befangenheit")}}); resp.StatusCode != 403 {
		t.Errorf("the deputy withdraws the office's record: %d", resp.StatusCode)
	}
	if resp, _ := member.get("/verwaltung/befangenheiten"); resp.StatusCode != 403 {
		t.Errorf("a member opens the office page: %d", resp.StatusCode)
	}
	if resp, _ := office.post(id[0], url.Values{"csrf": {office.token("/verwaltung/befangenheiten")}}); resp.StatusCode != 303 {
		t.Fatalf("office deletes: %d", resp.StatusCode)
	}
	if !sees(deputy) {
		t.Error("after the deletion the deputy does not see the paper again")
	}
	if evs := e.audit(t, ratsnetz.AuditConflictDeleted); len(evs) != 2 {
		t.Errorf("conflict_deleted audit: %d events, want 2", len(evs))
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestRightsInEnglish: what rights.go itself writes on the grants and
// conflicts pages — the labels of grants and kinds, the form errors, the
// notices, the page titles — is English for an English browser, and none
// of its German texts is left (they were German in both languages).
func TestRightsInEnglish(t *testing.T) {
	e := newMatrixEnv(t)
	de, en := adminMessages()
	var rightsKeys []string
	for k := range de {
		if strings.HasPrefix(k, "admin.grants.") || strings.HasPrefix(k, "admin.conflicts.") || strings.HasPrefix(k, "account.conflicts.") ||
			k == "admin.errPerson" || k == "admin.errItem" {
			rightsKeys = append(rightsKeys, k)
		}
	}
	// german reports the German texts of the rights keys found in body
	// (the part before an argument; texts that start with their argument,
	// and texts German and English share, like "Person %v", cannot tell the
	// languages apart and are skipped).
	german := func(body string) []string {
		var found []string
		for _, k := range rightsKeys {
			if de[k] == en[k] {
				continue
			}
			text, _, _ := strings.Cut(de[k], "%")
			if strings.TrimSpace(text) != "" && strings.Contains(body, text) {
				found = append(found, text)
			}
		}
		return found
	}
	until := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	admin := e.browser(t)
	admin.adminLogin()
	admin.get("/verwaltung/freigaben?lang=en") // the language cookie keeps English for the posts
	office := e.browser(t)
	matrixLogin(t, e, office, "sitzungsdienst@example.org")
	office.get("/verwaltung/befangenheiten?lang=en")
	member := e.browser(t)
	matrixLogin(t, e, member, memberEmail)
	member.get("/konto/befangenheit?lang=en")

	grant := func(b *browser, v url.Values) func() (*http.Response, string) {
		return func() (*http.Response, string) {
			v.Set("csrf", b.token("/verwaltung/freigaben"))
			return b.post("/verwaltung/freigaben", v)
		}
	}
	postTo := func(b *browser, page, path string, v url.Values) func() (*http.Response, string) {
		return func() (*http.Response, string) {
			v.Set("csrf", b.token(page))
			return b.post(path, v)
		}
	}
	get := func(b *browser, path string) func() (*http.Response, string) {
		return func() (*http.Response, string) { return b.get(path) }
	}
	long := strings.Repeat("x", 501)
	for _, c := range []struct {
		name   string
		do     func() (*http.Response, string)
		status int
		want   []string
	}{
		{"grant to an account", grant(admin, url.Values{"konto": {memberEmail}, "art": {ratsnetz.GrantOrganization}, "nummer": {"20"}, "bis": {until}, "grund": {"reports"}}), 303, nil},
		{"grant to a person", grant(admin, url.Values{"person": {"102"}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}, "bis": {until}}), 303, nil},
		{"grants page", get(admin, "/verwaltung/freigaben?ok=angelegt"), 200,
			[]string{"<title>Grants", "Committee 20", "Paper 401", "Person 102", "Committee (all non-public documents)", ">Paper</option>", "The access grant is given."}},
		{"too long", grant(admin, url.Values{"konto": {memberEmail}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}, "grund": {long}}), 400, []string{en["admin.grants.errTooLong"]}},
		{"account and person", grant(admin, url.Values{"konto": {memberEmail}, "person": {"102"}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}}), 400, []string{en["admin.grants.errBoth"]}},
		{"no such account", grant(admin, url.Values{"konto": {"niemand@example.org"}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}}), 400, []string{en["admin.grants.errNoAccount"]}},
		{"person not a number", grant(admin, url.Values{"person": {"x"}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}}), 400, []string{en["admin.errPerson"]}},
		{"nobody", grant(admin, url.Values{"art": {ratsnetz.GrantPaper}, "nummer": {"401"}}), 400, []string{en["admin.grants.errWho"]}},
		{"object not a number", grant(admin, url.Values{"person": {"102"}, "art": {ratsnetz.GrantPaper}, "nummer": {"zwanzig"}}), 400, []string{en["admin.grants.errObject"]}},
		{"expiry not a date", grant(admin, url.Values{"person": {"102"}, "art": {ratsnetz.GrantPaper}, "nummer": {"401"}, "bis": {"morgen"}}), 400, []string{en["admin.grants.errDate"]}},

		{"record", postTo(office, "/verwaltung/befangenheiten", "/verwaltung/befangenheiten", url.Values{"person": {"102"}, "top": {"302"}}), 303, nil},
		{"conflicts page", get(office, "/verwaltung/befangenheiten?ok=erfasst"), 200,
			[]string{"<title>Conflicts of interest", en["admin.conflicts.recorded"], en["admin.conflicts.bySelf"]}},
		{"deleted notice", get(office, "/verwaltung/befangenheiten?ok=geloescht"), 200, []string{en["admin.conflicts.deleted"]}},
		{"record: person", postTo(office, "/verwaltung/befangenheiten", "/verwaltung/befangenheiten", url.Values{"person": {"x"}, "top": {"302"}}), 400, []string{en["admin.errPerson"]}},
		{"record: item", postTo(office, "/verwaltung/befangenheiten", "/verwaltung/befangenheiten", url.Values{"person": {"102"}, "top": {"x"}}), 400, []string{en["admin.errItem"]}},
		{"record: note", postTo(office, "/verwaltung/befangenheiten", "/verwaltung/befangenheiten", url.Values{"person": {"102"}, "top": {"302"}, "notiz": {long}}), 400, []string{en["admin.conflicts.errNote"]}},

		{"declare", postTo(member, "/konto/befangenheit", "/konto/befangenheit", url.Values{"top": {"302"}}), 303, nil},
		{"own page", get(member, "/konto/befangenheit?ok=erklaert"), 200,
			[]string{"<title>Declare a conflict of interest", en["account.conflicts.declared"], en["admin.conflicts.bySelf"]}},
		{"withdrawn notice", get(member, "/konto/befangenheit?ok=zurueckgezogen"), 200, []string{en["account.conflicts.withdrawn"]}},
		{"declare: item", postTo(member, "/konto/befangenheit", "/konto/befangenheit", url.Values{"top": {"x"}}), 400, []string{en["admin.errItem"]}},
		{"declare: reason", postTo(member, "/konto/befangenheit", "/konto/befangenheit", url.Values{"top": {"302"}, "notiz": {long}}), 400, []string{en["account.conflicts.errReason"]}},
	} {
		resp, body := c.do()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %q", c.name, w)
			}
		}
		if g := german(body); len(g) > 0 {
			t.Errorf("%s: German left: %q", c.name, g)
		}
	}

	// The German page keeps its texts.
	admin.get("/verwaltung/freigaben?lang=de")
	if _, body := grant(admin, url.Values{"art": {ratsnetz.GrantPaper}, "nummer": {"401"}})(); !strings.Contains(body, de["admin.grants.errWho"]) || !strings.Contains(body, "Gremium 20") {
		t.Error("the German grants page lost its texts")
	}
}
