package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/web"
)

// openOffice builds the office area's dependencies for the portal.
func (m *Main) openOffice(ctx context.Context, baseURL string) (web.OfficeDeps, error) {
	return web.OfficeDeps{}, nil
}
