package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"github.com/ratsnetz/ratsnetz/ical"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestEncodeParses writes a calendar with everything that needs care —
// long German text, special characters, line breaks, summer and winter
// time — and reads it back with an independent RFC 5545 parser.
func TestEncodeParses(t *testing.T) {
	loc := berlin(t)
	long := strings.Repeat("Änderung des Bebauungsplans Nr. 123 „Am Mühlbach“ – Satzungsbeschluss; ", 4)
	winter := time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC) // 17:00 CET
	summer := time.Date(2026, 6, 10, 15, 30, 0, 0, time.UTC) // 17:30 CEST
	stamp := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	cal := &ical.Calendar{
		ProdID: "-//Ratsnetz//Ratsnetz 0.1//DE", Name: "Sitzungen, Rat; Ausschüsse", RefreshInterval: time.Hour,
		Events: []ical.Event{
			{UID: "sitzung-1@rat.example.de", Stamp: stamp, Start: winter, End: winter.Add(3*time.Hour + 30*time.Minute),
				Summary: "3. Sitzung des Rates", Description: long + "\nZeile 2\r\nZeile 3 mit \\ und ,;",
				Location: "Rathaus, Ratssaal", URL: "https://rat.example.de/sitzungen/1", Status: ical.StatusConfirmed,
				Class: "PUBLIC", Categories: []string{"Rat", "Sitzung, öffentlich"}, LastModified: stamp},
			{UID: "sitzung-2@rat.example.de", Stamp: stamp, Start: summer, Summary: "Ausschuss", Status: ical.StatusCancelled, Sequence: 2},
		},
	}
	var buf bytes.Buffer
	if err := cal.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	// Every line ends in CRLF and has at most 75 octets; folds do not split
	// UTF-8 sequences.
	if !strings.HasSuffix(raw, "\r\n") {
		t.Error("no CRLF at the end")
	}
	for i, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if strings.ContainsAny(l, "\n\r") {
			t.Errorf("bare line break in line %d", i)
		}
	}
	if !strings.Contains(raw, "\r\n ") {
		t.Error("long description was not folded")
	}

	parsed, err := goical.NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, raw)
	}
	if v := parsed.Props.Get(goical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION: %+v", v)
	}
	if p := parsed.Props.Get(goical.PropProductID); p == nil || p.Value != cal.ProdID {
		t.Errorf("PRODID: %+v", p)
	}
	var tz int
	for _, c := range parsed.Children {
		if c.Name == goical.CompTimezone {
			tz++
			if id := c.Props.Get(goical.PropTimezoneID); id == nil || id.Value != "Europe/Berlin" {
				t.Errorf("VTIMEZONE TZID: %+v", id)
			}
		}
	}
	if tz != 1 {
		t.Errorf("%d VTIMEZONE, want 1", tz)
	}
	if n, _ := parsed.Props.Get("X-WR-CALNAME").Text(); n != cal.Name {
		t.Errorf("calendar name %q", n)
	}
	evs := parsed.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	text := func(name string) string {
		t.Helper()
		p := e.Props.Get(name)
		if p == nil {
			t.Errorf("no %s", name)
			return ""
		}
		s, err := p.Text()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return s
	}
	if got := text(goical.PropUID); got != "sitzung-1@rat.example.de" {
		t.Errorf("UID %q", got)
	}
	if got := text(goical.PropSummary); got != "3. Sitzung des Rates" {
		t.Errorf("SUMMARY %q", got)
	}
	if got, want := text(goical.PropDescription), long+"\nZeile 2\nZeile 3 mit \\ und ,;"; got != want {
		t.Errorf("DESCRIPTION\n got %q\nwant %q", got, want)
	}
	if got := text(goical.PropLocation); got != "Rathaus, Ratssaal" {
		t.Errorf("LOCATION %q", got)
	}
	if cats, _ := e.Props.Get(goical.PropCategories).TextList(); len(cats) != 2 || cats[1] != "Sitzung, öffentlich" {
		t.Errorf("CATEGORIES %q", cats)
	}
	start, err := e.DateTimeStart(nil)
	if err != nil || !start.Equal(winter) {
		t.Errorf("DTSTART %v %v, want %v", start, err, winter)
	}
	if start.In(loc).Hour() != 17 {
		t.Errorf("local start hour %d, want 17", start.In(loc).Hour())
	}
	if end, err := e.DateTimeEnd(nil); err != nil || !end.Equal(winter.Add(210*time.Minute)) {
		t.Errorf("DTEND %v %v", end, err)
	}
	if p := e.Props.Get(goical.PropDateTimeStamp); p == nil || p.Value != "20261120T120000Z" {
		t.Errorf("DTSTAMP %+v", p)
	}
	if p := e.Props.Get(goical.PropDateTimeStart); p.Params.Get(goical.ParamTimezoneID) != "Europe/Berlin" || p.Value != "20261124T170000" {
		t.Errorf("DTSTART raw %+v", p)
	}
	s2, err := evs[1].DateTimeStart(nil)
	if err != nil || !s2.Equal(summer) {
		t.Errorf("summer DTSTART %v %v", s2, err)
	}
	if p := evs[1].Props.Get(goical.PropDateTimeStart); p.Value != "20260610T173000" {
		t.Errorf("summer local time %q", p.Value)
	}
	if st, _ := evs[1].Status(); st != goical.EventCancelled {
		t.Errorf("status %q", st)
	}
	if evs[1].Props.Get(goical.PropDateTimeEnd) != nil {
		t.Error("DTEND without an end")
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           "plain",
		"a,b;c\\d":        `a\,b\;c\\d`,
		"zwei\nZeilen":    `zwei\nZeilen`,
		"crlf\r\nZeilen":  `crlf\nZeilen`,
		"nur\rZeilenende": `nur\nZeilenende`,
	} {
		if got := ical.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEncodeDropsControls: control characters from imported data cannot
// break the format.
func TestEncodeDropsControls(t *testing.T) {
	cal := &ical.Calendar{ProdID: "-//x//y//DE", Events: []ical.Event{{UID: "u", Start: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC),
		Summary: "Titel\x00mit\x1bSteuer\xffzeichen"}}}
	var buf bytes.Buffer
	if err := cal.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	parsed, err := goical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := parsed.Events()[0].Props.Get(goical.PropSummary).Text(); s != "TitelmitSteuerzeichen" {
		t.Errorf("summary %q", s)
	}
}

