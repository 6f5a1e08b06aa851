package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// TestConfidentialityFixture runs the confidentiality check on the small
// fixture.
func TestConfidentialityFixture(t *testing.T) {
	env := newTestEnv(t)
	checkConfidentiality(t, env.srv.Client(), env.srv.URL, env.store, testCanary, crawlOptions{})
}

var hrefRE = regexp.MustCompile(`(?:href|action)="(/[^"]*)"`)

// checkConfidentiality is the portal's core promise as a test: as the
// anonymous public, crawl every page reachable from "/" and request every
// object that exists (enumerated with the system viewer), including all
// downloads; the canary of non-public content must never appear and
// non-public papers, meetings, agenda items and files must answer 404.
// It returns the number of PDFs whose text was read.
func checkConfidentiality(t *testing.T, c *http.Client, base string, store ratsnetz.Store, canary string, o crawlOptions) (pdfsRead int) {
	t.Helper()
	maxCrawl := o.maxPages
	// skip samples the public objects when o.stride > 1; non-public ones are
	// always all requested.
	n := 0
	skip := func(hidden bool) bool {
		n++
		return !hidden && o.stride > 1 && n%o.stride != 0
	}
	ctx := ratsnetz.SystemContext(context.Background())
	requests := 0
	fetch := func(path string) (int, string) {
		requests++
		resp, body := get(t, c, base+path)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
		if strings.Contains(body, canary) {
			t.Errorf("%s: non-public content (canary) in the response", path)
		}
		// PDF text is compressed: read it to look for the canary (once per
		// file, on the download).
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == "application/pdf" && strings.HasSuffix(path, "/download") {
			if text, err := pdf.ExtractText([]byte(body)); err == nil {
				pdfsRead++
				if strings.Contains(text, canary) {
					t.Errorf("%s: non-public content (canary) in the PDF text", path)
				}
			}
		}
		return resp.StatusCode, body
	}

	// 1. Crawl from the start page.
	seen := map[string]bool{}
	queue := []string{"/"}
	for len(queue) > 0 && (maxCrawl == 0 || len(seen) < maxCrawl) {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		_, body := fetch(path)
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			u, err := url.Parse(link)
			if err != nil || u.Path == "/suche" || u.Query().Has("lang") {
				continue
			}
			if !seen[link] {
				queue = append(queue, link)
			}
		}
	}
	crawled := len(seen)

	// 2. Every object that exists, as the public.
	papers := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.Paper, int, error) {
		return store.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: o})
	})
	hiddenPaper := map[int64]bool{}
	for _, p := range papers {
		hiddenPaper[p.ID] = !p.Public
		if skip(!p.Public) {
			continue
		}
		for _, suffix := range []string{"", "/druck"} {
			status, _ := fetch(fmt.Sprintf("/vorlagen/%d%s", p.ID, suffix))
			if !p.Public && status != http.StatusNotFound {
				t.Errorf("non-public paper %d%s: status %d, want 404", p.ID, suffix, status)
			}
		}
	}
	meetings := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, int, error) {
		return store.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: o})
	})
	hiddenMeeting := map[int64]bool{}
	for _, m := range meetings {
		hiddenMeeting[m.ID] = !m.Public
		if skip(!m.Public) {
			continue
		}
		for _, suffix := range []string{"", "/druck"} {
			status, _ := fetch(fmt.Sprintf("/sitzungen/%d%s", m.ID, suffix))
			if !m.Public && status != http.StatusNotFound {
				t.Errorf("non-public meeting %d%s: status %d, want 404", m.ID, suffix, status)
			}
		}
	}
	items := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, int, error) {
		return store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: o})
	})
	hiddenItem := map[int64]bool{}
	for _, it := range items {
		hidden := !it.Public || hiddenMeeting[it.MeetingID]
		hiddenItem[it.ID] = hidden
		if skip(hidden) {
			continue
		}
		status, _ := fetch(fmt.Sprintf("/sitzungen/%d/top/%d", it.MeetingID, it.ID))
		if hidden && status != http.StatusNotFound {
			t.Errorf("non-public agenda item %d: status %d, want 404", it.ID, status)
		}
	}
	files := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.File, int, error) {
		return store.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: o})
	})
	hiddenFiles := 0
	for _, f := range files {
		hidden := !f.Public ||
			slices.ContainsFunc(f.PaperIDs, func(id int64) bool { return hiddenPaper[id] }) ||
			slices.ContainsFunc(f.MeetingIDs, func(id int64) bool { return hiddenMeeting[id] }) ||
			slices.ContainsFunc(f.AgendaItemIDs, func(id int64) bool { return hiddenItem[id] })
		if hidden {
			hiddenFiles++
		}
		if skip(hidden) {
			continue
		}
		for _, suffix := range []string{"", "/download"} {
			status, _ := fetch(fmt.Sprintf("/dateien/%d%s", f.ID, suffix))
			if hidden && status != http.StatusNotFound {
				t.Errorf("non-public file %d%s: status %d, want 404", f.ID, suffix, status)
			}
		}
	}
	orgs := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.Organization, int, error) {
		return store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{ListOptions: o})
	})
	for _, o := range orgs {
		if skip(false) {
			continue
		}
		fetch(fmt.Sprintf("/gremien/%d", o.ID))
		fetch(fmt.Sprintf("/sitzungen?gremium=%d", o.ID))
		fetch(fmt.Sprintf("/vorlagen?gremium=%d", o.ID))
	}
	persons := all(t, func(o ratsnetz.ListOptions) ([]*ratsnetz.Person, int, error) {
		return store.FindPersons(ctx, ratsnetz.PersonFilter{ListOptions: o})
	})
	for _, p := range persons {
		if skip(false) {
			continue
		}
		fetch(fmt.Sprintf("/personen/%d", p.ID))
	}
	if len(papers) == 0 || len(meetings) == 0 || len(files) == 0 || hiddenFiles == 0 {
		t.Fatalf("dataset too small to prove anything: %d papers, %d meetings, %d files (%d non-public)",
			len(papers), len(meetings), len(files), hiddenFiles)
	}
	t.Logf("crawled %d pages; %d requests in all; %d papers, %d meetings, %d agenda items, %d files (%d non-public, %d PDF texts read), %d organizations, %d persons",
		crawled, requests, len(papers), len(meetings), len(items), len(files), hiddenFiles, pdfsRead, len(orgs), len(persons))
	return pdfsRead
}

// crawlOptions make the check cheaper for slow runs (race detector).
type crawlOptions struct {
	maxPages int // limit of the link crawl; 0: none
	stride   int // request only every stride-th public object; 0, 1: all
}

// all pages through a list with the store's maximum page size.
func all[T any](t *testing.T, find func(ratsnetz.ListOptions) ([]*T, int, error)) []*T {
	t.Helper()
	const size = 1000
	var out []*T
	for offset := 0; ; offset += size {
		list, _, err := find(ratsnetz.ListOptions{Limit: size, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list...)
		if len(list) < size {
			return out
		}
	}
}
