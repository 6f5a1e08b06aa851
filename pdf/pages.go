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
// Level. Check Data with CountPages first: a PDF that cannot be read
// (encrypted, damaged) fails the whole rendering.
type Pages struct {
	Title string
	Level int
	Data  []byte
	// Text is the pages' plain text (optional, for PlainText).
	Text string
}

func (Pages) block() {}

func (p Pages) plain(b *strings.Builder) { b.WriteString(p.Title + "\n\n" + p.Text + "\n\n") }

// MaxImportPages bounds the pages taken from one PDF.
const MaxImportPages = 2000

// CountPages returns the number of pages of a PDF whose pages Pages can
// import, or an error if it cannot be read (encrypted, damaged, no pages).
func CountPages(data []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil { // gofpdi reports errors by panicking
			n, err = 0, fmt.Errorf("read pdf: %v", r)
		}
	}()
	if !bytes.HasPrefix(bytes.TrimLeft(data, "\x00\t\r\n "), []byte("%PDF-")) {
		return 0, fmt.Errorf("read pdf: not a PDF")
	}
	imp := gofpdi.NewImporter()
	var rs io.ReadSeeker = bytes.NewReader(data)
	imp.SetSourceStream(&rs)
	n = imp.GetNumPages()
	if n <= 0 {
		return 0, fmt.Errorf("read pdf: no pages")
	}
	if n > MaxImportPages {
		return 0, fmt.Errorf("read pdf: %d pages (at most %d)", n, MaxImportPages)
	}
	// Reading the page boxes walks the page tree: a damaged one fails here
	// rather than in the middle of a rendering.
	if len(imp.GetPageSizes()) != n {
		return 0, fmt.Errorf("read pdf: page tree incomplete")
	}
	return n, nil
}

// pages draws the original pages of p.Data, one per page.
func (r *renderer) pages(p Pages) (err error) {
	defer func() {
		if rec := recover(); rec != nil { // gofpdi reports errors by panicking
			err = fmt.Errorf("import pages of %q: %v", p.Title, rec)
		}
	}()
	f := r.f
	if r.imp == nil {
		r.imp = gofpdi.NewImporter()
	}
	// The importer names each source after the address of its reader
	// variable: keeping every variable alive keeps the names unique.
	rs := new(io.ReadSeeker)
	*rs = bytes.NewReader(p.Data)
	r.sources = append(r.sources, rs)
	r.imp.SetSourceStream(rs)
	n := min(r.imp.GetNumPages(), MaxImportPages)
	sizes := r.imp.GetPageSizes()
	tpls := make([]int, n)
	for i := range n {
		tpls[i] = r.imp.ImportPage(i+1, "/MediaBox")
	}
	f.ImportTemplates(r.imp.PutFormXobjectsUnordered())
	f.ImportObjects(r.imp.GetImportedObjectsUnordered())
	f.ImportObjPos(r.imp.GetImportedObjHashPos())

	pw, ph := f.GetPageSize()
	const top, bottom = 16.0, 18.0 // below the running head, above the footer
	aw, ah := pw-2*10.0, ph-top-bottom
	for i, tpl := range tpls {
		f.AddPage()
		if i == 0 {
			f.Bookmark(utf16Text(p.Title), p.Level, 0)
		}
		w, h := aw, ah
		if box := sizes[i+1]["/MediaBox"]; box["w"] > 0 && box["h"] > 0 {
			scale := min(aw/box["w"], ah/box["h"])
			w, h = box["w"]*scale, box["h"]*scale
		}
		name, sx, sy, tx, ty := r.imp.UseTemplate(tpl, (pw-w)/2, top, w, h)
		f.UseImportedTemplate(name, sx, sy, tx, ty)
	}
	return f.Error()
}
