package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

type homeData struct {
	// Mine: the logged-in member's bodies (memberships in force today).
	Mine     []myOrg
	Meetings []meetingRow
	Papers   []paperRow
	Bodies   []bodyGroup
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := query(r); err != nil {
		s.error(w, r, err)
		return
	}
	meetings, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{
		From:        s.now(),
		ListOptions: ratsnetz.ListOptions{Limit: homeListLimit},
	})
	if err != nil {
		s.error(w, r, fmt.Errorf("find upcoming meetings: %w", err))
		return
	}
	var d homeData
	if d.Meetings, err = s.meetingRows(ctx, meetings); err != nil {
		s.error(w, r, err)
		return
	}
	papers, _, err := s.findPapersShallow(ctx, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: homeListLimit}})
	if err != nil {
		s.error(w, r, fmt.Errorf("find latest papers: %w", err))
		return
	}
	d.Papers = paperRows(s.formatter(ctx), papers)
	if d.Bodies, err = s.bodyGroups(ctx, ratsnetz.OrgTypeGremium, true); err != nil {
		s.error(w, r, err)
		return
	}
	if c := current(r); c != nil && c.Account.PersonID != 0 {
		if d.Mine, err = s.myOrgs(r, c.Account.PersonID); err != nil {
			s.error(w, r, err)
			return
		}
	}
	p := s.newPage(r, "", d)
	p.Title = p.T("home.title")
	s.render(w, r, http.StatusOK, "home", p)
}

// myOrg is a body the member sits in, with the role.
type myOrg struct {
	ID   int64
	Name string
	Role string
}

func (s *Server) myOrgs(r *http.Request, personID int64) ([]myOrg, error) {
	ctx := r.Context()
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	ms, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{PersonID: personID, ActiveAt: today, ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil {
		return nil, fmt.Errorf("find my memberships: %w", err)
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.OrganizationID)
	}
	orgs, err := s.orgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []myOrg
	for _, m := range ms {
		if o := orgs[m.OrganizationID]; o != nil {
			out = append(out, myOrg{ID: o.ID, Name: o.Name, Role: m.Role})
		}
	}
	return out, nil
}
