package app

import (
	"context"

	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/web"
)

// openAccess completes the accounts wiring (issue 5): the store behind the
// rights pages (grants, conflicts of interest).
func (m *Main) openAccess(ctx context.Context, baseURL string, svc *auth.Service, wcfg *web.Config) error {
	svc.Objects = m.DB
	svc.Conflicts = m.DB
	return nil
}
