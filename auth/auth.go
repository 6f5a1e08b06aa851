// Package auth is the login logic between the web handlers and the account
// store: password login with throttling and generic errors, two-factor
// (TOTP or a recovery code), remembered devices, sessions with idle and
// absolute timeouts and rotation, logout (everywhere), password reset and
// invitation by one-time link, and an audit event for each of these.
// Handlers stay thin: parse the form, call one method, set or clear the
// cookie with the returned token.
package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/throttle"
	"github.com/ratsnetz/ratsnetz/token"
	"github.com/ratsnetz/ratsnetz/totp"
)

// Defaults of the Service's durations.
const (
	DefaultIdleTimeout     = 2 * time.Hour
	DefaultAbsoluteTimeout = 12 * time.Hour
	DefaultRememberDevice  = 30 * 24 * time.Hour
	DefaultResetTTL        = time.Hour
	DefaultInvitationTTL   = 7 * 24 * time.Hour
	// touchEvery limits the writes of session activity: LastSeen is
	// updated at most once a minute per session, not on every page view.
	touchEvery = time.Minute
)

// Service does logins. Set the fields, then use it from many goroutines.
type Service struct {
	Accounts ratsnetz.AccountService
	Hasher   password.Hasher
	// AccountLimiter throttles per login name, IPLimiter per client address.
	AccountLimiter *throttle.Limiter
	IPLimiter      *throttle.Limiter
	Now            func() time.Time
	Logger         *slog.Logger
	// Issuer names the installation in authenticator apps.
	Issuer          string
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	RememberDevice  time.Duration
	ResetTTL        time.Duration
	InvitationTTL   time.Duration
	// PasswordLoginDisabled switches local password login off (single
	// sign-on only).
	PasswordLoginDisabled bool
	// Objects and Conflicts serve grants and conflicts of interest
	// (rights.go); *sqlstore.DB implements both. Nil: those calls fail.
	Objects   Objects
	Conflicts ratsnetz.ConflictService
}

// Client is where a request comes from.
type Client struct {
	IP        string
	UserAgent string
	// DeviceToken is the remembered-device cookie, if any.
	DeviceToken string
}

// Login is the outcome of a successful step of logging in.
type Login struct {
	Account *ratsnetz.Account
	Session *ratsnetz.Session
	// Token is the new session cookie value; the old cookie (if any) must be
	// replaced: every login step rotates the session.
	Token string
	// NeedSecondFactor: the session is pending until VerifySecondFactor;
	// it grants no rights (Authenticate reports it as pending).
	NeedSecondFactor bool
	// DeviceToken, if set, is a new remembered-device cookie value.
	DeviceToken string
}

// ErrLogin is the one answer to every failed login: unknown name, wrong
// password, deactivated account look the same (no user enumeration).
var ErrLogin = ratsnetz.Errorf(ratsnetz.EINVALID, "Anmeldung fehlgeschlagen: E-Mail-Adresse/Benutzername oder Passwort sind falsch.")

// ErrThrottled is the answer while a login name or address is locked.
var ErrThrottled = ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.")

// ErrSession is the answer for a missing, expired or pending session.
var ErrSession = ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Sitzung abgelaufen. Bitte melden Sie sich erneut an.")

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// audit appends an event; a failure is logged, never shown, and does not
// stop the login.
func (s *Service) audit(ctx context.Context, e ratsnetz.AuditEvent, c Client) {
	e.IP, e.UserAgent = c.IP, c.UserAgent
	e.Time = s.now()
	if err := s.Accounts.AppendAudit(ctx, &e); err != nil {
		s.logger().ErrorContext(ctx, "audit append failed", "action", e.Action, "err", err)
	}
}

func loginKey(login string) string { return "login:" + normalize(login) }
func ipKey(ip string) string       { return "ip:" + ip }

