package web

import (
	"context"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/mappe"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// withDistribution switches the distribution area on in a running test portal.
func withDistribution(t *testing.T, e *authEnv) {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	store := e.web.store.(mappe.Store)
	b := &mappe.Builder{Store: store, Blobs: e.web.blobs, Loc: loc, Now: e.now}
	dist := e.web.store.(ratsnetz.DistributionService)
	e.web.distribution = DistributionDeps{Dist: dist, Inviter: &mappe.Inviter{Builder: b, Dist: dist,
		Accounts: e.accounts, BaseURL: e.base, Domain: "example.org", Now: e.now}}
	e.web.distributionRoutes()
}

// pdfText fetches path and returns the status and, for a PDF, its text:
// through poppler's pdftotext where installed (it also reads the original
// attachment pages, drawn as form XObjects), plus the package's extractor.
func pdfText(t *testing.T, b *browser, path string) (int, string) {
	t.Helper()
	resp, body := b.get(path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		return resp.StatusCode, body
	}
	poppler := ""
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = strings.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		poppler = string(out)
	}
	text, err := pdf.ExtractText([]byte(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode, text + "\n" + poppler
}

// TestPacketMatrix: the public packet never carries non-public content;
// the personal packet carries exactly what the role may see.
func TestPacketMatrix(t *testing.T) {
	e := newMatrixEnv(t)
	withDistribution(t, e)
	runMatrix(t, e, func(t *testing.T, b *browser, r matrixRole) {
		if _, body := b.get("/sitzungen/200"); !strings.Contains(body, `href="/sitzungen/200/mappe.pdf"`) {
			t.Errorf("the meeting page does not link its Sitzungsmappe")
		}
		if st, text := pdfText(t, b, "/sitzungen/200/mappe.pdf"); st != http.StatusOK || strings.Contains(text, testCanary) {
			t.Errorf("public packet: status %d, canary %v", st, strings.Contains(text, testCanary))
		}
		if st, _ := pdfText(t, b, "/sitzungen/201/mappe.pdf"); st != http.StatusNotFound {
			t.Errorf("public packet of the board meeting: status %d, want 404", st)
		}
		st, text := pdfText(t, b, "/mein/sitzungen/200/mappe.pdf")
		if r.Login == "" {
			if st != http.StatusSeeOther {
				t.Errorf("personal packet for the public: %d, want the login redirect", st)
			}
			return
		}
		if st != http.StatusOK {
			t.Fatalf("personal packet: status %d", st)
		}
		if got, want := strings.Contains(text, testCanary), r.Council || r.File; got != want {
			t.Errorf("personal packet of meeting 200: canary %v, want %v", got, want)
		}
		st, text = pdfText(t, b, "/mein/sitzungen/201/mappe.pdf")
		if got := strings.Contains(text, testCanary); got != r.Board || (r.Board && st != http.StatusOK) {
			t.Errorf("personal packet of board meeting 201: status %d, canary %v, want %v", st, got, r.Board)
		}
	})
}

func TestDeliveryPrefsPage(t *testing.T) {
	e := newAuthEnv(t)
	withDistribution(t, e)
	b := e.browser(t)
	if resp, _ := b.get("/mein/zustellung"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("public: %d, want login redirect", resp.StatusCode)
	}
	b.login(memberEmail, testPassword)
	resp, body := b.get("/mein/zustellung")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<legend>Zustellweg</legend>`) || !strings.Contains(body, `for="anschrift"`) {
		t.Fatalf("page: %d\n%s", resp.StatusCode, body)
	}
	// A rejected form keeps what was entered.
	resp, body = b.post("/mein/zustellung", url.Values{"csrf": {b.token("/mein/zustellung")}, "weg": {"email"}, "email": {"privat@example.org"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Einwilligung") || !strings.Contains(body, `value="privat@example.org"`) {
		t.Errorf("without consent: %d\n%s", resp.StatusCode, body)
	}
	// Without CSRF token: refused.
	if resp, _ := b.post("/mein/zustellung", url.Values{"weg": {"post"}, "anschrift": {"a\nb"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d", resp.StatusCode)
	}
	resp, _ = b.post("/mein/zustellung", url.Values{"csrf": {b.token("/mein/zustellung")}, "weg": {"post"},
		"anschrift": {"Dr. Anna Beispiel\nRathausplatz 1\n12345 Musterstadt"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	p, err := e.web.distribution.Dist.FindDeliveryPrefs(ratsnetz.SystemContext(context.Background()), 100)
	if err != nil || p.Channel != ratsnetz.ChannelPost || !strings.Contains(p.PostalAddress, "Rathausplatz 1") {
		t.Errorf("saved: %+v, %v", p, err)
	}
}

func TestInvitationPages(t *testing.T) {
	e := newMatrixEnv(t)
	withDistribution(t, e)
	office := e.browser(t)
	matrixLogin(t, e, office, "sitzungsdienst@example.org")
	member := e.browser(t)
	matrixLogin(t, e, member, memberEmail)
	// The member chose paper.
	if resp, _ := member.post("/mein/zustellung", url.Values{"csrf": {member.token("/mein/zustellung")}, "weg": {"post"},
		"anschrift": {"Dr. Anna Beispiel\nRathausplatz 1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("prefs: %d", resp.StatusCode)
	}
	if resp, _ := member.get("/sitzungsdienst/sitzungen/200/einladung"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("member opens the invitation page: %d, want 403", resp.StatusCode)
	}
	if resp, _ := office.get("/sitzungsdienst/sitzungen/abc/einladung"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad id: %d", resp.StatusCode)
	}
	resp, body := office.get("/sitzungsdienst/sitzungen/200/einladung")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dr. Anna Beispiel") {
		t.Fatalf("invitation page: %d\n%s", resp.StatusCode, body)
	}
	late := strings.Contains(body, "nicht eingehalten")
	form := url.Values{"csrf": {office.token("/sitzungsdienst/sitzungen/200/einladung")}}
	if late {
		resp, body = office.post("/sitzungsdienst/sitzungen/200/einladung", form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "begründen") {
			t.Errorf("late without reason: %d", resp.StatusCode)
		}
		form.Set("begruendung", "Eilentscheidung")
	}
	if resp, _ = office.post("/sitzungsdienst/sitzungen/200/einladung", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	_, body = office.get("/sitzungsdienst/sitzungen/200/druckliste")
	if !strings.Contains(body, "Dr. Anna Beispiel") || !strings.Contains(body, "Rathausplatz 1") {
		t.Fatalf("print list lacks the paper member:\n%s", body)
	}
	rs, err := e.web.distribution.Dist.FindRecipients(ratsnetz.NewContextWithViewer(context.Background(), ratsnetz.Viewer{System: true}),
		ratsnetz.RecipientFilter{MeetingID: 200, PersonID: 100})
	if err != nil || len(rs) != 1 {
		t.Fatalf("recipient: %v, %v", rs, err)
	}
	rid := rs[0].ID
	path := "/sitzungsdienst/sitzungen/200/druckliste/" + strconv.FormatInt(rid, 10)
	st, text := pdfText(t, office, path+"/mappe.pdf")
	if st != http.StatusOK || !strings.Contains(text, testCanary) || !strings.Contains(text, "Dr. Anna Beispiel") {
		t.Errorf("printed packet of the council chair: %d, canary %v", st, strings.Contains(text, testCanary))
	}
	audited := false
	for _, ev := range e.audit(t, ratsnetz.AuditAccess) {
		audited = audited || strings.Contains(ev.Detail, "Druckexemplar für Dr. Anna Beispiel")
	}
	if !audited {
		t.Error("printing a packet with non-public content left no access record")
	}
	if st, _ := pdfText(t, member, path+"/mappe.pdf"); st != http.StatusForbidden {
		t.Errorf("member prints packets: %d", st)
	}
	if resp, _ := office.post(path+"/versendet", url.Values{"csrf": {office.token("/sitzungsdienst/sitzungen/200/druckliste")}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("mark sent: %d", resp.StatusCode)
	}
	if _, body := office.get("/sitzungsdienst/sitzungen/200/druckliste"); !strings.Contains(body, "versendet ") {
		t.Errorf("packet not marked sent")
	}
	// Receipt links: unknown tokens are 404, never 500.
	if resp, _ := member.get("/mein/empfang/" + strings.Repeat("x", 32)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown receipt: %d", resp.StatusCode)
	}
}
