package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/ratsnetz/ratsnetz"
)

// TestJourney is the acceptance test of the portal's core promise: a citizen
// starts on the home page, reaches a meeting, reads how each faction voted on
// an agenda item, opens the paper behind it and downloads its PDF — with real
// clicks in a real browser.
func TestJourney(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)

	b.openOK("/")
	b.wantText("header", "Sitzungen", "Vorlagen")
	v := reachVoteMeeting(b, fx)

	meetingPath := fmt.Sprintf("/sitzungen/%d", v.Meeting.ID)
	b.follow(fmt.Sprintf(`main a[href="%s"]`, meetingPath))
	if got := b.location(); got != meetingPath {
		t.Fatalf("after clicking the meeting: at %s, want %s", got, meetingPath)
	}
	b.wantText("h1", v.Meeting.Name)
	b.wantText("main", v.Item.Number, v.Item.Name)

	itemPath := fmt.Sprintf("/sitzungen/%d/top/%d", v.Meeting.ID, v.Item.ID)
	b.follow(fmt.Sprintf(`main a[href="%s"]`, itemPath))
	if got := b.location(); got != itemPath {
		t.Fatalf("after clicking the agenda item: at %s, want %s", got, itemPath)
	}
	b.wantText("main", v.Item.Name, v.Item.Result)
	checkVoteTable(t, b, v.Item.Vote)

	paperPath := fmt.Sprintf("/vorlagen/%d", v.Paper.ID)
	b.follow(fmt.Sprintf(`main a[href="%s"]`, paperPath))
	if got := b.location(); got != paperPath {
		t.Fatalf("after clicking the paper: at %s, want %s", got, paperPath)
	}
	b.wantText("h1", v.Paper.Name)
	b.wantText("main", v.Paper.Reference, v.Paper.PaperType)

	link := fmt.Sprintf(`main a[href="/dateien/%d/download"]`, v.File.ID)
	got := b.download(link)
	if !strings.HasPrefix(string(got), "%PDF-") {
		t.Errorf("downloaded main file of paper %s is no PDF: starts with %q", v.Paper.Reference, got[:min(len(got), 16)])
	}
	if v.File.Size > 0 && int64(len(got)) != v.File.Size {
		t.Errorf("downloaded %d bytes, the file has %d", len(got), v.File.Size)
	}

	// What the browser was told about the download: read the href and GET it
	// from the same base URL.
	href := b.attr(link, "href")
	resp, err := http.Get(fx.Base + href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", href, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/pdf") {
		t.Errorf("GET %s: Content-Type %q, want application/pdf", href, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("GET %s: Content-Disposition %q, want attachment", href, cd)
	}
	if sum := sha256.Sum256(body); v.File.SHA256 != "" && hex.EncodeToString(sum[:]) != v.File.SHA256 {
		t.Errorf("GET %s: SHA-256 %x, the file's metadata says %s", href, sum, v.File.SHA256)
	}
	if string(body) != string(got) {
		t.Errorf("the browser's download (%d bytes) differs from GET %s (%d bytes)", len(got), href, len(body))
	}
}

// reachVoteMeeting clicks from the current page to a list that links a
// meeting with a per-faction vote, as a visitor looking for a past decision
// would: the meetings list, its link to past meetings, then its next pages.
func reachVoteMeeting(b *tab, fx *fixtures) voteFixture {
	b.t.Helper()
	if v, ok := linkedVote(b, fx); ok {
		return v
	}
	b.follow(`nav a[href="/sitzungen"]`)
	for range 8 {
		if v, ok := linkedVote(b, fx); ok {
			return v
		}
		switch {
		case b.has(`main a[href^="/sitzungen?bis="]`):
			b.follow(`main a[href^="/sitzungen?bis="]`)
		case b.has(`a[rel="next"]`):
			b.follow(`a[rel="next"]`)
		default:
			b.t.Fatalf("no meeting with a per-faction vote reachable from /sitzungen by its past-meetings and next-page links (stopped at %s); meetings with one: %v",
				b.location(), slices.Sorted(maps.Keys(fx.Votes)))
		}
	}
	b.t.Fatalf("no meeting with a per-faction vote on the first pages of past meetings (stopped at %s)", b.location())
	return voteFixture{}
}

