package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.ExternalIDStore for the OParl importer
// (owner: importer engineer). Tables: migration 0002_import.sql.

var _ ratsnetz.ExternalIDStore = (*DB)(nil)

// kindTables maps the importer's kinds to the tables whose ID space they share.
var kindTables = map[string]string{
	ratsnetz.KindBody:            "bodies",
	ratsnetz.KindLegislativeTerm: "legislative_terms",
	ratsnetz.KindLocation:        "locations",
	ratsnetz.KindOrganization:    "organizations",
	ratsnetz.KindPerson:          "persons",
	ratsnetz.KindMembership:      "memberships",
	ratsnetz.KindMeeting:         "meetings",
	ratsnetz.KindAgendaItem:      "agenda_items",
	ratsnetz.KindPaper:           "papers",
	ratsnetz.KindConsultation:    "consultations",
	ratsnetz.KindFile:            "files",
}

// chunk is how many external ids go into one IN list.
const externalChunk = 400

// ResolveExternalIDs returns the local ID of each external id of kind,
// allocating IDs above every ID used in the kind's table for unknown ones.
func (db *DB) ResolveExternalIDs(ctx context.Context, kind string, externalIDs []string) (map[string]int64, error) {
	all, err := db.ResolveExternalIDsBatch(ctx, map[string][]string{kind: externalIDs})
	if err != nil {
		return nil, err
	}
	out := all[kind]
	if out == nil {
		out = map[string]int64{}
	}
	return out, nil
}

// ResolveExternalIDsBatch resolves the external ids of several kinds at
// once, in one transaction (an importer resolves every reference of a list
// page together). The result has an entry for every kind asked.
func (db *DB) ResolveExternalIDsBatch(ctx context.Context, want map[string][]string) (map[string]map[string]int64, error) {
	out := make(map[string]map[string]int64, len(want))
	n := 0
	for kind, exts := range want {
		if _, ok := kindTables[kind]; !ok {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Objektart %q.", kind)
		}
		out[kind] = make(map[string]int64, len(exts))
		n += len(exts)
	}
	if n == 0 {
		return out, nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("resolve external ids: begin: %w", err)
	}
	defer tx.Rollback()
	if db.dialect.Name == "postgres" {
		// One round trip: the advisory lock serializes allocation between
		// concurrent importers. synchronous_commit off, like a Load: an
		// allocation lost in a crash is made again by the next run, and
		// PostgreSQL never keeps a later commit (a Load using these IDs)
		// while losing this one. Custom plans: import_external_ids grows
		// from nothing to millions of rows during one import, and a generic
		// plan made on a connection's first resolve, while the table was
		// small, may scan it on every later lookup (measured: a page of
		// 1 000 file ids took 1 ms at the start and 85 ms after 250 000
		// files); a custom plan sees the table's current size and the
		// number of ids asked, and costs well under a millisecond to make.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('ratsnetz_import_ids')),
			set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`); err != nil {
			return nil, fmt.Errorf("resolve external ids: lock: %w", err)
		}
	}
	allocated := false
	for _, kind := range sortedKinds(want) {
		added, err := db.resolveKind(ctx, tx, kind, want[kind], out[kind])
		if err != nil {
			return nil, err
		}
		allocated = allocated || added
	}
	if allocated {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return nil, fmt.Errorf("resolve external ids: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("resolve external ids: commit: %w", err)
	}
	return out, nil
}

// sortedKinds returns the kinds of want in a fixed order, so that
// concurrent batches take row locks in the same order.
func sortedKinds(want map[string][]string) []string {
	kinds := make([]string, 0, len(want))
	for k := range want {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// resolveKind looks up the external ids of kind in tx, allocates IDs for
// the unknown ones and reports whether it did.
func (db *DB) resolveKind(ctx context.Context, tx *sql.Tx, kind string, externalIDs []string, out map[string]int64) (bool, error) {
	if len(externalIDs) == 0 {
		return false, nil
	}
	table := kindTables[kind]
	if err := db.selectExternal(ctx, tx, kind, externalIDs, out); err != nil {
		return false, err
	}
	var missing []string
	seen := map[string]bool{}
	for _, e := range externalIDs {
		if _, ok := out[e]; !ok && !seen[e] {
			seen[e] = true
			missing = append(missing, e)
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	var maxTable, last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM `+table).Scan(&maxTable); err != nil {
		return false, fmt.Errorf("resolve external ids: max id: %w", err)
	}
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT last_id FROM import_id_counters WHERE kind = ?`), kind).Scan(&last)
	if err != nil && err != sql.ErrNoRows {
		return false, fmt.Errorf("resolve external ids: counter: %w", err)
	}
	next := max(maxTable.Int64, last.Int64)
	// One statement for all: the i-th external id of the set gets next+1+i.
	set, arg := db.stringSet(missing)
	// "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON.
	q := `INSERT INTO import_external_ids (kind, external_id, id) SELECT ?, s.value, ? + s.ord FROM (` + set + `) s
		WHERE true ON CONFLICT (kind, external_id) DO NOTHING`
	res, err := tx.ExecContext(ctx, db.rebind(q), kind, next, arg)
	if err != nil {
		return false, fmt.Errorf("resolve external ids: insert: %w", err)
	}
	for i, e := range missing {
		// The allocation lock (PostgreSQL) or the single writer (SQLite)
		// makes these the rows just inserted.
		out[e] = next + int64(i) + 1
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(missing)) {
		// Someone else's allocation won: read what is stored.
		if err := db.selectExternal(ctx, tx, kind, missing, out); err != nil {
			return false, err
		}
	}
	next += int64(len(missing))
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO import_id_counters (kind, last_id) VALUES (?, ?)
		ON CONFLICT (kind) DO UPDATE SET last_id = excluded.last_id`), kind, next); err != nil {
		return false, fmt.Errorf("resolve external ids: counter: %w", err)
	}
	return true, nil
}

