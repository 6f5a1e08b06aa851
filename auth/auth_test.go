package auth_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/throttle"
	"github.com/ratsnetz/ratsnetz/totp"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	svc   *auth.Service
	db    *sqlstore.DB
	clock *clock
}

var fast = password.Hasher{Params: password.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}}

const pw = "Kaffee im Ratssaal 2026"

var client = auth.Client{IP: "192.0.2.10", UserAgent: "Testbrowser"}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	policy := throttle.Policy{Free: 3, Base: time.Minute, Max: 10 * time.Minute, Forget: time.Hour}
	return &env{db: db, clock: c, svc: &auth.Service{
		Accounts:       db,
		Hasher:         fast,
		AccountLimiter: throttle.New(policy, c.Now),
		IPLimiter:      throttle.New(throttle.Policy{Free: 20, Base: time.Minute, Max: 10 * time.Minute, Forget: time.Hour}, c.Now),
		Now:            c.Now,
		Issuer:         "Ratsnetz Test",
	}}
}

func (e *env) account(t *testing.T, a *ratsnetz.Account) *ratsnetz.Account {
	t.Helper()
	h, err := fast.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	a.PasswordHash, a.Active = h, true
	if err := e.db.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) auditActions(t *testing.T) []string {
	t.Helper()
	var out []string
	err := e.db.ExportAudit(context.Background(), ratsnetz.AuditFilter{}, func(ev *ratsnetz.AuditEvent) error {
		out = append(out, ev.Action+":"+ev.Detail)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestPasswordLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{Email: "erika@musterstadt.example", UserName: "erika", PersonID: 7})
	l, err := e.svc.PasswordLogin(ctx, " ERIKA@musterstadt.example", pw, client)
	if err != nil {
		t.Fatal(err)
	}
	if l.NeedSecondFactor || l.Token == "" || l.Session.AccountID != a.ID {
		t.Fatalf("login: %+v", l)
	}
	got, sess, err := e.svc.Authenticate(ctx, l.Token)
	if err != nil || got.ID != a.ID || sess.ID != l.Session.ID {
		t.Fatalf("Authenticate = %v, %v, %v", got, sess, err)
	}
	if v := got.Viewer(); v.AccountID != a.ID || v.PersonID != 7 || v.IsPublic() {
		t.Errorf("viewer %+v", v)
	}
	// By user name too; a second login is a second session.
	l2, err := e.svc.PasswordLogin(ctx, "Erika", pw, client)
	if err != nil || l2.Token == l.Token {
		t.Fatalf("second login: %v", err)
	}
	if err := e.svc.Logout(ctx, l.Token, client); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, l.Token); err != auth.ErrSession {
		t.Errorf("after logout: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, l2.Token); err != nil {
		t.Errorf("other session ended by logout: %v", err)
	}
	if acts := e.auditActions(t); !contains(acts, "login:password") || !contains(acts, "logout:") {
		t.Errorf("audit %v", acts)
	}
}

// TestGenericErrors: unknown login, wrong password and deactivated account
// give the same error; each is audited.
func TestGenericErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "karl"})
	off := e.account(t, &ratsnetz.Account{UserName: "alt"})
	if err := e.db.DeactivateAccount(ctx, off.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ login, pw string }{{"niemand", pw}, {"karl", "falsches Passwort!"}, {"alt", pw}, {"", ""}} {
		l, err := e.svc.PasswordLogin(ctx, tc.login, tc.pw, auth.Client{IP: "198.51.100." + tc.login})
		if err != auth.ErrLogin || l != nil {
			t.Errorf("login %q: %v, %v; want ErrLogin", tc.login, l, err)
		}
	}
	acts := e.auditActions(t)
	for _, want := range []string{"login_failed:unknown login", "login_failed:wrong password", "login_failed:deactivated"} {
		if !contains(acts, want) {
			t.Errorf("audit %v lacks %q", acts, want)
		}
	}
	_ = a
}

