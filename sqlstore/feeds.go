package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.FeedsService (owner: feeds engineer).
// Tables: migration 0011_feeds.sql. None of these writes changes what the
// public portal or OParl shows, so none bumps the data version.

var _ ratsnetz.FeedsService = (*DB)(nil)

const defaultNotify = ratsnetz.NotifyDaily

// FindMemberSettings returns the account's settings, the defaults if none
// were saved.
func (db *DB) FindMemberSettings(ctx context.Context, accountID int64) (*ratsnetz.MemberSettings, error) {
	row := db.read.QueryRowContext(ctx, db.rebind(`SELECT account_id, notify, calendar_token_hash, calendar_created,
		digest_sent, modified FROM member_settings WHERE account_id = ?`), accountID)
	s, err := scanMemberSettings(row)
	if errors.Is(err, sql.ErrNoRows) {
		return &ratsnetz.MemberSettings{AccountID: accountID, Notify: defaultNotify}, nil
	} else if err != nil {
		return nil, fmt.Errorf("find member settings of account %d: %w", accountID, err)
	}
	return s, nil
}

func scanMemberSettings(row interface{ Scan(...any) error }) (*ratsnetz.MemberSettings, error) {
	s := &ratsnetz.MemberSettings{}
	var mode string
	if err := row.Scan(&s.AccountID, &mode, &s.CalendarTokenHash, timeScanner{&s.CalendarCreated},
		timeScanner{&s.DigestSent}, timeScanner{&s.Modified}); err != nil {
		return nil, err
	}
	s.Notify = ratsnetz.NotifyMode(mode)
	return s, nil
}

// upsertSettings writes one column of an account's settings, creating the
// row with the defaults first.
func (db *DB) upsertSettings(ctx context.Context, accountID int64, set string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := db.now()
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO member_settings (account_id, notify, modified) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO NOTHING`), accountID, string(defaultNotify), db.tm(now)); err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503") {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Konto nicht gefunden.")
		}
		return fmt.Errorf("member settings of account %d: %w", accountID, err)
	}
	args = append(args, db.tm(now), accountID)
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE member_settings SET `+set+`, modified = ? WHERE account_id = ?`), args...); err != nil {
		if isUniqueViolation(err) {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Kalenderschlüssel ist bereits vergeben.")
		}
		return fmt.Errorf("member settings of account %d: %w", accountID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("member settings of account %d: commit: %w", accountID, err)
	}
	return nil
}

// SetNotifyMode saves the account's notification mode.
func (db *DB) SetNotifyMode(ctx context.Context, accountID int64, mode ratsnetz.NotifyMode) error {
	if !mode.Valid() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Benachrichtigungsart %q.", mode)
	}
	return db.upsertSettings(ctx, accountID, `notify = ?`, string(mode))
}

// SetCalendarToken replaces the account's calendar token hash; "" revokes
// the feed.
func (db *DB) SetCalendarToken(ctx context.Context, accountID int64, hash string) error {
	var created any
	if hash != "" {
		created = db.tm(db.now())
	}
	return db.upsertSettings(ctx, accountID, `calendar_token_hash = ?, calendar_created = ?`, hash, created)
}

