package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// SearchRebuild is what a full rebuild of the search index did.
type SearchRebuild struct {
	// Objects is the number of objects indexed, Postings the number of
	// postings and Terms the size of the vocabulary written.
	Objects  int
	Postings int64
	Terms    int
	// Backends are the PostgreSQL server processes that worked for the
	// rebuild (nil on SQLite), so that a caller on the database machine
	// can account for their CPU time.
	Backends []int
}

// SearchRebuildProgress is told the phase of a rebuild ("read": objects
// read and analysed so far; "merge": the new index is being sorted and
// swapped in).
type SearchRebuildProgress func(phase string, objects int)

// rebuildBatch is the number of objects read, analysed and staged at once.
const rebuildBatch = 500

// Rebuild builds the whole index anew and swaps it in at the end, in one
// transaction, and refreshes the planner statistics: until then searches use the old index, and an interrupted
// rebuild (error, cancellation, kill -9) leaves the old index as it was.
//
// It is the fast path of a full rebuild. IndexPending writes each
// document's postings into the term-ordered primary key of
// search_postings, a random insert per posting that dirties a page per
// posting once the index outgrows the page cache. Rebuild instead appends
// the documents and postings to two session-local staging tables (no
// indexes, no constraints), then fills the emptied index tables from them
// in key order and builds the secondary index once. Reading and analysing
// (one connection) overlaps with staging (another).
//
// Objects written while the rebuild runs are indexed as they were when it
// read them; their newer state differs from the indexed one, so the next
// IndexPending picks them up.
//
// Then it builds the posting blocks (phase "blocks"), in short
// transactions of their own: until they stand, queries read the postings
// row by row (slower, same results).
func (x *SearchIndex) Rebuild(ctx context.Context, progress SearchRebuildProgress) (SearchRebuild, error) {
	if progress == nil {
		progress = func(string, int) {}
	}
	out, err := x.rebuild(ctx, progress)
	if err != nil {
		return out, err
	}
	progress("blocks", out.Objects)
	if err := x.BuildSearchBlocks(ctx); err != nil {
		return out, fmt.Errorf("search rebuild: %w", err)
	}
	return out, nil
}

func (x *SearchIndex) rebuild(ctx context.Context, progress SearchRebuildProgress) (SearchRebuild, error) {
	db := x.db
	var out SearchRebuild
	// The staging tables are temporary: they live on one connection.
	w, err := db.write.Conn(ctx)
	if err != nil {
		return out, fmt.Errorf("search rebuild: %w", err)
	}
	defer w.Close()
	r := w
	if db.read != db.write || db.write.Stats().MaxOpenConnections != 1 {
		if r, err = db.read.Conn(ctx); err != nil {
			return out, fmt.Errorf("search rebuild: %w", err)
		}
		defer r.Close()
	}
	var connMu *sync.Mutex // serializes the reader and the writer if they share a connection
	if r == w {
		connMu = &sync.Mutex{}
	}
	if db.dialect.Name == "postgres" {
		for _, c := range []*sql.Conn{w, r} {
			var pid int
			if err := c.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return out, fmt.Errorf("search rebuild: %w", err)
			}
			if len(out.Backends) == 0 || out.Backends[0] != pid {
				out.Backends = append(out.Backends, pid)
			}
		}
	}
	drop := func(ctx context.Context) error {
		for _, t := range []string{"search_load_docs", "search_load_postings"} {
			if _, err := w.ExecContext(ctx, `DROP TABLE IF EXISTS `+db.tempSchema()+t); err != nil {
				return fmt.Errorf("search rebuild: drop %s: %w", t, err)
			}
		}
		return nil
	}
	if err := drop(ctx); err != nil {
		return out, err
	}
	// On PostgreSQL the connection goes back to the pool afterwards, and
	// its temporary tables with it; drop them even when ctx is done.
	defer drop(context.WithoutCancel(ctx))
	// Columns as in the index tables, without constraints: a constraint
	// would make SQLite keep a statement journal for each multi-row insert.
	for _, q := range []string{
		`CREATE TEMP TABLE search_load_docs AS SELECT ` + searchDocCols + ` FROM search_docs WHERE 1 = 0`,
		`CREATE TEMP TABLE search_load_postings AS SELECT term, s, dkey, doc_id FROM search_postings WHERE 1 = 0`,
	} {
		if _, err := w.ExecContext(ctx, q); err != nil {
			return out, fmt.Errorf("search rebuild: staging: %w", err)
		}
	}

	// Reader: objects in ID order per kind, loaded and analysed.
	type batch struct {
		as  []analysed
		ids []int64
	}
	ch := make(chan batch, 2)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var rerr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		rerr = x.readAll(rctx, r, connMu, func(b []analysed, ids []int64) bool {
			select {
			case ch <- batch{b, ids}:
				return true
			case <-rctx.Done():
				return false
			}
		})
	}()

	// Writer: staging, and the vocabulary in memory.
	df := map[string]int64{}
	st := &stager{conn: w}
	if db.dialect.Name != "postgres" {
		st.stmts = map[string]*sql.Stmt{}
	}
	defer st.close()
	var werr error
	for b := range ch {
		if werr != nil {
			continue // drain, the reader stops at cancel
		}
		if connMu != nil {
			connMu.Lock()
		}
		n, err := db.stage(ctx, st, b.as, b.ids, df)
		if connMu != nil {
			connMu.Unlock()
		}
		if err != nil {
			werr = err
			cancel()
			continue
		}
		out.Objects += len(b.ids)
		out.Postings += n
		progress("read", out.Objects)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// Cancelled: say so rather than what it broke on the way.
		return out, fmt.Errorf("search rebuild: %w", err)
	}
	if werr != nil {
		return out, fmt.Errorf("search rebuild: %w", werr)
	}
	if rerr != nil {
		return out, fmt.Errorf("search rebuild: %w", rerr)
	}
	progress("merge", out.Objects)
	if err := db.swapSearchIndex(ctx, w, df); err != nil {
		return out, fmt.Errorf("search rebuild: %w", err)
	}
	out.Terms = len(df)
	// Statistics for the planner (and on PostgreSQL the visibility map
	// for index-only scans), on this connection so that its CPU counts.
	if err := db.optimizeSearch(ctx, w); err != nil {
		return out, fmt.Errorf("search rebuild: %w", err)
	}
	x.mu.Lock()
	x.cursor = map[string]int64{}
	x.mu.Unlock()
	return out, nil
}

