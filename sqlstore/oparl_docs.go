package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Stored OParl documents (package oparl, interface DocStore; migration
// 0024): the rendered public JSON of each object of one kind, kept as a
// read model so that a list page of 100 meetings concatenates 100 stored
// fragments instead of loading ~2 000 agenda items with their files.
//
// Validity is all-or-nothing per set and tied to the data version
// (version.go): every write transaction of council data bumps it, and equal
// versions mean equal data. A set's documents are returned only while the
// set's version equals the current data version, compared inside the one
// statement that reads them; after any write they are stale until a
// builder has rendered the whole set again. That over-invalidates (one
// changed agenda item makes every meeting stale), but it is sound without
// knowing what each document depends on — visibility of embedded files,
// consultations, locations — which no per-object stamp here would cover.
//
// A pass (BeginOParlDocs … FinishOParlDocs) owns the set from its Begin to
// the next pass's Begin: PutOParlDocs and FinishOParlDocs change nothing
// once another pass has begun (they report false), so two builders (two
// instances, or the rebuild command beside a server) never mix documents
// rendered from different data.

// OParlDocState returns the data version at which the set key was last
// completed (0: never, or a pass is running) and the current data version.
func (db *DB) OParlDocState(ctx context.Context, key string) (built, current int64, err error) {
	err = db.read.QueryRowContext(ctx, db.rebind(`SELECT
		COALESCE((SELECT s.version FROM oparl_doc_sets s WHERE s.key = ?), 0),
		(SELECT v.version FROM data_version v WHERE v.id = 1)`), key).Scan(&built, &current)
	if err != nil {
		return 0, 0, fmt.Errorf("oparl doc state %q: %w", key, err)
	}
	return built, current, nil
}

// BeginOParlDocs starts a pass over the set key for the data version pass
// (read before rendering anything): the set stops being served and every
// earlier pass loses it.
func (db *DB) BeginOParlDocs(ctx context.Context, key string, pass int64) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO oparl_doc_sets (key, version, pass) VALUES (?, 0, ?)
		ON CONFLICT (key) DO UPDATE SET version = 0, pass = excluded.pass`), key, pass)
	if err != nil {
		return fmt.Errorf("begin oparl docs %q: %w", key, err)
	}
	return nil
}

// claimOParlDocs locks the set key for the rest of tx if pass still owns
// it (the UPDATE takes PostgreSQL's row lock, so a concurrent Begin waits
// for tx; SQLite's write transactions serialize anyway). It returns the
// set's ID, or 0 when another pass has begun since.
func (db *DB) claimOParlDocs(ctx context.Context, tx *sql.Tx, key string, pass int64) (int64, error) {
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE oparl_doc_sets SET pass = pass WHERE key = ? AND pass = ?`), key, pass); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id FROM oparl_doc_sets WHERE key = ? AND pass = ?`), key, pass).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// PutOParlDocs stores documents of the pass (object ID → JSON) in the set
// key. It reports false, storing nothing, when another pass has begun.
func (db *DB) PutOParlDocs(ctx context.Context, key string, pass int64, docs map[int64][]byte) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("put oparl docs: begin: %w", err)
	}
	defer tx.Rollback()
	setID, err := db.claimOParlDocs(ctx, tx, key, pass)
	if err != nil || setID == 0 {
		return false, errWrap("put oparl docs", err)
	}
	stmt, err := tx.PrepareContext(ctx, db.rebind(`INSERT INTO oparl_docs (set_id, id, pass, doc) VALUES (?, ?, ?, ?)
		ON CONFLICT (set_id, id) DO UPDATE SET pass = excluded.pass, doc = excluded.doc`))
	if err != nil {
		return false, fmt.Errorf("put oparl docs: %w", err)
	}
	defer stmt.Close()
	for id, doc := range docs {
		if _, err := stmt.ExecContext(ctx, setID, id, pass, doc); err != nil {
			return false, fmt.Errorf("put oparl doc %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("put oparl docs: commit: %w", err)
	}
	return true, nil
}

// AbandonedOParlDocs is how long after its last completion a stale set of
// stored documents under another key is kept (see FinishOParlDocs).
const AbandonedOParlDocs = 24 * time.Hour

// FinishOParlDocs ends the pass: documents not written by it (objects no
// longer public, deleted, or left from an older pass) are removed, and the
// set is served from now on as long as the data version equals pass. It
// reports false, changing nothing, when another pass has begun.
func (db *DB) FinishOParlDocs(ctx context.Context, key string, pass int64) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("finish oparl docs: begin: %w", err)
	}
	defer tx.Rollback()
	setID, err := db.claimOParlDocs(ctx, tx, key, pass)
	if err != nil || setID == 0 {
		return false, errWrap("finish oparl docs", err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM oparl_docs WHERE set_id = ? AND pass <> ?`), setID, pass); err != nil {
		return false, fmt.Errorf("finish oparl docs: %w", err)
	}
	now := db.Now()
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE oparl_doc_sets SET version = ?, built = ? WHERE id = ?`),
		pass, db.tm(now), setID); err != nil {
		return false, fmt.Errorf("finish oparl docs: %w", err)
	}
	// Sets nobody keeps current any more — an earlier program build or base
	// URL after an upgrade, each as large as this one — are dropped once
	// they are stale and their last completion lies AbandonedOParlDocs
	// back; two builds running side by side (a rolling upgrade) keep
	// theirs, since each completes its own after every write.
	cut := db.tm(now.Add(-AbandonedOParlDocs))
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM oparl_docs WHERE set_id IN (SELECT id FROM oparl_doc_sets
		WHERE id <> ? AND version <> ? AND built < ?)`), setID, pass, cut); err != nil {
		return false, fmt.Errorf("finish oparl docs: abandoned sets: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM oparl_doc_sets WHERE id <> ? AND version <> ? AND built < ?`),
		setID, pass, cut); err != nil {
		return false, fmt.Errorf("finish oparl docs: abandoned sets: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("finish oparl docs: commit: %w", err)
	}
	return true, nil
}

// FindOParlDocs returns the stored documents of the set key among ids —
// none unless the set is complete at the current data version. The version
// comparison and the read are one statement, so the documents belong to
// the data version current when it ran. IDs without a document are left
// out (the caller renders them live).
func (db *DB) FindOParlDocs(ctx context.Context, key string, ids []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	set, arg := db.idSet(ids)
	q := `SELECT d.id, d.doc FROM oparl_doc_sets s
		JOIN data_version v ON v.id = 1 AND v.version = s.version
		JOIN oparl_docs d ON d.set_id = s.id
		WHERE s.key = ? AND d.id IN (` + set + `)`
	err := queryEach(ctx, db, db.read, "find oparl docs", q, []any{key, arg}, func(rows rowScanner) error {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return err
		}
		out[id] = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OParlDocSize returns the number of documents of the set key and their
// total size in bytes (for the rebuild command's report).
func (db *DB) OParlDocSize(ctx context.Context, key string) (n, size int64, err error) {
	err = db.read.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*), COALESCE(SUM(LENGTH(d.doc)), 0)
		FROM oparl_docs d JOIN oparl_doc_sets s ON s.id = d.set_id WHERE s.key = ?`), key).Scan(&n, &size)
	if err != nil {
		return 0, 0, fmt.Errorf("oparl doc size %q: %w", key, err)
	}
	return n, size, nil
}

// errWrap wraps err with what, or returns nil.
func errWrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
