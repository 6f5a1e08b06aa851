package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Meeting planning, agenda builder and minutes of the council office.

func (s *Server) meetingInputFromForm(r *http.Request) (ratsnetz.MeetingInput, string) {
	in := ratsnetz.MeetingInput{OrganizationID: formInt(r, "gremium"), Name: r.PostFormValue("bezeichnung"), LocationID: formInt(r, "ort"),
		Mode: r.PostFormValue("form"), Public: r.PostFormValue("oeffentlich") != ""}
	start, ok1 := s.formTime(r.PostFormValue("datum"), r.PostFormValue("beginn"))
	end, ok2 := s.formTime(r.PostFormValue("datum"), r.PostFormValue("ende"))
	if !ok1 || !ok2 {
		return in, s.formatter(r.Context()).T("office.err.dateTime")
	}
	if strings.TrimSpace(r.PostFormValue("ende")) == "" {
		end = time.Time{}
	}
	in.Start, in.End = start, end
	return in, ""
}

func (s *Server) handleOfficeMeetingCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	in, msg := s.meetingInputFromForm(r)
	if msg != "" {
		s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: msg, M: meetingFormOf(r)})
		return
	}
	m, err := s.office.Office.CreateMeeting(r.Context(), in)
	if err != nil {
		if formErr(err) {
			s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: ratsnetz.ErrorMessage(err), M: meetingFormOf(r)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/sitzungen/"+strconv.FormatInt(m.ID, 10))
}

func (s *Server) handleOfficeSeriesCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	in, msg := s.meetingInputFromForm(r)
	count, ok := formCount(r, "anzahl")
	every, ok2 := formCount(r, "wochen")
	nth, ok3 := formCount(r, "nter")
	if msg == "" && (!ok || !ok2 || !ok3) {
		msg = s.formatter(r.Context()).T("office.err.seriesNumbers")
	}
	if msg != "" {
		s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: msg, M: meetingFormOf(r)})
		return
	}
	series := ratsnetz.MeetingSeries{OrganizationID: in.OrganizationID, Name: strings.TrimSpace(in.Name), First: in.Start, EveryWeeks: every,
		NthWeekday: nth, Count: count, LocationID: in.LocationID, Mode: in.Mode, Public: in.Public}
	if !in.End.IsZero() {
		series.Duration = in.End.Sub(in.Start)
	}
	if _, err := s.office.Office.CreateMeetingSeries(r.Context(), series); err != nil {
		if formErr(err) {
			s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: ratsnetz.ErrorMessage(err), M: meetingFormOf(r)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst?ok=sitzung")
}

type officeMeetingData struct {
	Meeting *ratsnetz.Meeting
	Start   string
	Items   []officeItemRow
	Planned []officePlannedRow
	Error   string
	Info    string
	// Add form values kept on error.
	AddName string
}

type officeItemRow struct {
	ID          int64
	Number      string
	Name        string
	Public      bool
	Urgent      bool
	Addendum    bool
	PaperID     int64
	Reference   string
	Result      string
	Resolution  string
	MinutesText string
	Yes, No     int
	Abstain     int
	Unanimous   bool
	Results     []option
	Factions    []officeFactionVote
	Persons     []officeConflict
}

type officeFactionVote struct {
	ID               int64
	Name             string
	Yes, No, Abstain int
}

type officeConflict struct {
	ID      int64
	Name    string
	Checked bool
}

type officePlannedRow struct {
	ID        int64
	PaperID   int64
	Name      string
	Reference string
	Role      string
	Date      string
	Public    bool
}

func (s *Server) handleOfficeMeeting(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := officeMeetingData{}
	if r.URL.Query().Get("ok") != "" {
		d.Info = s.formatter(r.Context()).T("office.info.saved")
	}
	s.renderOfficeMeeting(w, r, http.StatusOK, id, d)
}

func (s *Server) officeItems(r *http.Request, meetingID int64) ([]officeItemRow, error) {
	items, _, err := s.store.FindAgendaItems(r.Context(), ratsnetz.AgendaItemFilter{MeetingID: meetingID, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, it := range items {
		if it.PaperID != 0 {
			ids = append(ids, it.PaperID)
		}
	}
	refs := map[int64]string{}
	if len(ids) > 0 {
		ps, _, err := s.store.FindPapers(r.Context(), ratsnetz.PaperFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids)}})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			refs[p.ID] = p.Reference
		}
	}
	fm := s.formatter(r.Context())
	var out []officeItemRow
	for _, it := range items {
		row := officeItemRow{ID: it.ID, Number: it.Number, Name: it.Name, Public: it.Public, Urgent: it.Urgent, Addendum: it.Addendum,
			PaperID: it.PaperID, Reference: refs[it.PaperID], Result: it.Result, Resolution: it.ResolutionText, MinutesText: it.MinutesText}
		if it.Redacted {
			row.Name = fm.T("agenda.redacted")
		}
		if v := it.Vote; v != nil {
			row.Yes, row.No, row.Abstain, row.Unanimous = v.Yes, v.No, v.Abstain, v.Unanimous
		}
		row.Results = stringOptions(append([]string{""}, resultChoices()...), it.Result)
		out = append(out, row)
	}
	return out, nil
}

