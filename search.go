package ratsnetz

import (
	"context"
	"errors"
	"time"
)

// Kinds of search hits: the object types the full-text index holds.
const (
	SearchPaper        = "paper"
	SearchAgendaItem   = "agenda_item"
	SearchMeeting      = "meeting"
	SearchFile         = "file"
	SearchOrganization = "organization"
	SearchBody         = "body"
	SearchPerson       = "person"
)

// SearchKinds returns the kinds of search hits in display order.
func SearchKinds() []string {
	return []string{SearchPaper, SearchAgendaItem, SearchMeeting, SearchFile, SearchOrganization, SearchPerson, SearchBody}
}

// SearchQuery is a full-text search with filters. Text uses the query
// language of package search: words (German stemming, umlaut folding,
// prefixes of longer words), "phrases", -excluded, word* prefixes and
// reference numbers such as 2021/0047.
type SearchQuery struct {
	Text string
	// Filters; zero values do not filter.
	Kind      string
	BodyID    int64
	PaperType string
	Year      int
	Status    string
	// Since, if set, keeps only documents dated at or after it (saved
	// search alerts: what is new).
	Since time.Time
	// Offset and Limit page through the hits (Limit 0: 20, at most 100).
	Offset int
	Limit  int
}

// SearchHit is one object found, as the viewer may see it.
type SearchHit struct {
	Kind     string
	ObjectID int64
	// ParentID is the meeting of an agenda item (0 for other kinds).
	ParentID int64
	Title    []SearchPart
	// Subtitle names the context: the reference of a paper, the meeting of
	// an agenda item, the file name of a file.
	Subtitle  string
	Date      time.Time // zero if the kind has none
	BodyID    int64
	PaperType string
	Status    string
	// Snippet is text from where the hit stands, hits marked.
	Snippet []SearchPart
	// Page is the page of a file's text where the snippet stands (0: none).
	Page  int
	Score int
}

// SearchPart is a piece of a title or snippet; Match marks a hit.
type SearchPart struct {
	Text  string
	Match bool
}

// SearchFacet is one value of a facet with the number of hits it has,
// counted with every other filter applied.
type SearchFacet struct {
	Value string
	Count int
}

// SearchResult is a page of hits with the total count and the facets.
// Counts and facets cover only what the viewer may see.
type SearchResult struct {
	Hits  []*SearchHit
	Total int
	// TotalCapped: there are more hits than Total (counting stops at the
	// best-ranked few thousand matches; facets then count among those).
	TotalCapped bool
	// Facets by name: "kind", "body" (ID as text), "paper_type", "year",
	// "status"; values by count, then value.
	Facets map[string][]SearchFacet
}

// SearchService searches the full-text index as the viewer in ctx.
type SearchService interface {
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}

// SearchIndexer keeps the full-text index up to date.
type SearchIndexer interface {
	// IndexPending indexes up to max objects whose index entry is missing or
	// older than the object and returns how many it indexed (0: up to date).
	// Each batch is durable when it returns.
	IndexPending(ctx context.Context, max int) (int, error)
	// ClearSearchIndex empties the index, so that IndexPending rebuilds it.
	ClearSearchIndex(ctx context.Context) error
}

// ErrSearchSkipped marks a file whose text cannot be extracted (a scanned
// PDF without OCR, an unknown format): it is indexed by its metadata only.
var ErrSearchSkipped = errors.New("file text skipped")
