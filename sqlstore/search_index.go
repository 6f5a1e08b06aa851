package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/search"
)

// SearchIndex keeps the full-text index (tables search_docs, search_postings, search_vocab)
// up to date. It needs no hook in the writers: an object is (re)indexed
// when it has no index entry or its modified differs from the one indexed
// (search_docs.src_modified), so every writer — Load, the importer, the
// office — is covered. Each batch is one transaction that also bumps the
// data version, so cached search pages never outlive the index.
type SearchIndex struct {
	db *DB
	// FileText returns the text of a file whose text column is empty (PDF,
	// DOCX, ODT extraction; OCR). An error wrapping ratsnetz.ErrSearchSkipped
	// indexes the file without text for good; any other error indexes its
	// metadata and retries the text on the next pass. Nil: no extraction.
	// It is called for several files at once (one per core).
	FileText func(ctx context.Context, f *ratsnetz.File) (string, error)
	// BlockMin is how many postings a term needs for a posting block
	// (0: blockMin); StaleMax how many documents IndexPending lets go
	// stale before it builds the blocks anew, once caught up (0:
	// staleMax, -1: never).
	BlockMin, StaleMax int

	mu sync.Mutex
	// cursor is the last object ID indexed per kind in the current pass,
	// so that one pass over a large table is linear.
	cursor map[string]int64
	// skipped counts files indexed without text.
	skipped int
}

var _ ratsnetz.SearchIndexer = (*SearchIndex)(nil)

// NewSearchIndex returns the index maintainer of db.
func NewSearchIndex(db *DB) *SearchIndex {
	return &SearchIndex{db: db, cursor: map[string]int64{}}
}

// Skipped returns how many files were indexed without their text.
func (x *SearchIndex) Skipped() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.skipped
}

// searchSource is how one object kind is read for indexing.
type searchSource struct {
	kind  string
	table string
	// load reads the objects with the given IDs.
	load func(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error)
}

// searchDoc is one object's index entry.
type searchDoc struct {
	kind      string
	objectID  int64
	modified  any // the object's modified column value, copied verbatim
	deleted   bool
	retry     bool // text failed: index again on the next pass
	bodyID    int64
	paperType string
	status    string
	date      time.Time
	title     string
	subtitle  string
	// strong is text weighted like the title (reference numbers, names).
	strong string
	body   string
}

func searchSources() []searchSource {
	return []searchSource{
		{kind: ratsnetz.SearchPaper, table: "papers", load: loadPaperDocs},
		{kind: ratsnetz.SearchAgendaItem, table: "agenda_items", load: loadAgendaItemDocs},
		{kind: ratsnetz.SearchMeeting, table: "meetings", load: loadMeetingDocs},
		{kind: ratsnetz.SearchOrganization, table: "organizations", load: loadOrganizationDocs},
		{kind: ratsnetz.SearchPerson, table: "persons", load: loadPersonDocs},
		{kind: ratsnetz.SearchBody, table: "bodies", load: loadBodyDocs},
		{kind: ratsnetz.SearchFile, table: "files", load: loadFileDocs},
	}
}

