package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/totp"
)

// TestLogin logs in through the real forms in headless Chromium with the
// documented demo accounts — the council office with password and TOTP code,
// a council member with the password alone — sees the non-public demo paper
// (the canary) with the "nichtöffentlich" badge and its file, logs out with
// the header button and then gets the plain 404 page for the same URLs.
func TestLogin(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	secret, err := totp.DecodeSecret(demo.DemoTOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	paper := fmt.Sprint("/vorlagen/", demo.NonPublicPaperID)
	file := fmt.Sprint("/dateien/", demo.NonPublicMainFileID)

	for _, tc := range []struct {
		name, login string
		totp        bool
	}{
		{"council office with TOTP", "sitzungsdienst@musterstadt.example", true},
		{"council member without TOTP", "ratsmitglied@musterstadt.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each account in its own tab of the same browser, one after
			// the other: they share the cookie jar, as one person's browser.
			s := &session{t: t, ctx: newTab(t, browserCtx, 3*time.Minute), base: fx.Base}

			// Before: the public 404 for both URLs.
			s.wantHidden(paper, fx.Canary)
			s.wantHidden(file, fx.Canary)

			s.openStatus("/anmelden", 200)
			s.fill("#login", tc.login)
			s.fill("#passwort", demo.DemoPassword)
			resp := s.submit(`form.account-form button[type="submit"]`)
			if tc.totp {
				if loc := s.location(); !strings.HasPrefix(loc, "/anmelden/zweiter-faktor") {
					t.Fatalf("after the password: at %s (status %d), want the second-factor page; text:\n%s", loc, resp.Status, s.text("main"))
				}
				s.fill("#code", totp.Code(secret, time.Now()))
				resp = s.submit(`form.account-form button[type="submit"]`)
			}
			if resp.Status != 200 || strings.HasPrefix(s.location(), "/anmelden") {
				t.Fatalf("login ended at %s with status %d; text:\n%s", s.location(), resp.Status, s.text("main"))
			}
			if !s.has(`form[action="/abmelden"]`) {
				t.Fatalf("logged in, but no logout button on %s", s.location())
			}

			// Logged in: the non-public paper, marked, with a link to its
			// file, which opens (a PDF: the browser's viewer has no DOM text).
			s.openStatus(paper, 200)
			s.wantText("main", fx.Canary, "nichtöffentlich")
			if !s.has(`main a[href^="` + file + `"]`) {
				t.Errorf("the paper page has no link to its non-public file %s", file)
			}
			s.openStatus(file, 200)

			// Log out with the button, as a user would.
			s.openStatus(paper, 200)
			s.submit(`form[action="/abmelden"] button[type="submit"]`)
			if s.has(`form[action="/abmelden"]`) {
				t.Fatalf("after logout %s still offers the logout button", s.location())
			}
			s.wantHidden(paper, fx.Canary)
			s.wantHidden(file, fx.Canary)
		})
	}
}

// session is a tab that may see non-public material (a logged-in user), so
// unlike tab it does not fail on the canary; tests assert it explicitly.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (s *session) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, stepTimeout)
}

// openStatus loads path and fails unless the document answers want.
func (s *session) openStatus(path string, want int64) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != want {
		s.t.Fatalf("GET %s: status %d, want %d; text:\n%s", path, resp.Status, want, s.text("main"))
	}
}

// wantHidden fails unless path answers the 404 page without the canary.
func (s *session) wantHidden(path, canary string) {
	s.t.Helper()
	s.openStatus(path, 404)
	ctx, cancel := s.step()
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		s.t.Fatalf("read HTML of %s: %v", path, err)
	}
	if strings.Contains(html, canary) {
		s.t.Errorf("CONFIDENTIALITY: %s shows non-public content without a session", path)
	}
}

func (s *session) fill(sel, value string) {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		s.t.Fatalf("fill %s on %s: %v", sel, s.location(), err)
	}
}

// submit clicks the button and returns the response of the page the form
// leads to (after redirects).
func (s *session) submit(sel string) *network.Response {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("click %s: %v", sel, err)
	}
	return resp
}

func (s *session) has(sel string) bool {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0)))
	if err != nil {
		s.t.Fatalf("query %s: %v", sel, err)
	}
	return len(nodes) > 0
}

