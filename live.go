package ratsnetz

import (
	"context"
	"time"
)

// This file holds live hybrid meetings (issue 7): the state of a running
// meeting, the roster (Anwesenheit), the speakers list (Redeliste),
// electronic votes with their ballots, the chat and the append-only event log
// every participant's screen follows. The glossary adds:
//
//	LiveMeeting     laufende Sitzung (Sitzungsleitung, Cockpit)
//	RosterEntry     Anwesenheit (im Saal / zugeschaltet / abwesend)
//	SpeakerRequest  Wortmeldung; PointOfOrder = Wortmeldung zur Geschäftsordnung
//	LiveVote        Abstimmung / Wahl; Ballot = Stimme
//	LiveEvent       Eintrag im Sitzungsverlauf (Grundlage des Niederschriftsentwurfs)

// Live meeting states.
const (
	LiveNotStarted  = "nicht begonnen"
	LiveRunning     = "läuft"
	LiveInterrupted = "unterbrochen"
	LiveClosed      = "geschlossen"
)

// LiveMeeting is the live state of a meeting.
type LiveMeeting struct {
	MeetingID int64
	State     string
	// CurrentItemID is the agenda item under discussion, 0 if none.
	CurrentItemID int64
	// NonPublic is set while the meeting is in its non-public part: the
	// public live view pauses, events go only to the entitled.
	NonPublic bool
	Started   time.Time
	Closed    time.Time
	// LastSeq is the sequence number of the meeting's last event.
	LastSeq int64
}

// Presence of a member in a live meeting.
const (
	PresenceAbsent = "abwesend"
	PresenceInRoom = "im Saal"
	PresenceRemote = "zugeschaltet"
)

// ValidPresence reports whether p is a known presence.
func ValidPresence(p string) bool {
	return p == PresenceAbsent || p == PresenceInRoom || p == PresenceRemote
}

// RosterEntry is one member (or deputy) of the meeting's leading
// organization with their attendance.
type RosterEntry struct {
	MeetingID   int64
	PersonID    int64
	Name        string
	FactionID   int64
	Faction     string
	Role        string
	VotingRight bool
	Presence    string
	// Arrived is the first check-in, Left the last check-out (zero if none).
	Arrived time.Time
	Left    time.Time
}

// Present reports whether the member takes part (in the room or remote).
func (e *RosterEntry) Present() bool {
	return e.Presence == PresenceInRoom || e.Presence == PresenceRemote
}

// Speaker request states.
const (
	SpeakerWaiting   = "wartet"
	SpeakerSpeaking  = "spricht"
	SpeakerDone      = "beendet"
	SpeakerWithdrawn = "zurückgezogen"
)

// SpeakerRequest is a Wortmeldung on an agenda item.
type SpeakerRequest struct {
	ID           int64
	MeetingID    int64
	AgendaItemID int64
	PersonID     int64
	Name         string
	// PointOfOrder requests go before all others (Geschäftsordnung).
	PointOfOrder bool
	// Position orders the waiting requests (the chair may reorder).
	Position  int
	State     string
	Requested time.Time
	Started   time.Time
	Ended     time.Time
	// SpeakingSeconds is the speaking time the countdown runs from, 0 = none.
	SpeakingSeconds int
}

// Vote kinds.
const (
	VoteOpen   = "offen"
	VoteNamed  = "namentlich"
	VoteSecret = "geheim"
)

// Majority rules.
const (
	MajoritySimple    = "einfach"      // more yes than no
	MajorityAbsolute  = "absolut"      // more than half of the base
	MajorityTwoThirds = "zwei Drittel" // at least two thirds of the base
)

// Bases of a majority rule.
const (
	BaseVotesCast = "abgegebene Stimmen" // yes + no (abstentions do not count)
	BasePresent   = "Anwesende"          // members present and entitled to vote
	BaseLegal     = "gesetzliche Zahl"   // the legal number of members (Organization.Seats)
)

// Vote states.
const (
	VoteStateOpen   = "offen"
	VoteStateClosed = "geschlossen"
)

