package web

// Distribution: invitations with Ladungsfrist, the Sitzungsmappe per recipient, the print-and-post list and receipts.

// DistributionDeps holds what the distribution area of the portal needs; the zero value
// switches the area off.
type DistributionDeps struct{}

// distributionRoutes registers the distribution area's routes.
func (s *Server) distributionRoutes() {}

// distributionMessages returns the distribution area's German and English messages.
func distributionMessages() (de, en map[string]string) { return nil, nil }
