package ratsnetz

import (
	"context"
	"strconv"
	"time"
)

// Member area and subscriptions (issue 6): a member's notification setting
// and personal calendar feed, read marks on papers, and the e-mail alerts
// that citizens subscribe to with double opt-in.

// NotifyMode is how a member wants to hear about new and changed documents
// of their bodies.
type NotifyMode string

// Notification modes.
const (
	NotifyImmediate NotifyMode = "sofort"   // a mail per change
	NotifyDaily     NotifyMode = "taeglich" // one digest a day
	NotifyOff       NotifyMode = "aus"      // no mail; the member area only
)

// Valid reports whether m is a known mode.
func (m NotifyMode) Valid() bool {
	return m == NotifyImmediate || m == NotifyDaily || m == NotifyOff
}

// MemberSettings are an account's settings in the member area. An account
// that never saved any has the defaults (daily digest, no calendar feed).
type MemberSettings struct {
	AccountID int64
	Notify    NotifyMode
	// CalendarTokenHash is the hash (package token) of the secret in the
	// personal calendar URL; "" when no feed is set up (or it was revoked).
	CalendarTokenHash string
	// CalendarCreated is when the current calendar URL was made.
	CalendarCreated time.Time
	// DigestSent is the time up to which changes were mailed to the member.
	DigestSent time.Time
	Modified   time.Time
}

// Kinds of objects a read mark can be on.
const (
	ReadKindPaper   = "paper"
	ReadKindMeeting = "meeting"
)

// AlertSubscription is a citizen's e-mail alert: new public papers and
// meetings of one organization (0: all), optionally only those whose title
// contains Keyword. It is active once confirmed (double opt-in).
type AlertSubscription struct {
	ID             int64
	Email          string
	OrganizationID int64
	Keyword        string
	// ConfirmHash is the hash of the confirmation token; it expires at
	// ConfirmExpires.
	ConfirmHash    string
	ConfirmExpires time.Time
	// ConfirmedAt is zero while the subscription waits for confirmation;
	// objects created since then are matched.
	ConfirmedAt time.Time
	// UnsubscribeHash is the hash of the token of the one-click
	// unsubscribe link in every alert mail; UnsubscribeToken the token
	// itself, kept because every alert mail carries it (it can only end
	// this subscription).
	UnsubscribeHash  string
	UnsubscribeToken string
	Created          time.Time
}

// Active reports whether the subscription was confirmed.
func (a *AlertSubscription) Active() bool { return !a.ConfirmedAt.IsZero() }

// AlertObject is one object an alert mail tells about.
type AlertObject struct {
	Kind string // ReadKindPaper or ReadKindMeeting
	ID   int64
}

// OutgoingMail is a rendered mail waiting in the feeds outbox until a
// dispatcher hands it to the mail system.
type OutgoingMail struct {
	ID      int64
	To      string
	Subject string
	Text    string
	HTML    string
	// ListUnsubscribe is the one-click unsubscribe URL (RFC 8058), "" for
	// mails that are not alerts.
	ListUnsubscribe string
	Created         time.Time
}

// AlertRecipient names a citizen's subscription in delivery records.
func AlertRecipient(subscriptionID int64) string {
	return SubscriptionAlert.Recipient(subscriptionID)
}

// MemberRecipient names a member's notifications in delivery records.
func MemberRecipient(accountID int64) string { return "account:" + strconv.FormatInt(accountID, 10) }

// AlertFilter selects alert subscriptions.
type AlertFilter struct {
	// Active keeps confirmed subscriptions only.
	Active bool
	Email  string
	ListOptions
}

// FeedsService stores the member area's settings and read marks, citizens'
// alert subscriptions, which objects each subscription was told about, and
// the outbox of rendered alert mails. Its methods do not check the caller;
// web and the alert matcher do.
type FeedsService interface {
	// SubscriptionService confirms and ends alert subscriptions
	// (SubscriptionAlert) like saved searches.
	SubscriptionService

	// FindMemberSettings returns the account's settings, the defaults if
	// none were saved.
	FindMemberSettings(ctx context.Context, accountID int64) (*MemberSettings, error)
	// SetNotifyMode saves the account's notification mode.
	SetNotifyMode(ctx context.Context, accountID int64, mode NotifyMode) error
	// SetCalendarToken replaces the account's calendar token hash ("" revokes).
	SetCalendarToken(ctx context.Context, accountID int64, hash string) error
	// FindAccountByCalendarToken returns the account whose calendar token
	// has the hash; ENOTFOUND otherwise.
	FindAccountByCalendarToken(ctx context.Context, hash string) (int64, error)
	// SetDigestSent records up to when the account's digest was mailed.
	SetDigestSent(ctx context.Context, accountID int64, at time.Time) error
	// FindMemberSettingsByMode lists the settings of accounts with mode.
	FindMemberSettingsByMode(ctx context.Context, mode NotifyMode) ([]*MemberSettings, error)

	// MarkRead records that the account opened the object at time at.
	MarkRead(ctx context.Context, accountID int64, kind string, id int64, at time.Time) error
	// FindReadMarks returns when the account last opened each of ids (absent: never).
	FindReadMarks(ctx context.Context, accountID int64, kind string, ids []int64) (map[int64]time.Time, error)

	// CreateAlert stores a pending subscription (ID, Created set). An
	// identical pending or active subscription (same e-mail,
	// organization, keyword) is replaced by this one's tokens.
	CreateAlert(ctx context.Context, a *AlertSubscription) error
	// ConfirmAlert activates the pending subscription with the unexpired
	// confirmation hash at now; ENOTFOUND otherwise. Confirming twice
	// returns the active subscription unchanged.
	ConfirmAlert(ctx context.Context, confirmHash string, now time.Time) (*AlertSubscription, error)
	// FindAlertByUnsubscribe returns the subscription with the unsubscribe
	// hash; ENOTFOUND otherwise.
	FindAlertByUnsubscribe(ctx context.Context, unsubscribeHash string) (*AlertSubscription, error)
	// DeleteAlert removes a subscription with its delivery records.
	DeleteAlert(ctx context.Context, id int64) error
	FindAlerts(ctx context.Context, f AlertFilter) ([]*AlertSubscription, error)
	// PurgeExpiredAlerts deletes pending subscriptions whose confirmation
	// expired before now and returns how many.
	PurgeExpiredAlerts(ctx context.Context, now time.Time) (int64, error)

	// FilterUndelivered returns the objects of objs the recipient was not
	// yet told about. Recipients are AlertRecipient or MemberRecipient.
	FilterUndelivered(ctx context.Context, recipient string, objs []AlertObject) ([]AlertObject, error)
	// RecordDelivery, in one transaction, records objs as told to the
	// recipient and stores m in the outbox. Objects already recorded are
	// skipped; if none is new, nothing is stored and it returns false. So a
	// matcher that runs twice never mails twice.
	RecordDelivery(ctx context.Context, recipient string, objs []AlertObject, m *OutgoingMail) (bool, error)
	// PendingMails returns up to max unsent mails of the outbox, oldest first.
	PendingMails(ctx context.Context, max int) ([]*OutgoingMail, error)
	// MarkMailSent removes a dispatched mail from the outbox.
	MarkMailSent(ctx context.Context, id int64) error
	// EnqueueMail stores a mail that is not about objects (confirmation).
	EnqueueMail(ctx context.Context, m *OutgoingMail) error
}