// PasswordLogin checks login (e-mail or user name) and password. On success
// it starts a session: complete, or pending the second factor when the
// account has TOTP enabled (or must have it) and the device is not
// remembered.
func (s *Service) PasswordLogin(ctx context.Context, login, pw string, c Client) (*Login, error) {
	if s.PasswordLoginDisabled {
		return nil, ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Die Anmeldung mit Passwort ist abgeschaltet. Bitte melden Sie sich über den Identitätsdienst an.")
	}
	now := s.now()
	// device is the account of a remembered-device cookie, if the cookie
	// belongs to the account being logged into.
	var device int64
	if d := s.rememberedDevice(ctx, c.DeviceToken, now); d != nil && normalize(login) != "" &&
		(normalize(login) == d.Email || normalize(login) == d.UserName) {
		device = d.ID
	}
	lk, ik := loginKey(login), ipKey(c.IP)
	// A remembered device skips the per-name throttle: an attacker failing
	// on purpose cannot lock the owner out of their own device.
	if _, ok := s.IPLimiter.Check(ik); !ok {
		s.audit(ctx, ratsnetz.AuditEvent{Actor: login, Action: ratsnetz.AuditLoginLocked, Detail: "ip"}, c)
		return nil, ErrThrottled
	}
	if device == 0 {
		if _, ok := s.AccountLimiter.Check(lk); !ok {
			s.audit(ctx, ratsnetz.AuditEvent{Actor: login, Action: ratsnetz.AuditLoginLocked, Detail: "account"}, c)
			return nil, ErrThrottled
		}
	}
	fail := func(accountID int64, why string) (*Login, error) {
		s.IPLimiter.Fail(ik)
		if device == 0 {
			s.AccountLimiter.Fail(lk)
		}
		s.audit(ctx, ratsnetz.AuditEvent{AccountID: accountID, Actor: login, Action: ratsnetz.AuditLoginFailed, Detail: why}, c)
		return nil, ErrLogin
	}
	if len(pw) > 4*password.MaxLength {
		return fail(0, "password too long")
	}
	a, err := s.Accounts.FindAccountByLogin(ctx, login)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		s.Hasher.Dummy(pw) // same time as for a known account
		return fail(0, "unknown login")
	} else if err != nil {
		return nil, fmt.Errorf("password login: %w", err)
	}
	if a.PasswordHash == "" {
		s.Hasher.Dummy(pw)
		return fail(a.ID, "no password")
	}
	ok, rehash, err := s.Hasher.Verify(a.PasswordHash, pw)
	if err != nil {
		return nil, fmt.Errorf("password login: account %d: %w", a.ID, err)
	}
	if !ok {
		return fail(a.ID, "wrong password")
	}
	if !a.Active {
		return fail(a.ID, "deactivated")
	}
	s.AccountLimiter.Succeed(lk)
	if rehash {
		if h, err := s.Hasher.Hash(pw); err == nil {
			if _, err := s.Accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{PasswordHash: &h}); err != nil {
				s.logger().WarnContext(ctx, "password rehash failed", "account", a.ID, "err", err)
			}
		}
	}
	second := (a.TOTPEnabled || a.RequiresTOTP()) && device != a.ID
	l, err := s.startSession(ctx, a, c, !second)
	if err != nil {
		return nil, err
	}
	l.NeedSecondFactor = second
	if !second {
		s.loggedIn(ctx, a, c, "password")
	}
	return l, nil
}

// FinishSSO starts a complete session for an account found by single
// sign-on (oidc.Resolve); the provider did the authentication, including
// any second factor it enforces.
func (s *Service) FinishSSO(ctx context.Context, a *ratsnetz.Account, c Client) (*Login, error) {
	if !a.Active {
		return nil, ErrLogin
	}
	l, err := s.startSession(ctx, a, c, true)
	if err != nil {
		return nil, err
	}
	s.loggedIn(ctx, a, c, "sso")
	return l, nil
}

func (s *Service) loggedIn(ctx context.Context, a *ratsnetz.Account, c Client, how string) {
	now := s.now()
	if _, err := s.Accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{LastLogin: &now}); err != nil {
		s.logger().WarnContext(ctx, "last login update failed", "account", a.ID, "err", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditLogin, Detail: how}, c)
}

func actor(a *ratsnetz.Account) string {
	if a.Email != "" {
		return a.Email
	}
	return a.UserName
}

func (s *Service) startSession(ctx context.Context, a *ratsnetz.Account, c Client, twoFactor bool) (*Login, error) {
	raw, hash, err := token.New(nil)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sess := &ratsnetz.Session{TokenHash: hash, AccountID: a.ID, Created: now, LastSeen: now,
		Expires: now.Add(orDefault(s.AbsoluteTimeout, DefaultAbsoluteTimeout)), UserAgent: c.UserAgent, IP: c.IP, TwoFactor: twoFactor}
	if err := s.Accounts.CreateSession(ctx, sess); err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	return &Login{Account: a, Session: sess, Token: raw}, nil
}

// rememberedDevice returns the account of a valid device token, or nil.
func (s *Service) rememberedDevice(ctx context.Context, raw string, now time.Time) *ratsnetz.Account {
	if raw == "" {
		return nil
	}
	t, err := s.Accounts.FindToken(ctx, ratsnetz.TokenRememberDevice, token.Hash(raw), now)
	if err != nil {
		return nil
	}
	a, err := s.Accounts.FindAccountByID(ctx, t.AccountID)
	if err != nil {
		return nil
	}
	return a
}

