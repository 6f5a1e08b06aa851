package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/web"
)

// openSearch builds the search area's dependencies for the portal.
func (m *Main) openSearch(ctx context.Context, baseURL string) (web.SearchDeps, error) {
	return web.SearchDeps{}, nil
}