func (db *DB) selectExternal(ctx context.Context, tx *sql.Tx, kind string, exts []string, out map[string]int64) error {
	if len(exts) == 0 {
		return nil
	}
	set, arg := db.stringSet(exts)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT external_id, id FROM import_external_ids
		WHERE kind = ? AND external_id IN (SELECT value FROM (`+set+`) s)`), kind, arg)
	if err != nil {
		return fmt.Errorf("resolve external ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		var id int64
		if err := rows.Scan(&e, &id); err != nil {
			return fmt.Errorf("resolve external ids: %w", err)
		}
		out[e] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("resolve external ids: %w", err)
	}
	return nil
}

// stringSet returns a subquery with the columns value (each of ss, in
// order) and ord (its 1-based position), and its one argument: a text
// array on PostgreSQL, a JSON array on SQLite. One statement serves any
// number of strings.
func (db *DB) stringSet(ss []string) (string, any) {
	if db.dialect.Name == "postgres" {
		return "SELECT value, ord FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS u(value, ord)", ss
	}
	b, _ := json.Marshal(ss) // strings always encode
	return "SELECT value, key + 1 AS ord FROM json_each(?)", string(b)
}

// SetExternalIDState records the state of resolved external ids of kind.
func (db *DB) SetExternalIDState(ctx context.Context, kind string, externalIDs []string, state string) error {
	if len(externalIDs) == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set external id state: begin: %w", err)
	}
	defer tx.Rollback()
	for start := 0; start < len(externalIDs); start += externalChunk {
		end := min(start+externalChunk, len(externalIDs))
		args := make([]any, 0, end-start+2)
		args = append(args, state, kind)
		for _, e := range externalIDs[start:end] {
			args = append(args, e)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE import_external_ids SET state = ? WHERE kind = ? AND external_id IN (`+placeholders(end-start)+`)`), args...); err != nil {
			return fmt.Errorf("set external id state: %w", err)
		}
	}
	if err := db.bumpVersion(ctx, tx); err != nil {
		return fmt.Errorf("set external id state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set external id state: commit: %w", err)
	}
	return nil
}

// PendingExternalIDs returns the external ids of kind resolved but neither
// loaded (no row in the kind's table under their ID) nor found missing, in
// ID order.
func (db *DB) PendingExternalIDs(ctx context.Context, kind string) ([]string, error) {
	table, ok := kindTables[kind]
	if !ok {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Objektart %q.", kind)
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT e.external_id FROM import_external_ids e
		LEFT JOIN `+table+` t ON t.id = e.id
		WHERE e.kind = ? AND e.state <> ? AND t.id IS NULL ORDER BY e.id`), kind, ratsnetz.ExternalMissing)
	if err != nil {
		return nil, fmt.Errorf("pending external ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("pending external ids: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending external ids: %w", err)
	}
	return out, nil
}

// ImportState returns the value stored under key, "" if none.
func (db *DB) ImportState(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT value FROM import_state WHERE key = ?`), key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("import state %s: %w", key, err)
	}
	return v, nil
}

// SetImportState stores value under key; "" removes the key.
func (db *DB) SetImportState(ctx context.Context, key, value string) error {
	var err error
	if value == "" {
		_, err = db.write.ExecContext(ctx, db.rebind(`DELETE FROM import_state WHERE key = ?`), key)
	} else {
		_, err = db.write.ExecContext(ctx, db.rebind(`INSERT INTO import_state (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	}
	if err != nil {
		return fmt.Errorf("set import state %s: %w", key, err)
	}
	return nil
}
