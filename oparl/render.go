package oparl

import (
	"cmp"
	"context"
	"slices"

	"github.com/ratsnetz/ratsnetz"
)

// BatchStore is optionally implemented by a Store that can load the children
// of many parents in one query. Pages of meetings, papers, persons and
// organizations then need a constant number of queries; without it the
// children are loaded per parent.
type BatchStore interface {
	FindAgendaItemsByMeetingIDs(ctx context.Context, meetingIDs []int64) ([]*ratsnetz.AgendaItem, error)
	FindConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error)
	FindMembershipsByPersonIDs(ctx context.Context, personIDs []int64) ([]*ratsnetz.Membership, error)
	FindMembershipsByOrganizationIDs(ctx context.Context, organizationIDs []int64) ([]*ratsnetz.Membership, error)
}

// PageStore is optionally implemented by a Store that loads what a list page
// embeds with only the columns OParl shows (sqlstore does). Same visibility
// as the Find methods.
type PageStore interface {
	// FindOParlFiles returns the visible files among ids without Text and
	// without owner back-references.
	FindOParlFiles(ctx context.Context, ids []int64) ([]*ratsnetz.File, error)
	// FindOParlAgendaItems returns the agenda items of the meetings whose
	// content is visible, in meeting order. Their file IDs are unfiltered:
	// only files FindOParlFiles returns may be rendered.
	FindOParlAgendaItems(ctx context.Context, meetingIDs []int64) ([]*ratsnetz.AgendaItem, error)
	// FindOParlAgendaOrder maps each such agenda item to its 0-based
	// position among them in its meeting.
	FindOParlAgendaOrder(ctx context.Context, meetingIDs []int64) (map[int64]int, error)
	// FindOParlMembershipIDs returns the membership IDs per organization.
	FindOParlMembershipIDs(ctx context.Context, organizationIDs []int64) (map[int64][]int64, error)
	// FindOParlLocationRefs returns per location the IDs of the visible
	// bodies, organizations, persons, meetings and papers naming it, keyed
	// by "body", "organization", "person", "meeting", "paper".
	FindOParlLocationRefs(ctx context.Context, locationIDs []int64) (map[int64]map[string][]int64, error)
}

// ListStore is optionally implemented by a Store with list queries made for
// OParl's anonymous public (sqlstore does): the same answers as the general
// finds, in queries the databases plan well for a harvester walking every
// list. Other viewers and filters take the general finds inside them.
type ListStore interface {
	// FindOParlConsultations is FindConsultations for list pages.
	FindOParlConsultations(ctx context.Context, f ratsnetz.ConsultationFilter) ([]*ratsnetz.Consultation, error)
	// FindOParlConsultationsByPaperIDs is FindConsultationsByPaperIDs for
	// the consultations embedded in papers.
	FindOParlConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error)
	// FindOParlPapers is FindPapers for list pages; file IDs unfiltered
	// (keys for FindOParlFiles).
	FindOParlPapers(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, error)
	// FindOParlMeetings is FindMeetings for list pages; file IDs
	// unfiltered (keys for FindOParlFiles).
	FindOParlMeetings(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, error)
	// FindOParlFileList is FindFiles for the file list.
	FindOParlFileList(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, error)
	// FindOParlAgendaItemList is FindAgendaItems for the agenda item
	// list; file IDs unfiltered (keys for FindOParlFiles).
	FindOParlAgendaItemList(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, error)
}

// renderer turns domain objects into OParl JSON for one request. It loads
// embedded and linked objects per page in batches.
type renderer struct {
	s            *Server
	omitInternal bool
	// live renders everything from the store, never from stored
	// documents (BuildDocs renders them so).
	live bool
	// shallow: the meetings or papers of this list page came without their
	// reference lists (RowListStore); the live renderers load them.
	shallow bool
}

// standalone and embedded select whether back-references are written.
const (
	embedded   = false
	standalone = true
)

func (s *Server) tombstone(kind string, m ratsnetz.Meta) *jsonTombstone {
	return &jsonTombstone{
		ID:       s.url(kind, m.ID),
		Type:     typeOf(kind),
		Created:  s.dateTime(m.Created),
		Modified: s.dateTime(m.Modified),
		Deleted:  true,
	}
}

func typeOf(kind string) string {
	switch kind {
	case kindBody:
		return TypeBody
	case kindLegislativeTerm:
		return TypeLegislativeTerm
	case kindOrganization:
		return TypeOrganization
	case kindPerson:
		return TypePerson
	case kindMembership:
		return TypeMembership
	case kindMeeting:
		return TypeMeeting
	case kindAgendaItem:
		return TypeAgendaItem
	case kindPaper:
		return TypePaper
	case kindConsultation:
		return TypeConsultation
	case kindFile:
		return TypeFile
	case kindLocation:
		return TypeLocation
	}
	return ""
}

