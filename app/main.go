package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/audit"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/respcache"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/throttle"
	"github.com/ratsnetz/ratsnetz/web"
)

// Version is the product version shown by `ratsnetz version` and OParl.
const Version = "0.1.0"

// Main is the whole running system: store, blobs and HTTP server. Tests
// start it in-process with Addr "127.0.0.1:0".
type Main struct {
	Config Config
	Logger *slog.Logger
	Now    func() time.Time

	DB    *sqlstore.DB
	Blobs *disk.Store
	// Audit records accesses to non-public material off the request path.
	Audit *audit.Recorder

	// closers stop what the areas started (workers, hubs), in reverse
	// order, after the HTTP server and before the database closes.
	closers []func() error
	// onShutdown runs when the HTTP server starts shutting down (ends
	// long-lived streams such as live SSE, which Shutdown would wait for).
	onShutdown []func()

	ln     net.Listener
	server *http.Server
	done   chan error
	url    string

	// closeOnce makes Close idempotent: a second call (a test's cleanup
	// after an explicit Close, a signal during shutdown) waits for the
	// first and returns its error instead of blocking on done.
	closeOnce sync.Once
	closeErr  error
}

// NewMain returns a Main for cfg; call Open to start it.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Main{Config: cfg, Logger: logger, Now: time.Now}
}

