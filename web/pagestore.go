package web

import (
	"context"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// The paper and meeting pages read their objects through the store's page
// finds (ratsnetz.PageStore: one statement per page in sqlstore) where the
// store has them, else through one find per kind. Both give the same
// objects with the same visibility (storetest Pages).

// paperParts is what the paper page reads from the store besides persons
// and organizations.
type paperParts struct {
	paper    *ratsnetz.Paper
	cons     []*ratsnetz.Consultation
	meetings map[int64]*ratsnetz.Meeting
	items    map[int64]*ratsnetz.AgendaItem
	files    map[int64]*ratsnetz.File
	related  map[int64]*ratsnetz.Paper
}

func (s *Server) loadPaperParts(ctx context.Context, id int64) (*paperParts, error) {
	if ps, ok := s.store.(ratsnetz.PageStore); ok {
		pg, err := ps.FindPaperPage(ctx, id)
		if err == nil && pg.Paper.Deleted {
			err = errDeleted
		}
		if err != nil {
			return nil, fmt.Errorf("find paper %d: %w", id, err)
		}
		return &paperParts{paper: pg.Paper, cons: pg.Consultations, meetings: indexByID(pg.Meetings, meetingID),
			items: indexByID(pg.AgendaItems, agendaItemID), files: indexByID(pg.Files, fileID),
			related: indexByID(pg.Papers, paperID)}, nil
	}
	p, err := s.store.FindPaperByID(ctx, id)
	if err == nil && p.Deleted {
		err = errDeleted
	}
	if err != nil {
		return nil, fmt.Errorf("find paper %d: %w", id, err)
	}
	cons, _, err := s.store.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: p.ID, ListOptions: ratsnetz.ListOptions{Limit: 500}})
	if err != nil {
		return nil, fmt.Errorf("find consultations of paper %d: %w", id, err)
	}
	var meetingIDs, itemIDs []int64
	for _, c := range cons {
		meetingIDs = append(meetingIDs, c.MeetingID)
		itemIDs = append(itemIDs, c.AgendaItemID)
	}
	pp := &paperParts{paper: p, cons: cons}
	if pp.meetings, err = s.meetingsByID(ctx, meetingIDs); err != nil {
		return nil, err
	}
	if pp.items, err = s.agendaItemsByID(ctx, itemIDs); err != nil {
		return nil, err
	}
	if pp.files, err = s.filesByID(ctx, append([]int64{p.MainFileID}, p.AuxiliaryFileIDs...)); err != nil {
		return nil, err
	}
	if pp.related, err = s.papersByID(ctx, uniqueIDs(p.RelatedPaperIDs, p.SuperordinatedPaperIDs, p.SubordinatedPaperIDs)); err != nil {
		return nil, err
	}
	return pp, nil
}

// meetingParts is what the meeting page reads from the store besides
// organizations and locations.
type meetingParts struct {
	meeting *ratsnetz.Meeting
	items   []*ratsnetz.AgendaItem
	papers  map[int64]*ratsnetz.Paper
	files   map[int64]*ratsnetz.File
}

func (s *Server) loadMeetingParts(ctx context.Context, id int64) (*meetingParts, error) {
	if ps, ok := s.store.(ratsnetz.PageStore); ok {
		pg, err := ps.FindMeetingPage(ctx, id)
		if err == nil && pg.Meeting.Deleted {
			err = errDeleted
		}
		if err != nil {
			return nil, fmt.Errorf("find meeting %d: %w", id, err)
		}
		return &meetingParts{meeting: pg.Meeting, items: pg.AgendaItems, papers: indexByID(pg.Papers, paperID),
			files: indexByID(pg.Files, fileID)}, nil
	}
	m, err := s.store.FindMeetingByID(ctx, id)
	if err == nil && m.Deleted {
		err = errDeleted
	}
	if err != nil {
		return nil, fmt.Errorf("find meeting %d: %w", id, err)
	}
	items, _, err := s.findAgendaItemsShallow(ctx, ratsnetz.AgendaItemFilter{MeetingID: m.ID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return nil, fmt.Errorf("find agenda items of meeting %d: %w", id, err)
	}
	var paperIDs []int64
	for _, it := range items {
		if !it.Redacted {
			paperIDs = append(paperIDs, it.PaperID)
		}
	}
	mp := &meetingParts{meeting: m, items: items}
	if mp.papers, err = s.papersByID(ctx, paperIDs); err != nil {
		return nil, err
	}
	fileIDs := append([]int64{m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID}, m.AuxiliaryFileIDs...)
	if mp.files, err = s.filesByID(ctx, fileIDs); err != nil {
		return nil, err
	}
	return mp, nil
}

func indexByID[T any](xs []*T, id func(*T) int64) map[int64]*T {
	m := make(map[int64]*T, len(xs))
	for _, x := range xs {
		m[id(x)] = x
	}
	return m
}

func paperID(p *ratsnetz.Paper) int64           { return p.ID }
func meetingID(m *ratsnetz.Meeting) int64       { return m.ID }
func agendaItemID(a *ratsnetz.AgendaItem) int64 { return a.ID }
func fileID(f *ratsnetz.File) int64             { return f.ID }