func TestThrottle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, &ratsnetz.Account{UserName: "karl"})
	e.account(t, &ratsnetz.Account{UserName: "other"})
	for i := range 4 {
		if _, err := e.svc.PasswordLogin(ctx, "karl", "falsch falsch falsch", client); err != auth.ErrLogin {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// Locked now, even with the right password…
	if _, err := e.svc.PasswordLogin(ctx, "KARL", pw, client); err != auth.ErrThrottled {
		t.Fatalf("right password while locked: %v", err)
	}
	// …but not another account from the same address.
	if _, err := e.svc.PasswordLogin(ctx, "other", pw, client); err != nil {
		t.Errorf("other account locked too: %v", err)
	}
	// The lockout expires.
	e.clock.Add(time.Minute)
	if _, err := e.svc.PasswordLogin(ctx, "karl", pw, client); err != nil {
		t.Errorf("after lockout expired: %v", err)
	}
	if acts := e.auditActions(t); !contains(acts, "login_locked:account") {
		t.Errorf("lockout not audited: %v", acts)
	}
}

func TestIPThrottle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, &ratsnetz.Account{UserName: "karl"})
	for i := range 21 {
		e.svc.PasswordLogin(ctx, "spray"+string(rune('a'+i)), "falsch falsch falsch", client)
	}
	if _, err := e.svc.PasswordLogin(ctx, "karl", pw, client); err != auth.ErrThrottled {
		t.Errorf("password spraying from one address not throttled: %v", err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "karl", pw, auth.Client{IP: "203.0.113.5"}); err != nil {
		t.Errorf("other address blocked: %v", err)
	}
}

func TestTOTPLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "admin", Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindAdministrator}}})
	// Set up TOTP as the setup page would.
	setup, err := e.svc.BeginTOTP(a)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(-2 * totp.Period) // confirm with a code of a while ago
	codes, err := e.svc.ConfirmTOTP(ctx, a.ID, setup.Secret, totp.Code(setup.Secret, e.clock.Now()), client)
	if err != nil || len(codes) != totp.RecoveryCodeCount {
		t.Fatalf("ConfirmTOTP: %v, %v", codes, err)
	}
	e.clock.Add(2 * totp.Period)

	l, err := e.svc.PasswordLogin(ctx, "admin", pw, client)
	if err != nil || !l.NeedSecondFactor {
		t.Fatalf("password step: %+v, %v", l, err)
	}
	if _, _, err := e.svc.Authenticate(ctx, l.Token); err != auth.ErrSession {
		t.Errorf("pending session grants access: %v", err)
	}
	if _, err := e.svc.VerifySecondFactor(ctx, l.Token, "000000", false, client); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		if totp.Code(setup.Secret, e.clock.Now()) != "000000" {
			t.Errorf("wrong code: %v", err)
		}
	}
	code := totp.Code(setup.Secret, e.clock.Now())
	full, err := e.svc.VerifySecondFactor(ctx, l.Token, code, true, client)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: the pending token is dead, the new one works.
	if full.Token == l.Token {
		t.Error("session not rotated")
	}
	if _, err := e.svc.VerifySecondFactor(ctx, l.Token, code, false, client); err != auth.ErrSession {
		t.Errorf("pending token after rotation: %v", err)
	}
	if got, _, err := e.svc.Authenticate(ctx, full.Token); err != nil || got.ID != a.ID {
		t.Errorf("Authenticate full session: %v", err)
	}
	// The same code cannot log in twice.
	l2, _ := e.svc.PasswordLogin(ctx, "admin", pw, client)
	if _, err := e.svc.VerifySecondFactor(ctx, l2.Token, code, false, client); err == nil {
		t.Error("replayed TOTP code accepted")
	}
	// A recovery code works once.
	if _, err := e.svc.VerifySecondFactor(ctx, l2.Token, codes[0], false, client); err != nil {
		t.Errorf("recovery code: %v", err)
	}
	l3, _ := e.svc.PasswordLogin(ctx, "admin", pw, client)
	if _, err := e.svc.VerifySecondFactor(ctx, l3.Token, codes[0], false, client); err == nil {
		t.Error("recovery code accepted twice")
	}
	// The remembered device skips the second factor.
	l4, err := e.svc.PasswordLogin(ctx, "admin", pw, auth.Client{IP: client.IP, DeviceToken: full.DeviceToken})
	if err != nil || l4.NeedSecondFactor {
		t.Errorf("remembered device: %+v, %v", l4, err)
	}
	acts := e.auditActions(t)
	for _, want := range []string{"totp_enabled:", "login:password+totp", "login:password+recovery", "recovery_code_used:9 left", "login_failed:second factor"} {
		if !contains(acts, want) {
			t.Errorf("audit %v lacks %q", acts, want)
		}
	}
}

