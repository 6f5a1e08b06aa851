package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/search"
)

var _ ratsnetz.SearchService = (*DB)(nil)

// prefixEnd ends the range of terms with a prefix p: [p, p+prefixEnd) in
// byte order (SQLite BINARY, PostgreSQL COLLATE "C").
const prefixEnd = "\U0010FFFF"

// Search limits.
const (
	searchDefaultLimit = 20
	searchMaxLimit     = 100
	snippetWidth       = 240
)

// Search runs a full-text query as the viewer in ctx. Matching and ranking
// are the same SQL and Go on both databases over the terms package search
// produced: every query term must occur (exactly, or as a prefix of an
// indexed term, weighted half when only the root matches), phrases must
// stand in the document's term text, excluded terms must not. The score is
// the sum of the matched terms' weights times the kind's boost (both folded
// into the postings); ties go to the newer document, then the higher ID.
//
// A query has two steps, the way a search engine works:
//
//  1. Candidates come from the postings alone, in rank order, without
//     reading a document or checking a right. One word: its postings are
//     read in rank order (search_postings' primary key, backwards). Several
//     words: the rarest word's postings are read whole (one range scan), the
//     others are intersected with them in Go, by a range scan of their own
//     when they are not much more frequent, else by looking up the
//     candidates' postings (index (doc_id, term)); the intersection is
//     sorted by the full score. Kind, year and date filters are tested on
//     the postings.
//  2. Candidates are checked in that order, in batches of IDs, by one
//     statement each: the viewer may see the object (visibility.go),
//     phrases stand, excluded words are absent, the body/paper type/status
//     filters hold. Checking stops once searchWindow+1 documents passed.
//
// Counts and facets are exact when at most searchWindow documents match;
// beyond, Total says "more than" (TotalCapped) and facets count the window.
// When checking runs out of its budget (searchBudget candidates, e.g. a
// phrase that rarely stands where its words meet), Total is the number
// found so far, also as "more than". Hidden documents never take a place
// in the window: they change neither hits nor counts nor facets.
func (db *DB) Search(ctx context.Context, q ratsnetz.SearchQuery) (*ratsnetz.SearchResult, error) {
	res := &ratsnetz.SearchResult{Facets: map[string][]ratsnetz.SearchFacet{}}
	pq := search.ParseQuery(q.Text)
	if pq.Empty() {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = searchDefaultLimit
	}
	limit = min(limit, searchMaxLimit)
	offset := max(q.Offset, 0)
	need := offset + limit

	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if db.dialect.Name == "postgres" {
		// The statements are cheap but look costly to the planner (one
		// subplan per kind of the visibility test): JIT compiling them
		// took about a second each.
		if _, err := tx.ExecContext(ctx, "SET LOCAL jit = off"); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		// Two string_agg lists of one statement must keep the same
		// order (searchGroupPostings): no parallel partial aggregates.
		if _, err := tx.ExecContext(ctx, "SET LOCAL max_parallel_workers_per_gather = 0"); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	w := db.viewerOf(ctx)
	groups, err := db.searchGroups(ctx, tx, pq)
	if err != nil || groups == nil {
		return res, err
	}
	check, cargs := db.searchDocConds(pq)
	visible := searchVisible(w)

	// Several words, the rarest not too frequent: the intersection, once,
	// sorted by the full score.
	var ranked *rankList
	lim := searchLimitsOf(ctx)
	st := &searchStale{}
	// One word mostly in blocks: all its documents with their full
	// scores, read whole, instead of its terms' postings in rank order
	// (a cursor each) and the window's scores looked up.
	oneWord := len(groups) == 1 && lim.FullRead >= 0 && groups[0].cost*4 < groups[0].df && groups[0].cost <= searchOneWordRead
	if (len(groups) > 1 && groups[0].cost <= int64(lim.FullRead)) || oneWord {
		if ranked, err = db.searchIntersect(ctx, tx, st, groups); err != nil {
			return nil, err
		}
	}
	source := func(f postingFilter) candSource {
		f.since = q.Since
		if ranked != nil {
			return listSource(ranked, f)
		}
		src := db.streamSource(ctx, tx, groups[0], f)
		if len(groups) > 1 {
			src = db.probeSource(ctx, tx, st, src, groups[1:], lim.Walk)
		}
		return src
	}

	// The unfiltered window: counts and facets.
	all, allDone, err := db.searchCheck(ctx, tx, source(postingFilter{}), check, visible, cargs, searchWindow, lim.Budget)
	if err != nil {
		return nil, err
	}
	res.Total, res.Facets = facets(all, q)
	res.TotalCapped = !allDone

	// The filtered window: hits (and the total, when the first was cut).
	filtered := filterCandidates(all, q)
	if !allDone && (hasSearchFilter(q) || need > len(all)) {
		f, docCond, dargs := db.searchFilters(q)
		var done bool
		n := max(searchWindow, need)
		filtered, done, err = db.searchCheck(ctx, tx, source(f), check+docCond, visible,
			append(append([]any{}, cargs...), dargs...), n, max(lim.Budget, lim.Budget/searchWindow*n))
		if err != nil {
			return nil, err
		}
		res.Total, res.TotalCapped = len(filtered), !done
	}
	if offset >= len(filtered) {
		return res, nil
	}
	if ranked == nil && (len(groups) > 1 || len(groups[0].terms) > 1) {
		// Streamed: the order is by the rarest word's single postings; a
		// document may match it with several terms (prefix), and the
		// other words add their weights. (One word of one term: the
		// posting's weight is the score.)
		if err := db.searchScores(ctx, tx, filtered, groups); err != nil {
			return nil, err
		}
	}
	sort.Slice(filtered, func(i, j int) bool { return searchBefore(filtered[i], filtered[j]) })
	page := filtered[offset:min(need, len(filtered))]
	if err := db.searchHits(ctx, tx, res, page, pq); err != nil {
		return nil, err
	}
	return res, nil
}

// searchBefore is the rank order: higher score, newer, higher ID.
func searchBefore(a, b searchCandidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.dkey != b.dkey {
		return a.dkey > b.dkey
	}
	return a.id > b.id
}

// SearchLimits bound the work of one query (zero fields: the defaults).
// They are for tests, which use them to drive the small demo data through
// the paths large data takes.
type SearchLimits struct {
	// FullRead is the most postings the rarest of several words may have
	// for the intersection to be read whole (-1: never, always stream).
	FullRead int
	// Walk is how many documents of the rarest word a streamed query of
	// several words looks up at most per window.
	Walk int
	// Budget is how many candidates one window checks at most.
	Budget int
}

type searchLimitsKey struct{}

// WithSearchLimits returns a context in which Search keeps to l.
func WithSearchLimits(ctx context.Context, l SearchLimits) context.Context {
	return context.WithValue(ctx, searchLimitsKey{}, l)
}

// searchLimitsOf returns the limits in ctx, with defaults filled in.
func searchLimitsOf(ctx context.Context) SearchLimits {
	l, _ := ctx.Value(searchLimitsKey{}).(SearchLimits)
	if l.FullRead == 0 {
		l.FullRead = searchFullRead
	}
	if l.Walk <= 0 {
		l.Walk = searchWalk
	}
	if l.Budget <= 0 {
		l.Budget = searchBudget
	}
	return l
}

// searchWindow is how many matches counts and facets cover exactly and
// how many are ranked by their full score.
const searchWindow = 1000

// searchBudget is how many candidates one window checks at most (the
// rest is counted as "more than").
const searchBudget = 5000

// searchCandidate is a matching document with its facet values and score.
type searchCandidate struct {
	id        int64
	kind      string
	objectID  int64
	bodyID    int64
	paperType string
	year      int
	status    string
	score     int
	dkey      int64
	date      time.Time
	n         int // for facets: how many documents it stands for (1)
}

func newCandidate(id, dkey int64, score int) searchCandidate {
	return searchCandidate{id: id, kind: searchKinds[id&7], objectID: id >> 3, dkey: dkey, score: score, n: 1}
}

// searchGroup is one query word: the indexed terms it matches.
type searchGroup struct {
	t     search.QueryTerm
	terms []searchTerm
	df    int64 // postings of all its terms (estimate)
	// cost is df in units of posting rows read: postings in blocks
	// count 1/blockCheap.
	cost int64
}

// searchTerm is an indexed term a query word matches; half: only by the
// word's root (weighted half).
type searchTerm struct {
	term string
	half bool
	df   int64
	// block: the term has a posting block built as of seq.
	block bool
	seq   int64
}

// matches reports whether the indexed term matches the word, and whether
// at half weight.
func (g searchGroup) matches(term string) (ok, half bool) {
	t := g.t
	switch {
	case term == t.Term || (t.Prefix != "" && strings.HasPrefix(term, t.Term) && strings.HasPrefix(term, t.Prefix)):
		return true, false
	case t.Prefix != "" && strings.HasPrefix(term, t.Prefix):
		return true, true
	}
	return false, false
}

// searchGroups expands the query words into indexed terms (vocabulary),
// with their posting blocks' seq; nil if a word matches no term (then
// nothing matches).
func (db *DB) searchGroups(ctx context.Context, tx *sql.Tx, pq search.Query) ([]searchGroup, error) {
	groups := make([]searchGroup, 0, len(pq.Terms))
	for _, t := range pq.Terms {
		g := searchGroup{t: t}
		cond, args := searchTermCond("v.term", t)
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT v.term, v.df, b.seq FROM search_vocab v
			LEFT JOIN search_blocks b ON b.term = v.term WHERE `+cond), args...)
		if err != nil {
			return nil, fmt.Errorf("search: vocabulary: %w", err)
		}
		for rows.Next() {
			var st searchTerm
			var seq sql.NullInt64
			if err := rows.Scan(&st.term, &st.df, &seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: vocabulary: %w", err)
			}
			ok, half := g.matches(st.term)
			if !ok {
				continue
			}
			st.half, st.block, st.seq = half, seq.Valid, seq.Int64
			g.terms = append(g.terms, st)
			g.df += st.df
			if st.block {
				g.cost += st.df / blockCheap
			} else {
				g.cost += st.df
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: vocabulary: %w", err)
		}
		if len(g.terms) == 0 {
			return nil, nil
		}
		groups = append(groups, g)
	}
	// The rarest word first: it drives.
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].df < groups[j].df })
	return groups, nil
}

// blockCheap is about how many postings of a block are decoded in the
// time one posting row is read.
const blockCheap = 10

// searchTermCond is the condition "column matches the query word t".
func searchTermCond(col string, t search.QueryTerm) (string, []any) {
	switch {
	case t.Prefix == "":
		return col + " = ?", []any{t.Term}
	case strings.HasPrefix(t.Term, t.Prefix):
		return col + " >= ? AND " + col + " < ?", []any{t.Prefix, t.Prefix + prefixEnd}
	}
	return "(" + col + " = ? OR (" + col + " >= ? AND " + col + " < ?))", []any{t.Term, t.Prefix, t.Prefix + prefixEnd}
}

// searchEffExpr is the SQL of a posting's weight for the word g: its s,
// or (s+1)/2 for a term matched by the root only (integer division on
// both databases), as in searchGroup.matches.
func searchEffExpr(g searchGroup) (string, []any) {
	t := g.t
	if t.Prefix == "" {
		return "p.s", nil
	}
	return "CASE WHEN p.term = ? OR (p.term >= ? AND p.term < ? AND p.term >= ? AND p.term < ?) THEN p.s ELSE (p.s + 1) / 2 END",
		[]any{t.Term, t.Term, t.Term + prefixEnd, t.Prefix, t.Prefix + prefixEnd}
}

// searchDocConds are the conditions on a document row d that the
// postings cannot test: the phrases stand (in its term text), the
// excluded words do not occur (" AND …" parts). A phrase is a plain
// substring of the term text (both folded the same way): instr/strpos
// compare bytes, where LIKE matched character by character (on
// PostgreSQL about half the check's time for a phrase; it would also
// read an underscore as a wildcard).
func (db *DB) searchDocConds(pq search.Query) (string, []any) {
	var b strings.Builder
	var args []any
	for _, t := range pq.Exclude {
		b.WriteString(" AND NOT EXISTS (SELECT 1 FROM search_postings x WHERE x.doc_id = d.id AND x.term = ?)")
		args = append(args, t)
	}
	pos := "instr(d.terms, ?)"
	if db.dialect.Name == "postgres" {
		pos = "strpos(d.terms, ?)"
	}
	for _, ph := range pq.Phrases {
		b.WriteString(" AND " + pos + " > 0")
		args = append(args, search.PhraseText(ph))
	}
	for _, ph := range pq.ExcludePhrases {
		b.WriteString(" AND " + pos + " = 0")
		args = append(args, search.PhraseText(ph))
	}
	return b.String(), args
}

// postingFilter are the filters a posting can test by itself: the kind
// (doc_id % 8), the year and the earliest date (dkey).
type postingFilter struct {
	kind          int64 // 0: any
	from, to      int64 // dkey range [from, to) when to != 0
	since         time.Time
	hasYearFilter bool
}

func (f postingFilter) keep(id, dkey int64) bool {
	if f.kind != 0 && id&7 != f.kind {
		return false
	}
	if f.hasYearFilter && (dkey < f.from || dkey >= f.to) {
		return false
	}
	return f.since.IsZero() || dkey >= f.since.Unix()
}

func (f postingFilter) sql() (string, []any) {
	var b strings.Builder
	var args []any
	if f.kind != 0 {
		b.WriteString(" AND p.doc_id % 8 = ?")
		args = append(args, f.kind)
	}
	if f.hasYearFilter {
		b.WriteString(" AND p.dkey >= ? AND p.dkey < ?")
		args = append(args, f.from, f.to)
	}
	if !f.since.IsZero() {
		b.WriteString(" AND p.dkey >= ?")
		args = append(args, f.since.Unix())
	}
	return b.String(), args
}

// candSource yields the next up to k candidates in rank order; none
// when there are no more.
type candSource func(k int) ([]searchCandidate, error)

// listSource yields the ranked candidates that pass f.
func listSource(ranked *rankList, f postingFilter) candSource {
	i := 0
	return func(k int) ([]searchCandidate, error) {
		var out []searchCandidate
		for ; i < len(ranked.cs) && len(out) < k; i++ {
			if c := ranked.at(i); f.keep(c.id, c.dkey) {
				out = append(out, c)
			}
		}
		return out, nil
	}
}

// rankList is candidates in rank order, sorted lazily: placed by score
// (a counting sort), and the documents of one score sorted by date and
// ID only when the list is read that far. A query reads a few thousand
// of a frequent word's hundred thousand documents.
type rankList struct {
	cs     []searchCandidate
	ends   []int // ends of the runs of one score, ascending
	sorted int   // cs[:sorted] is in rank order
	run    int   // next run to sort
}

func newRankList(cs []searchCandidate) *rankList {
	r := &rankList{cs: cs}
	top := 0
	for _, c := range cs {
		top = max(top, c.score)
	}
	if top > 1<<16 || len(cs) < 256 {
		slices.SortFunc(cs, cmpCandidates)
		r.ends = []int{len(cs)}
		return r
	}
	count := make([]int, top+1)
	for _, c := range cs {
		count[max(c.score, 0)]++
	}
	// Start of each score's run, highest score first.
	at := make([]int, top+1)
	n := 0
	for sc := top; sc >= 0; sc-- {
		at[sc] = n
		n += count[sc]
		if count[sc] > 0 {
			r.ends = append(r.ends, n)
		}
	}
	out := make([]searchCandidate, len(cs))
	for _, c := range cs {
		sc := max(c.score, 0)
		out[at[sc]] = c
		at[sc]++
	}
	r.cs = out
	return r
}

// at returns the i-th candidate in rank order.
func (r *rankList) at(i int) searchCandidate {
	for i >= r.sorted {
		end := r.ends[r.run]
		slices.SortFunc(r.cs[r.sorted:end], cmpCandidates)
		r.sorted, r.run = end, r.run+1
	}
	return r.cs[i]
}

func cmpCandidates(a, b searchCandidate) int {
	if searchBefore(a, b) {
		return -1
	}
	if searchBefore(b, a) {
		return 1
	}
	return 0
}

// searchCheck takes candidates from src in order and keeps those the
// viewer may see and that pass the document conditions cond (on d, with
// args), reading their facet values, until n+1 passed, src ran dry
// (done), or budget candidates were checked. It returns at most n.
func (db *DB) searchCheck(ctx context.Context, tx *sql.Tx, src candSource, cond string, visible [8]searchKindVis, args []any, n, budget int) ([]searchCandidate, bool, error) {
	var out []searchCandidate
	checked := 0
	for len(out) <= n {
		if checked >= budget {
			return out, false, nil
		}
		// A few more than missing: most candidates usually pass.
		k := min(n+1-len(out), budget-checked)
		k = min(k+k/4+16, budget-checked)
		batch, err := src(k)
		if errors.Is(err, errSearchWalk) {
			return out[:min(n, len(out))], false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if len(batch) == 0 {
			return out, true, nil
		}
		checked += len(batch)
		at := make(map[int64]int, len(batch))
		var byKind [8][]int64
		for i, c := range batch {
			at[c.id] = i
			byKind[c.id&7] = append(byKind[c.id&7], c.id)
		}
		pass := make([]bool, len(batch))
		for code, ids := range byKind {
			if len(ids) == 0 {
				continue
			}
			v := visible[code]
			if v.join == "" {
				continue // no such kind: never visible
			}
			set, arg := db.idSet(ids)
			rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id, d.body_id, d.paper_type, d.year, d.status FROM search_docs d`+v.join+`
				WHERE d.id IN (`+set+`)`+cond+` AND `+v.pred), append([]any{arg}, args...)...)
			if err != nil {
				return nil, false, fmt.Errorf("search: check: %w", err)
			}
			for rows.Next() {
				var c searchCandidate
				if err := rows.Scan(&c.id, &c.bodyID, &c.paperType, &c.year, &c.status); err != nil {
					rows.Close()
					return nil, false, fmt.Errorf("search: check: %w", err)
				}
				if i, ok := at[c.id]; ok {
					x := &batch[i]
					x.bodyID, x.paperType, x.year, x.status = c.bodyID, c.paperType, c.year, c.status
					pass[i] = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, false, fmt.Errorf("search: check: %w", err)
			}
		}
		for i, c := range batch {
			if pass[i] {
				out = append(out, c)
			}
		}
	}
	return out[:n], false, nil
}