func (s *session) location() string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		s.t.Fatalf("read location: %v", err)
	}
	return strings.TrimPrefix(loc, s.base)
}

func (s *session) text(sel string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).innerText || ""`))
	if err != nil {
		s.t.Fatalf("read text of %s: %v", sel, err)
	}
	return text
}

func (s *session) wantText(sel string, wants ...string) {
	s.t.Helper()
	got := s.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			s.t.Errorf("on %s: %q not in the text of %s:\n%s", s.location(), w, sel, got)
		}
	}
}

// Shared steps of the browser tests (moved here from office_test.go):
// loginAs, userTab, value, attr, axe, fetchBytes, slowSubmit, clickJS.

// officeUserTab opens a tab in a browser of its own: cookies of its own, as a
// separate person's browser.
func userTab(t *testing.T) context.Context {
	t.Helper()
	return newTab(t, newBrowser(t), 10*time.Minute)
}

// loginAs logs in through the form in a browser of its own.
func loginAs(t *testing.T, base, login string, withTOTP bool) *session {
	t.Helper()
	s := &session{t: t, ctx: userTab(t), base: base}
	s.openStatus("/anmelden", 200)
	s.fill("#login", login)
	s.fill("#passwort", demo.DemoPassword)
	s.submit(`form.account-form button[type="submit"]`)
	if withTOTP {
		secret, err := totp.DecodeSecret(demo.DemoTOTPSecret)
		if err != nil {
			t.Fatal(err)
		}
		s.fill("#code", totp.Code(secret, time.Now()))
		s.submit(`form.account-form button[type="submit"]`)
	}
	if strings.HasPrefix(s.location(), "/anmelden") {
		t.Fatalf("login of %s failed at %s:\n%s", login, s.location(), s.text("main"))
	}
	return s
}

func (s *session) value(sel string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).value || ""`))
	if err != nil {
		s.t.Fatalf("read value of %s: %v", sel, err)
	}
	return v
}

func (s *session) attr(sel, name string) string {
	s.t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`((document.querySelector(`+jsString(sel)+`) || {getAttribute(){return ""}}).getAttribute(`+jsString(name)+`)) || ""`))
	if err != nil {
		s.t.Fatalf("read %s of %s: %v", name, sel, err)
	}
	return v
}

// axe runs axe-core (WCAG 2.1 A/AA) on the loaded page: no serious or
// critical violations.
func (s *session) axe(src string) {
	s.t.Helper()
	checkAxe(s.t, s.ctx, src, s.location())
}

// fetchBytes fetches path in the page, with the browser's session, and
// returns the body.
func (s *session) fetchBytes(path string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 3*time.Minute)
	defer cancel()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+jsString(path)+`).then(r => r.ok ? r.blob() : Promise.reject("status " + r.status)).then(b => new Promise(res => { const fr = new FileReader(); fr.onload = () => res(fr.result.split(",")[1]); fr.readAsDataURL(b); }))`, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("fetch %s: %v", path, err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		s.t.Fatalf("decode %s: %v", path, err)
	}
	return data
}

// slowSubmit is session.submit with room for slow steps
// (password hashing at login, rendering the invitation) on a loaded machine
// under the race detector.
func slowSubmit(t *testing.T, s *session, sel string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 90*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s on %s: %v", sel, s.location(), err)
	}
}

// clickJS clicks a radio button or checkbox, as a user would.
func clickJS(t *testing.T, s *session, sel string) {
	t.Helper()
	ctx, cancel := s.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// startSite starts a Ratsnetz of its own with the demo for a test that
// writes: cfg with the address, a fresh data directory (under dataParent,
// named ratsnetz-<name>-…) and the demo filled in; closed and removed when
// the test ends.
func startSite(t *testing.T, name string, cfg app.Config) *app.Main {
	t.Helper()
	chromiumPath(t)
	dir, err := os.MkdirTemp(dataParent(), "ratsnetz-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", dir, true
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	m := app.NewMain(cfg, logger)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := m.Open(ctx); err != nil {
		m.Close()
		t.Fatalf("start Ratsnetz: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close Ratsnetz: %v", err)
		}
	})
	return m
}
