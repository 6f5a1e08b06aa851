package oparl

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

func (s *Server) handleSystem(w http.ResponseWriter, r *http.Request) (*response, error) {
	ctx := r.Context()
	bs, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Body, error) {
		v, _, err := s.store.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: o})
		return v, err
	})
	if err != nil {
		return nil, wrap(err, "find bodies")
	}
	// The System has no row of its own: its times are those of the data.
	var created, modified time.Time
	for _, b := range bs {
		if created.IsZero() || b.Created.Before(created) {
			created = b.Created
		}
		if b.Modified.After(modified) {
			modified = b.Modified
		}
	}
	if created.IsZero() { // no data yet: today, stable for the day
		created = s.now().UTC().Truncate(24 * time.Hour)
		modified = created
	}
	sys := s.system
	return &response{value: &jsonSystem{
		ID:           s.base + "/system",
		Type:         TypeSystem,
		OparlVersion: Namespace,
		Body:         s.base + "/body",
		Name:         sys.Name,
		ContactEmail: sys.ContactEmail,
		ContactName:  sys.ContactName,
		Website:      firstNonEmpty(sys.Website, s.portal+"/"),
		Vendor:       sys.Vendor,
		Product:      sys.Product,
		License:      sys.License,
		Created:      s.dateTime(created),
		Modified:     s.dateTime(modified),
	}, modified: modified}, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *Server) handleBodyList(w http.ResponseWriter, r *http.Request) (*response, error) {
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	rd := &renderer{s: s, omitInternal: p.omitInternal}
	return listPage(r.Context(), s, s.base+"/body", p,
		func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Body, error) {
			bs, _, err := s.store.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: o})
			return bs, err
		},
		func(b *ratsnetz.Body) ratsnetz.Meta { return b.Meta }, rd.bodies)
}

func (s *Server) handleBodyChildList(w http.ResponseWriter, r *http.Request) (*response, error) {
	list := r.PathValue("list")
	if !isBodyList(list) {
		return s.handleNotFound(w, r)
	}
	bodyID, ok, err := s.parseID(w, r, "id")
	if !ok {
		return nil, err
	}
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if _, err := s.store.FindBodyByID(ctx, bodyID); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			return nil, notFound(kindBody, bodyID)
		}
		return nil, wrap(err, "find body %d", bodyID)
	}
	rd := &renderer{s: s, omitInternal: p.omitInternal}
	listURL := s.url(kindBody, bodyID) + "/" + list
	switch list {
	case kindOrganization:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Organization, error) {
			v, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.Organization) ratsnetz.Meta { return v.Meta }, rd.organizations)
	case kindPerson:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Person, error) {
			v, _, err := s.store.FindPersons(ctx, ratsnetz.PersonFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.Person) ratsnetz.Meta { return v.Meta }, rd.persons)
	case kindMeeting:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, error) {
			f := ratsnetz.MeetingFilter{BodyID: bodyID, ListOptions: o}
			if rs, ok := rd.rowStore(); ok {
				ms, complete, err := rs.FindOParlMeetingRows(ctx, f)
				rd.shallow = !complete
				return ms, err
			}
			if l, ok := s.store.(ListStore); ok {
				return l.FindOParlMeetings(ctx, f)
			}
			v, _, err := s.store.FindMeetings(ctx, f)
			return v, err
		}, func(v *ratsnetz.Meeting) ratsnetz.Meta { return v.Meta }, rd.meetings)
	case kindPaper:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Paper, error) {
			f := ratsnetz.PaperFilter{BodyID: bodyID, ListOptions: o}
			if rs, ok := rd.rowStore(); ok {
				ps, complete, err := rs.FindOParlPaperRows(ctx, f)
				rd.shallow = !complete
				return ps, err
			}
			if l, ok := s.store.(ListStore); ok {
				return l.FindOParlPapers(ctx, f)
			}
			v, _, err := s.store.FindPapers(ctx, f)
			return v, err
		}, func(v *ratsnetz.Paper) ratsnetz.Meta { return v.Meta }, rd.papers)
	case kindAgendaItem:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, error) {
			f := ratsnetz.AgendaItemFilter{BodyID: bodyID, ListOptions: o}
			if l, ok := s.store.(ListStore); ok {
				return l.FindOParlAgendaItemList(ctx, f)
			}
			v, _, err := s.store.FindAgendaItems(ctx, f)
			return v, err
		}, func(v *ratsnetz.AgendaItem) ratsnetz.Meta { return v.Meta }, rd.agendaItems)
	case kindConsultation:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Consultation, error) {
			f := ratsnetz.ConsultationFilter{BodyID: bodyID, ListOptions: o}
			if l, ok := s.store.(ListStore); ok {
				return l.FindOParlConsultations(ctx, f)
			}
			v, _, err := s.store.FindConsultations(ctx, f)
			return v, err
		}, func(v *ratsnetz.Consultation) ratsnetz.Meta { return v.Meta }, rd.consultations)
	case kindFile:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.File, error) {
			f := ratsnetz.FileFilter{BodyID: bodyID, ListOptions: o}
			if l, ok := s.store.(ListStore); ok {
				return l.FindOParlFileList(ctx, f)
			}
			v, _, err := s.store.FindFiles(ctx, f)
			return v, err
		}, func(v *ratsnetz.File) ratsnetz.Meta { return v.Meta }, rd.fileList)
	case kindLocation:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Location, error) {
			v, _, err := s.store.FindLocations(ctx, ratsnetz.LocationFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.Location) ratsnetz.Meta { return v.Meta }, rd.locationList)
	case kindLegislativeTerm:
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.LegislativeTerm, error) {
			v, _, err := s.store.FindLegislativeTerms(ctx, ratsnetz.LegislativeTermFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.LegislativeTerm) ratsnetz.Meta { return v.Meta }, rd.legislativeTerms)
	default: // kindMembership
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Membership, error) {
			v, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.Membership) ratsnetz.Meta { return v.Meta }, rd.memberships)
	}
}

func (s *Server) handleOrganizationChildList(w http.ResponseWriter, r *http.Request) (*response, error) {
	list := r.PathValue("list")
	if list != kindMeeting && list != kindConsultation {
		return s.handleNotFound(w, r)
	}
	orgID, ok, err := s.parseID(w, r, "id")
	if !ok {
		return nil, err
	}
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if _, err := s.store.FindOrganizationByID(ctx, orgID); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			return nil, notFound(kindOrganization, orgID)
		}
		return nil, wrap(err, "find organization %d", orgID)
	}
	rd := &renderer{s: s, omitInternal: p.omitInternal}
	listURL := s.url(kindOrganization, orgID) + "/" + list
	if list == kindMeeting {
		return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, error) {
			v, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: orgID, ListOptions: o})
			return v, err
		}, func(v *ratsnetz.Meeting) ratsnetz.Meta { return v.Meta }, rd.meetings)
	}
	return listPage(ctx, s, listURL, p, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Consultation, error) {
		v, _, err := s.store.FindConsultations(ctx, ratsnetz.ConsultationFilter{OrganizationID: orgID, ListOptions: o})
		return v, err
	}, func(v *ratsnetz.Consultation) ratsnetz.Meta { return v.Meta }, rd.consultations)
}

// listPage fetches and renders one page of a list with keyset pagination.
func listPage[T any](ctx context.Context, s *Server, listURL string, p listParams,
	find func(context.Context, ratsnetz.ListOptions) ([]T, error),
	meta func(T) ratsnetz.Meta,
	render func(context.Context, []T) ([]any, error),
) (*response, error) {
	opts := p.listOptions()
	items, err := find(ctx, opts)
	if err != nil && opts.After < 0 && ratsnetz.ErrorCode(err) == ratsnetz.EINVALID {
		// A store without keyset-from-start support: its first page is in
		// its own order (correct for lists ordered by ID).
		opts.After = 0
		items, err = find(ctx, opts)
	}
	if err != nil {
		return nil, wrap(err, "list %s", listURL)
	}
	if !opts.WithDeleted {
		// Tombstones only under modified_since, whatever the store returns.
		items = slices.DeleteFunc(items, func(v T) bool { return meta(v).Deleted })
	}
	if !slices.IsSortedFunc(items, func(a, b T) int { return cmpID(meta(a).ID, meta(b).ID) }) {
		s.logger.Warn("oparl: store returned a list page not ordered by id; paging may skip objects", "list", listURL)
		slices.SortFunc(items, func(a, b T) int { return cmpID(meta(a).ID, meta(b).ID) })
	}
	// A store capping at MaxLimit answers limit rows for limit+1: maybe more.
	hasNext := len(items) > p.limit || (p.limit >= MaxLimit && len(items) == p.limit)
	if len(items) > p.limit {
		items = items[:p.limit]
	}
	data, err := render(ctx, items)
	if err != nil {
		return nil, err
	}
	page := &jsonList{
		Data:       data,
		Pagination: jsonPagination{ElementsPerPage: p.limit},
		Links: jsonLinks{
			First: s.link(listURL, p, 0),
			Self:  s.link(listURL, p, p.after),
		},
	}
	if page.Data == nil {
		page.Data = []any{}
	}
	if hasNext {
		page.Links.Next = s.link(listURL, p, meta(items[len(items)-1]).ID)
	}
	// No Last-Modified on lists: an object leaving a page (deleted,
	// de-published) does not raise the newest modified of what remains, so
	// If-Modified-Since could confirm a stale page. The ETag covers lists.
	return &response{value: page}, nil
}

