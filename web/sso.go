package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oidc"
)

// ssoState is what the browser keeps (signed, in a cookie) between the
// start of a single sign-on and the provider's callback.
type ssoState struct {
	Flow    oidc.Flow
	Next    string
	Expires int64
}

const ssoTTL = 10 * time.Minute

func (s *Server) ssoCookieName() string {
	if s.secure {
		return "__Host-ratsnetz-sso"
	}
	return "ratsnetz-sso"
}

func (s *Server) ssoRoutes() {
	if s.oidc == nil {
		return
	}
	s.mux.HandleFunc("GET /anmelden/sso", s.handleSSOStart)
	s.mux.HandleFunc("GET /anmelden/sso/callback", s.handleSSOCallback)
}

func (s *Server) handleSSOStart(w http.ResponseWriter, r *http.Request) {
	u, flow, err := s.oidc.Start()
	if err != nil {
		s.error(w, r, err)
		return
	}
	st := ssoState{Flow: flow, Next: safeNext(r.URL.Query().Get("next"), "/"), Expires: s.now().Add(ssoTTL).Unix()}
	b, err := json.Marshal(st)
	if err != nil {
		s.error(w, r, err)
		return
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: s.ssoCookieName(), Value: v + "." + s.sign("sso", v), Path: "/",
		MaxAge: int(ssoTTL / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "private, no-store")
	http.Redirect(w, r, u, http.StatusFound)
}

func (s *Server) handleSSOCallback(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, msg string) {
		s.renderForm(w, r, status, "message", "Anmeldung", messageData{Text: msg, LinkURL: "/anmelden", LinkText: "Zur Anmeldung"})
	}
	http.SetCookie(w, &http.Cookie{Name: s.ssoCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	var st ssoState
	ck, err := r.Cookie(s.ssoCookieName())
	ok := err == nil
	if ok {
		v, sig, found := strings.Cut(ck.Value, ".")
		b, err := base64.RawURLEncoding.DecodeString(v)
		ok = found && err == nil && s.checkSig(sig, "sso", v) && json.Unmarshal(b, &st) == nil && s.now().Unix() < st.Expires
	}
	if !ok {
		fail(http.StatusBadRequest, "Die Anmeldung über den Identitätsdienst ist abgelaufen. Bitte versuchen Sie es erneut.")
		return
	}
	id, err := s.oidc.Finish(r.Context(), st.Flow, r.URL.Query())
	if err != nil {
		s.logger.WarnContext(r.Context(), "sso finish", "err", err)
		fail(http.StatusBadRequest, ratsnetz.ErrorMessage(err))
		return
	}
	a, err := oidc.Resolve(r.Context(), s.auth.Accounts, id, s.oidcLinkByEmail)
	if err != nil {
		if msg := s.userMessage(r, err); msg != "" {
			fail(http.StatusForbidden, msg)
			return
		}
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	l, err := s.auth.FinishSSO(r.Context(), a, s.client(r))
	if err != nil {
		if msg := s.userMessage(r, err); msg != "" {
			fail(http.StatusForbidden, msg)
			return
		}
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	s.cookies.SetSession(w, l.Token)
	seeOther(w, r, st.Next)
}
