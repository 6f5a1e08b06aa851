package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
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
// indexed term, weighted half), phrases must stand in the document's term
// text, excluded terms must not. The score is the sum of the matched
// terms' weights times the kind's boost; ties go to the newer document,
// then the higher ID.
//
// Who may see a hit is decided inside the queries by the same predicates
// as the find methods (visibility.go), for the hits and for the counts and
// facets alike; snippets are cut only from documents the viewer may see.
//
// To stay fast on large data, matches are ranked first (index only) and
// visibility is checked on the best searchWindow of them: counts and
// facets are exact up to that many matches, beyond it Total is a lower
// bound (TotalCapped) and facets count among the window. Hits are always
// exact: when the window holds too few visible ones, a larger one is read.
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

	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w := db.viewerOf(ctx)
	m := db.searchMatch(pq)
	visible := searchVisible(w)

	// The best matches regardless of filters: counts and facets.
	all, err := db.searchCandidates(ctx, tx, m, ratsnetz.SearchQuery{}, searchWindow+1)
	if err != nil {
		return nil, err
	}
	allCapped := len(all) > searchWindow
	if allCapped {
		all = all[:searchWindow]
	}
	if all, err = db.searchVisibleOnly(ctx, tx, all, visible); err != nil {
		return nil, err
	}
	res.Total, res.Facets = facets(all, q)
	res.TotalCapped = allCapped

	// The filtered matches: hits (and the total, when the window was cut).
	filtered := filterCandidates(all, q)
	capped := allCapped
	if allCapped && hasSearchFilter(q) {
		if filtered, err = db.searchCandidates(ctx, tx, m, q, searchWindow+1); err != nil {
			return nil, err
		}
		capped = len(filtered) > searchWindow
		if capped {
			filtered = filtered[:searchWindow]
		}
		if filtered, err = db.searchVisibleOnly(ctx, tx, filtered, visible); err != nil {
			return nil, err
		}
		res.Total, res.TotalCapped = len(filtered), capped
	}
	// Deep pages beyond the window: widen until enough visible ones.
	for k := 4 * searchWindow; capped && len(filtered) < offset+limit; k *= 4 {
		var more []searchCandidate
		if more, err = db.searchCandidates(ctx, tx, m, q, k+1); err != nil {
			return nil, err
		}
		capped = len(more) > k
		if capped {
			more = more[:k]
		}
		if filtered, err = db.searchVisibleOnly(ctx, tx, more, visible); err != nil {
			return nil, err
		}
		if len(filtered) > res.Total {
			res.Total = len(filtered)
		}
	}
	if offset >= len(filtered) {
		return res, nil
	}
	page := filtered[offset:min(offset+limit, len(filtered))]
	if err := db.searchHits(ctx, tx, res, page, pq); err != nil {
		return nil, err
	}
	return res, nil
}

// searchWindow is how many of the best matches counts and facets cover
// exactly.
const searchWindow = 2000

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
	date      time.Time
	n         int // for facets: how many documents it stands for (1)
}

// searchMatched is the matching part of a query: FROM with one join per
// required term, the score, the match conditions and their arguments.
type searchMatched struct {
	from, score, where string
	args               []any
}