// TestRememberedDeviceBypassesLockout: an attacker locking the name out
// does not lock the owner out of their remembered device.
func TestRememberedDeviceBypassesLockout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "erika"})
	setup, _ := e.svc.BeginTOTP(a)
	if _, err := e.svc.ConfirmTOTP(ctx, a.ID, setup.Secret, totp.Code(setup.Secret, e.clock.Now()), client); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(totp.Period)
	l, _ := e.svc.PasswordLogin(ctx, "erika", pw, client)
	full, err := e.svc.VerifySecondFactor(ctx, l.Token, totp.Code(setup.Secret, e.clock.Now()), true, client)
	if err != nil {
		t.Fatal(err)
	}
	attacker := auth.Client{IP: "203.0.113.66"}
	for range 5 {
		e.svc.PasswordLogin(ctx, "erika", "geraten geraten", attacker)
	}
	if _, err := e.svc.PasswordLogin(ctx, "erika", pw, client); err != auth.ErrThrottled {
		t.Fatalf("name not locked: %v", err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "erika", pw, auth.Client{IP: client.IP, DeviceToken: full.DeviceToken}); err != nil {
		t.Errorf("owner locked out of the remembered device: %v", err)
	}
	// The device cookie of one account does not unlock another.
	e.account(t, &ratsnetz.Account{UserName: "karl"})
	for range 5 {
		e.svc.PasswordLogin(ctx, "karl", "geraten geraten", attacker)
	}
	if _, err := e.svc.PasswordLogin(ctx, "karl", pw, auth.Client{IP: client.IP, DeviceToken: full.DeviceToken}); err != auth.ErrThrottled {
		t.Errorf("erika's device unlocks karl: %v", err)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.svc.IdleTimeout, e.svc.AbsoluteTimeout = 30*time.Minute, 2*time.Hour
	e.account(t, &ratsnetz.Account{UserName: "erika"})
	l, err := e.svc.PasswordLogin(ctx, "erika", pw, client)
	if err != nil {
		t.Fatal(err)
	}
	// Activity every 20 minutes keeps it alive until the absolute end.
	for i := range 5 {
		e.clock.Add(20 * time.Minute)
		if _, _, err := e.svc.Authenticate(ctx, l.Token); err != nil {
			t.Fatalf("active session ended after %d min: %v", 20*(i+1), err)
		}
	}
	e.clock.Add(20 * time.Minute) // 120 min
	if _, _, err := e.svc.Authenticate(ctx, l.Token); err != auth.ErrSession {
		t.Errorf("session alive past the absolute timeout: %v", err)
	}
	// Idle: 30 minutes without activity.
	l2, _ := e.svc.PasswordLogin(ctx, "erika", pw, client)
	e.clock.Add(29 * time.Minute)
	if _, _, err := e.svc.Authenticate(ctx, l2.Token); err != nil {
		t.Fatalf("ended before idle timeout: %v", err)
	}
	e.clock.Add(30 * time.Minute)
	if _, _, err := e.svc.Authenticate(ctx, l2.Token); err != auth.ErrSession {
		t.Errorf("idle session alive: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, ""); err != auth.ErrSession {
		t.Errorf("empty token: %v", err)
	}
}

func TestPasswordReset(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{Email: "erika@musterstadt.example", DisplayName: "Erika Mustermann"})
	old, _ := e.svc.PasswordLogin(ctx, "erika@musterstadt.example", pw, client)

	if raw, acc, err := e.svc.RequestPasswordReset(ctx, "niemand@musterstadt.example", client); raw != "" || acc != nil || err != nil {
		t.Errorf("reset for unknown address: %q, %v, %v", raw, acc, err)
	}
	raw, acc, err := e.svc.RequestPasswordReset(ctx, "Erika@Musterstadt.example", client)
	if err != nil || raw == "" || acc.ID != a.ID {
		t.Fatalf("RequestPasswordReset: %q, %v, %v", raw, acc, err)
	}
	// A weak password is refused without using up the link.
	if _, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenPasswordReset, raw, "passwort123", client); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("weak password: %v", err)
	}
	const newPW = "neues langes Kennwort fuer Erika"
	if _, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenPasswordReset, raw, newPW, client); err != nil {
		t.Fatal(err)
	}
	// Single use.
	if _, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenPasswordReset, raw, newPW+"!", client); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("second use: %v", err)
	}
	// Old sessions and the old password are gone.
	if _, _, err := e.svc.Authenticate(ctx, old.Token); err != auth.ErrSession {
		t.Errorf("old session survived the reset: %v", err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "erika@musterstadt.example", pw, client); err != auth.ErrLogin {
		t.Errorf("old password: %v", err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "erika@musterstadt.example", newPW, client); err != nil {
		t.Errorf("new password: %v", err)
	}
	// Expiry.
	raw2, _, _ := e.svc.RequestPasswordReset(ctx, "erika@musterstadt.example", client)
	e.clock.Add(auth.DefaultResetTTL)
	if _, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenPasswordReset, raw2, newPW+" 2", client); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("expired link: %v", err)
	}
	// A reset link is not an invitation link.
	raw3, _, _ := e.svc.RequestPasswordReset(ctx, "erika@musterstadt.example", client)
	if _, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenInvitation, raw3, newPW+" 3", client); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("reset link as invitation: %v", err)
	}
	if acts := e.auditActions(t); !contains(acts, "password_reset:password_reset") {
		t.Errorf("audit %v", acts)
	}
}

