package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/mail/smtptest"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// TestCouncilOfficePath runs the whole path of issue 6 in headless Chromium
// against its own Ratsnetz with the demo (it writes, so it does not share the
// read-only site of the other tests) and a real SMTP server process started
// by the test:
//   - a clerk writes a paper with an attachment (a rejected upload keeps the
//     form) and cannot release it; the council office releases it;
//   - the office plans a committee meeting, pulls the paper in from its
//     Beratungsfolge, adds a non-public item and invites from the browser;
//   - a committee member who chose e-mail (in the browser, reached from /mein)
//     receives the invitation at the SMTP server process, opens the personal
//     link, sees the meeting's documents and their personal Sitzungsmappe
//     (the attachment as its original PDF page, the non-public item); the
//     public packet lacks the non-public item;
//   - a member who chose paper is on the print list; the office marks the
//     packet as posted;
//   - the committee's result moves the paper on to the council's agenda;
//   - chair and recorder sign the minutes, the office publishes them, and the
//     portal and OParl show them;
//   - a member submits a motion and gets a receipt; the office accepts it.
//
// Along the way the public and non-entitled accounts get nothing of drafts,
// submissions, unpublished minutes or the non-public item (mail included).
func TestCouncilOfficePath(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Ratsnetz with the demo, an SMTP server process and several browsers")
	}
	axe := axeSource(t)
	began := time.Now()
	mark := func(what string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), what) }
	mailDir := t.TempDir()
	smtpd := smtptest.Start(t, smtptest.Build(t, t.TempDir()), mailDir, smtptest.Options{})
	m := startSite(t, "office", app.Config{SMTPURL: "smtp://" + smtpd.Addr + "?tls=none", MailFrom: "sitzungsdienst@musterstadt.example"})
	base := m.URL()
	mark("site and SMTP server process started")
	ctx := ratsnetz.SystemContext(context.Background())
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Now().In(loc)
	// Far enough ahead that the Ladungsfrist (7 days by default) is met.
	d1 := now.AddDate(0, 0, 10).Format("2006-01-02")
	d2 := now.AddDate(0, 0, 17).Format("2006-01-02")

	// Accounts the demo lacks: a clerk of a department, the chair of the
	// digital committee.
	depts, _, err := m.DB.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: demo.CityBodyID, OrganizationType: ratsnetz.OrgTypeVerwaltungsbereich, ListOptions: ratsnetz.ListOptions{Limit: 10}})
	if err != nil || len(depts) == 0 {
		t.Fatalf("departments of the demo: %v (%d)", err, len(depts))
	}
	dept := depts[0]
	ms, _, err := m.DB.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: demo.DigitalCommitteeID, ActiveAt: now, ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	var chair int64
	for _, x := range ms {
		if x.Role == ratsnetz.RoleChair {
			chair = x.PersonID
		}
	}
	if chair == 0 {
		t.Fatalf("the digital committee has no chair today")
	}
	// Another member of the committee chose paper (set in the store: the
	// demo gives them no login).
	var paperPerson *ratsnetz.Person
	for _, x := range ms {
		if x.PersonID != chair {
			if paperPerson, err = m.DB.FindPersonByID(ctx, x.PersonID); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if paperPerson == nil {
		t.Fatal("the digital committee has no second member")
	}
	if err := m.DB.SaveDeliveryPrefs(ctx, &ratsnetz.DeliveryPrefs{PersonID: paperPerson.ID, Channel: ratsnetz.ChannelPost,
		PostalAddress: paperPerson.Name + "\nAm Papierweg 7\n12345 Musterstadt"}); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hasher{}.Hash(demo.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*ratsnetz.Account{
		{Email: "sachbearbeitung@musterstadt.example", DisplayName: "Sachbearbeiterin", PasswordHash: hash, Active: true,
			Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindClerk, OrganizationID: dept.ID}}},
		{Email: "vorsitz@musterstadt.example", DisplayName: "Ausschussvorsitz", PersonID: chair, PasswordHash: hash, Active: true,
			Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}},
	} {
		if err := m.DB.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}

	// Each user in a browser of their own (own cookies).
	clerk := loginAs(t, base, "sachbearbeitung@musterstadt.example", false)
	office := loginAs(t, base, "sitzungsdienst@musterstadt.example", true)
	member := loginAs(t, base, "ratsmitglied@musterstadt.example", false)
	anon := &session{t: t, ctx: userTab(t), base: base}

	mark("logged in")
	// 1. The clerk writes a paper; a confidential second draft carries the canary.
	title := "Digitale Schulwegkarte " + now.Format("150405")
	clerk.openStatus("/sitzungsdienst/vorlagen/neu", 200)
	clerk.fill("#betreff", title)
	clerk.fill("#amt", fmt.Sprint(dept.ID))
	clerk.fill("#beschlussvorschlag", "Der Rat beschließt die digitale Schulwegkarte.")
	clerk.fill("#bg0", fmt.Sprint(demo.DigitalCommitteeID))
	clerk.fill("#bd0", d1)
	clerk.fill("#br0", ratsnetz.ConsultationPreliminary)
	clerk.fill("#bg1", fmt.Sprint(demo.CouncilID))
	clerk.fill("#bd1", d2)
	clerk.fill("#br1", ratsnetz.ConsultationDecision)
	clerk.submit(`form.account-form button[type="submit"]`)
	draftPath := clerk.location()
	if !regexp.MustCompile(`^/sitzungsdienst/vorlagen/\d+\?ok=`).MatchString(draftPath) {
		t.Fatalf("after creating the draft at %s:\n%s", draftPath, clerk.text("main"))
	}
	draftPath = strings.SplitN(draftPath, "?", 2)[0]

	// A rejected upload (an executable) keeps the typed name; a PDF goes in.
	dir := t.TempDir()
	bad := filepath.Join(dir, "tool.exe")
	os.WriteFile(bad, append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 600)...), 0o644)
	clerk.officeUpload(bad, "Mein Werkzeug")
	clerk.wantText("#upload-error", "Dateityp")
	if v := clerk.value("#bezeichnung"); v != "Mein Werkzeug" {
		t.Errorf("after a rejected upload the name field holds %q", v)
	}
	good := filepath.Join(dir, "karte.pdf")
	var buf bytes.Buffer
	if err := pdf.Render(pdf.Document{Title: "Schulwegkarte", Blocks: []pdf.Block{pdf.Paragraph{Text: "Karte der Schulwege."}}}, &buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(good, buf.Bytes(), 0o644)
	clerk.openStatus(draftPath, 200)
	clerk.officeUpload(good, "Schulwegkarte")
	clerk.wantText("main", "Schulwegkarte (karte.pdf")
	clerk.axe(axe)
	// The clerk may not release.
	clerk.submit(`form[action="` + draftPath + `/freigabe"] button`)
	clerk.wantText("main", "Freigeben darf nur der Sitzungsdienst")

	clerk.openStatus("/sitzungsdienst/vorlagen/neu", 200)
	clerk.fill("#betreff", "Personalangelegenheit "+demo.Canary)
	clerk.fill("#amt", fmt.Sprint(dept.ID))
	clerk.submit(`form.account-form button[type="submit"]`)
	secretDraft := strings.SplitN(clerk.location(), "?", 2)[0]

	// Nobody outside the office sees drafts.
	for _, p := range []string{draftPath, secretDraft} {
		anon.openStatus(p, 200) // the login page
		if !strings.HasPrefix(anon.location(), "/anmelden") || strings.Contains(anon.text("html"), demo.Canary) {
			t.Errorf("CONFIDENTIALITY: the public at %s got %s", p, anon.location())
		}
		member.openStatus(p, 404)
		if strings.Contains(member.text("html"), demo.Canary) {
			t.Errorf("CONFIDENTIALITY: a council member sees draft %s", p)
		}
	}
	member.openStatus("/sitzungsdienst", 200)
	if strings.Contains(member.text("main"), "Personalangelegenheit") {
		t.Errorf("CONFIDENTIALITY: a council member's office page lists a draft")
	}

	mark("draft written")
	// 2. The office releases the paper.
	office.openStatus(draftPath, 200)
	office.submit(`form[action="` + draftPath + `/freigabe"] button`)
	office.wantText("main", "freigegeben")
	paperPath := office.attr(`main a[href^="/vorlagen/"]`, "href")
	if paperPath == "" {
		t.Fatalf("no link to the released paper:\n%s", office.text("main"))
	}
	anon.openStatus(paperPath, 200)
	anon.wantText("main", title, "Schulwegkarte")

	mark("released")
	// 3. A committee meeting; the paper comes in from its Beratungsfolge.
	committeePath := office.officeCreateMeeting(demo.DigitalCommitteeID, d1, "Sitzung des Digitalausschusses")
	office.openStatus(committeePath, 200)
	office.wantText("main", title)
	office.submit(`main table.list form[action^="` + committeePath + `/beratung/"] button`)
	office.submit(`form[action="` + committeePath + `/standard"] button`)
	office.wantText("main", "Ö 1", "Eröffnung", title, "Anfragen")
	office.fill("#top-betreff", "Grundstücksangelegenheit "+demo.Canary)
	office.fill("#top-teil", "nichtoeffentlich")
	office.submit(`form[action="` + committeePath + `/top"] button`)
	office.wantText("main", "N 1", "Grundstücksangelegenheit")
	office.axe(axe)
	anon.openStatus(strings.Replace(committeePath, "/sitzungsdienst/sitzungen/", "/sitzungen/", 1), 200)
	anon.wantText("main", title)
	if strings.Contains(anon.text("html"), demo.Canary) {
		t.Errorf("CONFIDENTIALITY: the public meeting page shows the non-public item")
	}
	councilPath := office.officeCreateMeeting(demo.CouncilID, d2, "Sitzung des Rates")
	office.openStatus(councilPath, 200)
	if strings.Contains(office.text("main"), title) {
		t.Errorf("the council's planning offers the paper before the committee's result")
	}

	mark("agenda built")
	// 4. The chair of the committee chooses e-mail (from /mein); the office
	// invites; the mail arrives at the SMTP server process.
	chairS := loginAs(t, base, "vorsitz@musterstadt.example", false)
	chairS.openStatus("/mein", 200)
	chairS.submit(`main a[href="/mein/zustellung"]`)
	chairS.wantText("h1", "Zustellung")
	clickJS(t, chairS, `#weg-email`)
	chairS.fill("#email", "vorsitz.privat@example.org")
	clickJS(t, chairS, `#einwilligung`)
	slowSubmit(t, chairS, `form.account-form button[type="submit"]`)
	chairS.wantText("main", "Ihr Zustellweg ist gespeichert.")

	office.openStatus(committeePath, 200)
	slowSubmit(t, office, `main a[href="`+committeePath+`/einladung"]`)
	office.wantText("main", "Ladungsfrist", "eingehalten", "per E-Mail", paperPerson.Name)
	slowSubmit(t, office, `main form[action="`+committeePath+`/einladung"] button[type="submit"]`)
	office.wantText("main", "Die Einladung ist gespeichert")
	office.axe(axe)
	raw := waitForSMTP(t, mailDir, "vorsitz.privat@example.org")
	if strings.Contains(raw.text+raw.html+raw.subject, demo.Canary) || strings.Contains(raw.text+raw.html, "Grundstücksangelegenheit") {
		t.Fatalf("CONFIDENTIALITY: the invitation mail carries non-public content:\n%s", raw.text)
	}
	if !strings.Contains(raw.text, title) {
		t.Errorf("the invitation mail does not list the public item %q:\n%s", title, raw.text)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/mein/empfang/[A-Za-z0-9_-]+`).FindString(raw.text)
	if link == "" || !strings.Contains(raw.html, link) || raw.messageID == "" {
		t.Fatalf("mail without personal link or Message-ID:\n%s", raw.text)
	}
	mark("invited, mail received")

	// The member opens the link: receipt confirmed, then the documents.
	meetingPath := strings.Replace(committeePath, "/sitzungsdienst/sitzungen/", "/sitzungen/", 1)
	id := strings.TrimPrefix(meetingPath, "/sitzungen/")
	chairS.openStatus(strings.TrimPrefix(link, base), 200)
	chairS.wantText("main", "Empfang", "bestätigt")
	slowSubmit(t, chairS, `main a[href="`+meetingPath+`"]`)
	chairS.wantText("main", title, "Grundstücksangelegenheit", "Nichtöffentlicher Teil")
	if !chairS.has(`main a[href="` + meetingPath + `/mappe.pdf"]`) {
		t.Errorf("the meeting page has no link to its Sitzungsmappe")
	}
	packet := officePDFToText(t, chairS.fetchBytes("/mein/sitzungen/"+id+"/mappe.pdf"))
	wants := []string{title, "Grundstücksangelegenheit", "Persönliches Exemplar"}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		wants = append(wants, "Karte der Schulwege.") // the attachment's original page
	}
	for _, want := range wants {
		if !strings.Contains(packet, want) {
			t.Errorf("the member's Sitzungsmappe lacks %q:\n%s", want, packet)
		}
	}
	public := officePDFToText(t, officeHTTPGet(t, base+meetingPath+"/mappe.pdf"))
	if !strings.Contains(public, title) || strings.Contains(public, "Grundstücksangelegenheit") || strings.Contains(public, demo.Canary) {
		t.Errorf("CONFIDENTIALITY or content: the public Sitzungsmappe:\n%s", public)
	}

	// The office sees when it was sent and opened; the paper member is on
	// the print list and their packet is marked as posted.
	office.openStatus(committeePath+"/einladung", 200)
	if txt := office.text("main"); !regexp.MustCompile(`vorsitz\.privat@example\.org\s+\S+ \d\d\.\d\d\.\d{4}, \d\d:\d\d`).MatchString(txt) {
		t.Errorf("no sent time for the e-mail recipient:\n%s", txt)
	}
	office.openStatus(committeePath+"/druckliste", 200)
	office.wantText("main", paperPerson.Name, "Am Papierweg 7")
	slowSubmit(t, office, `main form button[type="submit"]`)
	office.wantText("main", "Als versendet vermerkt", "versendet")
	chairAcc, err := m.DB.FindAccountByLogin(context.Background(), "vorsitz@musterstadt.example")
	if err != nil {
		t.Fatal(err)
	}
	meetingID, _ := strconv.ParseInt(id, 10, 64)
	rs, err := m.DB.FindRecipients(ctx, ratsnetz.RecipientFilter{MeetingID: meetingID, PersonID: chairAcc.PersonID})
	if err != nil || len(rs) != 1 || rs[0].Sent.IsZero() || rs[0].Opened.IsZero() {
		t.Errorf("proof of receipt: %+v, %v", rs, err)
	}
	mark("receipt and print list")

	// 5. The committee's result; the paper moves on to the council's agenda.
	minutes := committeePath + "/niederschrift"
	member.openStatus(minutes, 404)
	office.openStatus(minutes, 200)
	office.fill(fmt.Sprintf("#st-%d", chair), ratsnetz.AttendancePresent)
	office.submit(`form[action="` + minutes + `/anwesenheit"] button`)
	office.axe(axe)
	itemForm := office.attr(`form[action*="/niederschrift/top/"]:has(option[value="`+ratsnetz.ResultRecommended+`"])`, "action")
	for _, sec := range office.officeSections(title) {
		itemForm = sec
	}
	office.officeFillIn(itemForm, "select[name=ergebnis]", ratsnetz.ResultRecommended)
	office.officeFillIn(itemForm, "textarea[name=beschluss]", "Der Ausschuss empfiehlt die Schulwegkarte.")
	office.officeFillIn(itemForm, "input[name=ja]", "9")
	office.submit(`form[action="` + itemForm + `"] button`)
	office.openStatus(councilPath, 200)
	office.wantText("main", title)
	office.submit(`main table.list form[action^="` + councilPath + `/beratung/"] button`)
	anon.openStatus(strings.Replace(councilPath, "/sitzungsdienst/sitzungen/", "/sitzungen/", 1), 200)
	anon.wantText("main", title)

	mark("result recorded")
	// 6. Sign-off and publication.
	office.openStatus(minutes, 200)
	office.submit(`form[action="` + minutes + `/unterschrift"] input[value=recorder] ~ button`)
	chairS.openStatus(minutes, 200)
	chairS.submit(`form[action="` + minutes + `/unterschrift"] input[value=chair] ~ button`)
	chairS.wantText("main", "unterschrieben von")
	office.openStatus(minutes, 200)
	office.submit(`form[action="` + minutes + `/veroeffentlichen"] button`)
	if office.location() != meetingPath {
		t.Fatalf("after publishing at %s:\n%s", office.location(), office.text("main"))
	}
	var meeting struct {
		ResultsProtocol struct{ AccessURL, DownloadURL string } `json:"resultsProtocol"`
		MeetingState    string                                  `json:"meetingState"`
	}
	officeGetJSON(t, base+"/oparl/v1.1/meeting/"+id, &meeting)
	if meeting.ResultsProtocol.AccessURL == "" || meeting.MeetingState != ratsnetz.MeetingStateHeld {
		t.Fatalf("OParl meeting after publication: %+v", meeting)
	}
	text := officePDFText(t, officeHTTPGet(t, meeting.ResultsProtocol.AccessURL))
	for _, want := range []string{title, "empfohlen", "Der Ausschuss empfiehlt"} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("published minutes lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, demo.Canary) {
		t.Errorf("CONFIDENTIALITY: the published minutes carry non-public content")
	}
	anon.openStatus(meetingPath, 200)
	if !anon.has(`main a[href^="/dateien/"]`) {
		t.Errorf("the portal's meeting page has no link to the minutes")
	}

	mark("published")
	// 7. A motion with receipt; other accounts do not see it; the office accepts it.
	member.openStatus("/mein/antraege", 200)
	member.axe(axe)
	member.fill("#gremium", fmt.Sprint(demo.CouncilID))
	member.fill("#betreff", "Freies WLAN im Rathaus "+demo.Canary)
	member.fill("#text", "Der Rat möge beschließen, im Rathaus freies WLAN anzubieten.")
	member.submit(`form[action="/mein/antraege"] button`)
	member.wantText("main", "Eingangsbestätigung", "eingegangen")
	motionPath := member.location()
	chairS.openStatus(motionPath, 404)
	anon.openStatus(motionPath, 200)
	if !strings.HasPrefix(anon.location(), "/anmelden") {
		t.Errorf("CONFIDENTIALITY: the public reached %s", motionPath)
	}
	office.openStatus("/sitzungsdienst", 200)
	office.axe(axe)
	office.openStatus("/sitzungsdienst/antraege", 200)
	office.wantText("main", "Freies WLAN im Rathaus")
	office.axe(axe)
	office.submit(`form[action$="/annehmen"] button`)
	office.wantText("main", "als Vorlage aufgenommen")
	member.openStatus(motionPath, 200)
	member.wantText("main", "angenommen")
}

// officeCreateMeeting creates a meeting at 17:00 on day and returns its office path.
func (s *session) officeCreateMeeting(org int64, day, name string) string {
	s.t.Helper()
	s.openStatus("/sitzungsdienst", 200)
	s.fill("#m-g", fmt.Sprint(org))
	s.fill("#m-b", name)
	s.fill("#m-d", day)
	s.fill("#m-s", "17:00")
	s.submit(`form[action="/sitzungsdienst/sitzungen"] button`)
	loc := s.location()
	if !regexp.MustCompile(`^/sitzungsdienst/sitzungen/\d+$`).MatchString(loc) {
		s.t.Fatalf("after creating the meeting at %s:\n%s", loc, s.text("main"))
	}
	return loc
}

// officeUpload sends file through the draft's upload form.
func (s *session) officeUpload(file, name string) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.SetUploadFiles(chromedp.CSS("#datei"), []string{file})); err != nil {
		s.t.Fatalf("choose %s: %v", file, err)
	}
	cancel()
	s.fill("#bezeichnung", name)
	s.submit(`form[enctype="multipart/form-data"] button`)
}

// officeSections returns the actions of the result forms in sections whose
// heading contains text.
func (s *session) officeSections(text string) []string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("section")].filter(x => (x.querySelector("h3")||{}).innerText.includes(`+jsString(text)+`)).map(x => x.querySelector("form").getAttribute("action"))`))
	if err != nil {
		s.t.Fatalf("find sections with %q: %v", text, err)
	}
	return v
}