// searchIntersect returns the documents that have every word, with their
// full scores, in rank order. groups are sorted by df, rarest first.
// Each word's documents come as a list sorted by document ID; the lists
// are intersected by a merge.
func (db *DB) searchIntersect(ctx context.Context, tx *sql.Tx, st *searchStale, groups []searchGroup) (*rankList, error) {
	docs, err := db.searchGroupDocs(ctx, tx, st, groups[0], nil)
	if err != nil {
		return nil, err
	}
	for _, g := range groups[1:] {
		if len(docs) == 0 {
			return newRankList(nil), nil
		}
		var ids []int64
		if g.cost > searchProbeRatio*int64(len(docs)) {
			// Much more frequent: look up the candidates' postings
			// instead of reading the word's.
			ids = make([]int64, len(docs))
			for i, d := range docs {
				ids[i] = d.doc
			}
		}
		// The word's postings, in runs sorted by document ID (blocks) or
		// not (rows), are found in docs by galloping from the last
		// position: about linear in docs and the postings, no copy.
		add := make([]int, len(docs))
		hit := make([]bool, len(docs))
		pos := 0
		if err := db.searchGroupPostings(ctx, tx, st, g, ids, func(doc, _ int64, eff int) {
			if pos > 0 && docs[pos-1].doc >= doc {
				pos = 0
			}
			step := 1
			for pos+step < len(docs) && docs[pos+step].doc < doc {
				step *= 2
			}
			hi := min(pos+step+1, len(docs))
			i := pos + sort.Search(hi-pos, func(k int) bool { return docs[pos+k].doc >= doc })
			if i < len(docs) && docs[i].doc == doc {
				add[i] += eff
				hit[i] = true
				pos = i + 1
			} else {
				pos = i
			}
		}); err != nil {
			return nil, err
		}
		out := docs[:0]
		for i, d := range docs {
			if hit[i] {
				d.score += add[i]
				out = append(out, d)
			}
		}
		docs = out
	}
	out := make([]searchCandidate, len(docs))
	for i, d := range docs {
		out[i] = newCandidate(d.doc, d.dkey, d.score)
	}
	return newRankList(out), nil
}

