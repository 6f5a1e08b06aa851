package ratsnetz

import (
	"context"
	"time"
)

// Organization types as OParl names them.
const (
	OrgTypeGremium            = "Gremium"
	OrgTypeFraktion           = "Fraktion"
	OrgTypePartei             = "Partei"
	OrgTypeVerwaltungsbereich = "Verwaltungsbereich"
	OrgTypeExternesGremium    = "externes Gremium"
	OrgTypeInstitution        = "Institution"
	OrgTypeSonstiges          = "Sonstiges"
)

// Common classifications of organizations (free text in OParl; these are the
// ones Ratsnetz itself uses).
const (
	ClassParlament                 = "Parlament" // the council (Rat)
	ClassAusschuss                 = "Ausschuss"
	ClassBezirksvertretung         = "Bezirksvertretung"
	ClassAufsichtsrat              = "Aufsichtsrat"
	ClassGesellschafterversammlung = "Gesellschafterversammlung"
	ClassBetriebskommission        = "Betriebskommission"
	ClassBeirat                    = "Beirat"
	ClassFraktion                  = "Fraktion"
	ClassEinzelmandat              = "Einzelmandat"
	ClassDezernat                  = "Dezernat"
	ClassAmt                       = "Amt"
)

// Organization is a Gremium, Fraktion, Partei or administrative unit.
type Organization struct {
	Meta
	BodyID              int64
	Name                string
	ShortName           string
	OrganizationType    string
	Classification      string
	Post                []string
	SubOrganizationOfID int64
	StartDate           time.Time
	EndDate             time.Time
	Website             string
	LocationID          int64
	ExternalBodyID      int64
	// Seats is the legal number of members (gesetzliche Mitgliederzahl),
	// the base of quorum and majority rules; 0 if unknown.
	Seats int
	// Color is a faction's display colour (hex, e.g. "#e3000f"), used in vote tables.
	Color string
	// Confidential marks a body under company-law confidentiality
	// (Aufsichtsrat): its non-public material goes only to its own members and
	// named persons, separate from the council's rights.
	Confidential bool
	// InvitationDays is the Ladungsfrist in days; 0 means the installation default.
	InvitationDays int
}

// Membership roles as German councils name them.
const (
	RoleChair        = "Vorsitz"
	RoleViceChair    = "stv. Vorsitz"
	RoleMember       = "Mitglied"
	RoleDeputy       = "stellvertretendes Mitglied"
	RoleAdvisory     = "beratendes Mitglied"
	RoleCitizen      = "sachkundige/r Bürger/in"
	RoleFactionChair = "Fraktionsvorsitz"
)

// Person is a natural person: council member, citizen member, staff.
type Person struct {
	Meta
	BodyID        int64
	Name          string // display name with title
	FamilyName    string
	GivenName     string
	FormOfAddress string
	Affix         string
	Title         []string
	Gender        string // "female", "male", other lowercase English words; "" if unknown
	Phone         []string
	Email         []string
	LocationID    int64
	Status        []string
	Life          string
	LifeSource    string
}

// Membership of a person in an organization.
type Membership struct {
	Meta
	PersonID       int64
	OrganizationID int64
	Role           string
	VotingRight    bool
	StartDate      time.Time
	EndDate        time.Time
	// OnBehalfOfID is the faction the person represents in this organization.
	OnBehalfOfID int64
}

// ActiveAt reports whether the membership is in force on day t.
func (m *Membership) ActiveAt(t time.Time) bool {
	if !m.StartDate.IsZero() && t.Before(m.StartDate) {
		return false
	}
	return m.EndDate.IsZero() || !t.After(m.EndDate.Add(24*time.Hour-time.Nanosecond))
}

// OrganizationFilter selects organizations.
type OrganizationFilter struct {
	IDs              []int64
	BodyID           int64
	OrganizationType string
	Classification   string
	// ActiveAt, when set, keeps organizations existing on that day.
	ActiveAt time.Time
	ListOptions
}

// PersonFilter selects persons.
type PersonFilter struct {
	IDs    []int64
	BodyID int64
	// OrganizationID keeps persons with a membership in that organization.
	OrganizationID int64
	ListOptions
}

// MembershipFilter selects memberships.
type MembershipFilter struct {
	IDs            []int64
	BodyID         int64
	PersonID       int64
	OrganizationID int64
	// ActiveAt, when set, keeps memberships in force on that day.
	ActiveAt time.Time
	ListOptions
}

// OrganizationService reads organizations, persons and memberships.
type OrganizationService interface {
	FindOrganizationByID(ctx context.Context, id int64) (*Organization, error)
	FindOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, int, error)
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	FindPersons(ctx context.Context, f PersonFilter) ([]*Person, int, error)
	FindMembershipByID(ctx context.Context, id int64) (*Membership, error)
	FindMemberships(ctx context.Context, f MembershipFilter) ([]*Membership, int, error)
}
