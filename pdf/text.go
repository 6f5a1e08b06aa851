package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	lpdf "github.com/ledongthuc/pdf"
)

// ExtractText returns the plain text of a PDF, page by page, separated by
// form feeds. It serves search indexing of imported files and tests.
func ExtractText(data []byte) (text string, err error) {
	defer func() {
		// The reader panics on some malformed input.
		if p := recover(); p != nil {
			err = fmt.Errorf("extract pdf text: malformed pdf: %v", p)
		}
	}()
	r, err := lpdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("extract pdf text: %w", err)
	}
	var b strings.Builder
	fonts := map[string]*lpdf.Font{}
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		t, err := p.GetPlainText(fonts)
		if err != nil {
			return "", fmt.Errorf("extract pdf text: page %d: %w", i, err)
		}
		if i > 1 {
			b.WriteString("\f")
		}
		b.WriteString(t)
	}
	return b.String(), nil
}

// Info is the metadata and outline of a PDF.
type Info struct {
	Title    string
	Author   string
	Subject  string
	Pages    int
	Outline  []string // bookmark titles in document order, depth-first
	Keywords string
}

// ReadInfo reads the metadata and outline of a PDF.
func ReadInfo(r io.ReaderAt, size int64) (info Info, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("read pdf info: malformed pdf: %v", p)
		}
	}()
	pr, err := lpdf.NewReader(r, size)
	if err != nil {
		return Info{}, fmt.Errorf("read pdf info: %w", err)
	}
	meta := pr.Trailer().Key("Info")
	info = Info{
		Title:    meta.Key("Title").Text(),
		Author:   meta.Key("Author").Text(),
		Subject:  meta.Key("Subject").Text(),
		Keywords: meta.Key("Keywords").Text(),
		Pages:    pr.NumPage(),
	}
	var walk func(o lpdf.Outline)
	walk = func(o lpdf.Outline) {
		if o.Title != "" {
			info.Outline = append(info.Outline, o.Title)
		}
		for _, c := range o.Child {
			walk(c)
		}
	}
	walk(pr.Outline())
	return info, nil
}
