package ratsnetz

import (
	"context"
	"time"
)

// Meeting states (OParl meetingState recommended values).
const (
	MeetingStateScheduled = "terminiert"
	MeetingStateInvited   = "eingeladen"
	MeetingStateHeld      = "durchgeführt"
)

// Meeting modes.
const (
	ModeInPerson = "präsenz"
	ModeHybrid   = "hybrid"
	ModeOnline   = "online"
)

// Meeting is a Sitzung of one or more organizations.
type Meeting struct {
	Meta
	BodyID       int64
	Name         string
	MeetingState string
	Cancelled    bool
	Start        time.Time
	End          time.Time
	LocationID   int64
	Mode         string
	// OrganizationIDs: the first is the leading organization.
	OrganizationIDs []int64
	// ParticipantIDs are the persons actually present (after the meeting).
	ParticipantIDs         []int64
	InvitationFileID       int64
	ResultsProtocolFileID  int64
	VerbatimProtocolFileID int64
	AuxiliaryFileIDs       []int64
	// Public is false for meetings held wholly in private (e.g. a
	// supervisory board); the public then sees nothing of them.
	Public bool
}

// Results of an agenda item, as the minutes record them.
const (
	ResultAdopted        = "beschlossen"
	ResultAdoptedAmended = "geändert beschlossen"
	ResultRejected       = "abgelehnt"
	ResultNoted          = "zur Kenntnis genommen"
	ResultPostponed      = "vertagt"
	ResultFirstReading   = "1. Lesung"
	ResultWithdrawn      = "zurückgezogen"
	ResultReferred       = "verwiesen"
	ResultRecommended    = "empfohlen"
	ResultNotRecommended = "nicht empfohlen"
	ResultAnswered       = "beantwortet"
)

// AgendaItem is a Tagesordnungspunkt (TOP) of a meeting.
type AgendaItem struct {
	Meta
	MeetingID int64
	// Order is the 0-based position in the meeting's agenda.
	Order  int
	Number string // "Ö 1", "Ö 1.1", "N 2"
	Name   string
	Public bool
	// Redacted is set by the store when the viewer may not see this
	// non-public item: only Meta, MeetingID, Order, Number and Public remain.
	Redacted       bool
	ConsultationID int64
	// PaperID is the paper treated (via the consultation), 0 if none.
	PaperID          int64
	Result           string
	ResolutionText   string
	MinutesText      string
	Vote             *VoteResult
	ResolutionFileID int64
	AuxiliaryFileIDs []int64
	Start            time.Time
	End              time.Time
	// Urgent marks a Dringlichkeitsantrag, Addendum a later addition (Nachtrag).
	Urgent   bool
	Addendum bool
}

// VoteResult is the minuted result of a vote: totals and the breakdown per
// faction. Live electronic votes keep their ballots elsewhere and write their
// outcome here.
type VoteResult struct {
	Yes       int
	No        int
	Abstain   int
	Unanimous bool
	Factions  []FactionVote
	Note      string // e.g. "bei 2 befangenen Mitgliedern"
}

// FactionVote is one row of the per-faction vote table.
type FactionVote struct {
	OrganizationID int64
	Name           string
	Yes            int
	No             int
	Abstain        int
}

// MeetingFilter selects meetings.
type MeetingFilter struct {
	IDs            []int64
	BodyID         int64
	OrganizationID int64
	From           time.Time // start >= From
	Until          time.Time // start < Until
	// Descending orders by start, newest first (default: oldest first).
	Descending bool
	ListOptions
}

// AgendaItemFilter selects agenda items, in meeting order.
type AgendaItemFilter struct {
	IDs       []int64
	BodyID    int64
	MeetingID int64
	PaperID   int64
	ListOptions
}

// MeetingService reads meetings and their agenda items.
type MeetingService interface {
	FindMeetingByID(ctx context.Context, id int64) (*Meeting, error)
	FindMeetings(ctx context.Context, f MeetingFilter) ([]*Meeting, int, error)
	FindAgendaItemByID(ctx context.Context, id int64) (*AgendaItem, error)
	FindAgendaItems(ctx context.Context, f AgendaItemFilter) ([]*AgendaItem, int, error)
}
