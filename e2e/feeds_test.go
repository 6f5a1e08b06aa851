package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
)

// TestMemberArea: a council member logs in with the password, reaches
// "Mein Bereich" from the header, opens an unread paper (it becomes read),
// saves the notification setting, makes a personal calendar URL that a
// calendar program (no cookies) can read and that parses as RFC 5545,
// and revokes it.
func TestMemberArea(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	s := &session{t: t, ctx: newTab(t, browserCtx, 3*time.Minute), base: fx.Base}

	s.openStatus("/anmelden", 200)
	s.fill("#login", "ratsmitglied@musterstadt.example")
	s.fill("#passwort", demo.DemoPassword)
	if resp := s.submit(`form.account-form button[type="submit"]`); resp.Status != 200 || strings.HasPrefix(s.location(), "/anmelden") {
		t.Fatalf("login ended at %s (%d):\n%s", s.location(), resp.Status, s.text("main"))
	}
	s.submit(`header a[href="/mein"]`)
	if loc := s.location(); loc != "/mein" {
		t.Fatalf("the header link led to %s", loc)
	}
	s.wantText("h1", "Mein Bereich")
	checkAxe(t, s.ctx, axeSource(t), "/mein")
	s.wantText("main", "Meine nächsten Sitzungen", "Neue und geänderte Unterlagen meiner Gremien", "Benachrichtigungen", "Persönlicher Kalender")

	// Open the first unread paper; afterwards it is no longer unread.
	unread := func() int {
		m := regexp.MustCompile(`(\d+) ungelesen`).FindStringSubmatch(s.text("#unterlagen"))
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := unread()
	if before == 0 {
		t.Fatalf("no unread papers for the demo member:\n%s", s.text("main"))
	}
	// The opened paper's own row is checked, not the count: tests running in
	// parallel on the same site (the office path) add papers to the
	// member's bodies meanwhile.
	link := s.attr(`tr.unread a[href^="/mein/lesen/vorlage/"]`, "href")
	s.submit(`tr.unread a[href="` + link + `"]`)
	if loc := s.location(); loc != "/vorlagen/"+strings.TrimPrefix(link, "/mein/lesen/vorlage/") {
		t.Fatalf("opening %s led to %s", link, loc)
	}
	s.openStatus("/mein", 200)
	if s.has(`tr.unread a[href="` + link + `"]`) {
		t.Errorf("%s is still unread after opening it (unread before: %d, now: %d)", link, before, unread())
	}
	if !s.has(`a[href="` + link + `"]`) {
		t.Errorf("%s left the list after opening it", link)
	}

	// Notification setting.
	ctx, cancel := s.step()
	_, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`input[name="modus"][value="sofort"]`)))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	s.submit(`form[action="/mein/benachrichtigungen"] button[type="submit"]`)
	s.wantText("main", "Ihre Benachrichtigungseinstellung wurde gespeichert.")
	if !s.has(`input[name="modus"][value="sofort"][checked]`) {
		t.Error("saved setting not shown")
	}

	// Personal calendar: make, read without cookies, revoke.
	s.submit(`form[action="/mein/kalender"] button[type="submit"]`)
	ctx, cancel = s.step()
	calURL, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#cal-url")))
	cancel()
	if err != nil || !strings.HasPrefix(calURL, fx.Base+"/mein/kalender/") {
		t.Fatalf("calendar URL %q: %v", calURL, err)
	}
	resp, body := httpGet(t, calURL)
	if resp.StatusCode != 200 {
		t.Fatalf("personal calendar: %d", resp.StatusCode)
	}
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("personal calendar does not parse: %v", err)
	}
	if len(cal.Events()) == 0 {
		t.Error("the demo member's calendar has no meetings")
	}
	s.submit(`form[action="/mein/kalender/widerrufen"] button[type="submit"]`)
	s.wantText("main", "widerrufen")
	if resp, body := httpGet(t, calURL); resp.StatusCode != 404 || strings.Contains(body, fx.Canary) {
		t.Errorf("revoked calendar: %d", resp.StatusCode)
	}
	// The public calendar never has the canary.
	if _, body := httpGet(t, fx.Base+"/sitzungen.ics"); strings.Contains(body, fx.Canary) || !strings.HasPrefix(body, "BEGIN:VCALENDAR") {
		t.Error("public calendar: canary or not a calendar")
	}
}

