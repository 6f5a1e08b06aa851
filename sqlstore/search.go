package sqlstore

import (
	"context"
	"database/sql"
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
// are the same SQL on both databases over the terms package search
// produced: every query term must occur (exactly, or as a prefix of an
// indexed term, weighted half when only the root matches), phrases must
// stand in the document's term text, excluded terms must not. The score is
// the sum of the matched terms' weights times the kind's boost (both folded
// into the postings); ties go to the newer document, then the higher ID.
//
// The best hits come from the term index alone: the postings of the
// rarest query word are read in rank order (search_postings' primary key,
// backwards), and each posting is checked inside the same statement — the
// viewer may see its object (visibility.go), the other words, phrases,
// exclusions and filters hold — until searchWindow matches are found.
// Those are ranked by their full score. Counts and facets are exact when
// there are at most searchWindow matches; beyond, Total says "more than"
// (TotalCapped) and facets count the window. Because the visibility test
// is part of the statement that fills the window, hidden documents never
// take a place in it: they change neither hits nor counts nor facets.
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
	}
	w := db.viewerOf(ctx)
	groups, err := db.searchGroups(ctx, tx, pq)
	if err != nil || groups == nil {
		return res, err
	}
	drive := 0
	for i, g := range groups {
		if g.df < groups[drive].df {
			drive = i
		}
	}
	match, margs := searchMatchConds(pq, groups, drive)
	if !q.Since.IsZero() {
		// Not a facet: it narrows the matches themselves.
		match += " AND p.dkey >= ?"
		margs = append(margs, q.Since.Unix())
	}
	visible := searchVisible(w, "p.doc_id")

	// The unfiltered window: counts and facets.
	all, allDone, err := db.searchStream(ctx, tx, groups[drive], match, visible, margs, searchWindow)
	if err != nil {
		return nil, err
	}
	if err := db.searchFacetValues(ctx, tx, all); err != nil {
		return nil, err
	}
	res.Total, res.Facets = facets(all, q)
	res.TotalCapped = !allDone

	// The filtered window: hits (and the total, when the first was cut).
	filtered := filterCandidates(all, q)
	if !allDone && (hasSearchFilter(q) || need > len(all)) {
		filters, fargs := db.searchFilters(q)
		var done bool
		filtered, done, err = db.searchStream(ctx, tx, groups[drive], match+filters, visible,
			append(append([]any{}, margs...), fargs...), max(searchWindow, need))
		if err != nil {
			return nil, err
		}
		res.Total, res.TotalCapped = len(filtered), !done
	}
	if offset >= len(filtered) {
		return res, nil
	}
	if err := db.searchScores(ctx, tx, filtered, groups); err != nil {
		return nil, err
	}
	sort.Slice(filtered, func(i, j int) bool {
		a, b := filtered[i], filtered[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.dkey != b.dkey {
			return a.dkey > b.dkey
		}
		return a.id > b.id
	})
	page := filtered[offset:min(need, len(filtered))]
	if err := db.searchHits(ctx, tx, res, page, pq); err != nil {
		return nil, err
	}
	return res, nil
}

// searchWindow is how many matches counts and facets cover exactly and
// how many are ranked by their full score.
const searchWindow = 1000

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

// searchGroup is one query word: the indexed terms it matches.
type searchGroup struct {
	t     search.QueryTerm
	terms []searchTerm
	df    int64 // postings of all its terms (estimate)
}

