package ratsnetz

import (
	"context"
	"time"
)

// SavedSearch is a search whose new hits are mailed: a member's (AccountID,
// active at once, hits as the account may see them) or a citizen's (Email,
// active after double opt-in, public hits only). Every alert mail carries
// the one-click unsubscribe link.
type SavedSearch struct {
	ID        int64
	AccountID int64
	Email     string
	Query     string
	Kind      string // optional kind filter
	// ConfirmHash is the hash of the confirmation token (citizens); it
	// expires at ConfirmExpires.
	ConfirmHash    string
	ConfirmExpires time.Time
	// ConfirmedAt is zero while a citizen's search waits for confirmation;
	// hits dated from that day on are mailed.
	ConfirmedAt      time.Time
	UnsubscribeHash  string
	UnsubscribeToken string
	Created          time.Time
}

// Active reports whether the saved search is confirmed.
func (s *SavedSearch) Active() bool { return !s.ConfirmedAt.IsZero() }

// SavedSearchFilter selects saved searches.
type SavedSearchFilter struct {
	AccountID int64 // 0: all
	Active    bool  // only confirmed ones
	After     int64 // ID cursor
	Limit     int
}

// SavedSearchService stores saved searches.
type SavedSearchService interface {
	// SubscriptionService confirms and ends saved searches
	// (SubscriptionSavedSearch) like alert subscriptions.
	SubscriptionService
	// CreateSavedSearch stores s (AccountID or Email and Query set; a
	// member's is active at once).
	CreateSavedSearch(ctx context.Context, s *SavedSearch) error
	// ConfirmSavedSearch activates the pending search with the unexpired
	// confirmation hash; ENOTFOUND otherwise.
	ConfirmSavedSearch(ctx context.Context, confirmHash string, now time.Time) (*SavedSearch, error)
	// FindSavedSearchByUnsubscribe returns the search with the unsubscribe
	// hash; ENOTFOUND otherwise.
	FindSavedSearchByUnsubscribe(ctx context.Context, unsubscribeHash string) (*SavedSearch, error)
	// DeleteSavedSearch removes a saved search with its delivery records;
	// ENOTFOUND if there is none.
	DeleteSavedSearch(ctx context.Context, id int64) error
	// DeleteAccountSavedSearch removes the account's saved search id with
	// its delivery records; ENOTFOUND if the account has none with that id
	// (someone else's included).
	DeleteAccountSavedSearch(ctx context.Context, accountID, id int64) error
	FindSavedSearches(ctx context.Context, f SavedSearchFilter) ([]*SavedSearch, error)
}

// SavedSearchRecipient names a saved search in delivery records.
func SavedSearchRecipient(id int64) string { return SubscriptionSavedSearch.Recipient(id) }
