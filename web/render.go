package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded CSS. Unknown names and directories get
// the portal's 404 page.
func (s *Server) staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fileServer := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if fi, err := fs.Stat(sub, name); err != nil || fi.IsDir() {
			s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "no static file %q", name))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})
}

// templateFuncs are pure helpers; everything that depends on the request
// (language, time zone) is a method of page.
var templateFuncs = template.FuncMap{
	"add":      func(a, b int) int { return a + b },
	"fileSize": fileSize,
	"join":     strings.Join,
	"badgeOf":  func(nonPublic, confidential bool) badges { return badges{nonPublic, confidential} },
}

// badges mark what only members see: "nichtöffentlich", "vertraulich".
type badges struct {
	NonPublic    bool
	Confidential bool
}

// parseTemplates parses every page template together with the layout and
// the partials, once per language of cats, and resolves the translations
// with constant keys at parse time (templatefold.go): the result maps
// language → page name → template. Every template is escaped here, at
// start, so that fixed text is folded before the first request.
func parseTemplates(cats map[string]*catalog) (map[string]map[string]*template.Template, error) {
	esc := htmlEscapers()
	merged, chains := escaperFuncs()
	out := make(map[string]map[string]*template.Template, len(cats))
	for lang, cat := range cats {
		set, err := parseTemplateSet(merged, func(t *template.Template) {
			foldTranslations(t, cat)
			escapeNow(t, "layout")
			foldConstants(t, esc)
			mergeEscapers(t, chains)
		})
		if err != nil {
			return nil, fmt.Errorf("templates %s: %w", lang, err)
		}
		out[lang] = set
	}
	return out, nil
}

// parseTemplateSet parses every page template with the layout and the
// partials, with templateFuncs and funcs, and calls prepare, if set, on each
// page's template set.
func parseTemplateSet(funcs template.FuncMap, prepare func(*template.Template)) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(templateFuncs).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, fmt.Errorf("read templates: %w", err)
	}
	out := make(map[string]*template.Template)
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		if prepare != nil {
			prepare(t)
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

// formatter formats dates and times in one language and time zone.
type formatter struct {
	cat *catalog
	loc *time.Location
}

func (s *Server) formatter(ctx context.Context) formatter {
	return formatter{cat: s.catalogs[langFromContext(ctx)], loc: s.loc}
}

// page is what every template gets: the request's language and time zone,
// the page title and the handler's data.
type page struct {
	// f is a named field, not embedded: text/template looks up every field
	// of a struct with embedded fields on reflect's slow path, and the
	// layout reads the page's fields many times per page.
	f     formatter
	Lang  string
	Title string
	Print bool
	// Query is the search text shown in the header search box.
	Query string
	Data  any

	// Accounts: logins are switched on (the header shows the login link).
	Accounts bool
	// User is the logged-in account, nil for the public.
	User *ratsnetz.Account
	// Admin: the user may open the admin area.
	Admin bool
	// CSRF is the token for the page's forms (the logout button included).
	CSRF string

	path     string
	rawQuery string
}

func (s *Server) newPage(r *http.Request, title string, data any) *page {
	p := &page{
		f:        s.formatter(r.Context()),
		Lang:     langFromContext(r.Context()),
		Title:    title,
		Data:     data,
		Accounts: s.auth != nil,
		path:     r.URL.Path,
		rawQuery: r.URL.RawQuery,
	}
	if c := current(r); c != nil && s.csrf != nil {
		p.User = c.Account
		p.Admin = c.Account.HasRole(ratsnetz.RoleKindAdministrator)
		// Bound to the session: Token writes no cookie here.
		p.CSRF = s.csrf.Token(nil, r)
	}
	return p
}

// UserLabel is the name the header shows for the logged-in user.
func (p *page) UserLabel() string {
	if p.User == nil {
		return ""
	}
	if p.User.DisplayName != "" {
		return p.User.DisplayName
	}
	return accountLabel(p.User)
}

// T translates a UI string.
func (f formatter) T(key string, args ...any) string { return f.cat.T(key, args...) }

// T translates a UI string (templates: only calls with a computed key are
// left after parsing, see templatefold.go).
func (p *page) T(key string, args ...any) string { return p.f.cat.T(key, args...) }

// Date formats a day (formatter.Date).
func (p *page) Date(t time.Time) string { return p.f.Date(t) }

// DateTime formats an instant (formatter.DateTime).
func (p *page) DateTime(t time.Time) string { return p.f.DateTime(t) }

// Clock formats the time of day of an instant (formatter.Clock).
func (p *page) Clock(t time.Time) string { return p.f.Clock(t) }

// ISO is the machine-readable form for <time datetime> (formatter.ISO).
func (p *page) ISO(t time.Time) string { return p.f.ISO(t) }

// Active reports whether the navigation entry prefix is the current section.
func (p *page) Active(prefix string) bool {
	if prefix == "/" {
		return p.path == "/"
	}
	return p.path == prefix || strings.HasPrefix(p.path, prefix+"/")
}

// LangURL is the current page in another language.
func (p *page) LangURL(lang string) string {
	if p.rawQuery == "" {
		return p.path + "?lang=" + url.QueryEscape(lang) // what Encode makes of the one parameter
	}
	q, _ := url.ParseQuery(p.rawQuery)
	q.Set("lang", lang)
	return p.path + "?" + q.Encode()
}

// PageURL is the current list with another page number.
func (p *page) PageURL(n int) string {
	q, _ := url.ParseQuery(p.rawQuery)
	q.Del("lang")
	if n <= 1 {
		q.Del("seite")
	} else {
		q.Set("seite", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return p.path
	}
	return p.path + "?" + q.Encode()
}

// Date formats a day. Values at midnight UTC are calendar dates and are not
// shifted; other times are shown in the local time zone.
func (f formatter) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.cat.formatDate(f.localDay(t))
}

// DateTime formats an instant: "Di., 24.11.2026, 17:00 Uhr".
func (f formatter) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(f.loc)
	return f.cat.weekdays[t.Weekday()] + " " + f.cat.formatDate(t) + ", " + f.cat.formatClock(t)
}

