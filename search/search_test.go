package search_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz/search"
)

// Words and stems from the Snowball German vocabulary (german2 variant:
// umlauts folded to their base vowel).
func TestStemVocabulary(t *testing.T) {
	for _, c := range []struct{ word, want string }{
		{"aufeinanderfolgenden", "aufeinanderfolg"},
		{"aufeinanderfolgten", "aufeinanderfolgt"},
		{"aufenthalten", "aufenthalt"},
		{"aufenthaltes", "aufenthalt"},
		{"kategorie", "kategori"},
		{"kategorisch", "kategor"},
		{"kaufe", "kauf"},
		{"kaufen", "kauf"},
		{"kaufmann", "kaufmann"},
		{"kätzchen", "katzch"},
		{"käuflich", "kauflich"},
		{"häuser", "haus"},
		{"digitalisierung", "digitalisier"},
		{"verwaltungen", "verwalt"},
		{"ergebnisse", "ergebnis"},
	} {
		if got := search.Stem(c.word); got != c.want {
			t.Errorf("Stem(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func term(t *testing.T, w string) string {
	t.Helper()
	got, _ := search.Analyze(w)
	return got
}

func TestFolding(t *testing.T) {
	for _, pair := range [][2]string{
		{"Straße", "Strasse"}, {"Müll", "Muell"}, {"Müll", "müll"}, {"Gebühren", "Gebuehren"},
		{"Änderungsantrag", "Aenderungsantrag"}, {"Größe", "Groesse"}, {"Café", "Cafe"},
		{"Sitzung", "Sitzungen"}, {"Fraktion", "Fraktionen"}, {"Ausschuss", "Ausschüsse"},
	} {
		if a, b := term(t, pair[0]), term(t, pair[1]); a != b {
			t.Errorf("%q → %q but %q → %q; want the same term", pair[0], a, pair[1], b)
		}
	}
	if a, b := term(t, "Quelle"), term(t, "Qülle"); a == b {
		t.Errorf("qu+e must not fold: Quelle and Qülle both → %q", a)
	}
}

func TestTokensKeepReferenceNumbers(t *testing.T) {
	got := search.Terms("Vorlage 2021/0047 vom 3.5.2021: Kosten 1.240.000 €")
	want := []string{"vorlag", "2021/0047", "vom", "3.5.2021", "kost", "1.240.000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
}

func TestParseQuery(t *testing.T) {
	q := search.ParseQuery(`Digitalisierung "hybride Sitzungen" -Haushalt 2021/0047 Frak* die`)
	want := search.Query{
		Terms: []search.QueryTerm{
			{Term: "digitalisier", Prefix: "digital"},
			{Term: "hybrid"}, {Term: "sitzung"},
			{Term: "2021/0047"},
			{Term: "frak", Prefix: "frak"},
		},
		Phrases: [][]string{{"hybrid", "sitzung"}},
		Exclude: []string{"haushalt"},
	}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("ParseQuery (-want +got):\n%s", diff)
	}
	if !search.ParseQuery("").Empty() || !search.ParseQuery(`  "" - * `).Empty() {
		t.Error("blank queries must be empty")
	}
	if q := search.ParseQuery("die"); q.Empty() {
		t.Error("a stop-word-only query must still search")
	}
}

func TestDerivationsMatch(t *testing.T) {
	q := search.ParseQuery("Digitalisierung")
	for _, w := range []string{"digitalisieren", "digitale", "Digitales", "Digitalisierung"} {
		tm := term(t, w)
		if !q.Terms[0].Matches(tm) {
			t.Errorf("Digitalisierung does not match %q (term %q)", w, tm)
		}
	}
	q = search.ParseQuery("Fraktions")
	if !q.Terms[0].Matches(term(t, "Fraktionscloud")) {
		t.Errorf("Fraktions does not find Fraktionscloud: %+v", q.Terms)
	}
}

func TestSnippetPageAndHighlight(t *testing.T) {
	text := "Seite eins über Haushalt.\fSeite zwei: Die Fraktionscloud wird eingeführt und die Fraktionen nutzen sie."
	parts, page := search.Snippet(text, search.ParseQuery("Fraktion"), 90)
	if page != 2 {
		t.Errorf("page = %d, want 2", page)
	}
	var marked []string
	var all strings.Builder
	for _, p := range parts {
		all.WriteString(p.Text)
		if p.Match {
			marked = append(marked, p.Text)
		}
	}
	if diff := cmp.Diff([]string{"Fraktionscloud", "Fraktionen"}, marked); diff != "" {
		t.Errorf("marked (-want +got):\n%s\nsnippet %q", diff, all.String())
	}
	if strings.Contains(all.String(), "Haushalt") {
		t.Errorf("snippet crosses the page: %q", all.String())
	}
}
