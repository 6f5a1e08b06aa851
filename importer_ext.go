package ratsnetz

import "context"

// Kinds of objects as the importer's external-ID mapping names them. Each
// kind has its own ID space, the one of the matching domain type.
const (
	KindBody            = "body"
	KindLegislativeTerm = "legislative_term"
	KindLocation        = "location"
	KindOrganization    = "organization"
	KindPerson          = "person"
	KindMembership      = "membership"
	KindMeeting         = "meeting"
	KindAgendaItem      = "agenda_item"
	KindPaper           = "paper"
	KindConsultation    = "consultation"
	KindFile            = "file"
)

// States of an external ID in the importer's mapping.
const (
	ExternalPending = ""        // allocated (referenced); loaded or not
	ExternalMissing = "missing" // the source answered 404 for it
)

// ExternalIDStore keeps what an importer needs between runs: the mapping of
// original object ids (OParl URLs) to local IDs, and its progress.
type ExternalIDStore interface {
	// ResolveExternalIDs returns the local ID of each external id of kind.
	// Unknown ones get fresh IDs that no object of that kind uses; the same
	// external id always maps to the same local ID.
	ResolveExternalIDs(ctx context.Context, kind string, externalIDs []string) (map[string]int64, error)
	// SetExternalIDState records the state (ExternalMissing, or
	// ExternalPending to ask again) of already resolved external ids of kind.
	SetExternalIDState(ctx context.Context, kind string, externalIDs []string, state string) error
	// PendingExternalIDs returns the external ids of kind that were resolved
	// (referenced by some object) but neither loaded (no object of the kind
	// has their ID) nor found missing.
	PendingExternalIDs(ctx context.Context, kind string) ([]string, error)
	// ImportState returns the value stored under key, "" if none.
	ImportState(ctx context.Context, key string) (string, error)
	// SetImportState stores value under key; an empty value removes the key.
	SetImportState(ctx context.Context, key, value string) error
}
