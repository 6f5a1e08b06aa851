package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// instanceSecretName is the name of the portal's secret in the database.
const instanceSecretName = "web"

// webSecret returns the secret the portal derives its CSRF and form keys
// from: RATSNETZ_SECRET if set, else the one kept in the database (made by
// the first instance that starts), so that every instance on one database
// accepts the others' forms.
func (m *Main) webSecret(ctx context.Context) ([]byte, error) {
	if m.Config.Secret != "" {
		return []byte(m.Config.Secret), nil
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("instance secret: %w", err)
	}
	v, err := m.DB.InstanceSecret(ctx, instanceSecretName, base64.RawStdEncoding.EncodeToString(raw[:]))
	if err != nil {
		return nil, fmt.Errorf("instance secret: %w", err)
	}
	return []byte(v), nil
}