// IndexPending indexes up to max objects that are new or changed since
// they were indexed and returns how many it indexed.
func (x *SearchIndex) IndexPending(ctx context.Context, max int) (int, error) {
	if max <= 0 {
		max = 500
	}
	total := 0
	for _, src := range searchSources() {
		for total < max {
			n, err := x.indexBatch(ctx, src, max-total)
			if err != nil {
				return total, err
			}
			total += n
			if n == 0 {
				break
			}
		}
		if total >= max {
			break
		}
	}
	if total < max && x.StaleMax >= 0 {
		// Caught up: the blocks are rebuilt when many documents are
		// stale (each costs the queries a lookup), never during a
		// large import.
		limit := x.StaleMax
		if limit == 0 {
			limit = staleMax
		}
		many, err := x.db.staleBeyond(ctx, limit)
		if err != nil {
			return total, err
		}
		if many {
			if err := x.BuildSearchBlocks(ctx); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// indexBatch indexes up to limit pending objects of one kind in one
// transaction; 0 means the kind's pass is complete.
func (x *SearchIndex) indexBatch(ctx context.Context, src searchSource, limit int) (int, error) {
	db := x.db
	if limit > 500 {
		limit = 500
	}
	x.mu.Lock()
	after := x.cursor[src.kind]
	x.mu.Unlock()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search index: begin: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT o.id FROM `+src.table+` o
		LEFT JOIN search_docs d ON d.id = o.id * 8 + ?
		WHERE o.id > ? AND (d.id IS NULL OR d.src_modified IS DISTINCT FROM o.modified)
		ORDER BY o.id LIMIT ?`), searchKindCode(src.kind), after, limit)
	if err != nil {
		return 0, fmt.Errorf("search index %s: pending: %w", src.kind, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("search index %s: pending: %w", src.kind, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("search index %s: pending: %w", src.kind, err)
	}
	if len(ids) == 0 {
		x.mu.Lock()
		x.cursor[src.kind] = 0
		x.mu.Unlock()
		return 0, nil
	}
	docs, err := src.load(ctx, x, tx, ids)
	if err != nil {
		return 0, fmt.Errorf("search index %s: %w", src.kind, err)
	}
	if err := db.writeSearchDocs(ctx, tx, docs); err != nil {
		return 0, fmt.Errorf("search index %s: %w", src.kind, err)
	}
	// No data version bump: the portal's page cache keys on it, and an
	// indexing round over a large council would empty it every few
	// seconds. Search pages are served uncached instead (app).

	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("search index %s: commit: %w", src.kind, err)
	}
	x.mu.Lock()
	x.cursor[src.kind] = ids[len(ids)-1]
	x.mu.Unlock()
	return len(ids), nil
}

// Field weights of a term: per occurrence in the title or strong text, and
// for the body text up to bodyCap occurrences; a term's weight is capped.
const (
	weightTitle  = 8
	weightStrong = 10
	bodyCap      = 5
	weightCap    = 40
)

// analysed is a document ready to write: its row values and term weights.
type analysed struct {
	d        *searchDoc
	row      []any
	weights  map[string]int
	termText string
}

// analyse computes the terms of d and their weights.
func (db *DB) analyse(d *searchDoc) analysed {
	var terms []string
	weights := map[string]int{}
	bodyHits := map[string]int{}
	if !d.deleted {
		for _, f := range []struct {
			text string
			w    int
		}{{d.title, weightTitle}, {d.subtitle + " " + d.strong, weightStrong}, {d.body, 0}} {
			for _, t := range search.Tokens(f.text) {
				terms = append(terms, t.Term)
				if t.Stop {
					continue
				}
				if f.w == 0 {
					bodyHits[t.Term]++
					continue
				}
				weights[t.Term] += f.w
			}
		}
		for t, n := range bodyHits {
			weights[t] += min(n, bodyCap)
		}
	}
	modified := d.modified
	if d.retry {
		modified = nil
	}
	year := 0
	if !d.date.IsZero() {
		year = d.date.In(db.location()).Year()
	}
	body := d.body
	if d.deleted {
		body = ""
	}
	termText := search.TermText(terms)
	return analysed{d: d, weights: weights, termText: termText, row: []any{
		d.kind, d.objectID, modified, d.bodyID, d.paperType, d.status, year, searchBoost(d.kind), db.tm(d.date),
		d.title, d.subtitle, body, termText}}
}

// searchKinds are the kind codes of document IDs: a document's ID is its
// object's ID times 8 plus the code (migration 0015), so a posting names
// its object without the document row.
var searchKinds = [8]string{1: ratsnetz.SearchPaper, 2: ratsnetz.SearchAgendaItem, 3: ratsnetz.SearchMeeting,
	4: ratsnetz.SearchFile, 5: ratsnetz.SearchOrganization, 6: ratsnetz.SearchPerson, 7: ratsnetz.SearchBody}

// searchKindCode returns the code of kind (0 if unknown).
func searchKindCode(kind string) int64 {
	for i, k := range searchKinds {
		if k == kind && i > 0 {
			return int64(i)
		}
	}
	return 0
}

// searchDocID is the document ID of an object.
func searchDocID(kind string, objectID int64) int64 { return objectID*8 + searchKindCode(kind) }

// noDate is the date key of documents without a date: they rank last.
const noDate = -1 << 62

// searchDateKey is the date key of t (Unix seconds).
func searchDateKey(t time.Time) int64 {
	if t.IsZero() {
		return noDate
	}
	return t.Unix()
}

// writeSearchDocs replaces the index entries of docs with a few statements
// per batch (multi-row upsert, one delete, multi-row posting inserts, one
// vocabulary upsert), so that indexing needs few round trips.
func (db *DB) writeSearchDocs(ctx context.Context, tx *sql.Tx, docs []*searchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	as := make([]analysed, len(docs))
	for i, d := range docs {
		as[i] = db.analyse(d)
	}
	const cols = 14
	ids := make([]int64, len(as))
	per := min(db.dialect.MaxParams/cols, 500)
	for start := 0; start < len(as); start += per {
		chunk := as[start:min(start+per, len(as))]
		args := make([]any, 0, cols*len(chunk))
		for i, a := range chunk {
			ids[start+i] = searchDocID(a.d.kind, a.d.objectID)
			args = append(args, ids[start+i])
			args = append(args, a.row...)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO search_docs
			(id, kind, object_id, src_modified, body_id, paper_type, status, year, boost, date, title, subtitle, body, terms)
			VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")+`
			ON CONFLICT (id) DO UPDATE SET src_modified = excluded.src_modified,
				body_id = excluded.body_id, paper_type = excluded.paper_type, status = excluded.status,
				year = excluded.year, boost = excluded.boost, date = excluded.date, title = excluded.title,
				subtitle = excluded.subtitle, body = excluded.body, terms = excluded.terms`), args...); err != nil {
			return fmt.Errorf("write docs: %w", err)
		}
	}
	set, arg := db.idSet(ids)
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM search_postings WHERE doc_id IN (`+set+`)`), arg); err != nil {
		return fmt.Errorf("clear postings: %w", err)
	}
	if err := db.markStale(ctx, tx, ids); err != nil {
		return err
	}
	per = min(db.dialect.MaxParams/4, 2000)
	args := make([]any, 0, 4*per)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := "INSERT INTO search_postings (term, s, dkey, doc_id) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(args)/4), ", ")
		if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
			return fmt.Errorf("write postings: %w", err)
		}
		args = args[:0]
		return nil
	}
	df := map[string]int64{}
	for i, a := range as {
		boost := searchBoost(a.d.kind)
		dkey := searchDateKey(a.d.date)
		for t, w := range a.weights {
			df[t]++
			args = append(args, t, min(w, weightCap)*boost, dkey, ids[i])
			if len(args)/4 == per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return db.addVocab(ctx, tx, df)
}

// addVocab adds df to the document frequencies of search_vocab.
func (db *DB) addVocab(ctx context.Context, tx execer, df map[string]int64) error {
	// The vocabulary in a fixed order (concurrent writers on PostgreSQL
	// take the row locks in the same order).
	terms := make([]string, 0, len(df))
	for t := range df {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	per := min(db.dialect.MaxParams/2, 2000)
	for start := 0; start < len(terms); start += per {
		chunk := terms[start:min(start+per, len(terms))]
		args := make([]any, 0, 2*len(chunk))
		for _, t := range chunk {
			args = append(args, t, df[t])
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO search_vocab (term, df) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", ")+`
			ON CONFLICT (term) DO UPDATE SET df = search_vocab.df + excluded.df`), args...); err != nil {
			return fmt.Errorf("write vocabulary: %w", err)
		}
	}
	return nil
}