func (s *session) officeFillIn(formAction, sel, value string) {
	s.t.Helper()
	s.fill(`form[action="`+formAction+`"] `+sel, value)
}

func officeHTTPGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}

func officeGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal(officeHTTPGet(t, url), v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}

func officePDFText(t *testing.T, data []byte) string {
	t.Helper()
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatalf("read PDF: %v", err)
	}
	return text
}

// officePDFToText returns a PDF's text through poppler's pdftotext (which
// also reads the original attachment pages, drawn as form XObjects); without
// poppler it falls back to the package's own extractor, which sees only the
// text Ratsnetz typeset itself.
func officePDFToText(t *testing.T, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Logf("pdftotext missing (make deps installs poppler-utils): original attachment pages not checked")
		return strings.Join(strings.Fields(officePDFText(t, data)), " ")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

type receivedMail struct {
	messageID, subject, text, html string
}

// waitForSMTP polls the SMTP server's directory for a mail to addr and
// decodes its parts.
func waitForSMTP(t *testing.T, dir, addr string) receivedMail {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		got, err := smtptest.Received(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got {
			if m.To != addr {
				continue
			}
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
			if err != nil {
				t.Fatal(err)
			}
			out := receivedMail{messageID: m.MessageID, subject: m.Subject}
			_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(quotedprintable.NewReader(p))
				if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
					out.html = string(b)
				} else {
					out.text = string(b)
				}
			}
			return out
		}
		time.Sleep(100 * time.Millisecond) // polling a directory: nothing to wait on
	}
	t.Fatalf("no mail to %s at the SMTP server", addr)
	return receivedMail{}
}