// docScore is a document with its score for one word (or several).
type docScore struct {
	doc, dkey int64
	score     int
}

// searchGroupDocs returns the documents of the word g (of ids, when not
// nil), sorted by document ID, with the word's score. The postings come
// in runs sorted by document ID (a block each) or unsorted (rows): a few
// runs are merged, many are sorted.
func (db *DB) searchGroupDocs(ctx context.Context, tx *sql.Tx, st *searchStale, g searchGroup, ids []int64) ([]docScore, error) {
	// Sized for all postings: growing the list copied it several times.
	ps := make([]docScore, 0, min(g.df+g.df/8+64, 4<<20))
	if ids != nil {
		ps = nil
	}
	runs := []int{0}
	if err := db.searchGroupPostings(ctx, tx, st, g, ids, func(doc, dkey int64, eff int) {
		if n := len(ps); n > 0 && doc < ps[n-1].doc && len(runs) <= searchMergeRuns {
			runs = append(runs, n)
		}
		ps = append(ps, docScore{doc, dkey, eff})
	}); err != nil {
		return nil, err
	}
	if len(runs) > searchMergeRuns {
		slices.SortFunc(ps, func(a, b docScore) int { return cmpInt64(a.doc, b.doc) })
		runs = runs[:1]
	}
	// Merge the runs pairwise, adding up the scores of a document.
	rs := make([][]docScore, len(runs))
	for i, at := range runs {
		end := len(ps)
		if i+1 < len(runs) {
			end = runs[i+1]
		}
		rs[i] = combine(ps[at:end])
	}
	for len(rs) > 1 {
		var next [][]docScore
		for i := 0; i < len(rs); i += 2 {
			if i+1 == len(rs) {
				next = append(next, rs[i])
				continue
			}
			next = append(next, mergeDocs(rs[i], rs[i+1]))
		}
		rs = next
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs[0], nil
}

// searchMergeRuns is the most sorted runs searchGroupDocs merges; more
// are sorted instead.
const searchMergeRuns = 64

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// combine adds up the scores of adjacent postings of one document, in
// place.
func combine(ps []docScore) []docScore {
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].doc == p.doc {
			out[n-1].score += p.score
			continue
		}
		out = append(out, p)
	}
	return out
}

