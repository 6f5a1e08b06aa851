package oparl

import (
	"context"
	"strconv"

	"github.com/ratsnetz/ratsnetz"
)

// Each page renderer maps a slice of objects to their JSON, loading what they
// embed in a few batched queries. back selects standalone rendering
// (back-references written); list pages use it too, since list entries are
// the objects themselves, not embedded copies.

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func (r *renderer) bodies(ctx context.Context, bs []*ratsnetz.Body) ([]any, error) {
	s := r.s
	var locIDs []int64
	for _, b := range bs {
		if !b.Deleted {
			locIDs = append(locIDs, b.LocationID)
		}
	}
	locs, err := r.locations(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(bs))
	for _, b := range bs {
		if b.Deleted {
			out = append(out, s.tombstone(kindBody, b.Meta))
			continue
		}
		terms := []*jsonLegislativeTerm{} // required: [] when none
		if !r.omitInternal {
			ts, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.LegislativeTerm, error) {
				v, _, err := s.store.FindLegislativeTerms(ctx, ratsnetz.LegislativeTermFilter{BodyID: b.ID, ListOptions: o})
				return v, err
			})
			if err != nil {
				return nil, wrap(err, "find legislative terms of body %d", b.ID)
			}
			for _, t := range ts {
				if !t.Deleted {
					terms = append(terms, r.legislativeTerm(t, embedded))
				}
			}
		}
		id := s.url(kindBody, b.ID)
		out = append(out, &jsonBody{
			ID:                  id,
			Type:                TypeBody,
			System:              s.base + "/system",
			Name:                b.Name,
			ShortName:           b.ShortName,
			Website:             b.Website,
			License:             b.License,
			LicenseValidSince:   s.dateTime(b.LicenseValidSince),
			OparlSince:          s.dateTime(b.OparlSince),
			AGS:                 b.AGS,
			RGS:                 b.RGS,
			Equivalent:          b.Equivalent,
			ContactEmail:        b.ContactEmail,
			ContactName:         b.ContactName,
			Classification:      b.Classification,
			Organization:        id + "/" + kindOrganization,
			Person:              id + "/" + kindPerson,
			Meeting:             id + "/" + kindMeeting,
			Paper:               id + "/" + kindPaper,
			AgendaItem:          id + "/" + kindAgendaItem,
			Consultation:        id + "/" + kindConsultation,
			File:                id + "/" + kindFile,
			LocationList:        id + "/" + kindLocation,
			LegislativeTermList: id + "/" + kindLegislativeTerm,
			Membership:          id + "/" + kindMembership,
			LegislativeTerm:     terms,
			Location:            r.location(locs[b.LocationID]),
			Kind:                b.Kind,
			OwnerBody:           s.urlOpt(kindBody, b.OwnerBodyID),
			Web:                 s.portal + "/",
			Created:             s.dateTime(b.Created),
			Modified:            s.dateTime(b.Modified),
		})
	}
	return out, nil
}

func (r *renderer) legislativeTerms(_ context.Context, ts []*ratsnetz.LegislativeTerm) ([]any, error) {
	out := make([]any, 0, len(ts))
	for _, t := range ts {
		if t.Deleted {
			out = append(out, r.s.tombstone(kindLegislativeTerm, t.Meta))
			continue
		}
		out = append(out, r.legislativeTerm(t, standalone))
	}
	return out, nil
}

