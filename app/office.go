package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz/pdf"
	"github.com/ratsnetz/ratsnetz/web"
)

// openOffice builds the office area's dependencies for the portal: the store
// as the office service and the minutes renderer (package pdf).
func (m *Main) openOffice(ctx context.Context, baseURL string) (web.OfficeDeps, error) {
	return web.OfficeDeps{Office: m.DB, RenderMinutes: m.renderMinutes}, nil
}

// renderMinutes renders the public part of the minutes as PDF: a bookmark
// per agenda item, vote tables per faction, the signatures.
func (m *Main) renderMinutes(ctx context.Context, d web.MinutesDoc) ([]byte, string, error) {
	when := func(t interface{ IsZero() bool }, s string) string {
		if t.IsZero() {
			return ""
		}
		return s
	}
	doc := pdf.Document{Title: d.Title, Subtitle: d.Subtitle, Author: d.Body, Subject: "Niederschrift", Header: d.Body + " – " + d.Title, Date: m.Now()}
	list := func(label string, names []string) {
		if len(names) > 0 {
			doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: label + ": " + strings.Join(names, ", ")})
		}
	}
	doc.Blocks = append(doc.Blocks, pdf.Heading{Text: "Anwesenheit"})
	list("Anwesend", d.Present)
	list("Entschuldigt", d.Excused)
	list("Unentschuldigt", d.Unexcused)
	if strings.TrimSpace(d.Text) != "" {
		doc.Blocks = append(doc.Blocks, pdf.Heading{Text: "Allgemeines"}, pdf.Paragraph{Text: d.Text})
	}
	doc.Blocks = append(doc.Blocks, pdf.Heading{Text: "Öffentlicher Teil"})
	for _, it := range d.Items {
		title := it.Number + " " + it.Name
		if it.Reference != "" {
			title += " (" + it.Reference + ")"
		}
		doc.Blocks = append(doc.Blocks, pdf.Heading{Text: title, Level: 1})
		if it.Minutes != "" {
			doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: it.Minutes})
		}
		if it.Resolution != "" {
			doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: "Beschluss: " + it.Resolution})
		}
		if it.Result != "" {
			doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: "Ergebnis: " + it.Result})
		}
		if v := it.Vote; v != nil {
			text := fmt.Sprintf("Abstimmung: %d Ja, %d Nein, %d Enthaltungen", v.Yes, v.No, v.Abstain)
			if v.Unanimous {
				text += " (einstimmig)"
			}
			doc.Blocks = append(doc.Blocks, pdf.Paragraph{Text: text})
			if len(v.Factions) > 0 {
				var rows [][]string
				for _, f := range v.Factions {
					rows = append(rows, []string{f.Name, strconv.Itoa(f.Yes), strconv.Itoa(f.No), strconv.Itoa(f.Abstain)})
				}
				doc.Blocks = append(doc.Blocks, pdf.Table{Header: []string{"Fraktion", "Ja", "Nein", "Enthaltung"}, Rows: rows, Widths: []float64{5, 1, 1, 1.5}})
			}
		}
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	doc.Blocks = append(doc.Blocks, pdf.Heading{Text: "Unterschriften"},
		pdf.Paragraph{Text: "Vorsitz: " + d.ChairName + when(d.ChairAt, ", "+d.ChairAt.In(loc).Format("02.01.2006 15:04")) +
			"\nSchriftführung: " + d.Recorder + when(d.RecorderAt, ", "+d.RecorderAt.In(loc).Format("02.01.2006 15:04"))})
	var buf bytes.Buffer
	if err := pdf.Render(doc, &buf); err != nil {
		return nil, "", fmt.Errorf("render minutes: %w", err)
	}
	return buf.Bytes(), doc.PlainText(), nil
}