// mergeDocs merges two lists sorted by document ID, adding up the scores
// of a document in both.
func mergeDocs(a, b []docScore) []docScore {
	out := make([]docScore, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].doc < b[j].doc:
			out = append(out, a[i])
			i++
		case a[i].doc > b[j].doc:
			out = append(out, b[j])
			j++
		default:
			x := a[i]
			x.score += b[j].score
			out = append(out, x)
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// searchOneWordRead is the most a single word may cost (in posting rows,
// see searchGroup.cost) to be read whole.
const searchOneWordRead = 1000

// searchFullRead is the most postings the rarest of several words may
// have for the intersection to be read whole (about 0.2 µs of CPU per
// posting on SQLite). Beyond, its postings are streamed in rank order and
// the candidates are looked up in the other words' postings, batch by
// batch, until the window is full or searchWalk documents were looked up
// (a lookup costs about 6–13 µs).
const searchFullRead = 250000

// searchWalk is how many documents of the rarest word a streamed query
// looks up at most, per window.
const searchWalk = 20000

// probeSource yields the documents of src that have every word of
// groups (looked up in batches), until walk documents of src were read;
// then it fails with errSearchWalk (counted as "more than").
func (db *DB) probeSource(ctx context.Context, tx *sql.Tx, st *searchStale, src candSource, groups []searchGroup, walk int) candSource {
	var buf []searchCandidate
	walked, dry := 0, false
	return func(k int) ([]searchCandidate, error) {
		for len(buf) < k && !dry && walked < walk {
			batch, err := src(min(max(2*k, 256), searchProbeBatch, walk-walked))
			if err != nil {
				return nil, err
			}
			if len(batch) == 0 {
				dry = true
				break
			}
			walked += len(batch)
			ids := make([]int64, len(batch))
			for i, c := range batch {
				ids[i] = c.id
			}
			// How many of the other words each document has.
			has := make(map[int64]int, len(batch))
			for gi, g := range groups {
				if err := db.searchGroupPostings(ctx, tx, st, g, ids, func(doc, _ int64, _ int) {
					if has[doc] == gi {
						has[doc] = gi + 1
					}
				}); err != nil {
					return nil, err
				}
			}
			for _, c := range batch {
				if has[c.id] == len(groups) {
					buf = append(buf, c)
				}
			}
		}
		if len(buf) == 0 && !dry && walked >= walk {
			return nil, errSearchWalk
		}
		n := min(k, len(buf))
		out := buf[:n:n]
		buf = buf[n:]
		return out, nil
	}
}

// errSearchWalk: a source stopped at its walk budget (more may match).
var errSearchWalk = errors.New("search: walk budget spent")

// searchProbeRatio: a word with more than this many times as many
// postings as there are candidates is tested by looking up the
// candidates' postings (a seek each) rather than reading all of its own
// (a step each).
const searchProbeRatio = 32

// searchProbeBatch is how many documents one lookup statement names.
const searchProbeBatch = 2000

// searchGroupPostings calls f for each posting of the word g (with its
// weight for g), only of the documents ids when ids is not nil.
//
// The postings come aggregated, as two lists of numbers in one row
// (string_agg, on both databases): crossing database/sql row by row cost
// about three times as much CPU as the scan itself. Each number of the
// first list is doc_id*1024 + weight (weights are below 1024: the term
// weight cap times the largest boost is 160), the second list has the
// dkeys in the same order.
//
// Without ids, the terms with posting blocks are read from their blocks,
// except the postings of stale documents, which come from the rows.
func (db *DB) searchGroupPostings(ctx context.Context, tx *sql.Tx, st *searchStale, g searchGroup, ids []int64, f func(doc, dkey int64, eff int)) error {
	eff, eargs := searchEffExpr(g)
	cond, cargs := searchTermCond("p.term", g.t)
	read := func(where string, args []any) error {
		var docs, dkeys sql.NullString
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT string_agg(CAST(p.doc_id * 1024 + (CASE WHEN `+eff+` > 1023 THEN 1023 ELSE `+eff+` END) AS TEXT), ','),
			string_agg(CAST(p.dkey AS TEXT), ',') FROM search_postings p WHERE `+where), append(append(append([]any{}, eargs...), eargs...), args...)...).Scan(&docs, &dkeys)
		if err != nil {
			return fmt.Errorf("search: postings: %w", err)
		}
		ds, ks := docs.String, dkeys.String
		for ds != "" {
			var x, k int64
			var ok bool
			if x, ds, ok = cutInt(ds); !ok {
				return fmt.Errorf("search: postings: bad list")
			}
			if k, ks, ok = cutInt(ks); !ok {
				return fmt.Errorf("search: postings: bad list")
			}
			f(x>>10, k, int(x&1023))
		}
		return nil
	}
	if ids == nil {
		var blocked, rowTerms []string
		seq := int64(-1)
		for _, t := range g.terms {
			if !t.block {
				rowTerms = append(rowTerms, t.term)
				continue
			}
			blocked = append(blocked, t.term)
			if seq < 0 || t.seq < seq {
				seq = t.seq
			}
		}
		if len(blocked) == 0 {
			return read(cond, cargs)
		}
		if err := db.staleDocs(ctx, tx, st, seq); err != nil {
			return err
		}
		if len(rowTerms) > 0 {
			// The terms without a block, all of them current.
			c, a := cond, cargs
			if len(rowTerms) <= len(blocked) || len(rowTerms) <= 64 {
				c, a = "p.term IN ("+placeholders(len(rowTerms))+")", make([]any, len(rowTerms))
				for i, t := range rowTerms {
					a[i] = t
				}
			} else {
				c += " AND p.term NOT IN (" + placeholders(len(blocked)) + ")"
				a = slices.Clone(a)
				for _, t := range blocked {
					a = append(a, t)
				}
			}
			if err := read(c, a); err != nil {
				return err
			}
		}
		bargs := make([]any, len(blocked))
		for i, t := range blocked {
			bargs[i] = t
		}
		if len(st.list) > 0 {
			// The stale documents' postings of the blocked terms.
			for start := 0; start < len(st.list); start += searchProbeBatch {
				set, arg := db.idSet(st.list[start:min(start+searchProbeBatch, len(st.list))])
				if err := read(`p.doc_id IN (`+set+`) AND p.term IN (`+placeholders(len(blocked))+`)`, append([]any{arg}, bargs...)); err != nil {
					return err
				}
			}
		}
		half := map[string]bool{}
		for _, t := range g.terms {
			half[t.term] = t.half
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT term, data FROM search_blocks WHERE term IN (`+placeholders(len(blocked))+`)`), bargs...)
		if err != nil {
			return fmt.Errorf("search: blocks: %w", err)
		}
		defer rows.Close()
		var data []byte
		found := map[string]bool{}
		for rows.Next() {
			var term string
			if err := rows.Scan(&term, &data); err != nil {
				return fmt.Errorf("search: blocks: %w", err)
			}
			found[term] = true
			h, stale := half[term], st.docs
			if err := decodeBlock(data, func(doc, dkey int64, s int) {
				if len(stale) > 0 && stale[doc] {
					return
				}
				if h {
					s = (s + 1) / 2
				}
				f(doc, dkey, min(s, 1023))
			}); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("search: blocks: %w", err)
		}
		rows.Close()
		// A block dropped since the vocabulary was read (PostgreSQL reads
		// each statement in a snapshot of its own; a concurrent build
		// drops the blocks of terms that fell below BlockMin): its rows,
		// without the stale documents read above.
		var gone []any
		for _, t := range blocked {
			if !found[t] {
				gone = append(gone, t)
			}
		}
		if len(gone) == 0 {
			return nil
		}
		stale, g := st.docs, f
		f = func(doc, dkey int64, eff int) {
			if !stale[doc] {
				g(doc, dkey, eff)
			}
		}
		return read("p.term IN ("+placeholders(len(gone))+")", gone)
	}
	for start := 0; start < len(ids); start += searchProbeBatch {
		set, arg := db.idSet(ids[start:min(start+searchProbeBatch, len(ids))])
		if err := read(`p.doc_id IN (`+set+`) AND `+cond, append([]any{arg}, cargs...)); err != nil {
			return err
		}
	}
	return nil
}

