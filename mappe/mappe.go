// Package mappe assembles the documents of distribution: the Sitzungsmappe
// (one PDF per meeting and reader: cover, agenda, every paper and
// attachment in agenda order, a bookmark per agenda item, page numbers, the
// reader's name in the footer) and the invitation letter. Everything is
// read through the store with the viewer in the context, so a packet holds
// exactly what that viewer may see; this package never decides visibility.
package mappe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// Store is what the builder reads.
type Store interface {
	ratsnetz.BodyService
	ratsnetz.OrganizationService
	ratsnetz.MeetingService
	ratsnetz.PaperService
	ratsnetz.FileService
}

// Builder builds Sitzungsmappen and invitation letters.
type Builder struct {
	Store Store
	// Blobs holds the files; attachments without stored text are read from
	// here (PDF text extraction).
	Blobs ratsnetz.BlobStore
	// Loc is the time zone dates are shown in (Europe/Berlin).
	Loc *time.Location
	// Now is the clock (creation date of the PDFs).
	Now func() time.Time

	// texts caches the text extracted from attachment PDFs by blob key
	// (content-addressed: a changed file gets a new key), so that the 80
	// packets of one invitation extract each attachment once; originals
	// caches the attachment PDFs themselves (nil = not importable) the same
	// way, bounded by originalBytes.
	mu            sync.Mutex
	texts         map[string]string
	originals     map[string]*pdf.Prepared
	originalBytes int
}

// maxCachedOriginals bounds the bytes of prepared attachment pages kept in
// memory.
const maxCachedOriginals = 64 << 20

// maxOriginal is the largest attachment PDF taken in as its pages; a larger
// one goes in as text.
const maxOriginal = 50 << 20

// maxCachedTexts bounds the attachment text cache.
const maxCachedTexts = 2000

// maxAttachmentText bounds the text taken from one attachment.
const maxAttachmentText = 400_000

// Meeting is a meeting with what the viewer may see of its agenda.
type Meeting struct {
	Meeting  *ratsnetz.Meeting
	Body     string
	Org      *ratsnetz.Organization
	Location string
	Items    []*ratsnetz.AgendaItem
}

// Load reads the meeting and its agenda as the viewer in ctx sees them.
func (b *Builder) Load(ctx context.Context, meetingID int64) (*Meeting, error) {
	m, err := b.Store.FindMeetingByID(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	out := &Meeting{Meeting: m}
	if body, err := b.Store.FindBodyByID(ctx, m.BodyID); err == nil {
		out.Body = body.Name
	}
	if len(m.OrganizationIDs) > 0 {
		if org, err := b.Store.FindOrganizationByID(ctx, m.OrganizationIDs[0]); err == nil {
			out.Org = org
		}
	}
	if m.LocationID != 0 {
		if l, err := b.Store.FindLocationByID(ctx, m.LocationID); err == nil {
			out.Location = strings.TrimSpace(strings.Join(nonEmpty(l.Description, l.Room, l.StreetAddress, strings.TrimSpace(l.PostalCode+" "+l.Locality)), ", "))
		}
	}
	items, _, err := b.Store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: meetingID, ListOptions: ratsnetz.ListOptions{Limit: 10000}})
	if err != nil {
		return nil, err
	}
	out.Items = items
	return out, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func (b *Builder) loc() *time.Location {
	if b.Loc != nil {
		return b.Loc
	}
	return time.UTC
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// When returns the meeting's date and time in German.
func (b *Builder) When(m *ratsnetz.Meeting) string {
	if m.Start.IsZero() {
		return "Termin noch offen"
	}
	t := m.Start.In(b.loc())
	days := []string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}
	return fmt.Sprintf("%s, %s, %s Uhr", days[t.Weekday()], t.Format("02.01.2006"), t.Format("15:04"))
}