// uniq returns the distinct non-zero ids.
func uniq(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ---- batch loaders --------------------------------------------------------

// idChunk is how many IDs go into one IDs filter (stores cap pages at MaxLimit).
const idChunk = 500

// byIDs loads the objects with the given distinct IDs in chunks.
func byIDs[T any](ctx context.Context, ids []int64, find func(context.Context, []int64, ratsnetz.ListOptions) ([]T, error)) ([]T, error) {
	var out []T
	for len(ids) > 0 {
		n := min(len(ids), idChunk)
		v, err := find(ctx, ids[:n], ratsnetz.ListOptions{Limit: n})
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
		ids = ids[n:]
	}
	return out, nil
}

func (r *renderer) files(ctx context.Context, ids []int64) (map[int64]*ratsnetz.File, error) {
	ids = uniq(ids)
	out := make(map[int64]*ratsnetz.File, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var fs []*ratsnetz.File
	var err error
	if ps, ok := r.s.store.(PageStore); ok {
		fs, err = ps.FindOParlFiles(ctx, ids)
	} else {
		fs, err = byIDs(ctx, ids, func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.File, error) {
			v, _, err := r.s.store.FindFiles(ctx, ratsnetz.FileFilter{IDs: ids, ListOptions: o})
			return v, err
		})
	}
	if err != nil {
		return nil, wrap(err, "find files")
	}
	for _, f := range fs {
		if !f.Deleted {
			out[f.ID] = f
		}
	}
	return out, nil
}

func (r *renderer) locations(ctx context.Context, ids []int64) (map[int64]*ratsnetz.Location, error) {
	ids = uniq(ids)
	out := make(map[int64]*ratsnetz.Location, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ls, err := byIDs(ctx, ids, func(ctx context.Context, ids []int64, o ratsnetz.ListOptions) ([]*ratsnetz.Location, error) {
		v, _, err := r.s.store.FindLocations(ctx, ratsnetz.LocationFilter{IDs: ids, ListOptions: o})
		return v, err
	})
	if err != nil {
		return nil, wrap(err, "find locations")
	}
	for _, l := range ls {
		if !l.Deleted {
			out[l.ID] = l
		}
	}
	return out, nil
}

// agendaItemsOf loads the visible agenda items of the meetings, in order.
func (r *renderer) agendaItemsOf(ctx context.Context, meetingIDs []int64) (map[int64][]*ratsnetz.AgendaItem, error) {
	meetingIDs = uniq(meetingIDs)
	out := make(map[int64][]*ratsnetz.AgendaItem, len(meetingIDs))
	if len(meetingIDs) == 0 {
		return out, nil
	}
	var all []*ratsnetz.AgendaItem
	if ps, ok := r.s.store.(PageStore); ok {
		items, err := ps.FindOParlAgendaItems(ctx, meetingIDs)
		if err != nil {
			return nil, wrap(err, "find agenda items of %d meetings", len(meetingIDs))
		}
		all = items
	} else if b, ok := r.s.store.(BatchStore); ok {
		items, err := b.FindAgendaItemsByMeetingIDs(ctx, meetingIDs)
		if err != nil {
			return nil, wrap(err, "find agenda items of %d meetings", len(meetingIDs))
		}
		all = items
	} else {
		for _, id := range meetingIDs {
			items, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.AgendaItem, error) {
				v, _, err := r.s.store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: o})
				return v, err
			})
			if err != nil {
				return nil, wrap(err, "find agenda items of meeting %d", id)
			}
			all = append(all, items...)
		}
	}
	for _, it := range all {
		// Non-public items are left out entirely (see package doc).
		if it.Deleted || it.Redacted || !it.Public {
			continue
		}
		out[it.MeetingID] = append(out[it.MeetingID], it)
	}
	for _, items := range out {
		slices.SortStableFunc(items, func(a, b *ratsnetz.AgendaItem) int {
			if a.Order != b.Order {
				return a.Order - b.Order
			}
			return cmpID(a.ID, b.ID)
		})
	}
	return out, nil
}

