package e2e

import (
	"fmt"
	"testing"
)

// TestAccessibility runs axe-core (WCAG 2.0/2.1 A and AA rules) on every page
// type of the portal. Pages must have no violation of impact "serious" or
// "critical"; lesser ones are logged.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)

	type axeCase struct {
		pageCase
		status int
		lang   string
	}
	var cases []axeCase
	for _, p := range append(mainPages(fx), printPages(fx)...) {
		cases = append(cases, axeCase{p, 200, "de"})
	}
	cases = append(cases,
		axeCase{pageCase{"Seite nicht gefunden", missingPaper}, 404, "de"},
		// Last: ?lang=en sets a cookie that keeps the tab in English.
		axeCase{pageCase{"Vorlage englisch", fmt.Sprintf("/vorlagen/%d?lang=en", fx.Vote.Paper.ID)}, 200, "en"},
		axeCase{pageCase{"Startseite englisch", "/?lang=en"}, 200, "en"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := b.with(t)
			if resp := b.open(c.path); int(resp.Status) != c.status {
				t.Fatalf("GET %s: status %d, want %d", c.path, resp.Status, c.status)
			}
			if got := b.attr("html", "lang"); got != c.lang {
				t.Errorf("GET %s: <html lang=%q>, want %q", c.path, got, c.lang)
			}
			checkAxe(t, b.ctx, src, c.path)
		})
	}
}
