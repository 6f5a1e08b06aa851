package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/web"
)

// openDistribution builds the distribution area's dependencies for the portal.
func (m *Main) openDistribution(ctx context.Context, baseURL string) (web.DistributionDeps, error) {
	return web.DistributionDeps{}, nil
}
