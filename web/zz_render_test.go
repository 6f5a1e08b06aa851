package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ratsnetz/ratsnetz"
)

func BenchmarkRenderPaperIndex(b *testing.B) {
	s := NewServer(Config{Store: nil})
	d := paperIndexData{Types: stringOptions(paperTypes, "Antrag"), Statuses: stringOptions(paperStatuses, "")}
	var papers []*ratsnetz.Paper
	for i := range 50 {
		papers = append(papers, &ratsnetz.Paper{Meta: ratsnetz.Meta{ID: int64(i + 1)}, Name: fmt.Sprintf("Antrag der Fraktion Soziale Mitte: Belegung der Sporthallen %d", i), Reference: "2026/0001", Date: day(2026, 1, 2), PaperType: "Antrag", Status: "in Beratung"})
	}
	d.Papers = paperRows(formatter{cat: s.catalogs["de"], loc: s.loc}, papers)
	for i := range 30 {
		d.Committees = append(d.Committees, option{Value: fmt.Sprint(i + 1), Label: fmt.Sprintf("Ausschuss für Digitales, Infrastruktur und Mobilität %d", i)})
	}
	req := httptest.NewRequest(http.MethodGet, "/vorlagen?art=Antrag", nil)
	req = req.WithContext(req.Context())
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		p := s.newPage(req, "Vorlagen", d)
		s.render(w, req, 200, "papers", p)
	}
}