func (r *renderer) organizations(ctx context.Context, os []*ratsnetz.Organization) ([]any, error) {
	s := r.s
	var ids, locIDs []int64
	for _, o := range os {
		if !o.Deleted {
			ids = append(ids, o.ID)
			locIDs = append(locIDs, o.LocationID)
		}
	}
	locs, err := r.locations(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	members, err := r.membershipIDsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(os))
	for _, o := range os {
		if o.Deleted {
			out = append(out, s.tombstone(kindOrganization, o.Meta))
			continue
		}
		id := s.url(kindOrganization, o.ID)
		mem := s.urls(kindMembership, members[o.ID])
		out = append(out, &jsonOrganization{
			ID:                id,
			Type:              TypeOrganization,
			Body:              s.urlOpt(kindBody, o.BodyID),
			Name:              o.Name,
			ShortName:         o.ShortName,
			Membership:        mem,
			Meeting:           id + "/" + kindMeeting,
			Consultation:      id + "/" + kindConsultation,
			Post:              o.Post,
			SubOrganizationOf: s.urlOpt(kindOrganization, o.SubOrganizationOfID),
			OrganizationType:  o.OrganizationType,
			Classification:    o.Classification,
			StartDate:         date(o.StartDate),
			EndDate:           date(o.EndDate),
			Website:           o.Website,
			Location:          r.location(locs[o.LocationID]),
			ExternalBody:      s.urlOpt(kindBody, o.ExternalBodyID),
			Seats:             o.Seats,
			Color:             o.Color,
			Web:               s.portal + "/gremien/" + itoa(o.ID),
			Created:           s.dateTime(o.Created),
			Modified:          s.dateTime(o.Modified),
		})
	}
	return out, nil
}

// membershipIDsOf returns the membership IDs of each organization.
func (r *renderer) membershipIDsOf(ctx context.Context, orgIDs []int64) (map[int64][]int64, error) {
	if ps, ok := r.s.store.(PageStore); ok {
		ids, err := ps.FindOParlMembershipIDs(ctx, uniq(orgIDs))
		if err != nil {
			return nil, wrap(err, "find memberships of %d organizations", len(orgIDs))
		}
		return ids, nil
	}
	members, err := r.membershipsOf(ctx, orgIDs, true)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]int64, len(members))
	for org, ms := range members {
		for _, m := range ms {
			out[org] = append(out[org], m.ID)
		}
	}
	return out, nil
}

func (r *renderer) persons(ctx context.Context, ps []*ratsnetz.Person) ([]any, error) {
	s := r.s
	var ids, locIDs []int64
	for _, p := range ps {
		if !p.Deleted {
			ids = append(ids, p.ID)
			locIDs = append(locIDs, p.LocationID)
		}
	}
	locs, err := r.locations(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	var members map[int64][]*ratsnetz.Membership
	if !r.omitInternal {
		if members, err = r.membershipsOf(ctx, ids, false); err != nil {
			return nil, err
		}
	}
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		if p.Deleted {
			out = append(out, s.tombstone(kindPerson, p.Meta))
			continue
		}
		j := &jsonPerson{
			ID:            s.url(kindPerson, p.ID),
			Type:          TypePerson,
			Body:          s.urlOpt(kindBody, p.BodyID),
			Name:          p.Name,
			FamilyName:    p.FamilyName,
			GivenName:     p.GivenName,
			FormOfAddress: p.FormOfAddress,
			Affix:         p.Affix,
			Title:         p.Title,
			Gender:        p.Gender,
			Phone:         p.Phone,
			Email:         p.Email,
			Status:        p.Status,
			Life:          p.Life,
			LifeSource:    p.LifeSource,
			Web:           s.portal + "/personen/" + itoa(p.ID),
			Created:       s.dateTime(p.Created),
			Modified:      s.dateTime(p.Modified),
		}
		if l := locs[p.LocationID]; l != nil {
			j.Location = s.url(kindLocation, l.ID)
			j.LocationObject = r.location(l)
		}
		for _, m := range members[p.ID] {
			j.Membership = append(j.Membership, r.membership(m, embedded))
		}
		out = append(out, j)
	}
	return out, nil
}

func (r *renderer) memberships(_ context.Context, ms []*ratsnetz.Membership) ([]any, error) {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		if m.Deleted {
			out = append(out, r.s.tombstone(kindMembership, m.Meta))
			continue
		}
		out = append(out, r.membership(m, standalone))
	}
	return out, nil
}

// meetings renders meetings, from stored documents where valid (docs.go).
func (r *renderer) meetings(ctx context.Context, ms []*ratsnetz.Meeting) ([]any, error) {
	return withDocs(ctx, r, kindMeeting, ms, func(m *ratsnetz.Meeting) ratsnetz.Meta { return m.Meta }, r.meetingsLive)
}

