package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// orgTypeOrder is the order of organization types on the overview.
var orgTypeOrder = []string{
	ratsnetz.OrgTypeGremium, ratsnetz.OrgTypeFraktion, ratsnetz.OrgTypePartei,
	ratsnetz.OrgTypeVerwaltungsbereich, ratsnetz.OrgTypeExternesGremium,
	ratsnetz.OrgTypeInstitution, ratsnetz.OrgTypeSonstiges,
}

type typeGroup struct {
	Type string
	Orgs []orgItem
}

// orgItem is an organization in an overview list.
type orgItem struct {
	ID    int64
	Name  string
	Ended time.Time // EndDate, zero while it exists
}

func orgItems(orgs []*ratsnetz.Organization) []orgItem {
	out := make([]orgItem, len(orgs))
	for i, o := range orgs {
		out[i] = orgItem{ID: o.ID, Name: o.Name, Ended: o.EndDate}
	}
	return out
}

type bodyGroup struct {
	Body  *ratsnetz.Body
	Types []typeGroup
}

// groupByBody sorts bodies (the municipality first, then companies by name)
// and groups orgs by body and type. Orgs of unknown bodies are dropped.
func groupByBody(bodies []*ratsnetz.Body, orgs []*ratsnetz.Organization) []bodyGroup {
	bodies = slices.Clone(bodies)
	slices.SortStableFunc(bodies, func(a, b *ratsnetz.Body) int {
		ak, bk := a.Kind == ratsnetz.BodyKindMunicipality, b.Kind == ratsnetz.BodyKindMunicipality
		if ak != bk {
			if ak {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	orgs = slices.Clone(orgs)
	slices.SortStableFunc(orgs, func(a, b *ratsnetz.Organization) int { return strings.Compare(a.Name, b.Name) })
	byBody := make(map[int64]map[string][]*ratsnetz.Organization)
	for _, o := range orgs {
		if byBody[o.BodyID] == nil {
			byBody[o.BodyID] = make(map[string][]*ratsnetz.Organization)
		}
		byBody[o.BodyID][o.OrganizationType] = append(byBody[o.BodyID][o.OrganizationType], o)
	}
	var out []bodyGroup
	for _, b := range bodies {
		g := bodyGroup{Body: b}
		types := byBody[b.ID]
		for _, t := range orgTypeOrder {
			if len(types[t]) > 0 {
				g.Types = append(g.Types, typeGroup{Type: t, Orgs: orgItems(types[t])})
				delete(types, t)
			}
		}
		var rest []string
		for t := range types {
			rest = append(rest, t)
		}
		slices.Sort(rest)
		for _, t := range rest {
			g.Types = append(g.Types, typeGroup{Type: t, Orgs: orgItems(types[t])})
		}
		out = append(out, g)
	}
	return out
}

func (s *Server) handleOrganizationIndex(w http.ResponseWriter, r *http.Request) {
	if _, err := query(r); err != nil {
		s.error(w, r, err)
		return
	}
	groups, err := s.bodyGroups(r.Context(), "", false)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newPage(r, "", groups)
	p.Title = p.T("orgs.title")
	s.render(w, r, http.StatusOK, "organizations", p)
}

// memberRow is a membership with its person and faction.
type memberRow struct {
	Membership *ratsnetz.Membership
	Person     *ratsnetz.Person
	Faction    *ratsnetz.Organization
}

// memberGroup is the members of one faction (Faction nil: without faction).
type memberGroup struct {
	Faction *ratsnetz.Organization
	Members []memberRow
}

type orgViewData struct {
	Org      *ratsnetz.Organization
	Body     *ratsnetz.Body
	Parent   *ratsnetz.Organization
	Groups   []memberGroup
	Deputies []memberRow
	Meetings []meetingRow
}

// roleRank orders members: chair first, deputies last.
func roleRank(role string) int {
	switch role {
	case ratsnetz.RoleChair:
		return 0
	case ratsnetz.RoleViceChair:
		return 1
	case ratsnetz.RoleFactionChair:
		return 2
	case ratsnetz.RoleMember:
		return 3
	case ratsnetz.RoleCitizen:
		return 4
	case ratsnetz.RoleAdvisory:
		return 5
	case ratsnetz.RoleDeputy:
		return 7
	}
	return 6
}

func compareMembers(a, b memberRow) int {
	if d := roleRank(a.Membership.Role) - roleRank(b.Membership.Role); d != 0 {
		return d
	}
	return strings.Compare(sortName(a.Person), sortName(b.Person))
}

func sortName(p *ratsnetz.Person) string {
	if p.FamilyName != "" {
		return p.FamilyName + " " + p.GivenName
	}
	return p.Name
}

func (s *Server) handleOrganizationView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	org, err := s.store.FindOrganizationByID(ctx, id)
	if err == nil && org.Deleted {
		err = errDeleted
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("find organization %d: %w", id, err))
		return
	}
	ms, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{
		OrganizationID: org.ID,
		ActiveAt:       s.now(),
		ListOptions:    ratsnetz.ListOptions{Limit: 1000},
	})
	if err != nil {
		s.error(w, r, fmt.Errorf("find memberships of organization %d: %w", id, err))
		return
	}
	var personIDs, orgIDs []int64
	orgIDs = append(orgIDs, org.SubOrganizationOfID)
	for _, m := range ms {
		personIDs = append(personIDs, m.PersonID)
		orgIDs = append(orgIDs, m.OnBehalfOfID)
	}
	persons, err := s.personsByID(ctx, personIDs)
	if err != nil {
		s.error(w, r, err)
		return
	}
	orgs, err := s.orgsByID(ctx, orgIDs)
	if err != nil {
		s.error(w, r, err)
		return
	}
	body, err := s.store.FindBodyByID(ctx, org.BodyID)
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		s.error(w, r, fmt.Errorf("find body %d: %w", org.BodyID, err))
		return
	}
	meetings, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{
		OrganizationID: org.ID,
		Descending:     true,
		ListOptions:    ratsnetz.ListOptions{Limit: 20},
	})
	if err != nil {
		s.error(w, r, fmt.Errorf("find meetings of organization %d: %w", id, err))
		return
	}
	d := orgViewData{Org: org, Body: body, Parent: orgs[org.SubOrganizationOfID]}
	if d.Meetings, err = s.meetingRows(ctx, meetings); err != nil {
		s.error(w, r, err)
		return
	}
	groups := make(map[int64]*memberGroup)
	var order []int64
	for _, m := range ms {
		p, ok := persons[m.PersonID]
		if !ok {
			continue
		}
		row := memberRow{Membership: m, Person: p, Faction: orgs[m.OnBehalfOfID]}
		if m.Role == ratsnetz.RoleDeputy {
			d.Deputies = append(d.Deputies, row)
			continue
		}
		key := int64(0)
		if row.Faction != nil {
			key = row.Faction.ID
		}
		g, ok := groups[key]
		if !ok {
			g = &memberGroup{Faction: row.Faction}
			groups[key] = g
			order = append(order, key)
		}
		g.Members = append(g.Members, row)
	}
	for _, key := range order {
		g := groups[key]
		slices.SortStableFunc(g.Members, compareMembers)
		d.Groups = append(d.Groups, *g)
	}
	// Largest faction first, members without faction last.
	slices.SortStableFunc(d.Groups, func(a, b memberGroup) int {
		if (a.Faction == nil) != (b.Faction == nil) {
			if a.Faction == nil {
				return 1
			}
			return -1
		}
		if n := len(b.Members) - len(a.Members); n != 0 {
			return n
		}
		if a.Faction != nil {
			return strings.Compare(a.Faction.Name, b.Faction.Name)
		}
		return 0
	})
	slices.SortStableFunc(d.Deputies, compareMembers)
	p := s.newPage(r, org.Name, d)
	s.render(w, r, http.StatusOK, "organization", p)
}
