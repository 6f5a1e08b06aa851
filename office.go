package ratsnetz

import (
	"context"
	"time"
)

// This file holds the council office's writing work (issue 6): papers written
// in the browser (drafts with versions, release, reference numbers), motions
// submitted by factions and members, meeting planning with the agenda builder,
// and the minutes. Every method reads the acting viewer from the context and
// checks the caller's role in the same transaction (the stores read the
// account_roles table); a caller without the right gets ENOTFOUND for objects
// they may not see and EFORBIDDEN for actions they may not take.
//
// Rights (decided for this issue, see .team/office.md):
//   - write a paper draft: clerks (sachbearbeitung) of the lead department,
//     the council office of the body (sitzungsdienst, body 0 = all) and
//     administrators; a draft is seen only by its author, the clerks of its
//     department, the council office of its body and administrators;
//   - release a draft (Freigabe), assign reference numbers, accept or reject
//     motions, plan meetings, build agendas, record and publish minutes: the
//     council office of the body and administrators;
//   - submit a motion: a mandate holder with a person (in their own name) or
//     faction staff (for their faction); a submission is seen by its submitter,
//     the faction's staff and the council office.
//   - sign minutes: the recorder is the council office; the chair is a person
//     holding Vorsitz or stv. Vorsitz in the meeting's leading organization on
//     the day of signing.

// Draft states.
const (
	DraftOpen     = "entwurf"
	DraftReleased = "freigegeben"
)

// PaperDraft is a paper being written (Vorlagenentwurf). It lives in the
// office tables and is invisible outside the office and its authors until it
// is released; the release turns it into a regular Paper with consultations
// and files.
type PaperDraft struct {
	ID     int64
	BodyID int64
	// DepartmentID is the lead department (federführend), an Organization
	// of type Verwaltungsbereich.
	DepartmentID int64
	AuthorID     int64 // account
	Name         string
	PaperType    string
	Public       bool
	Sections     []TextSection
	// Consultations is the planned Beratungsfolge, in order.
	Consultations []DraftConsultation
	Attachments   []DraftAttachment
	// ParentPaperID makes the draft an amendment or supplement
	// (Änderungs-/Ergänzungsvorlage) subordinated to that paper.
	ParentPaperID int64
	State         string
	// Version counts the saves; each save keeps a PaperDraftVersion.
	Version int
	// After the release: the paper, its reference, who released and when.
	PaperID    int64
	Reference  string
	ReleasedBy int64
	Released   time.Time
	Created    time.Time
	Modified   time.Time
}

// DraftConsultation is one planned step of the Beratungsfolge.
type DraftConsultation struct {
	OrganizationID int64
	Date           time.Time // planned day (midnight UTC of the Berlin day)
	Role           string    // ConsultationPreliminary, ConsultationDecision, …
}

// DraftAttachment is an uploaded file of a draft; its content is in the blob
// store under BlobKey.
type DraftAttachment struct {
	ID       int64
	Name     string
	FileName string
	MimeType string
	Size     int64
	SHA256   string
	SHA512   string
	BlobKey  string
	Public   bool
	Created  time.Time
}

// PaperDraftVersion is one saved state of a draft's text.
type PaperDraftVersion struct {
	Version   int
	AccountID int64
	Saved     time.Time
	Name      string
	PaperType string
	Sections  []TextSection
}

// PaperDraftFilter selects drafts the viewer may see.
type PaperDraftFilter struct {
	BodyID int64
	State  string
	ListOptions
}

// ReferenceScheme is how a body's reference numbers are built: "{year}" is
// the four-digit year, "{seq:N}" the running number of that body and year,
// zero-padded to N digits, e.g. "{year}/{seq:4}" → "2026/0123".
const DefaultReferenceScheme = "{year}/{seq:4}"

