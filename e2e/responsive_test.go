package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestResponsive checks that the main pages fit phone and tablet screens:
// on a touch device 360 and 768 CSS pixels wide nothing makes the page scroll
// sideways. With mobile emulation Chrome widens the layout viewport to fit
// content that is too wide (window.innerWidth grows), so both the viewport
// and the document width must stay at the device width.
func TestResponsive(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)

	for _, width := range []int64{360, 768} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			b := b.with(t)
			if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 800, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
				t.Fatalf("set viewport: %v", err)
			}
			for _, p := range mainPages(fx) {
				b.openOK(p.path)
				if !strings.Contains(b.attr(`meta[name="viewport"]`, "content"), "width=device-width") {
					t.Errorf("%s: the viewport meta tag lacks width=device-width, so phones render it zoomed out", p.path)
				}
				if m := b.measure(int(width)); m.InnerWidth != int(width) || m.ScrollWidth > int(width) {
					t.Errorf("%s (%s) at %d px: does not fit, the layout is %d px wide (document %d px); elements reaching past %d px: %s",
						p.name, p.path, width, m.InnerWidth, m.ScrollWidth, width, strings.Join(m.Offenders, "; "))
				}
			}
		})
	}
}

type layout struct {
	InnerWidth  int      `json:"innerWidth"`
	ScrollWidth int      `json:"scrollWidth"`
	Offenders   []string `json:"offenders"`
}

// measure reports the width of the layout viewport and the document and,
// when either exceeds width, the outermost elements that stick out.
func (b *tab) measure(width int) layout {
	b.t.Helper()
	js := `((w) => {
	const sw = document.documentElement.scrollWidth, out = [];
	if (sw > w || window.innerWidth > w) {
		const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right <= w + 0.5 || (el.parentElement && el.parentElement.getBoundingClientRect().right > w + 0.5)) continue;
			let path = [], p = el;
			for (let i = 0; p && p !== document.body && i < 4; i++, p = p.parentElement) path.unshift(describe(p));
			out.push(path.join(" > ") + " (right edge at " + Math.round(r.right) + " px)");
			if (out.length === 8) break;
		}
	}
	return {innerWidth: window.innerWidth, scrollWidth: sw, offenders: out};
})(` + fmt.Sprint(width) + `)`
	ctx, cancel := b.step()
	defer cancel()
	m, err := chromedp.Run(ctx, chromedp.Evaluate[layout](js))
	if err != nil {
		b.t.Fatalf("measure layout: %v", err)
	}
	return m
}
