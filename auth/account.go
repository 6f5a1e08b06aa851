package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/token"
	"github.com/ratsnetz/ratsnetz/totp"
)

func normalize(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// RequestPasswordReset makes a reset link token for the account with the
// e-mail address. For an unknown or deactivated address it returns "" and
// no error: the page says the same in both cases ("if the address is known,
// a mail is on its way"), and the caller sends a mail only for a token.
// Earlier reset tokens of the account stop working.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) (string, *ratsnetz.Account, error) {
	a, err := s.Accounts.FindAccountByLogin(ctx, email)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || err == nil && (!a.Active || a.Email == "") {
		return "", nil, nil
	} else if err != nil {
		return "", nil, fmt.Errorf("request password reset: %w", err)
	}
	raw, err := s.newToken(ctx, a.ID, ratsnetz.TokenPasswordReset, orDefault(s.ResetTTL, DefaultResetTTL))
	if err != nil {
		return "", nil, err
	}
	return raw, a, nil
}

// Invite makes an invitation link token for a new account (no password
// yet); earlier invitations stop working.
func (s *Service) Invite(ctx context.Context, accountID, by int64, c Client) (string, error) {
	raw, err := s.newToken(ctx, accountID, ratsnetz.TokenInvitation, orDefault(s.InvitationTTL, DefaultInvitationTTL))
	if err != nil {
		return "", err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: by, Action: ratsnetz.AuditAccountChanged, ObjectKind: "account", ObjectID: accountID, Detail: "invited"}, c)
	return raw, nil
}

func (s *Service) newToken(ctx context.Context, accountID int64, purpose string, ttl time.Duration) (string, error) {
	if err := s.Accounts.DeleteTokens(ctx, accountID, purpose); err != nil {
		return "", fmt.Errorf("new %s token: %w", purpose, err)
	}
	raw, hash, err := token.New(nil)
	if err != nil {
		return "", err
	}
	now := s.now()
	if err := s.Accounts.CreateToken(ctx, &ratsnetz.OneTimeToken{Purpose: purpose, TokenHash: hash, AccountID: accountID,
		Created: now, Expires: now.Add(ttl)}); err != nil {
		return "", fmt.Errorf("new %s token: %w", purpose, err)
	}
	return raw, nil
}

// SetPasswordWithToken redeems a reset or invitation token (single use,
// expiring) and sets the new password after checking the policy. All
// sessions and remembered devices of the account end: whoever knew the old
// password is out.
func (s *Service) SetPasswordWithToken(ctx context.Context, purpose, raw, newPassword string, c Client) (*ratsnetz.Account, error) {
	if purpose != ratsnetz.TokenPasswordReset && purpose != ratsnetz.TokenInvitation {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannter Link.")
	}
	now := s.now()
	hash := token.Hash(raw)
	// Check the link and the policy before using the link up, so that a
	// too-weak password does not burn it.
	t, err := s.Accounts.FindToken(ctx, purpose, hash, now)
	if err != nil {
		return nil, err
	}
	a, err := s.Accounts.FindAccountByID(ctx, t.AccountID)
	if err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	if err := password.Check(newPassword, a.Email, a.UserName, a.DisplayName); err != nil {
		return nil, err
	}
	if _, err := s.Accounts.ConsumeToken(ctx, purpose, hash, now); err != nil {
		return nil, err
	}
	h, err := s.Hasher.Hash(newPassword)
	if err != nil {
		return nil, err
	}
	upd := ratsnetz.AccountUpdate{PasswordHash: &h}
	if purpose == ratsnetz.TokenInvitation {
		yes := true
		upd.Active = &yes
	}
	a, err = s.Accounts.UpdateAccount(ctx, a.ID, upd)
	if err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	if _, err := s.Accounts.DeleteAccountSessions(ctx, a.ID, 0); err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	if err := s.Accounts.DeleteTokens(ctx, a.ID, ratsnetz.TokenRememberDevice); err != nil {
		return nil, fmt.Errorf("set password: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditPasswordReset, Detail: purpose}, c)
	return a, nil
}

// TOTPSetup is what the setup page shows: the secret (as text and as an
// otpauth URL for the QR code). The secret is kept in the page's form (or
// server-side) until ConfirmTOTP.
type TOTPSetup struct {
	Secret []byte
	Text   string
	URL    string
}

// BeginTOTP makes a fresh secret for the account.
func (s *Service) BeginTOTP(a *ratsnetz.Account) (*TOTPSetup, error) {
	secret, err := totp.NewSecret(nil)
	if err != nil {
		return nil, err
	}
	issuer := s.Issuer
	if issuer == "" {
		issuer = "Ratsnetz"
	}
	return &TOTPSetup{Secret: secret, Text: totp.EncodeSecret(secret), URL: totp.URL(issuer, actor(a), secret)}, nil
}

// ConfirmTOTP enables two-factor login once the user typed a valid code for
// secret, and returns the recovery codes to show exactly once.
func (s *Service) ConfirmTOTP(ctx context.Context, accountID int64, secret []byte, code string, c Client) ([]string, error) {
	step, ok := totp.Validate(secret, code, s.now(), 0)
	if !ok {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Der Code passt nicht. Bitte prüfen Sie die Uhrzeit Ihres Geräts und versuchen Sie es erneut.")
	}
	codes, hashes, err := totp.NewRecoveryCodes(nil)
	if err != nil {
		return nil, err
	}
	yes := true
	a, err := s.Accounts.UpdateAccount(ctx, accountID, ratsnetz.AccountUpdate{TOTPSecret: &secret, TOTPEnabled: &yes,
		TOTPLastStep: &step, RecoveryCodeHashes: &hashes})
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditTOTPEnabled}, c)
	return codes, nil
}
