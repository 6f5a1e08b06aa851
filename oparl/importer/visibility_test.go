package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
)

// TestDepublicationByImport: an agenda item that a later incremental run
// reports as non-public hides its file from the public, and one reported
// public again shows it again. Loads recompute files.visible_public
// instead of the row triggers; runImport checks the flag of every file
// after every load, this test what the public then gets.
func TestDepublicationByImport(t *testing.T) {
	e := karlsruheN(t, 8)
	db := MustOpenDB(t)
	at := func(day int) func(*importer.Options) {
		return func(o *importer.Options) {
			o.Now = func() time.Time { return time.Date(2026, 9, day, 12, 0, 0, 0, time.UTC) }
		}
	}
	mustImport(t, e, db, at(1))

	meetingURL := e.url(karlsruheBase + "/meetings/10536")
	itemURL := e.url(karlsruheBase + "/agendaitems/101868")
	fileURL := e.url(karlsruheBase + "/files/679199")
	fileID := localID(t, db, ratsnetz.KindFile, fileURL)
	if fileID == 0 {
		t.Fatalf("file %s not imported", fileURL)
	}
	publicSees := func(step string, want bool) {
		t.Helper()
		got, _, err := db.FindFiles(context.Background(), ratsnetz.FileFilter{IDs: []int64{fileID}})
		if err != nil {
			t.Fatal(err)
		}
		if (len(got) == 1) != want {
			t.Errorf("%s: the public sees the agenda item's file: %v, want %v", step, len(got) == 1, want)
		}
		all, _, err := db.FindFiles(sys(), ratsnetz.FileFilter{IDs: []int64{fileID}})
		if err != nil || len(all) != 1 {
			t.Errorf("%s: file stored: %d, %v", step, len(all), err)
		}
	}
	publicSees("first import", true)

	// The meeting's embedded item changes its public flag.
	setItemPublic := func(public bool, modified string) {
		t.Helper()
		m := map[string]any{}
		for k, v := range e.object(meetingURL) {
			m[k] = v
		}
		var items []any
		found := false
		for _, x := range m["agendaItem"].([]any) {
			it := x.(map[string]any)
			if it["id"] == itemURL {
				c := map[string]any{}
				for k, v := range it {
					c[k] = v
				}
				c["public"], c["modified"] = public, modified
				it, found = c, true
			}
			items = append(items, it)
		}
		if !found {
			t.Fatalf("agenda item %s not in meeting %s", itemURL, meetingURL)
		}
		m["agendaItem"], m["modified"] = items, modified
		e.setObject(m)
	}
	setItemPublic(false, "2026-09-01T15:00:00+02:00")
	rep := mustImport(t, e, db, at(2))
	if rep.Objects[ratsnetz.KindAgendaItem] == 0 {
		t.Errorf("incremental run loaded no agenda item: %v", rep.Objects)
	}
	publicSees("agenda item non-public", false)

	setItemPublic(true, "2026-09-02T15:00:00+02:00")
	mustImport(t, e, db, at(3))
	publicSees("agenda item public again", true)
}
