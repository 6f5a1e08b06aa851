package sqlstore

import (
	"context"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.SecretService (table instance_secrets,
// migration 0021).

var _ ratsnetz.SecretService = (*DB)(nil)

// InstanceSecret stores value under name unless a secret is stored there
// already, and returns the stored one. Instances starting together race
// on the primary key; all of them read the winner's value.
func (db *DB) InstanceSecret(ctx context.Context, name, value string) (string, error) {
	if name == "" || value == "" {
		return "", ratsnetz.Errorf(ratsnetz.EINVALID, "Name und Wert des Geheimnisses fehlen.")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO instance_secrets (name, value, created) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`), name, value, db.tm(db.now())); err != nil {
		return "", fmt.Errorf("instance secret %s: %w", name, err)
	}
	var got string
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT value FROM instance_secrets WHERE name = ?`), name).Scan(&got); err != nil {
		return "", fmt.Errorf("instance secret %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("instance secret %s: commit: %w", name, err)
	}
	return got, nil
}