// cutInt parses the integer at the start of a comma-separated list and
// returns the rest after the comma.
func cutInt(s string) (int64, string, bool) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg, i = true, 1
	}
	var n int64
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if i == start || (i < len(s) && s[i] != ',') {
		return 0, "", false
	}
	if neg {
		n = -n
	}
	if i < len(s) {
		i++
	}
	return n, s[i:], true
}

// searchPosting is one row of search_postings.
type searchPosting struct {
	term string
	s    int
	dkey int64
	doc  int64
}

// searchCursor reads the postings of some terms of a word in rank order,
// in growing batches.
type searchCursor struct {
	cond  string // on p.term
	args  []any
	group *searchGroup
	buf   []searchPosting
	last  *searchPosting
	done  bool
	batch int
}

// searchCursors is how many terms of a word get their own cursor; the
// rarer rest shares one.
const searchCursors = 24

// eff is the weight a posting adds to its document's word score.
func (c *searchCursor) eff(p searchPosting) int {
	if _, half := c.group.matches(p.term); half {
		return (p.s + 1) / 2
	}
	return p.s
}

// streamSource yields the documents of the word g that pass f, in the
// order of their best postings: one cursor per frequent term, merged.
func (db *DB) streamSource(ctx context.Context, tx *sql.Tx, g searchGroup, f postingFilter) candSource {
	terms := slices.Clone(g.terms)
	sort.Slice(terms, func(i, j int) bool { return terms[i].df > terms[j].df })
	var curs []*searchCursor
	first := 1024
	if len(terms) > 1 {
		first = 64
	}
	for i, t := range terms {
		if i == searchCursors-1 && len(terms) > searchCursors {
			// The rest: the word's range without the terms read above.
			cond, cargs := searchTermCond("p.term", g.t)
			cond += " AND p.term NOT IN (" + placeholders(i) + ")"
			for _, x := range terms[:i] {
				cargs = append(cargs, x.term)
			}
			curs = append(curs, &searchCursor{cond: cond, args: cargs, group: &g, batch: first})
			break
		}
		curs = append(curs, &searchCursor{cond: "p.term = ?", args: []any{t.term}, group: &g, batch: first})
	}
	where, wargs := f.sql()
	seen := map[int64]bool{}
	return func(k int) ([]searchCandidate, error) {
		var out []searchCandidate
		for len(out) < k {
			var best *searchCursor
			for _, c := range curs {
				if len(c.buf) == 0 && !c.done {
					if err := db.searchFill(ctx, tx, c, where, wargs); err != nil {
						return nil, err
					}
				}
				if len(c.buf) == 0 {
					continue
				}
				if best == nil {
					best = c
					continue
				}
				p, q := c.buf[0], best.buf[0]
				if e, f := c.eff(p), best.eff(q); e > f || (e == f && (p.dkey > q.dkey || (p.dkey == q.dkey && p.doc > q.doc))) {
					best = c
				}
			}
			if best == nil {
				break
			}
			p := best.buf[0]
			best.buf = best.buf[1:]
			if seen[p.doc] {
				continue
			}
			seen[p.doc] = true
			out = append(out, newCandidate(p.doc, p.dkey, best.eff(p)))
		}
		return out, nil
	}
}