// The standard options of a motion vote.
const (
	OptionYes     = "Ja"
	OptionNo      = "Nein"
	OptionAbstain = "Enthaltung"
)

// MotionOptions are the options of a vote on a motion.
func MotionOptions() []string { return []string{OptionYes, OptionNo, OptionAbstain} }

// LiveVote is an electronic vote (or an election between candidates) in a
// live meeting.
type LiveVote struct {
	ID           int64
	MeetingID    int64
	AgendaItemID int64
	// Title names what is voted on (the motion, amendment, election).
	Title string
	Kind  string
	// Options are Ja/Nein/Enthaltung or the candidates of an election.
	Options  []string
	Majority string
	Base     string
	// AllowChange lets a member change the ballot until the close (never
	// for secret votes: a secret ballot is not linked to its voter).
	AllowChange bool
	State       string
	// Public is false for votes in the non-public part: their events reach
	// only the entitled.
	Public bool
	Opened time.Time
	Closed time.Time
	// Eligible is the number of members entitled to vote when the vote
	// opened (present, voting right, no conflict of interest); Excluded
	// counts those excluded for a conflict of interest.
	Eligible int
	Excluded int
	// Seats is the legal number of members of the organization.
	Seats int
	// Quorate records the quorum when the vote opened.
	Quorate bool
	// ShowOfHands marks a result entered by the office instead of ballots.
	ShowOfHands bool
	// Result is set when the vote is closed.
	Result *LiveVoteResult
}

// LiveVoteResult is the outcome of a closed vote.
type LiveVoteResult struct {
	// Counts per option, in the order of the vote's options.
	Counts []OptionCount
	// Voted is the number of members who cast a ballot.
	Voted   int
	Adopted bool
	// Winner is the elected candidate of an election ("" for motions or
	// when no candidate reached the majority).
	Winner string
	// Factions is the per-faction table (not for secret votes).
	Factions []FactionVote
	// Named lists each member's ballot (named votes only).
	Named []NamedBallot
	// Singles are the members without a faction counted one by one in a
	// show of hands entered per faction (Einzelmitglieder).
	Singles []NamedBallot `json:",omitempty"`
}

// Count returns the count of option o.
func (r *LiveVoteResult) Count(o string) int {
	for _, c := range r.Counts {
		if c.Option == o {
			return c.Count
		}
	}
	return 0
}

// OptionCount is the number of ballots for one option.
type OptionCount struct {
	Option string
	Count  int
}

// NamedBallot is one member's ballot in a named vote.
type NamedBallot struct {
	PersonID  int64
	Name      string
	FactionID int64
	Option    string
}

// Ballot is one member's vote, as cast.
type Ballot struct {
	VoteID   int64
	PersonID int64
	Option   string
}

// Majority decides whether a motion is adopted: yes, no and abstain are the
// counts, present the members present and entitled to vote, seats the legal
// number of members. Rules follow German council practice: a simple
// majority needs more yes than no votes (a tie rejects); an absolute
// majority more yes votes than half the base; two thirds at least two thirds
// of the base (of the votes cast when the base is BaseVotesCast).
func Majority(rule, base string, yes, no, abstain, present, seats int) bool {
	var n int
	switch base {
	case BasePresent:
		n = present
	case BaseLegal:
		n = seats
	default:
		n = yes + no
	}
	switch rule {
	case MajorityAbsolute:
		return 2*yes > n
	case MajorityTwoThirds:
		return n > 0 && 3*yes >= 2*n
	default:
		return yes > no
	}
}

// QuorumRule says when an organization can decide (Beschlussfähigkeit).
// The default rule of the Gemeindeordnungen is "more than half of the legal
// number of members present".
type QuorumRule struct {
	// Numerator/Denominator: present*Denominator > Seats*Numerator
	// (default 1/2: more than half).
	Numerator, Denominator int
}