// execer is a transaction or a connection.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// searchBoost is the score multiplier of a kind: the objects themselves
// before the agenda items and meetings that treat them, before the files
// that repeat their text.
func searchBoost(kind string) int {
	switch kind {
	case ratsnetz.SearchAgendaItem, ratsnetz.SearchMeeting:
		return 3
	case ratsnetz.SearchFile:
		return 2
	}
	return 4
}

// ClearSearchIndex empties the index; IndexPending then rebuilds it.
func (x *SearchIndex) ClearSearchIndex(ctx context.Context) error {
	db := x.db
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("clear search index: %w", err)
	}
	defer tx.Rollback()
	stmts := []string{`DELETE FROM search_postings`, `DELETE FROM search_vocab`, `DELETE FROM search_docs`,
		`DELETE FROM search_blocks`, `DELETE FROM search_stale`}
	if db.dialect.Name == "postgres" {
		stmts = []string{`TRUNCATE search_postings, search_vocab, search_docs, search_blocks, search_stale`}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("clear search index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("clear search index: %w", err)
	}
	x.mu.Lock()
	x.cursor = map[string]int64{}
	x.mu.Unlock()
	return nil
}

// OptimizeSearchIndex refreshes the planner statistics of the index
// tables after a rebuild, and on PostgreSQL the visibility map, without
// which the postings' index-only scans read every heap row.
func (x *SearchIndex) OptimizeSearchIndex(ctx context.Context) error {
	return x.db.optimizeSearch(ctx, x.db.write)
}