// searchTerm is an indexed term a query word matches; half: only by the
// word's root (weighted half).
type searchTerm struct {
	term string
	half bool
	df   int64
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

// searchGroups expands the query words into indexed terms (vocabulary);
// nil if a word matches no term (then nothing matches).
func (db *DB) searchGroups(ctx context.Context, tx *sql.Tx, pq search.Query) ([]searchGroup, error) {
	groups := make([]searchGroup, 0, len(pq.Terms))
	for _, t := range pq.Terms {
		g := searchGroup{t: t}
		cond, args := searchTermCond("term", t)
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT term, df FROM search_vocab WHERE `+cond), args...)
		if err != nil {
			return nil, fmt.Errorf("search: vocabulary: %w", err)
		}
		for rows.Next() {
			var st searchTerm
			if err := rows.Scan(&st.term, &st.df); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: vocabulary: %w", err)
			}
			ok, half := g.matches(st.term)
			if !ok {
				continue
			}
			st.half = half
			g.terms = append(g.terms, st)
			g.df += st.df
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
	return groups, nil
}

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

// searchMatchConds are the conditions on a posting p of the driving word
// that make its document a match: the other words occur, the phrases
// stand, the excluded words do not ("" or " AND …" parts, joined).
func searchMatchConds(pq search.Query, groups []searchGroup, drive int) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("TRUE")
	for i, g := range groups {
		if i == drive {
			continue
		}
		cond, cargs := searchTermCond("o.term", g.t)
		b.WriteString(" AND EXISTS (SELECT 1 FROM search_postings o WHERE o.doc_id = p.doc_id AND " + cond + ")")
		args = append(args, cargs...)
	}
	for _, t := range pq.Exclude {
		b.WriteString(" AND NOT EXISTS (SELECT 1 FROM search_postings x WHERE x.doc_id = p.doc_id AND x.term = ?)")
		args = append(args, t)
	}
	var phrases []string
	for _, ph := range pq.Phrases {
		phrases = append(phrases, "d.terms LIKE ?")
		args = append(args, "%"+search.PhraseText(ph)+"%")
	}
	for _, ph := range pq.ExcludePhrases {
		phrases = append(phrases, "d.terms NOT LIKE ?")
		args = append(args, "%"+search.PhraseText(ph)+"%")
	}
	if len(phrases) > 0 {
		b.WriteString(" AND EXISTS (SELECT 1 FROM search_docs d WHERE d.id = p.doc_id AND " + strings.Join(phrases, " AND ") + ")")
	}
	return b.String(), args
}

// searchPosting is one row of search_postings.
type searchPosting struct {
	term string
	s    int
	dkey int64
	doc  int64
}

// searchCursor reads the postings of some terms of the driving word in
// rank order, in growing batches.
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

// searchStream returns up to n documents matching the driving word g and
// the conditions where (on the posting p, with args), in the order of g's
// best postings; done when there are no more.
func (db *DB) searchStream(ctx context.Context, tx *sql.Tx, g searchGroup, where, visible string, args []any, n int) ([]searchCandidate, bool, error) {
	terms := slices.Clone(g.terms)
	sort.Slice(terms, func(i, j int) bool { return terms[i].df > terms[j].df })
	var curs []*searchCursor
	first := 256
	if len(terms) > 1 {
		first = 32
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
	seen := map[int64]bool{}
	var out []searchCandidate
	for len(out) <= n {
		var best *searchCursor
		for _, c := range curs {
			if len(c.buf) == 0 && !c.done {
				if err := db.searchFill(ctx, tx, c, where, visible, args); err != nil {
					return nil, false, err
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
			return out, true, nil
		}
		p := best.buf[0]
		best.buf = best.buf[1:]
		if seen[p.doc] {
			continue
		}
		seen[p.doc] = true
		out = append(out, searchCandidate{id: p.doc, kind: searchKinds[p.doc&7], objectID: p.doc >> 3, dkey: p.dkey, n: 1})
	}
	return out[:n], false, nil
}

// searchFill reads the cursor's next batch.
func (db *DB) searchFill(ctx context.Context, tx *sql.Tx, c *searchCursor, where, visible string, args []any) error {
	q := `SELECT p.term, p.s, p.dkey, p.doc_id FROM search_postings p WHERE ` + c.cond
	all := append([]any{}, c.args...)
	if c.last != nil {
		q += ` AND (p.s, p.dkey, p.doc_id) < (?, ?, ?)`
		all = append(all, c.last.s, c.last.dkey, c.last.doc)
	}
	const order = ` ORDER BY p.s DESC, p.dkey DESC, p.doc_id DESC`
	if db.dialect.Name == "postgres" {
		// The fence (OFFSET 0) makes PostgreSQL test the words first and
		// the visibility only on the postings that match; it tested
		// visibility first, for every posting of the word.
		q = `SELECT p.term, p.s, p.dkey, p.doc_id FROM (` + q + ` AND ` + where + order + ` OFFSET 0) p WHERE ` + visible + order + ` LIMIT ?`
	} else {
		q += ` AND ` + where + ` AND ` + visible + order + ` LIMIT ?`
	}
	all = append(append(all, args...), c.batch)
	rows, err := tx.QueryContext(ctx, db.rebind(q), all...)
	if err != nil {
		return fmt.Errorf("search: match: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p searchPosting
		if err := rows.Scan(&p.term, &p.s, &p.dkey, &p.doc); err != nil {
			return fmt.Errorf("search: match: %w", err)
		}
		c.buf = append(c.buf, p)
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: match: %w", err)
	}
	if n < c.batch {
		c.done = true
	}
	if n > 0 {
		last := c.buf[len(c.buf)-1]
		c.last = &last
	}
	c.batch = min(c.batch*4, 2048)
	return nil
}

// searchFacetValues reads the facet values of the candidates.
func (db *DB) searchFacetValues(ctx context.Context, tx *sql.Tx, cs []searchCandidate) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	at := make(map[int64]int, len(cs))
	for i, c := range cs {
		ids[i], at[c.id] = c.id, i
	}
	set, arg := db.idSet(ids)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id, d.body_id, d.paper_type, d.year, d.status FROM search_docs d WHERE d.id IN (`+set+`)`), arg)
	if err != nil {
		return fmt.Errorf("search: facets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c searchCandidate
		if err := rows.Scan(&c.id, &c.bodyID, &c.paperType, &c.year, &c.status); err != nil {
			return fmt.Errorf("search: facets: %w", err)
		}
		if i, ok := at[c.id]; ok {
			x := &cs[i]
			x.bodyID, x.paperType, x.year, x.status = c.bodyID, c.paperType, c.year, c.status
		}
	}
	return rows.Err()
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

// searchVisible is the predicate "the viewer may see the object of the
// search document with ID id" (an SQL expression), built from the find
// methods' rules: papers, meetings and files as listed, agenda items only
// with their content (a redacted item is not found by its hidden text),
// the always-public kinds unless deleted.
func searchVisible(w viewer, id string) string {
	kind := func(k, table, a, pred string) string {
		if pred == "" {
			pred = "TRUE"
		}
		return "(" + id + " % 8 = " + strconv.FormatInt(searchKindCode(k), 10) + " AND EXISTS (SELECT 1 FROM " + table + " " + a +
			" WHERE " + a + ".id = " + id + " / 8 AND " + pred + "))"
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
	return "(" + strings.Join([]string{
		kind(ratsnetz.SearchPaper, "papers", "sp", w.paper("sp", false).list),
		kind(ratsnetz.SearchAgendaItem, "agenda_items", "sa", both(ai.list, ai.byID)),
		kind(ratsnetz.SearchMeeting, "meetings", "sm", w.meeting("sm", false).list),
		kind(ratsnetz.SearchFile, "files", "sf", w.file("sf", false).list),
		kind(ratsnetz.SearchOrganization, "organizations", "so", plainVis("so", false).list),
		kind(ratsnetz.SearchPerson, "persons", "spe", plainVis("spe", false).list),
		kind(ratsnetz.SearchBody, "bodies", "sb", plainVis("sb", false).list),
	}, " OR ") + ")"
}

// searchFilters is the SQL of the query's filters on a posting p
// (" AND …" or ""): kind and year from the posting itself, the others from
// the document row.
func (db *DB) searchFilters(q ratsnetz.SearchQuery) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Kind != "" {
		b.WriteString(" AND p.doc_id % 8 = ?")
		args = append(args, searchKindCode(q.Kind))
	}
	if q.Year != 0 {
		b.WriteString(" AND p.dkey >= ? AND p.dkey < ?")
		args = append(args, time.Date(q.Year, 1, 1, 0, 0, 0, 0, db.location()).Unix(), time.Date(q.Year+1, 1, 1, 0, 0, 0, 0, db.location()).Unix())
	}
	var doc []string
	if q.BodyID != 0 {
		doc = append(doc, "d.body_id = ?")
		args = append(args, q.BodyID)
	}
	if q.PaperType != "" {
		doc = append(doc, "d.paper_type = ?")
		args = append(args, q.PaperType)
	}
	if q.Status != "" {
		doc = append(doc, "d.status = ?")
		args = append(args, q.Status)
	}
	if len(doc) > 0 {
		b.WriteString(" AND EXISTS (SELECT 1 FROM search_docs d WHERE d.id = p.doc_id AND " + strings.Join(doc, " AND ") + ")")
	}
	return b.String(), args
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
