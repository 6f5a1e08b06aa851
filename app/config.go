// Package app wires Ratsnetz together: configuration from flags and
// RATSNETZ_* environment, the storage backend, the blob store, the portal and
// the OParl API. It lives outside cmd/ratsnetz so that end-to-end tests can
// start the whole system in-process (Main).
package app

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Config is the configuration shared by every subcommand.
type Config struct {
	// Addr is the HTTP listen address, e.g. ":8080" or "127.0.0.1:0".
	Addr string
	// DataDir holds the SQLite file, uploaded files and the mail outbox.
	DataDir string
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://; empty means SQLite in DataDir.
	DatabaseURL string
	// BaseURL is the public URL used in links; empty means derived from Addr.
	BaseURL string
	// Demo loads the demo municipality into an empty database at start.
	Demo bool
}

// DefaultConfig returns the embedded default: SQLite and files under ./data.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DataDir: "data"}
}

// BindFlags registers the shared settings on fs, with defaults taken from
// the environment (RATSNETZ_ADDR, RATSNETZ_DATA, RATSNETZ_DATABASE_URL,
// RATSNETZ_BASE_URL) so that flags override the environment.
func (c *Config) BindFlags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("RATSNETZ_ADDR", c.Addr), "HTTP-Adresse (RATSNETZ_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("RATSNETZ_DATA", c.DataDir), "Datenverzeichnis (RATSNETZ_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("RATSNETZ_DATABASE_URL", c.DatabaseURL), "Datenbank-URL, postgres://… für PostgreSQL (RATSNETZ_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("RATSNETZ_BASE_URL", c.BaseURL), "öffentliche URL für Links (RATSNETZ_BASE_URL)")
}

// Validate checks the configuration and returns one clear sentence for the
// first problem found.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("Die HTTP-Adresse (--addr / RATSNETZ_ADDR) darf nicht leer sein.")
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("Die HTTP-Adresse %q (--addr / RATSNETZ_ADDR) hat nicht die Form Host:Port, zum Beispiel :8080.", c.Addr)
	}
	if c.DataDir == "" {
		return errors.New("Das Datenverzeichnis (--data / RATSNETZ_DATA) darf nicht leer sein.")
	}
	if c.DatabaseURL != "" && !c.IsPostgres() && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		return fmt.Errorf("Die Datenbank-URL (RATSNETZ_DATABASE_URL) muss mit postgres:// oder sqlite: beginnen, nicht %q.", redact(c.DatabaseURL))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("Die öffentliche URL %q (RATSNETZ_BASE_URL) muss eine absolute http(s)-URL ohne Query sein, zum Beispiel https://rat.musterstadt.de.", c.BaseURL)
		}
	}
	return nil
}

// IsPostgres reports whether PostgreSQL is configured.
func (c Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the SQLite database file used when PostgreSQL is not configured.
func (c Config) SQLitePath() string {
	if p, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && p != "" {
		return p
	}
	return filepath.Join(c.DataDir, "ratsnetz.db")
}

// String prints the configuration with secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("addr=%s data=%s database=%s base_url=%s demo=%t", c.Addr, c.DataDir, redact(c.DatabaseURL), c.BaseURL, c.Demo)
}

// redact masks the password of a database URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// ensureDir creates dir if needed and reports a clear error otherwise.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("Das Datenverzeichnis %q kann nicht angelegt werden: %w", dir, err)
	}
	return nil
}
