package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/web"
)

// openFeeds builds the feeds area's dependencies for the portal.
func (m *Main) openFeeds(ctx context.Context, baseURL string) (web.FeedsDeps, error) {
	return web.FeedsDeps{}, nil
}
