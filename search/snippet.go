package search

import (
	"strings"
	"unicode/utf8"
)

// Part is a piece of a snippet; Match marks a hit to highlight.
type Part struct {
	Text  string
	Match bool
}

// matcher reports whether a token of a text is a hit of q.
func (q Query) matches(t Token) bool {
	if t.Stop {
		return false
	}
	for _, qt := range q.Terms {
		if qt.Matches(t.Term) {
			return true
		}
	}
	return false
}

// Highlight splits text into parts with the hits of q marked.
func Highlight(text string, q Query) []Part {
	return highlight(text, Tokens(text), q, 0, len(text))
}

func highlight(text string, toks []Token, q Query, from, to int) []Part {
	var parts []Part
	pos := from
	for _, t := range toks {
		if t.Start < from || t.End > to || !q.matches(t) {
			continue
		}
		if t.Start > pos {
			parts = append(parts, Part{Text: text[pos:t.Start]})
		}
		parts = append(parts, Part{Text: text[t.Start:t.End], Match: true})
		pos = t.End
	}
	if pos < to {
		parts = append(parts, Part{Text: text[pos:to]})
	}
	return parts
}

// Snippet returns about width bytes of text around the place where most
// distinct terms of q stand, with the hits marked, and the page of that
// place (pages are separated by form feeds, as in extracted PDF text;
// page 1 for a text without them). Without a hit it returns the start of
// the text and page 0.
func Snippet(text string, q Query, width int) (parts []Part, page int) {
	toks := Tokens(text)
	var hits []int
	for i, t := range toks {
		if q.matches(t) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		end := cut(text, 0, width)
		parts = []Part{{Text: clean(text[:end])}}
		if end < len(text) {
			parts = append(parts, Part{Text: " …"})
		}
		return parts, 0
	}
	// The window starting at a hit with the most distinct matched terms.
	best, bestN := hits[0], 0
	for a := range hits {
		seen := map[string]bool{}
		start := toks[hits[a]].Start
		for b := a; b < len(hits) && toks[hits[b]].End-start <= width; b++ {
			seen[toks[hits[b]].Term] = true
		}
		if len(seen) > bestN {
			best, bestN = hits[a], len(seen)
		}
	}
	hit := toks[best]
	page = 1 + strings.Count(text[:hit.Start], "\f")
	// Start a little before the hit, at a word boundary, on the same page.
	from := hit.Start - width/4
	if pageStart := strings.LastIndex(text[:hit.Start], "\f") + 1; from < pageStart {
		from = pageStart
	}
	if from < 0 {
		from = 0
	}
	for from > 0 && from < hit.Start && !utf8.RuneStart(text[from]) {
		from++
	}
	if from > 0 {
		if sp := strings.IndexAny(text[from:hit.Start], " \n\t"); sp >= 0 {
			from += sp + 1
		} else {
			from = hit.Start
		}
	}
	to := cut(text, from, width)
	if ff := strings.IndexByte(text[from:to], '\f'); ff >= 0 {
		to = from + ff
	}
	raw := highlight(text, toks, q, from, to)
	for i := range raw {
		raw[i].Text = clean(raw[i].Text)
	}
	if from > 0 {
		parts = append(parts, Part{Text: "… "})
	}
	parts = append(parts, raw...)
	if to < len(text) {
		parts = append(parts, Part{Text: " …"})
	}
	return parts, page
}

// cut returns the end of about width bytes of text from from, at a word
// boundary.
func cut(text string, from, width int) int {
	to := from + width
	if to >= len(text) {
		return len(text)
	}
	if sp := strings.LastIndexAny(text[from:to], " \n\t\f"); sp > width/2 {
		return from + sp
	}
	for to > from && !utf8.RuneStart(text[to]) {
		to--
	}
	return to
}

// clean turns line breaks and form feeds into spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t', '\f':
			return ' '
		}
		return r
	}, s)
}
