package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

const officeCanary = "VERTRAULICH-7Q2X-KANARIE"

func newOfficeEnv(t *testing.T) *authEnv {
	t.Helper()
	return newAuthEnv(t, func(cfg *Config, base string) {
		cfg.Office = OfficeDeps{Office: cfg.Store.(ratsnetz.OfficeService),
			RenderMinutes: func(ctx context.Context, d MinutesDoc) ([]byte, string, error) {
				return []byte("%PDF-1.4\n% test\n"), d.Title, nil
			}}
	})
}

// upload posts a multipart form with one file.
func (b *browser) upload(path string, fields url.Values, fileName string, content []byte) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("datei", fileName)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.e.base)
	return b.do(req)
}

var draftLocation = regexp.MustCompile(`^/sitzungsdienst/vorlagen/(\d+)\?`)

// TestOfficePages: rejected forms keep what was typed, bad input is a 400 or
// 404 (never 500), and drafts, submissions and minutes reach nobody outside
// the office (public: login page; a council member: 404, no canary).
func TestOfficePages(t *testing.T) {
	e := newOfficeEnv(t)
	admin := e.browser(t)
	admin.adminLogin()
	anna := e.browser(t)
	if resp := anna.login(memberEmail, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member login: %d", resp.StatusCode)
	}
	pub := e.browser(t)
	if _, body := admin.get("/"); !strings.Contains(body, `href="/sitzungsdienst"`) {
		t.Errorf("the header offers the administrator no link to the council office")
	}
	if _, body := anna.get("/"); strings.Contains(body, `href="/sitzungsdienst"`) {
		t.Errorf("the header offers a council member the council office")
	}

	// A rejected draft keeps its text.
	tok := admin.token("/sitzungsdienst/vorlagen/neu")
	resp, body := admin.post("/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {""}, "art": {ratsnetz.PaperTypeResolution},
		"beschlussvorschlag": {"Mein sorgfältiger Vorschlag"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Mein sorgfältiger Vorschlag") || !strings.Contains(body, "Betreff") {
		t.Errorf("draft without subject: %d, text kept %v", resp.StatusCode, strings.Contains(body, "Mein sorgfältiger Vorschlag"))
	}
	resp, body = admin.post("/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {"Grundstück " + officeCanary}, "art": {ratsnetz.PaperTypeResolution},
		"beratung_gremium_0": {"11"}, "beratung_datum_0": {"2026-02-30"}, "beratung_rolle_0": {ratsnetz.ConsultationDecision}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Datum") {
		t.Errorf("draft with a bad date: %d", resp.StatusCode)
	}
	resp, _ = admin.post("/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {"Grundstück " + officeCanary}, "art": {ratsnetz.PaperTypeResolution},
		"beschlussvorschlag": {"Verkauf " + officeCanary}})
	m := draftLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create draft: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	draft := "/sitzungsdienst/vorlagen/" + m[1]

	// Uploads: a disallowed type keeps the name; a PDF goes in.
	tok = admin.token(draft)
	resp, body = admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Mein Werkzeug"}}, "tool.exe",
		append([]byte("MZ\x90\x00"), make([]byte, 600)...))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Mein Werkzeug"`) || !strings.Contains(body, "Dateityp") {
		t.Errorf("disallowed upload: %d, name kept %v", resp.StatusCode, strings.Contains(body, `value="Mein Werkzeug"`))
	}
	resp, _ = admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Lageplan"}}, "lageplan.pdf", []byte("%PDF-1.4\n1 0 obj\n"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("PDF upload: %d", resp.StatusCode)
	}
	if _, body := admin.get(draft); !strings.Contains(body, "lageplan.pdf") || !strings.Contains(body, "Version") {
		t.Errorf("draft page lacks the attachment or the versions")
	}
	// Request size: an attachment of a few MB goes in (the 64 KiB bound of
	// other forms does not hit it, nor does the CSRF check fail for want of
	// a token it could not read); a body over the upload bound and an
	// oversized ordinary form get a clear 413 page, before the CSRF check.
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("% padding line of a large scanned plan\n"), 3<<20/40)...)
	if resp, body := admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Großer Plan"}}, "plan.pdf", big); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("3 MB upload: %d\n%s", resp.StatusCode, body)
	}
	huge := make([]byte, maxUploadBody+1)
	if resp, body := admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Riesig"}}, "riesig.pdf", huge); resp.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, "Die Datei ist zu groß: Anlagen dürfen höchstens 25 MB groß sein.") {
		t.Errorf("oversized upload: %d\n%s", resp.StatusCode, body)
	}
	resp, body = admin.post("/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {strings.Repeat("x", maxFormBytes)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Formulardaten sind zu groß") {
		t.Errorf("oversized form: %d\n%s", resp.StatusCode, body)
	}
	// The member's motion pages in English.
	en := e.browser(t)
	if resp := en.login(memberEmail, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member login: %d", resp.StatusCode)
	}
	if _, body := en.get("/mein/antraege?lang=en"); !strings.Contains(body, "My motions and questions") || !strings.Contains(body, "Send to the council office") ||
		strings.Contains(body, "office.my.") {
		t.Errorf("English motion page:\n%s", body)
	}
	if !isUploadPath("/sitzungsdienst/vorlagen/12/anlagen") || isUploadPath("/sitzungsdienst/vorlagen/12/anlagen/3/entfernen") ||
		isUploadPath("/sitzungsdienst/vorlagen/x/anlagen") || isUploadPath("/mein/antraege") {
		t.Error("isUploadPath")
	}
	// Without the CSRF token nothing happens.
	if resp, _ := admin.post(draft+"/freigabe", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("release without CSRF token: %d", resp.StatusCode)
	}

	// Nobody else sees the draft.
	annaTok := anna.token("/mein/antraege")
	for _, p := range []string{draft, "/sitzungsdienst"} {
		resp, body := anna.get(p)
		if strings.Contains(body, officeCanary) || (p == draft && resp.StatusCode != http.StatusNotFound) {
			t.Errorf("CONFIDENTIALITY: member GET %s: %d, canary %v", p, resp.StatusCode, strings.Contains(body, officeCanary))
		}
		resp, body = pub.get(p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/anmelden") || strings.Contains(body, officeCanary) {
			t.Errorf("CONFIDENTIALITY: public GET %s: %d → %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, body := anna.post(draft+"/freigabe", url.Values{"csrf": {annaTok}}); resp.StatusCode != http.StatusNotFound || strings.Contains(body, officeCanary) {
		t.Errorf("member releases the draft: %d", resp.StatusCode)
	}

	// Bad IDs and unknown objects: 404.
	for _, p := range []string{"/sitzungsdienst/vorlagen/abc", "/sitzungsdienst/vorlagen/0", "/sitzungsdienst/vorlagen/999999",
		"/sitzungsdienst/sitzungen/999999", "/sitzungsdienst/sitzungen/999999/niederschrift", "/mein/antraege/999999"} {
		if resp, _ := admin.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}

	// A rejected meeting keeps the typed values.
	tok = admin.token("/sitzungsdienst")
	resp, body = admin.post("/sitzungsdienst/sitzungen", url.Values{"csrf": {tok}, "gremium": {"11"}, "bezeichnung": {"Sondersitzung Radwege"},
		"datum": {"2026-13-45"}, "beginn": {"17:00"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Sondersitzung Radwege"`) {
		t.Errorf("meeting with a bad date: %d, name kept %v", resp.StatusCode, strings.Contains(body, `value="Sondersitzung Radwege"`))
	}
	resp, _ = admin.post("/sitzungsdienst/sitzungen", url.Values{"csrf": {tok}, "gremium": {"11"}, "bezeichnung": {"Sondersitzung Radwege"},
		"datum": {"2026-12-01"}, "beginn": {"17:00"}, "form": {ratsnetz.ModeHybrid}, "oeffentlich": {"1"}})
	meeting := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(meeting, "/sitzungsdienst/sitzungen/") {
		t.Fatalf("create meeting: %d → %q", resp.StatusCode, meeting)
	}
	tok = admin.token(meeting)
	resp, _ = admin.post(meeting+"/top", url.Values{"csrf": {tok}, "betreff": {"Personal " + officeCanary}, "teil": {"nichtoeffentlich"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("add item: %d", resp.StatusCode)
	}
	if _, body := admin.get(meeting); !strings.Contains(body, "N 1") {
		t.Errorf("agenda lacks the non-public item")
	}
	public := strings.Replace(meeting, "/sitzungsdienst/sitzungen/", "/sitzungen/", 1)
	if resp, body := pub.get(public); resp.StatusCode != http.StatusOK || strings.Contains(body, officeCanary) {
		t.Errorf("CONFIDENTIALITY: public meeting page: %d, canary %v", resp.StatusCode, strings.Contains(body, officeCanary))
	}
	for _, p := range []string{meeting, meeting + "/niederschrift"} {
		if resp, body := anna.get(p); strings.Contains(body, officeCanary) || resp.StatusCode == http.StatusOK {
			t.Errorf("CONFIDENTIALITY: member GET %s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := admin.post(meeting+"/top/1/zaubern", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown agenda action: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(meeting+"/niederschrift/veroeffentlichen", url.Values{"csrf": {tok}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("publishing unsigned minutes: %d, want 409", resp.StatusCode)
	}

	// A motion: receipt for the member, nothing for the public, the inbox for the office.
	resp, body = anna.post("/mein/antraege", url.Values{"csrf": {annaTok}, "art": {ratsnetz.PaperTypeMotion}, "gremium": {"10"},
		"betreff": {"Antrag " + officeCanary}, "text": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Antrag "+officeCanary) {
		t.Errorf("motion without text: %d, title kept %v", resp.StatusCode, strings.Contains(body, officeCanary))
	}
	resp, _ = anna.post("/mein/antraege", url.Values{"csrf": {annaTok}, "art": {ratsnetz.PaperTypeMotion}, "gremium": {"10"},
		"betreff": {"Antrag " + officeCanary}, "text": {"Der Rat möge beschließen."}})
	motion := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(motion, "/mein/antraege/") {
		t.Fatalf("submit motion: %d → %q", resp.StatusCode, motion)
	}
	if _, body := anna.get(motion); !strings.Contains(body, "Eingangsbestätigung") {
		t.Errorf("no receipt on %s", motion)
	}
	if resp, body := pub.get(motion); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, officeCanary) {
		t.Errorf("CONFIDENTIALITY: public GET %s: %d", motion, resp.StatusCode)
	}
	if _, body := admin.get("/sitzungsdienst/antraege"); !strings.Contains(body, "Antrag "+officeCanary) {
		t.Errorf("the office inbox lacks the motion")
	}
}
