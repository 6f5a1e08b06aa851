package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/csrf"
	"github.com/ratsnetz/ratsnetz/mail"
)

// maxFormBytes bounds the body of every form post.
const maxFormBytes = 64 << 10

// setupAccounts takes the account dependencies of cfg. Without cfg.Auth the
// portal stays public-only and registers none of the account routes.
func (s *Server) setupAccounts(cfg Config) {
	if cfg.Auth == nil {
		return
	}
	s.auth = cfg.Auth
	s.cookies = auth.Cookies{Secure: cfg.Secure}
	s.secure = cfg.Secure
	s.trustProxy = cfg.TrustProxy
	s.oidc = cfg.OIDC
	s.oidcLinkByEmail = cfg.OIDCLinkByEmail
	s.mailer = cfg.Mailer
	s.access = cfg.Access
	if s.access == nil {
		s.access = syncRecorder{s}
	}
	csrfKey := make([]byte, 32)
	s.formKey = make([]byte, 32)
	if len(cfg.Secret) > 0 {
		// Each use gets its own key, none of them the secret itself.
		csrfKey, s.formKey = deriveKey(cfg.Secret, "ratsnetz csrf"), deriveKey(cfg.Secret, "ratsnetz form")
	} else {
		if _, err := rand.Read(csrfKey); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		if _, err := rand.Read(s.formKey); err != nil {
			panic(err)
		}
	}
	s.csrf = cfg.CSRF
	if s.csrf == nil {
		base := s.baseURL
		if base == "" {
			base = "http://localhost"
		}
		p, err := csrf.New(csrfKey, base)
		if err != nil {
			panic(err) // the base URL was validated by the configuration
		}
		s.csrf = p
	}
	s.csrf.Binding = sessionBinding
	s.csrf.Failed = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.formatter(r.Context())
		s.renderMessage(w, r, http.StatusForbidden, f.T("notice.csrf.title"), f.T("notice.csrf.text"))
	})
}

func (s *Server) accountRoutes() {
	if s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /anmelden", s.handleLoginForm)
	s.mux.HandleFunc("POST /anmelden", s.handleLogin)
	s.mux.HandleFunc("GET /anmelden/zweiter-faktor", s.handleSecondFactorForm)
	s.mux.HandleFunc("POST /anmelden/zweiter-faktor", s.handleSecondFactor)
	s.mux.HandleFunc("POST /abmelden", s.handleLogout)
	s.mux.HandleFunc("GET /konto", s.handleAccount)
	s.mux.HandleFunc("POST /konto/sitzungen/abmelden", s.handleLogoutEverywhere)
	s.mux.HandleFunc("POST /konto/passwort", s.handlePasswordChange)
	s.mux.HandleFunc("GET /konto/zwei-faktor", s.handleTOTPForm)
	s.mux.HandleFunc("POST /konto/zwei-faktor", s.handleTOTPConfirm)
	s.mux.HandleFunc("GET /passwort-vergessen", s.handleForgotForm)
	s.mux.HandleFunc("POST /passwort-vergessen", s.handleForgot)
	s.mux.HandleFunc("GET /passwort-neu", s.handleSetPasswordForm)
	s.mux.HandleFunc("POST /passwort-neu", s.handleSetPassword)
	s.mux.HandleFunc("GET /einladung", s.handleSetPasswordForm)
	s.mux.HandleFunc("POST /einladung", s.handleSetPassword)
	s.adminRoutes()
	s.ssoRoutes()
}

type sessionKey struct{}

// withSession authenticates the session cookie: a valid session puts the
// account's viewer and the login into the context. Every response to a
// request with a session cookie is private and never stored.
func (s *Server) withSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if s.live.sessions != nil && !isLivePath(r.URL.Path) {
				// A post outside the live area may end sessions or change
				// accounts (logout, password reset, administration): drop
				// what the live area's session cache holds once it ran.
				defer s.live.sessions.invalidate()
			}
		}
		ck, err := r.Cookie(s.cookies.SessionName())
		if err != nil || ck.Value == "" {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
		var a *ratsnetz.Account
		var sess *ratsnetz.Session
		if s.live.sessions != nil && isLivePath(r.URL.Path) {
			// The live area's request bursts (ballots, streams) resolve the
			// session from a short-lived cache (web/live.go).
			a, sess, err = s.live.sessions.authenticate(r.Context(), ck.Value, s.auth.Authenticate)
		} else {
			a, sess, err = s.auth.Authenticate(r.Context(), ck.Value)
		}
		if err != nil {
			// An unknown, expired or pending (second factor missing)
			// session is public here; the cookie stays, since a pending
			// one is still needed by the pages that complete the login.
			if ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
				s.logger.ErrorContext(r.Context(), "authenticate", "err", err)
			}
			h.ServeHTTP(w, r)
			return
		}
		ctx := ratsnetz.NewContextWithViewer(r.Context(), a.Viewer())
		// The viewer's rights are resolved once for the whole request.
		ctx = ratsnetz.NewContextWithRightsCache(ctx)
		ctx = context.WithValue(ctx, sessionKey{}, auth.Current{Account: a, Session: sess})
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// current returns the login of r, nil for the public.
func current(r *http.Request) *auth.Current {
	if c, ok := r.Context().Value(sessionKey{}).(auth.Current); ok {
		return &c
	}
	return nil
}

