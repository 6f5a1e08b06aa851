// Package search is Ratsnetz's German text analysis for full-text search:
// tokenising, folding (lower case, ß = ss, ä = ae, …), Snowball German
// stemming, stop words, the query language and snippets. It does no I/O;
// the store indexes and queries the terms it produces, the same way on
// SQLite and PostgreSQL, so both databases find and rank alike.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text with its analysed term and its byte offsets
// in the text.
type Token struct {
	Term       string
	Start, End int
	// Stop marks a stop word: kept for phrases, not indexed as a term.
	Stop bool
}

// Tokens splits text into words and analyses each. A run of letters and
// digits is a word; digit groups joined by "/" or "." (2021/0047, 1.240)
// stay one word so that reference numbers are found exactly.
func Tokens(text string) []Token {
	var out []Token
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if isWordRune(r) {
				i += n
				continue
			}
			// Join digit groups: "2021/0047".
			if (r == '/' || r == '.') && i > start && isDigitByte(text[i-1]) && i+1 < len(text) && isDigitByte(text[i+1]) {
				i += n
				continue
			}
			break
		}
		word := text[start:i]
		term, stop := Analyze(word)
		if term == "" {
			continue
		}
		out = append(out, Token{Term: term, Start: start, End: i, Stop: stop})
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// Analyze returns the term of one word and whether it is a stop word.
// Words with digits are only lower-cased (reference numbers, years);
// other words are folded and stemmed.
func Analyze(word string) (term string, stop bool) {
	w := strings.ToLower(word)
	if strings.ContainsAny(w, "0123456789") {
		return w, false
	}
	w = foldForeign(w)
	if stopWords[w] {
		return Stem(w), true
	}
	return Stem(w), false
}

// Fold returns the word lower-cased with umlauts and ß spelled out, the
// form whose prefixes match indexed stems (Fraktions… → fraktions).
func Fold(word string) string {
	w := foldForeign(strings.ToLower(word))
	r := strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss", "ae", "a", "oe", "o", "ue", "u")
	return r.Replace(w)
}

// foldForeign strips accents of letters other than the German umlauts
// (é → e, ç → c), which the stemmer keeps apart.
func foldForeign(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		switch r {
		case 'à', 'á', 'â', 'ã', 'å':
			r = 'a'
		case 'è', 'é', 'ê', 'ë':
			r = 'e'
		case 'ì', 'í', 'î', 'ï':
			r = 'i'
		case 'ò', 'ó', 'ô', 'õ', 'ø':
			r = 'o'
		case 'ù', 'ú', 'û':
			r = 'u'
		case 'ç':
			r = 'c'
		case 'ñ':
			r = 'n'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Terms returns the analysed terms of text, stop words included, in order.
func Terms(text string) []string {
	toks := Tokens(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Term
	}
	return out
}

// stopWords are frequent German function words: not indexed, ignored in
// queries (but kept inside phrases).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`aber alle allem allen aller alles als also am an ander andere anderem anderen
		anderer anderes auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine deinem
		deinen deiner dem demselben den denn denselben der derer derselbe derselben des desselben dessen dich die
		dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer
		eines einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer
		eures für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren
		ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein
		keine keinem keinen keiner keines können könnte machen man manche manchem manchen mancher manches mein
		meine meinem meinen meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr
		sein seine seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll
		sollte sondern sonst über um und uns unser unsere unserem unseren unserer unseres unter viel vom von vor
		während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie
		wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen`) {
		m[w] = true
	}
	return m
}()
