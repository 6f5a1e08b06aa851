package web

// Sitzungsdienst: writing papers (drafts, release, versions, reference numbers), motions submitted by factions and members, meeting planning, agenda builder and minutes.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ratsnetz/ratsnetz"
)

// OfficeDeps holds what the office area of the portal needs; the zero value
// switches the area off.
type OfficeDeps struct {
	// Office is the council office's write service (the store).
	Office ratsnetz.OfficeService
	// RenderMinutes renders the public part of the minutes as PDF and
	// returns it with its plain text (app wires package pdf in).
	RenderMinutes func(ctx context.Context, doc MinutesDoc) (pdf []byte, text string, err error)
}

// MinutesDoc is the public part of a meeting's minutes, ready to render.
type MinutesDoc struct {
	Title      string
	Subtitle   string
	Body       string // e.g. "Stadt Musterstadt"
	Present    []string
	Excused    []string
	Unexcused  []string
	Text       string
	Items      []MinutesDocItem
	ChairName  string
	ChairAt    time.Time
	Recorder   string
	RecorderAt time.Time
}

// MinutesDocItem is one public agenda item in the minutes.
type MinutesDocItem struct {
	Number     string
	Name       string
	Reference  string
	Result     string
	Resolution string
	Minutes    string
	Vote       *ratsnetz.VoteResult
}

// maxUpload is the largest attachment the office may upload.
const maxUpload = 25 << 20

// officeRoutes registers the office area's routes.
func (s *Server) officeRoutes() {
	if s.office.Office == nil || s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /sitzungsdienst", s.handleOfficeHome)
	s.mux.HandleFunc("GET /sitzungsdienst/vorlagen/neu", s.handleDraftNew)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen", s.handleDraftCreate)
	s.mux.HandleFunc("GET /sitzungsdienst/vorlagen/{id}", s.handleDraftView)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}", s.handleDraftSave)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/anlagen", s.handleDraftUpload)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/anlagen/{aid}/entfernen", s.handleDraftRemoveFile)
	s.mux.HandleFunc("POST /sitzungsdienst/vorlagen/{id}/freigabe", s.handleDraftRelease)
	s.mux.HandleFunc("POST /sitzungsdienst/nummernschema", s.handleOfficeScheme)

	s.mux.HandleFunc("GET /sitzungsdienst/antraege", s.handleMotionInbox)
	s.mux.HandleFunc("POST /sitzungsdienst/antraege/{id}/annehmen", s.handleMotionAccept)
	s.mux.HandleFunc("POST /sitzungsdienst/antraege/{id}/zurueckweisen", s.handleMotionReject)
	s.mux.HandleFunc("GET /mein/antraege", s.handleMyMotions)
	s.mux.HandleFunc("POST /mein/antraege", s.handleMotionSubmit)
	s.mux.HandleFunc("GET /mein/antraege/{id}", s.handleMyMotion)

	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen", s.handleOfficeMeetingCreate)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/serie", s.handleOfficeSeriesCreate)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}", s.handleOfficeMeeting)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/top", s.handleAgendaAdd)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/standard", s.handleAgendaStandard)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/beratung/{cid}", s.handleAgendaPull)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/top/{item}/{action}", s.handleAgendaItemAction)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/niederschrift", s.handleMinutes)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/anwesenheit", s.handleMinutesAttendance)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/text", s.handleMinutesText)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/top/{item}", s.handleMinutesResult)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/unterschrift", s.handleMinutesSign)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/niederschrift/veroeffentlichen", s.handleMinutesPublish)
}