func resultChoices() []string {
	return []string{ratsnetz.ResultAdopted, ratsnetz.ResultAdoptedAmended, ratsnetz.ResultRejected, ratsnetz.ResultRecommended,
		ratsnetz.ResultNotRecommended, ratsnetz.ResultNoted, ratsnetz.ResultAnswered, ratsnetz.ResultPostponed, ratsnetz.ResultFirstReading,
		ratsnetz.ResultReferred, ratsnetz.ResultWithdrawn}
}

func (s *Server) renderOfficeMeeting(w http.ResponseWriter, r *http.Request, status int, id int64, d officeMeetingData) {
	ctx := r.Context()
	m, err := s.store.FindMeetingByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	planned, err := s.office.Office.PlannedConsultations(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	d.Meeting, d.Start = m, s.formatter(ctx).DateTime(m.Start)
	if d.Items, err = s.officeItems(r, id); err != nil {
		s.error(w, r, err)
		return
	}
	fm := s.formatter(ctx)
	for _, c := range planned {
		p, err := s.store.FindPaperByID(ctx, c.PaperID)
		if err != nil {
			continue
		}
		d.Planned = append(d.Planned, officePlannedRow{ID: c.ID, PaperID: p.ID, Name: p.Name, Reference: p.Reference, Role: c.Role,
			Date: fm.Date(c.Date), Public: p.Public})
	}
	s.renderForm(w, r, status, "office_meeting", fm.T("office.title.agenda", m.Name), d)
}

func (s *Server) meetingPath(id int64) string {
	return "/sitzungsdienst/sitzungen/" + strconv.FormatInt(id, 10)
}

func (s *Server) handleAgendaAdd(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	in := ratsnetz.AgendaItemInput{Name: r.PostFormValue("betreff"), Public: r.PostFormValue("teil") != "nichtoeffentlich",
		Sub: r.PostFormValue("unterpunkt") != "", Urgent: r.PostFormValue("dringlich") != "", Addendum: r.PostFormValue("nachtrag") != ""}
	if _, err := s.office.Office.AddAgendaItem(r.Context(), id, in); err != nil {
		if formErr(err) {
			s.renderOfficeMeeting(w, r, http.StatusBadRequest, id, officeMeetingData{Error: ratsnetz.ErrorMessage(err), AddName: in.Name})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.meetingPath(id)+"?ok=1")
}

func (s *Server) handleAgendaStandard(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.AddStandardItems(r.Context(), id); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.meetingPath(id)+"?ok=1")
}

func (s *Server) handleAgendaPull(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		s.error(w, r, err)
		return
	}
	in := ratsnetz.AgendaItemInput{ConsultationID: cid, Public: r.PostFormValue("teil") != "nichtoeffentlich", Urgent: r.PostFormValue("dringlich") != ""}
	if _, err := s.office.Office.AddAgendaItem(r.Context(), id, in); err != nil {
		if formErr(err) {
			s.renderOfficeMeeting(w, r, http.StatusBadRequest, id, officeMeetingData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.meetingPath(id)+"?ok=1")
}

func (s *Server) handleAgendaItemAction(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	item, err := pathID(r, "item")
	if err != nil {
		s.error(w, r, err)
		return
	}
	switch r.PathValue("action") {
	case "hoch":
		err = s.office.Office.MoveAgendaItem(r.Context(), item, -1)
	case "runter":
		err = s.office.Office.MoveAgendaItem(r.Context(), item, 1)
	case "entfernen":
		err = s.office.Office.RemoveAgendaItem(r.Context(), item)
	default:
		err = ratsnetz.Errorf(ratsnetz.ENOTFOUND, "not found")
	}
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.meetingPath(id)+"?ok=1#top-"+strconv.FormatInt(item, 10))
}

// ---- minutes ----

type minutesData struct {
	Meeting    *ratsnetz.Meeting
	Start      string
	Minutes    *ratsnetz.Minutes
	ChairAt    string
	RecorderAt string
	Published  string
	Attendance []officeAttendanceRow
	Items      []officeItemRow
	Error      string
	Info       string
}

type officeAttendanceRow struct {
	PersonID int64
	Name     string
	Role     string
	Statuses []option
	Arrived  string
	Left     string
}

func (s *Server) handleMinutes(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := minutesData{}
	if r.URL.Query().Get("ok") != "" {
		d.Info = s.formatter(r.Context()).T("office.info.saved")
	}
	s.renderMinutes(w, r, http.StatusOK, id, d)
}

func (s *Server) renderMinutes(w http.ResponseWriter, r *http.Request, status int, id int64, d minutesData) {
	ctx := r.Context()
	mins, err := s.office.Office.FindMinutes(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	m, err := s.store.FindMeetingByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	fm := s.formatter(ctx)
	d.Meeting, d.Minutes, d.Start = m, mins, fm.DateTime(m.Start)
	d.ChairAt, d.RecorderAt, d.Published = fm.DateTime(mins.ChairSigned), fm.DateTime(mins.RecorderSigned), fm.DateTime(mins.Published)
	recorded := map[int64]ratsnetz.Attendance{}
	for _, a := range mins.Attendance {
		recorded[a.PersonID] = a
	}
	var persons []officeConflict
	factions := map[int64]string{}
	var factionOrder []int64
	if len(m.OrganizationIDs) > 0 {
		ms, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: m.OrganizationIDs[0], ActiveAt: m.Start,
			ListOptions: ratsnetz.ListOptions{Limit: 500}})
		if err != nil {
			s.error(w, r, err)
			return
		}
		var pids []int64
		for _, x := range ms {
			pids = append(pids, x.PersonID)
		}
		byID := map[int64]*ratsnetz.Person{}
		if len(pids) > 0 {
			ps, _, err := s.store.FindPersons(ctx, ratsnetz.PersonFilter{IDs: pids, ListOptions: ratsnetz.ListOptions{Limit: len(pids)}})
			if err != nil {
				s.error(w, r, err)
				return
			}
			for _, p := range ps {
				byID[p.ID] = p
			}
		}
		seen := map[int64]bool{}
		for _, ms := range ms {
			p, ok := byID[ms.PersonID]
			if !ok || seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			a := recorded[ms.PersonID]
			delete(recorded, ms.PersonID)
			d.Attendance = append(d.Attendance, officeAttendanceRow{PersonID: p.ID, Name: p.Name, Role: ms.Role,
				Statuses: attendanceOptions(fm, a.Status), Arrived: fm.Clock(a.Arrived), Left: fm.Clock(a.Left)})
			persons = append(persons, officeConflict{ID: p.ID, Name: p.Name})
			if ms.OnBehalfOfID != 0 {
				if _, ok := factions[ms.OnBehalfOfID]; !ok {
					name := strconv.FormatInt(ms.OnBehalfOfID, 10)
					if o, err := s.store.FindOrganizationByID(ctx, ms.OnBehalfOfID); err == nil {
						name = o.ShortName
						if name == "" {
							name = o.Name
						}
					}
					factions[ms.OnBehalfOfID] = name
					factionOrder = append(factionOrder, ms.OnBehalfOfID)
				}
			}
		}
	}
	for _, a := range mins.Attendance {
		if _, ok := recorded[a.PersonID]; ok {
			d.Attendance = append(d.Attendance, officeAttendanceRow{PersonID: a.PersonID, Name: a.Name, Statuses: attendanceOptions(fm, a.Status),
				Arrived: fm.Clock(a.Arrived), Left: fm.Clock(a.Left)})
		}
	}
	if d.Items, err = s.officeItems(r, id); err != nil {
		s.error(w, r, err)
		return
	}
	items, _, err := s.store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for i := range d.Items {
		var votes map[int64]ratsnetz.FactionVote
		if i < len(items) && items[i].Vote != nil {
			votes = map[int64]ratsnetz.FactionVote{}
			for _, fv := range items[i].Vote.Factions {
				votes[fv.OrganizationID] = fv
			}
		}
		for _, fid := range factionOrder {
			fv := votes[fid]
			d.Items[i].Factions = append(d.Items[i].Factions, officeFactionVote{ID: fid, Name: factions[fid], Yes: fv.Yes, No: fv.No, Abstain: fv.Abstain})
		}
		d.Items[i].Persons = append([]officeConflict(nil), persons...)
	}
	s.renderForm(w, r, status, "office_minutes", fm.T("office.title.minutes", m.Name), d)
}