// meetingsLive renders meetings from the store's rows, one value per meeting.
func (r *renderer) meetingsLive(ctx context.Context, ms []*ratsnetz.Meeting) ([]any, error) {
	s := r.s
	if rs, ok := s.store.(RowListStore); ok {
		if err := fillShallow(ctx, r, ms, func(m *ratsnetz.Meeting) ratsnetz.Meta { return m.Meta }, rs.FillOParlMeetingRefs); err != nil {
			return nil, err
		}
	}
	var ids, locIDs, fileIDs []int64
	for _, m := range ms {
		if m.Deleted {
			continue
		}
		ids = append(ids, m.ID)
		locIDs = append(locIDs, m.LocationID)
		fileIDs = append(fileIDs, m.InvitationFileID, m.ResultsProtocolFileID, m.VerbatimProtocolFileID)
		if !r.omitInternal {
			fileIDs = append(fileIDs, m.AuxiliaryFileIDs...)
		}
	}
	var items map[int64][]*ratsnetz.AgendaItem
	if !r.omitInternal { // Meeting.agendaItem is one of the omitted lists
		var err error
		if items, err = r.agendaItemsOf(ctx, ids); err != nil {
			return nil, err
		}
		for _, its := range items {
			for _, it := range its {
				fileIDs = append(fileIDs, it.ResolutionFileID)
				fileIDs = append(fileIDs, it.AuxiliaryFileIDs...)
			}
		}
	}
	locs, err := r.locations(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	files, err := r.files(ctx, fileIDs)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		if m.Deleted {
			out = append(out, s.tombstone(kindMeeting, m.Meta))
			continue
		}
		j := &jsonMeeting{
			ID:               s.url(kindMeeting, m.ID),
			Type:             TypeMeeting,
			Name:             m.Name,
			MeetingState:     m.MeetingState,
			Cancelled:        boolPtr(m.Cancelled),
			Start:            s.dateTime(m.Start),
			End:              s.dateTime(m.End),
			Location:         r.location(locs[m.LocationID]),
			Organization:     s.urls(kindOrganization, m.OrganizationIDs),
			Participant:      s.urls(kindPerson, m.ParticipantIDs),
			Invitation:       r.file(files[m.InvitationFileID], embedded),
			ResultsProtocol:  r.file(files[m.ResultsProtocolFileID], embedded),
			VerbatimProtocol: r.file(files[m.VerbatimProtocolFileID], embedded),
			Mode:             m.Mode,
			Web:              s.portal + "/sitzungen/" + itoa(m.ID),
			Created:          s.dateTime(m.Created),
			Modified:         s.dateTime(m.Modified),
		}
		if !r.omitInternal {
			j.AuxiliaryFile = r.filesOf(files, m.AuxiliaryFileIDs)
			for i, it := range items[m.ID] {
				j.AgendaItem = append(j.AgendaItem, r.agendaItem(it, i, embedded, files))
			}
		}
		out = append(out, j)
	}
	return out, nil
}

// agendaItems renders agenda items standalone. Their order is the position
// among the published items of their meeting, as in Meeting.agendaItem.
func (r *renderer) agendaItems(ctx context.Context, its []*ratsnetz.AgendaItem) ([]any, error) {
	s := r.s
	var meetingIDs, fileIDs []int64
	for _, it := range its {
		if it.Deleted || it.Redacted || !it.Public {
			continue
		}
		meetingIDs = append(meetingIDs, it.MeetingID)
		fileIDs = append(fileIDs, it.ResolutionFileID)
		if !r.omitInternal {
			fileIDs = append(fileIDs, it.AuxiliaryFileIDs...)
		}
	}
	position, err := r.agendaOrder(ctx, meetingIDs)
	if err != nil {
		return nil, err
	}
	files, err := r.files(ctx, fileIDs)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(its))
	for _, it := range its {
		switch {
		case it.Deleted:
			out = append(out, s.tombstone(kindAgendaItem, it.Meta))
		case it.Redacted || !it.Public:
			// omitted: non-public items do not exist for the public
		default:
			pos, ok := position[it.ID]
			if !ok { // its meeting is not visible
				continue
			}
			out = append(out, r.agendaItem(it, pos, standalone, files))
		}
	}
	return out, nil
}

