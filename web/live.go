package web

// Live hybrid meetings: cockpit, roster and quorum, speakers list, electronic voting, chat, public live page and projector view.

// LiveDeps holds what the live area of the portal needs; the zero value
// switches the area off.
type LiveDeps struct{}

// liveRoutes registers the live area's routes.
func (s *Server) liveRoutes() {}

// liveMessages returns the live area's German and English messages.
func liveMessages() (de, en map[string]string) { return nil, nil }
