// Package oparl serves the Ratsnetz data as an OParl 1.1 API.
//
// Everything lives under /oparl/v1.1/: the System entry point, the twelve
// object types under /oparl/v1.1/<type>/<id>, the external lists of each body
// under /oparl/v1.1/body/<id>/<list> and the meeting and consultation lists of
// each organization.
//
// Decisions worth knowing:
//
//   - OParl is the public open-data interface: every request is answered as
//     the anonymous public viewer, whatever session the request carries.
//   - Non-public agenda items are omitted from Meeting.agendaItem and from all
//     lists; `order` is the 0-based position among the published items, so it
//     stays 0…n-1. The item's `number` ("N 2") is kept as the RIS shows it.
//   - Deleted and de-published objects are tombstones
//     ({id,type,created,modified,deleted:true}): in lists only when
//     modified_since is given, standalone always (HTTP 200). Answering 410 for
//     the content of a deleted file is the portal's job (/dateien/{id}).
//   - Lists page by keyset over the immutable ID (parameter `after`), so a walk
//     stays stable while data changes. Filters, omit_internal and limit are
//     repeated in every link in one canonical order.
//   - Embedded Files omit their `text` (it can be long); the File list and the
//     standalone File carry it.
//   - Location back-references (bodies, organizations, persons, meetings,
//     papers) name the visible objects at the location; a store without the
//     PageStore lookups gives bodies, organizations and persons only.
package oparl

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Prefix is the path under which the API lives.
const Prefix = "/oparl/v1.1"

// Page sizes of the external lists.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Config configures a Server.
type Config struct {
	Store ratsnetz.Store
	// BaseURL is the public root of the installation without trailing slash,
	// e.g. "https://ris.example.de". All ids and links are built from it.
	BaseURL string
	System  ratsnetz.System
	Logger  *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Build identifies the program build (app: a hash of the executable).
	// Stored documents (docs.go) are used and built only when it is set
	// and the Store is a DocStore, and only those rendered by the same
	// build for the same BaseURL.
	Build string
}

// Server serves OParl 1.1.
type Server struct {
	store   ratsnetz.Store
	base    string // BaseURL + Prefix
	portal  string // BaseURL
	system  ratsnetz.System
	logger  *slog.Logger
	now     func() time.Time
	berlin  *time.Location
	mux     *http.ServeMux
	gzPool  sync.Pool
	bufPool sync.Pool
	// flPool holds flate writers for the live parts of bodies with stored
	// documents, inflPool flate readers for clients without gzip.
	flPool, inflPool sync.Pool
	// docs holds the stored documents (nil: none); build is Config.Build.
	docs  DocStore
	build string
	// reflectJSON encodes every response with encoding/json instead of
	// the append writers of jsonwrite.go (tests compare both).
	reflectJSON bool
}

// NewServer returns a Server for cfg.
func NewServer(cfg Config) *Server {
	base := strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{
		store:  cfg.Store,
		base:   base + Prefix,
		portal: base,
		system: cfg.System,
		logger: cfg.Logger,
		now:    cfg.Now,
		build:  cfg.Build,
	}
	if ds, ok := cfg.Store.(DocStore); ok && cfg.Build != "" {
		s.docs = ds
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		// Without tzdata (main embeds it) fall back to CET; logged loudly
		// because summer times would then be an hour off.
		s.logger.Error("oparl: Europe/Berlin not loadable, using fixed +01:00", "err", err)
		loc = time.FixedZone("CET", 3600)
	}
	s.berlin = loc
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

// Handler returns the HTTP handler serving every path under /oparl/v1.1/.
func (s *Server) Handler() http.Handler { return s.mux }

// kinds of objects, as used in paths.
const (
	kindBody            = "body"
	kindLegislativeTerm = "legislativeterm"
	kindOrganization    = "organization"
	kindPerson          = "person"
	kindMembership      = "membership"
	kindMeeting         = "meeting"
	kindAgendaItem      = "agendaitem"
	kindPaper           = "paper"
	kindConsultation    = "consultation"
	kindFile            = "file"
	kindLocation        = "location"
)

// isBodyList reports whether seg names one of the ten external lists of a
// body; the path segment is the kind of the listed objects.
func isBodyList(seg string) bool {
	switch seg {
	case kindOrganization, kindPerson, kindMeeting, kindPaper, kindAgendaItem, kindConsultation,
		kindFile, kindLocation, kindLegislativeTerm, kindMembership:
		return true
	}
	return false
}

func (s *Server) routes() {
	s.mux.HandleFunc(Prefix+"/system", s.serve(s.handleSystem))
	s.mux.HandleFunc(Prefix+"/body", s.serve(s.handleBodyList))
	s.mux.HandleFunc(Prefix+"/body/{id}/{list}", s.serve(s.handleBodyChildList))
	s.mux.HandleFunc(Prefix+"/organization/{id}/{list}", s.serve(s.handleOrganizationChildList))
	s.mux.HandleFunc(Prefix+"/{kind}/{id}", s.serve(s.handleObject))
	s.mux.HandleFunc("/", s.serve(s.handleNotFound))
}

// handlerFunc renders a response or returns an error for the error pair.
type handlerFunc func(w http.ResponseWriter, r *http.Request) (*response, error)

// response is a rendered JSON document with its modification time.
type response struct {
	value    any
	modified time.Time
	status   int
}

// serve wraps h with method checks, CORS, the public viewer, conditional GET,
// compression and error objects.
func (s *Server) serve(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodOptions:
			hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			hdr.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since, Accept-Encoding")
			hdr.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			hdr.Set("Allow", "GET, HEAD, OPTIONS")
			s.writeError(w, r, http.StatusMethodNotAllowed, "Nur GET ist erlaubt.", "")
			return
		}
		// OParl is the open-data interface: always the anonymous public,
		// even for a request that carries a portal session.
		ctx := ratsnetz.NewContextWithViewer(r.Context(), ratsnetz.Viewer{})
		r = r.WithContext(ctx)
		resp, err := h(w, r)
		if err != nil {
			s.handleErr(w, r, err)
			return
		}
		if resp == nil { // handler wrote a redirect itself
			return
		}
		s.writeJSON(w, r, resp)
	}
}

