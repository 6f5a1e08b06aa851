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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/bench"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/respcache"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
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
// variable RATSNETZ_WEB_BENCH_DATA (skipped without it); with
// RATSNETZ_WEB_BENCH_POSTGRES (a postgres:// URL of the same dataset) it
// measures PostgreSQL instead. Paper and meeting pages walk the whole table
// (uncached pages in the real server). Besides ns/op it reports the CPU time
// per page of this process (go-cpu-µs/op) and, on PostgreSQL, of the server
// backends of this benchmark's connections (pg-cpu-µs/op): numbers that the
// load of other processes on the machine hardly moves.
//
//	RATSNETZ_WEB_BENCH_DATA=/tmp/ratsnetz-bench/data-sqlite go test -run X -bench Large ./web
//	RATSNETZ_WEB_BENCH_DATA=/tmp/ratsnetz-bench/data-postgres \
//	RATSNETZ_WEB_BENCH_POSTGRES='postgres://postgres@127.0.0.1:5432/ratsnetz_bench?sslmode=disable' \
//	  go test -run X -bench Large ./web
func BenchmarkLarge(b *testing.B) {
	dir := os.Getenv("RATSNETZ_WEB_BENCH_DATA")
	if dir == "" {
		b.Skip("RATSNETZ_WEB_BENCH_DATA not set")
	}
	ctx := context.Background()
	var db *sqlstore.DB
	var err error
	pgURL := os.Getenv("RATSNETZ_WEB_BENCH_POSTGRES")
	if pgURL != "" {
		sep := "?"
		if strings.Contains(pgURL, "?") {
			sep = "&"
		}
		db, err = postgres.Open(ctx, pgURL+sep+"application_name="+benchAppName)
	} else {
		// sqlite.Open would create a missing file; a benchmark must not.
		if _, err := os.Stat(dir + "/ratsnetz.db"); err != nil {
			b.Fatalf("no SQLite dataset: %v", err)
		}
		db, err = sqlite.Open(ctx, dir+"/ratsnetz.db")
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// RATSNETZ_WEB_BENCH_ONE_STATEMENT=1 measures the one-statement page
	// finds (sqlstore DB.OneStatementPages; PostgreSQL only).
	db.OneStatementPages = os.Getenv("RATSNETZ_WEB_BENCH_ONE_STATEMENT") == "1"
	blobs, _ := disk.New(dir + "/files")
	h := NewServer(Config{Store: db, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), Now: time.Now}).Handler()
	// The served portal runs behind the response cache (app/main.go): its
	// uncached path (data version, key, recording, storing) is part of the
	// cost of an uncached page.
	cached := respcache.New(respcache.Config{Version: db.DataVersion}).Wrap(h, respcache.Policy{})
	paths := map[string]func(i int) string{
		"home":      func(int) string { return "/" },
		"meetings":  func(int) string { return "/sitzungen" },
		"papersArt": func(int) string { return "/vorlagen?art=Antrag&jahr=2025" },
		"paper":     func(i int) string { return fmt.Sprintf("/vorlagen/%d", 1+(i*7919+200000)%200000) },
		"meeting":   func(i int) string { return fmt.Sprintf("/sitzungen/%d", 1+(i*7919+20000)%20000) },
	}
	for _, name := range []string{"home", "meetings", "papersArt", "paper", "meeting", "paper+respcache", "meeting+respcache"} {
		base, viaCache := strings.CutSuffix(name, "+respcache")
		f := paths[base]
		h := h
		if viaCache {
			h = cached
		}
		b.Run(name, func(b *testing.B) {
			// Warm up: statement plans per pooled connection, caches.
			for i := range 50 {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, f(-1-i), nil))
			}
			i := 0
			goCPU, pgCPU := processCPU(), pgBackendCPU(b, db, pgURL != "")
			for b.Loop() {
				i++
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, f(i), nil))
				if w.Code >= 500 {
					b.Fatalf("status %d", w.Code)
				}
			}
			b.ReportMetric(float64((processCPU()-goCPU).Microseconds())/float64(i), "go-cpu-µs/op")
			if pgURL != "" {
				b.ReportMetric(float64((pgBackendCPU(b, db, true)-pgCPU).Microseconds())/float64(i), "pg-cpu-µs/op")
			}
		})
	}
}