// Clock formats the time of day of an instant: "17:00 Uhr".
func (f formatter) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.cat.formatClock(t.In(f.loc))
}

// ISO is the machine-readable form for <time datetime>.
func (f formatter) ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if isCalendarDate(t) {
		return t.UTC().Format("2006-01-02")
	}
	return t.In(f.loc).Format(time.RFC3339)
}

func (f formatter) localDay(t time.Time) time.Time {
	if isCalendarDate(t) {
		return t.UTC()
	}
	return t.In(f.loc)
}

func isCalendarDate(t time.Time) bool {
	u := t.UTC()
	return u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0
}

// placeText is a location in one line: "Rathaus, Ratssaal, Markt 1, 12345 Musterstadt".
func placeText(l *ratsnetz.Location) string {
	if l == nil {
		return ""
	}
	var parts []string
	for _, v := range []string{l.Description, l.Room, l.StreetAddress, strings.TrimSpace(l.PostalCode + " " + l.Locality)} {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(parts, v) {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

func fileSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 0, 64) + " KB"
	default:
		return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
	}
}

// render executes the named page template into a pooled buffer and writes it
// with status. A template error becomes a 500 page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.templates[p.Lang][name]
	if !ok {
		s.logger.ErrorContext(r.Context(), "unknown template", "name", name)
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			s.bufs.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		s.logger.ErrorContext(r.Context(), "render template", "name", name, "err", err)
		if name != "error" {
			s.renderError(w, r, http.StatusInternalServerError, "")
		} else {
			http.Error(w, "Interner Fehler", http.StatusInternalServerError)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// statusClientClosedRequest is the status logged for a request whose client
// hung up before its page was ready (nginx's 499; never sent to anybody).
const statusClientClosedRequest = 499

// errorStatus maps domain error codes to HTTP status, in one place.
func errorStatus(code string) int {
	switch code {
	case ratsnetz.EINVALID:
		return http.StatusBadRequest
	case ratsnetz.ENOTFOUND:
		return http.StatusNotFound
	case ratsnetz.EFORBIDDEN:
		// The portal serves the public: what it may not see does not exist.
		return http.StatusNotFound
	case ratsnetz.ECONFLICT:
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

// error renders err as an error page: its status from the domain code;
// internal details are logged, never shown.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		// The client hung up (or the server is shutting down) and the
		// store gave up with it: nobody reads a page, nothing is broken.
		s.logger.DebugContext(r.Context(), "request canceled", "method", r.Method, "path", r.URL.Path, "err", err)
		w.WriteHeader(statusClientClosedRequest)
		return
	}
	code := ratsnetz.ErrorCode(err)
	status := errorStatus(code)
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	msgKey := ""
	if code == ratsnetz.EINVALID {
		msgKey = ratsnetz.ErrorMessage(err)
	}
	s.renderError(w, r, status, msgKey)
}

type errorData struct {
	Status  int
	Message string // catalogue key with details, "" for the generic text
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msgKey string) {
	p := s.newPage(r, "", nil)
	if msgKey != "" && !p.f.cat.has(msgKey) {
		msgKey = ""
	}
	textStatus := status
	if !p.f.cat.has("error." + strconv.Itoa(status) + ".title") {
		textStatus = http.StatusInternalServerError
	}
	p.Title = p.T("error." + strconv.Itoa(textStatus) + ".title")
	p.Data = errorData{Status: textStatus, Message: msgKey}
	s.render(w, r, status, "error", p)
}

func slogLevelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	default:
		return slog.LevelInfo
	}
}

// partial is what shared template fragments get: the page (for translation
// and formatting), a caption and their own data.
type partial struct {
	P       *page
	Caption string
	X       any
}

// With hands x to a partial template together with the page.
func (p *page) With(caption string, x any) partial { return partial{P: p, Caption: caption, X: x} }