// agendaOrder maps the published agenda items of the meetings to their
// position among the published items of their meeting.
func (r *renderer) agendaOrder(ctx context.Context, meetingIDs []int64) (map[int64]int, error) {
	if ps, ok := r.s.store.(PageStore); ok {
		pos, err := ps.FindOParlAgendaOrder(ctx, uniq(meetingIDs))
		if err != nil {
			return nil, wrap(err, "find agenda order of %d meetings", len(meetingIDs))
		}
		return pos, nil
	}
	siblings, err := r.agendaItemsOf(ctx, meetingIDs)
	if err != nil {
		return nil, err
	}
	position := make(map[int64]int)
	for _, sib := range siblings {
		for i, it := range sib {
			position[it.ID] = i
		}
	}
	return position, nil
}

// papers renders papers, from stored documents where valid (docs.go).
func (r *renderer) papers(ctx context.Context, ps []*ratsnetz.Paper) ([]any, error) {
	return withDocs(ctx, r, kindPaper, ps, func(p *ratsnetz.Paper) ratsnetz.Meta { return p.Meta }, r.papersLive)
}

// papersLive renders papers from the store's rows, one value per paper.
func (r *renderer) papersLive(ctx context.Context, ps []*ratsnetz.Paper) ([]any, error) {
	s := r.s
	if rs, ok := s.store.(RowListStore); ok {
		if err := fillShallow(ctx, r, ps, func(p *ratsnetz.Paper) ratsnetz.Meta { return p.Meta }, rs.FillOParlPaperRefs); err != nil {
			return nil, err
		}
	}
	var ids, locIDs, fileIDs []int64
	for _, p := range ps {
		if p.Deleted {
			continue
		}
		ids = append(ids, p.ID)
		fileIDs = append(fileIDs, p.MainFileID)
		if !r.omitInternal {
			fileIDs = append(fileIDs, p.AuxiliaryFileIDs...)
			locIDs = append(locIDs, p.LocationIDs...)
		}
	}
	cons, err := r.consultationsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	files, err := r.files(ctx, fileIDs)
	if err != nil {
		return nil, err
	}
	locs, err := r.locations(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		if p.Deleted {
			out = append(out, s.tombstone(kindPaper, p.Meta))
			continue
		}
		j := &jsonPaper{
			ID:                     s.url(kindPaper, p.ID),
			Type:                   TypePaper,
			Body:                   s.urlOpt(kindBody, p.BodyID),
			Name:                   p.Name,
			Reference:              p.Reference,
			Date:                   date(p.Date),
			PaperType:              p.PaperType,
			RelatedPaper:           s.urls(kindPaper, p.RelatedPaperIDs),
			SuperordinatedPaper:    s.urls(kindPaper, p.SuperordinatedPaperIDs),
			SubordinatedPaper:      s.urls(kindPaper, p.SubordinatedPaperIDs),
			MainFile:               r.file(files[p.MainFileID], embedded),
			OriginatorPerson:       s.urls(kindPerson, p.OriginatorPersonIDs),
			OriginatorOrganization: s.urls(kindOrganization, p.OriginatorOrganizationIDs),
			UnderDirectionOf:       s.urls(kindOrganization, p.UnderDirectionOfIDs),
			Status:                 p.Status,
			Web:                    s.portal + "/vorlagen/" + itoa(p.ID),
			Created:                s.dateTime(p.Created),
			Modified:               s.dateTime(p.Modified),
		}
		if !r.omitInternal {
			j.AuxiliaryFile = r.filesOf(files, p.AuxiliaryFileIDs)
			for _, id := range p.LocationIDs {
				if l := locs[id]; l != nil {
					j.Location = append(j.Location, r.location(l))
				}
			}
		}
		for _, c := range cons[p.ID] {
			j.Consultation = append(j.Consultation, r.consultation(c, embedded))
		}
		out = append(out, j)
	}
	return out, nil
}

func (r *renderer) consultations(_ context.Context, cs []*ratsnetz.Consultation) ([]any, error) {
	out := make([]any, 0, len(cs))
	for _, c := range cs {
		if c.Deleted {
			out = append(out, r.s.tombstone(kindConsultation, c.Meta))
			continue
		}
		out = append(out, r.consultation(c, standalone))
	}
	return out, nil
}

