package web

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// fakeStore is a small in-memory ratsnetz.Store with the visibility rules of
// the contract (public viewer: only public papers, meetings, files; redacted
// non-public agenda items), used until the real SQLite store is available.
type fakeStore struct {
	ds ratsnetz.Dataset
}

func (s *fakeStore) Load(ctx context.Context, ds *ratsnetz.Dataset) error {
	s.ds.Bodies = append(s.ds.Bodies, ds.Bodies...)
	s.ds.LegislativeTerms = append(s.ds.LegislativeTerms, ds.LegislativeTerms...)
	s.ds.Locations = append(s.ds.Locations, ds.Locations...)
	s.ds.Organizations = append(s.ds.Organizations, ds.Organizations...)
	s.ds.Persons = append(s.ds.Persons, ds.Persons...)
	s.ds.Memberships = append(s.ds.Memberships, ds.Memberships...)
	s.ds.Meetings = append(s.ds.Meetings, ds.Meetings...)
	s.ds.AgendaItems = append(s.ds.AgendaItems, ds.AgendaItems...)
	s.ds.Papers = append(s.ds.Papers, ds.Papers...)
	s.ds.Consultations = append(s.ds.Consultations, ds.Consultations...)
	s.ds.Files = append(s.ds.Files, ds.Files...)
	return nil
}

func (s *fakeStore) Empty(ctx context.Context) (bool, error) { return len(s.ds.Bodies) == 0, nil }
func (s *fakeStore) Close() error                            { return nil }

func notFound() error { return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "not found") }

func pageOf[T any](list []*T, o ratsnetz.ListOptions) []*T {
	if o.Offset >= len(list) {
		return nil
	}
	list = list[o.Offset:]
	limit := o.Limit
	if limit == 0 {
		limit = 50
	}
	if len(list) > limit {
		list = list[:limit]
	}
	return list
}

func inIDs(ids []int64, id int64) bool { return len(ids) == 0 || slices.Contains(ids, id) }

func filter[T any](all []*T, keep func(*T) bool) []*T {
	var out []*T
	for _, v := range all {
		if keep(v) {
			c := *v
			out = append(out, &c)
		}
	}
	return out
}

func byID[T any](list []*T, id int64, idOf func(*T) int64) (*T, error) {
	for _, v := range list {
		if idOf(v) == id {
			return v, nil
		}
	}
	return nil, notFound()
}

func public(ctx context.Context) bool { return !ratsnetz.ViewerFromContext(ctx).System }

func (s *fakeStore) FindBodyByID(ctx context.Context, id int64) (*ratsnetz.Body, error) {
	return byID(s.ds.Bodies, id, func(v *ratsnetz.Body) int64 { return v.ID })
}
func (s *fakeStore) FindBodies(ctx context.Context, f ratsnetz.BodyFilter) ([]*ratsnetz.Body, int, error) {
	return pageOf(filter(s.ds.Bodies, func(v *ratsnetz.Body) bool { return inIDs(f.IDs, v.ID) }), f.ListOptions), -1, nil
}
func (s *fakeStore) FindLegislativeTerms(ctx context.Context, f ratsnetz.LegislativeTermFilter) ([]*ratsnetz.LegislativeTerm, int, error) {
	return nil, -1, nil
}
func (s *fakeStore) FindLocationByID(ctx context.Context, id int64) (*ratsnetz.Location, error) {
	return byID(s.ds.Locations, id, func(v *ratsnetz.Location) int64 { return v.ID })
}
func (s *fakeStore) FindLocations(ctx context.Context, f ratsnetz.LocationFilter) ([]*ratsnetz.Location, int, error) {
	return pageOf(filter(s.ds.Locations, func(v *ratsnetz.Location) bool { return inIDs(f.IDs, v.ID) }), f.ListOptions), -1, nil
}

