// Command ratsnetz runs the Ratsnetz council information system.
//
//	ratsnetz serve [--demo]        start the web portal and the OParl API
//	ratsnetz migrate               bring the database schema up to date
//	ratsnetz demo [--scale large]  load the demo municipality Musterstadt
//	ratsnetz version               print the version
//
// Settings come from flags or RATSNETZ_* environment variables; see README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Berlin on any machine

	"github.com/ratsnetz/ratsnetz/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "ratsnetz:", err)
		os.Exit(1)
	}
}

const usage = `Ratsnetz – Ratsinformationssystem

Aufruf: ratsnetz <Befehl> [Optionen]

Befehle:
  serve      Webportal und OParl-API starten (--demo lädt Musterstadt in eine leere Datenbank)
  migrate    Datenbankschema aktualisieren
  demo       Demo-Kommune Musterstadt laden (--scale small|large)
  version    Version ausgeben
  oparl validate URL   OParl-Schnittstelle prüfen (Bericht mit Prüf-IDs; Fehler → Exit-Code 1)
  oparl docs           gespeicherte OParl-Dokumente jetzt neu erzeugen
  import oparl URL     Daten einer OParl-Schnittstelle importieren (inkrementell, fortsetzbar)
  bench      Lasttest gegen einen laufenden Server (siehe README, make bench)
  search reindex       Suchindex neu aufbauen (search bench: Antwortzeiten messen)

Gemeinsame Optionen (auch als Umgebungsvariablen):
  --addr          RATSNETZ_ADDR          HTTP-Adresse (Standard :8080)
  --data          RATSNETZ_DATA          Datenverzeichnis (Standard ./data)
  --database-url  RATSNETZ_DATABASE_URL  postgres://… für PostgreSQL (Standard: SQLite im Datenverzeichnis)
  --base-url      RATSNETZ_BASE_URL      öffentliche URL für Links
  --log-level     RATSNETZ_LOG_LEVEL     Protokollstufe: debug, info, warn oder error (Standard info)
                  RATSNETZ_SECRET        gemeinsames Geheimnis mehrerer Instanzen (mindestens 32 Zeichen)
`

// commandLogger returns the command's logger. Its level is
// RATSNETZ_LOG_LEVEL (already in cfg) and follows --log-level as the
// subcommand parses fs; an invalid flag value stops the start through
// cfg.Validate, an invalid environment value here (one sentence each).
func commandLogger(fs *flag.FlagSet, cfg *app.Config, w io.Writer) (*slog.Logger, error) {
	level := new(slog.LevelVar)
	if f := fs.Lookup("log-level"); f != nil {
		f.Value = levelFlag{f.Value, level}
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	l, ok := app.ParseLogLevel(cfg.LogLevel)
	if !ok {
		return logger, fmt.Errorf("Die Protokollstufe %q (RATSNETZ_LOG_LEVEL) muss debug, info, warn oder error sein.", cfg.LogLevel)
	}
	level.Set(l)
	return logger, nil
}

// levelFlag is the --log-level flag: it sets the logger's level as it is
// parsed. An invalid value sets nothing and is reported by the
// configuration check; the flag package would add its usage text.
type levelFlag struct {
	flag.Value
	level *slog.LevelVar
}

func (f levelFlag) Set(v string) error {
	if err := f.Value.Set(v); err != nil {
		return err
	}
	if l, ok := app.ParseLogLevel(v); ok {
		f.level.Set(l)
	}
	return nil
}

// run executes one subcommand; it is main without the process exit.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, args := args[0], args[1:]
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet("ratsnetz "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.BindFlags(fs, getenv)
	logger, err := commandLogger(fs, &cfg, stderr)
	if err != nil && cmd != "help" && cmd != "version" {
		return err
	}

	switch cmd {
	case "serve":
		fs.BoolVar(&cfg.Demo, "demo", false, "Demo-Kommune Musterstadt in eine leere Datenbank laden")
		if err := fs.Parse(args); err != nil {
			return err
		}
		setMemoryLimit(getenv, logger)
		return serve(ctx, cfg, logger)
	case "migrate":
		if err := fs.Parse(args); err != nil {
			return err
		}
		m := app.NewMain(cfg, logger)
		if err := m.OpenStorage(ctx); err != nil {
			return err
		}
		defer m.Close()
		fmt.Fprintln(stdout, "Datenbankschema ist aktuell.")
		return nil
	case "demo":
		scale := fs.String("scale", "small", "Umfang: small (Musterstadt) oder large (Lasttest-Datensatz)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *scale != "small" && *scale != "large" {
			return fmt.Errorf("Der Umfang %q ist unbekannt; erlaubt sind small und large.", *scale)
		}
		m := app.NewMain(cfg, logger)
		if err := m.OpenStorage(ctx); err != nil {
			return err
		}
		defer m.Close()
		start := time.Now()
		sum, err := m.LoadDemo(ctx, *scale, func(line string) { fmt.Fprint(stderr, line) })
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Demo geladen in %s: %+v\n", time.Since(start).Round(time.Millisecond), sum)
		return nil
	case "oparl":
		if len(args) > 0 && args[0] == "serve" {
			return oparlServe(ctx, &cfg, fs, args[1:], stderr, logger)
		}
		if len(args) > 0 && args[0] == "docs" {
			return oparlDocs(ctx, cfg, fs, args[1:], stdout, logger)
		}
		if len(args) == 0 || args[0] != "validate" {
			return fmt.Errorf("Aufruf: ratsnetz oparl validate|serve|docs …")
		}
		return oparlValidate(ctx, fs, args[1:], stdout)
	case "import":
		if len(args) == 0 || args[0] != "oparl" {
			return fmt.Errorf("Aufruf: ratsnetz import oparl URL")
		}
		return importOparl(ctx, cfg, fs, args[1:], stdout, stderr, logger)
	case "search":
		return searchCmd(ctx, &cfg, fs, args, stdout, stderr, logger)
	case "bench":
		return benchCmd(ctx, cfg, fs, args, stdout, logger)
	case "bench-live":
		return benchLive(ctx, cfg, fs, args, stdout, logger)
	case "bench-static":
		if err := fs.Parse(args); err != nil {
			return err
		}
		return benchStatic(ctx, cfg.Addr, stdout)
	case "version":
		fmt.Fprintln(stdout, "ratsnetz", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unbekannter Befehl %q", cmd)
	}
}

// serve runs the system until ctx is cancelled (SIGINT/SIGTERM).
func serve(ctx context.Context, cfg app.Config, logger *slog.Logger) error {
	m := app.NewMain(cfg, logger)
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return m.Close()
}