func (r *renderer) fileList(_ context.Context, fs []*ratsnetz.File) ([]any, error) {
	out := make([]any, 0, len(fs))
	for _, f := range fs {
		if f.Deleted {
			out = append(out, r.s.tombstone(kindFile, f.Meta))
			continue
		}
		out = append(out, r.file(f, standalone))
	}
	return out, nil
}

func (r *renderer) locationList(ctx context.Context, ls []*ratsnetz.Location) ([]any, error) {
	s := r.s
	refs, err := r.locationRefs(ctx, ls)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(ls))
	for _, l := range ls {
		if l.Deleted {
			out = append(out, s.tombstone(kindLocation, l.Meta))
			continue
		}
		j := r.location(l)
		j.Bodies = s.urls(kindBody, refs[l.ID][kindBody])
		j.Organizations = s.urls(kindOrganization, refs[l.ID][kindOrganization])
		j.Persons = s.urls(kindPerson, refs[l.ID][kindPerson])
		j.Meetings = s.urls(kindMeeting, refs[l.ID][kindMeeting])
		j.Papers = s.urls(kindPaper, refs[l.ID][kindPaper])
		out = append(out, j)
	}
	return out, nil
}

// locationRefs returns per location the IDs of the objects naming it, keyed
// by kind (body, organization, person, meeting, paper). Without a PageStore
// only bodies, organizations and persons are found.
func (r *renderer) locationRefs(ctx context.Context, ls []*ratsnetz.Location) (map[int64]map[string][]int64, error) {
	if ps, ok := r.s.store.(PageStore); ok {
		var ids []int64
		for _, l := range ls {
			if !l.Deleted {
				ids = append(ids, l.ID)
			}
		}
		refs, err := ps.FindOParlLocationRefs(ctx, ids)
		if err != nil {
			return nil, wrap(err, "find references to %d locations", len(ids))
		}
		return refs, nil
	}
	bodies, orgs, persons, err := r.locationBackRefs(ctx, ls)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string][]int64{}
	add := func(kind string, m map[int64][]int64) {
		for l, ids := range m {
			if out[l] == nil {
				out[l] = map[string][]int64{}
			}
			out[l][kind] = ids
		}
	}
	add(kindBody, bodies)
	add(kindOrganization, orgs)
	add(kindPerson, persons)
	return out, nil
}

// locationBackRefs finds the bodies, organizations and persons at each of
// the locations by scanning those (small) tables of the locations' bodies.
func (r *renderer) locationBackRefs(ctx context.Context, ls []*ratsnetz.Location) (bodies, orgs, persons map[int64][]int64, err error) {
	bodies, orgs, persons = map[int64][]int64{}, map[int64][]int64{}, map[int64][]int64{}
	want := map[int64]bool{}
	var bodyIDs []int64
	for _, l := range ls {
		if !l.Deleted {
			want[l.ID] = true
			bodyIDs = append(bodyIDs, l.BodyID)
		}
	}
	if len(want) == 0 {
		return
	}
	bs, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Body, error) {
		v, _, err := r.s.store.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: o})
		return v, err
	})
	if err != nil {
		return nil, nil, nil, wrap(err, "find bodies")
	}
	for _, b := range bs {
		if !b.Deleted && want[b.LocationID] {
			bodies[b.LocationID] = append(bodies[b.LocationID], b.ID)
		}
	}
	for _, bodyID := range uniq(bodyIDs) {
		os, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Organization, error) {
			v, _, err := r.s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		})
		if err != nil {
			return nil, nil, nil, wrap(err, "find organizations of body %d", bodyID)
		}
		for _, o := range os {
			if !o.Deleted && want[o.LocationID] {
				orgs[o.LocationID] = append(orgs[o.LocationID], o.ID)
			}
		}
		ps, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Person, error) {
			v, _, err := r.s.store.FindPersons(ctx, ratsnetz.PersonFilter{BodyID: bodyID, ListOptions: o})
			return v, err
		})
		if err != nil {
			return nil, nil, nil, wrap(err, "find persons of body %d", bodyID)
		}
		for _, p := range ps {
			if !p.Deleted && want[p.LocationID] {
				persons[p.LocationID] = append(persons[p.LocationID], p.ID)
			}
		}
	}
	return bodies, orgs, persons, nil
}
