package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/web"
)

// openLive builds the live area's dependencies for the portal.
func (m *Main) openLive(ctx context.Context, baseURL string) (web.LiveDeps, error) {
	return web.LiveDeps{}, nil
}
