package e2e

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConfidentiality checks the core promise in the browser: the anonymous
// visitor gets the plain 404 page for every non-public paper, meeting, agenda
// item and file — indistinguishable from one that does not exist — and no
// page reachable by links shows non-public content (the tab checks every
// loaded page for the demo's canary marker).
func TestConfidentiality(t *testing.T) {
	t.Parallel()
	browserCtx := newBrowser(t)
	fx := mustSite(t)
	b := openTab(t, browserCtx, fx)

	t.Run("non-public URLs", func(t *testing.T) {
		b := b.with(t)
		notFound := func(path string) string {
			if resp := b.open(path); resp.Status != 404 {
				t.Errorf("GET %s: status %d, want 404", path, resp.Status)
			}
			return b.text("main")
		}
		const missing = 2147483647 // an ID that exists for nobody
		type notFoundCase struct{ route, hidden, missing string }
		cases := []notFoundCase{
			{"/vorlagen/{id}", fmt.Sprint("/vorlagen/", fx.HiddenPaper.ID), fmt.Sprint("/vorlagen/", missing)},
			{"/vorlagen/{id}/druck", fmt.Sprintf("/vorlagen/%d/druck", fx.HiddenPaper.ID), fmt.Sprintf("/vorlagen/%d/druck", missing)},
			{"/sitzungen/{id}", fmt.Sprint("/sitzungen/", fx.HiddenMeeting.ID), fmt.Sprint("/sitzungen/", missing)},
			{"/sitzungen/{id}/druck", fmt.Sprintf("/sitzungen/%d/druck", fx.HiddenMeeting.ID), fmt.Sprintf("/sitzungen/%d/druck", missing)},
			{"/sitzungen/{meetingID}/top/{id}", fmt.Sprintf("/sitzungen/%d/top/%d", fx.HiddenItem.MeetingID, fx.HiddenItem.ID),
				fmt.Sprintf("/sitzungen/%d/top/%d", fx.HiddenItem.MeetingID, missing)},
			{"/dateien/{id}", fmt.Sprint("/dateien/", fx.HiddenFile.ID), fmt.Sprint("/dateien/", missing)},
			{"/dateien/{id}/download", fmt.Sprintf("/dateien/%d/download", fx.HiddenFile.ID), fmt.Sprintf("/dateien/%d/download", missing)},
		}
		if f := fx.OrphanedFile; f != nil {
			cases = append(cases, notFoundCase{"/dateien/{id} (public file of non-public objects)",
				fmt.Sprint("/dateien/", f.ID), fmt.Sprint("/dateien/", missing)})
		} else {
			t.Log("the demo has no public file that belongs only to non-public objects; that case is not covered")
		}
		for _, c := range cases {
			want := notFound(c.missing)
			if strings.TrimSpace(want) == "" {
				t.Errorf("%s: the 404 page has no text in <main>", c.missing)
			}
			if got := notFound(c.hidden); got != want {
				t.Errorf("%s: a non-public object shows another page than a missing one:\n%s: %q\n%s: %q", c.route, c.hidden, got, c.missing, want)
			}
		}
	})

	t.Run("search", func(t *testing.T) {
		b := b.with(t)
		ref := fx.HiddenPaper.Reference
		if ref == "" {
			t.Skip("the demo's non-public papers have no reference to search for")
		}
		b.openOK("/suche?q=" + url.QueryEscape(ref))
		if hidden := fmt.Sprintf(`a[href="/vorlagen/%d"]`, fx.HiddenPaper.ID); b.has(hidden) {
			t.Errorf("searching for %q as the public lists the non-public paper %d", ref, fx.HiddenPaper.ID)
		}
	})

	t.Run("crawl", func(t *testing.T) {
		b := b.with(t)
		seeds := []string{"/", "/sitzungen", "/vorlagen", "/gremien", "/personen"}
		for i, id := range fx.RedactedMeetings {
			if i == 5 {
				break
			}
			seeds = append(seeds, fmt.Sprintf("/sitzungen/%d", id), fmt.Sprintf("/sitzungen/%d/druck", id))
		}
		for _, id := range fx.RedactedPapers {
			seeds = append(seeds, fmt.Sprintf("/vorlagen/%d", id), fmt.Sprintf("/vorlagen/%d/druck", id))
		}
		for i, id := range fx.SecretOrganizations {
			if i == 3 {
				break
			}
			seeds = append(seeds, fmt.Sprintf("/gremien/%d", id), fmt.Sprintf("/sitzungen?gremium=%d", id))
		}
		visited := crawl(b, seeds, len(seeds)+30)
		t.Logf("visited %d pages as the anonymous visitor", len(visited))
	})
}

var digits = regexp.MustCompile(`\d+`)

// crawl visits the portal's pages breadth-first from seeds, following
// same-site links, at most limit pages and a few of each kind (paths that
// differ only in IDs), so that every kind of page gets visited. Every page
// must answer 200: the portal links nothing that is not there.
func crawl(b *tab, seeds []string, limit int) []string {
	b.t.Helper()
	const perKind = 4
	queue := append([]string(nil), seeds...)
	seen := make(map[string]bool)
	kinds := make(map[string]int)
	for _, s := range seeds {
		seen[s] = true
	}
	var visited []string
	for len(queue) > 0 && len(visited) < limit {
		path := queue[0]
		queue = queue[1:]
		from := path
		if resp := b.open(path); resp.Status != 200 {
			b.t.Errorf("GET %s (linked from the portal): status %d", path, resp.Status)
			continue
		}
		visited = append(visited, path)
		for _, href := range b.hrefs("a[href]") {
			next, ok := sameSite(b.base, from, href)
			if !ok || seen[next] {
				continue
			}
			seen[next] = true
			kind := digits.ReplaceAllString(strings.SplitN(next, "?", 2)[0], "N")
			if kinds[kind] >= perKind {
				continue
			}
			kinds[kind]++
			queue = append(queue, next)
		}
	}
	return visited
}

// sameSite resolves href on page from and returns its path and query when it
// is a portal page worth visiting: not a file download, not the OParl API,
// not a language switch (which would change the tab's language for good).
func sameSite(base, from, href string) (string, bool) {
	bu, err := url.Parse(base + from)
	if err != nil {
		return "", false
	}
	u, err := bu.Parse(href)
	if err != nil || u.Host != bu.Host || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	for _, skip := range []string{"/dateien/", "/oparl/", "/static/"} {
		if strings.HasPrefix(u.Path, skip) {
			return "", false
		}
	}
	if u.Query().Has("lang") {
		return "", false
	}
	u.Fragment = ""
	return u.RequestURI(), true
}
