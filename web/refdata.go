package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// refTTL is how long the reference data (bodies and organizations) is
// reused. They change rarely; a minute of delay for a renamed committee is
// acceptable, and it saves one to three queries on every list page.
const refTTL = time.Minute

// refData is a snapshot of what the public sees of all bodies and
// organizations (and locations, when they are few). It is shared between requests and must not be modified.
type refData struct {
	loaded     time.Time
	bodies     []*ratsnetz.Body
	orgs       []*ratsnetz.Organization
	orgByID    map[int64]*ratsnetz.Organization
	committees []*ratsnetz.Organization // Gremien, sorted by name
	// locByID holds all locations when there are few (meeting rooms); nil
	// when there are too many to hold.
	locByID map[int64]*ratsnetz.Location
}

// refCache holds the current snapshot.
type refCache struct {
	mu   sync.Mutex
	data *refData
}

// refData returns the snapshot for the public viewer, loading it when it is
// missing or older than refTTL. For any other viewer, or when there are more
// organizations than one list call returns, it returns nil and callers query
// the store: what a logged-in viewer may see must never come from (or go
// into) a cache shared with the public.
func (s *Server) refData(ctx context.Context) (*refData, error) {
	if !ratsnetz.ViewerFromContext(ctx).IsPublic() {
		return nil, nil
	}
	s.ref.mu.Lock()
	defer s.ref.mu.Unlock()
	now := s.now()
	if d := s.ref.data; d != nil && now.Sub(d.loaded) < refTTL && !now.Before(d.loaded) {
		return d, nil
	}
	// Loaded as the anonymous public whatever else the context carries, and
	// not cancelled with the request that happens to trigger it.
	pub := ratsnetz.NewContextWithViewer(context.WithoutCancel(ctx), ratsnetz.Viewer{})
	bodies, _, err := s.store.FindBodies(pub, ratsnetz.BodyFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize}})
	if err != nil {
		return nil, fmt.Errorf("find bodies: %w", err)
	}
	orgs, _, err := s.store.FindOrganizations(pub, ratsnetz.OrganizationFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize}})
	if err != nil {
		return nil, fmt.Errorf("find organizations: %w", err)
	}
	if len(orgs) >= batchSize || len(bodies) >= batchSize {
		return nil, nil // too many to hold; query each time
	}
	locs, _, err := s.store.FindLocations(pub, ratsnetz.LocationFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize}})
	if err != nil {
		return nil, fmt.Errorf("find locations: %w", err)
	}
	d := &refData{loaded: now, bodies: bodies, orgs: orgs, orgByID: make(map[int64]*ratsnetz.Organization, len(orgs))}
	if len(locs) < batchSize {
		d.locByID = make(map[int64]*ratsnetz.Location, len(locs))
		for _, l := range locs {
			d.locByID[l.ID] = l
		}
	}
	for _, o := range orgs {
		d.orgByID[o.ID] = o
		if o.OrganizationType == ratsnetz.OrgTypeGremium {
			d.committees = append(d.committees, o)
		}
	}
	slices.SortFunc(d.committees, func(a, b *ratsnetz.Organization) int { return strings.Compare(a.Name, b.Name) })
	s.ref.data = d
	return d, nil
}

// committees returns the organizations that hold meetings (Gremien), sorted
// by name, for filter choices.
func (s *Server) committees(ctx context.Context) ([]*ratsnetz.Organization, error) {
	if d, err := s.refData(ctx); err != nil || d != nil {
		if d == nil {
			return nil, err
		}
		return d.committees, nil
	}
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{
		OrganizationType: ratsnetz.OrgTypeGremium,
		ListOptions:      ratsnetz.ListOptions{Limit: batchSize},
	})
	if err != nil {
		return nil, fmt.Errorf("find committees: %w", err)
	}
	slices.SortFunc(orgs, func(a, b *ratsnetz.Organization) int { return strings.Compare(a.Name, b.Name) })
	return orgs, nil
}

// checkOrgFilter answers a filter on an organization that does not exist
// (for the viewer) as a bad request.
func (s *Server) checkOrgFilter(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	if d, err := s.refData(ctx); err != nil {
		return err
	} else if d != nil {
		if _, ok := d.orgByID[id]; !ok {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
		}
		return nil
	}
	_, err := s.store.FindOrganizationByID(ctx, id)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
	}
	return err
}

// bodyGroups returns the bodies with their organizations (of orgType, all
// when empty; only those existing now when current), grouped by type.
func (s *Server) bodyGroups(ctx context.Context, orgType string, current bool) ([]bodyGroup, error) {
	d, err := s.refData(ctx)
	if err != nil {
		return nil, err
	}
	var bodies []*ratsnetz.Body
	var orgs []*ratsnetz.Organization
	if d != nil {
		bodies, orgs = d.bodies, d.orgs
	} else {
		if bodies, _, err = s.store.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize}}); err != nil {
			return nil, fmt.Errorf("find bodies: %w", err)
		}
		if orgs, _, err = s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{ListOptions: ratsnetz.ListOptions{Limit: batchSize}}); err != nil {
			return nil, fmt.Errorf("find organizations: %w", err)
		}
	}
	now := s.now()
	orgs = slices.DeleteFunc(slices.Clone(orgs), func(o *ratsnetz.Organization) bool {
		return orgType != "" && o.OrganizationType != orgType ||
			current && !o.EndDate.IsZero() && o.EndDate.Add(24*time.Hour).Before(now)
	})
	return groupByBody(bodies, orgs), nil
}
