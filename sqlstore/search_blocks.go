package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Posting blocks (migration 0026): every term with at least BlockMin
// postings also has all of them in one value of search_blocks, ordered by
// document ID, each posting as three varints (document ID delta, s,
// zigzag dkey delta). A query reads a frequent word in one row and decodes
// it in Go (a few nanoseconds per posting) instead of one index entry per
// posting; the intersection of two frequent words becomes cheap.
//
// search_postings stays the truth. A block is a copy of it as of its seq;
// the incremental indexer (writeSearchDocs) names every document it
// rewrites in search_stale, under a new, greater seq. A query ignores a
// block's postings of the documents named after the oldest block it reads
// and reads those documents' postings from search_postings instead, so it
// sees the same postings with or without blocks. BuildSearchBlocks builds
// the blocks anew and forgets the stale documents they now contain.

// Block defaults: a term gets a block from blockMin postings on; the
// incremental indexer builds the blocks anew once it caught up and more
// than staleMax documents are stale.
const (
	blockMin   = 256
	staleMax   = 2000
	blockChunk = 400000 // postings per build transaction
)

// appendBlock encodes postings sorted by document ID.
func appendBlock(b []byte, ps []blockPosting) []byte {
	var prevDoc, prevKey int64
	for _, p := range ps {
		b = binary.AppendUvarint(b, uint64(p.doc-prevDoc))
		b = binary.AppendUvarint(b, uint64(p.s))
		b = binary.AppendVarint(b, p.dkey-prevKey)
		prevDoc, prevKey = p.doc, p.dkey
	}
	return b
}

// blockPosting is one posting of a block.
type blockPosting struct {
	doc, dkey int64
	s         int
}

// decodeBlock calls f for each posting of a block, in document ID order.
func decodeBlock(b []byte, f func(doc, dkey int64, s int)) error {
	var doc, key int64
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return errBadBlock
		}
		b = b[n:]
		s, n := binary.Uvarint(b)
		if n <= 0 {
			return errBadBlock
		}
		b = b[n:]
		k, n := binary.Varint(b)
		if n <= 0 {
			return errBadBlock
		}
		b = b[n:]
		doc += int64(d)
		key += k
		f(doc, key, int(s))
	}
	return nil
}

var errBadBlock = errors.New("search: bad posting block")

