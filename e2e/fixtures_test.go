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

func discover(ctx context.Context, db ratsnetz.Store) (*fixtures, error) {
	public := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	system := ratsnetz.SystemContext(ctx)
	fx := &fixtures{Votes: make(map[int64]voteFixture)}

	items, err := listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, int, error) {
		return db.FindAgendaItems(public, ratsnetz.AgendaItemFilter{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list agenda items: %w", err)
	}
	for _, it := range items {
		if _, ok := fx.Votes[it.MeetingID]; ok || it.Redacted || !it.Public || it.PaperID == 0 ||
			it.Vote == nil || len(it.Vote.Factions) < 2 {
			continue
		}
		p, err := db.FindPaperByID(public, it.PaperID)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || (err == nil && p.MainFileID == 0) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("find paper %d: %w", it.PaperID, err)
		}
		f, err := db.FindFileByID(public, p.MainFileID)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || (err == nil && f.MimeType != "application/pdf") {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("find file %d: %w", p.MainFileID, err)
		}
		mt, err := db.FindMeetingByID(public, it.MeetingID)
		if err != nil {
			return nil, fmt.Errorf("find meeting %d of visible agenda item %d: %w", it.MeetingID, it.ID, err)
		}
		v := voteFixture{Meeting: mt, Item: it, Paper: p, File: f}
		fx.Votes[it.MeetingID] = v
		if fx.Vote.Item == nil {
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

	papers, err := listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.Paper, int, error) {
		return db.FindPapers(system, ratsnetz.PaperFilter{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list papers: %w", err)
	}
	for _, p := range papers {
		if !p.Public {
			if fx.HiddenPaper == nil {
				fx.HiddenPaper = p
			}
			continue
		}
		if len(fx.RedactedPapers) == 5 || (p.MainFileID == 0 && len(p.AuxiliaryFileIDs) == 0) {
			continue
		}
		pp, err := db.FindPaperByID(public, p.ID)
		if err != nil {
			return nil, fmt.Errorf("find public paper %d as the public: %w", p.ID, err)
		}
		if pp.MainFileID != p.MainFileID || len(pp.AuxiliaryFileIDs) != len(p.AuxiliaryFileIDs) {
			fx.RedactedPapers = append(fx.RedactedPapers, p.ID)
		}
	}
	meetings, err := listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, int, error) {
		return db.FindMeetings(system, ratsnetz.MeetingFilter{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	publicMeeting := make(map[int64]bool)
	for _, mt := range meetings {
		publicMeeting[mt.ID] = mt.Public
		if !mt.Public {
			if fx.HiddenMeeting == nil {
				fx.HiddenMeeting = mt
			}
			if len(mt.OrganizationIDs) > 0 && !slices.Contains(fx.SecretOrganizations, mt.OrganizationIDs[0]) {
				fx.SecretOrganizations = append(fx.SecretOrganizations, mt.OrganizationIDs[0])
			}
		}
	}
	all, err := listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, int, error) {
		return db.FindAgendaItems(system, ratsnetz.AgendaItemFilter{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list agenda items: %w", err)
	}
	redacted := make(map[int64]bool)
	for _, it := range all {
		if it.Public || !publicMeeting[it.MeetingID] {
			continue
		}
		if fx.HiddenItem == nil {
			fx.HiddenItem = it
		}
		if !redacted[it.MeetingID] {
			redacted[it.MeetingID] = true
			fx.RedactedMeetings = append(fx.RedactedMeetings, it.MeetingID)
		}
	}
	files, err := listAll(func(o ratsnetz.ListOptions) ([]*ratsnetz.File, int, error) {
		return db.FindFiles(system, ratsnetz.FileFilter{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	for _, f := range files {
		if !f.Public {
			if fx.HiddenFile == nil {
				fx.HiddenFile = f
			}
			continue
		}
		if fx.OrphanedFile != nil {
			continue
		}
		_, err := db.FindFileByID(public, f.ID)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			fx.OrphanedFile = f
		} else if err != nil {
			return nil, fmt.Errorf("find file %d as the public: %w", f.ID, err)
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