func attendanceOptions(fm formatter, selected string) []option {
	return []option{{Value: "", Label: "—", Selected: selected == ""},
		{Value: ratsnetz.AttendancePresent, Label: fm.T("office.att.present"), Selected: selected == ratsnetz.AttendancePresent},
		{Value: ratsnetz.AttendanceExcused, Label: fm.T("office.att.excused"), Selected: selected == ratsnetz.AttendanceExcused},
		{Value: ratsnetz.AttendanceUnexcused, Label: fm.T("office.att.unexcused"), Selected: selected == ratsnetz.AttendanceUnexcused}}
}

func (s *Server) minutesPath(id int64) string { return s.meetingPath(id) + "/niederschrift" }

func (s *Server) handleMinutesAttendance(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	m, err := s.store.FindMeetingByID(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	day := m.Start.In(s.loc).Format("2006-01-02")
	var list []ratsnetz.Attendance
	for _, v := range r.PostForm["person"] {
		pid, err := strconv.ParseInt(v, 10, 64)
		if err != nil || pid <= 0 {
			s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: s.formatter(r.Context()).T("office.err.person")})
			return
		}
		status := r.PostFormValue("status_" + v)
		if status == "" {
			continue
		}
		arrived, ok1 := s.formTime(day, r.PostFormValue("kommt_"+v))
		left, ok2 := s.formTime(day, r.PostFormValue("geht_"+v))
		if !ok1 || !ok2 {
			s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: s.formatter(r.Context()).T("office.err.clock")})
			return
		}
		if strings.TrimSpace(r.PostFormValue("kommt_"+v)) == "" {
			arrived = time.Time{}
		}
		if strings.TrimSpace(r.PostFormValue("geht_"+v)) == "" {
			left = time.Time{}
		}
		list = append(list, ratsnetz.Attendance{PersonID: pid, Status: status, Arrived: arrived, Left: left})
	}
	if err := s.office.Office.RecordAttendance(r.Context(), id, list); err != nil {
		if formErr(err) {
			s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.minutesPath(id)+"?ok=1")
}