// officeMessages returns the office area's German and English messages.
// (The office pages are German working pages; their texts sit in the
// templates like those of the admin area. These keys serve shared parts.)
func officeMessages() (de, en map[string]string) {
	de = map[string]string{
		"office.nav":             "Sitzungsdienst",
		"office.motions":         "Meine Anträge",
		"office.tooLarge.title":  "Anfrage zu groß",
		"office.tooLarge.form":   "Die gesendeten Formulardaten sind zu groß. Bitte kürzen Sie Ihre Eingaben und senden Sie das Formular erneut.",
		"office.tooLarge.upload": "Die Datei ist zu groß: Anlagen dürfen höchstens %d MB groß sein. Bitte gehen Sie zurück und wählen Sie eine kleinere Datei.",
		"office.my.title":        "Meine Anträge und Anfragen",
		"office.my.submit":       "Einreichen",
		"office.my.kind":         "Art",
		"office.my.org":          "An das Gremium",
		"office.my.for":          "Für",
		"office.my.subject":      "Betreff",
		"office.my.text":         "Antragstext oder Fragen",
		"office.my.reasoning":    "Begründung",
		"office.my.send":         "An den Sitzungsdienst senden",
		"office.my.submitted":    "Eingereicht",
		"office.my.caption":      "Ihre Anträge und Anfragen und die Ihrer Fraktion",
		"office.my.received":     "Eingang",
		"office.my.state":        "Stand",
		"office.my.none":         "Noch nichts eingereicht.",
		"office.my.back":         "Zurück zu meinen Anträgen",
		"office.my.receipt":      "Eingangsbestätigung:",
		"office.my.receivedAt":   "eingegangen beim Sitzungsdienst am",
		"office.my.no":           "Nr.",
		"office.my.committee":    "Gremium",
		"office.my.faction":      "Fraktion",
		"office.my.asPaper":      "als Drucksache",
		"office.my.rejectReason": "Begründung der Zurückweisung",
		"office.my.textHeading":  "Text",
	}
	en = map[string]string{
		"office.nav":             "Council office",
		"office.motions":         "My motions",
		"office.tooLarge.title":  "Request too large",
		"office.tooLarge.form":   "The form data sent is too large. Please shorten your input and send the form again.",
		"office.tooLarge.upload": "The file is too large: attachments may be at most %d MB. Please go back and choose a smaller file.",
		"office.my.title":        "My motions and questions",
		"office.my.submit":       "Submit",
		"office.my.kind":         "Type",
		"office.my.org":          "To the committee",
		"office.my.for":          "On behalf of",
		"office.my.subject":      "Subject",
		"office.my.text":         "Text of the motion or questions",
		"office.my.reasoning":    "Reasoning",
		"office.my.send":         "Send to the council office",
		"office.my.submitted":    "Submitted",
		"office.my.caption":      "Your motions and questions and those of your faction",
		"office.my.received":     "Received",
		"office.my.state":        "Status",
		"office.my.none":         "Nothing submitted yet.",
		"office.my.back":         "Back to my motions",
		"office.my.receipt":      "Receipt:",
		"office.my.receivedAt":   "received by the council office on",
		"office.my.no":           "no.",
		"office.my.committee":    "Committee",
		"office.my.faction":      "Faction",
		"office.my.asPaper":      "as paper",
		"office.my.rejectReason": "Reason for the rejection",
		"office.my.textHeading":  "Text",
	}
	return de, en
}

// officeFail renders an error of an office action: expected errors as a
// page with their message, internal ones as the generic 500 page.
func (s *Server) officeFail(w http.ResponseWriter, r *http.Request, err error) {
	f := s.formatter(r.Context())
	switch ratsnetz.ErrorCode(err) {
	case ratsnetz.EFORBIDDEN:
		s.renderMessage(w, r, http.StatusForbidden, f.T("notice.forbidden"), ratsnetz.ErrorMessage(err))
	case ratsnetz.ECONFLICT:
		s.renderMessage(w, r, http.StatusConflict, f.T("notice.conflict"), ratsnetz.ErrorMessage(err))
	case ratsnetz.EINVALID:
		s.renderMessage(w, r, http.StatusBadRequest, f.T("notice.invalid"), ratsnetz.ErrorMessage(err))
	default:
		s.error(w, r, err)
	}
}

// formErr reports whether err should re-render the form with its message.
func formErr(err error) bool {
	switch ratsnetz.ErrorCode(err) {
	case ratsnetz.EINVALID, ratsnetz.ECONFLICT:
		return true
	}
	return false
}

func formInt(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func formCount(r *http.Request, name string) (int, bool) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= 10000
}

// formDay parses a date field (YYYY-MM-DD) as a stored date (midnight UTC).
func formDay(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse("2006-01-02", v)
	return t, err == nil
}

