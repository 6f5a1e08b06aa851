package ratsnetz

import (
	"context"
	"time"
)

// Delivery channels: how a member gets invitations and documents.
const (
	// ChannelApp: digitally in the app (a notice by mail to the account's
	// address links to the documents).
	ChannelApp = "app"
	// ChannelEmail: by e-mail to a private address the member chose.
	ChannelEmail = "email"
	// ChannelPost: printed and posted to the member's postal address.
	ChannelPost = "post"
)

// ChannelLabel returns the German name of a delivery channel.
func ChannelLabel(c string) string {
	switch c {
	case ChannelApp:
		return "digital in Ratsnetz"
	case ChannelEmail:
		return "per E-Mail an eine gewählte Adresse"
	case ChannelPost:
		return "gedruckt per Post"
	}
	return c
}

// DeliveryPrefs is how a member wants to receive invitations (Zustellung).
type DeliveryPrefs struct {
	PersonID int64
	// Channel is ChannelApp, ChannelEmail or ChannelPost.
	Channel string
	// Email is the private address for ChannelEmail.
	Email string
	// PostalAddress is the multi-line address for ChannelPost.
	PostalAddress string
	// ElectronicConsent records the member's consent to electronic
	// invitation (needed for app and e-mail); ConsentAt is when it was given.
	ElectronicConsent bool
	ConsentAt         time.Time
	Modified          time.Time
}

// Invitation kinds.
const (
	InvitationKindInvitation = "Einladung"
	InvitationKindSupplement = "Nachtrag"
)

// Invitation is one sending of a meeting's invitation or of a Nachtrag:
// the agenda as it was frozen (Agenda, PDF), the Ladungsfrist check and
// every recipient with proof of sending and receipt.
type Invitation struct {
	ID        int64
	MeetingID int64
	// Kind is InvitationKindInvitation or InvitationKindSupplement.
	Kind string
	// DeadlineMet is false when the Ladungsfrist was not kept; Reason then
	// says why the meeting is invited at short notice.
	DeadlineMet bool
	Reason      string
	// Changes lists what a Nachtrag changed (office view; may name
	// non-public items).
	Changes []string
	// Agenda is the frozen agenda.
	Agenda []InvitationItem
	// PDF is the invitation document as sent.
	PDF        []byte
	CreatedBy  int64
	Created    time.Time
	Recipients []*InvitationRecipient
}

// InvitationItem is one agenda item as frozen in an invitation.
type InvitationItem struct {
	AgendaItemID int64
	Number       string
	Name         string
	Public       bool
	PaperID      int64
	// Files are the IDs of the documents with their modification time, to
	// find new and changed documents for a Nachtrag.
	Files map[int64]time.Time `json:",omitempty"`
}

// InvitationRecipient is one member or deputy invited.
type InvitationRecipient struct {
	ID            int64
	InvitationID  int64
	MeetingID     int64 // filled on reads
	PersonID      int64
	Name          string
	Role          string
	Channel       string
	Email         string
	PostalAddress string
	// Token is the secret of the personal receipt link; only set right
	// after CreateInvitation (the store keeps its hash).
	Token      string `json:"-"`
	TokenHash  string `json:"-"`
	Sent       time.Time
	Opened     time.Time
	PacketSent time.Time
}

// RecipientFilter selects invitation recipients.
type RecipientFilter struct {
	MeetingID    int64
	InvitationID int64
	PersonID     int64
	Channel      string
}

// DistributionService stores delivery preferences and invitations. The
// methods on invitations and the print list are for the council office of
// the meeting's body (the viewer in ctx); a member reads and writes only
// their own preferences.
type DistributionService interface {
	// FindDeliveryPrefs returns the preferences of the person (defaults if
	// none were saved): the viewer's own person or, for the office, anyone.
	FindDeliveryPrefs(ctx context.Context, personID int64) (*DeliveryPrefs, error)
	// SaveDeliveryPrefs stores p for the viewer's own person.
	SaveDeliveryPrefs(ctx context.Context, p *DeliveryPrefs) error
	// CreateInvitation stores inv with its recipients and the jobs that
	// notify them, in one transaction.
	CreateInvitation(ctx context.Context, inv *Invitation, jobs []NewJob) error
	// FindInvitations returns the invitations of a meeting, oldest first,
	// with recipients.
	FindInvitations(ctx context.Context, meetingID int64) ([]*Invitation, error)
	// FindRecipients returns recipients (office only).
	FindRecipients(ctx context.Context, f RecipientFilter) ([]*InvitationRecipient, error)
	// MarkRecipientSent records when the notice to the recipient with the
	// token hash went out (the mail worker, as the system).
	MarkRecipientSent(ctx context.Context, tokenHash string, at time.Time) error
	// OpenReceipt records the first opening of a personal link and returns
	// its recipient (ENOTFOUND for an unknown token).
	OpenReceipt(ctx context.Context, tokenHash string, at time.Time) (*InvitationRecipient, error)
	// MarkPacketSent records that the printed packet was posted (office).
	MarkPacketSent(ctx context.Context, recipientID int64, at time.Time) error
	// AccountOfPerson returns the active account of a person (0 if none):
	// the viewer whose rights decide what a recipient's packet contains.
	AccountOfPerson(ctx context.Context, personID int64) (int64, error)
}
