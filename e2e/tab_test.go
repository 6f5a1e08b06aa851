package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one browser step (a navigation, a click, a query), so a
// missing element fails the test fast with a message instead of hanging.
const stepTimeout = 20 * time.Second

// tab is one browser tab on the running site. Every page it loads is checked
// for confidential content: the anonymous visitor must never see the demo's
// canary marker, neither in the text nor anywhere in the HTML.
type tab struct {
	t      *testing.T
	ctx    context.Context
	base   string
	canary string
}

func openTab(t *testing.T, browser context.Context, fx *fixtures) *tab {
	t.Helper()
	return &tab{t: t, ctx: newTab(t, browser, 5*time.Minute), base: fx.Base, canary: fx.Canary}
}

// with returns the tab for use in the subtest t.
func (b *tab) with(t *testing.T) *tab {
	c := *b
	c.t = t
	return &c
}

func (b *tab) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// open loads path (relative to the site) and returns the response of the
// document.
func (b *tab) open(path string) *network.Response {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	b.checkNoLeak()
	return resp
}

// openOK loads path and fails unless the server answered 200.
func (b *tab) openOK(path string) {
	b.t.Helper()
	if resp := b.open(path); resp.Status != 200 {
		b.t.Fatalf("GET %s: status %d, want 200; page text:\n%s", path, resp.Status, b.pageText())
	}
}

// has reports whether an element matches the CSS selector on the page.
func (b *tab) has(sel string) bool {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0)))
	if err != nil {
		b.t.Fatalf("query %q on %s: %v", sel, b.location(), err)
	}
	return len(nodes) > 0
}

// follow clicks the first element that matches the CSS selector, as a user
// would, waits for the page it leads to and fails unless that answers 200.
func (b *tab) follow(sel string) {
	b.t.Helper()
	from := b.location()
	if !b.has(sel) {
		b.t.Fatalf("on %s: no element %q to click; page text:\n%s", from, sel, b.pageText())
	}
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("on %s: click %q: %v", from, sel, err)
	}
	b.checkNoLeak()
	if resp.Status != 200 {
		b.t.Fatalf("on %s: click %q led to %s with status %d", from, sel, resp.URL, resp.Status)
	}
}

// location is the path and query of the page in the tab.
func (b *tab) location() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("read location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.RequestURI()
}

// text is the rendered text (innerText) of the first element matching sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {}).innerText || ""`))
	if err != nil {
		b.t.Fatalf("read text of %q: %v", sel, err)
	}
	return s
}

// html is the whole document as the browser holds it.
func (b *tab) html() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Fatalf("read HTML: %v", err)
	}
	return s
}

// wantText fails unless the rendered text of sel contains every want.
func (b *tab) wantText(sel string, wants ...string) {
	b.t.Helper()
	got := b.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			b.t.Errorf("on %s: text of %q does not contain %q; it is:\n%s", b.location(), sel, w, got)
		}
	}
}

// checkNoLeak fails if the loaded page carries confidential demo content.
func (b *tab) checkNoLeak() {
	b.t.Helper()
	if html := b.html(); strings.Contains(html, b.canary) {
		i := strings.Index(html, b.canary)
		b.t.Errorf("CONFIDENTIALITY: %s shows non-public content to the anonymous visitor: …%s…",
			b.location(), html[max(0, i-200):min(len(html), i+len(b.canary)+100)])
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\u2028", `\u2028`, "\u2029", `\u2029`)
	return `"` + r.Replace(s) + `"`
}

// pageText is the start of the text of <main> (or the body), for failure
// messages.
func (b *tab) pageText() string {
	b.t.Helper()
	s := b.text("main")
	if s == "" {
		s = b.text("body")
	}
	if r := []rune(s); len(r) > 1500 {
		s = string(r[:1500]) + " …"
	}
	return s
}
