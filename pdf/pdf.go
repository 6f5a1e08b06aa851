// Package pdf renders Ratsnetz documents (invitations, minutes, papers,
// Sitzungsmappen) as real PDF files with extractable text.
//
// Text uses the PDF core fonts (Helvetica) in the Windows-1252 encoding, which
// covers German umlauts, ß, typographic quotes, dashes and the euro sign
// without embedding a font. Characters outside Windows-1252 are replaced by
// close equivalents or "?".
package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// Document is a PDF document made of blocks.
type Document struct {
	// Title is printed large on the first page and stored as metadata.
	Title string
	// Subtitle is printed under the title (e.g. date and place of a meeting).
	Subtitle string
	Author   string // metadata: e.g. "Stadt Musterstadt"
	Subject  string // metadata
	Keywords string // metadata
	// Date is the creation date in the metadata; the zero time is replaced by
	// a fixed date so that output is reproducible.
	Date time.Time
	// Header is the running head on every page after the first
	// (e.g. "Stadt Musterstadt – Rat der Stadt").
	Header string
	// Footer is an optional line at the bottom left of every page, e.g. the
	// recipient of a personal copy ("Exemplar für Erika Beispiel").
	Footer string
	// Uncompressed skips compressing the page streams: about twice the size,
	// half the rendering time. For bulk generation (the demo).
	Uncompressed bool
	Blocks       []Block
}

// Block is one element of a document: Heading, Paragraph, Table, List,
// PageBreak or Pages.
type Block interface {
	block()
	plain(b *strings.Builder)
}

// Heading is a section heading; each heading becomes a PDF bookmark
// (outline entry). Level 0 is the top level.
type Heading struct {
	Text  string
	Level int
}

// Paragraph is running text; blank lines inside separate paragraphs.
type Paragraph struct {
	Text   string
	Bold   bool
	Italic bool
	Small  bool
}

// Table is a simple table with an optional header row; cell text wraps.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are relative column widths; nil means equal widths.
	Widths []float64
}

// List is a bulleted list.
type List struct {
	Items []string
}

// PageBreak starts a new page.
type PageBreak struct{}

func (Heading) block()   {}
func (Paragraph) block() {}
func (Table) block()     {}
func (List) block()      {}
func (PageBreak) block() {}

func (h Heading) plain(b *strings.Builder)   { b.WriteString(h.Text + "\n\n") }
func (p Paragraph) plain(b *strings.Builder) { b.WriteString(p.Text + "\n\n") }
func (PageBreak) plain(*strings.Builder)     {}

func (t Table) plain(b *strings.Builder) {
	if len(t.Header) > 0 {
		b.WriteString(strings.Join(t.Header, " | ") + "\n")
	}
	for _, r := range t.Rows {
		b.WriteString(strings.Join(r, " | ") + "\n")
	}
	b.WriteString("\n")
}

func (l List) plain(b *strings.Builder) {
	for _, it := range l.Items {
		b.WriteString("- " + it + "\n")
	}
	b.WriteString("\n")
}

// PlainText returns the document's text without layout, for search indexes
// and File.Text.
func (d Document) PlainText() string {
	var b strings.Builder
	b.WriteString(d.Title + "\n")
	if d.Subtitle != "" {
		b.WriteString(d.Subtitle + "\n")
	}
	b.WriteString("\n")
	for _, bl := range d.Blocks {
		bl.plain(&b)
	}
	return strings.TrimSpace(b.String()) + "\n"
}

const (
	fontFamily = "Helvetica"
	margin     = 20.0
	lineH      = 5.0
)

// replacements maps characters outside Windows-1252 to close equivalents.
var replacements = strings.NewReplacer(
	"\u2212", "-", // minus
	"\u2010", "-", "\u2011", "-", "\u2192", "->", "\u2190", "<-",
	"\u2264", "<=", "\u2265", ">=", "\u2009", " ", "\u202f", " ", "\u00ad", "",
	"\u2605", "*", "\u2713", "x", "\u2714", "x",
)

