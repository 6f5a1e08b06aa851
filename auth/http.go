package auth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/token"
)

// Cookies holds the cookie settings of the portal.
type Cookies struct {
	// Secure is set when the portal is served over HTTPS: cookies get the
	// Secure flag and the __Host- prefix.
	Secure bool
}

// SessionName is the name of the session cookie.
func (c Cookies) SessionName() string { return c.prefix() + "ratsnetz-sitzung" }

// DeviceName is the name of the remembered-device cookie.
func (c Cookies) DeviceName() string { return c.prefix() + "ratsnetz-geraet" }

func (c Cookies) prefix() string {
	if c.Secure {
		return "__Host-"
	}
	return ""
}

// SetSession sets the session cookie (a browser-session cookie: the server
// enforces idle and absolute timeouts).
func (c Cookies) SetSession(w http.ResponseWriter, raw string) {
	http.SetCookie(w, &http.Cookie{Name: c.SessionName(), Value: raw, Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// ClearSession removes the session cookie.
func (c Cookies) ClearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.SessionName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// SetDevice sets the remembered-device cookie for d.
func (c Cookies) SetDevice(w http.ResponseWriter, raw string, d time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: c.DeviceName(), Value: raw, Path: "/", MaxAge: int(d / time.Second), HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// ClientOf returns where r comes from. With trustProxy the first address of
// X-Forwarded-For is used (only behind a proxy that sets it).
func (c Cookies) ClientOf(r *http.Request, trustProxy bool) Client {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	if trustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			first, _, _ := strings.Cut(f, ",")
			if a := net.ParseIP(strings.TrimSpace(first)); a != nil {
				ip = a.String()
			}
		}
	}
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	cl := Client{IP: ip, UserAgent: ua}
	if d, err := r.Cookie(c.DeviceName()); err == nil {
		cl.DeviceToken = d.Value
	}
	return cl
}

type currentKey struct{}

// Current is the logged-in account and session of a request.
type Current struct {
	Account *ratsnetz.Account
	Session *ratsnetz.Session
}

// CurrentFromContext returns the login of the request, if any.
func CurrentFromContext(ctx context.Context) (Current, bool) {
	c, ok := ctx.Value(currentKey{}).(Current)
	return c, ok
}

// SessionBinding returns the session token hash of the request's login, ""
// for anonymous requests: the binding of CSRF tokens.
func SessionBinding(r *http.Request) string {
	if c, ok := CurrentFromContext(r.Context()); ok {
		return c.Session.TokenHash
	}
	return ""
}

// Middleware authenticates the session cookie of each request: a valid
// session puts the account's viewer (ratsnetz.NewContextWithViewer) and the
// Current login into the context; an invalid cookie is cleared and the
// request goes on as public. Responses to logged-in requests must not be
// cached by shared caches.
func (s *Service) Middleware(c Cookies) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ck, err := r.Cookie(c.SessionName())
			if err != nil || ck.Value == "" {
				next.ServeHTTP(w, r)
				return
			}
			a, sess, err := s.Authenticate(r.Context(), ck.Value)
			if err != nil {
				if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
					c.ClearSession(w)
				} else {
					s.logger().ErrorContext(r.Context(), "authenticate", "err", err)
				}
				next.ServeHTTP(w, r)
				return
			}
			ctx := ratsnetz.NewContextWithRightsCache(ratsnetz.NewContextWithViewer(r.Context(), a.Viewer()))
			ctx = context.WithValue(ctx, currentKey{}, Current{Account: a, Session: sess})
			w.Header().Set("Cache-Control", "private, no-store")
			w.Header().Add("Vary", "Cookie")
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// PendingSession returns the pending (second factor missing) session of the
// cookie, for the code page; ErrSession otherwise.
func (s *Service) PendingSession(ctx context.Context, raw string) (*ratsnetz.Session, error) {
	sess, err := s.Accounts.FindSessionByToken(ctx, token.Hash(raw), s.now())
	if err != nil || sess.TwoFactor {
		return nil, ErrSession
	}
	return sess, nil
}