func (r *renderer) consultationsOf(ctx context.Context, paperIDs []int64) (map[int64][]*ratsnetz.Consultation, error) {
	paperIDs = uniq(paperIDs)
	out := make(map[int64][]*ratsnetz.Consultation, len(paperIDs))
	if len(paperIDs) == 0 {
		return out, nil
	}
	var all []*ratsnetz.Consultation
	if l, ok := r.s.store.(ListStore); ok {
		cs, err := l.FindOParlConsultationsByPaperIDs(ctx, paperIDs)
		if err != nil {
			return nil, wrap(err, "find consultations of %d papers", len(paperIDs))
		}
		all = cs
	} else if b, ok := r.s.store.(BatchStore); ok {
		cs, err := b.FindConsultationsByPaperIDs(ctx, paperIDs)
		if err != nil {
			return nil, wrap(err, "find consultations of %d papers", len(paperIDs))
		}
		all = cs
	} else {
		for _, id := range paperIDs {
			cs, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Consultation, error) {
				v, _, err := r.s.store.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: id, ListOptions: o})
				return v, err
			})
			if err != nil {
				return nil, wrap(err, "find consultations of paper %d", id)
			}
			all = append(all, cs...)
		}
	}
	for _, c := range all {
		if !c.Deleted {
			out[c.PaperID] = append(out[c.PaperID], c)
		}
	}
	for _, cs := range out {
		slices.SortStableFunc(cs, func(a, b *ratsnetz.Consultation) int {
			if a.Position != b.Position {
				return a.Position - b.Position
			}
			return cmpID(a.ID, b.ID)
		})
	}
	return out, nil
}

// membershipsOf loads memberships by person (byOrg false) or organization.
func (r *renderer) membershipsOf(ctx context.Context, ids []int64, byOrg bool) (map[int64][]*ratsnetz.Membership, error) {
	ids = uniq(ids)
	out := make(map[int64][]*ratsnetz.Membership, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var all []*ratsnetz.Membership
	if b, ok := r.s.store.(BatchStore); ok {
		var err error
		if byOrg {
			all, err = b.FindMembershipsByOrganizationIDs(ctx, ids)
		} else {
			all, err = b.FindMembershipsByPersonIDs(ctx, ids)
		}
		if err != nil {
			return nil, wrap(err, "find memberships")
		}
	} else {
		for _, id := range ids {
			ms, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Membership, error) {
				f := ratsnetz.MembershipFilter{PersonID: id, ListOptions: o}
				if byOrg {
					f = ratsnetz.MembershipFilter{OrganizationID: id, ListOptions: o}
				}
				v, _, err := r.s.store.FindMemberships(ctx, f)
				return v, err
			})
			if err != nil {
				return nil, wrap(err, "find memberships of %d", id)
			}
			all = append(all, ms...)
		}
	}
	for _, m := range all {
		if m.Deleted {
			continue
		}
		key := m.PersonID
		if byOrg {
			key = m.OrganizationID
		}
		out[key] = append(out[key], m)
	}
	for _, ms := range out {
		slices.SortFunc(ms, func(a, b *ratsnetz.Membership) int { return cmpID(a.ID, b.ID) })
	}
	return out, nil
}

func cmpID(a, b int64) int { return cmp.Compare(a, b) }

// ---- single-object mappings ------------------------------------------------

func (r *renderer) file(f *ratsnetz.File, back bool) *jsonFile {
	if f == nil {
		return nil
	}
	s := r.s
	id := s.url(kindFile, f.ID)
	j := &jsonFile{
		ID:                 id,
		Type:               TypeFile,
		Name:               f.Name,
		FileName:           f.FileName,
		MimeType:           f.MimeType,
		Date:               date(f.Date),
		Size:               f.Size,
		SHA512Checksum:     f.SHA512,
		AccessURL:          s.portal + "/dateien/" + itoa(f.ID),
		DownloadURL:        s.portal + "/dateien/" + itoa(f.ID) + "/download",
		ExternalServiceURL: f.ExternalServiceURL,
		MasterFile:         s.urlOpt(kindFile, f.MasterFileID),
		DerivativeFile:     s.urls(kindFile, f.DerivativeFileIDs),
		FileLicense:        f.License,
		Created:            s.dateTime(f.Created),
		Modified:           s.dateTime(f.Modified),
	}
	if back {
		j.Text = f.Text
		j.Meeting = s.urls(kindMeeting, f.MeetingIDs)
		j.AgendaItem = s.urls(kindAgendaItem, f.AgendaItemIDs)
		j.Paper = s.urls(kindPaper, f.PaperIDs)
	}
	return j
}

func (r *renderer) filesOf(m map[int64]*ratsnetz.File, ids []int64) []*jsonFile {
	var out []*jsonFile
	for _, id := range ids {
		if f := m[id]; f != nil {
			out = append(out, r.file(f, embedded))
		}
	}
	return out
}

