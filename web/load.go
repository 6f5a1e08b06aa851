package web

import (
	"context"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// The loaders below fetch the objects a page refers to in one query per type
// (no N+1). An empty ID list must never reach the store: an empty IDs filter
// means "all". What the viewer may not see is simply missing from the map.

func uniqueIDs(lists ...[]int64) []int64 {
	seen := make(map[int64]bool)
	var out []int64
	for _, l := range lists {
		for _, id := range l {
			if id > 0 && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

func (s *Server) orgsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Organization, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.Organization, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find organizations: %w", err)
	}
	for _, o := range list {
		m[o.ID] = o
	}
	return m, nil
}

func (s *Server) personsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Person, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.Person, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindPersons(ctx, ratsnetz.PersonFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find persons: %w", err)
	}
	for _, p := range list {
		m[p.ID] = p
	}
	return m, nil
}

func (s *Server) papersByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Paper, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.Paper, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindPapers(ctx, ratsnetz.PaperFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find papers: %w", err)
	}
	for _, p := range list {
		m[p.ID] = p
	}
	return m, nil
}

func (s *Server) filesByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.File, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.File, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindFiles(ctx, ratsnetz.FileFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find files: %w", err)
	}
	for _, f := range list {
		m[f.ID] = f
	}
	return m, nil
}

func (s *Server) meetingsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Meeting, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.Meeting, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find meetings: %w", err)
	}
	for _, x := range list {
		m[x.ID] = x
	}
	return m, nil
}

func (s *Server) agendaItemsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.AgendaItem, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.AgendaItem, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find agenda items: %w", err)
	}
	for _, a := range list {
		if !a.Redacted {
			m[a.ID] = a
		}
	}
	return m, nil
}

func (s *Server) locationsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Location, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*ratsnetz.Location, len(ids))
	if len(ids) == 0 {
		return m, nil
	}
	list, _, err := s.store.FindLocations(ctx, ratsnetz.LocationFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
	if err != nil {
		return nil, fmt.Errorf("find locations: %w", err)
	}
	for _, l := range list {
		m[l.ID] = l
	}
	return m, nil
}

// pick returns the objects of m for ids, in the order of ids, skipping the
// ones the viewer may not see.
func pick[T any](m map[int64]*T, ids []int64) []*T {
	var out []*T
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if v, ok := m[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, v)
		}
	}
	return out
}
