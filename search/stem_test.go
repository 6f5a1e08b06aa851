package search

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// TestStemUnchanged: the stemmer without its allocations stems every word
// as before — random words over the letters that the algorithm treats
// specially (vowels, umlauts, ß, u/y between vowels, q before ue, the
// suffix letters), and, when RATSNETZ_STEM_WORDS names a file of words
// (one a line), those.
func TestStemUnchanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 4))
	letters := []rune("aeiouyäöüßqsntrdlmhkgbfcwpz")
	words := []string{"", "a", "ae", "ue", "que", "quelle", "bauen", "bayer", "fraktionsübergreifend", "sauerstoff",
		strings.Repeat("verwaltungs", 10) + "ungen", strings.Repeat("ä", 70), strings.Repeat("ß", 40) + "keit"}
	for range 100000 {
		n := 1 + rng.IntN(18)
		var b strings.Builder
		for range n {
			b.WriteRune(letters[rng.IntN(len(letters))])
		}
		words = append(words, b.String())
	}
	if f := os.Getenv("RATSNETZ_STEM_WORDS"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		words = append(words, strings.Fields(string(data))...)
	}
	bad := 0
	for _, w := range words {
		if got, want := Stem(w), oldStem(w); got != want {
			t.Errorf("Stem(%q) = %q, before %q", w, got, want)
			if bad++; bad > 10 {
				t.Fatal("too many differences")
			}
		}
	}
}

var benchWords = strings.Fields(`Die Verwaltung wird beauftragt, die Sanierung der Grundschule an der Feldstraße
	zu prüfen und dem Ausschuss für Schule und Sport einen Bericht über die Kosten der Maßnahmen vorzulegen.
	Fraktionsübergreifende Zusammenarbeit Digitalisierung Bebauungsplan Aufstellungsbeschluss Verkehrsberuhigung`)

func BenchmarkStem(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range benchWords {
			Stem(strings.ToLower(w))
		}
	}
}

func BenchmarkStemBefore(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range benchWords {
			oldStem(strings.ToLower(w))
		}
	}
}