// Quorate reports whether present members make a quorum of seats; with no
// legal number known, one present member suffices.
func (q QuorumRule) Quorate(present, seats int) bool {
	num, den := q.Numerator, q.Denominator
	if den == 0 {
		num, den = 1, 2
	}
	if seats <= 0 {
		return present > 0
	}
	return present*den > seats*num
}

// Needed is the smallest number of present members that makes a quorum.
func (q QuorumRule) Needed(seats int) int {
	for n := 0; n <= seats+1; n++ {
		if q.Quorate(n, seats) {
			return n
		}
	}
	return seats + 1
}

// Event audiences: who may receive a live event.
const (
	// AudiencePublic: everyone, the public live page and projector included.
	AudiencePublic = "public"
	// AudienceEntitled: those entitled to the meeting's non-public part.
	AudienceEntitled = "entitled"
	// AudienceParticipants: the meeting's members, chair and office (meeting chat).
	AudienceParticipants = "participants"
	// AudienceFactionPrefix + faction ID: that faction's members in the meeting.
	AudienceFactionPrefix = "faction:"
	// AudienceDirectPrefix + person ID: that member and the office (direct line).
	AudienceDirectPrefix = "direct:"
	// AudienceOffice: chair and office only (e.g. link monitoring).
	AudienceOffice = "office"
)

// Live event types.
const (
	EventMeetingStarted     = "meeting.started"
	EventMeetingInterrupted = "meeting.interrupted"
	EventMeetingResumed     = "meeting.resumed"
	EventMeetingClosed      = "meeting.closed"
	EventPartChanged        = "meeting.part"
	EventItemChanged        = "item.current"
	EventRoster             = "roster"
	EventSpeakers           = "speakers"
	EventVoteOpened         = "vote.opened"
	EventVoteProgress       = "vote.progress"
	EventVoteClosed         = "vote.closed"
	EventChat               = "chat"
	EventLinkLost           = "link.lost"
	EventLinkRestored       = "link.restored"
	EventChairDecision      = "chair.decision"
	EventConflict           = "conflict"
)

// LiveEvent is one entry of the append-only, hash-chained event log.
type LiveEvent struct {
	// Seq is the position in the log (increasing across all meetings); it is
	// the SSE event id.
	Seq       int64
	MeetingID int64
	Type      string
	Audience  string
	// Data is the event's JSON payload.
	Data    []byte
	Created time.Time
	// PrevHash and Hash chain the log: Hash = SHA-256 over PrevHash and the
	// event's fields (hex).
	PrevHash string
	Hash     string
}

// LiveAccess is what a viewer may do and see in a live meeting, derived by
// the store from accounts, roles and memberships.
type LiveAccess struct {
	MeetingID int64
	// Entitled: sees the non-public part.
	Entitled bool
	// Office: council office (or administrator) of the meeting's body: runs
	// the cockpit, reads the meeting chat and every direct line (not the
	// faction channels, which belong to the factions).
	Office bool
	// Chair: chairs the leading organization (Vorsitz, stv. Vorsitz): runs
	// the cockpit.
	Chair bool
	// Member: on the roster of the meeting (PersonID set).
	Member    bool
	PersonID  int64
	FactionID int64
	// FactionStaff lists the factions the viewer works for.
	FactionStaff []int64
}

// Manages reports whether the viewer may run the meeting.
func (a LiveAccess) Manages() bool { return a.Office || a.Chair }

// Participant reports whether the viewer takes part in the meeting chat.
func (a LiveAccess) Participant() bool { return a.Member || a.Manages() }

// CanSee reports whether an event of the given audience reaches the viewer.
func (a LiveAccess) CanSee(audience string) bool {
	switch audience {
	case AudiencePublic:
		return true
	case AudienceEntitled:
		return a.Entitled || a.Manages()
	case AudienceParticipants:
		return a.Participant()
	case AudienceOffice:
		return a.Manages()
	}
	if len(audience) > len(AudienceFactionPrefix) && audience[:len(AudienceFactionPrefix)] == AudienceFactionPrefix {
		id := parseID(audience[len(AudienceFactionPrefix):])
		if id == 0 {
			return false
		}
		if a.Member && a.FactionID == id {
			return true
		}
		for _, f := range a.FactionStaff {
			if f == id {
				return true
			}
		}
		return false
	}
	if len(audience) > len(AudienceDirectPrefix) && audience[:len(AudienceDirectPrefix)] == AudienceDirectPrefix {
		id := parseID(audience[len(AudienceDirectPrefix):])
		return id != 0 && (a.Office || (a.Member && a.PersonID == id))
	}
	return false
}

