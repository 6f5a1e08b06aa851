package search

// The stemmer as it was before its allocations were cut (session 4): the
// oracle of TestStemUnchanged.

// oldStem returns the stem of a lower-case German word by the Snowball German
// stemming algorithm (https://snowballstem.org/algorithms/german/stemmer.html)
// in its "german2" variant: besides ä, ö, ü the spellings ae, oe and ue (not
// after q) count as umlauts, so that Muell and Müll, Strasse and Straße end
// in the same stem. Umlauts are folded to their base vowel at the end.
func oldStem(word string) string {
	w := []rune(word)
	w = oldPrelude(w)
	r1, r2 := oldRegions(w)
	w = oldStep1(w, r1)
	w = oldStep2(w, r1)
	w = oldStep3(w, r1, r2)
	return oldPostlude(w)
}

func oldIsVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'ä', 'ö', 'ü':
		return true
	}
	return false
}

// oldPrelude replaces ß by ss, marks u and y between vowels as consonants
// (U, Y) and turns ae, oe, ue (not after q) into ä, ö, ü.
func oldPrelude(w []rune) []rune {
	out := make([]rune, 0, len(w)+2)
	for _, r := range w {
		if r == 'ß' {
			out = append(out, 's', 's')
			continue
		}
		out = append(out, r)
	}
	w = out
	for i := 1; i+1 < len(w); i++ {
		if !oldIsVowel(w[i-1]) || !oldIsVowel(w[i+1]) {
			continue
		}
		switch w[i] {
		case 'u':
			w[i] = 'U'
		case 'y':
			w[i] = 'Y'
		}
	}
	out = w[:0:0]
	for i := 0; i < len(w); i++ {
		if i+1 < len(w) && w[i+1] == 'e' {
			switch {
			case w[i] == 'a':
				out = append(out, 'ä')
				i++
				continue
			case w[i] == 'o':
				out = append(out, 'ö')
				i++
				continue
			case w[i] == 'u' && (i == 0 || w[i-1] != 'q'):
				out = append(out, 'ü')
				i++
				continue
			}
		}
		out = append(out, w[i])
	}
	return out
}

// oldRegions returns the starts of R1 and R2; R1 leaves at least three
// letters before it.
func oldRegions(w []rune) (r1, r2 int) {
	r1, r2 = len(w), len(w)
	for i := 1; i < len(w); i++ {
		if !oldIsVowel(w[i]) && oldIsVowel(w[i-1]) {
			r1 = i + 1
			break
		}
	}
	for i := r1 + 1; i < len(w); i++ {
		if !oldIsVowel(w[i]) && oldIsVowel(w[i-1]) {
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

func oldHasSuffix(w []rune, s string) bool {
	rs := []rune(s)
	if len(rs) > len(w) {
		return false
	}
	for i := range rs {
		if w[len(w)-len(rs)+i] != rs[i] {
			return false
		}
	}
	return true
}

func oldValidSEnding(r rune) bool {
	switch r {
	case 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 't':
		return true
	}
	return false
}

func oldValidSTEnding(r rune) bool {
	switch r {
	case 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 't':
		return true
	}
	return false
}

func oldStep1(w []rune, r1 int) []rune {
	// The longest matching suffix decides; it is deleted only in R1.
	for _, s := range []string{"ern", "em", "er", "en", "es", "e", "s"} {
		if !oldHasSuffix(w, s) {
			continue
		}
		n := len([]rune(s))
		start := len(w) - n
		switch s {
		case "ern", "em", "er":
			if start >= r1 {
				return w[:start]
			}
		case "en", "es", "e":
			if start >= r1 {
				w = w[:start]
				if oldHasSuffix(w, "niss") {
					w = w[:len(w)-1]
				}
			}
		case "s":
			if start >= r1 && start > 0 && oldValidSEnding(w[start-1]) {
				return w[:start]
			}
		}
		return w
	}
	return w
}

func oldStep2(w []rune, r1 int) []rune {
	for _, s := range []string{"est", "en", "er", "st"} {
		if !oldHasSuffix(w, s) {
			continue
		}
		n := len([]rune(s))
		start := len(w) - n
		if start < r1 {
			return w
		}
		if s == "st" {
			// st needs a valid st-ending before it, itself preceded by at
			// least three letters.
			if start-1 >= 3 && oldValidSTEnding(w[start-1]) {
				return w[:start]
			}
			return w
		}
		return w[:start]
	}
	return w
}

func oldStep3(w []rune, r1, r2 int) []rune {
	for _, s := range []string{"isch", "lich", "heit", "keit", "end", "ung", "ig", "ik"} {
		if !oldHasSuffix(w, s) {
			continue
		}
		start := len(w) - len([]rune(s))
		if start < r2 {
			return w
		}
		switch s {
		case "end", "ung":
			w = w[:start]
			if oldHasSuffix(w, "ig") && len(w)-2 >= r2 && !(len(w) >= 3 && w[len(w)-3] == 'e') {
				w = w[:len(w)-2]
			}
		case "ig", "ik", "isch":
			if start > 0 && w[start-1] == 'e' {
				return w
			}
			w = w[:start]
		case "lich", "heit":
			w = w[:start]
			if (oldHasSuffix(w, "er") || oldHasSuffix(w, "en")) && len(w)-2 >= r1 {
				w = w[:len(w)-2]
			}
		case "keit":
			w = w[:start]
			if oldHasSuffix(w, "lich") && len(w)-4 >= r2 {
				w = w[:len(w)-4]
			} else if oldHasSuffix(w, "ig") && len(w)-2 >= r2 {
				w = w[:len(w)-2]
			}
		}
		return w
	}
	return w
}

// oldPostlude undoes the U/Y marks and folds umlauts.
func oldPostlude(w []rune) string {
	for i, r := range w {
		switch r {
		case 'U':
			w[i] = 'u'
		case 'Y':
			w[i] = 'y'
		case 'ä':
			w[i] = 'a'
		case 'ö':
			w[i] = 'o'
		case 'ü':
			w[i] = 'u'
		}
	}
	return string(w)
}