// benchAppName marks the PostgreSQL connections of BenchmarkLarge.
const benchAppName = "ratsnetz-webbench"

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgBackendCPU sums the user+system CPU time of the local PostgreSQL
// backends serving this benchmark's connections (from /proc, so only for a
// server on this machine; 0 otherwise).
func pgBackendCPU(b *testing.B, db *sqlstore.DB, on bool) time.Duration {
	if !on {
		return 0
	}
	rows, err := db.ReadDB().Query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, benchAppName)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		if cpu, err := bench.ProcessCPU(pid); err == nil {
			total += cpu
		}
	}
	return total
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

// BenchmarkRenderViews measures only the template work of a paper page (four
// consultations, three files, two text sections) and of a meeting page
// (twenty agenda items, four files): no store, no network.
//
//	go test -run X -bench RenderViews -benchmem ./web
func BenchmarkRenderViews(b *testing.B) {
	s := NewServer(Config{Store: nil})
	start := time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)
	files := []fileRow{{ID: 501, Name: "Einladung", Label: "file.invitation", Size: 48213},
		{ID: 502, Name: "Niederschrift der Sitzung", Label: "file.resultsProtocol", Size: 1 << 20},
		{ID: 503, Name: "Anlage 1: Lageplan", Label: "file.auxiliary", Size: 734003},
		{ID: 504, Name: "Anlage 2: Kostenschätzung & Finanzierung", Label: "file.auxiliary", Size: 90211}}
	m := &meetingViewData{
		Meeting: &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: 200}, Name: "12. Sitzung des Ausschusses für Umwelt und Verkehr",
			MeetingState: "eingeladen", Start: start, End: start.Add(3 * time.Hour), Mode: "Präsenzsitzung", Public: true},
		Orgs: []link{{ID: 11, Name: "Ausschuss für Umwelt und Verkehr"}}, Place: "Rathaus, Ratssaal, Markt 1, 12345 Musterstadt",
		Files: files,
	}
	for i := range 16 {
		m.Public = append(m.Public, agendaRow{ID: int64(300 + i), MeetingID: 200, Number: fmt.Sprintf("Ö %d", i+1),
			Name: fmt.Sprintf("Neubau des Radwegs an der Hauptstraße, Abschnitt %d – Planungsbeschluss", i), Result: ratsnetz.ResultAdopted,
			PaperID: int64(400 + i), PaperRef: fmt.Sprintf("2026/%04d", i+1)})
	}
	for i := range 4 {
		m.NonPublic = append(m.NonPublic, agendaRow{ID: int64(320 + i), MeetingID: 200, Number: fmt.Sprintf("N %d", i+1), Redacted: true})
	}
	text := strings.Repeat("Die Verwaltung wird beauftragt, den Radweg zwischen Markt und Bahnhof neu zu bauen. ", 10)
	p := &paperViewData{
		Paper: &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: 400}, Name: "Neubau des Radwegs an der Hauptstraße", Reference: "2026/0001",
			Date: day(2026, 10, 1), PaperType: ratsnetz.PaperTypeResolution, Status: ratsnetz.PaperStatusInProgress, Public: true,
			Sections: []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: text}, {Heading: ratsnetz.SectionReasoning, Text: text + text}}},
		UnderDirection: []link{{ID: 30, Name: "Fachbereich Tiefbau"}},
		Responsible:    &ratsnetz.Person{Meta: ratsnetz.Meta{ID: 101}, Name: "Bernd Muster"},
		Files:          files[1:],
		Related:        []*ratsnetz.Paper{{Meta: ratsnetz.Meta{ID: 402}, Name: "Antrag auf Tempo 30", Reference: "2025/0100"}},
	}
	for i := range 4 {
		p.Consultations = append(p.Consultations, consultationRow{
			Consultation: &ratsnetz.Consultation{Role: ratsnetz.ConsultationPreliminary, Status: "beraten", Result: ratsnetz.ResultRecommended},
			Orgs:         []link{{ID: int64(11 + i), Name: "Ausschuss für Umwelt und Verkehr"}},
			Meeting:      &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: int64(200 + i)}, Start: start.AddDate(0, 0, 7*i)},
			AgendaItem:   &ratsnetz.AgendaItem{Meta: ratsnetz.Meta{ID: int64(300 + i)}, MeetingID: int64(200 + i), Number: "Ö 3"},
		})
	}
	for _, tc := range []struct {
		name, tmpl, path, title string
		data                    any
	}{
		{"paper", "paper", "/vorlagen/400", p.Paper.Name, p},
		{"meeting", "meeting", "/sitzungen/200", m.Meeting.Name, m},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				s.render(w, req, http.StatusOK, tc.tmpl, s.newPage(req, tc.title, tc.data))
			}
		})
	}
}
