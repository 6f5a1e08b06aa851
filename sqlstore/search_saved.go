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

var _ ratsnetz.SavedSearchService = (*DB)(nil)

const savedCols = `id, COALESCE(account_id, 0), email, query, kind, confirm_hash, confirm_expires, confirmed_at, unsubscribe_hash, unsubscribe_token, created`

func scanSaved(row interface{ Scan(...any) error }) (*ratsnetz.SavedSearch, error) {
	s := &ratsnetz.SavedSearch{}
	if err := row.Scan(&s.ID, &s.AccountID, &s.Email, &s.Query, &s.Kind, &s.ConfirmHash, timeScanner{&s.ConfirmExpires},
		timeScanner{&s.ConfirmedAt}, &s.UnsubscribeHash, &s.UnsubscribeToken, timeScanner{&s.Created}); err != nil {
		return nil, err
	}
	return s, nil
}

// CreateSavedSearch stores a saved search: a member's is active at once, a
// citizen's waits for confirmation.
func (db *DB) CreateSavedSearch(ctx context.Context, s *ratsnetz.SavedSearch) error {
	s.Query = strings.TrimSpace(s.Query)
	switch {
	case s.Query == "" || len(s.Query) > 500:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie einen Suchbegriff an (höchstens 500 Zeichen).")
	case (s.AccountID == 0) == (s.Email == ""):
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Eine gespeicherte Suche gehört einem Konto oder einer E-Mail-Adresse.")
	case s.UnsubscribeHash == "":
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Abmelde-Schlüssel fehlt.")
	case s.AccountID == 0 && s.ConfirmHash == "":
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Bestätigungs-Schlüssel fehlt.")
	}
	now := db.now()
	var account, confirmed any
	if s.AccountID != 0 {
		account, confirmed = s.AccountID, db.tm(now)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	got, err := scanSaved(tx.QueryRowContext(ctx, db.rebind(`INSERT INTO search_saved (account_id, email, query, kind, confirm_hash,
		confirm_expires, confirmed_at, unsubscribe_hash, unsubscribe_token, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+savedCols), account, s.Email, s.Query, s.Kind, s.ConfirmHash, db.tm(s.ConfirmExpires), confirmed,
		s.UnsubscribeHash, s.UnsubscribeToken, db.tm(now)))
	if isUniqueViolation(err) {
		return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Schlüssel ist bereits vergeben.")
	} else if err != nil {
		return fmt.Errorf("create saved search: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create saved search: commit: %w", err)
	}
	*s = *got
	return nil
}

// ConfirmSavedSearch activates the pending search with the unexpired
// confirmation hash (the shared mechanism of subscription.go); confirming
// twice returns it unchanged.
func (db *DB) ConfirmSavedSearch(ctx context.Context, confirmHash string, now time.Time) (*ratsnetz.SavedSearch, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sub, err := db.confirmSubscription(ctx, tx, ratsnetz.SubscriptionSavedSearch, confirmHash, now)
	if err != nil {
		return nil, err
	}
	s, err := scanSaved(tx.QueryRowContext(ctx, db.rebind(`SELECT `+savedCols+` FROM search_saved WHERE id = ?`), sub.ID))
	if err != nil {
		return nil, fmt.Errorf("confirm saved search %d: %w", sub.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("confirm saved search: commit: %w", err)
	}
	return s, nil
}

// FindSavedSearchByUnsubscribe returns the search with the unsubscribe hash.
func (db *DB) FindSavedSearchByUnsubscribe(ctx context.Context, unsubscribeHash string) (*ratsnetz.SavedSearch, error) {
	if unsubscribeHash == "" {
		return nil, errSubscriptionGone()
	}
	s, err := scanSaved(db.read.QueryRowContext(ctx, db.rebind(`SELECT `+savedCols+` FROM search_saved WHERE unsubscribe_hash = ?`), unsubscribeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSubscriptionGone()
	} else if err != nil {
		return nil, fmt.Errorf("find saved search: %w", err)
	}
	return s, nil
}

// DeleteSavedSearch removes a saved search and its delivery records.
func (db *DB) DeleteSavedSearch(ctx context.Context, id int64) error {
	return db.DeleteSubscription(ctx, ratsnetz.SubscriptionSavedSearch, id)
}

// DeleteAccountSavedSearch removes the account's saved search id with its
// delivery records; ENOTFOUND if the account has no saved search id (also
// when it is someone else's).
func (db *DB) DeleteAccountSavedSearch(ctx context.Context, accountID, id int64) error {
	if accountID == 0 {
		return errSubscriptionGone()
	}
	return db.deleteSubscription(ctx, ratsnetz.SubscriptionSavedSearch, id, accountID)
}

// FindSavedSearches lists saved searches by ID.
func (db *DB) FindSavedSearches(ctx context.Context, f ratsnetz.SavedSearchFilter) ([]*ratsnetz.SavedSearch, error) {
	w := db.newWhere()
	w.add("id > ?", f.After)
	if f.AccountID != 0 {
		w.add("account_id = ?", f.AccountID)
	}
	if f.Active {
		w.add("confirmed_at IS NOT NULL")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+savedCols+` FROM search_saved`+w.sql()+` ORDER BY id LIMIT ?`),
		append(w.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("find saved searches: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.SavedSearch
	for rows.Next() {
		s, err := scanSaved(rows)
		if err != nil {
			return nil, fmt.Errorf("find saved searches: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
