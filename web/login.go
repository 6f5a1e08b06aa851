package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/totp"
)

type loginData struct {
	Next     string
	Login    string
	Error    string
	Info     string
	SSO      bool
	Password bool
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "/")
	if current(r) != nil {
		seeOther(w, r, next)
		return
	}
	d := loginData{Next: next, SSO: s.oidc != nil, Password: !s.auth.PasswordLoginDisabled}
	if r.URL.Query().Get("abgemeldet") != "" {
		d.Info = "Sie wurden abgemeldet."
	}
	s.renderForm(w, r, http.StatusOK, "login", s.formatter(r.Context()).T("login.title"), d)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"), "/")
	login := strings.TrimSpace(r.PostFormValue("login"))
	d := loginData{Next: next, Login: login, SSO: s.oidc != nil, Password: !s.auth.PasswordLoginDisabled}
	l, err := s.auth.PasswordLogin(r.Context(), login, r.PostFormValue("passwort"), s.client(r))
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, auth.ErrThrottled) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", "300")
		}
		if d.Error = s.userMessage(r, err); d.Error == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		s.renderForm(w, r, status, "login", s.formatter(r.Context()).T("login.title"), d)
		return
	}
	// Rotation: the new session always replaces whatever cookie came in.
	s.cookies.SetSession(w, l.Token)
	if l.NeedSecondFactor {
		if !l.Account.TOTPEnabled {
			seeOther(w, r, "/konto/zwei-faktor?next="+url.QueryEscape(next))
			return
		}
		seeOther(w, r, "/anmelden/zweiter-faktor?next="+url.QueryEscape(next))
		return
	}
	seeOther(w, r, next)
}

// pending returns the account of a pending (second factor missing)
// session cookie, nil if there is none.
func (s *Server) pending(r *http.Request) *ratsnetz.Account {
	ck, err := r.Cookie(s.cookies.SessionName())
	if err != nil || ck.Value == "" {
		return nil
	}
	sess, err := s.auth.PendingSession(r.Context(), ck.Value)
	if err != nil {
		return nil
	}
	a, err := s.auth.Accounts.FindAccountByID(r.Context(), sess.AccountID)
	if err != nil || !a.Active {
		return nil
	}
	return a
}

type codeData struct {
	Next  string
	Error string
}

func (s *Server) handleSecondFactorForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "/")
	a := s.pending(r)
	if a == nil {
		seeOther(w, r, "/anmelden?next="+url.QueryEscape(next))
		return
	}
	if !a.TOTPEnabled {
		seeOther(w, r, "/konto/zwei-faktor?next="+url.QueryEscape(next))
		return
	}
	s.renderForm(w, r, http.StatusOK, "code", s.formatter(r.Context()).T("login.code.title"), codeData{Next: next})
}

func (s *Server) handleSecondFactor(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"), "/")
	ck, err := r.Cookie(s.cookies.SessionName())
	if err != nil {
		seeOther(w, r, "/anmelden?next="+url.QueryEscape(next))
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	l, err := s.auth.VerifySecondFactor(r.Context(), ck.Value, code, r.PostFormValue("merken") != "", s.client(r))
	if err != nil {
		if errors.Is(err, auth.ErrSession) {
			seeOther(w, r, "/anmelden?next="+url.QueryEscape(next))
			return
		}
		status := http.StatusBadRequest
		if errors.Is(err, auth.ErrThrottled) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", "300")
		}
		msg := s.userMessage(r, err)
		if msg == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		s.renderForm(w, r, status, "code", s.formatter(r.Context()).T("login.code.title"), codeData{Next: next, Error: msg})
		return
	}
	s.cookies.SetSession(w, l.Token)
	if l.DeviceToken != "" {
		s.cookies.SetDevice(w, l.DeviceToken, rememberFor(s.auth))
	}
	seeOther(w, r, next)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(s.cookies.SessionName()); err == nil && ck.Value != "" {
		if err := s.auth.Logout(r.Context(), ck.Value, s.client(r)); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.cookies.ClearSession(w)
	seeOther(w, r, "/anmelden?abgemeldet=1")
}

// requireLogin returns the login of r or sends the browser to the login
// page.
func (s *Server) requireLogin(w http.ResponseWriter, r *http.Request) *auth.Current {
	c := current(r)
	if c == nil {
		seeOther(w, r, "/anmelden?next="+url.QueryEscape(r.URL.Path))
	}
	return c
}

type accountData struct {
	Account  *ratsnetz.Account
	Roles    []string
	Sessions []sessionRow
	Error    string
	Info     string
}

type sessionRow struct {
	Current   bool
	Created   string
	LastSeen  string
	IP        string
	UserAgent string
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	d := accountData{}
	switch r.URL.Query().Get("ok") {
	case "sitzungen":
		d.Info = "Alle anderen Sitzungen wurden beendet."
	case "passwort":
		d.Info = "Ihr Passwort wurde geändert."
	}
	s.renderAccount(w, r, c, http.StatusOK, d)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, c *auth.Current, status int, d accountData) {
	sessions, err := s.auth.Accounts.FindSessions(r.Context(), c.Account.ID, s.now().UTC())
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	d.Account = c.Account
	for _, role := range c.Account.Roles {
		d.Roles = append(d.Roles, role.Kind.Label())
	}
	for _, x := range sessions {
		if !x.TwoFactor {
			continue
		}
		d.Sessions = append(d.Sessions, sessionRow{Current: x.ID == c.Session.ID, Created: f.DateTime(x.Created),
			LastSeen: f.DateTime(x.LastSeen), IP: x.IP, UserAgent: x.UserAgent})
	}
	s.renderForm(w, r, status, "account", s.formatter(r.Context()).T("account.title"), d)
}

func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	if _, err := s.auth.LogoutEverywhere(r.Context(), c.Account.ID, c.Session.ID, s.client(r)); err != nil {
		s.error(w, r, err)
		return
	}
	seeOther(w, r, "/konto?ok=sitzungen")
}

