package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

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
// terms' weights; ties go to the newer document, then the higher ID.
//
// Who may see a hit is decided inside the query by the same predicates as
// the find methods (visibility.go), for the hits and for the counts and
// facets alike; snippets are cut only from documents the viewer may see.
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

	from, score, where, args := db.searchMatch(w, pq)

	// Counts and facets: one grouped query, combined in Go so that each
	// facet counts with every other filter applied.
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT d.kind, d.body_id, d.paper_type, d.year, d.status, COUNT(*)
		FROM `+from+` WHERE `+where+` GROUP BY d.kind, d.body_id, d.paper_type, d.year, d.status`), args...)
	if err != nil {
		return nil, fmt.Errorf("search: count: %w", err)
	}
	var combos []searchCombo
	for rows.Next() {
		var c searchCombo
		if err := rows.Scan(&c.kind, &c.bodyID, &c.paperType, &c.year, &c.status, &c.n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: count: %w", err)
		}
		combos = append(combos, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: count: %w", err)
	}
	res.Total, res.Facets = facets(combos, q)
	if res.Total == 0 || offset >= res.Total {
		return res, nil
	}

	filters, fargs := searchFilters(q)
	hargs := append(append(append([]any{}, args...), fargs...), limit, offset)
	rows, err = tx.QueryContext(ctx, db.rebind(`SELECT d.kind, d.object_id, d.title, d.subtitle, d.date, d.body_id,
		d.paper_type, d.status, d.body, `+score+` AS score
		FROM `+from+` WHERE `+where+filters+`
		ORDER BY score DESC, d.date DESC`+db.dialect.NullsLast+`, d.id DESC LIMIT ? OFFSET ?`), hargs...)
	if err != nil {
		return nil, fmt.Errorf("search: hits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		h := &ratsnetz.SearchHit{}
		var title, body string
		if err := rows.Scan(&h.Kind, &h.ObjectID, &title, &h.Subtitle, timeScanner{&h.Date}, &h.BodyID,
			&h.PaperType, &h.Status, &body, &h.Score); err != nil {
			return nil, fmt.Errorf("search: hits: %w", err)
		}
		h.Title = parts(search.Highlight(title, pq))
		snippet, page := search.Snippet(body, pq, snippetWidth)
		if body != "" {
			h.Snippet = parts(snippet)
		}
		if h.Kind == ratsnetz.SearchFile && strings.Contains(body, "\f") {
			h.Page = page
		}
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: hits: %w", err)
	}
	rows.Close()
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
			return nil, fmt.Errorf("search: meetings of agenda items: %w", err)
		}
		for _, h := range res.Hits {
			if h.Kind == ratsnetz.SearchAgendaItem {
				h.ParentID = meetings[h.ObjectID]
			}
		}
	}
	return res, nil
}

func parts(ps []search.Part) []ratsnetz.SearchPart {
	out := make([]ratsnetz.SearchPart, len(ps))
	for i, p := range ps {
		out[i] = ratsnetz.SearchPart{Text: p.Text, Match: p.Match}
	}
	return out
}

// searchMatch returns the FROM clause with one join per required term, the
// score expression, and the WHERE clause of matching documents the viewer
// may see, with their arguments in order.
func (db *DB) searchMatch(w viewer, pq search.Query) (from, score, where string, args []any) {
	var f strings.Builder
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
	conds := []string{searchVisible(w)}
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
	return f.String(), "(" + strings.Join(scores, " + ") + ") * d.boost", strings.Join(conds, " AND "), args
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

// searchCombo is the number of visible matches with one combination of
// facet values.
type searchCombo struct {
	kind, paperType, status string
	bodyID                  int64
	year                    int
	n                       int
}

// facets returns the total under all filters and each facet's counts under
// all other filters.
func facets(combos []searchCombo, q ratsnetz.SearchQuery) (int, map[string][]ratsnetz.SearchFacet) {
	type facet struct {
		name  string
		value func(c searchCombo) string
		keep  func(c searchCombo) bool
	}
	fs := []facet{
		{"kind", func(c searchCombo) string { return c.kind }, func(c searchCombo) bool { return q.Kind == "" || c.kind == q.Kind }},
		{"body", func(c searchCombo) string {
			if c.bodyID == 0 {
				return ""
			}
			return strconv.FormatInt(c.bodyID, 10)
		}, func(c searchCombo) bool { return q.BodyID == 0 || c.bodyID == q.BodyID }},
		{"paper_type", func(c searchCombo) string { return c.paperType }, func(c searchCombo) bool { return q.PaperType == "" || c.paperType == q.PaperType }},
		{"year", func(c searchCombo) string {
			if c.year == 0 {
				return ""
			}
			return strconv.Itoa(c.year)
		}, func(c searchCombo) bool { return q.Year == 0 || c.year == q.Year }},
		{"status", func(c searchCombo) string { return c.status }, func(c searchCombo) bool { return q.Status == "" || c.status == q.Status }},
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
