package web

import "github.com/ratsnetz/ratsnetz"

// Full-text search: the search box, /suche, the JSON search API and the OpenSearch description.

// SearchDeps holds what the search area of the portal needs; the zero value
// switches the area off.
type SearchDeps struct {
	Search ratsnetz.SearchService
	Bodies ratsnetz.BodyService
}

// searchRoutes registers the search area's routes.
func (s *Server) searchRoutes() {}

// searchMessages returns the search area's German and English messages.
func searchMessages() (de, en map[string]string) { return nil, nil }
