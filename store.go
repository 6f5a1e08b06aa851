package ratsnetz

import "context"

// Dataset is a batch of objects to load at once, with their IDs already
// assigned: the demo generator and the importer build datasets.
type Dataset struct {
	Bodies           []*Body
	LegislativeTerms []*LegislativeTerm
	Locations        []*Location
	Organizations    []*Organization
	Persons          []*Person
	Memberships      []*Membership
	Meetings         []*Meeting
	AgendaItems      []*AgendaItem
	Papers           []*Paper
	Consultations    []*Consultation
	Files            []*File
}

// Loader writes datasets.
type Loader interface {
	// Load inserts or replaces every object of ds by ID, in one transaction.
	// References between objects are not checked: imported data may point to
	// objects that do not exist (yet).
	Load(ctx context.Context, ds *Dataset) error
	// Empty reports whether no body is stored yet.
	Empty(ctx context.Context) (bool, error)
}

// Store is everything a storage backend offers.
type Store interface {
	BodyService
	OrganizationService
	MeetingService
	PaperService
	FileService
	Loader
	Close() error
}
