package web

// Member area and subscriptions: my meetings, unread documents, personal and public iCal feeds, the Atom feed of papers and citizen e-mail alerts.

// FeedsDeps holds what the feeds area of the portal needs; the zero value
// switches the area off.
type FeedsDeps struct{}

// feedsRoutes registers the feeds area's routes.
func (s *Server) feedsRoutes() {}

// feedsMessages returns the feeds area's German and English messages.
func feedsMessages() (de, en map[string]string) { return nil, nil }
