package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// meetingRows loads the organizations and locations of meetings in one query
// each.
func (s *Server) meetingRows(ctx context.Context, meetings []*ratsnetz.Meeting) ([]meetingRow, error) {
	var orgIDs, locIDs []int64
	for _, m := range meetings {
		orgIDs = append(orgIDs, m.OrganizationIDs...)
		locIDs = append(locIDs, m.LocationID)
	}
	orgs, err := s.orgsByID(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	locs, err := s.locationsByID(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	f := s.formatter(ctx)
	rows := make([]meetingRow, len(meetings))
	for i, m := range meetings {
		rows[i] = meetingRow{ID: m.ID, Name: m.Name, State: m.MeetingState, Cancelled: m.Cancelled, NonPublic: !m.Public,
			Orgs: orgLinks(pick(orgs, m.OrganizationIDs)), When: f.DateTime(m.Start), WhenISO: f.ISO(m.Start),
			Place: placeText(locs[m.LocationID])}
	}
	return rows, nil
}

type meetingIndexData struct {
	Rows       []meetingRow
	Committees []option
	OrgID      int64
	From       string
	Until      string
	Pager      pager
	// Upcoming: no dates given, the list starts today; PastUntil is the day
	// before, for the link to past meetings.
	Upcoming  bool
	PastUntil string
}

func (s *Server) handleMeetingIndex(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var d meetingIndexData
	var f ratsnetz.MeetingFilter
	if d.OrgID, err = queryID(q, "gremium"); err != nil {
		s.error(w, r, err)
		return
	}
	if f.From, err = queryDate(q, "von", s.loc); err != nil {
		s.error(w, r, err)
		return
	}
	until, err := queryDate(q, "bis", s.loc)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !until.IsZero() {
		f.Until = until.AddDate(0, 0, 1) // "bis" includes that day
	}
	// Without dates the list shows what is coming, from today on; with only
	// "bis" it looks back, newest first; otherwise it runs forward.
	switch {
	case f.From.IsZero() && f.Until.IsZero():
		d.Upcoming = true
		now := s.now().In(s.loc)
		f.From = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
		d.PastUntil = f.From.AddDate(0, 0, -1).Format("2006-01-02")
	case f.From.IsZero():
		f.Descending = true
	}
	if d.Pager.Page, err = queryPage(q); err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.checkOrgFilter(ctx, d.OrgID); err != nil {
		s.error(w, r, err)
		return
	}
	f.OrganizationID = d.OrgID
	f.ListOptions = d.Pager.options(listPageSize)
	meetings, _, err := s.store.FindMeetings(ctx, f)
	if err != nil {
		s.error(w, r, fmt.Errorf("find meetings: %w", err))
		return
	}
	meetings = trim(&d.Pager, meetings, listPageSize)
	if d.Rows, err = s.meetingRows(ctx, meetings); err != nil {
		s.error(w, r, err)
		return
	}
	committees, err := s.committees(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Committees = orgOptions(committees, d.OrgID)
	if !f.From.IsZero() && !d.Upcoming {
		d.From = f.From.Format("2006-01-02")
	}
	if !until.IsZero() {
		d.Until = until.Format("2006-01-02")
	}
	p := s.newPage(r, "", d)
	p.Title = p.T("meetings.title")
	s.render(w, r, http.StatusOK, "meetings", p)
}

type meetingViewData struct {
	Meeting   *ratsnetz.Meeting
	Orgs      []link
	Place     string
	Public    []agendaRow
	NonPublic []agendaRow
	Files     []fileRow
	// Confidential: a board under company-law confidentiality.
	Confidential bool
}

func (s *Server) loadMeetingView(ctx context.Context, id int64) (*meetingViewData, error) {
	mp, err := s.loadMeetingParts(ctx, id) // web/pagestore.go
	if err != nil {
		return nil, err
	}
	m, items, papers := mp.meeting, mp.items, mp.papers
	orgs, err := s.orgsByID(ctx, m.OrganizationIDs)
	if err != nil {
		return nil, err
	}
	locs, err := s.locationsByID(ctx, []int64{m.LocationID})
	if err != nil {
		return nil, err
	}
	files := mp.files
	d := &meetingViewData{Meeting: m, Orgs: orgLinks(pick(orgs, m.OrganizationIDs)), Place: placeText(locs[m.LocationID]),
		Confidential: confidential(pick(orgs, m.OrganizationIDs))}
	for _, it := range items {
		var p *ratsnetz.Paper
		if !it.Redacted {
			p = papers[it.PaperID]
		}
		row := newAgendaRow(it, p)
		if it.Public && !it.Redacted {
			d.Public = append(d.Public, row)
		} else {
			d.NonPublic = append(d.NonPublic, row)
		}
	}
	d.Files = labelledFiles(files, []labelledID{
		{"file.invitation", []int64{m.InvitationFileID}},
		{"file.resultsProtocol", []int64{m.ResultsProtocolFileID}},
		{"file.verbatimProtocol", []int64{m.VerbatimProtocolFileID}},
		{"file.auxiliary", m.AuxiliaryFileIDs},
	})
	return d, nil
}

type labelledID struct {
	label string
	ids   []int64
}

// labelledFiles lists the visible files of each role in order, each once.
func labelledFiles(files map[int64]*ratsnetz.File, groups []labelledID) []fileRow {
	var out []fileRow
	seen := make(map[int64]bool)
	for _, g := range groups {
		for _, id := range g.ids {
			if f, ok := files[id]; ok && !seen[id] {
				seen[id] = true
				name := f.Name
				if name == "" {
					name = f.FileName
				}
				out = append(out, fileRow{ID: f.ID, Name: name, Label: g.label, Size: f.Size, NonPublic: !f.Public})
			}
		}
	}
	return out
}

func (s *Server) handleMeetingView(w http.ResponseWriter, r *http.Request) {
	s.meetingView(w, r, false)
}

func (s *Server) handleMeetingPrint(w http.ResponseWriter, r *http.Request) {
	s.meetingView(w, r, true)
}

func (s *Server) meetingView(w http.ResponseWriter, r *http.Request, print bool) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, err := s.loadMeetingView(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !d.Meeting.Public {
		s.recordAccess(r, "meeting", d.Meeting.ID, r.URL.Path)
	} else {
		for _, it := range d.NonPublic {
			if !it.Redacted {
				s.recordAccess(r, "meeting", d.Meeting.ID, r.URL.Path+" (nichtöffentlicher Teil)")
				break
			}
		}
	}
	p := s.newPage(r, d.Meeting.Name, d)
	p.Print = print
	s.render(w, r, http.StatusOK, "meeting", p)
}

type agendaItemViewData struct {
	Meeting *ratsnetz.Meeting
	Orgs    []link
	Item    *ratsnetz.AgendaItem
	Paper   *ratsnetz.Paper
	Files   []fileRow
	// Confidential: a board under company-law confidentiality.
	Confidential bool
}

func (s *Server) handleAgendaItemView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	meetingID, err := pathID(r, "meetingID")
	if err != nil {
		s.error(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	it, err := s.store.FindAgendaItemByID(ctx, id)
	if err == nil && it.Deleted {
		err = errDeleted
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("find agenda item %d: %w", id, err))
		return
	}
	if it.MeetingID != meetingID || it.Redacted {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "agenda item not found"))
		return
	}
	if !it.Public {
		s.recordAccess(r, "agenda_item", it.ID, r.URL.Path)
	}
	m, err := s.store.FindMeetingByID(ctx, meetingID)
	if err == nil && m.Deleted {
		err = errDeleted
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("find meeting %d: %w", meetingID, err))
		return
	}
	orgs, err := s.orgsByID(ctx, m.OrganizationIDs)
	if err != nil {
		s.error(w, r, err)
		return
	}
	papers, err := s.papersByID(ctx, []int64{it.PaperID})
	if err != nil {
		s.error(w, r, err)
		return
	}
	files, err := s.filesByID(ctx, append([]int64{it.ResolutionFileID}, it.AuxiliaryFileIDs...))
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := agendaItemViewData{
		Meeting:      m,
		Orgs:         orgLinks(pick(orgs, m.OrganizationIDs)),
		Confidential: confidential(pick(orgs, m.OrganizationIDs)),
		Item:         it,
		Paper:        papers[it.PaperID],
		Files: labelledFiles(files, []labelledID{
			{"file.resolution", []int64{it.ResolutionFileID}},
			{"file.auxiliary", it.AuxiliaryFileIDs},
		}),
	}
	title := it.Number
	if it.Name != "" {
		title = strings.TrimSpace(it.Number + " " + it.Name)
	}
	p := s.newPage(r, title, d)
	s.render(w, r, http.StatusOK, "agendaitem", p)
}
