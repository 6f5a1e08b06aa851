package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// paperTypes and paperStatuses are the filter choices of the paper list.
var (
	paperTypes = []string{
		ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeAmendment,
		ratsnetz.PaperTypeQuestion, ratsnetz.PaperTypeAnswer, ratsnetz.PaperTypeNotice,
		ratsnetz.PaperTypeSupplement, ratsnetz.PaperTypeReport, ratsnetz.PaperTypeBoardTemplate,
	}
	paperStatuses = []string{
		ratsnetz.PaperStatusDraft, ratsnetz.PaperStatusInProgress, ratsnetz.PaperStatusDecided,
		ratsnetz.PaperStatusRejected, ratsnetz.PaperStatusNoted, ratsnetz.PaperStatusAnswered,
		ratsnetz.PaperStatusWithdrawn, ratsnetz.PaperStatusDone,
	}
)

type paperIndexData struct {
	Papers     []paperRow
	Committees []option
	Types      []option
	Statuses   []option
	Type       string
	Status     string
	OrgID      int64
	Year       string
	Text       string
	Pager      pager
}

// parsePaperFilter reads the paper list's filters; unknown values are bad
// requests.
func parsePaperFilter(r *http.Request, d *paperIndexData) (ratsnetz.PaperFilter, error) {
	f := ratsnetz.PaperFilter{Newest: true}
	q, err := query(r)
	if err != nil {
		return f, err
	}
	if d.Type, err = queryChoice(q, "art", paperTypes); err != nil {
		return f, err
	}
	if d.Status, err = queryChoice(q, "status", paperStatuses); err != nil {
		return f, err
	}
	if d.OrgID, err = queryID(q, "gremium"); err != nil {
		return f, err
	}
	if y := strings.TrimSpace(q.Get("jahr")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			return f, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badYear")
		}
		f.Year, d.Year = n, y
	}
	d.Text = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(d.Text) > maxQueryText {
		return f, ratsnetz.Errorf(ratsnetz.EINVALID, "err.queryTooLong")
	}
	if d.Pager.Page, err = queryPage(q); err != nil {
		return f, err
	}
	f.PaperType, f.Status, f.OrganizationID, f.Text = d.Type, d.Status, d.OrgID, d.Text
	f.ListOptions = d.Pager.options(listPageSize)
	return f, nil
}

func (s *Server) handlePaperIndex(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d paperIndexData
	f, err := parsePaperFilter(r, &d)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Types, d.Statuses = stringOptions(paperTypes, d.Type), stringOptions(paperStatuses, d.Status)
	if err := s.checkOrgFilter(ctx, d.OrgID); err != nil {
		s.error(w, r, err)
		return
	}
	papers, _, err := s.findPapersShallow(ctx, f)
	if err != nil {
		s.error(w, r, fmt.Errorf("find papers: %w", err))
		return
	}
	d.Papers = paperRows(s.formatter(ctx), trim(&d.Pager, papers, listPageSize))
	committees, err := s.committees(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Committees = orgOptions(committees, d.OrgID)
	p := s.newPage(r, "", d)
	p.Title = p.T("papers.title")
	p.Query = d.Text
	s.render(w, r, http.StatusOK, "papers", p)
}

// handleSearch is the header search: for now a search in paper titles and
// references, which the paper list does.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	text := strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(text) > maxQueryText {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "err.queryTooLong"))
		return
	}
	target := "/vorlagen"
	if text != "" {
		target += "?q=" + url.QueryEscape(text)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

type consultationRow struct {
	Consultation *ratsnetz.Consultation
	Orgs         []link
	Meeting      *ratsnetz.Meeting
	AgendaItem   *ratsnetz.AgendaItem
}

type paperViewData struct {
	Paper             *ratsnetz.Paper
	UnderDirection    []link
	Responsible       *ratsnetz.Person
	OriginatorPersons []*ratsnetz.Person
	OriginatorOrgs    []link
	Consultations     []consultationRow
	Files             []fileRow
	Related           []*ratsnetz.Paper
	Superordinated    []*ratsnetz.Paper
	Subordinated      []*ratsnetz.Paper
}

func (s *Server) loadPaperView(ctx context.Context, id int64) (*paperViewData, error) {
	pp, err := s.loadPaperParts(ctx, id) // web/pagestore.go
	if err != nil {
		return nil, err
	}
	p, cons, meetings, items, files, related := pp.paper, pp.cons, pp.meetings, pp.items, pp.files, pp.related
	orgIDs := append(append([]int64{}, p.UnderDirectionOfIDs...), p.OriginatorOrganizationIDs...)
	for _, c := range cons {
		orgIDs = append(orgIDs, c.OrganizationIDs...)
	}
	orgs, err := s.orgsByID(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	persons, err := s.personsByID(ctx, append([]int64{p.ResponsiblePersonID}, p.OriginatorPersonIDs...))
	if err != nil {
		return nil, err
	}
	d := &paperViewData{
		Paper:             p,
		UnderDirection:    orgLinks(pick(orgs, p.UnderDirectionOfIDs)),
		Responsible:       persons[p.ResponsiblePersonID],
		OriginatorPersons: pick(persons, p.OriginatorPersonIDs),
		OriginatorOrgs:    orgLinks(pick(orgs, p.OriginatorOrganizationIDs)),
		Files: labelledFiles(files, []labelledID{
			{"file.main", []int64{p.MainFileID}},
			{"file.attachment", p.AuxiliaryFileIDs},
		}),
		Related:        pick(related, p.RelatedPaperIDs),
		Superordinated: pick(related, p.SuperordinatedPaperIDs),
		Subordinated:   pick(related, p.SubordinatedPaperIDs),
	}
	for _, c := range cons {
		row := consultationRow{Consultation: c, Orgs: orgLinks(pick(orgs, c.OrganizationIDs)), Meeting: meetings[c.MeetingID]}
		// Link the agenda item only when both it and its meeting are visible.
		if it, ok := items[c.AgendaItemID]; ok && row.Meeting != nil && it.MeetingID == row.Meeting.ID {
			row.AgendaItem = it
		}
		d.Consultations = append(d.Consultations, row)
	}
	return d, nil
}

func (s *Server) handlePaperView(w http.ResponseWriter, r *http.Request) {
	s.paperView(w, r, false)
}

func (s *Server) handlePaperPrint(w http.ResponseWriter, r *http.Request) {
	s.paperView(w, r, true)
}

func (s *Server) paperView(w http.ResponseWriter, r *http.Request, print bool) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, err := s.loadPaperView(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !d.Paper.Public {
		s.recordAccess(r, "paper", d.Paper.ID, r.URL.Path)
	}
	s.markOpened(r, ratsnetz.ReadKindPaper, d.Paper.ID) // read mark of the member area (web/feeds.go)
	p := s.newPage(r, d.Paper.Name, d)
	p.Print = print
	s.render(w, r, http.StatusOK, "paper", p)
}
