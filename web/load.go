package web

import (
	"context"
	"fmt"
	"slices"

	"github.com/ratsnetz/ratsnetz"
)

// The loaders below fetch the objects a page refers to with one query per
// type (no N+1). An empty ID list never reaches the store: an empty IDs
// filter means "all". What the viewer may not see is simply missing from the
// returned map.

// batchSize stays within the stores' maximum page size.
const batchSize = 1000

// smallSet is the list length up to which duplicates are found by scanning
// the output instead of a map: the ID lists of one page are short, and a
// map per list was a good part of a page's allocations.
const smallSet = 32

func uniqueIDs(lists ...[]int64) []int64 {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	var seen map[int64]bool
	if n > smallSet {
		seen = make(map[int64]bool, n)
	}
	var out []int64
	for _, l := range lists {
		for _, id := range l {
			if id <= 0 {
				continue
			}
			if seen != nil {
				if seen[id] {
					continue
				}
				seen[id] = true
			} else if slices.Contains(out, id) {
				continue
			}
			out = append(out, id)
		}
	}
	return out
}

// loadByID calls find for the distinct positive ids in batches and indexes
// the result by ID.
func loadByID[T any](ctx context.Context, what string, ids []int64, idOf func(*T) int64,
	find func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*T, int, error)) (map[int64]*T, error) {
	ids = uniqueIDs(ids)
	m := make(map[int64]*T, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), batchSize)]
		ids = ids[len(chunk):]
		list, _, err := find(ctx, chunk, ratsnetz.ListOptions{Limit: len(chunk)})
		if err != nil {
			return nil, fmt.Errorf("find %s by id: %w", what, err)
		}
		for _, v := range list {
			m[idOf(v)] = v
		}
	}
	return m, nil
}

func (s *Server) orgsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Organization, error) {
	if d, err := s.refData(ctx); err != nil {
		return nil, err
	} else if d != nil {
		m := make(map[int64]*ratsnetz.Organization, len(ids))
		for _, id := range ids {
			if o, ok := d.orgByID[id]; ok {
				m[id] = o
			}
		}
		return m, nil
	}
	return loadByID(ctx, "organizations", ids, func(v *ratsnetz.Organization) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Organization, int, error) {
			return s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{IDs: ids, ListOptions: o})
		})
}

func (s *Server) personsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Person, error) {
	return loadByID(ctx, "persons", ids, func(v *ratsnetz.Person) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Person, int, error) {
			return s.store.FindPersons(ctx, ratsnetz.PersonFilter{IDs: ids, ListOptions: o})
		})
}

// shallowStore is implemented by stores that can list objects without
// their ID lists (sqlstore.DB). The loaders below use it: pages show only
// the own columns of the objects they refer to (name, reference, date,
// size), so loading the objects' own references would be wasted queries.
type shallowStore interface {
	FindPapersShallow(context.Context, ratsnetz.PaperFilter) ([]*ratsnetz.Paper, int, error)
	FindMeetingsShallow(context.Context, ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, int, error)
	FindAgendaItemsShallow(context.Context, ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, int, error)
	FindFilesShallow(context.Context, ratsnetz.FileFilter) ([]*ratsnetz.File, int, error)
}

// findPapersShallow lists papers, without their ID lists where the store
// can: for lists and links that show only the papers' own columns.
func (s *Server) findPapersShallow(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, int, error) {
	if st, ok := s.store.(shallowStore); ok {
		return st.FindPapersShallow(ctx, f)
	}
	return s.store.FindPapers(ctx, f)
}

// papersByID loads papers without their ID lists (pages link them by name
// and reference).
func (s *Server) papersByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Paper, error) {
	return loadByID(ctx, "papers", ids, func(v *ratsnetz.Paper) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Paper, int, error) {
			return s.findPapersShallow(ctx, ratsnetz.PaperFilter{IDs: ids, ListOptions: o})
		})
}

// filesByID loads files without derivatives and owners (pages list them by
// name and size).
func (s *Server) filesByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.File, error) {
	return loadByID(ctx, "files", ids, func(v *ratsnetz.File) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.File, int, error) {
			f := ratsnetz.FileFilter{IDs: ids, ListOptions: o}
			if st, ok := s.store.(shallowStore); ok {
				return st.FindFilesShallow(ctx, f)
			}
			return s.store.FindFiles(ctx, f)
		})
}

// meetingsByID loads meetings without their ID lists (pages link them by
// date and name).
func (s *Server) meetingsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Meeting, error) {
	return loadByID(ctx, "meetings", ids, func(v *ratsnetz.Meeting) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, int, error) {
			f := ratsnetz.MeetingFilter{IDs: ids, ListOptions: o}
			if st, ok := s.store.(shallowStore); ok {
				return st.FindMeetingsShallow(ctx, f)
			}
			return s.store.FindMeetings(ctx, f)
		})
}

// findAgendaItemsShallow lists agenda items without their file references
// where the store can.
func (s *Server) findAgendaItemsShallow(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, int, error) {
	if st, ok := s.store.(shallowStore); ok {
		return st.FindAgendaItemsShallow(ctx, f)
	}
	return s.store.FindAgendaItems(ctx, f)
}

// agendaItemsByID leaves out redacted placeholders: nothing links to them.
// The items come without file references (pages link them by number).
func (s *Server) agendaItemsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.AgendaItem, error) {
	m, err := loadByID(ctx, "agenda items", ids, func(v *ratsnetz.AgendaItem) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, int, error) {
			return s.findAgendaItemsShallow(ctx, ratsnetz.AgendaItemFilter{IDs: ids, ListOptions: o})
		})
	if err != nil {
		return nil, err
	}
	for id, it := range m {
		if it.Redacted {
			delete(m, id)
		}
	}
	return m, nil
}

func (s *Server) locationsByID(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Location, error) {
	if d, err := s.refData(ctx); err != nil {
		return nil, err
	} else if d != nil && d.locByID != nil {
		m := make(map[int64]*ratsnetz.Location, len(ids))
		for _, id := range ids {
			if l, ok := d.locByID[id]; ok {
				m[id] = l
			}
		}
		return m, nil
	}
	return loadByID(ctx, "locations", ids, func(v *ratsnetz.Location) int64 { return v.ID },
		func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Location, int, error) {
			return s.store.FindLocations(ctx, ratsnetz.LocationFilter{IDs: ids, ListOptions: o})
		})
}

// pick returns the objects of m for ids, in the order of ids, each once,
// skipping the ones the viewer may not see.
func pick[T any](m map[int64]*T, ids []int64) []*T {
	var out []*T
	var seen map[int64]bool
	if len(ids) > smallSet {
		seen = make(map[int64]bool, len(ids))
	}
	for i, id := range ids {
		v, ok := m[id]
		if !ok {
			continue
		}
		if seen != nil {
			if seen[id] {
				continue
			}
			seen[id] = true
		} else if slices.Contains(ids[:i], id) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// errDeleted answers for soft-deleted objects: the portal shows no
// tombstones.
var errDeleted = ratsnetz.Errorf(ratsnetz.ENOTFOUND, "deleted")