// handleObject serves one object under /oparl/v1.1/{kind}/{id}.
func (s *Server) handleObject(w http.ResponseWriter, r *http.Request) (*response, error) {
	kind := r.PathValue("kind")
	if typeOf(kind) == "" {
		return s.handleNotFound(w, r)
	}
	id, ok, err := s.parseID(w, r, "id")
	if !ok {
		return nil, err
	}
	ctx := r.Context()
	rd := &renderer{s: s}
	var (
		data []any
		meta ratsnetz.Meta
	)
	switch kind {
	case kindBody:
		data, meta, err = one(ctx, id, s.store.FindBodyByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Body, error) {
				v, _, err := s.store.FindBodies(ctx, ratsnetz.BodyFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Body) ratsnetz.Meta { return v.Meta }, rd.bodies)
	case kindLegislativeTerm:
		data, meta, err = one(ctx, id, nil,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.LegislativeTerm, error) {
				v, _, err := s.store.FindLegislativeTerms(ctx, ratsnetz.LegislativeTermFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.LegislativeTerm) ratsnetz.Meta { return v.Meta }, rd.legislativeTerms)
	case kindOrganization:
		data, meta, err = one(ctx, id, s.store.FindOrganizationByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Organization, error) {
				v, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Organization) ratsnetz.Meta { return v.Meta }, rd.organizations)
	case kindPerson:
		data, meta, err = one(ctx, id, s.store.FindPersonByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Person, error) {
				v, _, err := s.store.FindPersons(ctx, ratsnetz.PersonFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Person) ratsnetz.Meta { return v.Meta }, rd.persons)
	case kindMembership:
		data, meta, err = one(ctx, id, s.store.FindMembershipByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Membership, error) {
				v, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Membership) ratsnetz.Meta { return v.Meta }, rd.memberships)
	case kindMeeting:
		data, meta, err = one(ctx, id, s.store.FindMeetingByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Meeting, error) {
				v, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Meeting) ratsnetz.Meta { return v.Meta }, rd.meetings)
	case kindAgendaItem:
		data, meta, err = one(ctx, id, s.store.FindAgendaItemByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, error) {
				v, _, err := s.store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.AgendaItem) ratsnetz.Meta { return v.Meta }, rd.agendaItems)
	case kindPaper:
		data, meta, err = one(ctx, id, s.store.FindPaperByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Paper, error) {
				v, _, err := s.store.FindPapers(ctx, ratsnetz.PaperFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Paper) ratsnetz.Meta { return v.Meta }, rd.papers)
	case kindConsultation:
		data, meta, err = one(ctx, id, s.store.FindConsultationByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Consultation, error) {
				v, _, err := s.store.FindConsultations(ctx, ratsnetz.ConsultationFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Consultation) ratsnetz.Meta { return v.Meta }, rd.consultations)
	case kindFile:
		data, meta, err = one(ctx, id, s.store.FindFileByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.File, error) {
				v, _, err := s.store.FindFiles(ctx, ratsnetz.FileFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.File) ratsnetz.Meta { return v.Meta }, rd.fileList)
	case kindLocation:
		data, meta, err = one(ctx, id, s.store.FindLocationByID,
			func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Location, error) {
				v, _, err := s.store.FindLocations(ctx, ratsnetz.LocationFilter{IDs: []int64{id}, ListOptions: o})
				return v, err
			}, func(v *ratsnetz.Location) ratsnetz.Meta { return v.Meta }, rd.locationList)
	}
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, notFound(kind, id)
	}
	return &response{value: data[0], modified: meta.Modified}, nil
}

// one loads the object id, or its tombstone when it is deleted or
// de-published (then the store reports it only to a WithDeleted list query).
func one[T any](ctx context.Context, id int64,
	byID func(context.Context, int64) (T, error),
	list func(context.Context, ratsnetz.ListOptions) ([]T, error),
	meta func(T) ratsnetz.Meta,
	render func(context.Context, []T) ([]any, error),
) ([]any, ratsnetz.Meta, error) {
	var items []T
	if byID != nil {
		v, err := byID(ctx, id)
		switch {
		case err == nil:
			items = []T{v}
		case ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND:
			return nil, ratsnetz.Meta{}, wrap(err, "find object %d", id)
		}
	}
	if len(items) == 0 {
		v, err := list(ctx, ratsnetz.ListOptions{Limit: 1, WithDeleted: true})
		if err != nil {
			return nil, ratsnetz.Meta{}, wrap(err, "find object %d", id)
		}
		items = v
	}
	if len(items) == 0 || meta(items[0]).ID != id {
		return nil, ratsnetz.Meta{}, nil
	}
	data, err := render(ctx, items[:1])
	if err != nil {
		return nil, ratsnetz.Meta{}, err
	}
	return data, meta(items[0]), nil
}

// scanPage is the page size of scanAll; stores cap pages at MaxLimit.
const scanPage = MaxLimit

// scanAll reads a whole list page by page (order of the store, stable
// within one request).
func scanAll[T any](ctx context.Context, find func(context.Context, ratsnetz.ListOptions) ([]T, error)) ([]T, error) {
	var out []T
	for offset := 0; ; offset += scanPage {
		v, err := find(ctx, ratsnetz.ListOptions{Limit: scanPage, Offset: offset})
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
		if len(v) < scanPage {
			return out, nil
		}
	}
}
