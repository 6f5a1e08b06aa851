package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/bench"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// benchCmd measures the portal pages of a running server (--url) under
// concurrent load and, for each page, a static file of the same size served
// by a minimal Go server (--static-url, see `ratsnetz bench-static`): the
// ceiling on this machine. It reads sample IDs of public papers and meetings
// from the configured database.
func benchCmd(ctx context.Context, cfg app.Config, fs *flag.FlagSet, args []string, stdout io.Writer, logger *slog.Logger) error {
	target := fs.String("url", "http://127.0.0.1:8080", "URL des laufenden Servers")
	staticURL := fs.String("static-url", "", "URL eines `ratsnetz bench-static` für die Vergleichsmessung")
	pid := fs.Int("pid", 0, "Prozess-ID des Servers (für den Spitzenspeicher)")
	conc := fs.Int("concurrency", 32, "gleichzeitige Clients")
	dur := fs.Duration("duration", 10*time.Second, "Messdauer je Seite")
	only := fs.String("only", "", "nur diese Seiten (Komma-Liste der Namen)")
	extra := fs.String("targets", "", "weitere Ziele name=pfad, mit Komma getrennt ({paper}/{meeting} für Stichproben-IDs, {paperwide}/{meetingwide} für die aus --ids-from-range)")
	wide := fs.Int("ids-from-range", 0, "zusätzlich Vorlagen- und Sitzungsseiten mit so vielen öffentlichen IDs aus der ganzen Tabelle messen (meist nicht im Antwort-Cache)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m := app.NewMain(cfg, logger)
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	defer m.Close()

	// Sample IDs as the public sees them, so every request is a 200.
	pub := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	papers, _, err := m.DB.FindPapers(pub, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return err
	}
	meetings, _, err := m.DB.FindMeetings(pub, ratsnetz.MeetingFilter{Descending: true, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return err
	}
	if len(papers) == 0 || len(meetings) == 0 {
		return errors.New("Die Datenbank enthält keine öffentlichen Vorlagen oder Sitzungen; erst `ratsnetz demo` ausführen.")
	}
	var paperIDs, meetingIDs []int64
	for _, p := range papers {
		paperIDs = append(paperIDs, p.ID)
	}
	for _, mt := range meetings {
		meetingIDs = append(meetingIDs, mt.ID)
	}
	year := papers[len(papers)/2].Date.Year()

	targets := []bench.Target{
		{Name: "start /", Path: "/"},
		{Name: "sitzungen", Path: "/sitzungen"},
		{Name: "vorlagen gefiltert", Path: "/vorlagen?art=" + urlEscape(ratsnetz.PaperTypeMotion) + "&jahr=" + strconv.Itoa(year)},
		{Name: "vorlage", Path: "/vorlagen/{id}", IDs: paperIDs},
		{Name: "sitzung", Path: "/sitzungen/{id}", IDs: meetingIDs},
	}
	var wp, wm []int64
	if *wide > 0 {
		wp, wm, err = sampleWide(pub, m.DB, *wide)
		if err != nil {
			return err
		}
		targets = append(targets,
			bench.Target{Name: "vorlage breit", Path: "/vorlagen/{id}", IDs: wp},
			bench.Target{Name: "sitzung breit", Path: "/sitzungen/{id}", IDs: wm})
	}
	for _, spec := range strings.Split(*extra, ",") {
		name, path, ok := strings.Cut(strings.TrimSpace(spec), "=")
		if !ok {
			continue
		}
		t := bench.Target{Name: name, Path: path}
		switch {
		case strings.Contains(path, "{paperwide}") && len(wp) > 0:
			t.Path, t.IDs = strings.ReplaceAll(path, "{paperwide}", "{id}"), wp
		case strings.Contains(path, "{meetingwide}") && len(wm) > 0:
			t.Path, t.IDs = strings.ReplaceAll(path, "{meetingwide}", "{id}"), wm
		case strings.Contains(path, "{paper}"):
			t.Path, t.IDs = strings.ReplaceAll(path, "{paper}", "{id}"), paperIDs
		case strings.Contains(path, "{meeting}"):
			t.Path, t.IDs = strings.ReplaceAll(path, "{meeting}", "{id}"), meetingIDs
		}
		targets = append(targets, t)
	}
	if *only != "" {
		keep := strings.Split(*only, ",")
		targets = filterTargets(targets, keep)
	}

	fmt.Fprintf(stdout, "Lasttest %s, %d Clients, %s je Seite, Datenbank %s\n", *target, *conc, *dur, dbKind(cfg))
	opts := bench.Options{BaseURL: *target, Concurrency: *conc, Duration: *dur, Warmup: 2 * time.Second, PID: *pid}
	for _, t := range targets {
		res, err := bench.Run(ctx, opts, t)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res)
		if *staticURL != "" {
			sopts := opts
			sopts.BaseURL, sopts.PID = *staticURL, 0
			sres, err := bench.Run(ctx, sopts, bench.Target{Name: "  statisch gleicher Größe", Path: "/s/" + strconv.FormatInt(res.AvgBytes(), 10)})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, sres)
		}
	}
	return nil
}

// sampleWide walks all public papers and meetings in ID order and returns up
// to n IDs of each, evenly spread over the whole table: requests for them
// mostly miss the response cache.
func sampleWide(ctx context.Context, db *sqlstore.DB, n int) (papers, meetings []int64, err error) {
	var all []int64
	for after := int64(-1); ; {
		ps, _, err := db.FindPapersShallow(ctx, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
		if err != nil {
			return nil, nil, err
		}
		for _, p := range ps {
			all = append(all, p.ID)
		}
		if len(ps) < 1000 {
			break
		}
		after = ps[len(ps)-1].ID
	}
	papers = spread(all, n)
	all = nil
	for after := int64(-1); ; {
		ms, _, err := db.FindMeetingsShallow(ctx, ratsnetz.MeetingFilter{ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
		if err != nil {
			return nil, nil, err
		}
		for _, mt := range ms {
			all = append(all, mt.ID)
		}
		if len(ms) < 1000 {
			break
		}
		after = ms[len(ms)-1].ID
	}
	return papers, spread(all, n), nil
}

// spread returns up to n elements of ids, evenly spaced.
func spread(ids []int64, n int) []int64 {
	if len(ids) <= n {
		return ids
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = ids[i*len(ids)/n]
	}
	return out
}

func filterTargets(ts []bench.Target, names []string) []bench.Target {
	var out []bench.Target
	for _, t := range ts {
		for _, n := range names {
			if strings.TrimSpace(n) == t.Name {
				out = append(out, t)
			}
		}
	}
	return out
}

func dbKind(cfg app.Config) string {
	if cfg.IsPostgres() {
		return "PostgreSQL"
	}
	return "SQLite"
}

func urlEscape(s string) string {
	r := strings.NewReplacer(" ", "%20", "ä", "%C3%A4", "ö", "%C3%B6", "ü", "%C3%BC", "Ä", "%C3%84")
	return r.Replace(s)
}

// benchStatic serves /s/{size}: a file of that many bytes, through
// http.ServeContent like real downloads; the ceiling for page benchmarks.
func benchStatic(ctx context.Context, addr string, stdout io.Writer) error {
	var mu sync.Mutex
	cache := map[int][]byte{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{size}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("size"))
		if err != nil || n < 0 || n > 16<<20 {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		mu.Lock()
		b, ok := cache[n]
		if !ok {
			b = bytes.Repeat([]byte("x"), n)
			cache[n] = b
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(stdout, "bench-static listening on", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