// handleErr maps err to an Error object with the matching status.
func (s *Server) handleErr(w http.ResponseWriter, r *http.Request, err error) {
	code := ratsnetz.ErrorCode(err)
	switch code {
	case ratsnetz.EINVALID:
		s.writeError(w, r, http.StatusBadRequest, ratsnetz.ErrorMessage(err), "")
	case ratsnetz.ENOTFOUND:
		s.writeError(w, r, http.StatusNotFound, ratsnetz.ErrorMessage(err), "")
	case ratsnetz.EFORBIDDEN:
		s.writeError(w, r, http.StatusForbidden, ratsnetz.ErrorMessage(err), "")
	default:
		if ctxErr := r.Context().Err(); ctxErr != nil {
			return // client went away
		}
		s.logger.Error("oparl request failed", "method", r.Method, "url", r.URL.String(), "err", err)
		s.writeError(w, r, http.StatusInternalServerError, "Interner Fehler.", "")
	}
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) (*response, error) {
	// The bare API roots lead people to the entry point.
	switch r.URL.Path {
	case "/oparl", "/oparl/", Prefix, Prefix + "/":
		http.Redirect(w, r, Prefix+"/system", http.StatusFound)
		return nil, nil
	}
	// Non-canonical spellings with a trailing slash go to the canonical URL.
	if p := r.URL.Path; len(p) > len(Prefix)+1 && strings.HasSuffix(p, "/") && strings.HasPrefix(p, Prefix+"/") {
		target := strings.TrimRight(p, "/")
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return nil, nil
	}
	return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diese Adresse gibt es in der OParl-Schnittstelle nicht.")
}

// parseID reads the path value name as an object ID. A non-canonical spelling
// (leading zeros, "+1") is redirected to the canonical URL; ok is false then
// or when the value is no ID at all (err set).
func (s *Server) parseID(w http.ResponseWriter, r *http.Request, name string) (id int64, ok bool, err error) {
	raw := r.PathValue(name)
	id, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || id <= 0 {
		return 0, false, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Kein Objekt mit der Kennung %q.", raw)
	}
	if canon := strconv.FormatInt(id, 10); canon != raw {
		target := strings.Replace(r.URL.Path, "/"+raw, "/"+canon, 1)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return 0, false, nil
	}
	return id, true, nil
}

// url returns the canonical URL of an object of kind with id.
func (s *Server) url(kind string, id int64) string {
	return s.base + "/" + kind + "/" + strconv.FormatInt(id, 10)
}

// urlOpt is url, or "" for id 0.
func (s *Server) urlOpt(kind string, id int64) string {
	if id == 0 {
		return ""
	}
	return s.url(kind, id)
}

// urls maps ids to canonical URLs; nil for none.
func (s *Server) urls(kind string, ids []int64) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			out = append(out, s.url(kind, id))
		}
	}
	return out
}

// dateTime formats t strictly as OParl wants it: Europe/Berlin offset, whole
// seconds, never Z. The zero time gives "".
func (s *Server) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.berlin).Format("2006-01-02T15:04:05-07:00")
}

// date formats a stored date (midnight UTC) as yyyy-mm-dd.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func boolPtr(b bool) *bool { return &b }

// notFound is the error for an unknown object.
func notFound(kind string, id int64) error {
	return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Das Objekt %s/%d gibt es nicht.", kind, id)
}

// wrap adds context to a store error without hiding its domain code.
func wrap(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