// searchFill reads the cursor's next batch of postings that pass where.
func (db *DB) searchFill(ctx context.Context, tx *sql.Tx, c *searchCursor, where string, wargs []any) error {
	q := `SELECT p.term, p.s, p.dkey, p.doc_id FROM search_postings p WHERE ` + c.cond
	all := append([]any{}, c.args...)
	if c.last != nil {
		q += ` AND (p.s, p.dkey, p.doc_id) < (?, ?, ?)`
		all = append(all, c.last.s, c.last.dkey, c.last.doc)
	}
	q += where + ` ORDER BY p.s DESC, p.dkey DESC, p.doc_id DESC LIMIT ?`
	all = append(append(all, wargs...), c.batch)
	rows, err := tx.QueryContext(ctx, db.rebind(q), all...)
	if err != nil {
		return fmt.Errorf("search: postings: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p searchPosting
		if err := rows.Scan(&p.term, &p.s, &p.dkey, &p.doc); err != nil {
			return fmt.Errorf("search: postings: %w", err)
		}
		c.buf = append(c.buf, p)
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: postings: %w", err)
	}
	if n < c.batch {
		c.done = true
	}
	if n > 0 {
		last := c.buf[len(c.buf)-1]
		c.last = &last
	}
	c.batch = min(c.batch*4, 4096)
	return nil
}

// searchScores computes the candidates' full scores: per word the sum of
// its matching terms' weights (half for root matches), over all words.
func (db *DB) searchScores(ctx context.Context, tx *sql.Tx, cs []searchCandidate, groups []searchGroup) error {
	ids := make([]int64, len(cs))
	at := make(map[int64]int, len(cs))
	for i, c := range cs {
		ids[i], at[c.id] = c.id, i
		cs[i].score = 0
	}
	set, arg := db.idSet(ids)
	var conds []string
	args := []any{arg}
	for _, g := range groups {
		c, a := searchTermCond("term", g.t)
		conds = append(conds, c)
		args = append(args, a...)
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT doc_id, term, s FROM search_postings WHERE doc_id IN (`+set+`) AND (`+
		strings.Join(conds, " OR ")+`)`), args...)
	if err != nil {
		return fmt.Errorf("search: score: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p searchPosting
		if err := rows.Scan(&p.doc, &p.term, &p.s); err != nil {
			return fmt.Errorf("search: score: %w", err)
		}
		i, ok := at[p.doc]
		if !ok {
			continue
		}
		for _, g := range groups {
			if ok, half := g.matches(p.term); ok {
				if half {
					cs[i].score += (p.s + 1) / 2
				} else {
					cs[i].score += p.s
				}
			}
		}
	}
	return rows.Err()
}

func hasSearchFilter(q ratsnetz.SearchQuery) bool {
	return q.Kind != "" || q.BodyID != 0 || q.PaperType != "" || q.Year != 0 || q.Status != ""
}

// filterCandidates keeps the candidates that pass the filters of q.
func filterCandidates(cs []searchCandidate, q ratsnetz.SearchQuery) []searchCandidate {
	out := cs[:0:0]
	for _, c := range cs {
		if (q.Kind == "" || c.kind == q.Kind) && (q.BodyID == 0 || c.bodyID == q.BodyID) && (q.PaperType == "" || c.paperType == q.PaperType) &&
			(q.Year == 0 || c.year == q.Year) && (q.Status == "" || c.status == q.Status) {
			out = append(out, c)
		}
	}
	return out
}

// searchHits loads the shown hits: titles, texts, snippets, and the
// meetings of agenda items.
func (db *DB) searchHits(ctx context.Context, tx *sql.Tx, res *ratsnetz.SearchResult, page []searchCandidate, pq search.Query) error {
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	set, arg := db.idSet(ids)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id, d.title, d.subtitle, d.body, d.date, d.body_id, d.paper_type, d.status
		FROM search_docs d WHERE d.id IN (`+set+`)`), arg)
	if err != nil {
		return fmt.Errorf("search: hits: %w", err)
	}
	type text struct {
		title, subtitle, body string
		c                     searchCandidate
	}
	texts := map[int64]text{}
	for rows.Next() {
		var id int64
		var t text
		if err := rows.Scan(&id, &t.title, &t.subtitle, &t.body, timeScanner{&t.c.date}, &t.c.bodyID, &t.c.paperType, &t.c.status); err != nil {
			rows.Close()
			return fmt.Errorf("search: hits: %w", err)
		}
		texts[id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: hits: %w", err)
	}
	for _, c := range page {
		t := texts[c.id]
		h := &ratsnetz.SearchHit{Kind: c.kind, ObjectID: c.objectID, Subtitle: t.subtitle, Date: t.c.date, BodyID: t.c.bodyID,
			PaperType: t.c.paperType, Status: t.c.status, Score: c.score}
		h.Title = parts(search.Highlight(t.title, pq))
		snippet, page := search.Snippet(t.body, pq, snippetWidth)
		if t.body != "" {
			h.Snippet = parts(snippet)
		}
		if h.Kind == ratsnetz.SearchFile && strings.Contains(t.body, "\f") {
			h.Page = page
		}
		res.Hits = append(res.Hits, h)
	}
	// Agenda items are addressed within their meeting.
	var items []int64
	for _, h := range res.Hits {
		if h.Kind == ratsnetz.SearchAgendaItem {
			items = append(items, h.ObjectID)
		}
	}
	if len(items) > 0 {
		meetings := map[int64]int64{}
		if err := db.refs(ctx, tx, `SELECT id, '', meeting_id FROM agenda_items WHERE id IN (%s)`, items, func(r refRow) {
			meetings[r.owner] = r.ref
		}); err != nil {
			return fmt.Errorf("search: meetings of agenda items: %w", err)
		}
		for _, h := range res.Hits {
			if h.Kind == ratsnetz.SearchAgendaItem {
				h.ParentID = meetings[h.ObjectID]
			}
		}
	}
	return nil
}

func parts(ps []search.Part) []ratsnetz.SearchPart {
	out := make([]ratsnetz.SearchPart, len(ps))
	for i, p := range ps {
		out[i] = ratsnetz.SearchPart{Text: p.Text, Match: p.Match}
	}
	return out
}

// searchKindVis is how the viewer's visibility of one kind of search
// document d is tested: join the object (join, on d.object_id) and test
// pred on it.
type searchKindVis struct {
	join, pred string
}

// searchVisible is the viewer's visibility per kind code of the search
// documents, built from the find methods' rules: papers, meetings and
// files as listed, agenda items only with their content (a redacted item
// is not found by its hidden text), the always-public kinds unless
// deleted. searchCheck tests each kind by a statement of its own: one
// statement over all kinds (an OR of seven subplans) cost PostgreSQL more
// to plan and run than the few it replaces.
func searchVisible(w viewer) [8]searchKindVis {
	kind := func(table, a, pred string) searchKindVis {
		if pred == "" {
			pred = "TRUE"
		}
		return searchKindVis{join: " JOIN " + table + " " + a + " ON " + a + ".id = d.object_id", pred: pred}
	}
	both := func(x, y string) string {
		switch {
		case x == "":
			return y
		case y == "":
			return x
		}
		return x + " AND " + y
	}
	ai := w.agendaItem("sa", false)
	var out [8]searchKindVis
	out[searchKindCode(ratsnetz.SearchPaper)] = kind("papers", "sp", w.paper("sp", false).list)
	out[searchKindCode(ratsnetz.SearchAgendaItem)] = kind("agenda_items", "sa", both(ai.list, ai.byID))
	out[searchKindCode(ratsnetz.SearchMeeting)] = kind("meetings", "sm", w.meeting("sm", false).list)
	out[searchKindCode(ratsnetz.SearchFile)] = kind("files", "sf", w.file("sf", false).list)
	out[searchKindCode(ratsnetz.SearchOrganization)] = kind("organizations", "so", plainVis("so", false).list)
	out[searchKindCode(ratsnetz.SearchPerson)] = kind("persons", "spe", plainVis("spe", false).list)
	out[searchKindCode(ratsnetz.SearchBody)] = kind("bodies", "sb", plainVis("sb", false).list)
	return out
}

// searchFilters splits the query's filters: kind and year are tested on
// the postings (f), body, paper type and status on the document row d
// (" AND …", with args).
func (db *DB) searchFilters(q ratsnetz.SearchQuery) (postingFilter, string, []any) {
	var f postingFilter
	if q.Kind != "" {
		f.kind = searchKindCode(q.Kind)
	}
	if q.Year != 0 {
		f.hasYearFilter = true
		f.from = time.Date(q.Year, 1, 1, 0, 0, 0, 0, db.location()).Unix()
		f.to = time.Date(q.Year+1, 1, 1, 0, 0, 0, 0, db.location()).Unix()
	}
	var b strings.Builder
	var args []any
	if q.BodyID != 0 {
		b.WriteString(" AND d.body_id = ?")
		args = append(args, q.BodyID)
	}
	if q.PaperType != "" {
		b.WriteString(" AND d.paper_type = ?")
		args = append(args, q.PaperType)
	}
	if q.Status != "" {
		b.WriteString(" AND d.status = ?")
		args = append(args, q.Status)
	}
	return f, b.String(), args
}

// facets returns the total under all filters and each facet's counts under
// all other filters.
func facets(combos []searchCandidate, q ratsnetz.SearchQuery) (int, map[string][]ratsnetz.SearchFacet) {
	type facet struct {
		name  string
		value func(c searchCandidate) string
		keep  func(c searchCandidate) bool
	}
	fs := []facet{
		{"kind", func(c searchCandidate) string { return c.kind }, func(c searchCandidate) bool { return q.Kind == "" || c.kind == q.Kind }},
		{"body", func(c searchCandidate) string {
			if c.bodyID == 0 {
				return ""
			}
			return strconv.FormatInt(c.bodyID, 10)
		}, func(c searchCandidate) bool { return q.BodyID == 0 || c.bodyID == q.BodyID }},
		{"paper_type", func(c searchCandidate) string { return c.paperType }, func(c searchCandidate) bool { return q.PaperType == "" || c.paperType == q.PaperType }},
		{"year", func(c searchCandidate) string {
			if c.year == 0 {
				return ""
			}
			return strconv.Itoa(c.year)
		}, func(c searchCandidate) bool { return q.Year == 0 || c.year == q.Year }},
		{"status", func(c searchCandidate) string { return c.status }, func(c searchCandidate) bool { return q.Status == "" || c.status == q.Status }},
	}
	total := 0
	out := map[string][]ratsnetz.SearchFacet{}
	counts := make([]map[string]int, len(fs))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	for _, c := range combos {
		all := true
		for _, f := range fs {
			all = all && f.keep(c)
		}
		if all {
			total += c.n
		}
		for i, f := range fs {
			others := true
			for j, g := range fs {
				if j != i {
					others = others && g.keep(c)
				}
			}
			if v := f.value(c); others && v != "" {
				counts[i][v] += c.n
			}
		}
	}
	for i, f := range fs {
		var list []ratsnetz.SearchFacet
		for v, n := range counts[i] {
			list = append(list, ratsnetz.SearchFacet{Value: v, Count: n})
		}
		sort.Slice(list, func(a, b int) bool {
			if f.name == "year" {
				return list[a].Value > list[b].Value
			}
			if list[a].Count != list[b].Count {
				return list[a].Count > list[b].Count
			}
			return list[a].Value < list[b].Value
		})
		if len(list) > 0 {
			out[f.name] = list
		}
	}
	return total, out
}
