// Package csrf protects state-changing requests against cross-site request
// forgery with two independent checks: the request must come from the
// portal's own origin (Sec-Fetch-Site, else Origin, else Referer), and it
// must carry a token (form field "csrf" or header X-CSRF-Token) that is an
// HMAC of the request's binding — the session for logged-in users, a random
// cookie for anonymous forms such as the login.
package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// FieldName is the hidden form field; HeaderName the header alternative.
const (
	FieldName  = "csrf"
	HeaderName = "X-CSRF-Token"
)

// Protector checks requests. Create it with New.
type Protector struct {
	key    []byte
	origin *url.URL
	secure bool
	// Binding returns what tokens are bound to for r (e.g. the session's
	// token hash); "" means none, then the anonymous cookie is used.
	Binding func(r *http.Request) string
	// Failed writes the rejection (403); nil writes a plain German text.
	Failed http.Handler
}

// New returns a Protector with the secret key (at least 32 bytes, from the
// configuration, stable across restarts) for the portal at baseURL.
func New(key []byte, baseURL string) (*Protector, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("csrf: key must have at least 32 bytes")
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("csrf: base URL %q: need scheme and host", baseURL)
	}
	return &Protector{key: key, origin: u, secure: u.Scheme == "https"}, nil
}

func (p *Protector) cookieName() string {
	if p.secure {
		return "__Host-ratsnetz-csrf"
	}
	return "ratsnetz-csrf"
}

// binding returns the binding of r: the Binding func's, else the anonymous
// cookie's value ("" if there is none yet).
func (p *Protector) binding(r *http.Request) string {
	if p.Binding != nil {
		if b := p.Binding(r); b != "" {
			return "s:" + b
		}
	}
	if c, err := r.Cookie(p.cookieName()); err == nil && c.Value != "" {
		return "a:" + c.Value
	}
	return ""
}

// Token returns the token to put in the forms of the response to r,
// setting the anonymous cookie on w first if r has neither a session nor
// the cookie.
func (p *Protector) Token(w http.ResponseWriter, r *http.Request) string {
	b := p.binding(r)
	if b == "" {
		var raw [24]byte
		if _, err := rand.Read(raw[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		v := base64.RawURLEncoding.EncodeToString(raw[:])
		http.SetCookie(w, &http.Cookie{Name: p.cookieName(), Value: v, Path: "/", HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
		b = "a:" + v
	}
	return p.sign(b)
}

func (p *Protector) sign(binding string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Check reports why r fails the protection, "" if it passes. Safe methods
// (GET, HEAD, OPTIONS) always pass.
func (p *Protector) Check(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ""
	}
	if why := p.checkOrigin(r); why != "" {
		return why
	}
	b := p.binding(r)
	if b == "" {
		return "no binding"
	}
	tok := r.Header.Get(HeaderName)
	if tok == "" {
		tok = r.PostFormValue(FieldName)
	}
	if tok == "" {
		return "no token"
	}
	if !hmac.Equal([]byte(tok), []byte(p.sign(b))) {
		return "bad token"
	}
	return ""
}

func (p *Protector) checkOrigin(r *http.Request) string {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return ""
	case "":
	default:
		return "cross-site (Sec-Fetch-Site)"
	}
	src := r.Header.Get("Origin")
	if src == "" || src == "null" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return "no origin"
	}
	u, err := url.Parse(src)
	if err != nil || u.Scheme != p.origin.Scheme || u.Host != p.origin.Host {
		return "foreign origin"
	}
	return ""
}

// Middleware rejects failing state-changing requests with 403.
func (p *Protector) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := p.Check(r); why != "" {
			w.Header().Set("X-CSRF-Reason", why)
			if p.Failed != nil {
				p.Failed.ServeHTTP(w, r)
				return
			}
			http.Error(w, "Die Anfrage wurde aus Sicherheitsgründen abgelehnt. Bitte laden Sie die Seite neu und versuchen Sie es erneut.", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
