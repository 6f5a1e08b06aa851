package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// fixtures is what the tests know about the demo data. It is read through
// the store, as the anonymous public sees it (the zero viewer) unless noted,
// so the browser tests can aim at pages that exist without hard-coding IDs.
type fixtures struct {
	// Base is the site's URL, e.g. http://127.0.0.1:41234.
	Base string
	// Canary is the marker in every non-public text of the demo.
	Canary string

	// Votes are, by meeting ID, public agenda items with a per-faction vote
	// on a public paper whose main file is a public PDF.
	Votes map[int64]voteFixture
	// Vote is one of Votes, for tests that need any.
	Vote voteFixture

	Organization *ratsnetz.Organization
	Person       *ratsnetz.Person
	// PaperFilter is a query string for /vorlagen that selects some papers.
	PaperFilter string

	// Non-public objects, found with the system viewer. The public must get
	// the 404 page for each.
	HiddenPaper   *ratsnetz.Paper
	HiddenMeeting *ratsnetz.Meeting
	HiddenItem    *ratsnetz.AgendaItem // of a public meeting
	HiddenFile    *ratsnetz.File
	// OrphanedFile is a public file that belongs only to non-public objects,
	// so the public must not get it either; nil if the demo has none.
	OrphanedFile *ratsnetz.File
	// RedactedMeetings are public meetings with non-public agenda items.
	RedactedMeetings []int64
	// RedactedPapers are public papers with non-public files.
	RedactedPapers []int64
	// SecretOrganizations are organizations that hold non-public meetings.
	SecretOrganizations []int64
}

// voteFixture is the path of the journey: meeting → agenda item → paper → PDF.
type voteFixture struct {
	Meeting *ratsnetz.Meeting
	Item    *ratsnetz.AgendaItem
	Paper   *ratsnetz.Paper
	File    *ratsnetz.File
}

// listAll pages through a list method until it runs dry.
func listAll[T any](find func(ratsnetz.ListOptions) ([]T, int, error)) ([]T, error) {
	const size = 500
	var out []T
	for page := 0; page < 1000; page++ {
		batch, _, err := find(ratsnetz.ListOptions{Limit: size, Offset: page * size})
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
		if len(batch) < size {
			return out, nil
		}
	}
	return nil, errors.New("list does not end after 1000 pages; does the store honour Offset?")
}

// byID indexes objects by their ID.
func byID[T any](objs []T, id func(T) int64) map[int64]T {
	m := make(map[int64]T, len(objs))
	for _, o := range objs {
		m[id(o)] = o
	}
	return m
}

// snapshot is every meeting, agenda item, paper and file one viewer sees.
type snapshot struct {
	meetings []*ratsnetz.Meeting
	items    []*ratsnetz.AgendaItem
	papers   []*ratsnetz.Paper
	files    []*ratsnetz.File
}

func snapshotOf(ctx context.Context, db ratsnetz.Store) (snapshot, error) {
	var s snapshot
	var err error
	if s.meetings, err = listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, int, error) {
		return db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: o})
	}); err != nil {
		return s, fmt.Errorf("list meetings: %w", err)
	}
	if s.items, err = listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, int, error) {
		return db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: o})
	}); err != nil {
		return s, fmt.Errorf("list agenda items: %w", err)
	}
	if s.papers, err = listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.Paper, int, error) {
		return db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: o})
	}); err != nil {
		return s, fmt.Errorf("list papers: %w", err)
	}
	if s.files, err = listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.File, int, error) {
		return db.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: o})
	}); err != nil {
		return s, fmt.Errorf("list files: %w", err)
	}
	return s, nil
}

