package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/ratsnetz/ratsnetz"
)

// newFeedsEnv is the portal with accounts and the feeds area switched on.
func newFeedsEnv(t *testing.T) (*authEnv, ratsnetz.FeedsService) {
	t.Helper()
	var feeds ratsnetz.FeedsService
	e := newAuthEnv(t, func(cfg *Config, base string) {
		feeds = cfg.Store.(ratsnetz.FeedsService)
		cfg.Feeds = FeedsDeps{Feeds: feeds}
	})
	return e, feeds
}

// parseICS parses a calendar with an independent RFC 5545 parser and
// returns the events' UIDs and the whole text unfolded.
func parseICS(t *testing.T, resp *http.Response, body string) (uids []string, unfolded string) {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("calendar: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parse calendar: %v\n%s", err, body)
	}
	var all strings.Builder
	for _, ev := range cal.Events() {
		uid := ev.Props.Get(goical.PropUID)
		if uid == nil {
			t.Fatal("event without UID")
		}
		if ev.Props.Get(goical.PropDateTimeStamp) == nil {
			t.Errorf("event %s without DTSTAMP", uid.Value)
		}
		if _, err := ev.DateTimeStart(time.UTC); err != nil {
			t.Errorf("event %s: DTSTART: %v", uid.Value, err)
		}
		uids = append(uids, uid.Value)
		for _, ps := range ev.Props {
			for _, p := range ps {
				txt, _ := p.Text()
				all.WriteString(p.Name + ":" + txt + "\n")
			}
		}
	}
	slices.Sort(uids)
	return uids, all.String()
}

func uidsOf(host string, ids ...string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, "sitzung-"+id+"@"+host)
	}
	slices.Sort(out)
	return out
}

// TestPublicCalendars: the public iCal feeds parse, hold the public
// meetings and never anything non-public — also when a board member with a
// session asks (subscription URLs are shared, so they are always public).
func TestPublicCalendars(t *testing.T) {
	e, _ := newFeedsEnv(t)
	host := "127.0.0.1"
	for _, login := range []string{"", memberEmail} {
		b := e.browser(t)
		if login != "" {
			if resp := b.login(login, testPassword); resp.StatusCode != 303 {
				t.Fatalf("login: %d", resp.StatusCode)
			}
		}
		resp, body := b.get("/sitzungen.ics")
		uids, text := parseICS(t, resp, body)
		// Meeting 202 (March) is older than the calendars' 180 days.
		if want := uidsOf(host, "200"); !slices.Equal(uids, want) {
			t.Errorf("%q: /sitzungen.ics events %v, want %v", login, uids, want)
		}
		if strings.Contains(body, testCanary) || strings.Contains(text, testCanary) {
			t.Errorf("%q: canary in the public calendar", login)
		}
		if !strings.Contains(text, "SUMMARY:3. Sitzung des Rates") || !strings.Contains(text, "LOCATION:Rathaus, Ratssaal, Markt 1, 12345 Musterstadt") {
			t.Errorf("meeting details missing:\n%s", text)
		}
		// The non-public agenda item shows only as the placeholder title.
		if !strings.Contains(text, "Ö 1 Neubau des Radwegs Hauptstraße") {
			t.Errorf("agenda missing:\n%s", text)
		}
		resp, body = b.get("/gremien/10/sitzungen.ics")
		if uids, _ := parseICS(t, resp, body); !slices.Equal(uids, uidsOf(host, "200")) {
			t.Errorf("council calendar: %v", uids)
		}
		resp, body = b.get("/gremien/20/sitzungen.ics")
		if uids, _ := parseICS(t, resp, body); len(uids) != 0 || strings.Contains(body, testCanary) {
			t.Errorf("board calendar: %v", uids)
		}
	}
	for path, want := range map[string]int{"/gremien/999/sitzungen.ics": 404, "/gremien/abc/sitzungen.ics": 404} {
		if resp, _ := e.browser(t).get(path); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// Pages announce their feeds.
	if _, body := e.browser(t).get("/sitzungen"); !strings.Contains(body, `<link rel="alternate" type="text/calendar" href="/sitzungen.ics"`) {
		t.Error("/sitzungen has no alternate link to its calendar")
	}
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// TestPapersAtom: the Atom feed is well-formed, has the elements RFC 4287
// requires, and lists only public papers.
func TestPapersAtom(t *testing.T) {
	e, _ := newFeedsEnv(t)
	b := e.browser(t)
	b.login(memberEmail, testPassword) // a member's session changes nothing
	for path, want := range map[string][]string{
		"/vorlagen.atom":            {"/vorlagen/400", "/vorlagen/402"},
		"/vorlagen.atom?gremium=10": {"/vorlagen/400"},
		"/vorlagen.atom?gremium=11": {"/vorlagen/402"},
		"/vorlagen.atom?gremium=14": nil,
		// The public paper 400 is also consulted by the board.
		"/vorlagen.atom?gremium=20": {"/vorlagen/400"},
	} {
		resp, body := b.get(path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if strings.Contains(body, testCanary) {
			t.Errorf("%s: canary in the feed", path)
		}
		var doc atomDoc
		dec := xml.NewDecoder(strings.NewReader(body))
		dec.Strict = true
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: not well-formed: %v", path, err)
		}
		if doc.ID == "" || doc.Title == "" || doc.Author.Name == "" {
			t.Errorf("%s: feed without id/title/author: %+v", path, doc)
		}
		if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
			t.Errorf("%s: updated %q", path, doc.Updated)
		}
		var self bool
		for _, l := range doc.Links {
			self = self || l.Rel == "self" && strings.HasSuffix(l.Href, path)
		}
		if !self {
			t.Errorf("%s: no self link: %+v", path, doc.Links)
		}
		var got []string
		for _, en := range doc.Entries {
			if en.ID == "" || en.Title == "" {
				t.Errorf("%s: entry without id/title: %+v", path, en)
			}
			if _, err := time.Parse(time.RFC3339, en.Updated); err != nil {
				t.Errorf("%s: entry updated %q", path, en.Updated)
			}
			got = append(got, strings.TrimPrefix(en.Link.Href, e.base))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: entries %v, want %v", path, got, want)
		}
	}
	if resp, _ := b.get("/vorlagen.atom?gremium=999"); resp.StatusCode != 400 {
		t.Errorf("unknown body: %d", resp.StatusCode)
	}
}

var calURLRE = regexp.MustCompile(`id="cal-url" type="text" readonly value="([^"]+)"`)

// newCalendar makes a personal calendar URL on /mein and returns its path.
func newCalendar(t *testing.T, b *browser) string {
	t.Helper()
	resp, body := b.post("/mein/kalender", url.Values{"csrf": {b.token("/mein")}})
	m := calURLRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("make calendar: %d\n%s", resp.StatusCode, body)
	}
	return strings.TrimPrefix(m[1], b.e.base)
}