// FindAccountByCalendarToken returns the account whose calendar token has
// the hash.
func (db *DB) FindAccountByCalendarToken(ctx context.Context, hash string) (int64, error) {
	if hash == "" {
		return 0, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Kalender nicht gefunden.")
	}
	var id int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT account_id FROM member_settings WHERE calendar_token_hash = ?`), hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Kalender nicht gefunden.")
	} else if err != nil {
		return 0, fmt.Errorf("find calendar token: %w", err)
	}
	return id, nil
}

// SetDigestSent records up to when the account's digest was mailed.
func (db *DB) SetDigestSent(ctx context.Context, accountID int64, at time.Time) error {
	return db.upsertSettings(ctx, accountID, `digest_sent = ?`, db.tm(at))
}

// FindMemberSettingsByMode lists the saved settings with the mode, by
// account. Accounts without saved settings have the default mode and are
// listed for it too.
func (db *DB) FindMemberSettingsByMode(ctx context.Context, mode ratsnetz.NotifyMode) ([]*ratsnetz.MemberSettings, error) {
	q := `SELECT account_id, notify, calendar_token_hash, calendar_created, digest_sent, modified
		FROM member_settings WHERE notify = ? ORDER BY account_id`
	args := []any{string(mode)}
	if mode == defaultNotify {
		q = `SELECT a.id, COALESCE(s.notify, ?), COALESCE(s.calendar_token_hash, ''), s.calendar_created, s.digest_sent,
			COALESCE(s.modified, a.created) FROM accounts a LEFT JOIN member_settings s ON s.account_id = a.id
			WHERE a.active = ? AND a.person_id <> 0 AND COALESCE(s.notify, ?) = ? ORDER BY a.id`
		args = []any{string(defaultNotify), true, string(defaultNotify), string(mode)}
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("find member settings: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.MemberSettings
	for rows.Next() {
		s, err := scanMemberSettings(rows)
		if err != nil {
			return nil, fmt.Errorf("find member settings: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find member settings: %w", err)
	}
	return out, nil
}

// MarkRead records that the account opened the object at time at.
func (db *DB) MarkRead(ctx context.Context, accountID int64, kind string, id int64, at time.Time) error {
	if kind != ratsnetz.ReadKindPaper && kind != ratsnetz.ReadKindMeeting {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Art %q.", kind)
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO read_marks (account_id, kind, object_id, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, kind, object_id) DO UPDATE SET read_at = excluded.read_at`), accountID, kind, id, db.tm(at.UTC()))
	if err != nil {
		return fmt.Errorf("mark %s %d read: %w", kind, id, err)
	}
	return nil
}

// FindReadMarks returns when the account last opened each of ids.
func (db *DB) FindReadMarks(ctx context.Context, accountID int64, kind string, ids []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	set, arg := db.idSet(ids)
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT object_id, read_at FROM read_marks
		WHERE account_id = ? AND kind = ? AND object_id IN (`+set+`)`), accountID, kind, arg)
	if err != nil {
		return nil, fmt.Errorf("find read marks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, timeScanner{&at}); err != nil {
			return nil, fmt.Errorf("find read marks: %w", err)
		}
		out[id] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find read marks: %w", err)
	}
	return out, nil
}

func validateAlert(a *ratsnetz.AlertSubscription) error {
	a.Email = strings.ToLower(strings.TrimSpace(a.Email))
	a.Keyword = strings.TrimSpace(a.Keyword)
	at := strings.LastIndexByte(a.Email, '@')
	if at < 1 || at == len(a.Email)-1 || len(a.Email) > 254 || strings.ContainsAny(a.Email, " \t\r\n<>,;\"") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie eine gültige E-Mail-Adresse an.")
	}
	if len([]rune(a.Keyword)) > 100 || strings.ContainsAny(a.Keyword, "\r\n") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Suchbegriff darf höchstens 100 Zeichen lang sein.")
	}
	if a.ConfirmHash == "" || a.UnsubscribeHash == "" || a.ConfirmExpires.IsZero() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bestätigungs- und Abmeldeschlüssel fehlen.")
	}
	return nil
}

const alertCols = `id, email, organization_id, keyword, confirm_hash, confirm_expires, confirmed_at, unsubscribe_hash, unsubscribe_token, created`

func scanAlert(row interface{ Scan(...any) error }) (*ratsnetz.AlertSubscription, error) {
	a := &ratsnetz.AlertSubscription{}
	if err := row.Scan(&a.ID, &a.Email, &a.OrganizationID, &a.Keyword, &a.ConfirmHash, timeScanner{&a.ConfirmExpires},
		timeScanner{&a.ConfirmedAt}, &a.UnsubscribeHash, &a.UnsubscribeToken, timeScanner{&a.Created}); err != nil {
		return nil, err
	}
	return a, nil
}

// CreateAlert stores a pending subscription. A second sign-up for the same
// e-mail, organization and keyword gets the new tokens; an active one stays
// active (so nobody can switch off someone else's alert by signing up again).
func (db *DB) CreateAlert(ctx context.Context, a *ratsnetz.AlertSubscription) error {
	if err := validateAlert(a); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := db.now()
	row := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO alert_subscriptions (email, organization_id, keyword, confirm_hash,
		confirm_expires, unsubscribe_hash, unsubscribe_token, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (email, organization_id, keyword) DO UPDATE SET confirm_hash = excluded.confirm_hash,
		confirm_expires = excluded.confirm_expires
		RETURNING `+alertCols), a.Email, a.OrganizationID, a.Keyword, a.ConfirmHash, db.tm(a.ConfirmExpires), a.UnsubscribeHash, a.UnsubscribeToken, db.tm(now))
	got, err := scanAlert(row)
	if isUniqueViolation(err) {
		return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Schlüssel ist bereits vergeben.")
	} else if err != nil {
		return fmt.Errorf("create alert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create alert: commit: %w", err)
	}
	*a = *got
	return nil
}

