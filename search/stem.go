package search

import "unicode/utf8"

// Stem returns the stem of a lower-case German word by the Snowball German
// stemming algorithm (https://snowballstem.org/algorithms/german/stemmer.html)
// in its "german2" variant: besides ä, ö, ü the spellings ae, oe and ue (not
// after q) count as umlauts, so that Muell and Müll, Strasse and Straße end
// in the same stem. Umlauts are folded to their base vowel at the end.
func Stem(word string) string {
	// The word's runes live in a buffer on the stack for all but very
	// long words: stemming runs for every word of every indexed text.
	var buf [64]rune
	w := prelude(buf[:0], word)
	r1, r2 := regions(w)
	w = step1(w, r1)
	w = step2(w, r1)
	w = step3(w, r1, r2)
	return postlude(w, word)
}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'ä', 'ö', 'ü':
		return true
	}
	return false
}

// prelude appends the runes of word to w with ß replaced by ss, u and y
// between vowels marked as consonants (U, Y) and ae, oe, ue (not after q)
// turned into ä, ö, ü.
func prelude(w []rune, word string) []rune {
	for _, r := range word {
		if r == 'ß' {
			w = append(w, 's', 's')
			continue
		}
		w = append(w, r)
	}
	for i := 1; i+1 < len(w); i++ {
		if !isVowel(w[i-1]) || !isVowel(w[i+1]) {
			continue
		}
		switch w[i] {
		case 'u':
			w[i] = 'U'
		case 'y':
			w[i] = 'Y'
		}
	}
	// In place: j never passes i, and w[i-1] still holds its own rune
	// when it is read (it is overwritten only by itself).
	j := 0
	for i := 0; i < len(w); i++ {
		if i+1 < len(w) && w[i+1] == 'e' {
			switch {
			case w[i] == 'a':
				w[j] = 'ä'
				j++
				i++
				continue
			case w[i] == 'o':
				w[j] = 'ö'
				j++
				i++
				continue
			case w[i] == 'u' && (i == 0 || w[i-1] != 'q'):
				w[j] = 'ü'
				j++
				i++
				continue
			}
		}
		w[j] = w[i]
		j++
	}
	return w[:j]
}

// regions returns the starts of R1 and R2; R1 leaves at least three
// letters before it.
func regions(w []rune) (r1, r2 int) {
	r1, r2 = len(w), len(w)
	for i := 1; i < len(w); i++ {
		if !isVowel(w[i]) && isVowel(w[i-1]) {
			r1 = i + 1
			break
		}
	}
	for i := r1 + 1; i < len(w); i++ {
		if !isVowel(w[i]) && isVowel(w[i-1]) {
			r2 = i + 1
			break
		}
	}
	if r1 < 3 {
		r1 = 3
	}
	if r1 > len(w) {
		r1 = len(w)
	}
	return r1, r2
}

// hasSuffix reports whether w ends in s, which is ASCII.
func hasSuffix(w []rune, s string) bool {
	if len(s) > len(w) {
		return false
	}
	off := len(w) - len(s)
	for i := 0; i < len(s); i++ {
		if w[off+i] != rune(s[i]) {
			return false
		}
	}
	return true
}

func validSEnding(r rune) bool {
	switch r {
	case 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 't':
		return true
	}
	return false
}

func validSTEnding(r rune) bool {
	switch r {
	case 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 't':
		return true
	}
	return false
}

func step1(w []rune, r1 int) []rune {
	// The longest matching suffix decides; it is deleted only in R1.
	for _, s := range []string{"ern", "em", "er", "en", "es", "e", "s"} {
		if !hasSuffix(w, s) {
			continue
		}
		n := len(s)
		start := len(w) - n
		switch s {
		case "ern", "em", "er":
			if start >= r1 {
				return w[:start]
			}
		case "en", "es", "e":
			if start >= r1 {
				w = w[:start]
				if hasSuffix(w, "niss") {
					w = w[:len(w)-1]
				}
			}
		case "s":
			if start >= r1 && start > 0 && validSEnding(w[start-1]) {
				return w[:start]
			}
		}
		return w
	}
	return w
}

func step2(w []rune, r1 int) []rune {
	for _, s := range []string{"est", "en", "er", "st"} {
		if !hasSuffix(w, s) {
			continue
		}
		n := len(s)
		start := len(w) - n
		if start < r1 {
			return w
		}
		if s == "st" {
			// st needs a valid st-ending before it, itself preceded by at
			// least three letters.
			if start-1 >= 3 && validSTEnding(w[start-1]) {
				return w[:start]
			}
			return w
		}
		return w[:start]
	}
	return w
}

func step3(w []rune, r1, r2 int) []rune {
	for _, s := range []string{"isch", "lich", "heit", "keit", "end", "ung", "ig", "ik"} {
		if !hasSuffix(w, s) {
			continue
		}
		start := len(w) - len(s)
		if start < r2 {
			return w
		}
		switch s {
		case "end", "ung":
			w = w[:start]
			if hasSuffix(w, "ig") && len(w)-2 >= r2 && !(len(w) >= 3 && w[len(w)-3] == 'e') {
				w = w[:len(w)-2]
			}
		case "ig", "ik", "isch":
			if start > 0 && w[start-1] == 'e' {
				return w
			}
			w = w[:start]
		case "lich", "heit":
			w = w[:start]
			if (hasSuffix(w, "er") || hasSuffix(w, "en")) && len(w)-2 >= r1 {
				w = w[:len(w)-2]
			}
		case "keit":
			w = w[:start]
			if hasSuffix(w, "lich") && len(w)-4 >= r2 {
				w = w[:len(w)-4]
			} else if hasSuffix(w, "ig") && len(w)-2 >= r2 {
				w = w[:len(w)-2]
			}
		}
		return w
	}
	return w
}

// postlude undoes the U/Y marks and folds umlauts. It returns word
// itself when the stem is the word, so that it allocates only for stems
// that differ.
func postlude(w []rune, word string) string {
	var buf [128]byte
	b := buf[:0]
	for _, r := range w {
		switch r {
		case 'U':
			r = 'u'
		case 'Y':
			r = 'y'
		case 'ä':
			r = 'a'
		case 'ö':
			r = 'o'
		case 'ü':
			r = 'u'
		}
		b = utf8.AppendRune(b, r)
	}
	if string(b) == word {
		return word
	}
	return string(b)
}
