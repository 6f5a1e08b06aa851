// Package web serves the public portal of Ratsnetz: server-rendered HTML
// pages in German (English as second locale), file downloads and print views.
// Handlers are thin: they parse the request, call the domain services and
// render through one render/error pair. Visibility is decided by the store
// from the viewer in the request context; the portal never widens it.
package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/admission"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/csrf"
	"github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/oidc"
)

// Config holds the dependencies of the portal.
type Config struct {
	Store   ratsnetz.Store
	Blobs   ratsnetz.BlobStore
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is the time zone dates are shown in; Europe/Berlin when nil.
	Location *time.Location

	// Auth switches logins on (pages /anmelden, /konto, /verwaltung, …);
	// nil keeps the portal public-only, exactly as without accounts.
	Auth *auth.Service
	// CSRF protects state-changing requests; nil with Auth set builds one
	// with a key derived from Secret.
	CSRF *csrf.Protector
	// Secret (at least 32 bytes) is shared by every instance serving the
	// portal: the CSRF key and the key of signed form values are derived
	// from it, so a form from one instance is accepted by another behind a
	// load balancer. Nil: random keys per process (forms then expire on
	// restart and work on this instance only).
	Secret []byte
	// OIDC, if set, offers single sign-on on the login page.
	OIDC *oidc.Client
	// OIDCLinkByEmail links a first single sign-on to the active account
	// with the provider's verified e-mail address.
	OIDCLinkByEmail bool
	// Mailer sends reset and invitation links; nil logs that no mail was sent.
	Mailer mail.Sender
	// Secure: served over HTTPS (Secure/__Host- cookies, HSTS).
	Secure bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// Access records each view of non-public material by a logged-in
	// user (an audit.Recorder, off the request path); nil with Auth set
	// appends synchronously to Auth.Accounts.
	Access AccessRecorder
	// Pages bounds the public page renders running at once (web/admission.go);
	// nil means admission's defaults, admission.Config{Limit: -1} no bound.
	Pages *admission.Limiter

	// Areas added by later issues; each area owns its file (web/<area>.go)
	// with its dependencies type, its routes and its messages.
	Office       OfficeDeps       // Sitzungsdienst: papers, meetings, agenda, minutes, motions
	Distribution DistributionDeps // invitations, Sitzungsmappe, print list, mail jobs
	Feeds        FeedsDeps        // member area, iCal, Atom, citizen alerts
	Live         LiveDeps         // live hybrid meetings, voting, chat
	Search       SearchDeps       // full-text search
}

// Server is the portal: routes, middleware, templates.
type Server struct {
	store   ratsnetz.Store
	blobs   ratsnetz.BlobStore
	baseURL string
	logger  *slog.Logger
	now     func() time.Time
	loc     *time.Location

	mux       *http.ServeMux
	handler   http.Handler
	templates map[string]map[string]*template.Template // language → page → template
	catalogs  map[string]*catalog
	bufs      sync.Pool
	ref       refCache
	persons   personCache
	pages     *admission.Limiter

	auth            *auth.Service
	cookies         auth.Cookies
	csrf            *csrf.Protector
	oidc            *oidc.Client
	oidcLinkByEmail bool
	mailer          mail.Sender
	secure          bool
	trustProxy      bool
	formKey         []byte
	access          AccessRecorder

	office       OfficeDeps
	distribution DistributionDeps
	feeds        FeedsDeps
	live         LiveDeps
	search       SearchDeps
}

// Limits on what a request may carry.
const (
	maxURILength  = 4096
	maxQueryText  = 200
	maxPage       = 10000
	listPageSize  = 25
	homeListLimit = 10
)

// NewServer builds the portal with all its routes. It panics if the embedded
// templates do not parse, which is a programming error caught by every test.
func NewServer(cfg Config) *Server {
	s := &Server{
		store:   cfg.Store,
		blobs:   cfg.Blobs,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		logger:  cfg.Logger,
		now:     cfg.Now,
		loc:     cfg.Location,
		mux:     http.NewServeMux(),
		pages:   newPageLimiter(cfg),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		loc, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			s.logger.Warn("time zone Europe/Berlin not available, using fixed CET", "err", err)
			loc = time.FixedZone("CET", 3600)
		}
		s.loc = loc
	}
	s.bufs.New = func() any { return new(bytes.Buffer) }
	s.catalogs = newCatalogs()
	tmpl, err := parseTemplates(s.catalogs)
	if err != nil {
		panic(err)
	}
	s.templates = tmpl
	s.setupAccounts(cfg)
	s.office, s.distribution, s.feeds, s.live, s.search = cfg.Office, cfg.Distribution, cfg.Feeds, cfg.Live, cfg.Search
	s.routes()
	s.accountRoutes()
	s.officeRoutes()
	s.distributionRoutes()
	s.feedsRoutes()
	s.liveRoutes()
	s.searchRoutes()
	s.handler = s.middleware(s.mux)
	return s
}

// Mount adds h under pattern (ServeMux syntax) behind the portal middleware,
// e.g. the OParl API.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// Handler returns the portal as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() {
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticHandler()))
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	// Page renders wait their turn in the admission limiter (s.page).
	s.mux.Handle("GET /{$}", s.page(s.handleHome))
	if s.search.Search == nil { // else the search area serves /suche
		s.mux.HandleFunc("GET /suche", s.handleSearch)
	}

	s.mux.Handle("GET /sitzungen", s.page(s.handleMeetingIndex))
	s.mux.Handle("GET /sitzungen/{id}", s.page(s.handleMeetingView))
	s.mux.Handle("GET /sitzungen/{id}/druck", s.page(s.handleMeetingPrint))
	s.mux.Handle("GET /sitzungen/{meetingID}/top/{id}", s.page(s.handleAgendaItemView))

	s.mux.Handle("GET /vorlagen", s.page(s.handlePaperIndex))
	s.mux.Handle("GET /vorlagen/{id}", s.page(s.handlePaperView))
	s.mux.Handle("GET /vorlagen/{id}/druck", s.page(s.handlePaperPrint))

	s.mux.Handle("GET /gremien", s.page(s.handleOrganizationIndex))
	s.mux.Handle("GET /gremien/{id}", s.page(s.handleOrganizationView))
	s.mux.Handle("GET /personen", s.page(s.handlePersonIndex))
	s.mux.Handle("GET /personen/{id}", s.page(s.handlePersonView))

	s.mux.HandleFunc("GET /dateien/{id}", s.handleFileInline)
	s.mux.HandleFunc("GET /dateien/{id}/download", s.handleFileDownload)

	s.mux.HandleFunc("/", s.handleNotFound)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleNotFound answers everything no route matches. The portal is read
// only: other methods than GET and HEAD are not allowed anywhere in it.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.renderError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "not found"))
}