// TestPersonalCalendarMatrix: the personal feed shows each role exactly
// what the store lets that account see; revoking and renewing work.
func TestPersonalCalendarMatrix(t *testing.T) {
	e, feeds := newFeedsEnv(t)
	hash, err := cheap.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(email string, person int64, role ratsnetz.AccountRole) {
		a := &ratsnetz.Account{Email: email, PersonID: person, PasswordHash: hash, Active: true, Created: testNow, Modified: testNow,
			Roles: []ratsnetz.AccountRole{role}}
		if err := e.accounts.CreateAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	mk("stellv@example.org", 102, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder})
	mk("ohne@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder})
	mk("gremienbuero@example.org", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: 2})
	host := "127.0.0.1"
	tests := []struct {
		login  string
		uids   []string
		canary bool // the non-public agenda item of meeting 200 or board meeting 201
	}{
		{memberEmail, uidsOf(host, "200"), true},          // council chair: council meeting with its non-public item
		{"stellv@example.org", uidsOf(host, "200"), true}, // deputy of the council
		{"ohne@example.org", uidsOf(host, "200"), false},
		{"gremienbuero@example.org", uidsOf(host, "200", "201"), true}, // board office: the board meeting
	}
	anon := e.browser(t) // the calendar program: no cookies
	for _, tc := range tests {
		t.Run(tc.login, func(t *testing.T) {
			b := e.browser(t)
			if resp := b.login(tc.login, testPassword); resp.StatusCode != 303 {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			path := newCalendar(t, b)
			resp, body := anon.get(path)
			uids, text := parseICS(t, resp, body)
			if !slices.Equal(uids, tc.uids) {
				t.Errorf("events %v, want %v", uids, tc.uids)
			}
			if got := strings.Contains(text, testCanary); got != tc.canary {
				t.Errorf("canary %v, want %v\n%s", got, tc.canary, text)
			}
			if resp.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("cache control %q", resp.Header.Get("Cache-Control"))
			}
			// Renewing invalidates the old URL; revoking the new one.
			renewed := newCalendar(t, b)
			if resp, _ := anon.get(path); resp.StatusCode != 404 {
				t.Errorf("old URL after renewal: %d", resp.StatusCode)
			}
			if resp, _ := anon.get(renewed); resp.StatusCode != 200 {
				t.Errorf("renewed URL: %d", resp.StatusCode)
			}
			if resp, _ := b.post("/mein/kalender/widerrufen", url.Values{"csrf": {b.token("/mein")}}); resp.StatusCode != 200 {
				t.Errorf("revoke: %d", resp.StatusCode)
			}
			if resp, body := anon.get(renewed); resp.StatusCode != 404 || strings.Contains(body, testCanary) {
				t.Errorf("revoked URL: %d", resp.StatusCode)
			}
		})
	}
	// A deactivated account's URL stops working at once.
	b := e.browser(t)
	b.login(memberEmail, testPassword)
	path := newCalendar(t, b)
	a, err := e.accounts.FindAccountByLogin(context.Background(), memberEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.DeactivateAccount(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := anon.get(path); resp.StatusCode != 404 || strings.Contains(body, testCanary) {
		t.Errorf("deactivated account's calendar: %d", resp.StatusCode)
	}
	for _, p := range []string{"/mein/kalender/falsch.ics", "/mein/kalender/x", "/mein/kalender/.ics"} {
		if resp, _ := anon.get(p); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	_ = feeds
}

// TestMine: the member area lists my meetings and my bodies' papers,
// marks opened papers read, and saves the notification setting.
func TestMine(t *testing.T) {
	e, feeds := newFeedsEnv(t)
	if resp, _ := e.browser(t).get("/mein"); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/anmelden?next=%2Fmein") {
		t.Errorf("public /mein: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b := e.browser(t)
	b.login(memberEmail, testPassword)
	resp, body := b.get("/mein")
	if resp.StatusCode != 200 {
		t.Fatalf("/mein: %d", resp.StatusCode)
	}
	for _, want := range []string{"<h1>Mein Bereich</h1>", `href="/mein/lesen/sitzung/200"`, "3. Sitzung des Rates", "Vorsitz",
		`href="/mein/lesen/vorlage/400"`, `href="/mein/lesen/vorlage/401"`, "2 ungelesen", `href="/mein/zustellung"`,
		`value="taeglich" checked`, "Kalenderadresse erstellen", `<a href="/mein">Mein Bereich</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/mein lacks %q", want)
		}
	}
	if strings.Contains(body, "sitzung/201") || strings.Contains(body, "sitzung/202") {
		t.Error("/mein lists meetings of other or former bodies")
	}
	resp, _ = b.get("/mein/lesen/vorlage/400")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/vorlagen/400" {
		t.Errorf("open: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body = b.get("/mein"); !strings.Contains(body, "1 ungelesen") {
		t.Error("opened paper still unread")
	}
	// Opening the paper page itself marks it read too.
	if resp, _ := b.get("/vorlagen/401"); resp.StatusCode != 200 {
		t.Fatalf("/vorlagen/401: %d", resp.StatusCode)
	}
	if _, body = b.get("/mein"); strings.Contains(body, "ungelesen") {
		t.Error("paper opened on its page still unread")
	}
	for path, want := range map[string]int{"/mein/lesen/vorlage/999": 404, "/mein/lesen/datei/400": 404, "/mein/lesen/vorlage/x": 404} {
		if resp, _ := b.get(path); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// The public cannot mark the non-public paper (it does not exist for them).
	if resp, _ := e.browser(t).get("/mein/lesen/vorlage/401"); resp.StatusCode != 303 {
		t.Errorf("public open: %d", resp.StatusCode)
	}
	tok := b.token("/mein")
	if resp, _ := b.post("/mein/benachrichtigungen", url.Values{"csrf": {tok}, "modus": {"sofort"}}); resp.StatusCode != 200 {
		t.Errorf("save mode: %d", resp.StatusCode)
	}
	a, _ := e.accounts.FindAccountByLogin(context.Background(), memberEmail)
	if s, _ := feeds.FindMemberSettings(context.Background(), a.ID); s.Notify != ratsnetz.NotifyImmediate {
		t.Errorf("mode %q", s.Notify)
	}
	if resp, _ := b.post("/mein/benachrichtigungen", url.Values{"csrf": {tok}, "modus": {"stündlich"}}); resp.StatusCode != 400 {
		t.Errorf("bad mode: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/mein/benachrichtigungen", url.Values{"modus": {"aus"}}); resp.StatusCode != 403 {
		t.Errorf("no csrf: %d", resp.StatusCode)
	}
}

var (
	confirmLinkRE = regexp.MustCompile(`/benachrichtigungen/bestaetigen\?token=([A-Za-z0-9_%-]+)`)
	unsubLinkRE   = regexp.MustCompile(`/benachrichtigungen/abmelden/([A-Za-z0-9_-]+)`)
)

// TestAlertSignup: double opt-in with confirmation link, expiry, and the
// one-click unsubscribe of RFC 8058.
func TestAlertSignup(t *testing.T) {
	e, feeds := newFeedsEnv(t)
	ctx := context.Background()
	b := e.browser(t)
	resp, body := b.get("/benachrichtigungen")
	if resp.StatusCode != 200 || !strings.Contains(body, `<option value="10">Rat der Stadt</option>`) || strings.Contains(body, `value="20"`) {
		t.Fatalf("form: %d\n%s", resp.StatusCode, body)
	}
	// Calendars are offered with webcal: (a browser would only download
	// them) and as an address to copy; Atom as a plain link.
	webcal := "webcal" + strings.TrimPrefix(e.base, "http")
	for _, want := range []string{`href="` + webcal + `/sitzungen.ics"`, `href="` + webcal + `/gremien/10/sitzungen.ics"`,
		"<code>" + e.base + "/gremien/10/sitzungen.ics</code>", `href="/vorlagen.atom?gremium=10"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	tok := b.token("/benachrichtigungen")
	// A rejected form keeps what was entered.
	resp, body = b.post("/benachrichtigungen", url.Values{"csrf": {tok}, "email": {"kein-at"}, "gremium": {"10"}, "stichwort": {"Radweg"}})
	if resp.StatusCode != 400 || !strings.Contains(body, `value="kein-at"`) || !strings.Contains(body, `value="Radweg"`) ||
		!strings.Contains(body, `<option value="10" selected>`) {
		t.Errorf("invalid e-mail: %d", resp.StatusCode)
	}
	for _, bad := range []url.Values{{"email": {"a@example.org"}}, {"email": {"a@example.org"}, "gremium": {"20"}}, {"email": {"a@example.org"}, "gremium": {"x"}}} {
		bad.Set("csrf", tok)
		if resp, _ := b.post("/benachrichtigungen", bad); resp.StatusCode != 400 {
			t.Errorf("%v: %d", bad, resp.StatusCode)
		}
	}
	resp, body = b.post("/benachrichtigungen", url.Values{"csrf": {tok}, "email": {"buerger@example.org"}, "gremium": {"10"}, "stichwort": {""}})
	if resp.StatusCode != 200 || !strings.Contains(body, "buerger@example.org") {
		t.Fatalf("sign up: %d", resp.StatusCode)
	}
	mails, err := feeds.PendingMails(ctx, 10)
	if err != nil || len(mails) != 1 || mails[0].To != "buerger@example.org" {
		t.Fatalf("confirmation mail: %+v %v", mails, err)
	}
	if strings.Contains(mails[0].Text, testCanary) || !strings.Contains(mails[0].Text, "Rat der Stadt") {
		t.Errorf("mail text:\n%s", mails[0].Text)
	}
	cm := confirmLinkRE.FindStringSubmatch(mails[0].Text)
	um := unsubLinkRE.FindStringSubmatch(mails[0].Text)
	if cm == nil || um == nil {
		t.Fatalf("links missing:\n%s", mails[0].Text)
	}
	if active, _ := feeds.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true}); len(active) != 0 {
		t.Error("active before confirmation")
	}
	// Opening the link (as mail scanners do) does not confirm; the button does.
	resp, body = b.get("/benachrichtigungen/bestaetigen?token=" + cm[1])
	if resp.StatusCode != 200 {
		t.Fatalf("confirm page: %d", resp.StatusCode)
	}
	if active, _ := feeds.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true}); len(active) != 0 {
		t.Error("GET confirmed")
	}
	raw, _ := url.QueryUnescape(cm[1])
	tok = csrfField.FindStringSubmatch(body)[1]
	if resp, _ := b.post("/benachrichtigungen/bestaetigen", url.Values{"csrf": {tok}, "token": {"falsch"}}); resp.StatusCode != 404 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/benachrichtigungen/bestaetigen", url.Values{"csrf": {tok}, "token": {raw}}); resp.StatusCode != 200 {
		t.Errorf("confirm: %d", resp.StatusCode)
	}
	active, _ := feeds.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true})
	if len(active) != 1 || active[0].OrganizationID != 10 || active[0].Email != "buerger@example.org" {
		t.Fatalf("active: %+v", active)
	}
	// Unsubscribe page, then the one-click POST a mail program sends: no
	// cookie, no origin, no form token.
	if resp, body := e.browser(t).get("/benachrichtigungen/abmelden/" + um[1]); resp.StatusCode != 200 || !strings.Contains(body, "Abbestellen") {
		t.Errorf("unsubscribe page: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/benachrichtigungen/abmelden/"+um[1], strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("one-click unsubscribe: %d", resp.StatusCode)
	}
	if all, _ := feeds.FindAlerts(ctx, ratsnetz.AlertFilter{}); len(all) != 0 {
		t.Errorf("still subscribed: %+v", all)
	}
	if resp, _ := e.browser(t).get("/benachrichtigungen/abmelden/" + um[1]); resp.StatusCode != 404 {
		t.Errorf("unsubscribe page after unsubscribing: %d", resp.StatusCode)
	}
	// The CSRF exemption is only for that path: other POSTs still need a token.
	req, _ = http.NewRequest(http.MethodPost, e.base+"/benachrichtigungen", strings.NewReader("email=x%40example.org&gremium=10"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err = http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("sign-up without token: %d", resp.StatusCode)
		}
	}
	// An expired confirmation link does not work.
	tok = b.token("/benachrichtigungen")
	b.post("/benachrichtigungen", url.Values{"csrf": {tok}, "email": {"spaet@example.org"}, "stichwort": {"Radweg"}})
	mails, _ = feeds.PendingMails(ctx, 10)
	cm = confirmLinkRE.FindStringSubmatch(mails[len(mails)-1].Text)
	e.advance(49 * time.Hour)
	raw, _ = url.QueryUnescape(cm[1])
	if resp, _ := b.post("/benachrichtigungen/bestaetigen", url.Values{"csrf": {b.token("/benachrichtigungen")}, "token": {raw}}); resp.StatusCode != 404 {
		t.Errorf("expired confirmation: %d", resp.StatusCode)
	}
}