func parseID(s string) int64 {
	var n int64
	if s == "" || len(s) > 18 {
		return 0
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// ChatMessage is one message of the meeting chat, a faction channel or a
// direct line to the office. Chat is never public.
type ChatMessage struct {
	ID        int64
	MeetingID int64
	// Channel is AudienceParticipants, AudienceFactionPrefix+ID or
	// AudienceDirectPrefix+personID.
	Channel  string
	AuthorID int64 // account
	Author   string
	Text     string
	Created  time.Time
}

// LinkFailure records a remote member's dropped connection (hybrid-meeting
// law asks for time, member, duration and the chair's decision).
type LinkFailure struct {
	ID        int64
	MeetingID int64
	PersonID  int64
	Lost      time.Time
	Restored  time.Time
	// Decision is the chair's decision: "unterbrechen" or "fortsetzen".
	Decision string
}

// HandsRow is one row of a show-of-hands result entered per faction by the
// office: a faction's Ja/Nein/Enthaltung counts (FactionID set), or a single
// member without a faction (PersonID set, exactly one of the counts 1).
type HandsRow struct {
	FactionID int64
	PersonID  int64
	Yes       int
	No        int
	Abstain   int
}

// Total is the number of hands of the row.
func (r HandsRow) Total() int { return r.Yes + r.No + r.Abstain }

// LinkFailure detection defaults: a remote member's live connection that is
// gone for LinkGrace is recorded as a LinkFailure; an instance renews the
// members' connections in the store every LinkBeat and counts a connection
// whose instance stopped renewing for LinkStale as gone.
const (
	DefaultLinkGrace = 20 * time.Second
	DefaultLinkBeat  = 5 * time.Second
)

// LiveMemberKey names a member in a live meeting.
type LiveMemberKey struct{ MeetingID, PersonID int64 }

// LinkBeat is what one instance reports of a remote member's live
// connections: connected now, or gone since Dropped.
type LinkBeat struct {
	MeetingID int64
	PersonID  int64
	Connected bool
	// Since is when the member's current connection on the instance began
	// (Connected); Dropped when their last connection on it ended (not
	// Connected).
	Since   time.Time
	Dropped time.Time
}

// LiveService runs live meetings. Every method checks the viewer's
// LiveAccess from the context; every change appends events to the log in
// the same transaction.
type LiveService interface {
	LiveAccessOf(ctx context.Context, meetingID int64) (LiveAccess, error)
	FindLiveMeeting(ctx context.Context, meetingID int64) (*LiveMeeting, error)
	FindLiveEvents(ctx context.Context, meetingID, afterSeq int64, limit int) ([]*LiveEvent, error)
}

// LiveSnapshot is what one viewer sees of a live meeting right now, decided
// by the store: the public gets no names of the roster, nothing of the
// non-public part (current item, speakers) and only public votes.
type LiveSnapshot struct {
	Access  LiveAccess
	Meeting *Meeting
	Live    *LiveMeeting
	// CurrentItem is the item under discussion, nil if none or not visible.
	CurrentItem *AgendaItem
	// Paused: the meeting is in its non-public part and the viewer is not
	// entitled — the live view pauses.
	Paused bool
	// Roster is set for participants and the entitled; the counts for all.
	Roster        []*RosterEntry
	Present       int
	PresentVoting int
	Seats         int
	Speakers      []*SpeakerRequest
	Votes         []*LiveVote
	// Voted holds the IDs of the votes the viewer's person has voted in.
	Voted map[int64]bool
}
