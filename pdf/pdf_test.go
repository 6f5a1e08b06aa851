package pdf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz/pdf"
)

func sampleDoc() pdf.Document {
	var rows [][]string
	for i := range 70 {
		rows = append(rows, []string{fmt.Sprintf("Ö %d", i+1), fmt.Sprintf("Tagesordnungspunkt Nr. %d über Straßenbäume, Müllgebühren und Öffentlichkeitsarbeit", i+1), "2026/0047"})
	}
	long := strings.Repeat("Die Verwaltung wird beauftragt, die Maßnahme zügig umzusetzen und dem Ausschuss für Digitales, Infrastruktur und Mobilität zu berichten. ", 40)
	return pdf.Document{
		Title:    "Niederschrift über die Sitzung des Rates der Stadt Musterstadt",
		Subtitle: "Donnerstag, 12. März 2026, 17:00 Uhr, Ratssaal",
		Author:   "Stadt Musterstadt – Der Bürgermeister",
		Subject:  "Niederschrift Rat, Größe und Maß",
		Date:     time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC),
		Header:   "Stadt Musterstadt – Rat der Stadt",
		Footer:   "Persönliches Exemplar für Jürgen Weiß",
		Blocks: []pdf.Block{
			pdf.Heading{Text: "Ö 1 Eröffnung und Begrüßung"},
			pdf.Paragraph{Text: "Der Vorsitzende eröffnet die Sitzung. Äußerst größere Übel: äöüÄÖÜß, „Zitat“ – 1.000 €."},
			pdf.Heading{Text: "Ö 1.1 Genehmigung der Niederschrift", Level: 1},
			pdf.Paragraph{Text: long + "\n\nZweiter Absatz mit Schluss.", Italic: true},
			pdf.List{Items: []string{"Erster Punkt mit Übergröße", "Zweiter Punkt"}},
			pdf.Heading{Text: "Abstimmungsergebnis"},
			pdf.Table{Header: []string{"Nr.", "Betreff", "Drucksache"}, Rows: rows, Widths: []float64{1, 5, 2}},
			pdf.PageBreak{},
			pdf.Heading{Text: "Schlussbemerkung → Ende"},
			pdf.Paragraph{Text: "Ende der Sitzung: 19:45 Uhr.", Bold: true, Small: true},
		},
	}
}

func mustRender(t *testing.T, doc pdf.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdf.Render(doc, &buf); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// squash removes all white space: text extraction splits and joins words
// at line ends and cell borders differently per tool.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestRenderTextRoundTrip(t *testing.T) {
	data := mustRender(t, sampleDoc())
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", data[:10])
	}
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatal(err)
	}
	info, err := pdf.ReadInfo(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Pages < 3 {
		t.Fatalf("got %d pages, want at least 3", info.Pages)
	}
	checkText(t, "ledongthuc", text, info.Pages)

	if path, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "doc.pdf")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(path, "-enc", "UTF-8", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		checkText(t, "pdftotext", string(out), info.Pages)
	} else {
		t.Log("pdftotext not installed; checked with the Go reader only")
	}
}

func checkText(t *testing.T, tool, text string, pages int) {
	t.Helper()
	got := squash(text)
	for _, want := range []string{
		"Niederschrift über die Sitzung des Rates der Stadt Musterstadt",
		"Ö 1 Eröffnung und Begrüßung",
		"Äußerst größere Übel: äöüÄÖÜß, „Zitat“ – 1.000 €.",
		"Ausschuss für Digitales, Infrastruktur und Mobilität",
		"Erster Punkt mit Übergröße",
		"Tagesordnungspunkt Nr. 70 über",
		"Schlussbemerkung -> Ende",
		"Persönliches Exemplar für Jürgen Weiß",
		"Seite 1 von " + fmt.Sprint(pages),
		fmt.Sprintf("Seite %d von %d", pages, pages),
		"Stadt Musterstadt – Rat der Stadt",
	} {
		if !strings.Contains(got, squash(want)) {
			t.Errorf("%s: text lacks %q", tool, want)
		}
	}
	if strings.Contains(text, "{nb}") {
		t.Errorf("%s: page count alias not replaced", tool)
	}
}