// discover reads the demo data with a few list queries per viewer (one
// lookup per object would take longer than loading the demo under -race).
func discover(ctx context.Context, db ratsnetz.Store) (*fixtures, error) {
	public := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	system := ratsnetz.SystemContext(ctx)
	fx := &fixtures{Votes: make(map[int64]voteFixture)}

	all, err := snapshotOf(system, db)
	if err != nil {
		return nil, fmt.Errorf("read the demo as the system: %w", err)
	}
	seen, err := snapshotOf(public, db)
	if err != nil {
		return nil, fmt.Errorf("read the demo as the public: %w", err)
	}
	meetings := byID(seen.meetings, func(m *ratsnetz.Meeting) int64 { return m.ID })
	papers := byID(seen.papers, func(p *ratsnetz.Paper) int64 { return p.ID })
	files := byID(seen.files, func(f *ratsnetz.File) int64 { return f.ID })

	// The journey: a public agenda item with a per-faction vote on a public
	// paper whose main file is a PDF, one per meeting.
	for _, it := range seen.items {
		if _, ok := fx.Votes[it.MeetingID]; ok || it.Redacted || !it.Public || it.Vote == nil || len(it.Vote.Factions) < 2 {
			continue
		}
		p, ok := papers[it.PaperID]
		if !ok {
			continue
		}
		f, ok := files[p.MainFileID]
		if !ok || f.MimeType != "application/pdf" {
			continue
		}
		mt, ok := meetings[it.MeetingID]
		if !ok {
			return nil, fmt.Errorf("agenda item %d is visible, its meeting %d is not", it.ID, it.MeetingID)
		}
		v := voteFixture{Meeting: mt, Item: it, Paper: p, File: f}
		fx.Votes[it.MeetingID] = v
		if fx.Vote.Item == nil || it.ID < fx.Vote.Item.ID {
			fx.Vote = v
		}
	}
	if fx.Vote.Item == nil {
		return nil, errors.New("the demo has no public agenda item with a per-faction vote on a public paper with a PDF")
	}

	orgs, _, err := db.FindOrganizations(public, ratsnetz.OrganizationFilter{ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil || len(orgs) == 0 {
		return nil, fmt.Errorf("find an organization (%d found): %w", len(orgs), err)
	}
	fx.Organization = orgs[0]
	persons, _, err := db.FindPersons(public, ratsnetz.PersonFilter{ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil || len(persons) == 0 {
		return nil, fmt.Errorf("find a person (%d found): %w", len(persons), err)
	}
	fx.Person = persons[0]
	fx.PaperFilter = fmt.Sprintf("art=%s&jahr=%d", strings.ReplaceAll(fx.Vote.Paper.PaperType, " ", "+"), fx.Vote.Paper.Date.Year())

	// What the public must not see.
	for _, p := range all.papers {
		pp, visible := papers[p.ID]
		switch {
		case !visible:
			if !p.Public && (fx.HiddenPaper == nil || fx.HiddenPaper.Reference == "") {
				fx.HiddenPaper = p // preferably one with a reference, to search for
			}
		case len(fx.RedactedPapers) < 5 && (pp.MainFileID != p.MainFileID || len(pp.AuxiliaryFileIDs) != len(p.AuxiliaryFileIDs)):
			fx.RedactedPapers = append(fx.RedactedPapers, p.ID)
		}
	}
	for _, mt := range all.meetings {
		if _, visible := meetings[mt.ID]; visible {
			continue
		}
		if fx.HiddenMeeting == nil && !mt.Public {
			fx.HiddenMeeting = mt
		}
		if len(mt.OrganizationIDs) > 0 && !slices.Contains(fx.SecretOrganizations, mt.OrganizationIDs[0]) {
			fx.SecretOrganizations = append(fx.SecretOrganizations, mt.OrganizationIDs[0])
		}
	}
	for _, it := range all.items {
		if it.Public || meetings[it.MeetingID] == nil {
			continue
		}
		if fx.HiddenItem == nil {
			fx.HiddenItem = it
		}
		if !slices.Contains(fx.RedactedMeetings, it.MeetingID) {
			fx.RedactedMeetings = append(fx.RedactedMeetings, it.MeetingID)
		}
	}
	for _, f := range all.files {
		if _, visible := files[f.ID]; visible {
			continue
		}
		if !f.Public && fx.HiddenFile == nil {
			fx.HiddenFile = f
		}
		if f.Public && fx.OrphanedFile == nil {
			fx.OrphanedFile = f
		}
	}
	switch {
	case fx.HiddenPaper == nil:
		return nil, errors.New("the demo has no non-public paper")
	case fx.HiddenMeeting == nil:
		return nil, errors.New("the demo has no non-public meeting")
	case fx.HiddenItem == nil:
		return nil, errors.New("the demo has no non-public agenda item in a public meeting")
	case fx.HiddenFile == nil:
		return nil, errors.New("the demo has no non-public file")
	}
	return fx, nil
}