func TestLogoutEverywhere(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "erika"})
	var ls []*auth.Login
	for range 3 {
		l, err := e.svc.PasswordLogin(ctx, "erika", pw, client)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	n, err := e.svc.LogoutEverywhere(ctx, a.ID, ls[0].Session.ID, client)
	if err != nil || n != 2 {
		t.Fatalf("LogoutEverywhere = %d, %v", n, err)
	}
	if _, _, err := e.svc.Authenticate(ctx, ls[0].Token); err != nil {
		t.Errorf("current session ended: %v", err)
	}
	for _, l := range ls[1:] {
		if _, _, err := e.svc.Authenticate(ctx, l.Token); err != auth.ErrSession {
			t.Errorf("other session alive: %v", err)
		}
	}
}

func TestDeactivationEndsSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "erika"})
	l, _ := e.svc.PasswordLogin(ctx, "erika", pw, client)
	if err := e.db.DeactivateAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, l.Token); err != auth.ErrSession {
		t.Errorf("session of a deactivated account: %v", err)
	}
}

func TestPasswordLoginDisabled(t *testing.T) {
	e := newEnv(t)
	e.account(t, &ratsnetz.Account{UserName: "erika"})
	e.svc.PasswordLoginDisabled = true
	if _, err := e.svc.PasswordLogin(context.Background(), "erika", pw, client); ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		t.Errorf("password login while disabled: %v", err)
	}
}

func TestInvitation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := &ratsnetz.Account{Email: "neu@musterstadt.example"}
	if err := e.db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	raw, err := e.svc.Invite(ctx, a.ID, 1, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "neu@musterstadt.example", "irgendein Passwort", client); err != auth.ErrLogin {
		t.Errorf("invited account without password logs in: %v", err)
	}
	got, err := e.svc.SetPasswordWithToken(ctx, ratsnetz.TokenInvitation, raw, "mein eigenes Passwort", client)
	if err != nil || !got.Active {
		t.Fatalf("accept invitation: %+v, %v", got, err)
	}
	if _, err := e.svc.PasswordLogin(ctx, "neu@musterstadt.example", "mein eigenes Passwort", client); err != nil {
		t.Errorf("login after invitation: %v", err)
	}
}

// BenchmarkAuthenticate is the per-request cost of a logged-in page view
// (SQLite): session lookup and account load; LastSeen written once a minute.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "t.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	h, _ := fast.Hash(pw)
	if err := db.CreateAccount(ctx, &ratsnetz.Account{UserName: "erika", PasswordHash: h, Active: true,
		Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}}); err != nil {
		b.Fatal(err)
	}
	svc := &auth.Service{Accounts: db, Hasher: fast, AccountLimiter: throttle.New(throttle.Account(), nil), IPLimiter: throttle.New(throttle.IP(), nil)}
	l, err := svc.PasswordLogin(ctx, "erika", pw, client)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := svc.Authenticate(ctx, l.Token); err != nil {
			b.Fatal(err)
		}
	}
}
