package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestSubscriptionKinds: the one double opt-in mechanism serves alert
// subscriptions and saved searches without mixing them up (the same
// hashes in both tables confirm and end only the kind asked for), an
// expired link confirms nothing, deleting drops the kind's own delivery
// records only, and a member deletes only their own saved search.
func TestSubscriptionKinds(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testSubscriptionKinds(t, be.open(t)) })
	}
}

func testSubscriptionKinds(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	db.Now = func() time.Time { return t0 }
	alert := &ratsnetz.AlertSubscription{Email: "a@example.org", Keyword: "Radweg", ConfirmHash: "same-c", ConfirmExpires: t0.Add(time.Hour),
		UnsubscribeHash: "same-u", UnsubscribeToken: "tok"}
	if err := db.CreateAlert(ctx, alert); err != nil {
		t.Fatal(err)
	}
	search := &ratsnetz.SavedSearch{Email: "a@example.org", Query: "Radweg", ConfirmHash: "same-c", ConfirmExpires: t0.Add(time.Hour),
		UnsubscribeHash: "same-u", UnsubscribeToken: "tok"}
	if err := db.CreateSavedSearch(ctx, search); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmSubscription(ctx, ratsnetz.SubscriptionSavedSearch, "same-c", t0.Add(2*time.Hour)); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("expired confirmation: %v", err)
	}
	got, err := db.ConfirmSubscription(ctx, ratsnetz.SubscriptionSavedSearch, "same-c", t0.Add(time.Minute))
	if err != nil || got.ID != search.ID || got.Kind != ratsnetz.SubscriptionSavedSearch || !got.Active() || got.Email != "a@example.org" {
		t.Fatalf("confirm saved search: %+v %v", got, err)
	}
	if a, err := db.FindAlertByUnsubscribe(ctx, "same-u"); err != nil || a.Active() {
		t.Errorf("confirming the saved search confirmed the alert: %+v %v", a, err)
	}
	if again, err := db.ConfirmSubscription(ctx, ratsnetz.SubscriptionSavedSearch, "same-c", t0.Add(30*time.Minute)); err != nil ||
		!again.ConfirmedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("second confirmation changed it: %+v %v", again, err)
	}
	if _, err := db.ConfirmSubscription(ctx, "other", "same-c", t0); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}

	// Deliveries of both kinds; deleting the alert keeps the search's.
	obj := []ratsnetz.AlertObject{{Kind: ratsnetz.ReadKindPaper, ID: 1}}
	for _, r := range []string{ratsnetz.AlertRecipient(alert.ID), ratsnetz.SavedSearchRecipient(search.ID)} {
		if _, err := db.RecordDelivery(ctx, r, obj, &ratsnetz.OutgoingMail{To: "a@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := db.FindSubscriptionByUnsubscribe(ctx, ratsnetz.SubscriptionAlert, "same-u")
	if err != nil || sub.ID != alert.ID || sub.Kind != ratsnetz.SubscriptionAlert {
		t.Fatalf("find alert by unsubscribe: %+v %v", sub, err)
	}
	if err := db.DeleteSubscription(ctx, ratsnetz.SubscriptionAlert, sub.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscription(ctx, ratsnetz.SubscriptionAlert, sub.ID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
	if left, err := db.FilterUndelivered(ctx, ratsnetz.AlertRecipient(alert.ID), obj); err != nil || len(left) != 1 {
		t.Errorf("the alert's deliveries survived: %v %v", left, err)
	}
	if left, err := db.FilterUndelivered(ctx, ratsnetz.SavedSearchRecipient(search.ID), obj); err != nil || len(left) != 0 {
		t.Errorf("the saved search's deliveries went with the alert: %v %v", left, err)
	}
	if s, err := db.FindSubscriptionByUnsubscribe(ctx, ratsnetz.SubscriptionSavedSearch, "same-u"); err != nil || s.ID != search.ID {
		t.Errorf("the saved search went with the alert: %+v %v", s, err)
	}

	// A member deletes only their own saved search.
	anna, bernd := &ratsnetz.Account{Email: "anna@example.org", Active: true}, &ratsnetz.Account{Email: "bernd@example.org", Active: true}
	for _, a := range []*ratsnetz.Account{anna, bernd} {
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	own := &ratsnetz.SavedSearch{AccountID: bernd.ID, Query: "Haushalt", UnsubscribeHash: "b-u"}
	if err := db.CreateSavedSearch(ctx, own); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{own.ID, search.ID} {
		if err := db.DeleteAccountSavedSearch(ctx, anna.ID, id); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
			t.Errorf("anna deleted search %d: %v", id, err)
		}
	}
	if l, err := db.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{}); err != nil || len(l) != 2 {
		t.Fatalf("after foreign deletes: %d %v", len(l), err)
	}
	if err := db.DeleteAccountSavedSearch(ctx, bernd.ID, own.ID); err != nil {
		t.Fatal(err)
	}
	if l, err := db.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{AccountID: bernd.ID}); err != nil || len(l) != 0 {
		t.Errorf("bernd's search left: %d %v", len(l), err)
	}
}
