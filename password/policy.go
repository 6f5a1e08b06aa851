package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// Length limits of the policy, in characters.
const (
	MinLength = 10
	MaxLength = 256
)

//go:generate go run gen.go

//go:embed common.txt
var commonText string

// commonSet is the embedded list as a set, built on first use; it is never
// written afterwards.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 16384)
	for line := range strings.Lines(commonText) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "€", "e")

// Check applies the policy to pw: at least MinLength and at most MaxLength
// characters, not a common or breached password (also not with digits,
// years, "!" or letter-for-digit swaps around a common word), not a single
// repeated character, and not essentially one of the related strings
// (the account's e-mail address, user name, display name). There are no
// composition rules. The error is a ratsnetz.Error (EINVALID) with a German
// message.
func Check(pw string, related ...string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Passwort muss mindestens %d Zeichen lang sein.", MinLength)
	}
	if n > MaxLength {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Passwort darf höchstens %d Zeichen lang sein.", MaxLength)
	}
	lower := strings.ToLower(pw)
	if common(lower) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes, z. B. einen Satz aus mehreren Wörtern.")
	}
	if distinct(lower) <= 2 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Passwort besteht fast nur aus einem wiederholten Zeichen. Bitte wählen Sie ein anderes.")
	}
	core := coreOf(lower)
	for _, r := range related {
		r = strings.ToLower(strings.TrimSpace(r))
		if local, _, ok := strings.Cut(r, "@"); ok {
			r = local
		}
		if utf8.RuneCountInString(r) < 4 {
			continue
		}
		if core == coreOf(r) || (strings.Contains(lower, r) && n-utf8.RuneCountInString(r) < 6) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Passwort darf nicht im Wesentlichen aus Ihrem Namen oder Ihrer E-Mail-Adresse bestehen.")
		}
	}
	return nil
}

// common reports whether the lower-cased pw is on the list, directly or
// after undoing letter-for-digit swaps and trimming digits and symbols
// around a listed word.
func common(lower string) bool {
	set := commonSet()
	if _, ok := set[lower]; ok {
		return true
	}
	if _, ok := set[leet.Replace(lower)]; ok {
		return true
	}
	for _, c := range []string{coreOf(lower), trimAround(lower)} {
		if c == "" {
			return true // nothing but digits and symbols around nothing
		}
		if _, ok := set[c]; ok {
			return true
		}
	}
	return false
}

func trimAround(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r > 127)
	})
}

// coreOf is s without leading and trailing digits and symbols, with
// letter-for-digit swaps undone inside.
func coreOf(s string) string {
	t := trimAround(s)
	if t == "" {
		return ""
	}
	return trimAround(leet.Replace(t))
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}
