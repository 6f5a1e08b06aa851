package auth

import (
	"context"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/password"
)

// ErrNotAdmin is the answer when an account without the administrator role
// (or without two-factor login) uses an administrative function.
var ErrNotAdmin = ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Dieser Bereich ist der Administration vorbehalten.")

// RequireAdmin reports whether a may administer accounts: an active
// administrator with two-factor login set up. Every administrative method
// below checks it; handlers may call it to decide what to show.
func RequireAdmin(a *ratsnetz.Account) error {
	if a == nil || !a.Active || !a.HasRole(ratsnetz.RoleKindAdministrator) || !a.TOTPEnabled {
		return ErrNotAdmin
	}
	return nil
}

// AdminFindAccounts lists accounts for an administrator.
func (s *Service) AdminFindAccounts(ctx context.Context, admin *ratsnetz.Account, f ratsnetz.AccountFilter) ([]*ratsnetz.Account, int, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, 0, err
	}
	return s.Accounts.FindAccounts(ctx, f)
}

// AdminCreateAccount creates an inactive account (no password) and returns
// the invitation link token; the account becomes active when the invitee
// sets a password.
func (s *Service) AdminCreateAccount(ctx context.Context, admin *ratsnetz.Account, a *ratsnetz.Account, c Client) (string, error) {
	if err := RequireAdmin(admin); err != nil {
		return "", err
	}
	if a.Email == "" {
		return "", ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie eine E-Mail-Adresse an.")
	}
	for _, r := range a.Roles {
		if !r.Kind.Valid() {
			return "", ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Rolle.")
		}
	}
	a.Active = false
	a.PasswordHash = ""
	a.Created, a.Modified = s.now(), s.now()
	if err := s.Accounts.CreateAccount(ctx, a); err != nil {
		return "", fmt.Errorf("create account: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: admin.ID, Actor: actor(admin), Action: ratsnetz.AuditAccountCreated,
		ObjectKind: "account", ObjectID: a.ID, Detail: a.Email}, c)
	return s.Invite(ctx, a.ID, admin.ID, c)
}

// AdminDeactivate deactivates an account and ends its sessions. An
// administrator cannot deactivate their own account.
func (s *Service) AdminDeactivate(ctx context.Context, admin *ratsnetz.Account, id int64, c Client) error {
	if err := RequireAdmin(admin); err != nil {
		return err
	}
	if id == admin.ID {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Sie können Ihr eigenes Konto nicht deaktivieren.")
	}
	if err := s.Accounts.DeactivateAccount(ctx, id); err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	}
	if _, err := s.Accounts.DeleteAccountSessions(ctx, id, 0); err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	}
	if err := s.Accounts.DeleteTokens(ctx, id, ratsnetz.TokenRememberDevice); err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: admin.ID, Actor: actor(admin), Action: ratsnetz.AuditDeactivated,
		ObjectKind: "account", ObjectID: id}, c)
	return nil
}

// AdminReset makes a password reset link for the account (to be mailed to
// its address) and returns the token and the account.
func (s *Service) AdminReset(ctx context.Context, admin *ratsnetz.Account, id int64, c Client) (string, *ratsnetz.Account, error) {
	if err := RequireAdmin(admin); err != nil {
		return "", nil, err
	}
	a, err := s.Accounts.FindAccountByID(ctx, id)
	if err != nil {
		return "", nil, fmt.Errorf("reset account %d: %w", id, err)
	}
	if a.Email == "" {
		return "", nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Das Konto hat keine E-Mail-Adresse.")
	}
	purpose := ratsnetz.TokenPasswordReset
	if !a.Active && a.PasswordHash == "" {
		purpose = ratsnetz.TokenInvitation // never accepted: invite again
	}
	raw, err := s.newToken(ctx, a.ID, purpose, orDefault(s.ResetTTL, DefaultResetTTL))
	if err != nil {
		return "", nil, err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: admin.ID, Actor: actor(admin), Action: ratsnetz.AuditAccountChanged,
		ObjectKind: "account", ObjectID: a.ID, Detail: "reset link (" + purpose + ")"}, c)
	return raw, a, nil
}

// AdminFindAudit lists audit events for an administrator.
func (s *Service) AdminFindAudit(ctx context.Context, admin *ratsnetz.Account, f ratsnetz.AuditFilter) ([]*ratsnetz.AuditEvent, int, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, 0, err
	}
	return s.Accounts.FindAuditEvents(ctx, f)
}