func (r *renderer) location(l *ratsnetz.Location) *jsonLocation {
	if l == nil {
		return nil
	}
	s := r.s
	j := &jsonLocation{
		ID:            s.url(kindLocation, l.ID),
		Type:          TypeLocation,
		Description:   l.Description,
		StreetAddress: l.StreetAddress,
		Room:          l.Room,
		PostalCode:    l.PostalCode,
		SubLocality:   l.SubLocality,
		Locality:      l.Locality,
		Created:       s.dateTime(l.Created),
		Modified:      s.dateTime(l.Modified),
	}
	if l.HasGeo {
		props := map[string]string{}
		if l.Description != "" {
			props["name"] = l.Description
		}
		j.GeoJSON = &jsonFeature{
			Type:       "Feature",
			Geometry:   jsonGeometry{Type: "Point", Coordinates: [2]float64{l.Lon, l.Lat}},
			Properties: props,
		}
	}
	return j
}

func (r *renderer) membership(m *ratsnetz.Membership, back bool) *jsonMembership {
	s := r.s
	j := &jsonMembership{
		ID:           s.url(kindMembership, m.ID),
		Type:         TypeMembership,
		Organization: s.urlOpt(kindOrganization, m.OrganizationID),
		Role:         m.Role,
		VotingRight:  boolPtr(m.VotingRight),
		StartDate:    date(m.StartDate),
		EndDate:      date(m.EndDate),
		OnBehalfOf:   s.urlOpt(kindOrganization, m.OnBehalfOfID),
		Created:      s.dateTime(m.Created),
		Modified:     s.dateTime(m.Modified),
	}
	if back {
		j.Person = s.urlOpt(kindPerson, m.PersonID)
	}
	return j
}

func (r *renderer) legislativeTerm(t *ratsnetz.LegislativeTerm, back bool) *jsonLegislativeTerm {
	s := r.s
	j := &jsonLegislativeTerm{
		ID:        s.url(kindLegislativeTerm, t.ID),
		Type:      TypeLegislativeTerm,
		Name:      t.Name,
		StartDate: date(t.StartDate),
		EndDate:   date(t.EndDate),
		Created:   s.dateTime(t.Created),
		Modified:  s.dateTime(t.Modified),
	}
	if back {
		j.Body = s.urlOpt(kindBody, t.BodyID)
	}
	return j
}

// consultation maps c. The store zeroes links to agenda items and meetings
// the viewer may not see.
func (r *renderer) consultation(c *ratsnetz.Consultation, back bool) *jsonConsultation {
	s := r.s
	j := &jsonConsultation{
		ID:            s.url(kindConsultation, c.ID),
		Type:          TypeConsultation,
		Organization:  s.urls(kindOrganization, c.OrganizationIDs),
		Authoritative: boolPtr(c.Authoritative),
		Role:          c.Role,
		Status:        c.Status,
		Result:        c.Result,
		Created:       s.dateTime(c.Created),
		Modified:      s.dateTime(c.Modified),
	}
	j.AgendaItem = s.urlOpt(kindAgendaItem, c.AgendaItemID)
	j.Meeting = s.urlOpt(kindMeeting, c.MeetingID)
	if back {
		j.Paper = s.urlOpt(kindPaper, c.PaperID)
	}
	return j
}

// agendaItem maps it at position order; files are embedded from fm.
func (r *renderer) agendaItem(it *ratsnetz.AgendaItem, order int, back bool, fm map[int64]*ratsnetz.File) *jsonAgendaItem {
	s := r.s
	j := &jsonAgendaItem{
		ID:             s.url(kindAgendaItem, it.ID),
		Type:           TypeAgendaItem,
		Number:         it.Number,
		Order:          order,
		Name:           it.Name,
		Public:         boolPtr(it.Public),
		Result:         it.Result,
		ResolutionText: it.ResolutionText,
		ResolutionFile: r.file(fm[it.ResolutionFileID], embedded),
		Start:          s.dateTime(it.Start),
		End:            s.dateTime(it.End),
		Web:            s.portal + "/sitzungen/" + itoa(it.MeetingID) + "/top/" + itoa(it.ID),
		Created:        s.dateTime(it.Created),
		Modified:       s.dateTime(it.Modified),
	}
	j.Consultation = s.urlOpt(kindConsultation, it.ConsultationID)
	if !r.omitInternal {
		j.AuxiliaryFile = r.filesOf(fm, it.AuxiliaryFileIDs)
	}
	if v := it.Vote; v != nil {
		jv := &jsonVote{Yes: v.Yes, No: v.No, Abstain: v.Abstain, Unanimous: v.Unanimous, Note: v.Note}
		for _, f := range v.Factions {
			jv.Factions = append(jv.Factions, &jsonFactionVote{
				Organization: s.urlOpt(kindOrganization, f.OrganizationID),
				Name:         f.Name, Yes: f.Yes, No: f.No, Abstain: f.Abstain,
			})
		}
		j.Vote = jv
	}
	if back {
		j.Meeting = s.url(kindMeeting, it.MeetingID)
	}
	return j
}