func (s *Server) handleMinutesText(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.SetMinutesText(r.Context(), id, r.PostFormValue("text")); err != nil {
		if formErr(err) {
			s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.minutesPath(id)+"?ok=1")
}

func (s *Server) handleMinutesResult(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	item, err := pathID(r, "item")
	if err != nil {
		s.error(w, r, err)
		return
	}
	res := ratsnetz.ItemResult{Result: r.PostFormValue("ergebnis"), ResolutionText: r.PostFormValue("beschluss"), MinutesText: r.PostFormValue("protokoll")}
	yes, ok1 := formCount(r, "ja")
	no, ok2 := formCount(r, "nein")
	abstain, ok3 := formCount(r, "enthaltung")
	ok := ok1 && ok2 && ok3
	unanimous := r.PostFormValue("einstimmig") != ""
	var factions []ratsnetz.FactionVote
	for _, v := range r.PostForm["fraktion"] {
		fid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			ok = false
			continue
		}
		fy, a := formCount(r, "fja_"+v)
		fn, b := formCount(r, "fnein_"+v)
		fa, c := formCount(r, "fenth_"+v)
		ok = ok && a && b && c
		if fy+fn+fa > 0 {
			name := r.PostFormValue("fname_" + v)
			factions = append(factions, ratsnetz.FactionVote{OrganizationID: fid, Name: name, Yes: fy, No: fn, Abstain: fa})
		}
	}
	if !ok {
		s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: s.formatter(r.Context()).T("office.err.votes")})
		return
	}
	if yes+no+abstain > 0 || unanimous || len(factions) > 0 {
		res.Vote = &ratsnetz.VoteResult{Yes: yes, No: no, Abstain: abstain, Unanimous: unanimous, Factions: factions}
	}
	for _, v := range r.PostForm["befangen"] {
		if pid, err := strconv.ParseInt(v, 10, 64); err == nil && pid > 0 {
			res.ConflictPersonIDs = append(res.ConflictPersonIDs, pid)
		}
	}
	if _, err := s.office.Office.RecordResult(r.Context(), item, res); err != nil {
		if formErr(err) {
			s.renderMinutes(w, r, http.StatusBadRequest, id, minutesData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.minutesPath(id)+"?ok=1#top-"+strconv.FormatInt(item, 10))
}

func (s *Server) handleMinutesSign(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.SignMinutes(r.Context(), id, r.PostFormValue("als")); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, s.minutesPath(id)+"?ok=1")
}

