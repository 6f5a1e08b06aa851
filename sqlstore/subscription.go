package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.SubscriptionService: the one double opt-in
// and unsubscribe mechanism of citizens' alert subscriptions
// (alert_subscriptions, migration 0011) and saved searches (search_saved,
// migration 0015). Both tables have the same opt-in columns; the kind picks
// the table.

var _ ratsnetz.SubscriptionService = (*DB)(nil)

// subscriptionTables maps each kind to its table and its account column
// (alerts have no account).
var subscriptionTables = map[ratsnetz.SubscriptionKind]struct{ table, account string }{
	ratsnetz.SubscriptionAlert:       {"alert_subscriptions", "0"},
	ratsnetz.SubscriptionSavedSearch: {"search_saved", "COALESCE(account_id, 0)"},
}

func subscriptionTable(kind ratsnetz.SubscriptionKind) (table, cols string, err error) {
	t, ok := subscriptionTables[kind]
	if !ok {
		return "", "", ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Art von Abonnement %q.", kind)
	}
	return t.table, `id, ` + t.account + `, email, confirm_expires, confirmed_at`, nil
}

func scanSubscription(kind ratsnetz.SubscriptionKind, row interface{ Scan(...any) error }) (*ratsnetz.Subscription, error) {
	s := &ratsnetz.Subscription{Kind: kind}
	if err := row.Scan(&s.ID, &s.AccountID, &s.Email, timeScanner{&s.ConfirmExpires}, timeScanner{&s.ConfirmedAt}); err != nil {
		return nil, err
	}
	return s, nil
}

// errConfirmGone is the answer to every confirmation hash that does not
// (or no longer) open a subscription.
func errConfirmGone() error {
	return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Der Bestätigungslink ist ungültig oder abgelaufen.")
}

func errSubscriptionGone() error {
	return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Dieses Abonnement besteht nicht (mehr).")
}

// ConfirmSubscription activates the pending subscription of the kind with
// the unexpired confirmation hash; confirming twice returns it unchanged.
func (db *DB) ConfirmSubscription(ctx context.Context, kind ratsnetz.SubscriptionKind, confirmHash string, now time.Time) (*ratsnetz.Subscription, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s, err := db.confirmSubscription(ctx, tx, kind, confirmHash, now)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("confirm %s subscription: commit: %w", kind, err)
	}
	return s, nil
}

// confirmSubscription is ConfirmSubscription inside the caller's
// transaction.
func (db *DB) confirmSubscription(ctx context.Context, tx *sql.Tx, kind ratsnetz.SubscriptionKind, confirmHash string, now time.Time) (*ratsnetz.Subscription, error) {
	table, cols, err := subscriptionTable(kind)
	if err != nil {
		return nil, err
	}
	if confirmHash == "" {
		return nil, errConfirmGone()
	}
	s, err := scanSubscription(kind, tx.QueryRowContext(ctx, db.rebind(`SELECT `+cols+` FROM `+table+` WHERE confirm_hash = ?`), confirmHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errConfirmGone()
	} else if err != nil {
		return nil, fmt.Errorf("confirm %s subscription: %w", kind, err)
	}
	if s.Active() {
		return s, nil
	}
	if !now.Before(s.ConfirmExpires) {
		return nil, errConfirmGone()
	}
	s.ConfirmedAt = now.UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE `+table+` SET confirmed_at = ? WHERE id = ?`), db.tm(s.ConfirmedAt), s.ID); err != nil {
		return nil, fmt.Errorf("confirm %s subscription %d: %w", kind, s.ID, err)
	}
	return s, nil
}

// FindSubscriptionByUnsubscribe returns the subscription of the kind with
// the unsubscribe hash.
func (db *DB) FindSubscriptionByUnsubscribe(ctx context.Context, kind ratsnetz.SubscriptionKind, unsubscribeHash string) (*ratsnetz.Subscription, error) {
	table, cols, err := subscriptionTable(kind)
	if err != nil {
		return nil, err
	}
	if unsubscribeHash == "" {
		return nil, errSubscriptionGone()
	}
	s, err := scanSubscription(kind, db.read.QueryRowContext(ctx, db.rebind(`SELECT `+cols+` FROM `+table+` WHERE unsubscribe_hash = ?`), unsubscribeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSubscriptionGone()
	} else if err != nil {
		return nil, fmt.Errorf("find %s subscription: %w", kind, err)
	}
	return s, nil
}

// DeleteSubscription removes the subscription and its delivery records.
func (db *DB) DeleteSubscription(ctx context.Context, kind ratsnetz.SubscriptionKind, id int64) error {
	return db.deleteSubscription(ctx, kind, id, 0)
}

// deleteSubscription removes the subscription (only if it belongs to the
// account, when accountID is not 0) with its delivery records, in one
// transaction; ENOTFOUND if there is none.
func (db *DB) deleteSubscription(ctx context.Context, kind ratsnetz.SubscriptionKind, id, accountID int64) error {
	table, _, err := subscriptionTable(kind)
	if err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q, args := `DELETE FROM `+table+` WHERE id = ?`, []any{id}
	if accountID != 0 {
		q, args = q+` AND account_id = ?`, append(args, accountID)
	}
	res, err := tx.ExecContext(ctx, db.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("delete %s subscription %d: %w", kind, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete %s subscription %d: %w", kind, id, err)
	} else if n == 0 {
		return errSubscriptionGone()
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM alert_deliveries WHERE recipient = ?`), kind.Recipient(id)); err != nil {
		return fmt.Errorf("delete %s subscription %d: %w", kind, id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete %s subscription %d: commit: %w", kind, id, err)
	}
	return nil
}