// BuildSearchBlocks builds the posting blocks of every term with at least
// x.BlockMin postings from search_postings, one term range per
// transaction (writers wait for one range at most), and then forgets the
// stale documents all blocks contain.
func (x *SearchIndex) BuildSearchBlocks(ctx context.Context) error {
	db := x.db
	bmin := x.BlockMin
	if bmin <= 0 {
		bmin = blockMin
	}
	// Term ranges of about blockChunk postings each, from the vocabulary
	// (its df are estimates: that only moves the boundaries).
	var bounds []string
	rows, err := db.read.QueryContext(ctx, `SELECT term, df FROM search_vocab ORDER BY term`)
	if err != nil {
		return fmt.Errorf("search blocks: vocabulary: %w", err)
	}
	var sum int64
	for rows.Next() {
		var t string
		var df int64
		if err := rows.Scan(&t, &df); err != nil {
			rows.Close()
			return fmt.Errorf("search blocks: vocabulary: %w", err)
		}
		if sum >= blockChunk {
			bounds = append(bounds, t)
			sum = 0
		}
		sum += df
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search blocks: vocabulary: %w", err)
	}
	minSeq := int64(-1)
	for i := 0; i <= len(bounds); i++ {
		lo, hi := "", ""
		if i > 0 {
			lo = bounds[i-1]
		}
		if i < len(bounds) {
			hi = bounds[i]
		}
		seq, err := x.buildBlockRange(ctx, lo, hi, bmin)
		if err != nil {
			return err
		}
		if minSeq < 0 || seq < minSeq {
			minSeq = seq
		}
	}
	// Every block now contains the postings of the documents named up to
	// minSeq; names after it stay until the next build.
	if _, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM search_stale WHERE seq <= ?`), minSeq); err != nil {
		return fmt.Errorf("search blocks: forget stale: %w", err)
	}
	return nil
}

// buildBlockRange builds the blocks of the terms in [lo, hi) (hi "": no
// end) in one transaction and returns their seq.
func (x *SearchIndex) buildBlockRange(ctx context.Context, lo, hi string, bmin int) (int64, error) {
	db := x.db
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search blocks: %w", err)
	}
	defer tx.Rollback()
	if db.dialect.Name == "postgres" {
		// Wait for the indexers that named documents but have not
		// committed yet, and keep new ones out until this range is built:
		// the seq read next then covers exactly the postings read after.
		for _, q := range []string{`LOCK TABLE search_stale IN SHARE MODE`, `SET LOCAL max_parallel_workers_per_gather = 0`, `SET LOCAL jit = off`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return 0, fmt.Errorf("search blocks: %w", err)
			}
		}
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM search_stale`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("search blocks: seq: %w", err)
	}
	cond, args := "term >= ?", []any{lo}
	if hi != "" {
		cond, args = cond+" AND term < ?", append(args, hi)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM search_blocks WHERE `+cond), args...); err != nil {
		return 0, fmt.Errorf("search blocks: clear: %w", err)
	}
	// Aggregated, as in searchGroupPostings: one row per term.
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT term, COUNT(*), string_agg(CAST(doc_id * 1024 + s AS TEXT), ','),
		string_agg(CAST(dkey AS TEXT), ',') FROM search_postings WHERE `+cond+` GROUP BY term HAVING COUNT(*) >= ?`), append(args, bmin)...)
	if err != nil {
		return 0, fmt.Errorf("search blocks: postings: %w", err)
	}
	type block struct {
		term string
		n    int
		data []byte
	}
	var blocks []block
	var ps []blockPosting
	for rows.Next() {
		var term, docs, keys string
		var n int
		if err := rows.Scan(&term, &n, &docs, &keys); err != nil {
			rows.Close()
			return 0, fmt.Errorf("search blocks: postings: %w", err)
		}
		ps = ps[:0]
		for docs != "" {
			var v, k int64
			var ok1, ok2 bool
			v, docs, ok1 = cutInt(docs)
			k, keys, ok2 = cutInt(keys)
			if !ok1 || !ok2 {
				rows.Close()
				return 0, fmt.Errorf("search blocks: postings: bad list")
			}
			ps = append(ps, blockPosting{doc: v >> 10, s: int(v & 1023), dkey: k})
		}
		slices.SortFunc(ps, func(a, b blockPosting) int {
			switch {
			case a.doc < b.doc:
				return -1
			case a.doc > b.doc:
				return 1
			}
			return 0
		})
		blocks = append(blocks, block{term, len(ps), appendBlock(make([]byte, 0, len(ps)*6), ps)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("search blocks: postings: %w", err)
	}
	for start := 0; start < len(blocks); start += 100 {
		chunk := blocks[start:min(start+100, len(blocks))]
		vals := make([]any, 0, 4*len(chunk))
		for _, b := range chunk {
			vals = append(vals, b.term, seq, b.n, b.data)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO search_blocks (term, seq, n, data) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(chunk)), ", ")), vals...); err != nil {
			return 0, fmt.Errorf("search blocks: write: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("search blocks: commit: %w", err)
	}
	return seq, nil
}

// markStale names the documents whose postings tx rewrites, for the
// blocks built before.
func (db *DB) markStale(ctx context.Context, tx *sql.Tx, ids []int64) error {
	per := min(db.dialect.MaxParams, 2000)
	for start := 0; start < len(ids); start += per {
		chunk := ids[start:min(start+per, len(ids))]
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO search_stale (doc_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?), ", len(chunk)), ", ")), int64Args(chunk)...); err != nil {
			return fmt.Errorf("mark stale: %w", err)
		}
	}
	return nil
}

// staleBeyond reports whether more than n documents are stale.
func (db *DB) staleBeyond(ctx context.Context, n int) (bool, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT seq FROM search_stale ORDER BY seq LIMIT 1 OFFSET ?`), n).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("search blocks: stale: %w", err)
	}
	return true, nil
}

// searchStale is the set of documents a query must not take from blocks
// of seq after, read once per query.
type searchStale struct {
	loaded bool
	after  int64
	docs   map[int64]bool
	list   []int64
}

// staleDocs returns the documents named after seq (a map and a sorted
// list), read once per query for the smallest seq asked.
func (db *DB) staleDocs(ctx context.Context, tx *sql.Tx, st *searchStale, seq int64) error {
	if st.loaded && st.after <= seq {
		return nil
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT DISTINCT doc_id FROM search_stale WHERE seq > ?`), seq)
	if err != nil {
		return fmt.Errorf("search: stale: %w", err)
	}
	defer rows.Close()
	st.docs, st.list = map[int64]bool{}, nil
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("search: stale: %w", err)
		}
		st.docs[id] = true
		st.list = append(st.list, id)
	}
	slices.Sort(st.list)
	st.loaded, st.after = true, seq
	return rows.Err()
}