// ConfirmAlert activates the pending subscription with the unexpired
// confirmation hash (the shared mechanism of subscription.go) and returns
// it.
func (db *DB) ConfirmAlert(ctx context.Context, confirmHash string, now time.Time) (*ratsnetz.AlertSubscription, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sub, err := db.confirmSubscription(ctx, tx, ratsnetz.SubscriptionAlert, confirmHash, now)
	if err != nil {
		return nil, err
	}
	a, err := scanAlert(tx.QueryRowContext(ctx, db.rebind(`SELECT `+alertCols+` FROM alert_subscriptions WHERE id = ?`), sub.ID))
	if err != nil {
		return nil, fmt.Errorf("confirm alert %d: %w", sub.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("confirm alert: commit: %w", err)
	}
	return a, nil
}

// FindAlertByUnsubscribe returns the subscription with the unsubscribe hash.
func (db *DB) FindAlertByUnsubscribe(ctx context.Context, unsubscribeHash string) (*ratsnetz.AlertSubscription, error) {
	if unsubscribeHash == "" {
		return nil, errSubscriptionGone()
	}
	a, err := scanAlert(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+alertCols+` FROM alert_subscriptions WHERE unsubscribe_hash = ?`), unsubscribeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSubscriptionGone()
	} else if err != nil {
		return nil, fmt.Errorf("find alert: %w", err)
	}
	return a, nil
}

// DeleteAlert removes a subscription with its delivery records.
func (db *DB) DeleteAlert(ctx context.Context, id int64) error {
	return db.DeleteSubscription(ctx, ratsnetz.SubscriptionAlert, id)
}

// FindAlerts lists subscriptions by ID.
func (db *DB) FindAlerts(ctx context.Context, f ratsnetz.AlertFilter) ([]*ratsnetz.AlertSubscription, error) {
	var where []string
	var args []any
	if f.Active {
		where = append(where, `confirmed_at IS NOT NULL`)
	}
	if f.Email != "" {
		where = append(where, `email = ?`)
		args = append(args, strings.ToLower(strings.TrimSpace(f.Email)))
	}
	if f.After > 0 {
		where = append(where, `id > ?`)
		args = append(args, f.After)
	}
	q := `SELECT ` + alertCols + ` FROM alert_subscriptions`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.AlertSubscription
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("find alerts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find alerts: %w", err)
	}
	return out, nil
}