// formTime parses date and time fields as a Berlin wall-clock time.
func (s *Server) formTime(date, clock string) (time.Time, bool) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		return time.Time{}, clock == ""
	}
	if clock == "" {
		clock = "00:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, s.loc)
	return t, err == nil
}

func dayValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// ---- home ----

type officeHomeData struct {
	Drafts   []officeDraftRow
	Motions  []officeMotionRow
	Meetings []officeMeetingRow
	Orgs     []option
	Modes    []option
	Scheme   string
	Info     string
	Error    string
	// M holds the meeting forms' values (kept when a post is rejected).
	M officeMeetingForm
}

// officeMeetingForm is what the meeting and series forms carry.
type officeMeetingForm struct {
	Posted                      bool
	Org                         int64
	Mode                        string
	Name, Date, Start, End      string
	Location, Count, Weeks, Nth string
	Public                      bool
}

func meetingFormOf(r *http.Request) officeMeetingForm {
	return officeMeetingForm{Posted: true, Org: formInt(r, "gremium"), Mode: r.PostFormValue("form"), Name: r.PostFormValue("bezeichnung"),
		Date: r.PostFormValue("datum"), Start: r.PostFormValue("beginn"), End: r.PostFormValue("ende"), Location: r.PostFormValue("ort"),
		Count: r.PostFormValue("anzahl"), Weeks: r.PostFormValue("wochen"), Nth: r.PostFormValue("nter"), Public: r.PostFormValue("oeffentlich") != ""}
}

type officeDraftRow struct {
	ID        int64
	Name      string
	Type      string
	State     string
	Modified  string
	Reference string
	PaperID   int64
}

type officeMeetingRow struct {
	ID    int64
	Name  string
	Start string
	State string
}

func (s *Server) handleOfficeHome(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.renderOfficeHome(w, r, http.StatusOK, officeHomeData{Info: officeInfo(r)})
}

func officeInfo(r *http.Request) string {
	switch r.URL.Query().Get("ok") {
	case "schema":
		return "Das Nummernschema ist gespeichert."
	case "sitzung":
		return "Die Sitzungen sind angelegt."
	case "freigegeben":
		return "Die Vorlage ist freigegeben."
	case "gespeichert":
		return "Gespeichert."
	}
	return ""
}

