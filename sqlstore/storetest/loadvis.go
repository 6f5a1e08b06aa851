package storetest

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testLoadVisibility: Load and LoadImport skip the file-visibility row
// triggers and recompute files.visible_public once per load (migration
// 0025, sqlstore/load.go endBulk). After every load — new objects in any
// order, incremental reloads, de-publication and re-publication by a
// load, links dropped from a reloaded owner, agenda items moving between
// meetings, tombstones — the flag must equal the full public rule for
// every file, and the public must see exactly the files the rule allows.
// The triggers must stay on for every other write: after a failed load,
// after a successful one, and for raw writes running while loads run.
func testLoadVisibility(t *testing.T, db *sqlstore.DB) {
	t.Run("Cases", func(t *testing.T) { testLoadVisibilityCases(t, db) })
	t.Run("Random", func(t *testing.T) { testLoadVisibilityRandom(t, db) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testLoadVisibilityConcurrent(t, db) })
}

// rawExec runs q (with "?" placeholders) on the write pool.
func rawExec(t *testing.T, db *sqlstore.DB, q string, args ...any) {
	t.Helper()
	if db.Dialect().Name == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+itoa(int64(i)), 1)
		}
	}
	if _, err := db.WriteDB().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func testLoadVisibilityCases(t *testing.T, db *sqlstore.DB) {
	ids := []int64{9580, 9581, 9582, 9583, 9584}
	seen := func(step string, want ...int64) {
		t.Helper()
		checkVisibilityFlags(t, db, step)
		got := mk(db.FindFiles(public, ratsnetz.FileFilter{IDs: ids})).must(t, step).items
		diff(t, step+": files the public sees", idsOf(got), want)
	}
	file := func(id int64, pub bool) *ratsnetz.File {
		return &ratsnetz.File{Meta: meta(id, t0, t0), BodyID: 1, Name: "Datei " + itoa(id), Public: pub}
	}
	paper := func(pub bool, files ...int64) *ratsnetz.Paper {
		return &ratsnetz.Paper{Meta: meta(9560, t0, t0), BodyID: 1, Name: "Vorlage", Reference: "2024/9560",
			AuxiliaryFileIDs: files, Public: pub}
	}
	meeting := func(id int64, pub bool, files ...int64) *ratsnetz.Meeting {
		return &ratsnetz.Meeting{Meta: meta(id, t0, t0), BodyID: 1, Name: "Sitzung " + itoa(id), AuxiliaryFileIDs: files, Public: pub}
	}
	item := func(meetingID int64, pub bool, files ...int64) *ratsnetz.AgendaItem {
		return &ratsnetz.AgendaItem{Meta: meta(9550, t0, t0), MeetingID: meetingID, Order: 1, Number: "1", Name: "TOP",
			AuxiliaryFileIDs: files, Public: pub}
	}

	// Owners first, files later, all in one load each.
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper(false, 9580)}})
	MustLoad(t, db, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{meeting(9540, true), meeting(9541, false)},
		AgendaItems: []*ratsnetz.AgendaItem{item(9540, true, 9581)}})
	MustLoad(t, db, &ratsnetz.Dataset{Files: []*ratsnetz.File{file(9580, true), file(9581, true), file(9582, true), file(9583, false), file(9584, true)}})
	seen("files after their owners", 9581, 9582, 9584)

	// A reloaded owner that drops its only non-public link frees a file
	// the load does not carry.
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper(false, 9583)}})
	seen("non-public paper drops its link", 9580, 9581, 9582, 9584)
	// A reloaded meeting alone carries its items' files with it.
	MustLoad(t, db, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{meeting(9540, false)}})
	seen("meeting de-published without its items", 9580, 9582, 9584)
	MustLoad(t, db, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{meeting(9540, true)}})
	seen("meeting published again", 9580, 9581, 9582, 9584)
	// An agenda item moves to a non-public meeting and back.
	MustLoad(t, db, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{item(9541, true, 9581)}})
	seen("item moved to a non-public meeting", 9580, 9582, 9584)
	MustLoad(t, db, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{item(9540, true, 9581)}})
	seen("item moved back", 9580, 9581, 9582, 9584)
	// A public file joins a non-public paper, in the same load as a file
	// de-publication and an incremental reload of an unchanged file.
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper(false, 9583, 9582)},
		Files: []*ratsnetz.File{file(9584, false), file(9580, true)}})
	seen("file joins a non-public paper, another de-published", 9580, 9581)
	// The same objects again change nothing.
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper(false, 9583, 9582)},
		Files: []*ratsnetz.File{file(9584, false), file(9580, true)}})
	seen("same load again", 9580, 9581)
	// Through LoadImport, with the importer's state: paper published, a
	// tombstone of the item (soft deletion does not change the rule).
	tomb := item(9540, true, 9581)
	tomb.Deleted = true
	if err := db.LoadImport(sys, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper(true, 9583, 9582)},
		AgendaItems: []*ratsnetz.AgendaItem{tomb}}, map[string]string{"loadvis": "1"}); err != nil {
		t.Fatalf("load import: %v", err)
	}
	seen("paper published by LoadImport, item tombstone", 9580, 9581, 9582)

	// A load that fails after it began leaves the triggers on: the raw
	// write after it must still move the flag.
	bad := paper(false)
	bad.ID = -1
	if err := db.Load(sys, &ratsnetz.Dataset{Files: []*ratsnetz.File{file(9584, true)}, Papers: []*ratsnetz.Paper{bad}}); err == nil {
		t.Fatal("load with an invalid ID succeeded")
	}
	seen("failed load changed nothing", 9580, 9581, 9582)
	rawExec(t, db, `UPDATE files SET public = ? WHERE id = ?`, true, 9584)
	seen("raw write after a failed load", 9580, 9581, 9582, 9584)
	rawExec(t, db, `UPDATE papers SET public = ? WHERE id = ?`, false, 9560)
	seen("raw write after a load", 9580, 9581, 9584)
}

