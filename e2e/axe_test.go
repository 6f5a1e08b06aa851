package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
)

// axeSource reads axe-core from node_modules at the repository root
// (installed by `npm ci` from the pinned package.json; make deps does that).
func axeSource(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	msg := "axe-core not found in node_modules/axe-core/axe.min.js: run `npm ci` in the repository root (make deps does that)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// axeViolation is one failed axe rule with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s (%s)", v.ID, v.Impact, v.Help, v.URL)
	for i, n := range v.Nodes {
		if i == 5 {
			fmt.Fprintf(&b, "\n      … and %d more elements", len(v.Nodes)-i)
			break
		}
		target, _ := json.Marshal(n.Target)
		fmt.Fprintf(&b, "\n      at %s: %s", target, n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&b, "\n        %s", strings.ReplaceAll(n.Summary, "\n", "\n        "))
		}
	}
	return b.String()
}

// runAxe injects axe-core into the loaded page and runs the WCAG 2.1 A/AA
// rules. The injection goes through the DevTools protocol
// (Runtime.evaluate), which the page's CSP does not restrict.
func runAxe(ctx context.Context, src string) ([]axeViolation, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	const run = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300), failureSummary: n.failureSummary}))})))`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return vs, nil
}

// checkAxe runs axe-core (WCAG 2.1 A/AA) on the page loaded in ctx, named
// where in the messages: serious or critical violations fail t, lesser ones
// are logged.
func checkAxe(t testing.TB, ctx context.Context, src, where string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	vs, err := runAxe(ctx, src)
	if err != nil {
		t.Fatalf("axe on %s: %v", where, err)
	}
	var report strings.Builder
	severe := 0
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			severe++
		}
		fmt.Fprintf(&report, "\n  - %s", v)
	}
	if severe > 0 {
		t.Errorf("axe-core finds %d serious or critical violations on %s (%d in all):%s", severe, where, len(vs), report.String())
	} else if len(vs) > 0 {
		t.Logf("axe-core: minor or moderate violations on %s:%s", where, report.String())
	}
}

// TestAccessibilityAdmin runs axe-core (WCAG 2.0/2.1 A and AA) on the login
// pages, the administration (/verwaltung) and the own account (/konto), as
// the administrator (password and TOTP), the council office and a council
// member see them, in German and English: no serious or critical
// violations. Every page must also come in the negotiated language.
func TestAccessibilityAdmin(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	browser := newBrowser(t)
	fx := mustSite(t)
	sys := ratsnetz.SystemContext(context.Background())
	member, err := site.main.DB.FindAccountByLogin(sys, "ratsmitglied@musterstadt.example")
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, s *session, path, lang string) {
		t.Helper()
		s.openStatus(path, 200)
		ctx, cancel := context.WithTimeout(s.ctx, 4*time.Minute)
		defer cancel()
		if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || got != lang {
			t.Errorf("%s: <html lang=%q> (%v), want %q", path, got, err, lang)
		}
		checkAxe(t, ctx, src, path)
	}

	// The public's login pages, and the second-factor page on the way in.
	anon := &session{t: t, ctx: liveContext(t, browser), base: fx.Base}
	for _, p := range []string{"/anmelden", "/passwort-vergessen"} {
		check(t, anon, p, "de")
	}
	admin := &session{t: t, ctx: liveContext(t, browser), base: fx.Base}
	admin.openStatus("/anmelden", 200)
	admin.fill("#login", "admin@musterstadt.example")
	admin.fill("#passwort", demo.DemoPassword)
	admin.submit(`form.account-form button[type="submit"]`)
	if loc := admin.location(); !strings.HasPrefix(loc, "/anmelden/zweiter-faktor") {
		t.Fatalf("after the password at %s", loc)
	}
	check(t, admin, admin.location(), "de")
	admin.fill("#code", liveTOTP(t))
	admin.submit(`form.account-form button[type="submit"]`)

	office := &session{t: t, ctx: liveContext(t, browser), base: fx.Base}
	office.openStatus("/anmelden", 200)
	office.fill("#login", "sitzungsdienst@musterstadt.example")
	office.fill("#passwort", demo.DemoPassword)
	office.submit(`form.account-form button[type="submit"]`)
	office.fill("#code", liveTOTP(t))
	office.submit(`form.account-form button[type="submit"]`)

	councillor := &session{t: t, ctx: liveContext(t, browser), base: fx.Base}
	councillor.openStatus("/anmelden", 200)
	councillor.fill("#login", member.Email)
	councillor.fill("#passwort", demo.DemoPassword)
	councillor.submit(`form.account-form button[type="submit"]`)

	english := map[*session]bool{}
	for _, c := range []struct {
		who  string
		s    *session
		path string
	}{
		{"admin", admin, "/verwaltung/konten"},
		{"admin", admin, fmt.Sprintf("/verwaltung/konten/%d", member.ID)},
		{"admin", admin, "/verwaltung/protokoll"},
		{"admin", admin, "/verwaltung/freigaben"},
		{"admin", admin, "/verwaltung/befangenheiten"},
		{"admin", admin, "/konto"},
		{"admin", admin, "/konto/zwei-faktor"},
		{"office", office, "/verwaltung/freigaben"},
		{"office", office, "/verwaltung/befangenheiten"},
		{"member", councillor, "/konto"},
		{"member", councillor, "/konto/befangenheit"},
		// Last per session: ?lang=en keeps the session in English.
		{"admin", admin, "/verwaltung/konten?lang=en"},
		{"admin", admin, "/verwaltung/protokoll"},
		{"admin", admin, "/verwaltung/freigaben"},
		{"member", councillor, "/konto?lang=en"},
		{"member", councillor, "/konto/befangenheit"},
		{"public", anon, "/anmelden?lang=en"},
		{"public", anon, "/passwort-vergessen"},
	} {
		t.Run(c.who+c.path, func(t *testing.T) {
			s := *c.s
			s.t = t
			lang := "de"
			if strings.Contains(c.path, "lang=en") || english[c.s] {
				lang = "en"
				english[c.s] = true
			}
			check(t, &s, c.path, lang)
		})
	}
}
