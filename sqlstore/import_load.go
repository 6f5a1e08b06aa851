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
	return db.load(ctx, ds, false, func(tx *sql.Tx) error { return db.setImportStateTx(ctx, tx, state) })
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

// ImportedFiles returns, of the files with the given IDs, what an importer
// keeps when it loads a file again: modification time, blob key, checksums
// and size, and the text of those among textIDs (servers leave the long
// text out of embedded copies). It reads the rows as stored, whoever may
// see them: the importer writes them back, nothing is shown.
func (db *DB) ImportedFiles(ctx context.Context, ids, textIDs []int64) (map[int64]*ratsnetz.File, error) {
	out := make(map[int64]*ratsnetz.File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	set, arg := db.idSet(ids)
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id, modified, blob_key, sha256, sha512, size FROM files WHERE id IN (`+set+`)`), arg)
	if err != nil {
		return nil, fmt.Errorf("imported files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f := &ratsnetz.File{}
		if err := rows.Scan(&f.ID, timeScanner{&f.Modified}, &f.BlobKey, &f.SHA256, &f.SHA512, &f.Size); err != nil {
			return nil, fmt.Errorf("imported files: %w", err)
		}
		out[f.ID] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("imported files: %w", err)
	}
	rows.Close()
	var withText []int64
	for _, id := range textIDs {
		if out[id] != nil {
			withText = append(withText, id)
		}
	}
	if len(withText) == 0 {
		return out, nil
	}
	set, arg = db.idSet(withText)
	trows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id, text FROM files WHERE id IN (`+set+`)`), arg)
	if err != nil {
		return nil, fmt.Errorf("imported files: text: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var id int64
		var text string
		if err := trows.Scan(&id, &text); err != nil {
			return nil, fmt.Errorf("imported files: text: %w", err)
		}
		out[id].Text = text
	}
	if err := trows.Err(); err != nil {
		return nil, fmt.Errorf("imported files: text: %w", err)
	}
	return out, nil
}