// VerifySecondFactor completes a pending session with a TOTP code or a
// recovery code. The pending session is replaced by a new one (rotation);
// with remember set, a remembered-device token comes back too. A wrong code
// counts as a failed login for the throttle.
func (s *Service) VerifySecondFactor(ctx context.Context, sessionToken, code string, remember bool, c Client) (*Login, error) {
	now := s.now()
	sess, err := s.Accounts.FindSessionByToken(ctx, token.Hash(sessionToken), now)
	if err != nil || sess.TwoFactor {
		return nil, ErrSession
	}
	a, err := s.Accounts.FindAccountByID(ctx, sess.AccountID)
	if err != nil || !a.Active {
		return nil, ErrSession
	}
	lk, ik := fmt.Sprintf("totp:%d", a.ID), ipKey(c.IP)
	if _, ok := s.AccountLimiter.Check(lk); !ok {
		return nil, ErrThrottled
	}
	if _, ok := s.IPLimiter.Check(ik); !ok {
		return nil, ErrThrottled
	}
	how := "totp"
	if a.TOTPEnabled {
		if step, ok := totp.Validate(a.TOTPSecret, code, now, a.TOTPLastStep); ok {
			if _, err := s.Accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{TOTPLastStep: &step}); err != nil {
				if ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
					return nil, fmt.Errorf("second factor: %w", err)
				}
				how = "" // the same code raced in twice: only one wins
			}
		} else if i := totp.MatchRecoveryCode(a.RecoveryCodeHashes, code); i >= 0 {
			rest := append(append([]string{}, a.RecoveryCodeHashes[:i]...), a.RecoveryCodeHashes[i+1:]...)
			if _, err := s.Accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{RecoveryCodeHashes: &rest}); err != nil {
				return nil, fmt.Errorf("second factor: %w", err)
			}
			how = "recovery"
			s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditRecoveryUsed,
				Detail: fmt.Sprintf("%d left", len(rest))}, c)
		} else {
			how = ""
		}
	} else {
		// TOTP is required by the role but not set up yet: the web layer
		// sends the user to the setup page instead of calling this.
		how = ""
	}
	if how == "" {
		s.AccountLimiter.Fail(lk)
		s.IPLimiter.Fail(ik)
		s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditLoginFailed, Detail: "second factor"}, c)
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Der Code ist falsch oder wurde bereits verwendet.")
	}
	s.AccountLimiter.Succeed(lk)
	if err := s.Accounts.DeleteSession(ctx, sess.ID); err != nil {
		return nil, fmt.Errorf("second factor: %w", err)
	}
	l, err := s.startSession(ctx, a, c, true)
	if err != nil {
		return nil, err
	}
	if remember {
		raw, hash, err := token.New(nil)
		if err != nil {
			return nil, err
		}
		if err := s.Accounts.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: ratsnetz.TokenRememberDevice, TokenHash: hash,
			AccountID: a.ID, Created: now, Expires: now.Add(orDefault(s.RememberDevice, DefaultRememberDevice))}); err != nil {
			return nil, fmt.Errorf("remember device: %w", err)
		}
		l.DeviceToken = raw
	}
	s.loggedIn(ctx, a, c, "password+"+how)
	return l, nil
}

// Authenticate returns the account and session of a session cookie for a
// request. Pending (second factor missing), idle-expired, absolutely
// expired sessions and deactivated accounts give ErrSession. Activity is
// written at most once a minute, so ordinary page views cost one indexed
// read of the session and one of the account.
func (s *Service) Authenticate(ctx context.Context, sessionToken string) (*ratsnetz.Account, *ratsnetz.Session, error) {
	if sessionToken == "" {
		return nil, nil, ErrSession
	}
	now := s.now()
	sess, err := s.Accounts.FindSessionByToken(ctx, token.Hash(sessionToken), now)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		return nil, nil, ErrSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	if !sess.TwoFactor {
		return nil, nil, ErrSession
	}
	if now.Sub(sess.LastSeen) >= orDefault(s.IdleTimeout, DefaultIdleTimeout) {
		if err := s.Accounts.DeleteSession(ctx, sess.ID); err != nil {
			s.logger().WarnContext(ctx, "delete idle session failed", "err", err)
		}
		return nil, nil, ErrSession
	}
	a, err := s.Accounts.FindAccountByID(ctx, sess.AccountID)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || err == nil && !a.Active {
		return nil, nil, ErrSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.Accounts.TouchSession(ctx, sess.ID, now); err != nil {
			s.logger().WarnContext(ctx, "touch session failed", "err", err)
		}
		sess.LastSeen = now
	}
	return a, sess, nil
}

// Logout ends the session of the token (nothing if there is none).
func (s *Service) Logout(ctx context.Context, sessionToken string, c Client) error {
	sess, err := s.Accounts.FindSessionByToken(ctx, token.Hash(sessionToken), s.now())
	if err != nil {
		return nil
	}
	if err := s.Accounts.DeleteSession(ctx, sess.ID); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: sess.AccountID, Action: ratsnetz.AuditLogout}, c)
	return nil
}

// LogoutEverywhere ends all sessions of the account but keep (0 = all) and
// forgets its remembered devices.
func (s *Service) LogoutEverywhere(ctx context.Context, accountID, keep int64, c Client) (int, error) {
	n, err := s.Accounts.DeleteAccountSessions(ctx, accountID, keep)
	if err != nil {
		return 0, fmt.Errorf("logout everywhere: %w", err)
	}
	if err := s.Accounts.DeleteTokens(ctx, accountID, ratsnetz.TokenRememberDevice); err != nil {
		return 0, fmt.Errorf("logout everywhere: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: accountID, Action: ratsnetz.AuditLogoutAll, Detail: fmt.Sprintf("%d sessions", n)}, c)
	return n, nil
}
