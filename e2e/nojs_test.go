package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestWithoutJavaScript walks the portal with page scripts switched off, as
// with a script blocker or a text browser: navigation, the agenda, the vote,
// the paper, its download link, the paper filter form, paging and the
// language switch all work with plain links and forms.
func TestWithoutJavaScript(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}

	b.openOK("/")
	b.follow(`nav a[href="/sitzungen"]`)
	if got := b.location(); got != "/sitzungen" {
		t.Fatalf("after clicking Sitzungen: at %s", got)
	}
	v := reachVoteMeeting(b, fx)
	b.follow(fmt.Sprintf(`main a[href="/sitzungen/%d"]`, v.Meeting.ID))
	b.follow(fmt.Sprintf(`main a[href="/sitzungen/%d/top/%d"]`, v.Meeting.ID, v.Item.ID))
	checkVoteTable(t, b, v.Item.Vote)
	b.follow(fmt.Sprintf(`main a[href="/vorlagen/%d"]`, v.Paper.ID))
	b.wantText("h1", v.Paper.Name)
	if got := b.download(fmt.Sprintf(`main a[href="/dateien/%d/download"]`, v.File.ID)); !strings.HasPrefix(string(got), "%PDF-") {
		t.Errorf("paper %d: the download is no PDF: starts with %q", v.Paper.ID, got[:min(len(got), 16)])
	}

	// The paper filter is a plain GET form.
	b.follow(`nav a[href="/vorlagen"]`)
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(`main form select[name="art"]`), v.Paper.PaperType)); err != nil {
		t.Fatalf("choose paper type: %v", err)
	}
	b.follow(`main form button[type="submit"], main form input[type="submit"]`)
	u, err := url.Parse(b.location())
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/vorlagen" || u.Query().Get("art") != v.Paper.PaperType {
		t.Errorf("submitting the paper filter led to %s, want /vorlagen?art=%s…", u, url.QueryEscape(v.Paper.PaperType))
	}
	shown := 0
	for _, rows := range b.tables("main table.list") {
		for _, cells := range rows[1:] { // after the header row
			shown++
			if !strings.Contains(strings.Join(cells, " "), v.Paper.PaperType) {
				t.Errorf("filtered by type %q, the list shows %q", v.Paper.PaperType, cells)
			}
		}
	}
	if shown == 0 {
		t.Errorf("filtered by type %q, the list shows no paper", v.Paper.PaperType)
	}

	// The search box in the header is a plain GET form too.
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(`header form[role="search"] input[name="q"]`), v.Paper.Reference)); err != nil {
		t.Fatalf("type into the search box: %v", err)
	}
	b.follow(`header form[role="search"] button[type="submit"]`)
	if !b.has(fmt.Sprintf(`main a[href="/vorlagen/%d"]`, v.Paper.ID)) {
		t.Errorf("searching for %q leads to %s, which does not list paper %d", v.Paper.Reference, b.location(), v.Paper.ID)
	}

	// Paging through all papers.
	b.follow(`nav a[href="/vorlagen"]`)
	if b.has(`a[rel="next"]`) {
		b.follow(`a[rel="next"]`)
		if got := b.location(); !strings.Contains(got, "seite=2") {
			t.Errorf("the next-page link led to %s, want page 2", got)
		}
	}

	// The language switch is a link; switch to English and back.
	b.follow(`header a[hreflang="en"]`)
	if got := b.attr("html", "lang"); got != "en" {
		t.Errorf("after switching to English: <html lang=%q>", got)
	}
	b.follow(`header a[hreflang="de"]`)
	if got := b.attr("html", "lang"); got != "de" {
		t.Errorf("after switching back to German: <html lang=%q>", got)
	}
}