// PurgeExpiredAlerts deletes pending subscriptions whose confirmation expired.
func (db *DB) PurgeExpiredAlerts(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM alert_subscriptions WHERE confirmed_at IS NULL AND confirm_expires < ?`), db.tm(now))
	if err != nil {
		return 0, fmt.Errorf("purge expired alerts: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// FilterUndelivered returns the objects the recipient was not yet told about.
func (db *DB) FilterUndelivered(ctx context.Context, recipient string, objs []ratsnetz.AlertObject) ([]ratsnetz.AlertObject, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	byKind := map[string][]int64{}
	for _, o := range objs {
		byKind[o.Kind] = append(byKind[o.Kind], o.ID)
	}
	seen := map[ratsnetz.AlertObject]bool{}
	for kind, ids := range byKind {
		set, arg := db.idSet(ids)
		rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT object_id FROM alert_deliveries
			WHERE recipient = ? AND kind = ? AND object_id IN (`+set+`)`), recipient, kind, arg)
		if err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find deliveries: %w", err)
			}
			seen[ratsnetz.AlertObject{Kind: kind, ID: id}] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
	}
	var out []ratsnetz.AlertObject
	for _, o := range objs {
		if !seen[o] {
			out = append(out, o)
			seen[o] = true
		}
	}
	return out, nil
}

// RecordDelivery records objs as told to the recipient and stores m in the
// outbox, in one transaction; if any object was already recorded (another
// matcher won the race), nothing is stored and it returns false.
func (db *DB) RecordDelivery(ctx context.Context, recipient string, objs []ratsnetz.AlertObject, m *ratsnetz.OutgoingMail) (bool, error) {
	if len(objs) == 0 {
		return false, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	now := db.now()
	for _, o := range objs {
		res, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO alert_deliveries (recipient, kind, object_id, delivered) VALUES (?, ?, ?, ?)
			ON CONFLICT (recipient, kind, object_id) DO NOTHING`), recipient, o.Kind, o.ID, db.tm(now))
		if err != nil {
			return false, fmt.Errorf("record delivery to %s: %w", recipient, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, fmt.Errorf("record delivery to %s: %w", recipient, err)
		} else if n == 0 {
			return false, nil
		}
	}
	if m != nil {
		if err := db.insertMail(ctx, tx, m, now); err != nil {
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record delivery to %s: commit: %w", recipient, err)
	}
	return true, nil
}

func (db *DB) insertMail(ctx context.Context, tx *sql.Tx, m *ratsnetz.OutgoingMail, now time.Time) error {
	if m.To == "" || strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Empfänger oder Betreff der Mail sind ungültig.")
	}
	err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO feed_outbox (recipient, subject, body_text, body_html, list_unsubscribe, created)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), m.To, m.Subject, m.Text, m.HTML, m.ListUnsubscribe, db.tm(now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store mail: %w", err)
	}
	m.Created = now
	return nil
}

// EnqueueMail stores a mail in the outbox.
func (db *DB) EnqueueMail(ctx context.Context, m *ratsnetz.OutgoingMail) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.insertMail(ctx, tx, m, db.now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store mail: commit: %w", err)
	}
	return nil
}

// PendingMails returns up to max unsent mails, oldest first.
func (db *DB) PendingMails(ctx context.Context, max int) ([]*ratsnetz.OutgoingMail, error) {
	if max <= 0 {
		max = 100
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(fmt.Sprintf(`SELECT id, recipient, subject, body_text, body_html, list_unsubscribe, created
		FROM feed_outbox ORDER BY id LIMIT %d`, max)))
	if err != nil {
		return nil, fmt.Errorf("pending mails: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.OutgoingMail
	for rows.Next() {
		m := &ratsnetz.OutgoingMail{}
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.ListUnsubscribe, timeScanner{&m.Created}); err != nil {
			return nil, fmt.Errorf("pending mails: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending mails: %w", err)
	}
	return out, nil
}

// MarkMailSent removes a dispatched mail from the outbox.
func (db *DB) MarkMailSent(ctx context.Context, id int64) error {
	if _, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM feed_outbox WHERE id = ?`), id); err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}
