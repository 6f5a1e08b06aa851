package extract_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
	"github.com/ratsnetz/ratsnetz/search/extract"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOfficeFormats(t *testing.T) {
	ctx := context.Background()
	x := &extract.Extractor{}
	docx := zipOf(t, map[string]string{"word/document.xml": `<?xml version="1.0"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Straßenausbau</w:t></w:r><w:r><w:tab/><w:t>Beitragssatzung</w:t></w:r></w:p>
<w:p><w:r><w:t>Zweiter Absatz &amp; mehr</w:t></w:r></w:p></w:body></w:document>`})
	got, err := x.Text(ctx, "satzung.docx", "", docx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Straßenausbau Beitragssatzung\nZweiter Absatz & mehr\n"; got != want {
		t.Errorf("docx text %q, want %q", got, want)
	}
	odt := zipOf(t, map[string]string{"content.xml": `<?xml version="1.0"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:text><text:h>Niederschrift</text:h><text:p>Die Sitzung<text:s/>beginnt.</text:p></office:text></office:body></office:document-content>`})
	got, err = x.Text(ctx, "protokoll.odt", "application/vnd.oasis.opendocument.text", odt)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Niederschrift\nDie Sitzung beginnt.\n"; got != want {
		t.Errorf("odt text %q, want %q", got, want)
	}
	if _, err := x.Text(ctx, "bild.xyz", "image/x-unknown", []byte("x")); !errors.Is(err, ratsnetz.ErrSearchSkipped) {
		t.Errorf("unknown format: err %v, want ErrSearchSkipped", err)
	}
	if _, err := x.Text(ctx, "kaputt.docx", "", []byte("not a zip")); !errors.Is(err, ratsnetz.ErrSearchSkipped) {
		t.Errorf("broken docx: err %v, want ErrSearchSkipped", err)
	}
}

func TestPDFPages(t *testing.T) {
	var b bytes.Buffer
	doc := pdf.Document{Title: "Vorlage", Blocks: []pdf.Block{
		pdf.Paragraph{Text: "Erste Seite über den Haushalt."}, pdf.PageBreak{},
		pdf.Paragraph{Text: "Zweite Seite über die Fraktionscloud."},
	}}
	if err := pdf.Render(doc, &b); err != nil {
		t.Fatal(err)
	}
	got, err := (&extract.Extractor{}).Text(context.Background(), "v.pdf", "application/pdf", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(got, "\f")
	if len(pages) < 2 || !strings.Contains(pages[len(pages)-1], "Fraktionscloud") || strings.Contains(pages[0], "Fraktionscloud") {
		t.Errorf("pages %q: want the second page's text after a form feed", pages)
	}
}

func TestScannedPDFWithoutOCRIsSkipped(t *testing.T) {
	// A one-page PDF without any text: what a scanner produces, as far as
	// text goes.
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	var offs []int
	for _, obj := range []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>",
		"<< /Length 0 >>\nstream\n\nendstream",
	} {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	_, err := (&extract.Extractor{}).Text(context.Background(), "scan.pdf", "application/pdf", b.Bytes())
	if !errors.Is(err, ratsnetz.ErrSearchSkipped) {
		t.Errorf("err %v, want ErrSearchSkipped (no tesseract configured)", err)
	}
}
