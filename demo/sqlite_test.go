package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/pdf"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

// TestLoadIntoSQLite loads the small demo into a real SQLite store and disk
// blob store and reads it back as the system and as the public.
func TestLoadIntoSQLite(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Load(ratsnetz.SystemContext(ctx), db, blobs, demo.Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if empty, err := db.Empty(ctx); err != nil || empty {
		t.Fatalf("Empty = %v, %v after load", empty, err)
	}
	sys := ratsnetz.SystemContext(ctx)
	k := sum.Known

	// Everything is there for the system.
	opts := ratsnetz.ListOptions{WithTotal: true, Limit: 1}
	if _, n, err := db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: opts}); err != nil || n != sum.Papers {
		t.Errorf("papers: total %d, %v; want %d", n, err, sum.Papers)
	}
	if _, n, err := db.FindMeetings(sys, ratsnetz.MeetingFilter{ListOptions: opts}); err != nil || n != sum.Meetings {
		t.Errorf("meetings: total %d, %v; want %d", n, err, sum.Meetings)
	}
	if _, n, err := db.FindFiles(sys, ratsnetz.FileFilter{ListOptions: opts}); err != nil || n != sum.Files {
		t.Errorf("files: total %d, %v; want %d", n, err, sum.Files)
	}
	if _, n, err := db.FindPersons(sys, ratsnetz.PersonFilter{ListOptions: opts}); err != nil || n != sum.Persons {
		t.Errorf("persons: total %d, %v; want %d", n, err, sum.Persons)
	}
	if p, err := db.FindPaperByID(sys, demo.NonPublicPaperID); err != nil || !strings.Contains(p.Name, demo.Canary) {
		t.Errorf("system: non-public paper = %v, %v", p, err)
	}

	// The public sees the tablet paper with its vote, but nothing confidential.
	p, err := db.FindPaperByID(ctx, demo.TabletPaperID)
	if err != nil {
		t.Fatalf("public: tablet paper: %v", err)
	}
	if slices.Contains(p.AuxiliaryFileIDs, demo.NonPublicFileID) {
		t.Errorf("public sees non-public attachment ID in %v", p.AuxiliaryFileIDs)
	}
	if _, err := db.FindPaperByID(ctx, demo.NonPublicPaperID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public: non-public paper err = %v, want not found", err)
	}
	if _, err := db.FindFileByID(ctx, demo.NonPublicFileID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public: non-public file err = %v, want not found", err)
	}
	if _, err := db.FindMeetingByID(ctx, k.NonPublicMeetingID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public: board meeting err = %v, want not found", err)
	}
	items, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: k.TabletCouncilMeetingID})
	if err != nil {
		t.Fatal(err)
	}
	var sawVote, sawRedacted bool
	for _, it := range items {
		if it.ID == k.TabletAgendaItemID && it.Vote != nil && len(it.Vote.Factions) > 0 {
			sawVote = true
		}
		if it.ID == k.NonPublicAgendaItemID {
			sawRedacted = it.Redacted && it.Name == ""
		}
		if b, _ := json.Marshal(it); strings.Contains(string(b), demo.Canary) {
			t.Errorf("public agenda item %d leaks the canary", it.ID)
		}
	}
	if !sawVote || !sawRedacted {
		t.Errorf("council meeting agenda: vote seen %v, redacted placeholder seen %v", sawVote, sawRedacted)
	}

	// No public list leaks the canary.
	var after int64
	for {
		ps, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{After: after, Limit: 200}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			break
		}
		for _, p := range ps {
			if b, _ := json.Marshal(p); strings.Contains(string(b), demo.Canary) {
				t.Errorf("public paper %d leaks the canary", p.ID)
			}
			after = p.ID
		}
	}

	// The main file's content is a PDF with the paper's text.
	f, err := db.FindFileByID(ctx, p.MainFileID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blobs.Open(ctx, f.BlobKey)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	if b.Info().SHA512 != f.SHA512 || int64(len(data)) != f.Size {
		t.Errorf("blob info %+v does not match file %d", b.Info(), f.ID)
	}
	text, err := pdf.ExtractText(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squash(text), squash("Ausstattung mit Tablets")) {
		t.Errorf("main file text lacks the title: %.300q", text)
	}
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }
