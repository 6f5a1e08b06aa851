package pdf_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// TestPages imports the original pages of two PDFs (one compressed, one
// not) into a document: every page is there once, each source gets its
// bookmark at its level, and the footer and page numbers run over the
// imported pages too.
func TestPages(t *testing.T) {
	a := mustRender(t, sampleDoc())
	bDoc := pdf.Document{Title: "Lageplan Schulweg", Uncompressed: true, Blocks: []pdf.Block{pdf.Paragraph{Text: "Originaltext der Anlage B mit Umlauten: Größe."}}}
	b := mustRender(t, bDoc)
	na, err := pdf.CountPages(a)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := pdf.CountPages(b)
	if err != nil || na < 2 || nb != 1 {
		t.Fatalf("pages: a %d, b %d, %v", na, nb, err)
	}
	doc := pdf.Combine("Sitzungsmappe", []pdf.Document{{Title: "Ö 1 Schulweg", Blocks: []pdf.Block{
		pdf.Paragraph{Text: "Beschlussvorschlag"},
		pdf.Pages{Title: "Anlage: Niederschrift", Data: a},
		pdf.Pages{Title: "Anlage: Lageplan", Data: b},
	}}})
	doc.Footer = "Persönliches Exemplar für Käthe Müller"
	out := mustRender(t, doc)
	info, err := pdf.ReadInfo(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	// Title page with contents, the item's page, then the imported pages.
	if want := 2 + na + nb; info.Pages != want {
		t.Errorf("%d pages, want %d", info.Pages, want)
	}
	if n, err := pdf.CountPages(out); err != nil || n != info.Pages {
		t.Errorf("the result read back: %d pages, %v", n, err)
	}
	if diff := cmp.Diff([]string{"Inhalt", "Ö 1 Schulweg", "Anlage: Niederschrift", "Anlage: Lageplan"}, info.Outline); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed: the text of the imported pages is not checked")
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(out)
	text, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(text), "\f"), "\f")
	if len(pages) != info.Pages {
		t.Fatalf("pdftotext: %d pages, want %d", len(pages), info.Pages)
	}
	for i, p := range pages {
		if !strings.Contains(squash(p), squash("Persönliches Exemplar für Käthe Müller")) ||
			!strings.Contains(squash(p), squash(fmt.Sprintf("Seite %d von %d", i+1, len(pages)))) {
			t.Errorf("page %d lacks the footer or its number:\n%s", i+1, p)
		}
	}
	// The original pages keep their own text (and layout), in order.
	if !strings.Contains(squash(pages[2]), squash(sampleDoc().Title)) {
		t.Errorf("first imported page:\n%s", pages[2])
	}
	if !strings.Contains(squash(pages[len(pages)-1]), squash("Originaltext der Anlage B mit Umlauten: Größe.")) {
		t.Errorf("last page:\n%s", pages[len(pages)-1])
	}
}

// TestCountPagesRejects: what cannot be imported is refused up front, so
// the caller can fall back to the text.
func TestCountPagesRejects(t *testing.T) {
	good := mustRender(t, sampleDoc())
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not a PDF": []byte("MZ\x90\x00 this is an executable"),
		"truncated": good[:len(good)/3],
		"garbage":   append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 500)...),
	} {
		if n, err := pdf.CountPages(data); err == nil {
			t.Errorf("%s: %d pages, want an error", name, n)
		}
	}
}

// TestPreparedShared: one Prepared PDF drawn into several documents at
// once (the packets of an invitation) gives the same, complete output each
// time (run with -race). (fpdf numbers imported objects in map order, so
// the bytes differ between renderings.)
func TestPreparedShared(t *testing.T) {
	a, err := pdf.Prepare(mustRender(t, sampleDoc()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := pdf.Prepare(mustRender(t, pdf.Document{Title: "Lageplan", Blocks: []pdf.Block{pdf.Paragraph{Text: "Plan"}}}))
	if err != nil {
		t.Fatal(err)
	}
	doc := pdf.Document{Title: "Mappe", Blocks: []pdf.Block{pdf.Pages{Title: "A", Prepared: a}, pdf.Pages{Title: "B", Prepared: b}, pdf.Pages{Title: "A again", Prepared: a}}}
	outs := make([][]byte, 4)
	done := make(chan int)
	for i := range outs {
		go func() {
			var buf bytes.Buffer
			if err := pdf.Render(doc, &buf); err != nil {
				t.Error(err)
			}
			outs[i] = buf.Bytes()
			done <- i
		}()
	}
	for range outs {
		<-done
	}
	for i, out := range outs {
		n, err := pdf.CountPages(out)
		if want := 1 + 2*a.Pages() + b.Pages(); err != nil || n != want {
			t.Errorf("render %d: %d pages, %v; want %d", i, n, err, want)
		}
		info, err := pdf.ReadInfo(bytes.NewReader(out), int64(len(out)))
		if err != nil || strings.Join(info.Outline, "|") != "A|B|A again" {
			t.Errorf("render %d: outline %q, %v", i, info.Outline, err)
		}
	}
}