// testLoadVisibilityRandom loads random councils in random orders and
// slices (several hundred rows per table and load, so that the multi-row
// statements split) and checks every file after each load.
func testLoadVisibilityRandom(t *testing.T, db *sqlstore.DB) {
	rng := rand.New(rand.NewPCG(25, 2026))
	const (
		nFiles    = 600
		nPapers   = 250
		nMeetings = 40
		nItems    = 300
		fileBase  = 20000
		paperBase = 30000
		meetBase  = 40000
		itemBase  = 50000
	)
	fileIDs := func() []int64 {
		var ids []int64
		for range rng.IntN(4) {
			ids = append(ids, fileBase+int64(rng.IntN(nFiles)))
		}
		return ids
	}
	when := t0
	for round := range 6 {
		when = when.Add(time.Hour)
		ds := &ratsnetz.Dataset{}
		for i := range nFiles {
			if rng.IntN(3) == 0 {
				continue
			}
			ds.Files = append(ds.Files, &ratsnetz.File{Meta: meta(fileBase+int64(i), t0, when), BodyID: 1,
				Name: "Datei", Public: rng.IntN(4) != 0})
		}
		for i := range nPapers {
			if rng.IntN(3) == 0 {
				continue
			}
			p := &ratsnetz.Paper{Meta: meta(paperBase+int64(i), t0, when), BodyID: 1, Name: "Vorlage",
				Public: rng.IntN(3) != 0, AuxiliaryFileIDs: fileIDs()}
			if rng.IntN(2) == 0 {
				p.MainFileID = fileBase + int64(rng.IntN(nFiles))
			}
			p.Deleted = rng.IntN(20) == 0
			ds.Papers = append(ds.Papers, p)
		}
		for i := range nMeetings {
			if rng.IntN(2) == 0 {
				continue
			}
			ds.Meetings = append(ds.Meetings, &ratsnetz.Meeting{Meta: meta(meetBase+int64(i), t0, when), BodyID: 1,
				Name: "Sitzung", Public: rng.IntN(3) != 0, AuxiliaryFileIDs: fileIDs()})
		}
		for i := range nItems {
			if rng.IntN(3) == 0 {
				continue
			}
			// Some items name meetings that do not exist (yet).
			ds.AgendaItems = append(ds.AgendaItems, &ratsnetz.AgendaItem{Meta: meta(itemBase+int64(i), t0, when),
				MeetingID: meetBase + int64(rng.IntN(nMeetings+5)), Order: i, Name: "TOP",
				Public: rng.IntN(3) != 0, AuxiliaryFileIDs: fileIDs()})
		}
		// One load of everything, or one load per kind in a random order.
		if round%2 == 0 {
			MustLoad(t, db, ds)
			checkVisibilityFlags(t, db, "random round "+itoa(int64(round))+", one load")
			continue
		}
		parts := []*ratsnetz.Dataset{{Files: ds.Files}, {Papers: ds.Papers}, {Meetings: ds.Meetings}, {AgendaItems: ds.AgendaItems}}
		rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		for k, part := range parts {
			MustLoad(t, db, part)
			checkVisibilityFlags(t, db, "random round "+itoa(int64(round))+", part "+itoa(int64(k)))
		}
	}
	// The public sees exactly the files the rule allows (the check above
	// compares the column with the rule; this compares what is served).
	var ids []int64
	for i := range nFiles {
		ids = append(ids, fileBase+int64(i))
	}
	got := mk(db.FindFiles(public, ratsnetz.FileFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: nFiles}})).must(t, "public files")
	all := mk(db.FindFiles(sys, ratsnetz.FileFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: nFiles}})).must(t, "all files")
	if len(got.items) == 0 || len(got.items) == len(all.items) {
		t.Errorf("random council: the public sees %d of %d files; the data should hide some and show some", len(got.items), len(all.items))
	}
}

// testLoadVisibilityConcurrent: raw writes of other objects, made while
// loads run, still fire the triggers (the bulk mode of a load is its own
// transaction's only).
func testLoadVisibilityConcurrent(t *testing.T, db *sqlstore.DB) {
	const loads = 20
	paper := func(id int64, pub bool) *ratsnetz.Paper {
		return &ratsnetz.Paper{Meta: meta(id, t0, t0), BodyID: 1, Name: "Vorlage", MainFileID: id + 100, Public: pub}
	}
	file := func(id int64) *ratsnetz.File {
		return &ratsnetz.File{Meta: meta(id, t0, t0), BodyID: 1, Name: "Datei", Public: true}
	}
	// Papers 9700–9709 (files 9800–9809) are written by raw SQL only,
	// 9710–9719 (files 9810–9819) by loads.
	ds := &ratsnetz.Dataset{}
	for i := range int64(20) {
		ds.Papers = append(ds.Papers, paper(9700+i, true))
		ds.Files = append(ds.Files, file(9800+i))
	}
	MustLoad(t, db, ds)
	var wg sync.WaitGroup
	errs := make(chan error, loads)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := range loads {
			ds := &ratsnetz.Dataset{}
			for i := range int64(10) {
				ds.Papers = append(ds.Papers, paper(9710+i, (n+int(i))%2 == 0))
			}
			if err := db.Load(sys, ds); err != nil {
				errs <- err
				return
			}
		}
	}()
	for n := range loads {
		for i := range int64(10) {
			rawExec(t, db, `UPDATE papers SET public = ? WHERE id = ?`, (n+int(i))%2 == 1, 9700+i)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("load: %v", err)
	}
	checkVisibilityFlags(t, db, "raw writes during loads")
}