// TestCitizenAlert: a citizen orders an e-mail alert for a body in the
// browser, receives the confirmation mail (written by the alerts worker to
// the outbox), confirms with the button behind the link, and unsubscribes
// with the link every mail carries.
func TestCitizenAlert(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)
	s := &session{t: t, ctx: b.ctx, base: fx.Base}
	email := "buerger-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.org"

	s.openStatus("/", 200)
	s.submit(`footer a[href="/benachrichtigungen"]`)
	s.wantText("h1", "E-Mail-Benachrichtigungen")
	checkAxe(t, s.ctx, axeSource(t), "/benachrichtigungen")
	s.fill("#alert-email", email)
	ctx, cancel := s.step()
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#alert-org option:nth-child(2)`), "value"))
	cancel()
	orgValue := res.Value
	if err != nil || orgValue == "" {
		t.Fatalf("body choice: %q %v", orgValue, err)
	}
	s.fill("#alert-org", orgValue)
	s.submit(`form[action="/benachrichtigungen"] button[type="submit"]`)
	s.wantText("main", "Bitte bestätigen", email)

	mail := waitForMail(t, email)
	confirm := regexp.MustCompile(regexp.QuoteMeta(fx.Base) + `/benachrichtigungen/bestaetigen\?token=[A-Za-z0-9_%-]+`).FindString(mail)
	unsub := regexp.MustCompile(regexp.QuoteMeta(fx.Base) + `/benachrichtigungen/abmelden/[A-Za-z0-9_-]+`).FindString(mail)
	if confirm == "" || unsub == "" {
		t.Fatalf("links missing in the confirmation mail:\n%s", mail)
	}
	s.openStatus(strings.TrimPrefix(confirm, fx.Base), 200)
	checkAxe(t, s.ctx, axeSource(t), "/benachrichtigungen/bestaetigen")
	s.submit(`main form button[type="submit"]`)
	s.wantText("h1", "Abonnement bestätigt")
	active, err := site.main.DB.FindAlerts(context.Background(), ratsnetz.AlertFilter{Active: true, Email: email})
	if err != nil || len(active) != 1 || strconv.FormatInt(active[0].OrganizationID, 10) != orgValue {
		t.Fatalf("active subscription: %+v %v", active, err)
	}

	s.openStatus(strings.TrimPrefix(unsub, fx.Base), 200)
	s.submit(`main form button[type="submit"]`)
	s.wantText("h1", "Abbestellt")
	if left, _ := site.main.DB.FindAlerts(context.Background(), ratsnetz.AlertFilter{Email: email}); len(left) != 0 {
		t.Errorf("still subscribed: %+v", left)
	}
	b.checkNoLeak()
}

// waitForMail polls the outbox for the mail to addr (alerts worker → job
// queue → mail worker → .eml file).
func waitForMail(t *testing.T, addr string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(site.dir, "outbox", "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && strings.Contains(string(b), "To: "+addr+"\r\n") {
				return decodeQP(string(b))
			}
		}
		time.Sleep(100 * time.Millisecond) // polling a directory: nothing to wait on
	}
	t.Fatalf("no mail to %s in the outbox", addr)
	return ""
}

// decodeQP undoes quoted-printable soft breaks and =3D, enough to read links.
func decodeQP(s string) string {
	s = strings.ReplaceAll(s, "=\r\n", "")
	return strings.ReplaceAll(s, "=3D", "=")
}

func httpGet(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