func (db *DB) optimizeSearch(ctx context.Context, conn execer) error {
	stmts := []string{`ANALYZE search_postings`, `ANALYZE search_docs`, `ANALYZE search_vocab`}
	if db.dialect.Name == "postgres" {
		stmts = []string{`VACUUM (ANALYZE) search_postings, search_docs, search_vocab`}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("optimize search index: %w", err)
		}
	}
	return nil
}

// queryDocs runs q (with %s for the ID list) over ids and scans each row.
func queryDocs(ctx context.Context, db *DB, tx *sql.Tx, q string, ids []int64, scan func(*sql.Rows) (*searchDoc, error)) ([]*searchDoc, error) {
	rows, err := tx.QueryContext(ctx, db.rebind(fmt.Sprintf(q, placeholders(len(ids)))), int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*searchDoc
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func loadPaperDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT id, modified, deleted, body_id, name, reference, date, paper_type, status, sections
		FROM papers WHERE id IN (%s)`, ids, func(rows *sql.Rows) (*searchDoc, error) {
		d := &searchDoc{kind: ratsnetz.SearchPaper}
		var sections []ratsnetz.TextSection
		if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &d.title, &d.subtitle,
			timeScanner{&d.date}, &d.paperType, &d.status, jsonScanner{&sections}); err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, s := range sections {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(s.Heading + ": " + s.Text)
		}
		d.body = b.String()
		d.strong = d.paperType
		return d, nil
	})
}

func loadAgendaItemDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT a.id, a.modified, a.deleted, COALESCE(m.body_id, 0), a.number, a.name,
		a.resolution_text, a.minutes_text, a.result, m.start_at, COALESCE(m.name, '')
		FROM agenda_items a LEFT JOIN meetings m ON m.id = a.meeting_id WHERE a.id IN (%s)`, ids,
		func(rows *sql.Rows) (*searchDoc, error) {
			d := &searchDoc{kind: ratsnetz.SearchAgendaItem}
			var number, name, resolution, minutes, result, meeting string
			if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &number, &name,
				&resolution, &minutes, &result, timeScanner{&d.date}, &meeting); err != nil {
				return nil, err
			}
			d.title = strings.TrimSpace(strings.TrimSpace("TOP "+number) + " " + name)
			if number == "" {
				d.title = name
			}
			d.subtitle = meeting
			d.status = ""
			d.body = strings.TrimSpace(strings.Join(nonEmpty(resolution, minutes, result), "\n\n"))
			return d, nil
		})
}

func loadMeetingDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT m.id, m.modified, m.deleted, m.body_id, m.name, m.start_at, m.meeting_state,
		COALESCE(l.description, ''), COALESCE(l.street_address, ''), COALESCE(l.room, '')
		FROM meetings m LEFT JOIN locations l ON l.id = m.location_id WHERE m.id IN (%s)`, ids,
		func(rows *sql.Rows) (*searchDoc, error) {
			d := &searchDoc{kind: ratsnetz.SearchMeeting}
			var state, desc, street, room string
			if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &d.title, timeScanner{&d.date},
				&state, &desc, &street, &room); err != nil {
				return nil, err
			}
			d.body = strings.Join(nonEmpty(desc, street, room), ", ")
			return d, nil
		})
}

func loadOrganizationDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT id, modified, deleted, body_id, name, short_name, organization_type, classification
		FROM organizations WHERE id IN (%s)`, ids, func(rows *sql.Rows) (*searchDoc, error) {
		d := &searchDoc{kind: ratsnetz.SearchOrganization}
		var short, typ, class string
		if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &d.title, &short, &typ, &class); err != nil {
			return nil, err
		}
		d.strong = short
		d.subtitle = strings.Join(nonEmpty(class, typ), " · ")
		return d, nil
	})
}

func loadPersonDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT id, modified, deleted, body_id, name, given_name, family_name, title, status
		FROM persons WHERE id IN (%s)`, ids, func(rows *sql.Rows) (*searchDoc, error) {
		d := &searchDoc{kind: ratsnetz.SearchPerson}
		var given, family, title, status string
		if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &d.title, &given, &family, &title, &status); err != nil {
			return nil, err
		}
		if d.title == "" {
			d.title = strings.Join(nonEmpty(title, given, family), " ")
		}
		d.strong = strings.Join(nonEmpty(given, family), " ")
		d.body = status
		return d, nil
	})
}

func loadBodyDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	return queryDocs(ctx, x.db, tx, `SELECT id, modified, deleted, id, name, short_name, classification
		FROM bodies WHERE id IN (%s)`, ids, func(rows *sql.Rows) (*searchDoc, error) {
		d := &searchDoc{kind: ratsnetz.SearchBody}
		var short, class string
		if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &d.title, &short, &class); err != nil {
			return nil, err
		}
		d.strong = short
		d.subtitle = class
		return d, nil
	})
}

func loadFileDocs(ctx context.Context, x *SearchIndex, tx *sql.Tx, ids []int64) ([]*searchDoc, error) {
	var files []*ratsnetz.File
	docs, err := queryDocs(ctx, x.db, tx, `SELECT id, modified, deleted, body_id, name, file_name, mime_type, date, text, blob_key
		FROM files WHERE id IN (%s)`, ids, func(rows *sql.Rows) (*searchDoc, error) {
		d := &searchDoc{kind: ratsnetz.SearchFile}
		f := &ratsnetz.File{}
		if err := rows.Scan(&d.objectID, &d.modified, boolScanner{&d.deleted}, &d.bodyID, &f.Name, &f.FileName, &f.MimeType,
			timeScanner{&d.date}, &f.Text, &f.BlobKey); err != nil {
			return nil, err
		}
		f.ID, f.BodyID = d.objectID, d.bodyID
		files = append(files, f)
		d.title = f.Name
		d.subtitle = f.FileName
		d.body = f.Text
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	if x.FileText == nil {
		return docs, nil
	}
	// Extraction (PDF parsing, OCR) is CPU work of its own: one file per
	// core at a time.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, d := range docs {
		f := files[i]
		if d.deleted || f.Text != "" || f.BlobKey == "" {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			text, err := x.FileText(ctx, f)
			switch {
			case err == nil:
				d.body = text
			case errors.Is(err, ratsnetz.ErrSearchSkipped):
				x.mu.Lock()
				x.skipped++
				x.mu.Unlock()
			default:
				d.retry = true
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return docs, nil
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// SearchIndexSize returns the bytes the search tables take (with their
// indexes), or the whole database file's size on SQLite builds without
// the dbstat table.
func (db *DB) SearchIndexSize(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	q := `SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'`
	if db.dialect.Name == "postgres" {
		q = `SELECT pg_total_relation_size('search_docs') + pg_total_relation_size('search_postings') + pg_total_relation_size('search_vocab')`
	}
	if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
		if db.dialect.Name == "postgres" {
			return 0, fmt.Errorf("search index size: %w", err)
		}
		err = db.read.QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("search index size: %w", err)
		}
	}
	return n.Int64, nil
}
