package web

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// officeEmptyEN are the office keys whose English text is empty on purpose:
// the German sentence has a word after the link that English does not need.
var officeEmptyEN = map[string]bool{"office.draft.released4": true}

// TestOfficeMessages: every office message exists in German and English
// with the same arguments, collides with no other area's key, and the
// office templates hold no user-facing text outside the catalogue.
func TestOfficeMessages(t *testing.T) {
	de, en := officeMessages()
	checkAreaMessages(t, de, en, officeEmptyEN, "office")
	names, err := fsGlob("office_*.html")
	if err != nil || len(names) < 7 {
		t.Fatalf("office templates: %v (%d)", err, len(names))
	}
	checkTemplateTexts(t, names, 150)
}

// officeGerman are the German office messages an English page must not
// show: those that differ from their English text and are long enough not
// to occur in the (German) data of the fixture by chance. Words that are
// data as well are left out: the draft state ratsnetz.DraftReleased and
// "Fraktion", part of the factions' names.
func officeGerman() []string {
	de, en := officeMessages()
	data := map[string]bool{ratsnetz.DraftReleased: true, "Fraktion": true}
	var out []string
	for k, v := range de {
		if v == en[k] || utf8.RuneCountInString(v) < 8 || data[v] {
			continue
		}
		if i := strings.Index(v, "%"); i >= 0 {
			v = v[:i] // the constant part before an argument
		}
		if utf8.RuneCountInString(strings.TrimSpace(v)) >= 8 {
			out = append(out, strings.TrimSpace(v))
		}
	}
	sort.Strings(out)
	return out
}

// containsWord reports whether s holds w not as a part of a longer word
// ("Änderung" is not in "Änderungsvorlage", a paper type from the data).
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j+len(w):])
		if !unicode.IsLetter(before) && !unicode.IsLetter(after) {
			return true
		}
		i = j + 1
	}
}