// searchCandidates returns up to max documents matching m and the filters
// of q, best first, without regard to who may see them.
func (db *DB) searchCandidates(ctx context.Context, tx *sql.Tx, m searchMatched, q ratsnetz.SearchQuery, max int) ([]searchCandidate, error) {
	filters, fargs := searchFilters(q)
	where := m.where
	if where == "" {
		where = "TRUE"
	}
	args := append(append(append([]any{}, m.args...), fargs...), max)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id, d.kind, d.object_id, d.body_id, d.paper_type, d.year, d.status, d.date, `+m.score+` AS score
		FROM `+m.from+` WHERE `+where+filters+`
		ORDER BY score DESC, d.date DESC`+db.dialect.NullsLast+`, d.id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	defer rows.Close()
	var out []searchCandidate
	for rows.Next() {
		c := searchCandidate{n: 1}
		if err := rows.Scan(&c.id, &c.kind, &c.objectID, &c.bodyID, &c.paperType, &c.year, &c.status, timeScanner{&c.date}, &c.score); err != nil {
			return nil, fmt.Errorf("search: match: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: match: %w", err)
	}
	return out, nil
}

// searchVisibleOnly keeps the candidates the viewer may see, in order.
func (db *DB) searchVisibleOnly(ctx context.Context, tx *sql.Tx, cs []searchCandidate, visible string) ([]searchCandidate, error) {
	if len(cs) == 0 {
		return cs, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.id
	}
	set, arg := db.idSet(ids)
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id FROM search_docs d WHERE d.id IN (`+set+`) AND `+visible), arg)
	if err != nil {
		return nil, fmt.Errorf("search: visibility: %w", err)
	}
	defer rows.Close()
	ok := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search: visibility: %w", err)
		}
		ok[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: visibility: %w", err)
	}
	out := cs[:0:0]
	for _, c := range cs {
		if ok[c.id] {
			out = append(out, c)
		}
	}
	return out, nil
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
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.id, d.title, d.subtitle, d.body FROM search_docs d WHERE d.id IN (`+set+`)`), arg)
	if err != nil {
		return fmt.Errorf("search: hits: %w", err)
	}
	type text struct{ title, subtitle, body string }
	texts := map[int64]text{}
	for rows.Next() {
		var id int64
		var t text
		if err := rows.Scan(&id, &t.title, &t.subtitle, &t.body); err != nil {
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
		h := &ratsnetz.SearchHit{Kind: c.kind, ObjectID: c.objectID, Subtitle: t.subtitle, Date: c.date, BodyID: c.bodyID,
			PaperType: c.paperType, Status: c.status, Score: c.score}
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

// searchMatch returns the matching part of a query (no visibility: see
// searchVisible).
func (db *DB) searchMatch(pq search.Query) searchMatched {
	var f strings.Builder
	var args []any
	f.WriteString("search_docs d")
	var scores []string
	for i, t := range pq.Terms {
		a := "s" + strconv.Itoa(i)
		if t.Prefix == "" {
			f.WriteString(" JOIN search_terms " + a + " ON " + a + ".doc_id = d.id AND " + a + ".term = ?")
			args = append(args, t.Term)
		} else {
			// Terms that start with the whole query term (compounds:
			// Digitalisierungsstrategie for Digitalisierung) weigh fully,
			// those that only share the root (digitale) half.
			f.WriteString(" JOIN (SELECT doc_id, SUM(CASE WHEN term >= ? AND term < ? THEN w ELSE (w + 1) / 2 END) AS w FROM search_terms" +
				" WHERE term = ? OR (term >= ? AND term < ?) GROUP BY doc_id) " + a + " ON " + a + ".doc_id = d.id")
			args = append(args, t.Term, t.Term+prefixEnd, t.Term, t.Prefix, t.Prefix+prefixEnd)
		}
		scores = append(scores, a+".w")
	}
	var conds []string
	for _, t := range pq.Exclude {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM search_terms x WHERE x.term = ? AND x.doc_id = d.id)")
		args = append(args, t)
	}
	for _, p := range pq.Phrases {
		conds = append(conds, "d.terms LIKE ?")
		args = append(args, "%"+search.PhraseText(p)+"%")
	}
	for _, p := range pq.ExcludePhrases {
		conds = append(conds, "d.terms NOT LIKE ?")
		args = append(args, "%"+search.PhraseText(p)+"%")
	}
	return searchMatched{from: f.String(), score: "(" + strings.Join(scores, " + ") + ") * d.boost",
		where: strings.Join(conds, " AND "), args: args}
}

// searchVisible is the predicate "the viewer may see the object of search
// document d", built from the find methods' rules: papers, meetings and
// files as listed, agenda items only with their content (a redacted item is
// not found by its hidden text), the always-public kinds unless deleted.
func searchVisible(w viewer) string {
	kind := func(k, table, a, pred string) string {
		if pred == "" {
			pred = "TRUE"
		}
		return "(d.kind = '" + k + "' AND EXISTS (SELECT 1 FROM " + table + " " + a + " WHERE " + a + ".id = d.object_id AND " + pred + "))"
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

// searchFilters is the SQL of the query's filters (" AND …" or "").
func searchFilters(q ratsnetz.SearchQuery) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Kind != "" {
		b.WriteString(" AND d.kind = ?")
		args = append(args, q.Kind)
	}
	if q.BodyID != 0 {
		b.WriteString(" AND d.body_id = ?")
		args = append(args, q.BodyID)
	}
	if q.PaperType != "" {
		b.WriteString(" AND d.paper_type = ?")
		args = append(args, q.PaperType)
	}
	if q.Year != 0 {
		b.WriteString(" AND d.year = ?")
		args = append(args, q.Year)
	}
	if q.Status != "" {
		b.WriteString(" AND d.status = ?")
		args = append(args, q.Status)
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
