package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ratsnetz/ratsnetz/audit"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/oidc"
	"github.com/ratsnetz/ratsnetz/web"
)

// openAccess completes the accounts wiring (issue 5): the store behind the
// rights pages (grants, conflicts of interest), single sign-on and the
// local-login switch from the configuration, and the daily audit retention
// purge (stopped through m.closers).
func (m *Main) openAccess(ctx context.Context, baseURL string, svc *auth.Service, wcfg *web.Config) error {
	svc.Objects = m.DB
	svc.Conflicts = m.DB
	svc.PasswordLoginDisabled = !m.Config.LocalLoginEnabled()
	if m.Config.SSO() {
		secret, err := m.Config.ClientSecret()
		if err != nil {
			return err
		}
		client, err := oidc.New(ctx, oidc.Config{Issuer: m.Config.OIDCIssuer, ClientID: m.Config.OIDCClientID, ClientSecret: secret,
			RedirectURL: strings.TrimRight(baseURL, "/") + "/anmelden/sso/callback"})
		if err != nil {
			return fmt.Errorf("Der Single-Sign-on-Anbieter %s (RATSNETZ_OIDC_ISSUER) ist nicht erreichbar oder liefert keine gültige Konfiguration: %w", m.Config.OIDCIssuer, err)
		}
		wcfg.OIDC, wcfg.OIDCLinkByEmail = client, m.Config.LinkByEmail()
		m.Logger.Info("single sign-on enabled", "issuer", m.Config.OIDCIssuer, "local_login", m.Config.LocalLoginEnabled())
	}
	ret := &audit.Retention{Recorder: m.Audit, Keep: m.Config.Retention()}
	ret.Start()
	m.closers = append(m.closers, ret.Stop)
	return nil
}
