package ratsnetz

import (
	"context"
	"strconv"
	"time"
)

// SubscriptionKind names one of the two kinds of e-mail subscription that
// share one double opt-in and one-click unsubscribe mechanism: a citizen's
// alert subscription (AlertSubscription) and a saved search (SavedSearch).
type SubscriptionKind string

// The kinds of subscription. Their values are also the prefixes of the
// recipients in delivery records ("alert:7", "search:9").
const (
	SubscriptionAlert       SubscriptionKind = "alert"
	SubscriptionSavedSearch SubscriptionKind = "search"
)

// Valid reports whether k is a known kind.
func (k SubscriptionKind) Valid() bool { return k == SubscriptionAlert || k == SubscriptionSavedSearch }

// Recipient names the subscription id of this kind in delivery records.
func (k SubscriptionKind) Recipient(id int64) string {
	return string(k) + ":" + strconv.FormatInt(id, 10)
}

// Subscription is what both kinds of e-mail subscription share: who gets
// the mails and the state of the double opt-in.
type Subscription struct {
	Kind SubscriptionKind
	ID   int64
	// AccountID is set for a member's saved search (active at once); Email
	// for a citizen's subscription of either kind.
	AccountID int64
	Email     string
	// ConfirmExpires is when the confirmation link stops working;
	// ConfirmedAt is zero while the subscription waits for confirmation.
	ConfirmExpires time.Time
	ConfirmedAt    time.Time
}

// Active reports whether the subscription is confirmed.
func (s *Subscription) Active() bool { return !s.ConfirmedAt.IsZero() }

// SubscriptionService is the one double opt-in and unsubscribe mechanism
// of both kinds of subscription. Tokens are stored as hashes (package
// token). Its methods do not check the caller: the secret token is the
// proof.
type SubscriptionService interface {
	// ConfirmSubscription activates the pending subscription of the kind
	// with the unexpired confirmation hash at now; ENOTFOUND otherwise.
	// Confirming twice returns the active subscription unchanged.
	ConfirmSubscription(ctx context.Context, kind SubscriptionKind, confirmHash string, now time.Time) (*Subscription, error)
	// FindSubscriptionByUnsubscribe returns the subscription of the kind
	// with the unsubscribe hash; ENOTFOUND otherwise.
	FindSubscriptionByUnsubscribe(ctx context.Context, kind SubscriptionKind, unsubscribeHash string) (*Subscription, error)
	// DeleteSubscription removes the subscription with its delivery
	// records; ENOTFOUND if there is none.
	DeleteSubscription(ctx context.Context, kind SubscriptionKind, id int64) error
}