// encode converts UTF-8 text to Windows-1252 for the core fonts.
func encode(s string) string {
	s = replacements.Replace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteByte(byte(r))
			continue
		}
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// utf16Text encodes s as a PDF text string in UTF-16BE with byte order mark,
// for bookmarks, which are not drawn with a font.
func utf16Text(s string) string {
	var b strings.Builder
	b.WriteString("\xfe\xff")
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u >> 8))
		b.WriteByte(byte(u))
	}
	return b.String()
}

type renderer struct {
	f   *fpdf.Fpdf
	doc Document
}

// Render writes doc as a PDF (A4 portrait) to w. The output is deterministic
// for the same document.
func Render(doc Document, w io.Writer) error {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCompression(!doc.Uncompressed)
	date := doc.Date
	if date.IsZero() {
		date = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	f.SetCreationDate(date)
	f.SetModificationDate(date)
	f.SetTitle(doc.Title, true)
	f.SetAuthor(doc.Author, true)
	f.SetSubject(doc.Subject, true)
	f.SetKeywords(doc.Keywords, true)
	f.SetCreator("Ratsnetz", true)
	f.SetProducer("Ratsnetz", true)
	f.SetLang("de-DE")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	f.AliasNbPages("{nb}")

	r := &renderer{f: f, doc: doc}
	f.SetHeaderFunc(r.header)
	f.SetFooterFunc(r.footer)
	f.AddPage()

	f.SetFont(fontFamily, "B", 18)
	f.MultiCell(0, 8, encode(doc.Title), "", "L", false)
	if doc.Subtitle != "" {
		f.SetFont(fontFamily, "", 12)
		f.Ln(1)
		f.MultiCell(0, 6, encode(doc.Subtitle), "", "L", false)
	}
	f.Ln(4)

	for _, bl := range doc.Blocks {
		switch b := bl.(type) {
		case Heading:
			r.heading(b)
		case Paragraph:
			r.paragraph(b)
		case Table:
			r.table(b)
		case List:
			r.list(b)
		case PageBreak:
			f.AddPage()
		case Pages:
			if err := r.pages(b); err != nil {
				return fmt.Errorf("render pdf: %w", err)
			}
		default:
			return fmt.Errorf("render pdf: unknown block %T", bl)
		}
		if err := f.Error(); err != nil {
			return fmt.Errorf("render pdf: %w", err)
		}
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	return nil
}

func (r *renderer) header() {
	f := r.f
	if f.PageNo() == 1 || r.doc.Header == "" {
		return
	}
	f.SetFont(fontFamily, "", 8)
	f.SetTextColor(90, 90, 90)
	f.SetY(10)
	f.CellFormat(0, 4, encode(r.doc.Header), "B", 1, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetY(margin)
}

func (r *renderer) footer() {
	f := r.f
	f.SetY(-15)
	f.SetFont(fontFamily, "", 8)
	f.SetTextColor(90, 90, 90)
	page := fmt.Sprintf("Seite %d von {nb}", f.PageNo())
	if r.doc.Footer != "" {
		pw, _ := f.GetPageSize()
		f.CellFormat(pw-2*margin-30, 4, encode(r.doc.Footer), "T", 0, "L", false, 0, "")
		f.CellFormat(30, 4, encode(page), "T", 0, "R", false, 0, "")
	} else {
		f.CellFormat(0, 4, encode(page), "T", 0, "R", false, 0, "")
	}
	f.SetTextColor(0, 0, 0)
}

func (r *renderer) heading(h Heading) {
	f := r.f
	size := 14.0 - 1.5*float64(min(h.Level, 3))
	// Keep a heading with at least a few lines of what follows.
	_, ph := f.GetPageSize()
	if f.GetY()+size+4*lineH > ph-margin-5 {
		f.AddPage()
	}
	f.Ln(2)
	f.Bookmark(utf16Text(h.Text), h.Level, -1)
	f.SetFont(fontFamily, "B", size)
	f.MultiCell(0, size*0.5, encode(h.Text), "", "L", false)
	f.Ln(1.5)
}

func (r *renderer) paragraph(p Paragraph) {
	f := r.f
	style := ""
	if p.Bold {
		style += "B"
	}
	if p.Italic {
		style += "I"
	}
	size := 10.5
	if p.Small {
		size = 8.5
	}
	f.SetFont(fontFamily, style, size)
	for _, para := range strings.Split(strings.TrimSpace(p.Text), "\n\n") {
		f.MultiCell(0, lineH, encode(strings.TrimSpace(para)), "", "L", false)
		f.Ln(2)
	}
}

func (r *renderer) list(l List) {
	f := r.f
	f.SetFont(fontFamily, "", 10.5)
	for _, it := range l.Items {
		x := f.GetX()
		f.CellFormat(6, lineH, encode("\u2022"), "", 0, "L", false, 0, "")
		f.MultiCell(0, lineH, encode(it), "", "L", false)
		f.SetX(x)
	}
	f.Ln(2)
}

// wrap splits encoded text into lines no wider than w at the current font.
func (r *renderer) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		line := ""
		for _, word := range words {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && r.f.GetStringWidth(try) > w {
				lines = append(lines, line)
				line = word
			} else {
				line = try
			}
		}
		lines = append(lines, line)
	}
	return lines
}

func (r *renderer) table(t Table) {
	f := r.f
	ncol := len(t.Header)
	for _, row := range t.Rows {
		ncol = max(ncol, len(row))
	}
	if ncol == 0 {
		return
	}
	pw, ph := f.GetPageSize()
	total := pw - 2*margin
	widths := make([]float64, ncol)
	sum := 0.0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 {
			widths[i] = t.Widths[i]
		}
		sum += widths[i]
	}
	for i := range widths {
		widths[i] = widths[i] / sum * total
	}
	if len(t.Header) > 0 {
		r.row(t.Header, widths, true)
	}
	for _, cells := range t.Rows {
		h := r.rowHeight(cells, widths, false)
		if f.GetY()+h > ph-margin-5 {
			f.AddPage()
			if len(t.Header) > 0 {
				r.row(t.Header, widths, true)
			}
		}
		r.row(cells, widths, false)
	}
	f.Ln(3)
}

