package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/ratsnetz/ratsnetz"
)

// This file holds the importer's additions to the loader (owner: importer
// engineer); the loader itself is load.go.

// LoadImport is Load plus the importer's progress: the import state keys
// in state are written in the same transaction (an empty value removes the
// key), so a list page and the pointer to the next page are stored
// together, with one commit. A nil or empty ds only writes the state.
func (db *DB) LoadImport(ctx context.Context, ds *ratsnetz.Dataset, state map[string]string) error {
	if ds == nil {
		ds = &ratsnetz.Dataset{}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load: begin: %w", err)
	}
	defer tx.Rollback()
	if db.dialect.BeginLoad != nil {
		if err := db.dialect.BeginLoad(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	l := &loader{db: db, tx: tx, stmts: map[string]*sql.Stmt{}, now: db.Now(), flipped: map[string]map[int64]bool{}}
	defer l.close()
	steps := []func(context.Context, *ratsnetz.Dataset) error{
		l.bodies, l.terms, l.locations, l.organizations, l.persons, l.memberships,
		l.meetings, l.agendaItems, l.papers, l.consultations, l.files,
	}
	for _, step := range steps {
		if err := step(ctx, ds); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if err := l.bumpParents(ctx, ds); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if len(l.tables) > 0 {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if db.dialect.AfterLoad != nil && len(l.tables) > 0 {
		if err := db.dialect.AfterLoad(ctx, tx, l.tables); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if err := db.setImportStateTx(ctx, tx, state); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load: commit: %w", err)
	}
	if db.dialect.AfterCommit != nil && len(l.tables) > 0 {
		if err := db.dialect.AfterCommit(ctx, db.write, append(l.tables, l.joined...)); err != nil {
			return fmt.Errorf("load: after commit: %w", err)
		}
	}
	return nil
}

// setImportStateTx writes the keys of state in key order; "" removes a key.
func (db *DB) setImportStateTx(ctx context.Context, tx *sql.Tx, state map[string]string) error {
	keys := make([]string, 0, len(state))
	for k := range state {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var err error
		if v := state[k]; v == "" {
			_, err = tx.ExecContext(ctx, db.rebind(`DELETE FROM import_state WHERE key = ?`), k)
		} else {
			_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO import_state (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`), k, v)
		}
		if err != nil {
			return fmt.Errorf("set import state %s: %w", k, err)
		}
	}
	return nil
}