// OpenStorage opens and migrates the database and the blob store.
func (m *Main) OpenStorage(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	if err := ensureDir(m.Config.DataDir); err != nil {
		return err
	}
	var err error
	if m.Config.IsPostgres() {
		m.DB, err = postgres.Open(ctx, m.Config.DatabaseURL)
	} else {
		m.DB, err = sqlite.Open(ctx, m.Config.SQLitePath())
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	if err := m.DB.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if m.Blobs, err = disk.New(filepath.Join(m.Config.DataDir, "files")); err != nil {
		return fmt.Errorf("open file store: %w", err)
	}
	return nil
}

// LoadDemo loads the demo municipality at the given scale.
func (m *Main) LoadDemo(ctx context.Context, scale string, progress func(string)) (demo.Summary, error) {
	opts := demo.Options{Scale: scale, Now: m.Now()}
	if progress != nil {
		opts.Progress = progressWriter(progress)
	}
	return demo.Load(ratsnetz.SystemContext(ctx), m.DB, m.Blobs, opts)
}

// Open opens storage, loads the demo if configured and the database is
// empty, and starts serving HTTP.
func (m *Main) Open(ctx context.Context) (err error) {
	// A failure after Listen must not leave the port bound: the caller's
	// Close only shuts down a server that was started.
	defer func() {
		if err != nil && m.server == nil && m.ln != nil {
			m.ln.Close()
			m.ln = nil
		}
	}()
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	if m.Config.Demo {
		empty, err := m.DB.Empty(ctx)
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if empty {
			m.Logger.Info("loading demo municipality Musterstadt")
			sum, err := m.LoadDemo(ctx, "small", nil)
			if err != nil {
				return fmt.Errorf("load demo: %w", err)
			}
			m.Logger.Info("demo loaded", "summary", fmt.Sprintf("%+v", sum))
		}
		// Demo accounts per role (README); idempotent.
		if _, err := demo.LoadAccounts(ratsnetz.SystemContext(ctx), m.DB, password.Hasher{}, m.Now()); err != nil {
			m.Logger.Warn("demo accounts not created", "err", err)
		}
	}

	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	m.url = "http://" + ln.Addr().String()
	if host, port, _ := net.SplitHostPort(m.Config.Addr); host == "" || host == "0.0.0.0" || host == "::" {
		m.url = "http://localhost:" + port
		if port == "0" {
			m.url = "http://" + ln.Addr().String()
		}
	}
	baseURL := m.Config.BaseURL
	if baseURL == "" {
		baseURL = m.url
	}

	m.Audit = audit.New(m.DB, m.Logger, m.Now, 1024)
	authSvc := &auth.Service{Accounts: m.DB, AccountLimiter: throttle.New(throttle.Account(), m.Now),
		IPLimiter: throttle.New(throttle.IP(), m.Now), Now: m.Now, Logger: m.Logger, Issuer: "Ratsnetz"}
	wcfg := web.Config{Store: m.DB, Blobs: m.Blobs, BaseURL: baseURL, Logger: m.Logger, Now: m.Now,
		Auth: authSvc, Mailer: &mail.Outbox{Dir: filepath.Join(m.Config.DataDir, "outbox"), Now: m.Now}, Access: m.Audit,
		Secure: strings.HasPrefix(baseURL, "https://")}
	if wcfg.Secret, err = m.webSecret(ctx); err != nil {
		return err
	}
	if err := m.openAccess(ctx, baseURL, authSvc, &wcfg); err != nil {
		return err
	}
	if err := m.openAreas(ctx, baseURL, &wcfg); err != nil {
		return err
	}
	m.DB.OneStatementPages, _ = ParsePageStatements(m.Config.PageStatements)
	wcfg.Pages = m.openPages()
	ws := web.NewServer(wcfg)
	api := m.openOParl(baseURL)
	// Public responses are cached until the next write (respcache keys them
	// by the store's data version). OParl ignores sessions: only an
	// Authorization header bypasses its cache; its responses do not depend on
	// the language.
	cache := respcache.New(respcache.Config{Version: m.DB.DataVersion, Logger: m.Logger})
	ws.Mount("/oparl/", cache.Wrap(api.Handler(), respcache.Policy{Public: respcache.NoAuthorization, Variant: respcache.NoVariant}))

	m.server = &http.Server{
		// Only a session cookie makes a viewer more than the public: the
		// anonymous CSRF and language cookies share the cached pages.
		Handler: cache.Wrap(ws.Handler(), respcache.Policy{Skip: uncachedPortalPath,
			Public: respcache.WithoutCookies(auth.Cookies{}.SessionName(), auth.Cookies{Secure: true}.SessionName())}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	for _, f := range m.onShutdown {
		m.server.RegisterOnShutdown(f)
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(ln) }()
	m.Logger.Info("ratsnetz listening", "url", m.url, "base_url", baseURL, "database", redact(m.Config.DatabaseURL))
	return nil
}

// openAreas lets each area (app/<area>.go) build its portal dependencies;
// an area may start background work it registers in m.closers.
func (m *Main) openAreas(ctx context.Context, baseURL string, wcfg *web.Config) error {
	var err error
	if err = m.openDistribution(ctx, baseURL, wcfg); err != nil {
		return err
	}
	if wcfg.Office, err = m.openOffice(ctx, baseURL); err != nil {
		return err
	}
	if wcfg.Feeds, err = m.openFeeds(ctx, baseURL); err != nil {
		return err
	}
	if wcfg.Live, err = m.openLive(ctx, baseURL); err != nil {
		return err
	}
	wcfg.Search, err = m.openSearch(ctx, baseURL)
	return err
}

// uncachedPortalPath reports the portal paths the response cache leaves
// alone: health checks, streamed file downloads, static files (cheap and
// conditional already), OParl (cached by its own wrap inside the portal's
// middleware) and the account pages (forms with CSRF tokens, sessions).
func uncachedPortalPath(r *http.Request) bool {
	p := r.URL.Path
	if p == "/healthz" || strings.HasSuffix(p, "/live") { // live pages change with every event
		return true
	}
	for _, prefix := range []string{"/dateien/", "/static/", "/oparl/", "/anmelden", "/abmelden", "/konto", "/einladung", "/passwort",
		"/verwaltung", "/sitzungsdienst", "/mein", "/live", "/benachrichtigungen",
		"/suche", "/api/suche"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (m *Main) system(baseURL string) ratsnetz.System {
	return ratsnetz.System{
		Name:    "Ratsinformationssystem (Ratsnetz)",
		Website: baseURL,
		Vendor:  "https://github.com/ratsnetz/ratsnetz",
		Product: "https://github.com/ratsnetz/ratsnetz",
		License: "https://www.govdata.de/dl-de/by-2-0",
	}
}

// URL is the address the server listens on, e.g. http://127.0.0.1:41234.
func (m *Main) URL() string { return m.url }

// Close shuts the HTTP server down gracefully and closes storage. It may be
// called more than once and from several goroutines: every call returns
// after the first has finished, with its error.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown http: %w", err))
		}
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		if err := m.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	m.closers = nil
	if m.Audit != nil {
		m.Audit.Close() // after the server: every recorded access is written
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// progressWriter adapts a line callback to io.Writer.
type progressWriter func(string)

func (p progressWriter) Write(b []byte) (int, error) {
	p(string(b))
	return len(b), nil
}