// sessionBinding binds CSRF tokens to the session of logged-in requests.
func sessionBinding(r *http.Request) string {
	if c := current(r); c != nil {
		return c.Session.TokenHash
	}
	return ""
}

func (s *Server) client(r *http.Request) auth.Client { return s.cookies.ClientOf(r, s.trustProxy) }

// safeNext keeps redirect targets on this site.
func safeNext(next, def string) string {
	if next == "" || len(next) > 1000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return def
	}
	for _, c := range next {
		// Browsers drop tabs and line breaks in URLs ("/\t/evil" → "//evil").
		if c < 0x20 || c == 0x7f {
			return def
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return next
}

func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// renderForm renders an account page: never cached, no referrer (the
// links carry tokens), with a CSRF token for its forms.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	p := s.newPage(r, title, data)
	p.CSRF = s.csrf.Token(w, r)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, status, name, p)
}

type messageData struct {
	Text     string
	LinkURL  string
	LinkText string
}

func (s *Server) renderMessage(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	s.renderForm(w, r, status, "message", title, messageData{Text: text})
}

// userMessage is the German message of an expected error, "" for internal
// ones (which are logged).
func (s *Server) userMessage(r *http.Request, err error) string {
	switch ratsnetz.ErrorCode(err) {
	case ratsnetz.EINVALID, ratsnetz.EFORBIDDEN, ratsnetz.ENOTFOUND, ratsnetz.ECONFLICT:
		return ratsnetz.ErrorMessage(err)
	}
	s.logger.ErrorContext(r.Context(), "account request", "path", r.URL.Path, "err", err)
	return ""
}

// sendMail sends a link mail; a failure is logged (the page says the same
// either way, so nobody learns whether an address exists).
func (s *Server) sendMail(ctx context.Context, to, subject, body string) {
	if s.mailer == nil {
		s.logger.WarnContext(ctx, "no mailer configured, mail not sent", "subject", subject)
		return
	}
	if err := s.mailer.Send(ctx, mail.Message{To: to, Subject: subject, Body: body}); err != nil {
		s.logger.ErrorContext(ctx, "send mail", "subject", subject, "err", err)
	}
}

// deriveKey derives the key for one purpose from the instance secret.
func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// sign and checkSig protect values that a form carries between two
// requests (the TOTP secret during setup).
func (s *Server) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.formKey)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) checkSig(sig string, parts ...string) bool {
	return hmac.Equal([]byte(sig), []byte(s.sign(parts...)))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// AccessRecorder records audit events, e.g. an audit.Recorder.
type AccessRecorder interface {
	Record(ctx context.Context, e ratsnetz.AuditEvent)
}

// syncRecorder appends directly to the account store.
type syncRecorder struct{ s *Server }

func (r syncRecorder) Record(ctx context.Context, e ratsnetz.AuditEvent) {
	if e.Time.IsZero() {
		e.Time = r.s.now().UTC()
	}
	if err := r.s.auth.Accounts.AppendAudit(context.WithoutCancel(ctx), &e); err != nil {
		r.s.logger.ErrorContext(ctx, "audit append failed", "action", e.Action, "err", err)
	}
}

// recordAccess puts a logged-in user's view of a non-public object on
// record. The store decided that the user may see it; this only records.
func (s *Server) recordAccess(r *http.Request, kind string, id int64, detail string) {
	c := current(r)
	if c == nil || s.access == nil {
		return
	}
	cl := s.client(r)
	s.access.Record(r.Context(), ratsnetz.AuditEvent{AccountID: c.Account.ID, Actor: accountLabel(c.Account), Action: ratsnetz.AuditAccess,
		ObjectKind: kind, ObjectID: id, IP: cl.IP, UserAgent: cl.UserAgent, Detail: detail})
}
