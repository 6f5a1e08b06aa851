package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboard checks what axe-core cannot: a keyboard user can skip the
// navigation (WCAG 2.4.1) and always sees where the focus is (WCAG 2.4.7).
func TestKeyboard(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)

	t.Run("skip link", func(t *testing.T) {
		b := b.with(t)
		b.openOK("/")
		f := b.press(kb.Tab)
		if f == nil || f.Href == "" || f.Href[0] != '#' {
			t.Fatalf("the first Tab focuses %+v, want a link to skip to the content", f)
		}
		if !f.InView || !f.Indicator {
			t.Errorf("the focused skip link is not visible (in view: %t, focus indicator: %t)", f.InView, f.Indicator)
		}
		b.press(kb.Enter)
		if f := b.press(kb.Tab); f == nil || !f.InMain {
			t.Errorf("after following the skip link, Tab focuses %+v, want the first link of the content", f)
		}
	})

	for _, p := range []pageCase{
		{"Vorlagen", "/vorlagen"},
		{"Tagesordnungspunkt", fmt.Sprintf("/sitzungen/%d/top/%d", fx.Vote.Meeting.ID, fx.Vote.Item.ID)},
	} {
		t.Run("focus visible "+p.name, func(t *testing.T) {
			b := b.with(t)
			b.openOK(p.path)
			n := 0
			for ; n < 80; n++ {
				f := b.press(kb.Tab)
				if f == nil {
					break // past the last element
				}
				i := n
				if !f.Indicator || !f.InView {
					t.Errorf("%s: Tab %d focuses %s %q (href %q) without a visible focus indicator (in view: %t, indicator: %t)",
						p.path, i+1, f.Tag, f.Text, f.Href, f.InView, f.Indicator)
				}
			}
			if n < 10 {
				t.Errorf("%s: Tab reached only %d elements", p.path, n)
			}
			t.Logf("%s: %d elements reached with Tab", p.path, n)
		})
	}
}

// focus describes the focused element.
type focus struct {
	Tag       string `json:"tag"`
	Text      string `json:"text"`
	Href      string `json:"href"`
	InView    bool   `json:"inView"`
	Indicator bool   `json:"indicator"`
	InMain    bool   `json:"inMain"`
}

// press sends a key to the page and returns the element that has the focus
// afterwards, nil for none.
func (b *tab) press(key string) *focus {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
		b.t.Fatalf("press %q: %v", key, err)
	}
	const js = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) return null;
	const cs = getComputedStyle(e), r = e.getBoundingClientRect();
	return {
		tag: e.tagName.toLowerCase(),
		text: (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().slice(0, 60),
		href: e.getAttribute("href") || "",
		inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
		indicator: (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== "none",
		inMain: !!e.closest("main"),
	};
})()`
	f, err := chromedp.Run(ctx, chromedp.Evaluate[*focus](js))
	if err != nil {
		b.t.Fatalf("read focus: %v", err)
	}
	return f
}
