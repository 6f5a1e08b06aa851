package search

import (
	"strings"
	"unicode/utf8"
)

// Query is a parsed search query. Every term is required (AND); a phrase
// requires its words in order; excluded terms and phrases must not occur.
//
// Syntax: words, "a phrase", -word, -"a phrase", word* (prefix). Words of
// five letters or more also match as the prefix of their root, so that a
// compound or derivation typed in part is found (Fraktions… finds
// Fraktionscloud, Digitalisierung finds digitale).
type Query struct {
	Terms          []QueryTerm
	Phrases        [][]string
	Exclude        []string
	ExcludePhrases [][]string
}

// QueryTerm is one required term: it matches the indexed term Term
// exactly, or, when Prefix is set, any indexed term starting with Prefix
// (ranked lower).
type QueryTerm struct {
	Term   string
	Prefix string
}

// Empty reports whether the query requires nothing (nothing to search).
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// minPrefix is the shortest root that matches implicitly as a prefix.
const minPrefix = 5

// derivations are suffixes stripped from a stem to get the root whose
// prefix matches (digitalisier → digital).
var derivations = []string{"isier", "ier", "ation"}

// ParseQuery parses the user's query text.
func ParseQuery(s string) Query {
	var q Query
	seen := map[string]int{}
	add := func(t QueryTerm) {
		if i, ok := seen[t.Term]; ok {
			if q.Terms[i].Prefix == "" || (t.Prefix != "" && len(t.Prefix) < len(q.Terms[i].Prefix)) {
				q.Terms[i].Prefix = t.Prefix
			}
			return
		}
		seen[t.Term] = len(q.Terms)
		q.Terms = append(q.Terms, t)
	}
	var stops []QueryTerm
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\r\n,;")
		if s == "" {
			break
		}
		neg := false
		if s[0] == '-' || s[0] == '!' {
			neg = true
			s = s[1:]
		}
		if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, "„") || strings.HasPrefix(s, "“") {
			_, n := utf8.DecodeRuneInString(s)
			s = s[n:]
			end := strings.IndexAny(s, "\"“”")
			var phrase string
			if end < 0 {
				phrase, s = s, ""
			} else {
				phrase = s[:end]
				_, n := utf8.DecodeRuneInString(s[end:])
				s = s[end+n:]
			}
			toks := Tokens(phrase)
			if len(toks) == 0 {
				continue
			}
			terms := make([]string, len(toks))
			for i, t := range toks {
				terms[i] = t.Term
			}
			if neg {
				if len(terms) == 1 {
					q.Exclude = append(q.Exclude, terms[0])
				} else {
					q.ExcludePhrases = append(q.ExcludePhrases, terms)
				}
				continue
			}
			if len(terms) > 1 {
				q.Phrases = append(q.Phrases, terms)
			}
			allStop := true
			for _, t := range toks {
				if !t.Stop {
					allStop = false
					add(QueryTerm{Term: t.Term})
				}
			}
			if allStop {
				for _, t := range toks {
					add(QueryTerm{Term: t.Term})
				}
			}
			continue
		}
		end := strings.IndexAny(s, " \t\r\n,;\"„“")
		var word string
		if end < 0 {
			word, s = s, ""
		} else {
			word, s = s[:end], s[end:]
		}
		star := strings.HasSuffix(word, "*")
		word = strings.TrimRight(word, "*")
		toks := Tokens(word)
		if len(toks) == 0 {
			continue
		}
		if neg {
			for _, t := range toks {
				q.Exclude = append(q.Exclude, t.Term)
			}
			continue
		}
		if len(toks) > 1 {
			// "B-Plan", "Rats-Informations": the parts in order.
			terms := make([]string, len(toks))
			for i, t := range toks {
				terms[i] = t.Term
			}
			q.Phrases = append(q.Phrases, terms)
		}
		for i, t := range toks {
			qt := QueryTerm{Term: t.Term}
			last := i == len(toks)-1
			switch {
			case star && last:
				qt.Prefix = strings.ToLower(word[t.Start:t.End])
				if !hasDigit(qt.Prefix) {
					qt.Prefix = Fold(qt.Prefix)
				}
			case !hasDigit(t.Term):
				qt.Prefix = root(t.Term)
			}
			if t.Stop {
				stops = append(stops, qt)
				continue
			}
			add(qt)
		}
	}
	if len(q.Terms) == 0 {
		// A query of stop words only ("die") still searches for them.
		for _, t := range stops {
			add(t)
		}
	}
	return q
}

// root returns the prefix under which a stem also matches, or "" when the
// stem is too short for prefix matching.
func root(stem string) string {
	for _, d := range derivations {
		if r, ok := strings.CutSuffix(stem, d); ok && utf8.RuneCountInString(r) >= minPrefix {
			stem = r
			break
		}
	}
	if utf8.RuneCountInString(stem) < minPrefix {
		return ""
	}
	return stem
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// Matches reports whether the indexed term t matches qt.
func (qt QueryTerm) Matches(t string) bool {
	return t == qt.Term || (qt.Prefix != "" && strings.HasPrefix(t, qt.Prefix))
}

// PhraseText is the phrase's terms as they stand in the stored term text
// (" a b "), for a substring test.
func PhraseText(terms []string) string { return " " + strings.Join(terms, " ") + " " }

// TermText is the stored term text of a document: all terms in order,
// stop words included, space-separated and space-framed.
func TermText(terms []string) string {
	if len(terms) == 0 {
		return ""
	}
	return " " + strings.Join(terms, " ") + " "
}