// PaperWriter writes papers in the council office.
type PaperWriter interface {
	// CreatePaperDraft stores d as a new draft (version 1) of the viewer.
	CreatePaperDraft(ctx context.Context, d *PaperDraft) error
	// UpdatePaperDraft saves the draft's text, type, department, publicity
	// and Beratungsfolge as a new version; ECONFLICT if it was released or
	// if version is not the current one (someone else saved in between).
	UpdatePaperDraft(ctx context.Context, d *PaperDraft, version int) error
	FindPaperDraftByID(ctx context.Context, id int64) (*PaperDraft, error)
	FindPaperDrafts(ctx context.Context, f PaperDraftFilter) ([]*PaperDraft, int, error)
	FindPaperDraftVersions(ctx context.Context, id int64) ([]*PaperDraftVersion, error)
	// AddDraftAttachment records an uploaded file (already in the blob store).
	AddDraftAttachment(ctx context.Context, draftID int64, a *DraftAttachment) error
	RemoveDraftAttachment(ctx context.Context, draftID, attachmentID int64) error
	// ReleasePaperDraft (Freigabe) assigns the next reference number of the
	// body and year, creates the Paper with its consultations and files and
	// returns it; one transaction, gap-free numbering.
	ReleasePaperDraft(ctx context.Context, id int64) (*Paper, error)
	// SetReferenceScheme sets a body's reference scheme.
	SetReferenceScheme(ctx context.Context, bodyID int64, scheme string) error
	ReferenceScheme(ctx context.Context, bodyID int64) (string, error)
}

// Motion states.
const (
	MotionSubmitted = "eingereicht"
	MotionAccepted  = "angenommen"
	MotionRejected  = "zurückgewiesen"
)

// Motion is an Antrag or Anfrage submitted online to the council office.
type Motion struct {
	ID     int64
	BodyID int64
	// Kind is PaperTypeMotion or PaperTypeQuestion.
	Kind string
	// OrganizationID is the body (Gremium) the motion is addressed to.
	OrganizationID int64
	// FactionID submits for a faction (0: in the submitter's own name).
	FactionID int64
	// PersonID is the submitting member (0 for faction staff).
	PersonID    int64
	SubmittedBy int64 // account
	Title       string
	Text        string
	Reasoning   string
	// Received is the receipt timestamp (Eingangsbestätigung).
	Received time.Time
	State    string
	// Reason explains a rejection.
	Reason    string
	DecidedBy int64
	Decided   time.Time
	PaperID   int64
	Reference string
}

// MotionFilter selects motions the viewer may see.
type MotionFilter struct {
	BodyID int64
	State  string
	// Mine keeps the viewer's own submissions and those of their faction.
	Mine bool
	ListOptions
}

// MotionService handles motions (Anträge, Anfragen).
type MotionService interface {
	// SubmitMotion stores m with the receipt time (Received, State set).
	SubmitMotion(ctx context.Context, m *Motion) error
	FindMotionByID(ctx context.Context, id int64) (*Motion, error)
	FindMotions(ctx context.Context, f MotionFilter) ([]*Motion, int, error)
	// AcceptMotion turns a submitted motion into a public paper with a
	// reference number and a planned consultation in the addressed body.
	AcceptMotion(ctx context.Context, id int64, consultationDate time.Time) (*Paper, error)
	// RejectMotion rejects a submitted motion with a reason.
	RejectMotion(ctx context.Context, id int64, reason string) error
}

// MeetingSeries plans regular meetings of one organization.
type MeetingSeries struct {
	OrganizationID int64
	Name           string // e.g. "Sitzung des Hauptausschusses"; numbered per meeting
	// First is the start of the first meeting (its weekday and time of day
	// repeat).
	First time.Time
	// Duration of each meeting.
	Duration time.Duration
	// EveryWeeks repeats every N weeks (e.g. 2: every second Tuesday);
	// NthWeekday instead repeats monthly on the n-th weekday of First
	// (e.g. 2: the second Tuesday of each month). Exactly one is set.
	EveryWeeks int
	NthWeekday int
	Count      int
	LocationID int64
	Mode       string
	Public     bool
}

// MeetingInput creates or changes a meeting.
type MeetingInput struct {
	OrganizationID int64
	Name           string
	Start          time.Time
	End            time.Time
	LocationID     int64
	Mode           string
	Public         bool
	Cancelled      bool
}

// Standard agenda items.
const (
	StandardOpening   = "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen Einladung und der Beschlussfähigkeit"
	StandardMinutes   = "Genehmigung der Niederschrift der letzten Sitzung"
	StandardNotices   = "Mitteilungen der Verwaltung"
	StandardQuestions = "Anfragen"
)

// AgendaItemInput adds an item to an agenda.
type AgendaItemInput struct {
	Name   string
	Public bool
	// Sub makes the item a sub-item of the item before it (Ö 1.1).
	Sub bool
	// ConsultationID pulls a paper in through its planned consultation.
	ConsultationID int64
	Urgent         bool
	// Addendum marks a later addition (Nachtrag); items added after the
	// invitation are marked whatever this says.
	Addendum bool
}

