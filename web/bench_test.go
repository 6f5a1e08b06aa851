package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

// BenchmarkPages measures the portal's own cost per page (routing, store
// calls on the small SQLite fixture, rendering), without the network.
func BenchmarkPages(b *testing.B) {
	env := newTestEnv(b)
	h := env.srv.Config.Handler
	for _, path := range []string{"/", "/sitzungen", "/vorlagen?art=Beschlussvorlage", "/vorlagen/400", "/sitzungen/200", "/sitzungen/200/top/300"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkDemoPages measures the portal on the small demo city.
func BenchmarkDemoPages(b *testing.B) {
	_, env, _, sum := newDemoEnv(b)
	h := env.srv.Config.Handler
	k := sum.Known
	for _, path := range []string{"/", "/sitzungen", "/vorlagen?art=Antrag&jahr=2026", "/vorlagen/1",
		"/sitzungen/" + strconv.FormatInt(k.TabletCouncilMeetingID, 10)} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkLarge measures the portal on a data directory made by
// `ratsnetz demo --scale large` (≈200 000 papers), named by the environment
// variable RATSNETZ_WEB_BENCH_DATA (skipped without it), e.g.
//
//	RATSNETZ_WEB_BENCH_DATA=/tmp/ratsnetz-bench/data-sqlite go test -run X -bench Large ./web
func BenchmarkLarge(b *testing.B) {
	dir := os.Getenv("RATSNETZ_WEB_BENCH_DATA")
	if dir == "" {
		b.Skip("RATSNETZ_WEB_BENCH_DATA not set")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir+"/ratsnetz.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	blobs, _ := disk.New(dir + "/files")
	h := NewServer(Config{Store: db, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), Now: time.Now}).Handler()
	paths := map[string]func(i int) string{
		"home":      func(int) string { return "/" },
		"meetings":  func(int) string { return "/sitzungen" },
		"papersArt": func(int) string { return "/vorlagen?art=Antrag&jahr=2025" },
		"paper":     func(i int) string { return fmt.Sprintf("/vorlagen/%d", 1+(i*7919)%200000) },
		"meeting":   func(i int) string { return fmt.Sprintf("/sitzungen/%d", 1+(i*7919)%20000) },
	}
	for _, name := range []string{"home", "meetings", "papersArt", "paper", "meeting"} {
		f := paths[name]
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, f(i), nil))
				if w.Code >= 500 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkRenderPaperIndex measures only the template work of a full paper
// list page.
func BenchmarkRenderPaperIndex(b *testing.B) {
	s := NewServer(Config{Store: nil})
	d := paperIndexData{Types: stringOptions(paperTypes, "Antrag"), Statuses: stringOptions(paperStatuses, "")}
	var papers []*ratsnetz.Paper
	for i := range listPageSize {
		papers = append(papers, &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: int64(i + 1)}, Name: fmt.Sprintf("Antrag der Fraktion Soziale Mitte: Belegung der Sporthallen %d", i), Reference: "2026/0001", Date: day(2026, 1, 2), PaperType: "Antrag", Status: "in Beratung"})
	}
	d.Papers = paperRows(formatter{cat: s.catalogs["de"], loc: s.loc}, papers)
	for i := range 30 {
		d.Committees = append(d.Committees, option{Value: fmt.Sprint(i + 1), Label: fmt.Sprintf("Ausschuss für Digitales, Infrastruktur und Mobilität %d", i)})
	}
	req := httptest.NewRequest(http.MethodGet, "/vorlagen?art=Antrag", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		p := s.newPage(req, "Vorlagen", d)
		s.render(w, req, 200, "papers", p)
	}
}

// BenchmarkLoggedIn compares a paper page for the public with the same
// page for a logged-in member (session lookup, rights in SQL), in process
// on the SQLite fixture; it reports the p99 of the iterations.
//
//	go test -run X -bench LoggedIn ./web
func BenchmarkLoggedIn(b *testing.B) {
	e := newAuthEnv(b)
	br := e.browser(b)
	br.login(memberEmail, testPassword)
	sess := br.session()
	if sess == "" {
		b.Fatal("no session")
	}
	h := e.srv.Config.Handler
	for _, tc := range []struct {
		name, path, cookie string
	}{
		{"public/vorlagen-400", "/vorlagen/400", ""},
		{"member/vorlagen-400", "/vorlagen/400", sess},
		{"member/vorlagen-401-nonpublic", "/vorlagen/401", sess},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "ratsnetz-sitzung", Value: tc.cookie})
			}
			var durs []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				durs = append(durs, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds()), "p99-µs")
		})
	}
}
