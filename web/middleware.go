package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// middleware wraps h, outermost first: security headers, request log,
// recover, request limits, locale, and with accounts the session and CSRF
// checks.
func (s *Server) middleware(h http.Handler) http.Handler {
	if s.auth != nil {
		h = s.csrfExempt(s.csrf.Middleware(h), h) // one-click unsubscribe (web/feeds.go)
		h = s.withSession(h)
		h = s.withBodyLimit(h) // web/office_limits.go: before the CSRF check parses the form
	}
	h = s.withLocale(h)
	h = s.withLimits(h)
	h = s.withRecover(h)
	h = s.withLog(h)
	h = withSecurityHeaders(h)
	if s.secure {
		h = withHSTS(h)
	}
	return h
}

func withHSTS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows nothing inline and nothing foreign: all CSS is
// in static files and the portal needs no script.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func withSecurityHeaders(h http.Handler) http.Handler {
	// The value slices are built once and shared by every response; their
	// capacity equals their length, so a handler that adds a value gets a
	// copy (Header.Add appends) and Set replaces the slice.
	fixed := [][2]string{
		{"Content-Security-Policy", contentSecurityPolicy},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "same-origin"},
		{"X-Frame-Options", "DENY"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
	values := make([][]string, len(fixed))
	for i, kv := range fixed {
		values[i] = []string{kv[1]}[:1:1]
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		for i, kv := range fixed {
			hd[kv[0]] = values[i]
		}
		h.ServeHTTP(w, r)
	})
}

// statusWriter records the status and size of a response for the log and
// tells the recover middleware whether a response was already started.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// slowRequest is the duration from which a successful request is logged at
// INFO; faster ones are logged at DEBUG. At a thousand uncached pages per
// second a line per request would cost more than some of the pages.
const slowRequest = 500 * time.Millisecond

func (s *Server) withLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		ctx := r.Context()
		gone := ctx.Err() != nil
		level := requestLogLevel(sw.status, d, gone)
		if !s.logger.Enabled(ctx, level) {
			return
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", d),
		}
		if gone {
			attrs = append(attrs, slog.Bool("client_gone", true))
		}
		s.logger.LogAttrs(ctx, level, "http request", attrs...)
	})
}

// requestLogLevel: server errors at ERROR, client errors at WARN, slow
// requests at INFO, the rest at DEBUG. A request whose client hung up is not
// an error of the server, whatever status the handler could still set.
func requestLogLevel(status int, d time.Duration, clientGone bool) slog.Level {
	switch {
	case clientGone:
		return slog.LevelDebug
	case status == http.StatusServiceUnavailable:
		// Shed load (web/admission.go): a symptom to watch, not a fault.
		return slog.LevelWarn
	case status >= 400:
		return slogLevelFor(status)
	case d >= slowRequest:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}

func (s *Server) withRecover(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic in handler", "method", r.Method, "path", r.URL.Path, "panic", v)
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				return // the response has begun; nothing sensible can follow
			}
			s.renderError(w, r, http.StatusInternalServerError, "")
		}()
		h.ServeHTTP(w, r)
	})
}

// withLimits rejects oversized or malformed request URIs before any handler
// runs.
func (s *Server) withLimits(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURILength || len(r.URL.RawQuery) > maxURILength {
			s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "err.uriTooLong"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

type localeKey struct{}

const langCookie = "lang"

// withLocale picks the language: ?lang= (remembered in a cookie), then the
// cookie, then Accept-Language, then German.
func (s *Server) withLocale(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		// Parse the query only when it may hold lang: most requests have none.
		if q := langParam(r.URL.RawQuery); q != "" {
			if _, ok := s.catalogs[q]; ok {
				lang = q
				http.SetCookie(w, &http.Cookie{
					Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
					HttpOnly: true, SameSite: http.SameSiteLaxMode,
				})
			}
		}
		if lang == "" {
			if c, err := r.Cookie(langCookie); err == nil {
				if _, ok := s.catalogs[c.Value]; ok {
					lang = c.Value
				}
			}
		}
		if lang == "" {
			lang = negotiateLang(r.Header.Get("Accept-Language"), s.catalogs)
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey{}, lang)))
	})
}

// langParam is the value of the query parameter lang, "" without one.
func langParam(rawQuery string) string {
	if !strings.Contains(rawQuery, "lang=") && !strings.Contains(rawQuery, "%") {
		return ""
	}
	q, _ := url.ParseQuery(rawQuery)
	return q.Get("lang")
}

// negotiateLang returns the supported language with the highest weight in an
// Accept-Language header, German when none fits.
func negotiateLang(header string, supported map[string]*catalog) string {
	best, bestQ := defaultLang, -1.0
	for i, part := range strings.Split(header, ",") {
		if i > 20 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		base, _, _ := strings.Cut(tag, "-")
		if _, ok := supported[base]; !ok {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q = parseQValue(v)
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	if bestQ <= 0 {
		return defaultLang
	}
	return best
}

func parseQValue(v string) float64 {
	switch {
	case v == "" || v[0] == '1':
		return 1
	case v[0] != '0':
		return 0
	}
	q, scale := 0.0, 0.1
	for _, c := range strings.TrimPrefix(strings.TrimPrefix(v, "0"), ".") {
		if c < '0' || c > '9' {
			break
		}
		q += float64(c-'0') * scale
		scale /= 10
	}
	return q
}

func langFromContext(ctx context.Context) string {
	if l, ok := ctx.Value(localeKey{}).(string); ok {
		return l
	}
	return defaultLang
}