// TestPermissionMatrixFeeds: the iCal and Atom paths over the portal's
// permission matrix. Public feeds never carry the canary, whoever asks;
// a role's personal calendar carries it exactly when the role may see
// council or board material (item 302 in the council meeting's agenda,
// board meeting 201).
func TestPermissionMatrixFeeds(t *testing.T) {
	e := newMatrixEnv(t)
	// The matrix env is built without the feeds area: switch it on before
	// the first request.
	e.web.feeds = FeedsDeps{Feeds: e.web.store.(ratsnetz.FeedsService)}
	e.web.feedsRoutes()
	checkMatrix(t, e, []matrixPath{
		{Path: "/sitzungen.ics"}, {Path: "/gremien/10/sitzungen.ics"}, {Path: "/gremien/20/sitzungen.ics"},
		{Path: "/vorlagen.atom"}, {Path: "/vorlagen.atom?gremium=10"}, {Path: "/vorlagen.atom?gremium=20"},
	})
	anon := e.browser(t)
	runMatrix(t, e, func(t *testing.T, b *browser, r matrixRole) {
		if r.Login == "" {
			if resp, _ := b.get("/mein"); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("public /mein: %d", resp.StatusCode)
			}
			return
		}
		path := newCalendar(t, b)
		resp, body := anon.get(path)
		_, text := parseICS(t, resp, body)
		if got, want := strings.Contains(text, testCanary), r.Council || r.Board; got != want {
			t.Errorf("personal calendar: canary %v, want %v\n%s", got, want, text)
		}
		// /mein lists papers of the person's bodies: staff without a
		// person see none, so only the negative side holds for every role.
		if _, body := b.get("/mein"); strings.Contains(body, testCanary) && !r.Council {
			t.Error("/mein shows council material to a role without the right")
		}
	})
}