func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	pw, pw2 := r.PostFormValue("neu"), r.PostFormValue("neu2")
	if pw != pw2 {
		s.renderAccount(w, r, c, http.StatusBadRequest, accountData{Error: "Die beiden neuen Passwörter stimmen nicht überein."})
		return
	}
	if err := s.auth.ChangePassword(r.Context(), c.Account, c.Session.ID, r.PostFormValue("alt"), pw, s.client(r)); err != nil {
		msg := s.userMessage(r, err)
		if msg == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		s.renderAccount(w, r, c, http.StatusBadRequest, accountData{Error: msg})
		return
	}
	seeOther(w, r, "/konto?ok=passwort")
}

type totpData struct {
	Next      string
	Pending   bool
	Enabled   bool
	Secret    string
	URL       string
	Sig       string
	Error     string
	Codes     []string
	Confirmed bool
}

// totpAccount is the account that may set up TOTP: the logged-in one, or
// the one of a pending session that must set it up before its first login
// (never one that has TOTP already: a password alone must not re-enrol).
func (s *Server) totpAccount(r *http.Request) (*ratsnetz.Account, bool) {
	if c := current(r); c != nil {
		return c.Account, false
	}
	if a := s.pending(r); a != nil && !a.TOTPEnabled {
		return a, true
	}
	return nil, false
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"), "/")
	a, pending := s.totpAccount(r)
	if a == nil {
		seeOther(w, r, "/anmelden?next="+url.QueryEscape(next))
		return
	}
	setup, err := s.auth.BeginTOTP(a)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderForm(w, r, http.StatusOK, "totp", s.formatter(r.Context()).T("account.totp"), totpData{Next: next, Pending: pending, Enabled: a.TOTPEnabled,
		Secret: setup.Text, URL: setup.URL, Sig: s.sign("totp", itoa(a.ID), setup.Text)})
}

func (s *Server) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"), "/")
	a, pending := s.totpAccount(r)
	if a == nil {
		seeOther(w, r, "/anmelden?next="+url.QueryEscape(next))
		return
	}
	text := r.PostFormValue("secret")
	secret, err := totp.DecodeSecret(text)
	if err != nil || !s.checkSig(r.PostFormValue("sig"), "totp", itoa(a.ID), text) {
		s.renderMessage(w, r, http.StatusBadRequest, s.formatter(r.Context()).T("account.totp"), "Das Formular ist ungültig. Bitte beginnen Sie die Einrichtung neu.")
		return
	}
	d := totpData{Next: next, Pending: pending, Enabled: a.TOTPEnabled, Secret: text,
		URL: totp.URL(issuerOr(s.auth.Issuer), accountLabel(a), secret), Sig: r.PostFormValue("sig")}
	codes, err := s.auth.ConfirmTOTP(r.Context(), a.ID, secret, strings.TrimSpace(r.PostFormValue("code")), s.client(r))
	if err != nil {
		if d.Error = s.userMessage(r, err); d.Error == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		s.renderForm(w, r, http.StatusBadRequest, "totp", s.formatter(r.Context()).T("account.totp"), d)
		return
	}
	d.Codes, d.Confirmed = codes, true
	s.renderForm(w, r, http.StatusOK, "totp", s.formatter(r.Context()).T("account.totp"), d)
}

