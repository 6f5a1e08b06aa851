package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

const personPageSize = 100

type personIndexData struct {
	Persons []*ratsnetz.Person
	Pager   pager
}

func (s *Server) handlePersonIndex(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var d personIndexData
	if d.Pager.Page, err = queryPage(q); err != nil {
		s.error(w, r, err)
		return
	}
	persons, _, err := s.store.FindPersons(r.Context(), ratsnetz.PersonFilter{ListOptions: d.Pager.options(personPageSize)})
	if err != nil {
		s.error(w, r, fmt.Errorf("find persons: %w", err))
		return
	}
	d.Persons = trim(&d.Pager, persons, personPageSize)
	slices.SortStableFunc(d.Persons, func(a, b *ratsnetz.Person) int { return strings.Compare(sortName(a), sortName(b)) })
	p := s.newPage(r, "", d)
	p.Title = p.T("persons.title")
	s.render(w, r, http.StatusOK, "persons", p)
}

// personMembership is a membership with its organization and faction.
type personMembership struct {
	Membership   *ratsnetz.Membership
	Organization *ratsnetz.Organization
	Faction      *ratsnetz.Organization
}

type personViewData struct {
	Person  *ratsnetz.Person
	Current []personMembership
	Past    []personMembership
}

func (s *Server) handlePersonView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	person, err := s.store.FindPersonByID(ctx, id)
	if err == nil && person.Deleted {
		err = errDeleted
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("find person %d: %w", id, err))
		return
	}
	ms, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{PersonID: person.ID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		s.error(w, r, fmt.Errorf("find memberships of person %d: %w", id, err))
		return
	}
	var orgIDs []int64
	for _, m := range ms {
		orgIDs = append(orgIDs, m.OrganizationID, m.OnBehalfOfID)
	}
	orgs, err := s.orgsByID(ctx, orgIDs)
	if err != nil {
		s.error(w, r, err)
		return
	}
	now := s.now()
	d := personViewData{Person: person}
	for _, m := range ms {
		org, ok := orgs[m.OrganizationID]
		if !ok {
			continue
		}
		pm := personMembership{Membership: m, Organization: org, Faction: orgs[m.OnBehalfOfID]}
		if m.ActiveAt(now) {
			d.Current = append(d.Current, pm)
		} else if !m.StartDate.After(now) {
			d.Past = append(d.Past, pm)
		}
	}
	slices.SortStableFunc(d.Current, func(a, b personMembership) int { return strings.Compare(a.Organization.Name, b.Organization.Name) })
	slices.SortStableFunc(d.Past, func(a, b personMembership) int { return b.Membership.EndDate.Compare(a.Membership.EndDate) })
	p := s.newPage(r, person.Name, d)
	s.render(w, r, http.StatusOK, "person", p)
}
