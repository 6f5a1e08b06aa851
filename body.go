package ratsnetz

import (
	"context"
	"time"
)

// Meta holds what every stored object carries: its identity, its original
// identifier when imported, and its life-cycle times (stored UTC).
type Meta struct {
	ID int64
	// ExternalID is the object's original OParl id (a URL) when it was
	// imported from another system, kept for later incremental syncs.
	ExternalID string
	Created    time.Time
	Modified   time.Time
	// Deleted marks a soft-deleted object: OParl serves it as a tombstone.
	Deleted bool
}

// System describes this installation (OParl System). It comes from the
// configuration, not from the database.
type System struct {
	Name         string
	ContactEmail string
	ContactName  string
	Website      string
	Vendor       string
	Product      string
	License      string
}

// Kinds of Body. Ratsnetz serves the city and its companies in one
// installation; each is a Body of its own.
const (
	BodyKindMunicipality = "kommune"     // Stadt, Gemeinde, Kreis
	BodyKindCompany      = "unternehmen" // Stadtwerke GmbH, Wohnungsbaugesellschaft, Eigenbetrieb
)

// Body is a Körperschaft: the municipality or one of its companies.
type Body struct {
	Meta
	Name      string
	ShortName string
	Kind      string
	// OwnerBodyID is the body that owns a company (the city), 0 if none.
	OwnerBodyID       int64
	Website           string
	License           string
	LicenseValidSince time.Time
	OparlSince        time.Time
	AGS               string // Amtlicher Gemeindeschlüssel, 8 digits
	RGS               string // Regionalschlüssel, 12 digits
	Equivalent        []string
	ContactEmail      string
	ContactName       string
	Classification    string // e.g. "Kreisfreie Stadt", "GmbH"
	LocationID        int64
}

// LegislativeTerm is a Wahlperiode of a body.
type LegislativeTerm struct {
	Meta
	BodyID    int64
	Name      string
	StartDate time.Time // a date: midnight UTC
	EndDate   time.Time
}

// Location is a place: a meeting room, an address a paper is about.
type Location struct {
	Meta
	BodyID        int64
	Description   string
	StreetAddress string
	Room          string
	PostalCode    string
	SubLocality   string
	Locality      string
	// Lat and Lon are WGS84 coordinates; HasGeo tells whether they are set.
	HasGeo bool
	Lat    float64
	Lon    float64
}

// ListOptions are the paging and change-tracking options every list takes.
// Portal lists page by Offset; OParl pages by keyset (After = last ID seen,
// ordered by ID) and filters by created/modified times.
type ListOptions struct {
	Limit  int
	Offset int
	// After, when > 0, switches to keyset paging: only IDs > After, ordered by ID.
	After         int64
	CreatedSince  time.Time
	CreatedUntil  time.Time
	ModifiedSince time.Time
	ModifiedUntil time.Time
	// WithDeleted includes soft-deleted objects (tombstones).
	WithDeleted bool
	// WithTotal asks for the total count of matches; without it the count
	// returned is -1, which keeps large lists cheap.
	WithTotal bool
}

// BodyFilter selects bodies.
type BodyFilter struct {
	IDs []int64
	ListOptions
}

// LegislativeTermFilter selects legislative terms.
type LegislativeTermFilter struct {
	IDs    []int64
	BodyID int64
	ListOptions
}

// LocationFilter selects locations.
type LocationFilter struct {
	IDs    []int64
	BodyID int64
	ListOptions
}

// BodyService reads bodies, their terms and locations.
type BodyService interface {
	FindBodyByID(ctx context.Context, id int64) (*Body, error)
	FindBodies(ctx context.Context, f BodyFilter) ([]*Body, int, error)
	FindLegislativeTerms(ctx context.Context, f LegislativeTermFilter) ([]*LegislativeTerm, int, error)
	FindLocationByID(ctx context.Context, id int64) (*Location, error)
	FindLocations(ctx context.Context, f LocationFilter) ([]*Location, int, error)
}