var meetingHref = regexp.MustCompile(`^/sitzungen/(\d+)$`)

// linkedVote returns a meeting with a per-faction vote that the current page
// links to.
func linkedVote(b *tab, fx *fixtures) (voteFixture, bool) {
	b.t.Helper()
	for _, href := range b.hrefs("main a[href]") {
		m := meetingHref.FindStringSubmatch(href)
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if v, ok := fx.Votes[id]; ok {
			return v, true
		}
	}
	return voteFixture{}, false
}

// checkVoteTable fails unless the page shows a visible table with one row per
// faction (name, yes, no, abstain) and a row with the totals.
func checkVoteTable(t *testing.T, b *tab, vote *ratsnetz.VoteResult) {
	t.Helper()
	tables := b.tables("main table")
	wantRow := func(rows [][]string, label string, yes, no, abstain int) bool {
		want := []int{yes, no, abstain}
		for _, row := range rows {
			if !slices.ContainsFunc(row, func(c string) bool { return label == "" || strings.Contains(c, label) }) {
				continue
			}
			if slices.Equal(numbers(row), want) {
				return true
			}
		}
		return false
	}
	for _, rows := range tables {
		ok := wantRow(rows, "", vote.Yes, vote.No, vote.Abstain)
		for _, f := range vote.Factions {
			ok = ok && wantRow(rows, f.Name, f.Yes, f.No, f.Abstain)
		}
		if ok {
			return
		}
	}
	var want strings.Builder
	for _, f := range vote.Factions {
		fmt.Fprintf(&want, "\n  %s: %d / %d / %d", f.Name, f.Yes, f.No, f.Abstain)
	}
	fmt.Fprintf(&want, "\n  total: %d / %d / %d", vote.Yes, vote.No, vote.Abstain)
	t.Errorf("on %s: no visible vote table with these rows (yes / no / abstain):%s\nvisible tables: %q", b.location(), want.String(), tables)
}

// numbers returns the cells of row that are whole numbers, in order.
func numbers(row []string) []int {
	var out []int
	for _, c := range row {
		if n, err := strconv.Atoi(strings.TrimSpace(c)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// tables returns the cell texts of the visible tables matching sel.
func (b *tab) tables(sel string) [][][]string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	js := `[...document.querySelectorAll(` + jsString(sel) + `)]
		.filter(t => t.getClientRects().length > 0 && getComputedStyle(t).visibility !== "hidden")
		.map(t => [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim())))`
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[][][]string](js))
	if err != nil {
		b.t.Fatalf("read tables %q: %v", sel, err)
	}
	return v
}

// hrefs returns the href attributes (as written) of the elements matching sel.
func (b *tab) hrefs(sel string) []string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(a => a.getAttribute("href"))`))
	if err != nil {
		b.t.Fatalf("read links %q: %v", sel, err)
	}
	return v
}

// attr returns an attribute of the first element matching sel.
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	if !b.has(sel) {
		b.t.Fatalf("on %s: no element %q", b.location(), sel)
	}
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("on %s: attribute %s of %q: %v", b.location(), name, sel, err)
	}
	return v.Value
}

// download clicks the link matching sel, lets the browser save what it
// gets, and returns the saved bytes.
func (b *tab) download(sel string) []byte {
	b.t.Helper()
	if !b.has(sel) {
		b.t.Fatalf("on %s: no download link %q; page text:\n%s", b.location(), sel, b.pageText())
	}
	dir := b.t.TempDir()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		b.t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("click %q: %v", sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download via %q: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCanceled:
			b.t.Fatalf("download via %q was canceled", sel)
		case browser.DownloadProgressStateCompleted:
			path := ev.FilePath
			if path == "" {
				path = filepath.Join(dir, ev.GUID)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				b.t.Fatalf("read downloaded file: %v", err)
			}
			return data
		}
	}
	b.t.Fatalf("download via %q did not finish", sel)
	return nil
}