func (s *Server) renderOfficeHome(w http.ResponseWriter, r *http.Request, status int, d officeHomeData) {
	ctx := r.Context()
	f := s.formatter(ctx)
	drafts, _, err := s.office.Office.FindPaperDrafts(ctx, ratsnetz.PaperDraftFilter{ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		s.error(w, r, err)
		return
	}
	for _, x := range drafts {
		d.Drafts = append(d.Drafts, officeDraftRow{ID: x.ID, Name: x.Name, Type: x.PaperType, State: x.State, Modified: f.DateTime(x.Modified),
			Reference: x.Reference, PaperID: x.PaperID})
	}
	motions, _, err := s.office.Office.FindMotions(ctx, ratsnetz.MotionFilter{State: ratsnetz.MotionSubmitted, ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EFORBIDDEN {
		s.error(w, r, err)
		return
	}
	for _, m := range motions {
		d.Motions = append(d.Motions, s.motionRow(ctx, m))
	}
	meetings, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{From: s.now().AddDate(0, 0, -60), ListOptions: ratsnetz.ListOptions{Limit: 50}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, m := range meetings {
		d.Meetings = append(d.Meetings, officeMeetingRow{ID: m.ID, Name: m.Name, Start: f.DateTime(m.Start), State: m.MeetingState})
	}
	var choices officeDraftForm
	if err := s.officeChoices(ctx, &choices, 0); err != nil {
		s.error(w, r, err)
		return
	}
	if !d.M.Posted {
		d.M = officeMeetingForm{Start: "17:00", Public: true, Count: "6"}
	}
	for _, o := range choices.Orgs {
		o.Selected = o.Value != "" && o.Value == strconv.FormatInt(d.M.Org, 10)
		d.Orgs = append(d.Orgs, o)
	}
	d.Modes = []option{{Value: ratsnetz.ModeInPerson, Label: "Präsenz"}, {Value: ratsnetz.ModeHybrid, Label: "hybrid"}, {Value: ratsnetz.ModeOnline, Label: "online"}}
	for i := range d.Modes {
		d.Modes[i].Selected = d.Modes[i].Value == d.M.Mode
	}
	if sc, err := s.office.Office.ReferenceScheme(ctx, 1); err == nil {
		d.Scheme = sc
	}
	s.renderForm(w, r, status, "office_home", "Sitzungsdienst", d)
}

// officeChoices fills the select boxes of the draft form.
func (s *Server) officeChoices(ctx context.Context, d *officeDraftForm, body int64) error {
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{BodyID: body, ActiveAt: s.now(), ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		return err
	}
	d.Orgs, d.Depts = nil, nil
	d.Orgs = append(d.Orgs, option{Value: "", Label: "—"})
	d.Depts = append(d.Depts, option{Value: "", Label: "—"})
	for _, o := range orgs {
		v := strconv.FormatInt(o.ID, 10)
		switch o.OrganizationType {
		case ratsnetz.OrgTypeGremium:
			d.Orgs = append(d.Orgs, option{Value: v, Label: o.Name})
		case ratsnetz.OrgTypeVerwaltungsbereich:
			d.Depts = append(d.Depts, option{Value: v, Label: o.Name, Selected: o.ID == d.DepartmentID})
		}
		d.bodyOf = append(d.bodyOf, [2]int64{o.ID, o.BodyID})
	}
	d.Types = stringOptions([]string{ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeReport, ratsnetz.PaperTypeAnswer,
		ratsnetz.PaperTypeSupplement, ratsnetz.PaperTypeAmendment, ratsnetz.PaperTypeBoardTemplate, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion}, d.PaperType)
	return nil
}

func (s *Server) handleOfficeScheme(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	body := formInt(r, "koerperschaft")
	if body == 0 {
		body = 1
	}
	if err := s.office.Office.SetReferenceScheme(r.Context(), body, r.PostFormValue("schema")); err != nil {
		if formErr(err) {
			s.renderOfficeHome(w, r, http.StatusBadRequest, officeHomeData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst?ok=schema")
}

// ---- drafts ----

// officeDraftForm is the draft form, filled from a draft or a rejected post.
type officeDraftForm struct {
	ID           int64
	Action       string
	Version      int
	Name         string
	PaperType    string
	DepartmentID int64
	Public       bool
	Parent       string
	Proposal     string
	Reasoning    string
	Finance      string
	Cons         []officeConsRow
	Orgs, Depts  []option
	Types        []option
	bodyOf       [][2]int64
	Open         bool
	New          bool
	State        string
	Reference    string
	PaperID      int64
	Released     string
	Attachments  []officeAttachmentRow
	Versions     []officeVersionRow
	UploadName   string
	UploadPublic bool
	Error        string
	UploadError  string
	Info         string
}

type officeConsRow struct {
	Orgs  []option
	Roles []option
	Date  string
	org   int64
	role  string
}

type officeAttachmentRow struct {
	ID     int64
	Name   string
	File   string
	Size   string
	Public bool
	SHA256 string
}

type officeVersionRow struct {
	Version int
	Saved   string
	Name    string
	Account int64
	Changes string
}

func consultationRoles() []string {
	return []string{ratsnetz.ConsultationPreliminary, ratsnetz.ConsultationDecision, ratsnetz.ConsultationNotice, ratsnetz.ConsultationHearing}
}

// consOptions builds each Beratungsfolge row's select boxes.
func (d *officeDraftForm) consOptions() {
	for i := range d.Cons {
		c := &d.Cons[i]
		c.Orgs = make([]option, len(d.Orgs))
		for j, o := range d.Orgs {
			c.Orgs[j] = option{Value: o.Value, Label: o.Label, Selected: o.Value != "" && o.Value == strconv.FormatInt(c.org, 10)}
		}
		c.Roles = stringOptions(consultationRoles(), c.role)
	}
}

// draftFromForm reads the posted draft form.
func draftFromForm(r *http.Request) (*ratsnetz.PaperDraft, officeDraftForm, string) {
	f := officeDraftForm{
		Name: r.PostFormValue("betreff"), PaperType: r.PostFormValue("art"), DepartmentID: formInt(r, "amt"),
		Public: r.PostFormValue("oeffentlich") != "", Parent: strings.TrimSpace(r.PostFormValue("hauptvorlage")),
		Proposal: r.PostFormValue("beschlussvorschlag"), Reasoning: r.PostFormValue("begruendung"), Finance: r.PostFormValue("finanzen"),
	}
	d := &ratsnetz.PaperDraft{Name: f.Name, PaperType: f.PaperType, DepartmentID: f.DepartmentID, Public: f.Public}
	for _, sec := range []ratsnetz.TextSection{{Heading: ratsnetz.SectionProposal, Text: f.Proposal},
		{Heading: ratsnetz.SectionReasoning, Text: f.Reasoning}, {Heading: ratsnetz.SectionFinance, Text: f.Finance}} {
		if strings.TrimSpace(sec.Text) != "" {
			d.Sections = append(d.Sections, sec)
		}
	}
	msg := ""
	if f.Parent != "" {
		n, err := strconv.ParseInt(f.Parent, 10, 64)
		if err != nil || n <= 0 {
			msg = "Die übergeordnete Vorlage ist eine Nummer."
		}
		d.ParentPaperID = n
	}
	for i := 0; i < 8; i++ {
		k := strconv.Itoa(i)
		org := formInt(r, "beratung_gremium_"+k)
		role := r.PostFormValue("beratung_rolle_" + k)
		date := r.PostFormValue("beratung_datum_" + k)
		if org == 0 && strings.TrimSpace(date) == "" {
			continue
		}
		day, ok := formDay(date)
		if !ok {
			msg = "Das Datum einer Beratung ist ungültig."
		}
		f.Cons = append(f.Cons, officeConsRow{org: org, role: role, Date: date})
		d.Consultations = append(d.Consultations, ratsnetz.DraftConsultation{OrganizationID: org, Role: role, Date: day})
	}
	for len(f.Cons) < 4 {
		f.Cons = append(f.Cons, officeConsRow{})
	}
	return d, f, msg
}

// formOfDraft fills the form from a stored draft.
func (s *Server) formOfDraft(ctx context.Context, d *ratsnetz.PaperDraft) officeDraftForm {
	fm := s.formatter(ctx)
	f := officeDraftForm{ID: d.ID, Action: "/sitzungsdienst/vorlagen/" + strconv.FormatInt(d.ID, 10), Version: d.Version, Name: d.Name,
		PaperType: d.PaperType, DepartmentID: d.DepartmentID, Public: d.Public, Open: d.State == ratsnetz.DraftOpen, State: d.State,
		Reference: d.Reference, PaperID: d.PaperID, Released: fm.DateTime(d.Released), UploadPublic: d.Public}
	if d.ParentPaperID != 0 {
		f.Parent = strconv.FormatInt(d.ParentPaperID, 10)
	}
	for _, sec := range d.Sections {
		switch sec.Heading {
		case ratsnetz.SectionProposal:
			f.Proposal = sec.Text
		case ratsnetz.SectionReasoning:
			f.Reasoning = sec.Text
		case ratsnetz.SectionFinance:
			f.Finance = sec.Text
		}
	}
	for _, c := range d.Consultations {
		f.Cons = append(f.Cons, officeConsRow{org: c.OrganizationID, role: c.Role, Date: dayValue(c.Date)})
	}
	for len(f.Cons) < len(d.Consultations)+2 || len(f.Cons) < 4 {
		f.Cons = append(f.Cons, officeConsRow{})
	}
	for _, a := range d.Attachments {
		f.Attachments = append(f.Attachments, officeAttachmentRow{ID: a.ID, Name: a.Name, File: a.FileName, Size: fileSize(a.Size), Public: a.Public, SHA256: a.SHA256})
	}
	return f
}

func (s *Server) handleDraftNew(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	f := officeDraftForm{Public: true, Cons: make([]officeConsRow, 4), PaperType: ratsnetz.PaperTypeResolution}
	if p := r.URL.Query().Get("zu"); p != "" {
		f.Parent, f.PaperType = p, ratsnetz.PaperTypeSupplement
	}
	s.renderNewDraft(w, r, http.StatusOK, f)
}

// renderNewDraft shows the form of a new draft (empty or as posted).
func (s *Server) renderNewDraft(w http.ResponseWriter, r *http.Request, status int, f officeDraftForm) {
	f.Action, f.Open, f.New = "/sitzungsdienst/vorlagen", true, true
	if err := s.officeChoices(r.Context(), &f, 0); err != nil {
		s.error(w, r, err)
		return
	}
	f.consOptions()
	s.renderForm(w, r, status, "office_draft", "Neuer Vorlagenentwurf", f)
}

func (s *Server) handleDraftCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	d, f, msg := draftFromForm(r)
	d.BodyID = formInt(r, "koerperschaft")
	if d.BodyID == 0 {
		d.BodyID = 1
	}
	err := error(nil)
	if msg != "" {
		err = ratsnetz.Errorf(ratsnetz.EINVALID, "%s", msg)
	} else {
		err = s.office.Office.CreatePaperDraft(r.Context(), d)
	}
	if err != nil {
		if formErr(err) {
			f.Error = ratsnetz.ErrorMessage(err)
			s.renderNewDraft(w, r, http.StatusBadRequest, f)
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(d.ID, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftView(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderDraft(w, r, http.StatusOK, id, nil)
}

// renderDraft shows a draft; form, if set, replaces the stored values (a
// rejected post keeps what was typed).
func (s *Server) renderDraft(w http.ResponseWriter, r *http.Request, status int, id int64, form *officeDraftForm) {
	ctx := r.Context()
	d, err := s.office.Office.FindPaperDraftByID(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	f := s.formOfDraft(ctx, d)
	if form != nil {
		keep := f
		f = *form
		f.ID, f.Action, f.Version, f.Open, f.State, f.Attachments = keep.ID, keep.Action, keep.Version, keep.Open, keep.State, keep.Attachments
		if f.Name == "" && f.Error == "" && f.UploadError != "" {
			// An upload error keeps the stored draft and the upload fields.
			up, upPublic, upErr := f.UploadName, f.UploadPublic, f.UploadError
			f = keep
			f.UploadName, f.UploadPublic, f.UploadError = up, upPublic, upErr
		}
	}
	if f.Info == "" {
		f.Info = officeInfo(r)
	}
	if err := s.officeChoices(ctx, &f, d.BodyID); err != nil {
		s.error(w, r, err)
		return
	}
	f.consOptions()
	versions, err := s.office.Office.FindPaperDraftVersions(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	fm := s.formatter(ctx)
	for i, v := range versions {
		row := officeVersionRow{Version: v.Version, Saved: fm.DateTime(v.Saved), Name: v.Name, Account: v.AccountID}
		if i+1 < len(versions) {
			row.Changes = sectionChanges(versions[i+1], v)
		} else {
			row.Changes = "angelegt"
		}
		f.Versions = append(f.Versions, row)
	}
	s.renderForm(w, r, status, "office_draft", "Vorlagenentwurf: "+d.Name, f)
}

// sectionChanges names what changed between two versions (a short diff).
func sectionChanges(old, cur *ratsnetz.PaperDraftVersion) string {
	var out []string
	if old.Name != cur.Name {
		out = append(out, "Betreff")
	}
	if old.PaperType != cur.PaperType {
		out = append(out, "Vorlagenart")
	}
	texts := func(v *ratsnetz.PaperDraftVersion) map[string]string {
		m := map[string]string{}
		for _, s := range v.Sections {
			m[s.Heading] = s.Text
		}
		return m
	}
	a, b := texts(old), texts(cur)
	for _, h := range []string{ratsnetz.SectionProposal, ratsnetz.SectionReasoning, ratsnetz.SectionFinance} {
		if a[h] != b[h] {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return "ohne Textänderung"
	}
	return "geändert: " + strings.Join(out, ", ")
}

func (s *Server) handleDraftSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, f, msg := draftFromForm(r)
	d.ID = id
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if msg != "" {
		err = ratsnetz.Errorf(ratsnetz.EINVALID, "%s", msg)
	} else {
		err = s.office.Office.UpdatePaperDraft(r.Context(), d, version)
	}
	if err != nil {
		if formErr(err) {
			f.Error = ratsnetz.ErrorMessage(err)
			s.renderDraft(w, r, http.StatusBadRequest, id, &f)
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

// allowedUpload maps sniffed content and extension to the MIME type stored;
// "" rejects the file.
func allowedUpload(sniffed, name string) string {
	ext := strings.ToLower(path.Ext(name))
	base, _, _ := mime.ParseMediaType(sniffed)
	switch base {
	case "application/pdf", "image/png", "image/jpeg":
		return base
	case "text/plain":
		if ext == ".txt" || ext == ".csv" {
			return "text/plain; charset=utf-8"
		}
	case "application/zip":
		switch ext {
		case ".docx":
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case ".xlsx":
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case ".pptx":
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		case ".odt":
			return "application/vnd.oasis.opendocument.text"
		case ".ods":
			return "application/vnd.oasis.opendocument.spreadsheet"
		}
	}
	return ""
}

// safeFileName keeps letters, digits and a few marks of an uploaded name.
func safeFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, c := range name {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_':
			b.WriteRune(c)
		case c == ' ':
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if r := []rune(out); len(r) > 100 {
		out = string(r[len(r)-100:])
	}
	if out == "" {
		out = "datei"
	}
	return out
}

func (s *Server) handleDraftUpload(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	form := officeDraftForm{UploadName: strings.TrimSpace(r.PostFormValue("bezeichnung")), UploadPublic: r.PostFormValue("anlage_oeffentlich") != ""}
	bad := func(msg string) {
		form.UploadError = msg
		s.renderDraft(w, r, http.StatusBadRequest, id, &form)
	}
	file, hdr, err := r.FormFile("datei")
	if err != nil {
		bad("Bitte wählen Sie eine Datei.")
		return
	}
	defer file.Close()
	if hdr.Size > maxUpload {
		bad("Die Datei ist zu groß (höchstens 25 MB).")
		return
	}
	if hdr.Size == 0 {
		bad("Die Datei ist leer.")
		return
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	mimeType := allowedUpload(http.DetectContentType(head[:n]), hdr.Filename)
	if mimeType == "" {
		bad("Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, PNG, JPEG, Text, Word/Excel/PowerPoint (OOXML) und OpenDocument.")
		return
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		s.error(w, r, err)
		return
	}
	if form.UploadName == "" {
		form.UploadName = strings.TrimSuffix(path.Base(hdr.Filename), path.Ext(hdr.Filename))
	}
	// Check the right before storing anything.
	if _, err := s.office.Office.FindPaperDraftByID(r.Context(), id); err != nil {
		s.officeFail(w, r, err)
		return
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	fileName := safeFileName(hdr.Filename)
	key := "office/drafts/" + strconv.FormatInt(id, 10) + "/" + hex.EncodeToString(rnd[:]) + "/" + fileName
	info, err := s.blobs.Put(r.Context(), key, io.LimitReader(file, maxUpload+1))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if info.Size > maxUpload {
		s.blobs.Delete(r.Context(), key)
		bad("Die Datei ist zu groß (höchstens 25 MB).")
		return
	}
	a := &ratsnetz.DraftAttachment{Name: form.UploadName, FileName: fileName, MimeType: mimeType, Size: info.Size, SHA256: info.SHA256,
		SHA512: info.SHA512, BlobKey: info.Key, Public: form.UploadPublic}
	if a.BlobKey == "" {
		a.BlobKey = key
	}
	if err := s.office.Office.AddDraftAttachment(r.Context(), id, a); err != nil {
		s.blobs.Delete(r.Context(), key)
		if formErr(err) {
			bad(ratsnetz.ErrorMessage(err))
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftRemoveFile(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.office.Office.RemoveDraftAttachment(r.Context(), id, aid); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=gespeichert")
}

func (s *Server) handleDraftRelease(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.office.Office.ReleasePaperDraft(r.Context(), id); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/vorlagen/"+strconv.FormatInt(id, 10)+"?ok=freigegeben")
}