// searchDocCols are the columns of search_docs the indexer writes.
const searchDocCols = `id, kind, object_id, src_modified, body_id, paper_type, status, year, boost, date, title, subtitle, body, terms`

// tempSchema is the schema prefix of temporary tables in DROP statements.
func (db *DB) tempSchema() string {
	if db.dialect.Name == "postgres" {
		return "pg_temp."
	}
	return "temp."
}

// readAll reads every object of every kind in ID order on conn, in
// batches, analyses them and hands each batch to emit (false: stop).
func (x *SearchIndex) readAll(ctx context.Context, conn *sql.Conn, mu *sync.Mutex, emit func([]analysed, []int64) bool) error {
	db := x.db
	for _, src := range searchSources() {
		after := int64(0)
		for {
			if mu != nil {
				mu.Lock()
			}
			ids, docs, err := x.readBatch(ctx, conn, src, after)
			if mu != nil {
				mu.Unlock()
			}
			if err != nil {
				return fmt.Errorf("%s: %w", src.kind, err)
			}
			if len(ids) == 0 {
				break
			}
			after = ids[len(ids)-1]
			as := make([]analysed, len(docs))
			dids := make([]int64, len(docs))
			for i, d := range docs {
				as[i] = db.analyse(d)
				dids[i] = searchDocID(d.kind, d.objectID)
			}
			if !emit(as, dids) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// readBatch reads the next rebuildBatch objects of src after the ID after.
func (x *SearchIndex) readBatch(ctx context.Context, conn *sql.Conn, src searchSource, after int64) ([]int64, []*searchDoc, error) {
	db := x.db
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id FROM `+src.table+` WHERE id > ? ORDER BY id LIMIT ?`), after, rebuildBatch)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, nil, err
	}
	docs, err := src.load(ctx, x, tx, ids)
	if err != nil {
		return nil, nil, err
	}
	return ids, docs, tx.Commit()
}

// stage appends the analysed documents and their postings to the staging
// tables and counts their terms into df; it returns the postings written.
func (db *DB) stage(ctx context.Context, conn *stager, as []analysed, ids []int64, df map[string]int64) (int64, error) {
	if len(as) == 0 {
		return 0, nil
	}
	const cols = 14
	per := min(db.dialect.MaxParams/cols, 500)
	for start := 0; start < len(as); start += per {
		chunk := as[start:min(start+per, len(as))]
		args := make([]any, 0, cols*len(chunk))
		for i, a := range chunk {
			args = append(args, ids[start+i])
			args = append(args, a.row...)
		}
		if err := conn.exec(ctx, len(chunk) == per, db.rebind(`INSERT INTO search_load_docs (`+searchDocCols+`) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")), args...); err != nil {
			return 0, fmt.Errorf("stage docs: %w", err)
		}
	}
	var n int64
	if db.dialect.Name == "postgres" {
		// Four arrays instead of four parameters per posting: one short
		// statement, prepared once per connection.
		var terms []string
		var ss, dkeys, docs []int64
		for i, a := range as {
			boost, dkey := searchBoost(a.d.kind), searchDateKey(a.d.date)
			for t, w := range a.weights {
				df[t]++
				terms = append(terms, t)
				ss = append(ss, int64(min(w, weightCap)*boost))
				dkeys = append(dkeys, dkey)
				docs = append(docs, ids[i])
			}
		}
		if len(terms) == 0 {
			return 0, nil
		}
		if err := conn.exec(ctx, false, `INSERT INTO search_load_postings (term, s, dkey, doc_id)
			SELECT * FROM unnest(CAST($1 AS text[]), CAST($2 AS bigint[]), CAST($3 AS bigint[]), CAST($4 AS bigint[]))`,
			terms, ss, dkeys, docs); err != nil {
			return 0, fmt.Errorf("stage postings: %w", err)
		}
		return int64(len(terms)), nil
	}
	per = min(db.dialect.MaxParams/4, 8000)
	args := make([]any, 0, 4*per)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := "INSERT INTO search_load_postings (term, s, dkey, doc_id) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(args)/4), ", ")
		if err := conn.exec(ctx, len(args)/4 == per, db.rebind(q), args...); err != nil {
			return fmt.Errorf("stage postings: %w", err)
		}
		n += int64(len(args) / 4)
		args = args[:0]
		return nil
	}
	for i, a := range as {
		boost, dkey := searchBoost(a.d.kind), searchDateKey(a.d.date)
		for t, w := range a.weights {
			df[t]++
			args = append(args, t, min(w, weightCap)*boost, dkey, ids[i])
			if len(args)/4 == per {
				if err := flush(); err != nil {
					return n, err
				}
			}
		}
	}
	return n, flush()
}