// Title is the title of the meeting's documents.
func (mt *Meeting) Title() string {
	name := mt.Meeting.Name
	if mt.Org != nil && !strings.Contains(name, mt.Org.Name) {
		name = mt.Org.Name + ": " + name
	}
	return name
}

func itemTitle(it *ratsnetz.AgendaItem) string {
	return strings.TrimSpace(it.Number + " " + it.Name)
}

// AgendaTable is the agenda as a table: public part first, as ordered.
func AgendaTable(items []*ratsnetz.AgendaItem) pdf.Table {
	t := pdf.Table{Header: []string{"TOP", "Gegenstand", "Teil"}, Widths: []float64{1.2, 6, 1.8}}
	for _, it := range items {
		part := "öffentlich"
		if !it.Public {
			part = "nichtöffentlich"
		}
		name := it.Name
		if it.Urgent {
			name += " (Dringlichkeit)"
		}
		if it.Addendum {
			name += " (Nachtrag)"
		}
		t.Rows = append(t.Rows, []string{it.Number, name, part})
	}
	return t
}

// Packet builds the Sitzungsmappe of the meeting as the viewer in ctx sees
// it. recipient names the reader of a personal copy ("" = the public
// variant); it is printed in the footer of every page.
func (b *Builder) Packet(ctx context.Context, meetingID int64, recipient string) (pdf.Document, error) {
	doc, _, err := b.packet(ctx, meetingID, recipient)
	return doc, err
}

func (b *Builder) packet(ctx context.Context, meetingID int64, recipient string) (pdf.Document, bool, error) {
	mt, err := b.Load(ctx, meetingID)
	if err != nil {
		return pdf.Document{}, false, err
	}
	parts := []pdf.Document{{Title: "Tagesordnung", Blocks: []pdf.Block{AgendaTable(mt.Items)}}}
	nonPublic := false
	for _, it := range mt.Items {
		if it.Redacted {
			continue
		}
		if !it.Public {
			nonPublic = true
		}
		part, err := b.itemPart(ctx, it)
		if err != nil {
			return pdf.Document{}, false, err
		}
		parts = append(parts, part)
	}
	doc := pdf.Combine("Sitzungsmappe – "+mt.Title(), parts)
	doc.Subtitle = b.When(mt.Meeting)
	if mt.Location != "" {
		doc.Subtitle += "\n" + mt.Location
	}
	doc.Author = mt.Body
	doc.Subject = "Sitzungsmappe"
	doc.Header = strings.Trim(mt.Body+" – "+mt.Title(), " –")
	doc.Date = b.now()
	// Uncompressed pages: about twice the bytes, half the CPU time of the
	// 300-page packets (fpdf starts a fresh deflater per page).
	doc.Uncompressed = true
	switch {
	case recipient == "":
		doc.Footer = "Öffentliche Sitzungsmappe"
	case nonPublic:
		doc.Footer = "Persönliches Exemplar für " + recipient + " – enthält nichtöffentliche Unterlagen"
	default:
		doc.Footer = "Persönliches Exemplar für " + recipient
	}
	if recipient != "" {
		doc.Subtitle += "\nPersönliches Exemplar für " + recipient
	}
	return doc, nonPublic, nil
}