// AgendaChange is an item of a meeting added or changed after a time (for
// the Nachtrag notification).
type AgendaChange struct {
	Item    *AgendaItem
	Added   bool // added after since; otherwise changed
	Changed time.Time
}

// MeetingPlanner plans meetings and builds agendas.
type MeetingPlanner interface {
	CreateMeeting(ctx context.Context, in MeetingInput) (*Meeting, error)
	UpdateMeeting(ctx context.Context, id int64, in MeetingInput) (*Meeting, error)
	// CreateMeetingSeries creates Count meetings; it returns them in order.
	CreateMeetingSeries(ctx context.Context, s MeetingSeries) ([]*Meeting, error)
	// AddAgendaItem appends an item to the public or non-public part and
	// renumbers the agenda.
	AddAgendaItem(ctx context.Context, meetingID int64, in AgendaItemInput) (*AgendaItem, error)
	// AddStandardItems adds the standard items not yet on the agenda.
	AddStandardItems(ctx context.Context, meetingID int64) error
	// MoveAgendaItem moves an item by delta places within its part.
	MoveAgendaItem(ctx context.Context, itemID int64, delta int) error
	RemoveAgendaItem(ctx context.Context, itemID int64) error
	// PlannedConsultations lists the consultations planned for the
	// meeting's organizations on the meeting's (Berlin) day that are not on
	// an agenda yet: the papers to pull in.
	PlannedConsultations(ctx context.Context, meetingID int64) ([]*Consultation, error)
	// MarkInvited sets the meeting state to invited at t; later additions
	// are Nachträge. (The invitation itself is distribution's.)
	MarkInvited(ctx context.Context, meetingID int64, t time.Time) error
	// AgendaChangesSince lists the items added or changed after since.
	AgendaChangesSince(ctx context.Context, meetingID int64, since time.Time) ([]AgendaChange, error)
}

// Attendance states.
const (
	AttendancePresent   = "anwesend"
	AttendanceExcused   = "entschuldigt"
	AttendanceUnexcused = "unentschuldigt"
)

// Attendance is one person's attendance at a meeting.
type Attendance struct {
	PersonID int64
	Name     string // filled by the store
	Status   string
	Arrived  time.Time
	Left     time.Time
}

// ItemResult is what the minutes record for one agenda item.
type ItemResult struct {
	Result         string
	ResolutionText string
	MinutesText    string
	Vote           *VoteResult
	// ConflictPersonIDs declared a conflict of interest (Befangenheit).
	ConflictPersonIDs []int64
}

// Minutes is the Niederschrift of a meeting.
type Minutes struct {
	MeetingID      int64
	Text           string
	Attendance     []Attendance
	ChairAccountID int64
	ChairName      string
	ChairSigned    time.Time
	RecorderID     int64
	RecorderName   string
	RecorderSigned time.Time
	Published      time.Time
	FileID         int64
}

// Signed reports whether chair and recorder signed.
func (m *Minutes) Signed() bool { return !m.ChairSigned.IsZero() && !m.RecorderSigned.IsZero() }

// Sign-off roles.
const (
	SignChair    = "chair"
	SignRecorder = "recorder"
)

// MinutesService records the minutes.
type MinutesService interface {
	FindMinutes(ctx context.Context, meetingID int64) (*Minutes, error)
	// RecordAttendance replaces the attendance list; present persons become
	// the meeting's participants.
	RecordAttendance(ctx context.Context, meetingID int64, list []Attendance) error
	SetMinutesText(ctx context.Context, meetingID int64, text string) error
	// RecordResult records an item's result and moves the paper's
	// Beratungsfolge on: the consultation is done; a final result of an
	// authoritative (Entscheidung) consultation decides the paper,
	// otherwise the next planned consultation is the current one.
	RecordResult(ctx context.Context, itemID int64, r ItemResult) (*AgendaItem, error)
	// SignMinutes records the viewer's sign-off as chair or recorder;
	// changes after a signature are refused (ECONFLICT).
	SignMinutes(ctx context.Context, meetingID int64, role string) error
	// PublishMinutes attaches the rendered minutes file (content already in
	// the blob store) as the meeting's resultsProtocol and marks the meeting
	// held; it requires both signatures.
	PublishMinutes(ctx context.Context, meetingID int64, f *File) error
}

// OfficeService is everything the council office writes.
type OfficeService interface {
	PaperWriter
	MotionService
	MeetingPlanner
	MinutesService
}
