package web

// Sitzungsdienst: writing papers (drafts, release, versions, reference numbers), motions submitted by factions and members, meeting planning, agenda builder and minutes.

// OfficeDeps holds what the office area of the portal needs; the zero value
// switches the area off.
type OfficeDeps struct{}

// officeRoutes registers the office area's routes.
func (s *Server) officeRoutes() {}

// officeMessages returns the office area's German and English messages.
func officeMessages() (de, en map[string]string) { return nil, nil }