// BenchmarkEncode writes a calendar of 500 meetings with agendas (the size
// of the public /sitzungen.ics cap).
func BenchmarkEncode(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 5, 16, 0, 0, 0, time.UTC)
	cal := &ical.Calendar{ProdID: "-//Ratsnetz//Ratsnetz//DE", Name: "Sitzungen", Location: loc}
	agenda := strings.Repeat("Ö 1 Änderung des Bebauungsplans Nr. 123 „Am Mühlbach“, Satzungsbeschluss\n", 15)
	for i := 0; i < 500; i++ {
		cal.Events = append(cal.Events, ical.Event{UID: "sitzung-" + strings.Repeat("1", 1+i%5) + "@rat.example.de", Stamp: start,
			Start: start.Add(time.Duration(i) * 24 * time.Hour), End: start.Add(time.Duration(i)*24*time.Hour + 3*time.Hour),
			Summary: "Sitzung des Ausschusses für Digitales, Infrastruktur und Mobilität", Description: agenda,
			Location: "Rathaus, Ratssaal, Markt 1, 12345 Musterstadt", URL: "https://rat.example.de/sitzungen/1", Status: ical.StatusConfirmed,
			Class: "PUBLIC", Categories: []string{"Ausschuss für Digitales"}})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := cal.Encode(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
