package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

const (
	personPageSize = 100
	// maxDirectory is the most persons the alphabetical directory holds; with
	// more, /personen pages through the store in ID order.
	maxDirectory = 20000
)

type personIndexData struct {
	Persons []link
	Pager   pager
	// Letters are the initials present, for the letter index; Letter is
	// the chosen one ("" for all).
	Letters []string
	Letter  string
}

// personDirectory is every person the public sees, in alphabetical order.
type personDirectory struct {
	loaded  time.Time
	rows    []link
	initial []string // initial letter of rows[i]
	letters []string
}

type personCache struct {
	mu  sync.Mutex
	dir *personDirectory
}

// sortKey folds a name for German alphabetical order (DIN 5007-1: ä = a).
func sortKey(p *ratsnetz.Person) string {
	return strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss").Replace(strings.ToLower(sortName(p)))
}

func initial(key string) string {
	if key != "" && key[0] >= 'a' && key[0] <= 'z' {
		return strings.ToUpper(key[:1])
	}
	return "#"
}

// personDirectory returns the alphabetical directory for the public viewer,
// rebuilt when older than refTTL; nil for other viewers or too many persons.
func (s *Server) personDirectory(ctx context.Context) (*personDirectory, error) {
	if !ratsnetz.ViewerFromContext(ctx).IsPublic() {
		return nil, nil
	}
	s.persons.mu.Lock()
	defer s.persons.mu.Unlock()
	now := s.now()
	if d := s.persons.dir; d != nil && now.Sub(d.loaded) < refTTL && !now.Before(d.loaded) {
		return d, nil
	}
	pub := ratsnetz.NewContextWithViewer(context.WithoutCancel(ctx), ratsnetz.Viewer{})
	var all []*ratsnetz.Person
	for offset := 0; ; offset += batchSize {
		list, _, err := s.store.FindPersons(pub, ratsnetz.PersonFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize, Offset: offset}})
		if err != nil {
			return nil, fmt.Errorf("find persons: %w", err)
		}
		all = append(all, list...)
		if len(list) < batchSize {
			break
		}
		if len(all) >= maxDirectory {
			return nil, nil
		}
	}
	keys := make(map[*ratsnetz.Person]string, len(all))
	for _, p := range all {
		keys[p] = sortKey(p)
	}
	slices.SortStableFunc(all, func(a, b *ratsnetz.Person) int { return strings.Compare(keys[a], keys[b]) })
	d := &personDirectory{loaded: now, rows: make([]link, len(all)), initial: make([]string, len(all))}
	for i, p := range all {
		d.rows[i] = link{ID: p.ID, Name: p.Name}
		d.initial[i] = initial(keys[p])
		if len(d.letters) == 0 || d.letters[len(d.letters)-1] != d.initial[i] {
			d.letters = append(d.letters, d.initial[i])
		}
	}
	s.persons.dir = d
	return d, nil
}

func (s *Server) handlePersonIndex(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
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
	d.Letter = strings.TrimSpace(q.Get("buchstabe"))
	if d.Letter != "" && !(len(d.Letter) == 1 && (d.Letter[0] >= 'A' && d.Letter[0] <= 'Z' || d.Letter == "#")) {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter"))
		return
	}
	dir, err := s.personDirectory(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if dir != nil {
		d.Letters = dir.letters
		var rows []link
		for i, row := range dir.rows {
			if d.Letter == "" || dir.initial[i] == d.Letter {
				rows = append(rows, row)
			}
		}
		start := min((d.Pager.Page-1)*personPageSize, len(rows))
		d.Persons = trim(&d.Pager, rows[start:min(start+personPageSize+1, len(rows))], personPageSize)
	} else {
		persons, _, err := s.store.FindPersons(ctx, ratsnetz.PersonFilter{ListOptions: d.Pager.options(personPageSize)})
		if err != nil {
			s.error(w, r, fmt.Errorf("find persons: %w", err))
			return
		}
		persons = trim(&d.Pager, persons, personPageSize)
		slices.SortStableFunc(persons, func(a, b *ratsnetz.Person) int { return strings.Compare(sortKey(a), sortKey(b)) })
		for _, p := range persons {
			d.Persons = append(d.Persons, link{ID: p.ID, Name: p.Name})
		}
	}
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
