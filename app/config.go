// Package app wires Ratsnetz together: configuration from flags and
// RATSNETZ_* environment, the storage backend, the blob store, the portal and
// the OParl API. It lives outside cmd/ratsnetz so that end-to-end tests can
// start the whole system in-process (Main).
package app

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
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

	// OIDCIssuer switches single sign-on through the municipality's OpenID
	// Connect provider on (e.g. https://login.stadt.example/realms/rat);
	// the redirect URL is BaseURL + /anmelden/sso/callback.
	OIDCIssuer   string
	OIDCClientID string
	// OIDCClientSecret, or OIDCClientSecretFile holding it (preferred: the
	// secret stays out of the environment and process listings).
	OIDCClientSecret     string
	OIDCClientSecretFile string
	// OIDCLinkByEmail ("on"/"off", default off) links a first single sign-on
	// to the active local account with the provider's verified e-mail.
	OIDCLinkByEmail string
	// LocalLogin "off" hides password login (single sign-on only); default on.
	LocalLogin string
	// AuditRetention keeps audit events this long, e.g. "365d" (default) or
	// "2160h"; older ones are purged daily.
	AuditRetention string
	// SearchIndexer "off" stops the background search indexer (e.g. on a
	// read-only instance or while benchmarking); default on.
	SearchIndexer string
	// SMTPURL sends mail through SMTP (smtp://user:pass@host:587, see
	// mail.ParseSMTPURL); empty means the .eml outbox in DataDir.
	SMTPURL string
	// MailFrom is the sender address; empty means ratsnetz@<host of BaseURL>.
	MailFrom string
	// Secret (RATSNETZ_SECRET, at least 32 characters) is the secret every
	// instance shares: CSRF tokens and signed form values are derived from
	// it. Empty: a secret generated once and kept in the database, which
	// every instance on that database shares as well.
	Secret string
	// LogLevel is the least important level logged: debug, info (default),
	// warn or error.
	LogLevel string
	// PageConcurrency bounds the public page renders running at once:
	// "auto" (default, two per processor), a number, or "off".
	PageConcurrency string
	// PageStatements: "separate" (default) or "one" (PostgreSQL reads a
	// paper/meeting page in one statement).
	PageStatements string
	// LiveLinkGrace is how long a remote member's live connection may be
	// gone before it counts as a link failure: a Go duration of at least
	// 2s, "off" for no automatic detection, empty for the default (20s).
	LiveLinkGrace string
	// OParlDocs "off" stops the background builder of the stored OParl
	// documents (oparl/docs.go); every OParl page is then rendered live.
	// Default on.
	OParlDocs string
}

// MinSecretLen is the least length of RATSNETZ_SECRET.
const MinSecretLen = 32

// DefaultAuditRetention is how long audit events are kept by default.
const DefaultAuditRetention = 365 * 24 * time.Hour

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
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", env("RATSNETZ_OIDC_ISSUER", c.OIDCIssuer), "Single Sign-on: Issuer-URL des OpenID-Connect-Anbieters (RATSNETZ_OIDC_ISSUER)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", env("RATSNETZ_OIDC_CLIENT_ID", c.OIDCClientID), "Single Sign-on: Client-ID (RATSNETZ_OIDC_CLIENT_ID)")
	// The secret itself has no flag: flags show up in process listings.
	c.OIDCClientSecret = env("RATSNETZ_OIDC_CLIENT_SECRET", c.OIDCClientSecret)
	fs.StringVar(&c.OIDCClientSecretFile, "oidc-client-secret-file", env("RATSNETZ_OIDC_CLIENT_SECRET_FILE", c.OIDCClientSecretFile), "Single Sign-on: Datei mit dem Client-Secret (RATSNETZ_OIDC_CLIENT_SECRET_FILE; oder RATSNETZ_OIDC_CLIENT_SECRET)")
	fs.StringVar(&c.OIDCLinkByEmail, "oidc-link-by-email", env("RATSNETZ_OIDC_LINK_BY_EMAIL", c.OIDCLinkByEmail), "Single Sign-on: erste Anmeldung über die bestätigte E-Mail-Adresse mit dem lokalen Konto verknüpfen, on/off (RATSNETZ_OIDC_LINK_BY_EMAIL)")
	fs.StringVar(&c.LocalLogin, "local-login", env("RATSNETZ_LOCAL_LOGIN", c.LocalLogin), "Anmeldung mit Passwort, on/off (RATSNETZ_LOCAL_LOGIN)")
	fs.StringVar(&c.SearchIndexer, "search-indexer", env("RATSNETZ_SEARCH_INDEXER", c.SearchIndexer), "Suchindex im Hintergrund pflegen, on/off (RATSNETZ_SEARCH_INDEXER)")
	fs.StringVar(&c.OParlDocs, "oparl-docs", env("RATSNETZ_OPARL_DOCS", c.OParlDocs), "gespeicherte OParl-Dokumente im Hintergrund aufbauen, on/off (RATSNETZ_OPARL_DOCS)")
	fs.StringVar(&c.PageConcurrency, "page-concurrency", env("RATSNETZ_PAGE_CONCURRENCY", c.PageConcurrency), "gleichzeitige Seitenaufbauten, auto/Zahl/off (RATSNETZ_PAGE_CONCURRENCY; Standard auto = 2 je Prozessor)")
	fs.StringVar(&c.PageStatements, "page-statements", env("RATSNETZ_PAGE_STATEMENTS", c.PageStatements), "Seitenabfragen auf PostgreSQL: separate oder one (RATSNETZ_PAGE_STATEMENTS; Standard separate)")
	fs.StringVar(&c.AuditRetention, "audit-retention", env("RATSNETZ_AUDIT_RETENTION", c.AuditRetention), "Aufbewahrung des Protokolls, z. B. 365d (RATSNETZ_AUDIT_RETENTION)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("RATSNETZ_SMTP_URL", c.SMTPURL), "SMTP-Server, smtp://Benutzer:Passwort@Host:587 (RATSNETZ_SMTP_URL)")
	// The shared secret has no flag either.
	c.Secret = env("RATSNETZ_SECRET", c.Secret)
	fs.StringVar(&c.LogLevel, "log-level", env("RATSNETZ_LOG_LEVEL", c.LogLevel), "Protokollstufe: debug, info, warn oder error (RATSNETZ_LOG_LEVEL; Standard info)")
	fs.StringVar(&c.LiveLinkGrace, "live-link-grace", env("RATSNETZ_LIVE_LINK_GRACE", c.LiveLinkGrace), "Live-Sitzung: so lange darf die Verbindung eines zugeschalteten Mitglieds fehlen, bevor sie als Störung gilt, z. B. 20s oder off (RATSNETZ_LIVE_LINK_GRACE)")
	fs.StringVar(&c.MailFrom, "mail-from", env("RATSNETZ_MAIL_FROM", c.MailFrom), "Absenderadresse der Mails (RATSNETZ_MAIL_FROM)")
}