// TestOfficeInEnglish renders every page of the council office and the
// members' motions in English — lists, forms, a released draft, the
// notices after a redirect and the messages of rejected input — and finds
// none of the office's German texts; the same pages stay German by default.
func TestOfficeInEnglish(t *testing.T) {
	german := officeGerman()
	if len(german) < 100 {
		t.Fatalf("only %d German office texts to look for", len(german))
	}
	e := newOfficeEnv(t)
	admin := e.browser(t)
	admin.adminLogin()
	anna := e.browser(t)
	if resp := anna.login(memberEmail, testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("member login: %d", resp.StatusCode)
	}
	pages := 0
	check := func(what string, body string, wants ...string) {
		t.Helper()
		pages++
		main := body
		if i := strings.Index(body, "<main"); i >= 0 {
			main = body[i:]
		}
		for _, g := range german {
			if containsWord(main, g) {
				t.Errorf("%s: German text %q on the English page", what, g)
			}
		}
		for _, w := range wants {
			if !strings.Contains(main, w) {
				t.Errorf("%s: lacks %q", what, w)
			}
		}
		if strings.Contains(main, "office.") {
			t.Errorf("%s: a message key is shown: %s", what, regexp.MustCompile(`office\.[a-zA-Z.]+`).FindString(main))
		}
	}
	get := func(b *browser, path string, want int, wants ...string) string {
		t.Helper()
		resp, body := b.get(path)
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		check("GET "+path, body, wants...)
		return body
	}
	post := func(b *browser, path string, form url.Values, want int, wants ...string) *http.Response {
		t.Helper()
		resp, body := b.post(path, form)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, want, body)
		}
		if want != http.StatusSeeOther {
			check("POST "+path, body, wants...)
		}
		return resp
	}

	// German by default: the office's home page.
	if _, body := admin.get("/sitzungsdienst"); !strings.Contains(body, "Neue Vorlage schreiben") || !strings.Contains(body, "Sitzungsserie anlegen") {
		t.Errorf("the German office page lacks its German texts")
	}
	get(admin, "/sitzungsdienst?lang=en&ok=schema", http.StatusOK, "Council office", "Write a new paper", "Create a series of meetings",
		"The numbering scheme is saved.", "in person", "Reference numbers of papers")
	get(admin, "/sitzungsdienst/vorlagen/neu", http.StatusOK, "New draft paper", "Order of consultations", "Committee, step 1", "Create the draft")

	// Drafts: rejected input, versions, upload errors, the released draft.
	tok := admin.token("/sitzungsdienst/vorlagen/neu")
	post(admin, "/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {"Radweg Lindenallee"}, "art": {ratsnetz.PaperTypeResolution},
		"beratung_gremium_0": {"11"}, "beratung_datum_0": {"2026-02-30"}, "beratung_rolle_0": {ratsnetz.ConsultationDecision}},
		http.StatusBadRequest, "The date of a consultation is invalid.")
	post(admin, "/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {"Radweg Lindenallee"}, "hauptvorlage": {"x"}},
		http.StatusBadRequest, "The parent paper is given by its number.")
	resp := post(admin, "/sitzungsdienst/vorlagen", url.Values{"csrf": {tok}, "betreff": {"Radweg Lindenallee"}, "art": {ratsnetz.PaperTypeResolution},
		"oeffentlich": {"1"}, "beschlussvorschlag": {"Der Rat beschließt den Radweg."},
		"beratung_gremium_0": {"11"}, "beratung_datum_0": {"2026-12-01"}, "beratung_rolle_0": {ratsnetz.ConsultationDecision}}, http.StatusSeeOther)
	m := draftLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create draft → %q", resp.Header.Get("Location"))
	}
	draft := "/sitzungsdienst/vorlagen/" + m[1]
	tok = admin.token(draft)
	post(admin, draft, url.Values{"csrf": {tok}, "version": {"1"}, "betreff": {"Radweg Lindenallee"}, "art": {ratsnetz.PaperTypeResolution},
		"oeffentlich": {"1"}, "beschlussvorschlag": {"Der Rat beschließt den Radweg neu."},
		"beratung_gremium_0": {"11"}, "beratung_datum_0": {"2026-12-01"}, "beratung_rolle_0": {ratsnetz.ConsultationDecision}}, http.StatusSeeOther)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{{"tool.exe", append([]byte("MZ\x90\x00"), make([]byte, 600)...), "This type of file is not allowed."},
		{"leer.pdf", nil, "The file is empty."}} {
		resp, body := admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Plan"}}, c.name, c.data)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("upload %s: %d", c.name, resp.StatusCode)
		}
		check("upload "+c.name, body, c.want)
	}
	if resp, _ := admin.upload(draft+"/anlagen", url.Values{"csrf": {tok}, "bezeichnung": {"Lageplan"}}, "lageplan.pdf", []byte("%PDF-1.4\n1 0 obj\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("PDF upload: %d", resp.StatusCode)
	}
	get(admin, draft+"?ok=gespeichert", http.StatusOK, "Draft paper: Radweg Lindenallee", "Saved.", "Attachments", "Remove", "Release the paper",
		"changed: Proposed resolution", "created", "Saved versions")
	post(admin, draft+"/freigabe", url.Values{"csrf": {tok}}, http.StatusSeeOther)
	get(admin, draft+"?ok=freigegeben", http.StatusOK, "The paper is released.", "This draft is", "and published as paper", "It can no longer be changed.")

	// Meetings: rejected input, agenda, minutes.
	tok = admin.token("/sitzungsdienst")
	post(admin, "/sitzungsdienst/sitzungen", url.Values{"csrf": {tok}, "gremium": {"11"}, "datum": {"2026-13-45"}, "beginn": {"17:00"}},
		http.StatusBadRequest, "The date or the time is invalid.")
	post(admin, "/sitzungsdienst/sitzungen/serie", url.Values{"csrf": {tok}, "gremium": {"11"}, "datum": {"2026-12-01"}, "beginn": {"17:00"}, "anzahl": {"viele"}},
		http.StatusBadRequest, "Number of meetings, weeks apart and nth weekday are numbers.")
	resp = post(admin, "/sitzungsdienst/sitzungen", url.Values{"csrf": {tok}, "gremium": {"11"}, "bezeichnung": {"Sondersitzung Radwege"},
		"datum": {"2026-12-01"}, "beginn": {"17:00"}, "form": {ratsnetz.ModeHybrid}}, http.StatusSeeOther)
	meeting := resp.Header.Get("Location")
	if !strings.HasPrefix(meeting, "/sitzungsdienst/sitzungen/") {
		t.Fatalf("create meeting → %q", meeting)
	}
	tok = admin.token(meeting)
	post(admin, meeting+"/top", url.Values{"csrf": {tok}, "betreff": {"Bericht der Verwaltung"}, "dringlich": {"1"}}, http.StatusSeeOther)
	get(admin, meeting+"?ok=1", http.StatusOK, "Agenda: Sondersitzung Radwege", "non-public meeting", "Move up", "(Urgent)", "Add the standard items", "Sub-item")
	get(admin, meeting+"/niederschrift?ok=1", http.StatusOK, "Minutes: Sondersitzung Radwege", "Signatures and publication", "pending",
		"Sign as chair", "Save the attendance", "Save the result")
	post(admin, meeting+"/niederschrift/anwesenheit", url.Values{"csrf": {tok}, "person": {"x"}}, http.StatusBadRequest, "Invalid person.")
	_, body := admin.get(meeting)
	item := regexp.MustCompile(`id="top-(\d+)"`).FindStringSubmatch(body)
	if item == nil {
		t.Fatal("no agenda item on the meeting page")
	}
	post(admin, meeting+"/niederschrift/top/"+item[1], url.Values{"csrf": {tok}, "ja": {"-1"}}, http.StatusBadRequest,
		"Vote counts are whole numbers from 0 to 10,000.")
	post(admin, meeting+"/niederschrift/veroeffentlichen", url.Values{"csrf": {tok}}, http.StatusConflict,
		"The chair and the recorder sign before the minutes are published.")

	// Motions: the member's pages and the office's inbox.
	get(anna, "/mein/antraege?lang=en", http.StatusOK, "My motions and questions", "in my own name")
	annaTok := anna.token("/mein/antraege")
	resp = post(anna, "/mein/antraege", url.Values{"csrf": {annaTok}, "art": {ratsnetz.PaperTypeMotion}, "gremium": {"10"},
		"betreff": {"Mehr Bänke im Stadtpark"}, "text": {"Der Rat möge beschließen."}}, http.StatusSeeOther)
	motion := resp.Header.Get("Location")
	get(anna, motion, http.StatusOK, "Receipt:", "received by the council office on")
	get(admin, "/sitzungsdienst/antraege?ok=angenommen", http.StatusOK, "Incoming motions and questions", "The motion is accepted as a paper.",
		"Accept as a paper", "Reject")
	tok = admin.token("/sitzungsdienst/antraege")
	post(admin, "/sitzungsdienst/antraege/"+strings.TrimPrefix(motion, "/mein/antraege/")+"/annehmen", url.Values{"csrf": {tok}, "datum": {"2026-02-30"}},
		http.StatusBadRequest, "The date of the consultation is invalid.")
	if pages < 19 {
		t.Errorf("only %d pages checked", pages)
	}
}