func (s *Server) handleMinutesPublish(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	ctx := r.Context()
	mins, err := s.office.Office.FindMinutes(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	if !mins.Signed() {
		s.renderMinutes(w, r, http.StatusConflict, id, minutesData{Error: s.formatter(r.Context()).T("office.err.unsigned")})
		return
	}
	if s.office.RenderMinutes == nil {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.EINTERNAL, "no minutes renderer"))
		return
	}
	m, err := s.store.FindMeetingByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// The published document holds the public part only: read the items as
	// the public sees them, whoever publishes.
	pub := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	items, _, err := s.store.FindAgendaItems(pub, ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	fm := s.formatter(ctx)
	doc := MinutesDoc{Title: "Niederschrift – " + m.Name, Subtitle: "öffentlicher Teil, Sitzung am " + fm.DateTime(m.Start), Text: mins.Text,
		ChairName: mins.ChairName, ChairAt: mins.ChairSigned, Recorder: mins.RecorderName, RecorderAt: mins.RecorderSigned}
	if b, err := s.store.FindBodyByID(ctx, m.BodyID); err == nil {
		doc.Body = b.Name
	}
	for _, a := range mins.Attendance {
		switch a.Status {
		case ratsnetz.AttendancePresent:
			name := a.Name
			if !a.Arrived.IsZero() || !a.Left.IsZero() {
				name += " (" + strings.TrimSpace(strings.Join([]string{clockLabel("ab", fm.Clock(a.Arrived)), clockLabel("bis", fm.Clock(a.Left))}, " ")) + ")"
			}
			doc.Present = append(doc.Present, name)
		case ratsnetz.AttendanceExcused:
			doc.Excused = append(doc.Excused, a.Name)
		case ratsnetz.AttendanceUnexcused:
			doc.Unexcused = append(doc.Unexcused, a.Name)
		}
	}
	for _, it := range items {
		if !it.Public || it.Redacted {
			continue
		}
		di := MinutesDocItem{Number: it.Number, Name: it.Name, Result: it.Result, Resolution: it.ResolutionText, Minutes: it.MinutesText, Vote: it.Vote}
		if it.PaperID != 0 {
			if p, err := s.store.FindPaperByID(pub, it.PaperID); err == nil {
				di.Reference = p.Reference
			}
		}
		doc.Items = append(doc.Items, di)
	}
	data, text, err := s.office.RenderMinutes(ctx, doc)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	key := "office/minutes/" + strconv.FormatInt(id, 10) + "/" + hex.EncodeToString(rnd[:]) + "/niederschrift.pdf"
	info, err := s.blobs.Put(ctx, key, bytes.NewReader(data))
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := &ratsnetz.File{Name: "Niederschrift " + m.Name, FileName: "niederschrift-" + strconv.FormatInt(id, 10) + ".pdf", MimeType: "application/pdf",
		Size: info.Size, SHA256: info.SHA256, SHA512: info.SHA512, BlobKey: key, Text: text, License: "https://www.govdata.de/dl-de/by-2-0"}
	if err := s.office.Office.PublishMinutes(ctx, id, f); err != nil {
		s.blobs.Delete(ctx, key)
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungen/"+strconv.FormatInt(id, 10))
}

func clockLabel(prefix, clock string) string {
	if clock == "" {
		return ""
	}
	return prefix + " " + clock
}