func (s *fakeStore) FindOrganizationByID(ctx context.Context, id int64) (*ratsnetz.Organization, error) {
	return byID(s.ds.Organizations, id, func(v *ratsnetz.Organization) int64 { return v.ID })
}
func (s *fakeStore) FindOrganizations(ctx context.Context, f ratsnetz.OrganizationFilter) ([]*ratsnetz.Organization, int, error) {
	return pageOf(filter(s.ds.Organizations, func(v *ratsnetz.Organization) bool {
		return inIDs(f.IDs, v.ID) && (f.OrganizationType == "" || f.OrganizationType == v.OrganizationType)
	}), f.ListOptions), -1, nil
}
func (s *fakeStore) FindPersonByID(ctx context.Context, id int64) (*ratsnetz.Person, error) {
	return byID(s.ds.Persons, id, func(v *ratsnetz.Person) int64 { return v.ID })
}
func (s *fakeStore) FindPersons(ctx context.Context, f ratsnetz.PersonFilter) ([]*ratsnetz.Person, int, error) {
	return pageOf(filter(s.ds.Persons, func(v *ratsnetz.Person) bool { return inIDs(f.IDs, v.ID) }), f.ListOptions), -1, nil
}
func (s *fakeStore) FindMembershipByID(ctx context.Context, id int64) (*ratsnetz.Membership, error) {
	return byID(s.ds.Memberships, id, func(v *ratsnetz.Membership) int64 { return v.ID })
}
func (s *fakeStore) FindMemberships(ctx context.Context, f ratsnetz.MembershipFilter) ([]*ratsnetz.Membership, int, error) {
	return pageOf(filter(s.ds.Memberships, func(v *ratsnetz.Membership) bool {
		return inIDs(f.IDs, v.ID) && (f.PersonID == 0 || f.PersonID == v.PersonID) &&
			(f.OrganizationID == 0 || f.OrganizationID == v.OrganizationID) &&
			(f.ActiveAt.IsZero() || v.ActiveAt(f.ActiveAt))
	}), f.ListOptions), -1, nil
}

func (s *fakeStore) meetingVisible(ctx context.Context, id int64) bool {
	m, err := byID(s.ds.Meetings, id, func(v *ratsnetz.Meeting) int64 { return v.ID })
	return err == nil && (m.Public || !public(ctx))
}

func (s *fakeStore) FindMeetingByID(ctx context.Context, id int64) (*ratsnetz.Meeting, error) {
	if !s.meetingVisible(ctx, id) {
		return nil, notFound()
	}
	m, _ := byID(s.ds.Meetings, id, func(v *ratsnetz.Meeting) int64 { return v.ID })
	c := *m
	c.AuxiliaryFileIDs = slices.DeleteFunc(slices.Clone(c.AuxiliaryFileIDs), func(id int64) bool { return !s.fileVisible(ctx, id) })
	return &c, nil
}
func (s *fakeStore) FindMeetings(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, int, error) {
	list := filter(s.ds.Meetings, func(v *ratsnetz.Meeting) bool {
		return inIDs(f.IDs, v.ID) && (v.Public || !public(ctx)) &&
			(f.OrganizationID == 0 || slices.Contains(v.OrganizationIDs, f.OrganizationID)) &&
			(f.From.IsZero() || !v.Start.Before(f.From)) && (f.Until.IsZero() || v.Start.Before(f.Until))
	})
	slices.SortFunc(list, func(a, b *ratsnetz.Meeting) int {
		if f.Descending {
			return b.Start.Compare(a.Start)
		}
		return a.Start.Compare(b.Start)
	})
	return pageOf(list, f.ListOptions), -1, nil
}

func (s *fakeStore) redact(ctx context.Context, it *ratsnetz.AgendaItem) *ratsnetz.AgendaItem {
	if it.Public || !public(ctx) {
		return it
	}
	return &ratsnetz.AgendaItem{Meta: it.Meta, MeetingID: it.MeetingID, Order: it.Order, Number: it.Number, Redacted: true}
}

