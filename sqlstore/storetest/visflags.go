package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// checkVisibilityFlags fails the test when a file's stored public flag
// (files.visible_public, migration 0013) differs from the public's file rule
// evaluated in full.
func checkVisibilityFlags(t *testing.T, db *sqlstore.DB, step string) {
	t.Helper()
	ids, err := db.VisibilityFlagMismatches(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if len(ids) > 0 {
		t.Errorf("%s: files.visible_public differs from the full public rule for files %v", step, ids)
	}
}

// testVisibilityFlags: files.visible_public equals the public's full file
// rule (public, and every owner link names a public paper, a public meeting,
// or a public agenda item of a public meeting) after every kind of write
// that can change it: Load of new objects in any order, de-publication and
// re-publication of files, papers, meetings and agenda items, replaced file
// lists, soft deletion, and raw SQL writes no store method makes today
// (hard deletes, a moved agenda item, a re-pointed link), since the triggers
// must hold for any writer. The public finds read the flag, so each step
// also checks what the public then gets. It uses IDs from 9000 up and runs
// on an empty database as well as one that holds other fixtures.
func testVisibilityFlags(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	db.Now = func() time.Time { return now }
	publicFiles := func(step string, want ...int64) {
		t.Helper()
		checkVisibilityFlags(t, db, step)
		got := mk(db.FindFiles(public, ratsnetz.FileFilter{IDs: []int64{9080, 9081, 9082, 9083, 9084, 9085}})).must(t, step).items
		diff(t, step+": files the public sees", idsOf(got), want)
	}
	// Links first, owners later: a file linked to an owner not yet stored
	// is hidden, and becomes visible when the owner arrives.
	files := []*ratsnetz.File{
		{Meta: meta(9080, t0, t0), BodyID: 1, Name: "Hauptdatei", Public: true},
		{Meta: meta(9081, t0, t0), BodyID: 1, Name: "Anlage", Public: true},
		{Meta: meta(9082, t0, t0), BodyID: 1, Name: "Einladung", Public: true},
		{Meta: meta(9083, t0, t0), BodyID: 1, Name: "TOP-Anlage", Public: true},
		{Meta: meta(9084, t0, t0), BodyID: 1, Name: Canary, Public: false},
		{Meta: meta(9085, t0, t0), BodyID: 1, Name: "ohne Besitzer", Public: true},
	}
	paper := &ratsnetz.Paper{Meta: meta(9060, t0, t0), BodyID: 1, Name: "Vorlage", Reference: "2024/9060",
		MainFileID: 9080, AuxiliaryFileIDs: []int64{9081, 9084}, Public: true}
	meeting := &ratsnetz.Meeting{Meta: meta(9040, t0, t0), Name: "Sitzung", InvitationFileID: 9082,
		AuxiliaryFileIDs: []int64{9081}, Public: true}
	item := &ratsnetz.AgendaItem{Meta: meta(9050, t0, t0), MeetingID: 9040, Order: 1, Number: "1", Name: "TOP",
		PaperID: 9060, AuxiliaryFileIDs: []int64{9083}, Public: true}
	MustLoad(t, db, &ratsnetz.Dataset{Files: files})
	publicFiles("files without owners", 9080, 9081, 9082, 9083, 9085)
	MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper}})
	publicFiles("paper stored", 9080, 9081, 9082, 9083, 9085)
	MustLoad(t, db, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{item}})
	publicFiles("item before its meeting", 9080, 9081, 9082, 9085)
	MustLoad(t, db, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{meeting}})
	publicFiles("all owners stored", 9080, 9081, 9082, 9083, 9085)

	step := func(name string, ds *ratsnetz.Dataset, want ...int64) {
		t.Helper()
		now = now.Add(time.Minute)
		MustLoad(t, db, ds)
		publicFiles(name, want...)
	}
	cp := func(p ratsnetz.Paper) *ratsnetz.Paper { return &p }
	cm := func(m ratsnetz.Meeting) *ratsnetz.Meeting { return &m }
	ca := func(a ratsnetz.AgendaItem) *ratsnetz.AgendaItem { return &a }
	cf := func(f ratsnetz.File) *ratsnetz.File { return &f }

	p := cp(*paper)
	p.Public = false
	step("paper de-published", &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}, 9082, 9083, 9085)
	p = cp(*paper)
	step("paper published again", &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}, 9080, 9081, 9082, 9083, 9085)
	a := ca(*item)
	a.Public = false
	step("agenda item non-public", &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{a}}, 9080, 9081, 9082, 9085)
	a = ca(*item)
	step("agenda item public again", &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{a}}, 9080, 9081, 9082, 9083, 9085)
	m := cm(*meeting)
	m.Public = false
	step("meeting de-published (its item's file too)", &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}}, 9080, 9085)
	m = cm(*meeting)
	step("meeting published again", &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}}, 9080, 9081, 9082, 9083, 9085)
	f := cf(*files[1])
	f.Public = false
	step("file de-published", &ratsnetz.Dataset{Files: []*ratsnetz.File{f}}, 9080, 9082, 9083, 9085)
	f = cf(*files[1])
	step("file published again", &ratsnetz.Dataset{Files: []*ratsnetz.File{f}}, 9080, 9081, 9082, 9083, 9085)
	// A replaced list drops links (the non-public 9084 leaves the paper)
	// and adds them (the public 9085 joins a non-public meeting).
	p = cp(*paper)
	p.AuxiliaryFileIDs = []int64{9081}
	step("paper's file list replaced", &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}, 9080, 9081, 9082, 9083, 9085)
	m = cm(*meeting)
	m.Public = false
	m.AuxiliaryFileIDs = []int64{9081, 9085}
	step("file added to a non-public meeting", &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}}, 9080)
	m = cm(*meeting)
	step("meeting public with its old list", &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}}, 9080, 9081, 9082, 9083, 9085)
	// Soft deletion does not change the rule (deleted objects are left out
	// of lists by their own predicate).
	p = cp(*paper)
	p.AuxiliaryFileIDs = []int64{9081}
	p.Deleted = true
	step("paper soft-deleted", &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}, 9080, 9081, 9082, 9083, 9085)

	// Raw writes, as any future code path might make them.
	exec := func(name, q string, args ...any) {
		t.Helper()
		if db.Dialect().Name == "postgres" {
			for i := 1; strings.Contains(q, "?"); i++ {
				q = strings.Replace(q, "?", "$"+string(rune('0'+i)), 1)
			}
		}
		if _, err := db.WriteDB().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	exec("move item", `UPDATE agenda_items SET meeting_id = ? WHERE id = ?`, 9041, 9050)
	publicFiles("agenda item moved to a meeting that does not exist", 9080, 9081, 9082, 9085)
	exec("move item back", `UPDATE agenda_items SET meeting_id = ? WHERE id = ?`, 9040, 9050)
	publicFiles("agenda item moved back", 9080, 9081, 9082, 9083, 9085)
	exec("re-point link", `UPDATE file_links SET file_id = ? WHERE owner_kind = 'meeting' AND owner_id = ? AND file_id = ?`, 9084, 9040, 9082)
	publicFiles("invitation link re-pointed to another file", 9080, 9081, 9082, 9083, 9085)
	exec("make link's owner kind unknown", `UPDATE file_links SET owner_kind = 'other' WHERE file_id = ?`, 9083)
	publicFiles("link of an unknown kind", 9080, 9081, 9082, 9085)
	exec("drop that link", `DELETE FROM file_links WHERE file_id = ?`, 9083)
	publicFiles("link deleted", 9080, 9081, 9082, 9083, 9085)
	exec("insert link", `INSERT INTO file_links (owner_kind, owner_id, role, position, file_id) VALUES ('paper', ?, 'auxiliary', 7, ?)`, 9061, 9083)
	publicFiles("link to a paper that does not exist", 9080, 9081, 9082, 9085)
	exec("hard-delete meeting", `DELETE FROM meetings WHERE id = ?`, 9040)
	publicFiles("meeting row deleted", 9080, 9082, 9085)
	exec("hard-delete paper", `DELETE FROM papers WHERE id = ?`, 9060)
	publicFiles("paper row deleted", 9082, 9085)
	exec("un-publish file directly", `UPDATE files SET public = ? WHERE id = ?`, false, 9085)
	publicFiles("file's own flag cleared", 9082)
	exec("publish file directly", `UPDATE files SET public = ? WHERE id = ?`, true, 9085)
	publicFiles("file's own flag set", 9082, 9085)
	exec("hard-delete item", `DELETE FROM agenda_items WHERE id = ?`, 9050)
	publicFiles("item row deleted", 9082, 9085)
}
