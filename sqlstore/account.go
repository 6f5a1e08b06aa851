package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.AccountService (owner: accounts engineer).
// Tables: migration 0003_accounts.sql. E-mail addresses and user names are
// stored lower-case so that lookups ignore case on both databases.

var _ ratsnetz.AccountService = (*DB)(nil)

// isUniqueViolation reports whether err is a unique-constraint violation of
// either driver (SQLite: "UNIQUE constraint failed"; PostgreSQL: SQLSTATE
// 23505).
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "23505")
}

func normLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// beginWrite starts a write transaction.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return tx, nil
}

func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

func validateAccount(a *ratsnetz.Account) error {
	if a.Email == "" && a.UserName == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Ein Konto braucht eine E-Mail-Adresse oder einen Benutzernamen.")
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\r\n")) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Die E-Mail-Adresse %q ist ungültig.", a.Email)
	}
	if a.UserName != "" && (strings.Contains(a.UserName, "@") || strings.ContainsAny(a.UserName, " \t\r\n")) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Benutzername darf weder Leerzeichen noch @ enthalten.")
	}
	if (a.OIDCIssuer == "") != (a.OIDCSubject == "") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Aussteller und Kennung der Anmeldung über den Identitätsdienst gehören zusammen.")
	}
	for _, r := range a.Roles {
		if !r.Kind.Valid() {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Rolle %q.", r.Kind)
		}
		switch r.Kind {
		case ratsnetz.RoleKindClerk, ratsnetz.RoleKindFactionStaff:
			if r.OrganizationID == 0 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Rolle %s braucht eine Organisation.", r.Kind.Label())
			}
		case ratsnetz.RoleKindCompanyStaff:
			if r.BodyID == 0 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Rolle %s braucht eine Körperschaft.", r.Kind.Label())
			}
		}
	}
	return nil
}

func encodeCodes(hashes []string) string { return strings.Join(hashes, ",") }

func decodeCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func encodeSecret(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// CreateAccount stores a new account with its roles.
func (db *DB) CreateAccount(ctx context.Context, a *ratsnetz.Account) error {
	a.Email, a.UserName = normLogin(a.Email), normLogin(a.UserName)
	if err := validateAccount(a); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := db.now()
	err = tx.QueryRowContext(ctx, db.rebind(`INSERT INTO accounts (person_id, email, user_name, display_name,
		password_hash, totp_secret, totp_enabled, totp_last_step, recovery_codes, oidc_issuer, oidc_subject,
		active, created, modified, last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.PersonID, a.Email, a.UserName, a.DisplayName, a.PasswordHash, encodeSecret(a.TOTPSecret), a.TOTPEnabled,
		a.TOTPLastStep, encodeCodes(a.RecoveryCodeHashes), a.OIDCIssuer, a.OIDCSubject, a.Active,
		db.tm(now), db.tm(now), db.tm(a.LastLogin)).Scan(&a.ID)
	if isUniqueViolation(err) {
		return ratsnetz.Errorf(ratsnetz.ECONFLICT, "E-Mail-Adresse, Benutzername oder Anmeldekennung sind bereits vergeben.")
	} else if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	if err := db.writeRoles(ctx, tx, a.ID, a.Roles); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create account: commit: %w", err)
	}
	a.Created, a.Modified = now, now
	return nil
}

func (db *DB) writeRoles(ctx context.Context, tx *sql.Tx, id int64, roles []ratsnetz.AccountRole) error {
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM account_roles WHERE account_id = ?`), id); err != nil {
		return fmt.Errorf("write roles of account %d: %w", id, err)
	}
	seen := map[ratsnetz.AccountRole]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO account_roles (account_id, kind, body_id, organization_id) VALUES (?, ?, ?, ?)`),
			id, string(r.Kind), r.BodyID, r.OrganizationID); err != nil {
			return fmt.Errorf("write roles of account %d: %w", id, err)
		}
	}
	return nil
}

const accountCols = `a.id, a.person_id, a.email, a.user_name, a.display_name, a.password_hash, a.totp_secret,
	a.totp_enabled, a.totp_last_step, a.recovery_codes, a.oidc_issuer, a.oidc_subject, a.active, a.created,
	a.modified, a.last_login`

func scanAccount(rows interface{ Scan(...any) error }) (*ratsnetz.Account, error) {
	a := &ratsnetz.Account{}
	var secret, codes string
	if err := rows.Scan(&a.ID, &a.PersonID, &a.Email, &a.UserName, &a.DisplayName, &a.PasswordHash, &secret,
		boolScanner{&a.TOTPEnabled}, &a.TOTPLastStep, &codes, &a.OIDCIssuer, &a.OIDCSubject, boolScanner{&a.Active},
		timeScanner{&a.Created}, timeScanner{&a.Modified}, timeScanner{&a.LastLogin}); err != nil {
		return nil, err
	}
	if secret != "" {
		b, err := base64.StdEncoding.DecodeString(secret)
		if err != nil {
			return nil, fmt.Errorf("account %d: totp secret: %w", a.ID, err)
		}
		a.TOTPSecret = b
	}
	a.RecoveryCodeHashes = decodeCodes(codes)
	return a, nil
}

// queryAccounts runs a query selecting accountCols from "accounts a" and
// fills in the roles, in one read transaction.
func (db *DB) queryAccounts(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]*ratsnetz.Account, error) {
	rows, err := tx.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.Account
	byID := map[int64]*ratsnetz.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("find accounts: %w", err)
		}
		out = append(out, a)
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, len(out))
	for i, a := range out {
		ids[i] = a.ID
	}
	set, arg := db.idSet(ids)
	rrows, err := tx.QueryContext(ctx, db.rebind(`SELECT account_id, kind, body_id, organization_id FROM account_roles
		WHERE account_id IN (`+set+`) ORDER BY account_id, kind, body_id, organization_id`), arg)
	if err != nil {
		return nil, fmt.Errorf("find account roles: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var id int64
		var r ratsnetz.AccountRole
		var kind string
		if err := rrows.Scan(&id, &kind, &r.BodyID, &r.OrganizationID); err != nil {
			return nil, fmt.Errorf("find account roles: %w", err)
		}
		r.Kind = ratsnetz.RoleKind(kind)
		byID[id].Roles = append(byID[id].Roles, r)
	}
	if err := rrows.Err(); err != nil {
		return nil, fmt.Errorf("find account roles: %w", err)
	}
	return out, nil
}

func (db *DB) findAccount(ctx context.Context, where string, args ...any) (*ratsnetz.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	as, err := db.queryAccounts(ctx, tx, `SELECT `+accountCols+` FROM accounts a WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	return as[0], nil
}

// FindAccountByID returns the account with id.
func (db *DB) FindAccountByID(ctx context.Context, id int64) (*ratsnetz.Account, error) {
	return db.findAccount(ctx, `a.id = ?`, id)
}

// FindAccountByLogin returns the account whose e-mail or user name is login.
func (db *DB) FindAccountByLogin(ctx context.Context, login string) (*ratsnetz.Account, error) {
	login = normLogin(login)
	if login == "" {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	if strings.Contains(login, "@") {
		return db.findAccount(ctx, `a.email = ?`, login)
	}
	return db.findAccount(ctx, `a.user_name = ?`, login)
}

// FindAccountByOIDC returns the account linked to the single sign-on identity.
func (db *DB) FindAccountByOIDC(ctx context.Context, issuer, subject string) (*ratsnetz.Account, error) {
	if subject == "" {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	return db.findAccount(ctx, `a.oidc_issuer = ? AND a.oidc_subject = ?`, issuer, subject)
}

// FindAccounts lists accounts by display name, then ID.
func (db *DB) FindAccounts(ctx context.Context, f ratsnetz.AccountFilter) ([]*ratsnetz.Account, int, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Seitenangabe.")
	}
	w := db.newWhere()
	w.ids("a.id", f.IDs)
	if f.PersonID != 0 {
		w.add("a.person_id = ?", f.PersonID)
	}
	if f.Query != "" {
		q := "%" + likeEscape(strings.ToLower(f.Query)) + "%"
		w.add(`(a.email LIKE ? ESCAPE '\' OR a.user_name LIKE ? ESCAPE '\' OR LOWER(a.display_name) LIKE ? ESCAPE '\')`, q, q, q)
	}
	if f.Active != nil {
		w.add("a.active = ?", *f.Active)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	if f.WithTotal {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM accounts a`+w.sql()), w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count accounts: %w", err)
		}
	}
	args := append(w.args[:len(w.args):len(w.args)], limitOf(f.ListOptions), f.Offset)
	as, err := db.queryAccounts(ctx, tx, `SELECT `+accountCols+` FROM accounts a`+w.sql()+
		` ORDER BY LOWER(a.display_name), a.id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	return as, total, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateAccount applies upd and returns the account as stored.
func (db *DB) UpdateAccount(ctx context.Context, id int64, upd ratsnetz.AccountUpdate) (*ratsnetz.Account, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	as, err := db.queryAccounts(ctx, tx, `SELECT `+accountCols+` FROM accounts a WHERE a.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	a := as[0]
	set := func(dst *string, src *string, norm bool) {
		if src != nil {
			*dst = *src
			if norm {
				*dst = normLogin(*src)
			}
		}
	}
	if upd.PersonID != nil {
		a.PersonID = *upd.PersonID
	}
	set(&a.Email, upd.Email, true)
	set(&a.UserName, upd.UserName, true)
	set(&a.DisplayName, upd.DisplayName, false)
	set(&a.PasswordHash, upd.PasswordHash, false)
	set(&a.OIDCIssuer, upd.OIDCIssuer, false)
	set(&a.OIDCSubject, upd.OIDCSubject, false)
	if upd.TOTPSecret != nil {
		a.TOTPSecret = *upd.TOTPSecret
	}
	if upd.TOTPEnabled != nil {
		a.TOTPEnabled = *upd.TOTPEnabled
	}
	if upd.TOTPLastStep != nil {
		a.TOTPLastStep = *upd.TOTPLastStep
	}
	if upd.RecoveryCodeHashes != nil {
		a.RecoveryCodeHashes = *upd.RecoveryCodeHashes
	}
	if upd.Active != nil {
		a.Active = *upd.Active
	}
	if upd.Roles != nil {
		a.Roles = *upd.Roles
	}
	if upd.LastLogin != nil {
		a.LastLogin = *upd.LastLogin
	}
	if err := validateAccount(a); err != nil {
		return nil, err
	}
	now := db.now()
	// The TOTP step only moves forward, so that two concurrent logins with
	// the same code cannot both succeed.
	stepGuard := ""
	args := []any{a.PersonID, a.Email, a.UserName, a.DisplayName, a.PasswordHash, encodeSecret(a.TOTPSecret),
		a.TOTPEnabled, a.TOTPLastStep, encodeCodes(a.RecoveryCodeHashes), a.OIDCIssuer, a.OIDCSubject, a.Active,
		db.tm(now), db.tm(a.LastLogin), id}
	if upd.TOTPLastStep != nil && upd.TOTPSecret == nil {
		stepGuard = " AND totp_last_step < ?"
		args = append(args, *upd.TOTPLastStep)
	}
	res, err := tx.ExecContext(ctx, db.rebind(`UPDATE accounts SET person_id = ?, email = ?, user_name = ?,
		display_name = ?, password_hash = ?, totp_secret = ?, totp_enabled = ?, totp_last_step = ?,
		recovery_codes = ?, oidc_issuer = ?, oidc_subject = ?, active = ?, modified = ?, last_login = ?
		WHERE id = ?`+stepGuard), args...)
	if isUniqueViolation(err) {
		return nil, ratsnetz.Errorf(ratsnetz.ECONFLICT, "E-Mail-Adresse, Benutzername oder Anmeldekennung sind bereits vergeben.")
	} else if err != nil {
		return nil, fmt.Errorf("update account %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("update account %d: %w", id, err)
	} else if n == 0 {
		if stepGuard != "" {
			return nil, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Dieser Code wurde bereits verwendet.")
		}
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	if upd.Roles != nil {
		if err := db.writeRoles(ctx, tx, id, a.Roles); err != nil {
			return nil, err
		}
	}
	// Roles, the linked person and the active flag decide what the account
	// sees (see rightsWrite); logins, TOTP steps and passwords do not.
	if upd.Roles != nil || upd.PersonID != nil || upd.Active != nil {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return nil, fmt.Errorf("update account %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("update account %d: commit: %w", id, err)
	}
	return db.FindAccountByID(ctx, id)
}

// DeactivateAccount deactivates the account and ends its sessions and tokens.
func (db *DB) DeactivateAccount(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.rebind(`UPDATE accounts SET active = ?, modified = ? WHERE id = ?`), false, db.tm(db.now()), id)
	if err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	} else if n == 0 {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
	}
	for _, q := range []string{`DELETE FROM sessions WHERE account_id = ?`, `DELETE FROM one_time_tokens WHERE account_id = ?`} {
		if _, err := tx.ExecContext(ctx, db.rebind(q), id); err != nil {
			return fmt.Errorf("deactivate account %d: %w", id, err)
		}
	}
	if err := db.bumpVersion(ctx, tx); err != nil {
		return fmt.Errorf("deactivate account %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("deactivate account %d: commit: %w", id, err)
	}
	return nil
}

// CreateSession stores s (its ID set on s).
func (db *DB) CreateSession(ctx context.Context, s *ratsnetz.Session) error {
	if s.TokenHash == "" || s.AccountID == 0 || s.Expires.IsZero() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unvollständige Sitzung.")
	}
	if s.Created.IsZero() {
		s.Created = db.now()
	}
	if s.LastSeen.IsZero() {
		s.LastSeen = s.Created
	}
	err := db.write.QueryRowContext(ctx, db.rebind(`INSERT INTO sessions (token_hash, account_id, created, last_seen,
		expires, user_agent, ip, two_factor) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		s.TokenHash, s.AccountID, db.tm(s.Created), db.tm(s.LastSeen), db.tm(s.Expires), s.UserAgent, s.IP, s.TwoFactor).Scan(&s.ID)
	if isUniqueViolation(err) {
		return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Sitzung existiert bereits.")
	} else if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionCols = `id, token_hash, account_id, created, last_seen, expires, user_agent, ip, two_factor`

func scanSession(r interface{ Scan(...any) error }) (*ratsnetz.Session, error) {
	s := &ratsnetz.Session{}
	err := r.Scan(&s.ID, &s.TokenHash, &s.AccountID, timeScanner{&s.Created}, timeScanner{&s.LastSeen},
		timeScanner{&s.Expires}, &s.UserAgent, &s.IP, boolScanner{&s.TwoFactor})
	return s, err
}

// FindSessionByToken returns the unexpired session with the token hash.
func (db *DB) FindSessionByToken(ctx context.Context, tokenHash string, now time.Time) (*ratsnetz.Session, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+sessionCols+` FROM sessions
		WHERE token_hash = ? AND expires > ?`), tokenHash, db.tm(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Sitzung nicht gefunden.")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return s, nil
}

// FindSessions lists the account's unexpired sessions, most recently seen
// first.
func (db *DB) FindSessions(ctx context.Context, accountID int64, now time.Time) ([]*ratsnetz.Session, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+sessionCols+` FROM sessions
		WHERE account_id = ? AND expires > ? ORDER BY last_seen DESC, id DESC`), accountID, db.tm(now))
	if err != nil {
		return nil, fmt.Errorf("find sessions: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("find sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sessions: %w", err)
	}
	return out, nil
}

// TouchSession records activity; it never moves LastSeen back.
func (db *DB) TouchSession(ctx context.Context, id int64, lastSeen time.Time) error {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE sessions SET last_seen = ? WHERE id = ? AND last_seen < ?`),
		db.tm(lastSeen), id, db.tm(lastSeen))
	if err != nil {
		return fmt.Errorf("touch session %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		err := db.write.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM sessions WHERE id = ?`), id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Sitzung nicht gefunden.")
		} else if err != nil {
			return fmt.Errorf("touch session %d: %w", id, err)
		}
	}
	return nil
}

// DeleteSession ends one session; deleting a missing session is not an error
// (logout is idempotent).
func (db *DB) DeleteSession(ctx context.Context, id int64) error {
	if _, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE id = ?`), id); err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	return nil
}

// DeleteAccountSessions ends the account's sessions except exceptID.
func (db *DB) DeleteAccountSessions(ctx context.Context, accountID, exceptID int64) (int, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE account_id = ? AND id <> ?`), accountID, exceptID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of account %d: %w", accountID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions of account %d: %w", accountID, err)
	}
	return int(n), nil
}

