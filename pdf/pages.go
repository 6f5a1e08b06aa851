package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/phpdave11/gofpdi"
)

// Pages is a block of the original pages of another PDF (an attachment in a
// Sitzungsmappe): each page is drawn unchanged as a form XObject, scaled to
// fit between the running head and the footer of a page of its own, so the
// page numbers and the footer line (the recipient of a personal copy) run
// over the attachment too. Title becomes a bookmark at the first page, at
// Level. The pages come from Prepared (read once, drawn into any number of
// documents) or else from Data, which must then be readable (see Prepare):
// a PDF that cannot be read fails the whole rendering. (A document with
// Pages is not byte-for-byte reproducible: fpdf numbers the imported
// objects in map order.)
type Pages struct {
	Title    string
	Level    int
	Prepared *Prepared
	Data     []byte
	// Text is the pages' plain text (optional, for PlainText).
	Text string
}

func (Pages) block() {}

func (p Pages) plain(b *strings.Builder) { b.WriteString(p.Title + "\n\n" + p.Text + "\n\n") }

// MaxImportPages bounds the pages taken from one PDF.
const MaxImportPages = 2000

// Prepared is a PDF whose pages were read and converted into form XObjects
// once, ready to be drawn into many documents (the 80 personal packets of
// an invitation import the same attachments). It is immutable and safe for
// concurrent use.
type Prepared struct {
	// src keeps the reader variable alive: the importer names the source
	// (and so every object hash and template name) after its address.
	src   *io.ReadSeeker
	pages []preparedPage
	tpls  map[string]string         // template name → object hash
	objs  map[string][]byte         // object hash → object (with hashes for references)
	pos   map[string]map[int]string // object hash → positions of referenced hashes
	size  int
}

type preparedPage struct {
	name           string
	sx, sy, tx, ty float64
}

// Pages returns the number of pages.
func (p *Prepared) Pages() int { return len(p.pages) }

// Size returns the bytes the prepared objects hold.
func (p *Prepared) Size() int { return p.size }

// layout of an imported page on an A4 page (mm): below the running head,
// above the footer, 10 mm from the sides.
const (
	importTop, importBottom, importSide = 16.0, 18.0, 10.0
	a4W, a4H                            = 210.0, 297.0
)

// Prepare reads a PDF for Pages, or returns an error if it cannot be read
// (not a PDF, encrypted, damaged, no pages, more than MaxImportPages).
func Prepare(data []byte) (p *Prepared, err error) {
	defer func() {
		if r := recover(); r != nil { // gofpdi reports errors by panicking
			p, err = nil, fmt.Errorf("read pdf: %v", r)
		}
	}()
	if !bytes.HasPrefix(bytes.TrimLeft(data, "\x00\t\r\n "), []byte("%PDF-")) {
		return nil, fmt.Errorf("read pdf: not a PDF")
	}
	imp := gofpdi.NewImporter()
	p = &Prepared{src: new(io.ReadSeeker)}
	*p.src = bytes.NewReader(data)
	imp.SetSourceStream(p.src)
	n := imp.GetNumPages()
	if n <= 0 {
		return nil, fmt.Errorf("read pdf: no pages")
	}
	if n > MaxImportPages {
		return nil, fmt.Errorf("read pdf: %d pages (at most %d)", n, MaxImportPages)
	}
	sizes := imp.GetPageSizes()
	tpls := make([]int, n)
	for i := range n {
		tpls[i] = imp.ImportPage(i+1, "/MediaBox")
	}
	names := imp.PutFormXobjectsUnordered()
	p.objs = imp.GetImportedObjectsUnordered()
	p.pos = imp.GetImportedObjHashPos()
	// Template names are numbered per importer: name them after their
	// object hash (unique to this source) so that the pages of several
	// Prepared PDFs can share one document.
	rename := map[string]string{}
	p.tpls = map[string]string{}
	for name, hash := range names {
		rename[name] = "/RNTPL" + hash[:16]
		p.tpls[rename[name]] = hash
	}
	aw, ah := a4W-2*importSide, a4H-importTop-importBottom
	for i, tpl := range tpls {
		w, h := aw, ah
		if box := sizes[i+1]["/MediaBox"]; box["w"] > 0 && box["h"] > 0 {
			scale := min(aw/box["w"], ah/box["h"])
			w, h = box["w"]*scale, box["h"]*scale
		}
		name, sx, sy, tx, ty := imp.UseTemplate(tpl, (a4W-w)/2, importTop, w, h)
		if rename[name] == "" {
			return nil, fmt.Errorf("read pdf: page %d has no template", i+1)
		}
		p.pages = append(p.pages, preparedPage{name: rename[name], sx: sx, sy: sy, tx: tx, ty: ty})
	}
	for _, o := range p.objs {
		p.size += len(o)
	}
	return p, nil
}

// CountPages returns the number of pages of a PDF whose pages Pages can
// import, or an error if it cannot be read.
func CountPages(data []byte) (int, error) {
	p, err := Prepare(data)
	if err != nil {
		return 0, err
	}
	return p.Pages(), nil
}

// pages draws the prepared pages, one per page.
func (r *renderer) pages(p Pages) error {
	prep := p.Prepared
	if prep == nil {
		var err error
		if prep, err = Prepare(p.Data); err != nil {
			return fmt.Errorf("import pages of %q: %w", p.Title, err)
		}
	}
	f := r.f
	f.ImportTemplates(prep.tpls)
	// fpdf writes the object numbers into the objects it was given: each
	// document gets its own copy.
	objs := make(map[string][]byte, len(prep.objs))
	for h, o := range prep.objs {
		objs[h] = bytes.Clone(o)
	}
	f.ImportObjects(objs)
	f.ImportObjPos(prep.pos)
	for i, pg := range prep.pages {
		f.AddPage()
		if i == 0 {
			f.Bookmark(utf16Text(p.Title), p.Level, 0)
		}
		f.UseImportedTemplate(pg.name, pg.sx, pg.sy, pg.tx, pg.ty)
	}
	return f.Error()
}