// itemPart is one agenda item: its paper's text sections and every
// attachment the viewer may see, each attachment under its own heading.
func (b *Builder) itemPart(ctx context.Context, it *ratsnetz.AgendaItem) (pdf.Document, error) {
	part := pdf.Document{Title: itemTitle(it)}
	if !it.Public {
		part.Subtitle = "Nichtöffentlicher Teil"
	}
	seen := map[int64]bool{}
	var files []*ratsnetz.File
	if it.PaperID != 0 {
		p, err := b.Store.FindPaperByID(ctx, it.PaperID)
		switch {
		case err == nil:
			head := strings.TrimSpace(p.PaperType + " " + p.Reference)
			part.Blocks = append(part.Blocks, pdf.Heading{Text: "Vorlage " + strings.TrimSpace(p.Reference)},
				pdf.Paragraph{Text: strings.TrimSpace(head + ": " + p.Name), Bold: true})
			for _, s := range p.Sections {
				part.Blocks = append(part.Blocks, pdf.Paragraph{Text: s.Heading, Bold: true}, pdf.Paragraph{Text: s.Text})
			}
			fs, _, err := b.Store.FindFiles(ctx, ratsnetz.FileFilter{PaperID: p.ID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
			if err != nil {
				return pdf.Document{}, err
			}
			files = append(files, fs...)
		case ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND:
			// A paper the viewer may not see stays out.
		default:
			return pdf.Document{}, err
		}
	}
	fs, _, err := b.Store.FindFiles(ctx, ratsnetz.FileFilter{AgendaItemID: it.ID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return pdf.Document{}, err
	}
	files = append(files, fs...)
	for _, f := range files {
		if seen[f.ID] || f.Deleted {
			continue
		}
		seen[f.ID] = true
		name := f.Name
		if name == "" {
			name = f.FileName
		}
		// A PDF attachment goes in as its original pages; anything else (or
		// a PDF that cannot be read) as its text.
		if orig, err := b.original(ctx, f); err != nil {
			return pdf.Document{}, err
		} else if orig != nil {
			part.Blocks = append(part.Blocks, pdf.Pages{Title: "Anlage: " + name, Prepared: orig})
			continue
		}
		text, err := b.fileText(ctx, f)
		if err != nil {
			return pdf.Document{}, err
		}
		part.Blocks = append(part.Blocks, pdf.Heading{Text: "Anlage: " + name})
		if text == "" {
			text = "(Diese Anlage enthält keinen Text; sie liegt im Portal als Datei " + f.FileName + " bereit.)"
		}
		part.Blocks = append(part.Blocks, pdf.Paragraph{Text: text, Small: true})
	}
	if len(part.Blocks) == 0 {
		part.Blocks = append(part.Blocks, pdf.Paragraph{Text: "Zu diesem Tagesordnungspunkt gibt es keine Unterlagen.", Italic: true})
	}
	return part, nil
}

// original returns the attachment's pages, read once per blob (the
// packets of one invitation share them), or nil if it is not a PDF whose
// pages can be imported (missing blob, encrypted or damaged: the text
// stands in).
func (b *Builder) original(ctx context.Context, f *ratsnetz.File) (*pdf.Prepared, error) {
	if b.Blobs == nil || f.BlobKey == "" || !strings.Contains(strings.ToLower(f.MimeType), "pdf") {
		return nil, nil
	}
	b.mu.Lock()
	prep, ok := b.originals[f.BlobKey]
	b.mu.Unlock()
	if ok {
		return prep, nil
	}
	blob, err := b.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(blob, maxOriginal+1))
	blob.Close()
	if err != nil {
		return nil, fmt.Errorf("read file %d: %w", f.ID, err)
	}
	size := 0
	if len(data) <= maxOriginal {
		if prep, err = pdf.Prepare(data); err != nil {
			prep = nil
		} else {
			size = prep.Size()
		}
	}
	b.mu.Lock()
	if b.originals == nil || b.originalBytes+size > maxCachedOriginals {
		b.originals, b.originalBytes = map[string]*pdf.Prepared{}, 0
	}
	b.originals[f.BlobKey] = prep
	b.originalBytes += size
	b.mu.Unlock()
	return prep, nil
}

// fileText returns the attachment's text: the stored text, or the text of
// the PDF in the blob store.
func (b *Builder) fileText(ctx context.Context, f *ratsnetz.File) (string, error) {
	if strings.TrimSpace(f.Text) != "" {
		return clip(f.Text), nil
	}
	if b.Blobs == nil || f.BlobKey == "" || !strings.Contains(f.MimeType, "pdf") {
		return "", nil
	}
	b.mu.Lock()
	text, ok := b.texts[f.BlobKey]
	b.mu.Unlock()
	if ok {
		return text, nil
	}
	text, err := b.extract(ctx, f)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	if b.texts == nil || len(b.texts) >= maxCachedTexts {
		b.texts = map[string]string{}
	}
	b.texts[f.BlobKey] = text
	b.mu.Unlock()
	return text, nil
}

func (b *Builder) extract(ctx context.Context, f *ratsnetz.File) (string, error) {
	blob, err := b.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return "", nil // a missing blob leaves the placeholder
	}
	defer blob.Close()
	data, err := io.ReadAll(io.LimitReader(blob, 50<<20))
	if err != nil {
		return "", fmt.Errorf("read file %d: %w", f.ID, err)
	}
	text, err := pdf.ExtractText(data)
	if err != nil {
		return "", nil
	}
	return clip(text), nil
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxAttachmentText {
		s = s[:maxAttachmentText] + " …"
	}
	return s
}

// RenderPacket renders the packet as PDF bytes.
func (b *Builder) RenderPacket(ctx context.Context, meetingID int64, recipient string) ([]byte, error) {
	data, _, err := b.RenderPacketInfo(ctx, meetingID, recipient)
	return data, err
}

// RenderPacketInfo renders the packet and reports whether it holds
// non-public agenda items (for the access audit).
func (b *Builder) RenderPacketInfo(ctx context.Context, meetingID int64, recipient string) ([]byte, bool, error) {
	doc, nonPublic, err := b.packet(ctx, meetingID, recipient)
	if err != nil {
		return nil, false, err
	}
	var buf bytes.Buffer
	if err := pdf.Render(doc, &buf); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), nonPublic, nil
}