// onOff parses an on/off setting; "" is def.
func onOff(v string, def bool) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, true
	case "on", "true", "1", "yes", "ja", "an":
		return true, true
	case "off", "false", "0", "no", "nein", "aus":
		return false, true
	}
	return false, false
}

// SSO reports whether single sign-on is configured.
func (c Config) SSO() bool { return c.OIDCIssuer != "" }

// SearchIndexerEnabled reports whether the search index is kept up to date
// in the background.
func (c Config) SearchIndexerEnabled() bool { on, _ := onOff(c.SearchIndexer, true); return on }

// OParlDocsEnabled reports whether serve builds the stored OParl documents.
func (c Config) OParlDocsEnabled() bool { on, _ := onOff(c.OParlDocs, true); return on }

// LocalLoginEnabled reports whether password login is offered.
func (c Config) LocalLoginEnabled() bool { on, _ := onOff(c.LocalLogin, true); return on }

// LinkByEmail reports whether a first single sign-on links by e-mail.
func (c Config) LinkByEmail() bool { on, _ := onOff(c.OIDCLinkByEmail, false); return on }

// ClientSecret returns the OIDC client secret from the setting or its file
// (trailing line break removed).
func (c Config) ClientSecret() (string, error) {
	if c.OIDCClientSecretFile == "" {
		return c.OIDCClientSecret, nil
	}
	b, err := os.ReadFile(c.OIDCClientSecretFile)
	if err != nil {
		return "", fmt.Errorf("Die Datei mit dem Client-Secret %q (RATSNETZ_OIDC_CLIENT_SECRET_FILE) ist nicht lesbar: %v.", c.OIDCClientSecretFile, errors.Unwrap(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// Retention returns how long audit events are kept.
func (c Config) Retention() time.Duration {
	d, _ := parseRetention(c.AuditRetention)
	return d
}

// parseRetention reads "365d" or a Go duration ("2160h"); "" is the default.
func parseRetention(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultAuditRetention, true
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 36500 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 24*time.Hour || d > 36500*24*time.Hour {
		return 0, false
	}
	return d, true
}

// ParseLogLevel reads a log level setting: debug, info, warn or error
// (any case); "" is info.
func ParseLogLevel(v string) (slog.Level, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "debug":
		return slog.LevelDebug, true
	case "", "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return slog.LevelInfo, false
}

// MinLinkGrace is the shortest grace period of the live link monitoring.
const MinLinkGrace = 2 * time.Second

// ParseLinkGrace reads a link grace setting: a Go duration of at least
// MinLinkGrace, "off" (0: no automatic detection) or "" (the default).
func ParseLinkGrace(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	switch v {
	case "":
		return ratsnetz.DefaultLinkGrace, true
	case "off":
		return 0, true
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < MinLinkGrace {
		return 0, false
	}
	return d, true
}

// Validate checks the configuration and returns one clear sentence for the
// first problem found.
func (c Config) Validate() error {
	if _, ok := ParseLogLevel(c.LogLevel); !ok {
		return fmt.Errorf("Die Protokollstufe %q (--log-level / RATSNETZ_LOG_LEVEL) muss debug, info, warn oder error sein.", c.LogLevel)
	}
	if _, err := ParsePageConcurrency(c.PageConcurrency); err != nil {
		return err
	}
	if _, err := ParsePageStatements(c.PageStatements); err != nil {
		return err
	}
	if _, ok := ParseLinkGrace(c.LiveLinkGrace); !ok {
		return fmt.Errorf("Die Karenzzeit der Verbindungsüberwachung %q (--live-link-grace / RATSNETZ_LIVE_LINK_GRACE) muss eine Dauer von mindestens 2s sein, zum Beispiel 20s, oder off.", c.LiveLinkGrace)
	}
	if c.Secret != "" && len(c.Secret) < MinSecretLen {
		return fmt.Errorf("Das gemeinsame Geheimnis (RATSNETZ_SECRET) muss mindestens %d Zeichen lang sein, zum Beispiel die Ausgabe von „openssl rand -base64 48“; es hat %d.", MinSecretLen, len(c.Secret))
	}
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
	return c.validateAccess()
}

// validateAccess checks the single sign-on, login and audit settings.
func (c Config) validateAccess() error {
	if _, ok := onOff(c.SearchIndexer, true); !ok {
		return fmt.Errorf("RATSNETZ_SEARCH_INDEXER muss on oder off sein, nicht %q.", c.SearchIndexer)
	}
	if _, ok := onOff(c.OParlDocs, true); !ok {
		return fmt.Errorf("RATSNETZ_OPARL_DOCS muss on oder off sein, nicht %q.", c.OParlDocs)
	}
	if _, ok := onOff(c.LocalLogin, true); !ok {
		return fmt.Errorf("RATSNETZ_LOCAL_LOGIN muss on oder off sein, nicht %q.", c.LocalLogin)
	}
	if _, ok := onOff(c.OIDCLinkByEmail, false); !ok {
		return fmt.Errorf("RATSNETZ_OIDC_LINK_BY_EMAIL muss on oder off sein, nicht %q.", c.OIDCLinkByEmail)
	}
	if _, ok := parseRetention(c.AuditRetention); !ok {
		return fmt.Errorf("Die Aufbewahrungsdauer des Protokolls %q (RATSNETZ_AUDIT_RETENTION) muss eine Anzahl Tage wie 365d sein, mindestens 1d.", c.AuditRetention)
	}
	if !c.SSO() {
		if c.OIDCClientID != "" || c.OIDCClientSecret != "" || c.OIDCClientSecretFile != "" {
			return errors.New("Für Single Sign-on fehlt die Issuer-URL des Anbieters (RATSNETZ_OIDC_ISSUER), obwohl Client-Angaben gesetzt sind.")
		}
		if !c.LocalLoginEnabled() {
			return errors.New("Die Anmeldung mit Passwort kann nur abgeschaltet werden (RATSNETZ_LOCAL_LOGIN=off), wenn Single Sign-on eingerichtet ist (RATSNETZ_OIDC_ISSUER).")
		}
		return nil
	}
	u, err := url.Parse(c.OIDCIssuer)
	loopback := err == nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback())
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || !(u.Scheme == "https" || u.Scheme == "http" && loopback) {
		return fmt.Errorf("Die Issuer-URL %q (RATSNETZ_OIDC_ISSUER) muss eine absolute https-URL ohne Query sein, zum Beispiel https://login.musterstadt.de/realms/rat.", c.OIDCIssuer)
	}
	if c.OIDCClientID == "" {
		return errors.New("Für Single Sign-on fehlt die Client-ID (RATSNETZ_OIDC_CLIENT_ID).")
	}
	if c.OIDCClientSecret != "" && c.OIDCClientSecretFile != "" {
		return errors.New("Bitte setzen Sie entweder RATSNETZ_OIDC_CLIENT_SECRET oder RATSNETZ_OIDC_CLIENT_SECRET_FILE, nicht beides.")
	}
	secret, err := c.ClientSecret()
	if err != nil {
		return err
	}
	if secret == "" {
		return errors.New("Für Single Sign-on fehlt das Client-Secret (RATSNETZ_OIDC_CLIENT_SECRET_FILE oder RATSNETZ_OIDC_CLIENT_SECRET).")
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
	secret := ""
	if c.OIDCClientSecret != "" {
		secret = "xxxxx"
	}
	shared := "database"
	if c.Secret != "" {
		shared = "xxxxx"
	}
	return fmt.Sprintf("addr=%s data=%s database=%s base_url=%s demo=%t oidc_issuer=%s oidc_client_id=%s oidc_client_secret=%s oidc_client_secret_file=%s local_login=%t audit_retention=%s smtp=%s secret=%s log_level=%s",
		c.Addr, c.DataDir, redact(c.DatabaseURL), c.BaseURL, c.Demo, c.OIDCIssuer, c.OIDCClientID, secret, c.OIDCClientSecretFile, c.LocalLoginEnabled(), c.Retention(), redact(c.SMTPURL), shared, c.logLevelName())
}

// logLevelName is the level's name as the settings spell it.
func (c Config) logLevelName() string {
	l, _ := ParseLogLevel(c.LogLevel)
	return strings.ToLower(l.String())
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