// stager runs the staging statements on the rebuild's connection. The
// statements of full chunks repeat: they are prepared once (SQLite
// parses a statement of thousands of rows for a good part of its cost;
// PostgreSQL's driver caches prepared statements itself).
type stager struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

func (s *stager) exec(ctx context.Context, prepare bool, q string, args ...any) error {
	if !prepare || s.stmts == nil {
		_, err := s.conn.ExecContext(ctx, q, args...)
		return err
	}
	st := s.stmts[q]
	if st == nil {
		var err error
		if st, err = s.conn.PrepareContext(ctx, q); err != nil {
			return err
		}
		s.stmts[q] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (s *stager) close() {
	for _, st := range s.stmts {
		st.Close()
	}
}

// swapSearchIndex replaces the index by the staged one in one
// transaction: empty the index tables, fill the postings in primary key
// order (appends only), build their secondary index once, then the
// documents in ID order and the vocabulary.
func (db *DB) swapSearchIndex(ctx context.Context, conn *sql.Conn, df map[string]int64) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	defer tx.Rollback()
	stmts := []string{`DELETE FROM search_postings`, `DELETE FROM search_vocab`, `DELETE FROM search_docs`,
		`DELETE FROM search_blocks`, `DELETE FROM search_stale`}
	if db.dialect.Name == "postgres" {
		stmts = []string{
			// For the sort of the postings and the index build.
			`SET LOCAL work_mem = '128MB'`, `SET LOCAL maintenance_work_mem = '256MB'`,
			`TRUNCATE search_postings, search_vocab, search_docs, search_blocks, search_stale`,
		}
	}
	stmts = append(stmts,
		// The same definition as in migration 0015.
		`DROP INDEX IF EXISTS search_postings_doc`,
		`INSERT INTO search_postings (term, s, dkey, doc_id)
			SELECT term, s, dkey, doc_id FROM search_load_postings ORDER BY term, s, dkey, doc_id`,
		`CREATE INDEX search_postings_doc ON search_postings (doc_id, term)`,
		`INSERT INTO search_docs (`+searchDocCols+`) SELECT `+searchDocCols+` FROM search_load_docs ORDER BY id`,
	)
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("swap: %w", err)
		}
	}
	if err := db.addVocab(ctx, tx, df); err != nil {
		return fmt.Errorf("swap: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("swap: commit: %w", err)
	}
	return nil
}
