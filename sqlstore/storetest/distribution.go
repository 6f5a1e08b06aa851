package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testDistribution checks delivery preferences, invitations, receipts and
// the print list (run by testJobs on its database after the queue tests).
func testDistribution(t *testing.T, db *sqlstore.DB) {
	w := newOfficeWorld(t, db)
	ctx := context.Background()

	t.Run("DeliveryPrefs", func(t *testing.T) {
		// Defaults before anything is saved.
		p, err := db.FindDeliveryPrefs(w.ctx("member"), 20)
		if err != nil || p.Channel != ratsnetz.ChannelApp || p.ElectronicConsent {
			t.Fatalf("defaults: %+v, %v", p, err)
		}
		wantCode(t, "public reads prefs", must1(db.FindDeliveryPrefs(w.ctx("public"), 20)), ratsnetz.EFORBIDDEN)
		wantCode(t, "other member reads prefs", must1(db.FindDeliveryPrefs(w.ctx("chair"), 20)), ratsnetz.EFORBIDDEN)
		wantCode(t, "save for someone else", db.SaveDeliveryPrefs(w.ctx("chair"), &ratsnetz.DeliveryPrefs{PersonID: 20, Channel: ratsnetz.ChannelPost,
			PostalAddress: "a\nb"}), ratsnetz.EFORBIDDEN)
		wantCode(t, "mail without address", db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20,
			Channel: ratsnetz.ChannelEmail, ElectronicConsent: true}), ratsnetz.EINVALID)
		wantCode(t, "mail without consent", db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20,
			Channel: ratsnetz.ChannelEmail, Email: "privat@example.org"}), ratsnetz.EINVALID)
		wantCode(t, "post without address", db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20,
			Channel: ratsnetz.ChannelPost}), ratsnetz.EINVALID)
		wantCode(t, "unknown channel", db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20,
			Channel: "fax"}), ratsnetz.EINVALID)
		if err := db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20, Channel: ratsnetz.ChannelEmail,
			Email: " privat@example.org ", ElectronicConsent: true}); err != nil {
			t.Fatal(err)
		}
		first := w.now
		w.now = w.now.Add(time.Hour)
		db.Now = func() time.Time { return w.now }
		// Consent keeps its first time while it stays given.
		if err := db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20, Channel: ratsnetz.ChannelPost,
			PostalAddress: "Erika Beispiel\r\nRathausplatz 1\r\n12345 Musterstadt", ElectronicConsent: true}); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindDeliveryPrefs(w.ctx("office"), 20)
		if err != nil || got.Channel != ratsnetz.ChannelPost || got.Email != "" && got.Email != "privat@example.org" ||
			got.PostalAddress != "Erika Beispiel\nRathausplatz 1\n12345 Musterstadt" || !got.ElectronicConsent || !got.ConsentAt.Equal(first) {
			t.Errorf("saved prefs: %+v, %v (consent at %v)", got, err, first)
		}
		// Withdrawing consent clears its time.
		if err := db.SaveDeliveryPrefs(w.ctx("member"), &ratsnetz.DeliveryPrefs{PersonID: 20, Channel: ratsnetz.ChannelPost,
			PostalAddress: "Erika Beispiel\nRathausplatz 1"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindDeliveryPrefs(w.ctx("member"), 20); got.ElectronicConsent || !got.ConsentAt.IsZero() {
			t.Errorf("after withdrawal: %+v", got)
		}
	})

	t.Run("Invitations", func(t *testing.T) {
		newInv := func() *ratsnetz.Invitation {
			return &ratsnetz.Invitation{MeetingID: 41, Kind: ratsnetz.InvitationKindInvitation, DeadlineMet: true,
				Agenda: []ratsnetz.InvitationItem{{AgendaItemID: 53, Number: "Ö 1", Name: "Bebauungsplan", Public: true,
					Files: map[int64]time.Time{70: w.now}}},
				PDF: []byte("%PDF-1.4 test"),
				Recipients: []*ratsnetz.InvitationRecipient{
					{PersonID: 20, Name: "Erika Beispiel", Role: ratsnetz.RoleMember, Channel: ratsnetz.ChannelPost, PostalAddress: "a\nb", TokenHash: "hash-20"},
					{PersonID: 21, Name: "Max Muster", Role: ratsnetz.RoleDeputy, Channel: ratsnetz.ChannelEmail, Email: "max@example.org", TokenHash: "hash-21"},
				}}
		}
		for _, who := range []string{"public", "member", "clerk", "office2"} {
			wantCode(t, "invite as "+who, db.CreateInvitation(w.ctx(who), newInv(), nil), ratsnetz.EFORBIDDEN)
		}
		late := newInv()
		late.DeadlineMet = false
		wantCode(t, "late without reason", db.CreateInvitation(w.ctx("office"), late, nil), ratsnetz.EINVALID)
		missing := newInv()
		missing.MeetingID = 999
		wantCode(t, "unknown meeting", db.CreateInvitation(w.ctx("office"), missing, nil), ratsnetz.ENOTFOUND)

		inv := newInv()
		inv.DeadlineMet, inv.Reason = false, "Dringende Entscheidung über Fördermittel"
		job := ratsnetz.NewJob{Kind: "mail", Key: "inv-test-21", Payload: []byte(`{}`)}
		if err := db.CreateInvitation(w.ctx("office"), inv, []ratsnetz.NewJob{job}); err != nil {
			t.Fatal(err)
		}
		if inv.ID == 0 || inv.Recipients[0].ID == 0 {
			t.Fatalf("ids not set: %+v", inv)
		}
		// The notice jobs were stored with the invitation.
		jobs, err := db.ClaimJobs(ctx, []string{"mail"}, 10, time.Minute)
		if err != nil || len(jobs) != 1 || jobs[0].Key != "inv-test-21" {
			t.Fatalf("jobs with the invitation: %+v, %v", jobs, err)
		}
		db.CompleteJob(ctx, jobs[0].ID)

		wantCode(t, "member lists invitations", must1(db.FindInvitations(w.ctx("member"), 41)), ratsnetz.EFORBIDDEN)
		invs, err := db.FindInvitations(w.ctx("office"), 41)
		if err != nil || len(invs) != 1 {
			t.Fatalf("invitations: %v, %v", invs, err)
		}
		got := invs[0]
		if got.Kind != ratsnetz.InvitationKindInvitation || got.DeadlineMet || got.Reason != inv.Reason || string(got.PDF) != "%PDF-1.4 test" ||
			len(got.Agenda) != 1 || got.Agenda[0].Name != "Bebauungsplan" || !got.Agenda[0].Files[70].Equal(w.now) || len(got.Recipients) != 2 {
			t.Errorf("stored invitation: %+v", got)
		}

		// Sent, opened (first time only), packet posted.
		wantCode(t, "mark sent as office", db.MarkRecipientSent(w.ctx("office"), "hash-21", w.now), ratsnetz.EFORBIDDEN)
		if err := db.MarkRecipientSent(sys, "hash-21", w.now); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkRecipientSent(sys, "hash-21", w.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "unknown receipt", must1(db.OpenReceipt(public, "nope", w.now)), ratsnetz.ENOTFOUND)
		r, err := db.OpenReceipt(public, "hash-21", w.now.Add(2*time.Hour))
		if err != nil || r.PersonID != 21 || r.MeetingID != 41 {
			t.Fatalf("open receipt: %+v, %v", r, err)
		}
		if _, err := db.OpenReceipt(public, "hash-21", w.now.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "packet by member", db.MarkPacketSent(w.ctx("member"), inv.Recipients[0].ID, w.now), ratsnetz.EFORBIDDEN)
		if err := db.MarkPacketSent(w.ctx("office"), inv.Recipients[0].ID, w.now.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		post, err := db.FindRecipients(w.ctx("office"), ratsnetz.RecipientFilter{MeetingID: 41, Channel: ratsnetz.ChannelPost})
		if err != nil || len(post) != 1 || post[0].PersonID != 20 || !post[0].PacketSent.Equal(w.now.Add(3*time.Hour)) {
			t.Errorf("print list: %+v, %v", post, err)
		}
		mailed, _ := db.FindRecipients(w.ctx("office"), ratsnetz.RecipientFilter{MeetingID: 41, PersonID: 21})
		if len(mailed) != 1 || !mailed[0].Sent.Equal(w.now) || !mailed[0].Opened.Equal(w.now.Add(2*time.Hour)) {
			t.Errorf("recipient 21: %+v (sent and opened keep their first time)", mailed)
		}
		wantCode(t, "recipients as member", must1(db.FindRecipients(w.ctx("member"), ratsnetz.RecipientFilter{MeetingID: 41})), ratsnetz.EFORBIDDEN)

		// The person's account decides a packet's contents.
		if id, err := db.AccountOfPerson(sys, 20); err != nil || id == 0 {
			t.Errorf("account of person 20: %d, %v", id, err)
		}
		if id, err := db.AccountOfPerson(sys, 999); err != nil || id != 0 {
			t.Errorf("account of person 999: %d, %v", id, err)
		}
		wantCode(t, "account lookup by office", must1(db.AccountOfPerson(w.ctx("office"), 20)), ratsnetz.EFORBIDDEN)
	})
}

// must1 drops the value and returns the error.
func must1[T any](_ T, err error) error { return err }
