package oparl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

// benchPage is a meeting list page of the size the large dataset has.
func benchPage() *jsonList {
	l := &jsonList{Data: []any{}}
	t := true
	for m := 0; m < 100; m++ {
		jm := &jsonMeeting{ID: "http://127.0.0.1:8080/oparl/v1.1/meeting/" + strconv.Itoa(m), Type: TypeMeeting, Name: "Sitzung des Ausschusses für Umwelt", Start: "2024-03-01T17:00:00+01:00", Created: "2024-03-01T17:00:00+01:00", Modified: "2024-03-01T17:00:00+01:00", Organization: []string{"http://127.0.0.1:8080/oparl/v1.1/organization/3"}}
		for a := 0; a < 20; a++ {
			jm.AgendaItem = append(jm.AgendaItem, &jsonAgendaItem{ID: "http://127.0.0.1:8080/oparl/v1.1/agendaItem/" + strconv.Itoa(m*100+a), Type: TypeAgendaItem, Number: "Ö " + strconv.Itoa(a), Order: a, Name: "Bebauungsplan Nr. 123 „Am Südbahnhof“ – Aufstellungsbeschluss", Public: &t, Result: "beschlossen", ResolutionText: "Der Rat beschließt den Bebauungsplan wie vorgelegt.", Start: "2024-03-01T17:00:00+01:00", Web: "http://127.0.0.1:8080/sitzungen/1/top/2", Created: "2024-03-01T17:00:00+01:00", Modified: "2024-03-01T17:00:00+01:00", Vote: &jsonVote{Yes: 20, No: 3}})
		}
		l.Data = append(l.Data, jm)
	}
	return l
}

// BenchmarkEncodeMeetingPage encodes a page of 100 meetings with 20 agenda
// items each (~1 MB) with encoding/json and with the append writers.
// Compare CPU, not wall time, on a loaded machine:
//
//	go test ./oparl -run '^$' -bench EncodeMeetingPage -benchmem -cpu 1
func BenchmarkEncodeMeetingPage(b *testing.B) {
	p := benchPage()
	b.Run("reflect", func(b *testing.B) {
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(p); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
	b.Run("append", func(b *testing.B) {
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			buf.Write(append(appendJSON(buf.AvailableBuffer(), p), '\n'))
		}
		b.SetBytes(int64(buf.Len()))
	})
}