// CreateToken stores a one-time token (its ID set on t).
func (db *DB) CreateToken(ctx context.Context, t *ratsnetz.OneTimeToken) error {
	switch t.Purpose {
	case ratsnetz.TokenInvitation, ratsnetz.TokenPasswordReset, ratsnetz.TokenRememberDevice:
	default:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannter Zweck %q.", t.Purpose)
	}
	if t.TokenHash == "" || t.AccountID == 0 || t.Expires.IsZero() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unvollständiges Token.")
	}
	if t.Created.IsZero() {
		t.Created = db.now()
	}
	err := db.write.QueryRowContext(ctx, db.rebind(`INSERT INTO one_time_tokens (purpose, token_hash, account_id,
		created, expires) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		t.Purpose, t.TokenHash, t.AccountID, db.tm(t.Created), db.tm(t.Expires)).Scan(&t.ID)
	if isUniqueViolation(err) {
		return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Token existiert bereits.")
	} else if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

const tokenCols = `id, purpose, token_hash, account_id, created, expires, used`

func scanToken(r interface{ Scan(...any) error }) (*ratsnetz.OneTimeToken, error) {
	t := &ratsnetz.OneTimeToken{}
	err := r.Scan(&t.ID, &t.Purpose, &t.TokenHash, &t.AccountID, timeScanner{&t.Created}, timeScanner{&t.Expires}, timeScanner{&t.Used})
	return t, err
}

var errTokenInvalid = ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Der Link ist ungültig, abgelaufen oder wurde bereits verwendet.")

// ConsumeToken marks the token used and returns it, exactly once.
func (db *DB) ConsumeToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*ratsnetz.OneTimeToken, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The conditional UPDATE is the single-use guarantee: of two concurrent
	// consumers only one changes the row.
	t, err := scanToken(tx.QueryRowContext(ctx, db.rebind(`UPDATE one_time_tokens SET used = ?
		WHERE purpose = ? AND token_hash = ? AND used IS NULL AND expires > ? RETURNING `+tokenCols),
		db.tm(now), purpose, tokenHash, db.tm(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTokenInvalid
	} else if err != nil {
		return nil, fmt.Errorf("consume token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("consume token: commit: %w", err)
	}
	return t, nil
}

// FindToken returns the unused, unexpired token without consuming it.
func (db *DB) FindToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*ratsnetz.OneTimeToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+tokenCols+` FROM one_time_tokens
		WHERE purpose = ? AND token_hash = ? AND used IS NULL AND expires > ?`), purpose, tokenHash, db.tm(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTokenInvalid
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// DeleteTokens deletes the account's tokens of purpose ("" = all).
func (db *DB) DeleteTokens(ctx context.Context, accountID int64, purpose string) error {
	q, args := `DELETE FROM one_time_tokens WHERE account_id = ?`, []any{accountID}
	if purpose != "" {
		q += ` AND purpose = ?`
		args = append(args, purpose)
	}
	if _, err := db.write.ExecContext(ctx, db.rebind(q), args...); err != nil {
		return fmt.Errorf("delete tokens of account %d: %w", accountID, err)
	}
	return nil
}

// CreateGrant stores g (ID and Created set on g).
func (db *DB) CreateGrant(ctx context.Context, g *ratsnetz.Grant) error {
	if (g.AccountID == 0) == (g.PersonID == 0) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Freigabe gilt für genau ein Konto oder eine Person.")
	}
	if g.ObjectKind != ratsnetz.GrantOrganization && g.ObjectKind != ratsnetz.GrantPaper || g.ObjectID <= 0 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Freigabe gilt für ein Gremium oder eine Vorlage.")
	}
	g.Created = db.now()
	if !g.Expires.IsZero() && !g.Expires.After(g.Created) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Freigabe liefe ab, bevor sie beginnt.")
	}
	return db.rightsWrite(ctx, "create grant", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, db.rebind(`INSERT INTO grants (account_id, person_id, object_kind, object_id,
		reason, granted_by, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			g.AccountID, g.PersonID, g.ObjectKind, g.ObjectID, g.Reason, g.GrantedBy, db.tm(g.Created), db.tm(g.Expires)).Scan(&g.ID)
	})
}

