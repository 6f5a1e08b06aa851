// Package extract turns file contents into plain text for the search
// index: PDF (text layer, pages separated by form feeds; scanned PDFs
// through tesseract OCR when it is installed), DOCX and ODT (archive/zip +
// encoding/xml), plain text and HTML.
package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// Extractor extracts text. The zero value extracts without OCR.
type Extractor struct {
	// Tesseract is the path of the tesseract binary ("" = no OCR) and
	// Pdftoppm that of poppler's pdftoppm, which renders scanned pages.
	Tesseract string
	Pdftoppm  string
	// MaxBytes caps the text kept per file (0 = 2 MiB).
	MaxBytes int
}

// New returns an Extractor that uses tesseract and pdftoppm when both are
// installed.
func New() *Extractor {
	x := &Extractor{}
	if t, err := exec.LookPath("tesseract"); err == nil {
		if p, err := exec.LookPath("pdftoppm"); err == nil {
			x.Tesseract, x.Pdftoppm = t, p
		}
	}
	return x
}

// Text returns the text of a file. It returns an error wrapping
// ratsnetz.ErrSearchSkipped for contents it cannot read (a scanned PDF
// without OCR, an unknown format).
func (x *Extractor) Text(ctx context.Context, fileName, mimeType string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(fileName))
	var text string
	var err error
	switch {
	case mimeType == "application/pdf" || ext == ".pdf":
		text, err = x.pdf(ctx, data)
	case ext == ".docx" || mimeType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		text, err = zipXML(data, "word/document.xml", "p")
	case ext == ".odt" || mimeType == "application/vnd.oasis.opendocument.text":
		text, err = zipXML(data, "content.xml", "p", "h")
	case strings.HasPrefix(mimeType, "text/html") || ext == ".html" || ext == ".htm":
		text, err = xmlText(bytes.NewReader(data), false, "p", "br", "div", "li", "h1", "h2", "h3", "tr")
	case strings.HasPrefix(mimeType, "text/") || ext == ".txt":
		if !utf8.Valid(data) {
			return "", fmt.Errorf("%s: not UTF-8: %w", fileName, ratsnetz.ErrSearchSkipped)
		}
		text = string(data)
	default:
		return "", fmt.Errorf("%s (%s): unknown format: %w", fileName, mimeType, ratsnetz.ErrSearchSkipped)
	}
	if err != nil {
		return "", err
	}
	max := x.MaxBytes
	if max == 0 {
		max = 2 << 20
	}
	if len(text) > max {
		text = text[:max]
		for len(text) > 0 && !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	return text, nil
}

func (x *Extractor) pdf(ctx context.Context, data []byte) (string, error) {
	text, err := pdf.ExtractText(data)
	if err != nil {
		return "", fmt.Errorf("%w: %w", err, ratsnetz.ErrSearchSkipped)
	}
	if strings.TrimSpace(strings.ReplaceAll(text, "\f", "")) != "" {
		return text, nil
	}
	// No text layer: a scan.
	if x.Tesseract == "" {
		return "", fmt.Errorf("scanned pdf, tesseract not installed: %w", ratsnetz.ErrSearchSkipped)
	}
	return x.ocr(ctx, data)
}

// ocr renders each page with pdftoppm and reads it with tesseract
// (German), pages separated by form feeds.
func (x *Extractor) ocr(ctx context.Context, data []byte) (string, error) {
	dir, err := os.MkdirTemp("", "ratsnetz-ocr-")
	if err != nil {
		return "", fmt.Errorf("ocr: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return "", fmt.Errorf("ocr: %w", err)
	}
	if out, err := exec.CommandContext(ctx, x.Pdftoppm, "-r", "200", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("ocr: pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	sort.Strings(pages)
	var b strings.Builder
	for i, p := range pages {
		out, err := exec.CommandContext(ctx, x.Tesseract, p, "stdout", "-l", "deu").Output()
		if err != nil {
			return "", fmt.Errorf("ocr: tesseract page %d: %w", i+1, err)
		}
		if i > 0 {
			b.WriteString("\f")
		}
		b.Write(out)
	}
	return b.String(), nil
}

// zipXML reads the text of the XML file name inside a zip archive; elements
// with the given local names end a paragraph.
func zipXML(data []byte, name string, paragraphs ...string) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("read archive: %w: %w", err, ratsnetz.ErrSearchSkipped)
	}
	f, err := zr.Open(name)
	if err != nil {
		return "", fmt.Errorf("read archive: %w: %w", err, ratsnetz.ErrSearchSkipped)
	}
	defer f.Close()
	return xmlText(io.LimitReader(f, 64<<20), true, paragraphs...)
}

// xmlText returns the character data of an XML (or lenient HTML) document,
// a line break after each paragraph element.
func xmlText(r io.Reader, strict bool, paragraphs ...string) (string, error) {
	d := xml.NewDecoder(r)
	d.Strict = strict
	if !strict {
		d.AutoClose = xml.HTMLAutoClose
		d.Entity = xml.HTMLEntity
	}
	para := map[string]bool{}
	for _, p := range paragraphs {
		para[p] = true
	}
	var b strings.Builder
	skip := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read xml: %w: %w", err, ratsnetz.ErrSearchSkipped)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "script" || t.Name.Local == "style" {
				skip++
			}
			if t.Name.Local == "tab" || t.Name.Local == "s" {
				b.WriteByte(' ')
			}
		case xml.EndElement:
			if t.Name.Local == "script" || t.Name.Local == "style" {
				skip--
			}
			if para[t.Name.Local] {
				b.WriteByte('\n')
			}
		case xml.CharData:
			// Indentation between elements is not text.
			if skip == 0 && !(bytes.ContainsAny(t, "\n\r") && len(bytes.TrimSpace(t)) == 0) {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}
