package ratsnetz

import (
	"context"
	"time"
)

// Paper types (Vorlagenarten).
const (
	PaperTypeResolution    = "Beschlussvorlage"
	PaperTypeMotion        = "Antrag"
	PaperTypeQuestion      = "Anfrage"
	PaperTypeAnswer        = "Beantwortung einer Anfrage"
	PaperTypeNotice        = "Mitteilung"
	PaperTypeAmendment     = "Änderungsantrag"
	PaperTypeSupplement    = "Ergänzungsvorlage"
	PaperTypeReport        = "Bericht"
	PaperTypeBoardTemplate = "Aufsichtsratsvorlage"
)

// Paper statuses, derived from its Beratungsfolge.
const (
	PaperStatusDraft      = "Entwurf"
	PaperStatusInProgress = "in Beratung"
	PaperStatusDecided    = "beschlossen"
	PaperStatusRejected   = "abgelehnt"
	PaperStatusNoted      = "zur Kenntnis genommen"
	PaperStatusAnswered   = "beantwortet"
	PaperStatusWithdrawn  = "zurückgezogen"
	PaperStatusDone       = "erledigt"
)

// Paper is a Vorlage / Drucksache.
type Paper struct {
	Meta
	BodyID    int64
	Name      string // Betreff
	Reference string // Drucksachennummer, e.g. "2021/0047"
	Date      time.Time
	PaperType string
	Status    string
	Public    bool
	// Sections hold the paper text: Beschlussvorschlag, Sachverhalt/Begründung, …
	Sections                  []TextSection
	RelatedPaperIDs           []int64
	SuperordinatedPaperIDs    []int64
	SubordinatedPaperIDs      []int64
	MainFileID                int64
	AuxiliaryFileIDs          []int64
	LocationIDs               []int64
	OriginatorPersonIDs       []int64
	OriginatorOrganizationIDs []int64
	// UnderDirectionOfIDs are the lead departments (federführend).
	UnderDirectionOfIDs []int64
	// ResponsiblePersonID is the person in charge (Verantwortlich), 0 if none.
	ResponsiblePersonID int64
}

// Standard headings of paper sections.
const (
	SectionProposal  = "Beschlussvorschlag"
	SectionReasoning = "Sachverhalt/Begründung"
	SectionFinance   = "Finanzielle Auswirkungen"
	SectionQuestion  = "Fragestellung"
	SectionAnswer    = "Antwort"
)

// TextSection is one headed section of a paper's text.
type TextSection struct {
	Heading string
	Text    string
}

// Consultation roles.
const (
	ConsultationPreliminary = "Vorberatung"
	ConsultationDecision    = "Entscheidung"
	ConsultationNotice      = "Kenntnisnahme"
	ConsultationHearing     = "Anhörung"
)

// Consultation statuses.
const (
	ConsultationPlanned   = "geplant"
	ConsultationDone      = "erledigt"
	ConsultationPostponed = "vertagt"
	ConsultationWithdrawn = "zurückgezogen"
	ConsultationStopped   = "gestoppt"
)

// Consultation is one step of a paper's Beratungsfolge.
type Consultation struct {
	Meta
	PaperID      int64
	MeetingID    int64
	AgendaItemID int64
	// OrganizationIDs: the first is the consulting organization.
	OrganizationIDs []int64
	Authoritative   bool
	Role            string
	Status          string
	Result          string
	// Date is the planned or actual date of the consultation.
	Date time.Time
	// Position orders the steps of the Beratungsfolge.
	Position int
}

// PaperFilter selects papers.
type PaperFilter struct {
	IDs       []int64
	BodyID    int64
	Reference string
	PaperType string
	Status    string
	// OrganizationID keeps papers with a consultation in that organization.
	OrganizationID int64
	Year           int
	// Text keeps papers whose title or reference contains it (case-insensitive).
	Text string
	// Newest orders by date, newest first (default: by ID).
	Newest bool
	ListOptions
}

// ConsultationFilter selects consultations, in Beratungsfolge order.
type ConsultationFilter struct {
	IDs            []int64
	BodyID         int64
	PaperID        int64
	MeetingID      int64
	OrganizationID int64
	ListOptions
}

// PaperService reads papers and their consultations.
type PaperService interface {
	FindPaperByID(ctx context.Context, id int64) (*Paper, error)
	FindPapers(ctx context.Context, f PaperFilter) ([]*Paper, int, error)
	FindConsultationByID(ctx context.Context, id int64) (*Consultation, error)
	FindConsultations(ctx context.Context, f ConsultationFilter) ([]*Consultation, int, error)
}