const (
	cellPad  = 1.5
	cellLine = 4.5
)

func (r *renderer) cellLines(cells []string, widths []float64, bold bool) [][]string {
	style := ""
	if bold {
		style = "B"
	}
	r.f.SetFont(fontFamily, style, 9)
	wrapped := make([][]string, len(widths))
	for i := range widths {
		txt := ""
		if i < len(cells) {
			txt = encode(cells[i])
		}
		wrapped[i] = r.wrap(txt, widths[i]-2*cellPad)
	}
	return wrapped
}

func rowHeightOf(wrapped [][]string) float64 {
	n := 1
	for _, w := range wrapped {
		n = max(n, len(w))
	}
	return float64(n)*cellLine + 2
}

func (r *renderer) rowHeight(cells []string, widths []float64, bold bool) float64 {
	return rowHeightOf(r.cellLines(cells, widths, bold))
}

// row draws one table row at the current position.
func (r *renderer) row(cells []string, widths []float64, bold bool) {
	f := r.f
	wrapped := r.cellLines(cells, widths, bold)
	h := rowHeightOf(wrapped)
	x0, y0 := f.GetX(), f.GetY()
	x := x0
	for i := range widths {
		if bold {
			f.SetFillColor(230, 230, 230)
			f.Rect(x, y0, widths[i], h, "FD")
		} else {
			f.Rect(x, y0, widths[i], h, "D")
		}
		for j, line := range wrapped[i] {
			f.Text(x+cellPad, y0+1+cellLine*float64(j)+3.3, line)
		}
		x += widths[i]
	}
	f.SetXY(x0, y0+h)
}