func (s *fakeStore) FindAgendaItemByID(ctx context.Context, id int64) (*ratsnetz.AgendaItem, error) {
	it, err := byID(s.ds.AgendaItems, id, func(v *ratsnetz.AgendaItem) int64 { return v.ID })
	if err != nil || !s.meetingVisible(ctx, it.MeetingID) || (!it.Public && public(ctx)) {
		return nil, notFound()
	}
	return it, nil
}
func (s *fakeStore) FindAgendaItems(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, int, error) {
	list := filter(s.ds.AgendaItems, func(v *ratsnetz.AgendaItem) bool {
		return inIDs(f.IDs, v.ID) && s.meetingVisible(ctx, v.MeetingID) &&
			(f.MeetingID == 0 || f.MeetingID == v.MeetingID) && (f.PaperID == 0 || f.PaperID == v.PaperID)
	})
	slices.SortFunc(list, func(a, b *ratsnetz.AgendaItem) int {
		return cmp.Or(cmp.Compare(a.MeetingID, b.MeetingID), cmp.Compare(a.Order, b.Order))
	})
	list = pageOf(list, f.ListOptions)
	for i, it := range list {
		list[i] = s.redact(ctx, it)
	}
	return list, -1, nil
}

func (s *fakeStore) paperVisible(ctx context.Context, p *ratsnetz.Paper) bool { return p.Public || !public(ctx) }

func (s *fakeStore) FindPaperByID(ctx context.Context, id int64) (*ratsnetz.Paper, error) {
	p, err := byID(s.ds.Papers, id, func(v *ratsnetz.Paper) int64 { return v.ID })
	if err != nil || !s.paperVisible(ctx, p) {
		return nil, notFound()
	}
	c := *p
	c.AuxiliaryFileIDs = slices.DeleteFunc(slices.Clone(c.AuxiliaryFileIDs), func(id int64) bool { return !s.fileVisible(ctx, id) })
	return &c, nil
}
func (s *fakeStore) FindPapers(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, int, error) {
	list := filter(s.ds.Papers, func(v *ratsnetz.Paper) bool {
		if f.OrganizationID != 0 && !slices.ContainsFunc(s.ds.Consultations, func(c *ratsnetz.Consultation) bool {
			return c.PaperID == v.ID && slices.Contains(c.OrganizationIDs, f.OrganizationID)
		}) {
			return false
		}
		return inIDs(f.IDs, v.ID) && s.paperVisible(ctx, v) &&
			(f.PaperType == "" || f.PaperType == v.PaperType) && (f.Status == "" || f.Status == v.Status) &&
			(f.Year == 0 || f.Year == v.Date.Year()) &&
			(f.Text == "" || strings.Contains(strings.ToLower(v.Name+" "+v.Reference), strings.ToLower(f.Text)))
	})
	if f.Newest {
		slices.SortFunc(list, func(a, b *ratsnetz.Paper) int { return b.Date.Compare(a.Date) })
	}
	return pageOf(list, f.ListOptions), -1, nil
}
func (s *fakeStore) FindConsultationByID(ctx context.Context, id int64) (*ratsnetz.Consultation, error) {
	return byID(s.ds.Consultations, id, func(v *ratsnetz.Consultation) int64 { return v.ID })
}
func (s *fakeStore) FindConsultations(ctx context.Context, f ratsnetz.ConsultationFilter) ([]*ratsnetz.Consultation, int, error) {
	return pageOf(filter(s.ds.Consultations, func(v *ratsnetz.Consultation) bool {
		return inIDs(f.IDs, v.ID) && (f.PaperID == 0 || f.PaperID == v.PaperID)
	}), f.ListOptions), -1, nil
}

func (s *fakeStore) fileVisible(ctx context.Context, id int64) bool {
	f, err := byID(s.ds.Files, id, func(v *ratsnetz.File) int64 { return v.ID })
	return err == nil && (f.Public || !public(ctx))
}

func (s *fakeStore) FindFileByID(ctx context.Context, id int64) (*ratsnetz.File, error) {
	if !s.fileVisible(ctx, id) {
		return nil, notFound()
	}
	return byID(s.ds.Files, id, func(v *ratsnetz.File) int64 { return v.ID })
}
func (s *fakeStore) FindFiles(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, int, error) {
	return pageOf(filter(s.ds.Files, func(v *ratsnetz.File) bool {
		return inIDs(f.IDs, v.ID) && s.fileVisible(ctx, v.ID)
	}), f.ListOptions), -1, nil
}
