package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
	"github.com/ratsnetz/ratsnetz/oparl/validate"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// oparlServe runs `ratsnetz oparl serve`: only the OParl API over an existing
// database, read-only — no migration, no background work, no response cache.
// For benchmarks and for importing from a dataset that must stay untouched
// (scripts/bench-import.sh).
func oparlServe(ctx context.Context, cfg *app.Config, fs *flag.FlagSet, args []string, stderr io.Writer, logger *slog.Logger) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	var db *sqlstore.DB
	var err error
	if cfg.IsPostgres() {
		db, err = postgres.Open(ctx, cfg.DatabaseURL)
	} else {
		db, err = sqlite.Open(ctx, cfg.SQLitePath())
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	mux := http.NewServeMux()
	mux.Handle("/oparl/", oparl.NewServer(oparl.Config{Store: db, BaseURL: base, Logger: logger}).Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "OParl (nur lesend): %s/oparl/v1.1/system\n", base)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	<-done
	return nil
}

// oparlValidate runs `ratsnetz oparl validate URL`: it walks an OParl
// endpoint and reports every finding; the exit code is non-zero on errors.
func oparlValidate(ctx context.Context, fs *flag.FlagSet, args []string, stdout io.Writer) error {
	asJSON := fs.Bool("json", false, "Bericht als JSON")
	maxObjects := fs.Int("max-objects", 0, "höchstens so viele Objekte prüfen (0 = 50 000)")
	conc := fs.Int("concurrency", 0, "gleichzeitige Anfragen (0 = 4)")
	delay := fs.Duration("delay", 0, "Pause nach jeder Anfrage (Rücksicht auf den Server)")
	noFiles := fs.Bool("no-files", false, "Datei-URLs nicht prüfen")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("Aufruf: ratsnetz oparl validate [Optionen] URL")
	}
	opts := validate.Options{URL: fs.Arg(0), Client: &http.Client{Timeout: time.Minute}, MaxObjects: *maxObjects, Concurrency: *conc, Delay: *delay}
	if *noFiles {
		opts.FileChecks = -1
	}
	rep, err := validate.Run(ctx, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.Write(stdout)
	}
	if err != nil {
		return err
	}
	if n := rep.Errors(); n > 0 {
		return fmt.Errorf("die OParl-Prüfung fand %d Fehler", n)
	}
	return nil
}

// importOparl runs `ratsnetz import oparl URL` into the configured store.
func importOparl(ctx context.Context, cfg app.Config, fs *flag.FlagSet, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	conc := fs.Int("concurrency", 4, "gleichzeitige Anfragen an den entfernten Server")
	bodies := fs.String("bodies", "", "nur diese Körperschaften (OParl-IDs, mit Komma getrennt)")
	files := fs.Bool("files", false, "Dateiinhalte herunterladen und speichern")
	full := fs.Bool("full", false, "alle Listen vollständig statt nur Änderungen seit dem letzten Lauf")
	pageSize := fs.Int("limit", 1000, "Objekte je Listenseite anfragen (OParl-Parameter limit; 0 = Vorgabe des Servers)")
	cpuProfile := fs.String("cpuprofile", "", "CPU-Profil des Imports in diese Datei schreiben (für Messungen)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("Aufruf: ratsnetz import oparl [Optionen] URL")
	}
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	m := app.NewMain(cfg, logger)
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	defer m.Close()
	opts := importer.Options{
		URL: fs.Arg(0), Store: m.DB, Blobs: m.Blobs, Concurrency: *conc, FetchFiles: *files, Full: *full, PageSize: *pageSize,
		Progress: stderr, Logger: logger,
	}
	if *bodies != "" {
		opts.Bodies = strings.Split(*bodies, ",")
	}
	rep, err := importer.Run(ratsnetz.SystemContext(ctx), opts)
	if rep != nil {
		if werr := rep.Write(stdout); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// oparlDocs runs `ratsnetz oparl docs`: it renders the stored OParl
// documents (meetings, papers) of the configured database for the
// configured base URL now, instead of waiting for a running server's
// background builder, and reports objects, size, time and CPU. The
// documents are this binary's: a server serves them only if it is the same
// build (app.ExecutableBuild) with the same RATSNETZ_BASE_URL.
func oparlDocs(ctx context.Context, cfg app.Config, fs *flag.FlagSet, args []string, stdout io.Writer, logger *slog.Logger) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.BaseURL == "" {
		return fmt.Errorf("ratsnetz oparl docs braucht die öffentliche Adresse (--base-url / RATSNETZ_BASE_URL) des Servers, der die Dokumente ausliefert")
	}
	build := app.ExecutableBuild()
	if build == "" {
		return fmt.Errorf("das Programm selbst ist nicht lesbar; ohne Build-Kennung keine gespeicherten Dokumente")
	}
	m := app.NewMain(cfg, logger)
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	defer m.Close()
	api := oparl.NewServer(oparl.Config{Store: m.DB, BaseURL: cfg.BaseURL, Logger: logger, Build: build})
	start, cpu0 := time.Now(), cpuTime()
	st, err := api.BuildDocs(ctx)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(st.Kinds) == 0 {
		fmt.Fprintln(stdout, "Gespeicherte OParl-Dokumente sind aktuell.")
		return nil
	}
	fmt.Fprintf(stdout, "OParl-Dokumente (%s): %d Objekte, %.1f MB JSON, %.1f MB gespeichert (komprimiert) in %s (%.0f Objekte/s, %.1f s CPU)\n",
		strings.Join(st.Kinds, ", "), st.Objects, float64(st.JSONBytes)/1e6, float64(st.Bytes)/1e6, took.Round(time.Millisecond),
		float64(st.Objects)/took.Seconds(), (cpuTime() - cpu0).Seconds())
	if st.Superseded {
		fmt.Fprintln(stdout, "Ein anderer Lauf (Server oder Befehl) hat währenddessen neu begonnen; seine Dokumente gelten.")
	}
	return nil
}