// rightsWrite runs fn in a write transaction that also bumps the data
// version: grants, conflicts and roles change what logged-in viewers see.
// The public's pages do not depend on them (and respcache never serves a
// request with a session), but anything keyed by the data version — caches,
// live events, search — must not keep an answer computed under old rights.
func (db *DB) rightsWrite(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if ratsnetz.ErrorCode(err) != ratsnetz.EINTERNAL {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := db.bumpVersion(ctx, tx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// FindGrants lists grants, newest first.
func (db *DB) FindGrants(ctx context.Context, f ratsnetz.GrantFilter) ([]*ratsnetz.Grant, int, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Seitenangabe.")
	}
	w := db.newWhere()
	if f.ID != 0 {
		w.add("id = ?", f.ID)
	}
	if f.AccountID != 0 {
		w.add("account_id = ?", f.AccountID)
	}
	if f.PersonID != 0 {
		w.add("person_id = ?", f.PersonID)
	}
	if f.ObjectKind != "" {
		w.add("object_kind = ?", f.ObjectKind)
	}
	if f.ObjectID != 0 {
		w.add("object_id = ?", f.ObjectID)
	}
	if !f.ActiveAt.IsZero() {
		w.add("(expires IS NULL OR expires > ?)", db.tm(f.ActiveAt))
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	if f.WithTotal {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM grants`+w.sql()), w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count grants: %w", err)
		}
	}
	args := append(w.args[:len(w.args):len(w.args)], limitOf(f.ListOptions), f.Offset)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, account_id, person_id, object_kind, object_id, reason,
		granted_by, created, expires FROM grants`+w.sql()+` ORDER BY created DESC, id DESC LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find grants: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.Grant
	for rows.Next() {
		g := &ratsnetz.Grant{}
		if err := rows.Scan(&g.ID, &g.AccountID, &g.PersonID, &g.ObjectKind, &g.ObjectID, &g.Reason, &g.GrantedBy,
			timeScanner{&g.Created}, timeScanner{&g.Expires}); err != nil {
			return nil, 0, fmt.Errorf("find grants: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find grants: %w", err)
	}
	return out, total, nil
}

// DeleteGrant removes a grant.
func (db *DB) DeleteGrant(ctx context.Context, id int64) error {
	return db.rightsWrite(ctx, fmt.Sprintf("delete grant %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM grants WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Freigabe nicht gefunden.")
		}
		return nil
	})
}

// AppendAudit adds an event; a zero Time is now.
func (db *DB) AppendAudit(ctx context.Context, e *ratsnetz.AuditEvent) error {
	if e.Action == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Protokolleintrag ohne Aktion.")
	}
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	err := db.write.QueryRowContext(ctx, db.rebind(`INSERT INTO audit_events (at, account_id, actor, action,
		object_kind, object_id, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		db.tm(e.Time), e.AccountID, e.Actor, e.Action, e.ObjectKind, e.ObjectID, e.IP, e.UserAgent, e.Detail).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

func (db *DB) auditWhere(f ratsnetz.AuditFilter) (where, error) {
	w := db.newWhere()
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since) {
		return w, ratsnetz.Errorf(ratsnetz.EINVALID, "Der Zeitraum endet vor seinem Beginn.")
	}
	if f.AccountID != 0 {
		w.add("account_id = ?", f.AccountID)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.ObjectKind != "" {
		w.add("object_kind = ?", f.ObjectKind)
	}
	if f.ObjectID != 0 {
		w.add("object_id = ?", f.ObjectID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", db.tm(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at <= ?", db.tm(f.Until))
	}
	return w, nil
}

const auditCols = `id, at, account_id, actor, action, object_kind, object_id, ip, user_agent, detail`

func scanAudit(r interface{ Scan(...any) error }) (*ratsnetz.AuditEvent, error) {
	e := &ratsnetz.AuditEvent{}
	err := r.Scan(&e.ID, timeScanner{&e.Time}, &e.AccountID, &e.Actor, &e.Action, &e.ObjectKind, &e.ObjectID, &e.IP, &e.UserAgent, &e.Detail)
	return e, err
}

// FindAuditEvents lists events newest first.
func (db *DB) FindAuditEvents(ctx context.Context, f ratsnetz.AuditFilter) ([]*ratsnetz.AuditEvent, int, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Seitenangabe.")
	}
	w, err := db.auditWhere(f)
	if err != nil {
		return nil, 0, err
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	if f.WithTotal {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM audit_events`+w.sql()), w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count audit events: %w", err)
		}
	}
	args := append(w.args[:len(w.args):len(w.args)], limitOf(f.ListOptions), f.Offset)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT `+auditCols+` FROM audit_events`+w.sql()+
		` ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit events: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find audit events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find audit events: %w", err)
	}
	return out, total, nil
}

// ExportAudit streams every matching event oldest first to fn.
func (db *DB) ExportAudit(ctx context.Context, f ratsnetz.AuditFilter, fn func(*ratsnetz.AuditEvent) error) error {
	w, err := db.auditWhere(f)
	if err != nil {
		return err
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT `+auditCols+` FROM audit_events`+w.sql()+` ORDER BY at, id`), w.args...)
	if err != nil {
		return fmt.Errorf("export audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("export audit events: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export audit events: %w", err)
	}
	return nil
}

// PurgeAudit deletes events before the retention limit.
func (db *DB) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	if before.IsZero() {
		return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Aufbewahrungsgrenze fehlt.")
	}
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM audit_events WHERE at < ?`), db.tm(before))
	if err != nil {
		return 0, fmt.Errorf("purge audit events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge audit events: %w", err)
	}
	return n, nil
}

var _ ratsnetz.ConflictService = (*DB)(nil)

// DeclareConflict records a conflict of interest.
func (db *DB) DeclareConflict(ctx context.Context, c *ratsnetz.ConflictOfInterest) error {
	if c.PersonID <= 0 || c.AgendaItemID <= 0 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Befangenheit gilt für eine Person und einen Tagesordnungspunkt.")
	}
	c.Created = db.now()
	return db.rightsWrite(ctx, "declare conflict", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO conflicts_of_interest (person_id, agenda_item_id, note,
		recorded_by, created) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			c.PersonID, c.AgendaItemID, c.Note, c.RecordedBy, db.tm(c.Created)).Scan(&c.ID)
		if isUniqueViolation(err) {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Befangenheit ist bereits erfasst.")
		}
		return err
	})
}

// FindConflicts lists declarations, newest first.
func (db *DB) FindConflicts(ctx context.Context, f ratsnetz.ConflictFilter) ([]*ratsnetz.ConflictOfInterest, int, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Seitenangabe.")
	}
	w := db.newWhere()
	if f.ID != 0 {
		w.add("id = ?", f.ID)
	}
	if f.PersonID != 0 {
		w.add("person_id = ?", f.PersonID)
	}
	if f.AgendaItemID != 0 {
		w.add("agenda_item_id = ?", f.AgendaItemID)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	if f.WithTotal {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM conflicts_of_interest`+w.sql()), w.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count conflicts: %w", err)
		}
	}
	args := append(w.args[:len(w.args):len(w.args)], limitOf(f.ListOptions), f.Offset)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, person_id, agenda_item_id, note, recorded_by, created
		FROM conflicts_of_interest`+w.sql()+` ORDER BY created DESC, id DESC LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find conflicts: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.ConflictOfInterest
	for rows.Next() {
		c := &ratsnetz.ConflictOfInterest{}
		if err := rows.Scan(&c.ID, &c.PersonID, &c.AgendaItemID, &c.Note, &c.RecordedBy, timeScanner{&c.Created}); err != nil {
			return nil, 0, fmt.Errorf("find conflicts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find conflicts: %w", err)
	}
	return out, total, nil
}

// DeleteConflict removes a declaration (withdrawn or recorded in error).
func (db *DB) DeleteConflict(ctx context.Context, id int64) error {
	return db.rightsWrite(ctx, fmt.Sprintf("delete conflict %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM conflicts_of_interest WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Befangenheit nicht gefunden.")
		}
		return nil
	})
}