// AdminExportAudit streams the audit events of f to fn; the export itself
// is audited.
func (s *Service) AdminExportAudit(ctx context.Context, admin *ratsnetz.Account, f ratsnetz.AuditFilter, c Client, fn func(*ratsnetz.AuditEvent) error) error {
	if err := RequireAdmin(admin); err != nil {
		return err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: admin.ID, Actor: actor(admin), Action: ratsnetz.AuditAuditExported}, c)
	return s.Accounts.ExportAudit(ctx, f, fn)
}

// ChangePassword sets a new password for the logged-in account after
// checking the current one and the policy; the account's other sessions
// (all but keep) and remembered devices end.
func (s *Service) ChangePassword(ctx context.Context, a *ratsnetz.Account, keep int64, current, newPassword string, c Client) error {
	fresh, err := s.Accounts.FindAccountByID(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if fresh.PasswordHash == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Für dieses Konto ist kein Passwort gesetzt.")
	}
	lk := fmt.Sprintf("change:%d", a.ID)
	if _, ok := s.AccountLimiter.Check(lk); !ok {
		return ErrThrottled
	}
	ok, _, err := s.Hasher.Verify(fresh.PasswordHash, current)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		s.AccountLimiter.Fail(lk)
		s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditLoginFailed, Detail: "password change: wrong current password"}, c)
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das bisherige Passwort ist falsch.")
	}
	if err := password.Check(newPassword, fresh.Email, fresh.UserName, fresh.DisplayName); err != nil {
		return err
	}
	h, err := s.Hasher.Hash(newPassword)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{PasswordHash: &h}); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if _, err := s.Accounts.DeleteAccountSessions(ctx, a.ID, keep); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if err := s.Accounts.DeleteTokens(ctx, a.ID, ratsnetz.TokenRememberDevice); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: a.ID, Actor: actor(a), Action: ratsnetz.AuditPasswordChange}, c)
	return nil
}

// AdminSetRoles replaces the roles and the linked person of an account.
// Administrators cannot take their own administrator role away (no
// lock-out); the change is audited with before and after.
func (s *Service) AdminSetRoles(ctx context.Context, admin *ratsnetz.Account, id int64, roles []ratsnetz.AccountRole, personID int64, c Client) (*ratsnetz.Account, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, err
	}
	for _, r := range roles {
		if !r.Kind.Valid() {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Rolle.")
		}
	}
	if id == admin.ID {
		keeps := false
		for _, r := range roles {
			keeps = keeps || r.Kind == ratsnetz.RoleKindAdministrator
		}
		if !keeps {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Sie können sich die Administrationsrolle nicht selbst entziehen.")
		}
	}
	before, err := s.Accounts.FindAccountByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("set roles of account %d: %w", id, err)
	}
	a, err := s.Accounts.UpdateAccount(ctx, id, ratsnetz.AccountUpdate{Roles: &roles, PersonID: &personID})
	if err != nil {
		return nil, fmt.Errorf("set roles of account %d: %w", id, err)
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: admin.ID, Actor: actor(admin), Action: ratsnetz.AuditRolesChanged, ObjectKind: "account", ObjectID: id,
		Detail: fmt.Sprintf("%s person %d → %s person %d", rolesText(before.Roles), before.PersonID, rolesText(a.Roles), a.PersonID)}, c)
	return a, nil
}

func rolesText(roles []ratsnetz.AccountRole) string {
	if len(roles) == 0 {
		return "[]"
	}
	out := "["
	for i, r := range roles {
		if i > 0 {
			out += " "
		}
		out += string(r.Kind)
		if r.BodyID != 0 {
			out += fmt.Sprintf(" body=%d", r.BodyID)
		}
		if r.OrganizationID != 0 {
			out += fmt.Sprintf(" org=%d", r.OrganizationID)
		}
		if i < len(roles)-1 {
			out += ","
		}
	}
	return out + "]"
}

// AdminFindAccount returns one account for an administrator.
func (s *Service) AdminFindAccount(ctx context.Context, admin *ratsnetz.Account, id int64) (*ratsnetz.Account, error) {
	if err := RequireAdmin(admin); err != nil {
		return nil, err
	}
	return s.Accounts.FindAccountByID(ctx, id)
}