func TestMetadataAndOutline(t *testing.T) {
	doc := sampleDoc()
	data := mustRender(t, doc)
	info, err := pdf.ReadInfo(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != doc.Title || info.Author != doc.Author || info.Subject != doc.Subject {
		t.Errorf("metadata = %q / %q / %q, want %q / %q / %q", info.Title, info.Author, info.Subject, doc.Title, doc.Author, doc.Subject)
	}
	want := []string{"Ö 1 Eröffnung und Begrüßung", "Ö 1.1 Genehmigung der Niederschrift", "Abstimmungsergebnis", "Schlussbemerkung → Ende"}
	if diff := cmp.Diff(want, info.Outline); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
}

func TestUncompressed(t *testing.T) {
	doc := sampleDoc()
	doc.Uncompressed = true
	data := mustRender(t, doc)
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squash(text), squash("Äußerst größere Übel: äöüÄÖÜß")) {
		t.Errorf("uncompressed text lacks umlauts: %.200q", text)
	}
	if compressed := mustRender(t, sampleDoc()); len(compressed) >= len(data) {
		t.Errorf("compressed %d bytes, uncompressed %d", len(compressed), len(data))
	}
}

func TestDeterministic(t *testing.T) {
	a := mustRender(t, sampleDoc())
	b := mustRender(t, sampleDoc())
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same document differ")
	}
}

func TestNoFooter(t *testing.T) {
	data := mustRender(t, pdf.Document{Title: "Einladung", Blocks: []pdf.Block{pdf.Paragraph{Text: "Kurz."}}})
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squash(text), "Seite1von1") {
		t.Errorf("text %q lacks page number", text)
	}
}

func TestPlainText(t *testing.T) {
	got := sampleDoc().PlainText()
	for _, want := range []string{"Niederschrift über", "Ö 1 Eröffnung", "Ö 70 | Tagesordnungspunkt Nr. 70", "- Zweiter Punkt"} {
		if !strings.Contains(got, want) {
			t.Errorf("plain text lacks %q", want)
		}
	}
}

func TestExtractTextMalformed(t *testing.T) {
	if _, err := pdf.ExtractText([]byte("%PDF-1.4 kaputt")); err == nil {
		t.Error("no error for malformed pdf")
	}
}

func TestCombine(t *testing.T) {
	inv := pdf.Document{Title: "Einladung zur 3. Sitzung des Rates", Blocks: []pdf.Block{pdf.Heading{Text: "Tagesordnung"}, pdf.Paragraph{Text: "Ö 1 Eröffnung"}}}
	paper := sampleDoc()
	doc := pdf.Combine("Sitzungsmappe – 3. Sitzung des Rates", []pdf.Document{inv, paper})
	doc.Footer = "Persönliches Exemplar für Käthe Müller"
	data := mustRender(t, doc)
	info, err := pdf.ReadInfo(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Inhalt", inv.Title, "Tagesordnung", paper.Title, "Ö 1 Eröffnung und Begrüßung", "Ö 1.1 Genehmigung der Niederschrift", "Abstimmungsergebnis", "Schlussbemerkung → Ende"}
	if diff := cmp.Diff(want, info.Outline); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(text, "\f")
	for i, p := range pages {
		if !strings.Contains(squash(p), squash("Persönliches Exemplar für Käthe Müller")) {
			t.Errorf("page %d lacks the recipient line", i+1)
		}
	}
	if !strings.Contains(squash(pages[len(pages)-1]), squash(fmt.Sprintf("Seite %d von %d", len(pages), len(pages)))) {
		t.Errorf("last page lacks its number")
	}
}
