package web

import (
	"fmt"
	"net/http"

	"github.com/ratsnetz/ratsnetz"
)

type homeData struct {
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
	papers, _, err := s.store.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: homeListLimit}})
	if err != nil {
		s.error(w, r, fmt.Errorf("find latest papers: %w", err))
		return
	}
	d.Papers = paperRows(s.formatter(ctx), papers)
	if d.Bodies, err = s.bodyGroups(ctx, ratsnetz.OrgTypeGremium, true); err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newPage(r, "", d)
	p.Title = p.T("home.title")
	s.render(w, r, http.StatusOK, "home", p)
}
