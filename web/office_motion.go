package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// Motions: members and faction staff submit at /mein/antraege, the council
// office decides at /sitzungsdienst/antraege.

type officeMotionRow struct {
	ID          int64
	Kind        string
	Title       string
	Text        string
	Reasoning   string
	Org         string
	Faction     string
	Received    string
	ReceivedISO string
	State       string
	Reason      string
	PaperID     int64
	Reference   string
}

func (s *Server) motionRow(ctx context.Context, m *ratsnetz.Motion) officeMotionRow {
	f := s.formatter(ctx)
	row := officeMotionRow{ID: m.ID, Kind: m.Kind, Title: m.Title, Text: m.Text, Reasoning: m.Reasoning, Received: f.DateTime(m.Received),
		ReceivedISO: f.ISO(m.Received), State: m.State, Reason: m.Reason, PaperID: m.PaperID, Reference: m.Reference}
	if o, err := s.store.FindOrganizationByID(ctx, m.OrganizationID); err == nil {
		row.Org = o.Name
	}
	if m.FactionID != 0 {
		if o, err := s.store.FindOrganizationByID(ctx, m.FactionID); err == nil {
			row.Faction = o.Name
		}
	}
	return row
}

type myMotionsData struct {
	Motions  []officeMotionRow
	Orgs     []option
	Factions []option
	Kinds    []option
	Title    string
	Text     string
	Reason   string
	Error    string
	Receipt  *officeMotionRow
}

func (s *Server) handleMyMotions(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.renderMyMotions(w, r, http.StatusOK, myMotionsData{}, 0, 0, "")
}

func (s *Server) renderMyMotions(w http.ResponseWriter, r *http.Request, status int, d myMotionsData, org, faction int64, kind string) {
	ctx := r.Context()
	ms, _, err := s.office.Office.FindMotions(ctx, ratsnetz.MotionFilter{Mine: true, ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	for _, m := range ms {
		d.Motions = append(d.Motions, s.motionRow(ctx, m))
	}
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{ActiveAt: s.now(), ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Factions = []option{{Value: "", Label: s.formatter(ctx).T("office.my.ownName")}}
	for _, o := range orgs {
		v := strconv.FormatInt(o.ID, 10)
		switch o.OrganizationType {
		case ratsnetz.OrgTypeGremium:
			d.Orgs = append(d.Orgs, option{Value: v, Label: o.Name, Selected: o.ID == org})
		case ratsnetz.OrgTypeFraktion:
			d.Factions = append(d.Factions, option{Value: v, Label: o.Name, Selected: o.ID == faction})
		}
	}
	d.Kinds = stringOptions([]string{ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion}, kind)
	s.renderForm(w, r, status, "office_mymotions", s.formatter(ctx).T("office.my.title"), d)
}

func (s *Server) handleMotionSubmit(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	m := &ratsnetz.Motion{Kind: r.PostFormValue("art"), OrganizationID: formInt(r, "gremium"), FactionID: formInt(r, "fraktion"),
		Title: r.PostFormValue("betreff"), Text: r.PostFormValue("text"), Reasoning: r.PostFormValue("begruendung")}
	if err := s.office.Office.SubmitMotion(r.Context(), m); err != nil {
		if formErr(err) || ratsnetz.ErrorCode(err) == ratsnetz.EFORBIDDEN {
			status := http.StatusBadRequest
			if ratsnetz.ErrorCode(err) == ratsnetz.EFORBIDDEN {
				status = http.StatusForbidden
			}
			s.renderMyMotions(w, r, status, myMotionsData{Title: m.Title, Text: m.Text, Reason: m.Reasoning, Error: ratsnetz.ErrorMessage(err)},
				m.OrganizationID, m.FactionID, m.Kind)
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/mein/antraege/"+strconv.FormatInt(m.ID, 10))
}

func (s *Server) handleMyMotion(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	m, err := s.office.Office.FindMotionByID(r.Context(), id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	row := s.motionRow(r.Context(), m)
	s.renderForm(w, r, http.StatusOK, "office_motion", m.Kind+": "+m.Title, row)
}

type motionInboxData struct {
	Submitted []officeMotionRow
	Decided   []officeMotionRow
	Error     string
	Info      string
}

func (s *Server) handleMotionInbox(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	d := motionInboxData{}
	switch r.URL.Query().Get("ok") {
	case "angenommen":
		d.Info = s.formatter(r.Context()).T("office.info.accepted")
	case "zurueckgewiesen":
		d.Info = s.formatter(r.Context()).T("office.info.rejected")
	}
	s.renderMotionInbox(w, r, http.StatusOK, d)
}

func (s *Server) renderMotionInbox(w http.ResponseWriter, r *http.Request, status int, d motionInboxData) {
	ctx := r.Context()
	ms, _, err := s.office.Office.FindMotions(ctx, ratsnetz.MotionFilter{ListOptions: ratsnetz.ListOptions{Limit: 300}})
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	for _, m := range ms {
		row := s.motionRow(ctx, m)
		if m.State == ratsnetz.MotionSubmitted {
			d.Submitted = append(d.Submitted, row)
		} else {
			d.Decided = append(d.Decided, row)
		}
	}
	s.renderForm(w, r, status, "office_motions", s.formatter(ctx).T("office.inbox.title"), d)
}

func (s *Server) handleMotionAccept(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	day, ok := formDay(r.PostFormValue("datum"))
	if !ok {
		s.renderMotionInbox(w, r, http.StatusBadRequest, motionInboxData{Error: s.formatter(r.Context()).T("office.err.motionDate")})
		return
	}
	if _, err := s.office.Office.AcceptMotion(r.Context(), id, day); err != nil {
		if formErr(err) {
			s.renderMotionInbox(w, r, http.StatusBadRequest, motionInboxData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/antraege?ok=angenommen")
}

func (s *Server) handleMotionReject(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.RejectMotion(r.Context(), id, strings.TrimSpace(r.PostFormValue("grund"))); err != nil {
		if formErr(err) {
			s.renderMotionInbox(w, r, http.StatusBadRequest, motionInboxData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/antraege?ok=zurueckgewiesen")
}