// Reader is one reader of a personal packet: their viewer and name.
type Reader struct {
	Viewer ratsnetz.Viewer
	Name   string
}

// RenderPackets renders the personal packet of each reader with up to
// workers at a time and hands each to fn (called from several goroutines).
func (b *Builder) RenderPackets(ctx context.Context, meetingID int64, readers []Reader, workers int, fn func(i int, data []byte) error) error {
	if workers <= 0 {
		workers = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				data, err := b.RenderPacket(ratsnetz.NewContextWithViewer(ctx, readers[i].Viewer), meetingID, readers[i].Name)
				if err == nil {
					err = fn(i, data)
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		})
	}
feed:
	for i := range readers {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// InvitationLetter renders the invitation (or Nachtrag) of a meeting with
// its agenda, as the office's viewer in ctx sees it.
func (b *Builder) InvitationLetter(ctx context.Context, mt *Meeting, kind string, changes []string, reason string) ([]byte, error) {
	title := kind + " zur Sitzung – " + mt.Title()
	doc := pdf.Document{Title: title, Subtitle: b.When(mt.Meeting), Author: mt.Body, Subject: kind, Date: b.now(),
		Header: strings.Trim(mt.Body+" – "+mt.Title(), " –")}
	if mt.Location != "" {
		doc.Subtitle += "\n" + mt.Location
	}
	intro := "Hiermit lade ich Sie zur Sitzung ein. Die Unterlagen stehen in Ratsnetz für Sie bereit."
	if kind == ratsnetz.InvitationKindSupplement {
		intro = "Zur Tagesordnung der Sitzung gibt es einen Nachtrag. Geändert hat sich:"
	}
	doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: intro})
	if len(changes) > 0 {
		doc.Blocks = append(doc.Blocks, pdf.List{Items: changes})
	}
	if reason != "" {
		doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: "Die Ladungsfrist kann nicht eingehalten werden: " + reason, Italic: true})
	}
	doc.Blocks = append(doc.Blocks, pdf.Heading{Text: "Tagesordnung"}, AgendaTable(mt.Items))
	var buf bytes.Buffer
	if err := pdf.Render(doc, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