func issuerOr(s string) string {
	if s == "" {
		return "Ratsnetz"
	}
	return s
}

func accountLabel(a *ratsnetz.Account) string {
	if a.Email != "" {
		return a.Email
	}
	return a.UserName
}

type forgotData struct {
	Sent  bool
	Email string
}

func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {
	s.renderForm(w, r, http.StatusOK, "forgot", s.formatter(r.Context()).T("login.forgot.title"), forgotData{})
}

func (s *Server) handleForgot(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	raw, a, err := s.auth.RequestPasswordReset(r.Context(), email, s.client(r))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if raw != "" {
		s.sendMail(r.Context(), a.Email, "Ratsnetz: Passwort zurücksetzen",
			"Guten Tag,\n\nfür Ihr Konto wurde ein neues Passwort angefordert. Über diesen Link können Sie es innerhalb einer Stunde setzen:\n\n"+
				s.absURL("/passwort-neu?token="+url.QueryEscape(raw))+
				"\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht; Ihr Passwort bleibt dann unverändert.\n")
	}
	// The same answer whether or not the address is known.
	s.renderForm(w, r, http.StatusOK, "forgot", s.formatter(r.Context()).T("login.forgot.title"), forgotData{Sent: true})
}

func (s *Server) absURL(path string) string {
	if s.baseURL == "" {
		return path
	}
	return s.baseURL + path
}

type setPasswordData struct {
	Action     string
	Invitation bool
	Token      string
	Error      string
	Done       bool
}

func (s *Server) setPasswordPurpose(r *http.Request) (string, bool) {
	if r.URL.Path == "/einladung" {
		return ratsnetz.TokenInvitation, true
	}
	return ratsnetz.TokenPasswordReset, false
}

func setPasswordTitle(invitation bool) string {
	if invitation {
		return "Einladung annehmen"
	}
	return "Neues Passwort"
}

func (s *Server) handleSetPasswordForm(w http.ResponseWriter, r *http.Request) {
	_, inv := s.setPasswordPurpose(r)
	tok := r.URL.Query().Get("token")
	if tok == "" || len(tok) > 200 {
		s.renderMessage(w, r, http.StatusBadRequest, setPasswordTitle(inv), linkInvalid)
		return
	}
	s.renderForm(w, r, http.StatusOK, "setpassword", setPasswordTitle(inv), setPasswordData{Action: r.URL.Path, Invitation: inv, Token: tok})
}

const linkInvalid = "Der Link ist ungültig, abgelaufen oder wurde bereits verwendet. Bitte fordern Sie einen neuen an."

func (s *Server) handleSetPassword(w http.ResponseWriter, r *http.Request) {
	purpose, inv := s.setPasswordPurpose(r)
	tok := r.PostFormValue("token")
	d := setPasswordData{Action: r.URL.Path, Invitation: inv, Token: tok}
	pw := r.PostFormValue("passwort")
	if pw != r.PostFormValue("passwort2") {
		d.Error = "Die beiden Passwörter stimmen nicht überein."
		s.renderForm(w, r, http.StatusBadRequest, "setpassword", setPasswordTitle(inv), d)
		return
	}
	_, err := s.auth.SetPasswordWithToken(r.Context(), purpose, tok, pw, s.client(r))
	switch {
	case err == nil:
		d.Done, d.Token = true, ""
		s.renderForm(w, r, http.StatusOK, "setpassword", setPasswordTitle(inv), d)
	case ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND:
		s.renderMessage(w, r, http.StatusBadRequest, setPasswordTitle(inv), linkInvalid)
	default:
		if d.Error = s.userMessage(r, err); d.Error == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		s.renderForm(w, r, http.StatusBadRequest, "setpassword", setPasswordTitle(inv), d)
	}
}

// rememberFor is how long a remembered device skips the second factor.
func rememberFor(s *auth.Service) time.Duration {
	if s.RememberDevice > 0 {
		return s.RememberDevice
	}
	return auth.DefaultRememberDevice
}
