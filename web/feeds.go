package web

// Member area and subscriptions: my meetings, unread documents, personal and public iCal feeds, the Atom feed of papers and citizen e-mail alerts.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/ical"
	"github.com/ratsnetz/ratsnetz/token"
)

// FeedsDeps holds what the feeds area of the portal needs; the zero value
// switches the area off.
type FeedsDeps struct {
	// Feeds stores settings, read marks, alerts and the mail outbox.
	Feeds ratsnetz.FeedsService
	// Wake, if set, is called after a mail was queued in the outbox so
	// that the dispatcher sends it without waiting for its next round.
	Wake func()
	// ConfirmTTL is how long a confirmation link of a citizen alert is
	// valid; 48 hours when zero.
	ConfirmTTL time.Duration
}

// Limits of the feeds.
const (
	feedPastDays     = 180 // meetings this far back stay in calendars
	feedMaxMeetings  = 500
	feedAgendaDays   = 60 // agenda items are listed for meetings from this many days ago on
	feedMaxPapers    = 50
	mineMaxPapers    = 30
	mineMaxMeetings  = 30
	calendarRefresh  = time.Hour
	defaultConfirmIn = 48 * time.Hour
)

// feedsRoutes registers the feeds area's routes.
func (s *Server) feedsRoutes() {
	if s.feeds.Feeds == nil {
		return
	}
	// Public subscriptions: always answered as the public, whoever asks.
	s.mux.HandleFunc("GET /sitzungen.ics", s.handleMeetingsCalendar)
	s.mux.HandleFunc("GET /gremien/{id}/sitzungen.ics", s.handleOrgCalendar)
	s.mux.HandleFunc("GET /vorlagen.atom", s.handlePapersAtom)
	// The personal calendar authenticates by its secret URL, not a session.
	s.mux.HandleFunc("GET /mein/kalender/{file}", s.handlePersonalCalendar)
	if s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /mein", s.handleMine)
	s.mux.HandleFunc("POST /mein/benachrichtigungen", s.handleMineNotify)
	s.mux.HandleFunc("POST /mein/kalender", s.handleMineCalendarNew)
	s.mux.HandleFunc("POST /mein/kalender/widerrufen", s.handleMineCalendarRevoke)
	s.mux.HandleFunc("GET /mein/lesen/{kind}/{id}", s.handleMineOpen)

	s.mux.HandleFunc("GET /benachrichtigungen", s.handleAlertForm)
	s.mux.HandleFunc("POST /benachrichtigungen", s.handleAlertCreate)
	s.subscriptionRoutes(alertPages, s.feeds.Feeds)
}

// publicContext drops any viewer: subscription URLs get passed around, so
// they always show what the public sees.
func publicContext(ctx context.Context) context.Context {
	return ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
}

// ---- calendars ----

func (s *Server) handleMeetingsCalendar(w http.ResponseWriter, r *http.Request) {
	ctx := publicContext(r.Context())
	f := s.formatter(r.Context())
	s.writeCalendar(w, r, ctx, f.T("feeds.cal.all"), nil)
}

func (s *Server) handleOrgCalendar(w http.ResponseWriter, r *http.Request) {
	ctx := publicContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	org, err := s.store.FindOrganizationByID(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeCalendar(w, r, ctx, org.Name, []int64{org.ID})
}

func (s *Server) handlePersonalCalendar(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	raw, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || raw == "" || len(raw) > 100 || s.auth == nil {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "no calendar"))
		return
	}
	ctx := r.Context()
	accountID, err := s.feeds.Feeds.FindAccountByCalendarToken(ctx, token.Hash(raw))
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.auth.Accounts.FindAccountByID(ctx, accountID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !a.Active {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "account deactivated"))
		return
	}
	// The store decides with this account as the viewer, exactly as if it
	// were logged in.
	ctx = ratsnetz.NewContextWithViewer(ctx, a.Viewer())
	var orgs []int64
	if a.PersonID != 0 {
		mine, err := s.memberOrgs(ctx, a.PersonID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		for _, m := range mine {
			orgs = append(orgs, m.ID)
		}
		if len(orgs) == 0 {
			orgs = []int64{-1} // a person without mandates: an empty calendar
		}
	}
	f := s.formatter(r.Context())
	s.writeCalendar(w, r, ctx, f.T("feeds.cal.mine"), orgs)
}

// calendarMeetings returns the meetings of orgs (nil: all) the viewer in
// ctx may see, from feedPastDays ago on, by start.
func (s *Server) calendarMeetings(ctx context.Context, orgs []int64, limit int) ([]*ratsnetz.Meeting, error) {
	from := s.now().AddDate(0, 0, -feedPastDays)
	if orgs == nil {
		ms, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{From: from, ListOptions: ratsnetz.ListOptions{Limit: limit}})
		if err != nil {
			return nil, fmt.Errorf("find meetings for calendar: %w", err)
		}
		return ms, nil
	}
	var out []*ratsnetz.Meeting
	seen := map[int64]bool{}
	for _, id := range orgs {
		if id <= 0 {
			continue
		}
		ms, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: id, From: from, ListOptions: ratsnetz.ListOptions{Limit: limit}})
		if err != nil {
			return nil, fmt.Errorf("find meetings of organization %d for calendar: %w", id, err)
		}
		for _, m := range ms {
			if !seen[m.ID] {
				seen[m.ID] = true
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b *ratsnetz.Meeting) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Server) writeCalendar(w http.ResponseWriter, r *http.Request, ctx context.Context, name string, orgs []int64) {
	meetings, err := s.calendarMeetings(ctx, orgs, feedMaxMeetings)
	if err != nil {
		s.error(w, r, err)
		return
	}
	cal, err := s.calendar(ctx, r.Context(), name, meetings)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := cal.Encode(&buf); err != nil {
		s.error(w, r, fmt.Errorf("encode calendar: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="sitzungen.ics"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		buf.WriteTo(w)
	}
}

// calendar builds the events of meetings as the viewer of ctx sees them;
// ui carries the language.
func (s *Server) calendar(ctx, ui context.Context, name string, meetings []*ratsnetz.Meeting) (*ical.Calendar, error) {
	f := s.formatter(ui)
	var orgIDs, locIDs []int64
	for _, m := range meetings {
		orgIDs = append(orgIDs, m.OrganizationIDs...)
		locIDs = append(locIDs, m.LocationID)
	}
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{IDs: uniq(orgIDs), ListOptions: ratsnetz.ListOptions{Limit: len(orgIDs) + 1}})
	if err != nil {
		return nil, fmt.Errorf("calendar organizations: %w", err)
	}
	orgByID := map[int64]*ratsnetz.Organization{}
	for _, o := range orgs {
		orgByID[o.ID] = o
	}
	locs, err := s.locationsByID(ctx, locIDs)
	if err != nil {
		return nil, err
	}
	host := "ratsnetz"
	if u, err := url.Parse(s.baseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	agendaFrom := s.now().AddDate(0, 0, -feedAgendaDays)
	cal := &ical.Calendar{ProdID: "-//Ratsnetz//Ratsnetz//DE", Name: name, RefreshInterval: calendarRefresh, Location: s.loc}
	for _, m := range meetings {
		var names []string
		for _, id := range m.OrganizationIDs {
			if o := orgByID[id]; o != nil {
				names = append(names, o.Name)
			}
		}
		var desc strings.Builder
		if len(names) > 0 {
			desc.WriteString(strings.Join(names, ", ") + "\n")
		}
		if !m.Public {
			desc.WriteString(f.T("feeds.cal.nonPublic") + "\n")
		}
		if !m.Start.Before(agendaFrom) {
			items, _, err := s.store.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: m.ID, ListOptions: ratsnetz.ListOptions{Limit: 500}})
			if err != nil {
				return nil, fmt.Errorf("calendar agenda of meeting %d: %w", m.ID, err)
			}
			if len(items) > 0 {
				desc.WriteString("\n" + f.T("feeds.cal.agenda") + "\n")
			}
			for _, it := range items {
				desc.WriteString(strings.TrimSpace(it.Number+" "+it.Name) + "\n")
			}
		}
		link := s.baseURL + "/sitzungen/" + strconv.FormatInt(m.ID, 10)
		desc.WriteString("\n" + link)
		ev := ical.Event{UID: "sitzung-" + strconv.FormatInt(m.ID, 10) + "@" + host, Stamp: m.Modified, LastModified: m.Modified,
			Start: m.Start, End: m.End, Summary: m.Name, Description: desc.String(), Location: placeText(locs[m.LocationID]),
			URL: link, Status: ical.StatusConfirmed, Class: "PUBLIC", Categories: names}
		if ev.Stamp.IsZero() {
			ev.Stamp = m.Start
		}
		if m.Cancelled {
			ev.Status = ical.StatusCancelled
		}
		if !m.Public {
			ev.Class = "CONFIDENTIAL"
		}
		cal.Events = append(cal.Events, ev)
	}
	return cal, nil
}

func uniq(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ---- Atom ----

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Links     []atomLink `xml:"link"`
	Summary   string     `xml:"summary"`
	Category  []atomCat  `xml:"category"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

func (s *Server) handlePapersAtom(w http.ResponseWriter, r *http.Request) {
	ctx := publicContext(r.Context())
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	orgID, err := queryID(q, "gremium")
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	title := f.T("feeds.atom.title")
	self := s.baseURL + "/vorlagen.atom"
	alt := s.baseURL + "/vorlagen"
	if orgID != 0 {
		org, err := s.store.FindOrganizationByID(ctx, orgID)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter"))
			return
		} else if err != nil {
			s.error(w, r, err)
			return
		}
		title += " – " + org.Name
		self += "?gremium=" + strconv.FormatInt(orgID, 10)
		alt = s.baseURL + "/gremien/" + strconv.FormatInt(orgID, 10)
	}
	papers, _, err := s.store.FindPapers(ctx, ratsnetz.PaperFilter{OrganizationID: orgID, Newest: true, ListOptions: ratsnetz.ListOptions{Limit: feedMaxPapers}})
	if err != nil {
		s.error(w, r, fmt.Errorf("find papers for atom: %w", err))
		return
	}
	feed := atomFeed{Lang: langFromContext(r.Context()), ID: self, Title: title, Author: atomPerson{Name: f.T("site.name")},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: alt}}}
	var updated time.Time
	for _, p := range papers {
		mod := p.Modified
		if mod.IsZero() {
			mod = p.Date
		}
		if mod.After(updated) {
			updated = mod
		}
		link := s.baseURL + "/vorlagen/" + strconv.FormatInt(p.ID, 10)
		t := p.Name
		if p.Reference != "" {
			t = p.Reference + ": " + p.Name
		}
		var sum []string
		for _, v := range []string{p.PaperType, p.Status, f.Date(p.Date)} {
			if v != "" {
				sum = append(sum, v)
			}
		}
		e := atomEntry{ID: link, Title: t, Updated: atomTime(mod), Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
			Summary: strings.Join(sum, " · ")}
		if !p.Created.IsZero() {
			e.Published = atomTime(p.Created)
		}
		if p.PaperType != "" {
			e.Category = []atomCat{{Term: p.PaperType}}
		}
		feed.Entries = append(feed.Entries, e)
	}
	if updated.IsZero() {
		updated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	feed.Updated = atomTime(updated)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(feed); err != nil {
		s.error(w, r, fmt.Errorf("encode atom: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Vary", "Accept-Language")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		buf.WriteTo(w)
	}
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedLink is a <link rel="alternate"> of a page.
type feedLink struct {
	Type  string
	Href  string
	Title string
}

// FeedLinks are the subscription feeds of the current page, for the
// layout's <link rel="alternate">.
func (p *page) FeedLinks() []feedLink {
	switch {
	case p.path == "/" || p.path == "/sitzungen":
		return []feedLink{{"text/calendar", "/sitzungen.ics", p.T("feeds.cal.all")}, {"application/atom+xml", "/vorlagen.atom", p.T("feeds.atom.title")}}
	case p.path == "/vorlagen":
		return []feedLink{{"application/atom+xml", "/vorlagen.atom", p.T("feeds.atom.title")}}
	case strings.HasPrefix(p.path, "/gremien/"):
		id := strings.TrimPrefix(p.path, "/gremien/")
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return nil
		}
		return []feedLink{{"text/calendar", "/gremien/" + id + "/sitzungen.ics", p.T("feeds.cal.org")},
			{"application/atom+xml", "/vorlagen.atom?gremium=" + id, p.T("feeds.atom.title")}}
	}
	return nil
}

// ---- member area ----

// memberOrgs returns the organizations the person sits in today (member,
// deputy or any other role), with the role.
func (s *Server) memberOrgs(ctx context.Context, personID int64) ([]myOrg, error) {
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	ms, _, err := s.store.FindMemberships(ctx, ratsnetz.MembershipFilter{PersonID: personID, ActiveAt: today, ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		return nil, fmt.Errorf("find memberships of person %d: %w", personID, err)
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.OrganizationID)
	}
	orgs, _, err := s.store.FindOrganizations(ctx, ratsnetz.OrganizationFilter{IDs: uniq(ids), ListOptions: ratsnetz.ListOptions{Limit: len(ids) + 1}})
	if err != nil {
		return nil, fmt.Errorf("find my organizations: %w", err)
	}
	byID := map[int64]*ratsnetz.Organization{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var out []myOrg
	seen := map[int64]bool{}
	for _, m := range ms {
		if o := byID[m.OrganizationID]; o != nil && !seen[o.ID] && o.OrganizationType != ratsnetz.OrgTypeFraktion {
			seen[o.ID] = true
			out = append(out, myOrg{ID: o.ID, Name: o.Name, Role: m.Role})
		}
	}
	return out, nil
}

type mineMeeting struct {
	meetingRow
	Role string
}

type minePaper struct {
	paperRow
	Unread  bool
	Changed bool
	Org     string
}

type mineData struct {
	Orgs      []myOrg
	Meetings  []mineMeeting
	Papers    []minePaper
	Unread    int
	Notify    string
	Modes     []option
	Calendar  bool
	CalSince  string
	CalURL    string // shown once, right after it was made
	Info      string
	HasPerson bool
	// SavedSearches links the member's list of saved searches.
	SavedSearches bool
}

// memberLogin returns the logged-in account or sends the browser to the
// login page and returns nil.
func (s *Server) memberLogin(w http.ResponseWriter, r *http.Request) *ratsnetz.Account {
	if c := s.requireLogin(w, r); c != nil {
		return c.Account
	}
	return nil
}

func (s *Server) handleMine(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	s.renderMine(w, r, a, "", "")
}

func (s *Server) renderMine(w http.ResponseWriter, r *http.Request, a *ratsnetz.Account, info, calURL string) {
	ctx := r.Context()
	f := s.formatter(ctx)
	d := mineData{Info: info, CalURL: calURL, HasPerson: a.PersonID != 0, SavedSearches: s.savedSearchOn()}
	if a.PersonID != 0 {
		orgs, err := s.memberOrgs(ctx, a.PersonID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		d.Orgs = orgs
		role := map[int64]string{}
		var ids []int64
		for _, o := range orgs {
			role[o.ID] = o.Role
			ids = append(ids, o.ID)
		}
		// Upcoming meetings of my bodies, as the store shows them to me.
		var upcoming []*ratsnetz.Meeting
		seen := map[int64]bool{}
		for _, id := range ids {
			ms, _, err := s.store.FindMeetings(ctx, ratsnetz.MeetingFilter{OrganizationID: id, From: s.now(), ListOptions: ratsnetz.ListOptions{Limit: 10}})
			if err != nil {
				s.error(w, r, fmt.Errorf("find my meetings: %w", err))
				return
			}
			for _, m := range ms {
				if !seen[m.ID] {
					seen[m.ID] = true
					upcoming = append(upcoming, m)
				}
			}
		}
		slices.SortFunc(upcoming, func(a, b *ratsnetz.Meeting) int { return a.Start.Compare(b.Start) })
		if len(upcoming) > mineMaxMeetings {
			upcoming = upcoming[:mineMaxMeetings]
		}
		rows, err := s.meetingRows(ctx, upcoming)
		if err != nil {
			s.error(w, r, err)
			return
		}
		for i, m := range upcoming {
			var rl string
			for _, id := range m.OrganizationIDs {
				if rl = role[id]; rl != "" {
					break
				}
			}
			d.Meetings = append(d.Meetings, mineMeeting{meetingRow: rows[i], Role: rl})
		}
		// New and changed papers of my bodies, newest change first.
		var papers []*ratsnetz.Paper
		seenP := map[int64]bool{}
		orgOf := map[int64]string{}
		for _, o := range orgs {
			ps, _, err := s.store.FindPapers(ctx, ratsnetz.PaperFilter{OrganizationID: o.ID, Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 15}})
			if err != nil {
				s.error(w, r, fmt.Errorf("find papers of my bodies: %w", err))
				return
			}
			for _, p := range ps {
				if !seenP[p.ID] {
					seenP[p.ID] = true
					orgOf[p.ID] = o.Name
					papers = append(papers, p)
				}
			}
		}
		slices.SortFunc(papers, func(a, b *ratsnetz.Paper) int {
			if c := b.Modified.Compare(a.Modified); c != 0 {
				return c
			}
			return int(b.ID - a.ID)
		})
		if len(papers) > mineMaxPapers {
			papers = papers[:mineMaxPapers]
		}
		pids := make([]int64, len(papers))
		for i, p := range papers {
			pids[i] = p.ID
		}
		marks, err := s.feeds.Feeds.FindReadMarks(ctx, a.ID, ratsnetz.ReadKindPaper, pids)
		if err != nil {
			s.error(w, r, err)
			return
		}
		prows := paperRows(f, papers)
		for i, p := range papers {
			at, read := marks[p.ID]
			mp := minePaper{paperRow: prows[i], Org: orgOf[p.ID]}
			mp.Unread = !read || at.Before(p.Modified)
			mp.Changed = read && mp.Unread
			if mp.Unread {
				d.Unread++
			}
			d.Papers = append(d.Papers, mp)
		}
	}
	set, err := s.feeds.Feeds.FindMemberSettings(ctx, a.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Notify = string(set.Notify)
	for _, m := range []ratsnetz.NotifyMode{ratsnetz.NotifyImmediate, ratsnetz.NotifyDaily, ratsnetz.NotifyOff} {
		d.Modes = append(d.Modes, option{Value: string(m), Label: f.T("feeds.notify." + string(m)), Selected: m == set.Notify})
	}
	d.Calendar = set.CalendarTokenHash != ""
	if d.Calendar {
		d.CalSince = f.DateTime(set.CalendarCreated)
	}
	p := s.newPage(r, "", d)
	p.Title = p.T("feeds.mine.title")
	p.CSRF = s.csrf.Token(w, r)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "feeds_mine", p)
}

func (s *Server) handleMineNotify(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	mode := ratsnetz.NotifyMode(r.PostFormValue("modus"))
	if !mode.Valid() {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "feeds.err.mode"))
		return
	}
	if err := s.feeds.Feeds.SetNotifyMode(r.Context(), a.ID, mode); err != nil {
		s.error(w, r, err)
		return
	}
	s.renderMine(w, r, a, s.formatter(r.Context()).T("feeds.notify.saved"), "")
}

func (s *Server) handleMineCalendarNew(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	raw, hash, err := token.New(nil)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.feeds.Feeds.SetCalendarToken(r.Context(), a.ID, hash); err != nil {
		s.error(w, r, err)
		return
	}
	s.renderMine(w, r, a, s.formatter(r.Context()).T("feeds.cal.made"), s.baseURL+"/mein/kalender/"+raw+".ics")
}

func (s *Server) handleMineCalendarRevoke(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	if err := s.feeds.Feeds.SetCalendarToken(r.Context(), a.ID, ""); err != nil {
		s.error(w, r, err)
		return
	}
	s.renderMine(w, r, a, s.formatter(r.Context()).T("feeds.cal.revoked"), "")
}

// markOpened records that the logged-in user opened the object, for the
// unread marks of the member area. A failure is logged; the page is shown
// anyway.
func (s *Server) markOpened(r *http.Request, kind string, id int64) {
	c := current(r)
	if c == nil || s.feeds.Feeds == nil {
		return
	}
	if err := s.feeds.Feeds.MarkRead(r.Context(), c.Account.ID, kind, id, s.now()); err != nil {
		s.logger.ErrorContext(r.Context(), "mark read", "kind", kind, "id", id, "err", err)
	}
}

// handleMineOpen marks a paper or meeting read for the member and opens it.
func (s *Server) handleMineOpen(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	var kind, to string
	switch r.PathValue("kind") {
	case "vorlage":
		kind, to = ratsnetz.ReadKindPaper, "/vorlagen/"
		_, err = s.store.FindPaperByID(r.Context(), id)
	case "sitzung":
		kind, to = ratsnetz.ReadKindMeeting, "/sitzungen/"
		_, err = s.store.FindMeetingByID(r.Context(), id)
	default:
		err = ratsnetz.Errorf(ratsnetz.ENOTFOUND, "unknown kind")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.feeds.Feeds.MarkRead(r.Context(), a.ID, kind, id, s.now()); err != nil {
		s.error(w, r, err)
		return
	}
	seeOther(w, r, to+strconv.FormatInt(id, 10))
}

// ---- citizen alerts ----

type alertFormData struct {
	Orgs    []option
	Email   string
	Keyword string
	Error   string
	// Feeds are the subscription feeds: all meetings, then per body.
	Feeds []subscriptionFeed
}

// subscriptionFeed is a body's calendar and Atom feed. The calendar is
// linked with the webcal: scheme, which calendar programs subscribe to (a
// browser would only download the file); ICSURL is the same address for
// copying.
type subscriptionFeed struct {
	Label   string
	Webcal  template.URL
	ICSURL  string
	AtomURL string
}

// subscriptionFeeds lists the public feeds for the orgs of the alert form.
func (s *Server) subscriptionFeeds(all string, orgs []option) []subscriptionFeed {
	webcal := s.baseURL
	if i := strings.Index(webcal, "://"); i >= 0 {
		webcal = "webcal" + webcal[i:]
	}
	mk := func(label, ics, atom string) subscriptionFeed {
		return subscriptionFeed{Label: label, Webcal: template.URL(webcal + ics), ICSURL: s.baseURL + ics, AtomURL: atom}
	}
	out := []subscriptionFeed{mk(all, "/sitzungen.ics", "/vorlagen.atom")}
	for _, o := range orgs {
		out = append(out, mk(o.Label, "/gremien/"+o.Value+"/sitzungen.ics", "/vorlagen.atom?gremium="+o.Value))
	}
	return out
}

func (s *Server) alertOrgs(r *http.Request, selected int64) ([]option, error) {
	orgs, err := s.committees(publicContext(r.Context()))
	if err != nil {
		return nil, err
	}
	var pub []*ratsnetz.Organization
	for _, o := range orgs {
		if !o.Confidential && (o.EndDate.IsZero() || o.EndDate.After(s.now())) {
			pub = append(pub, o)
		}
	}
	return orgOptions(pub, selected), nil
}

func (s *Server) handleAlertForm(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	sel, _ := queryID(q, "gremium")
	orgs, err := s.alertOrgs(r, sel)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	s.renderForm(w, r, http.StatusOK, "feeds_alerts", f.T("feeds.alert.title"), alertFormData{Orgs: orgs,
		Feeds: s.subscriptionFeeds(f.T("feeds.alert.allBodies"), orgs)})
}

func (s *Server) handleAlertCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := s.formatter(ctx)
	d := alertFormData{Email: strings.TrimSpace(r.PostFormValue("email")), Keyword: strings.TrimSpace(r.PostFormValue("stichwort"))}
	orgID, perr := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("gremium")), 10, 64)
	if r.PostFormValue("gremium") == "" {
		orgID, perr = 0, nil
	}
	var orgName string
	if perr == nil && orgID != 0 {
		org, err := s.store.FindOrganizationByID(publicContext(ctx), orgID)
		if err != nil || org.Confidential {
			perr = errors.New("unknown organization")
		} else {
			orgName = org.Name
		}
	}
	orgs, err := s.alertOrgs(r, orgID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Orgs = orgs
	d.Feeds = s.subscriptionFeeds(f.T("feeds.alert.allBodies"), orgs)
	if perr != nil || orgID < 0 {
		d.Error = f.T("feeds.alert.badOrg")
		s.renderForm(w, r, http.StatusBadRequest, "feeds_alerts", f.T("feeds.alert.title"), d)
		return
	}
	if orgID == 0 && d.Keyword == "" {
		d.Error = f.T("feeds.alert.needChoice")
		s.renderForm(w, r, http.StatusBadRequest, "feeds_alerts", f.T("feeds.alert.title"), d)
		return
	}
	rawConfirm, confirmHash, rawUnsub, unsubHash, err := newSubscriptionTokens()
	if err != nil {
		s.error(w, r, err)
		return
	}
	ttl := s.confirmTTL()
	a := &ratsnetz.AlertSubscription{Email: d.Email, OrganizationID: orgID, Keyword: d.Keyword, ConfirmHash: confirmHash,
		UnsubscribeHash: unsubHash, UnsubscribeToken: rawUnsub, ConfirmExpires: s.now().Add(ttl)}
	if err := s.feeds.Feeds.CreateAlert(ctx, a); err != nil {
		if msg := s.userMessage(r, err); msg != "" {
			d.Error = msg
			s.renderForm(w, r, http.StatusBadRequest, "feeds_alerts", f.T("feeds.alert.title"), d)
			return
		}
		s.error(w, r, err)
		return
	}
	if !a.Active() {
		// A repeated sign-up keeps the first one's unsubscribe token.
		m := confirmMail(a, orgName, alertPages.confirmURL(s.baseURL, rawConfirm), alertPages.unsubscribeURL(s.baseURL, a.UnsubscribeToken), ttl)
		if err := s.enqueueConfirmation(ctx, m); err != nil {
			s.error(w, r, err)
			return
		}
	}
	// The same answer whether or not the address was known, so that the
	// form tells nobody who subscribed to what.
	s.renderMessage(w, r, http.StatusOK, f.T("feeds.alert.sentTitle"), f.T("feeds.alert.sent", d.Email))
}

// confirmMail is the double opt-in mail (German; the portal's citizens'
// mails are German).
func confirmMail(a *ratsnetz.AlertSubscription, orgName, confirmURL, unsubURL string, ttl time.Duration) *ratsnetz.OutgoingMail {
	what := alertWhat(orgName, a.Keyword)
	var b strings.Builder
	fmt.Fprintf(&b, "Guten Tag,\n\nSie möchten per E-Mail benachrichtigt werden über %s.\n\n", what)
	fmt.Fprintf(&b, "Bitte bestätigen Sie das Abonnement innerhalb von %d Stunden über diesen Link:\n%s\n\n", int(ttl.Hours()), confirmURL)
	b.WriteString("Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach; ohne Bestätigung erhalten Sie keine weiteren E-Mails.\n")
	if unsubURL != "" {
		fmt.Fprintf(&b, "\nAbmelden: %s\n", unsubURL)
	}
	return &ratsnetz.OutgoingMail{To: a.Email, Subject: "Bitte bestätigen Sie Ihr Abonnement", Text: b.String()}
}

// alertWhat describes an alert in a sentence part.
func alertWhat(orgName, keyword string) string {
	switch {
	case orgName != "" && keyword != "":
		return fmt.Sprintf("neue öffentliche Vorlagen und Sitzungen des Gremiums „%s“ mit dem Stichwort „%s“", orgName, keyword)
	case orgName != "":
		return fmt.Sprintf("neue öffentliche Vorlagen und Sitzungen des Gremiums „%s“", orgName)
	default:
		return fmt.Sprintf("neue öffentliche Vorlagen und Sitzungen mit dem Stichwort „%s“", keyword)
	}
}

// feedsMessages returns the feeds area's German and English messages.
func feedsMessages() (de, en map[string]string) {
	de = map[string]string{
		"nav.mine":                "Mein Bereich",
		"nav.alerts":              "Benachrichtigungen und Abonnements",
		"feeds.cal.all":           "Sitzungen",
		"feeds.cal.org":           "Sitzungen dieses Gremiums",
		"feeds.cal.mine":          "Meine Sitzungen",
		"feeds.cal.nonPublic":     "Nichtöffentliche Sitzung",
		"feeds.cal.agenda":        "Tagesordnung:",
		"feeds.cal.made":          "Ihre persönliche Kalenderadresse wurde erstellt. Eine zuvor erstellte Adresse gilt nicht mehr.",
		"feeds.cal.revoked":       "Die Kalenderadresse wurde widerrufen. Kalenderprogramme erhalten darüber keine Termine mehr.",
		"feeds.atom.title":        "Neue Vorlagen",
		"feeds.mine.title":        "Mein Bereich",
		"feeds.mine.meetings":     "Meine nächsten Sitzungen",
		"feeds.mine.noMeetings":   "Für Ihre Gremien sind zurzeit keine Sitzungen angesetzt.",
		"feeds.mine.papers":       "Neue und geänderte Unterlagen meiner Gremien",
		"feeds.mine.noPapers":     "Es gibt keine Unterlagen Ihrer Gremien.",
		"feeds.mine.unread":       "ungelesen",
		"feeds.mine.changed":      "geändert",
		"feeds.mine.unreadCount":  "%d ungelesen",
		"feeds.mine.role":         "Rolle",
		"feeds.mine.noPerson":     "Ihr Konto ist mit keiner Person verknüpft; Sitzungen und Unterlagen aus Mandaten gibt es daher hier nicht.",
		"feeds.mine.bodies":       "Meine Gremien",
		"feeds.notify.title":      "Benachrichtigungen",
		"feeds.notify.legend":     "Über neue und geänderte Unterlagen meiner Gremien per E-Mail informieren",
		"feeds.notify.sofort":     "sofort bei jeder Änderung",
		"feeds.notify.taeglich":   "einmal täglich als Zusammenfassung",
		"feeds.notify.aus":        "gar nicht (nur hier im Mitgliederbereich)",
		"feeds.notify.save":       "Einstellung speichern",
		"feeds.notify.saved":      "Ihre Benachrichtigungseinstellung wurde gespeichert.",
		"feeds.notify.delivery":   "Zustellweg und Postanschrift für Einladungen und Sitzungsunterlagen",
		"feeds.cal.title":         "Persönlicher Kalender",
		"feeds.cal.intro":         "Mit einer geheimen Adresse abonnieren Sie Ihre Sitzungen in Ihrem Kalenderprogramm. Der Kalender enthält nur, was Sie sehen dürfen. Geben Sie die Adresse nicht weiter.",
		"feeds.cal.active":        "Ihre Kalenderadresse besteht seit %s.",
		"feeds.cal.none":          "Sie haben noch keine Kalenderadresse.",
		"feeds.cal.url":           "Ihre Kalenderadresse (wird nur jetzt angezeigt)",
		"feeds.cal.new":           "Kalenderadresse erstellen",
		"feeds.cal.renew":         "Neue Adresse erstellen (die alte wird ungültig)",
		"feeds.cal.revoke":        "Kalenderadresse widerrufen",
		"feeds.err.mode":          "Bitte wählen Sie eine der angebotenen Benachrichtigungsarten.",
		"feeds.alert.title":       "E-Mail-Benachrichtigungen",
		"feeds.alert.calendar":    "Kalender abonnieren",
		"feeds.alert.address":     "Adresse zum Kopieren",
		"feeds.alert.intro":       "Lassen Sie sich per E-Mail informieren, wenn neue öffentliche Vorlagen oder Sitzungen eines Gremiums oder zu einem Stichwort erscheinen. Sie erhalten zuerst eine E-Mail mit einem Bestätigungslink; jede Benachrichtigung enthält einen Link zum Abmelden.",
		"feeds.alert.email":       "E-Mail-Adresse",
		"feeds.alert.org":         "Gremium",
		"feeds.alert.anyOrg":      "alle Gremien",
		"feeds.alert.keyword":     "Stichwort im Titel (optional)",
		"feeds.alert.submit":      "Benachrichtigung bestellen",
		"feeds.alert.badOrg":      "Bitte wählen Sie ein Gremium aus der Liste.",
		"feeds.alert.needChoice":  "Bitte wählen Sie ein Gremium oder geben Sie ein Stichwort an.",
		"feeds.alert.sentTitle":   "Bitte bestätigen Sie Ihre E-Mail-Adresse",
		"feeds.alert.sent":        "Wir haben eine E-Mail an %s geschickt. Das Abonnement beginnt, sobald Sie den Link darin bestätigen.",
		"feeds.alert.feeds":       "Kalender und Newsfeeds",
		"feeds.alert.feedsIntro":  "Ohne E-Mail: Abonnieren Sie die öffentlichen Sitzungstermine in Ihrem Kalenderprogramm oder neue Vorlagen in einem Feedreader.",
		"feeds.confirm.title":     "Abonnement bestätigen",
		"feeds.confirm.text":      "Bitte bestätigen Sie, dass Sie die E-Mail-Benachrichtigungen erhalten möchten.",
		"feeds.confirm.button":    "Abonnement bestätigen",
		"feeds.confirm.invalid":   "Der Bestätigungslink ist ungültig oder abgelaufen. Bitte bestellen Sie die Benachrichtigung erneut.",
		"feeds.confirm.doneTitle": "Abonnement bestätigt",
		"feeds.confirm.done":      "Vielen Dank. Sie erhalten ab jetzt E-Mails zu neuen öffentlichen Vorlagen und Sitzungen.",
		"feeds.unsub.title":       "Benachrichtigungen abbestellen",
		"feeds.unsub.text":        "Möchten Sie diese E-Mail-Benachrichtigung abbestellen?",
		"feeds.unsub.button":      "Abbestellen",
		"feeds.unsub.gone":        "Dieses Abonnement besteht nicht (mehr).",
		"feeds.unsub.doneTitle":   "Abbestellt",
		"feeds.unsub.done":        "Sie erhalten keine E-Mails zu diesem Abonnement mehr.",
	}
	en = map[string]string{
		"nav.mine":                "My area",
		"nav.alerts":              "Notifications and subscriptions",
		"feeds.cal.all":           "Meetings",
		"feeds.cal.org":           "Meetings of this body",
		"feeds.cal.mine":          "My meetings",
		"feeds.cal.nonPublic":     "Closed meeting",
		"feeds.cal.agenda":        "Agenda:",
		"feeds.cal.made":          "Your personal calendar address was created. Any earlier address no longer works.",
		"feeds.cal.revoked":       "The calendar address was revoked. Calendar programs get no more events from it.",
		"feeds.atom.title":        "New papers",
		"feeds.mine.title":        "My area",
		"feeds.mine.meetings":     "My next meetings",
		"feeds.mine.noMeetings":   "No meetings of your bodies are scheduled.",
		"feeds.mine.papers":       "New and changed documents of my bodies",
		"feeds.mine.noPapers":     "There are no documents of your bodies.",
		"feeds.mine.unread":       "unread",
		"feeds.mine.changed":      "changed",
		"feeds.mine.unreadCount":  "%d unread",
		"feeds.mine.role":         "Role",
		"feeds.mine.noPerson":     "Your account is not linked to a person, so there are no meetings or documents from mandates here.",
		"feeds.mine.bodies":       "My bodies",
		"feeds.notify.title":      "Notifications",
		"feeds.notify.legend":     "Tell me about new and changed documents of my bodies by e-mail",
		"feeds.notify.sofort":     "immediately on every change",
		"feeds.notify.taeglich":   "once a day as a digest",
		"feeds.notify.aus":        "not at all (only here in the member area)",
		"feeds.notify.save":       "Save setting",
		"feeds.notify.saved":      "Your notification setting was saved.",
		"feeds.notify.delivery":   "Delivery channel and postal address for invitations and meeting documents",
		"feeds.cal.title":         "Personal calendar",
		"feeds.cal.intro":         "Subscribe to your meetings in your calendar program with a secret address. It contains only what you may see. Do not pass the address on.",
		"feeds.cal.active":        "Your calendar address exists since %s.",
		"feeds.cal.none":          "You have no calendar address yet.",
		"feeds.cal.url":           "Your calendar address (shown only now)",
		"feeds.cal.new":           "Create calendar address",
		"feeds.cal.renew":         "Create a new address (the old one stops working)",
		"feeds.cal.revoke":        "Revoke calendar address",
		"feeds.err.mode":          "Please choose one of the notification options offered.",
		"feeds.alert.title":       "E-mail alerts",
		"feeds.alert.calendar":    "Subscribe to the calendar",
		"feeds.alert.address":     "address to copy",
		"feeds.alert.intro":       "Get an e-mail when new public papers or meetings of a body or on a keyword appear. You first get an e-mail with a confirmation link; every alert has a link to unsubscribe.",
		"feeds.alert.email":       "E-mail address",
		"feeds.alert.org":         "Body",
		"feeds.alert.anyOrg":      "all bodies",
		"feeds.alert.keyword":     "Keyword in the title (optional)",
		"feeds.alert.submit":      "Subscribe",
		"feeds.alert.badOrg":      "Please choose a body from the list.",
		"feeds.alert.needChoice":  "Please choose a body or enter a keyword.",
		"feeds.alert.sentTitle":   "Please confirm your e-mail address",
		"feeds.alert.sent":        "We sent an e-mail to %s. The subscription starts once you confirm the link in it.",
		"feeds.alert.feeds":       "Calendars and news feeds",
		"feeds.alert.feedsIntro":  "Without e-mail: subscribe to the public meeting dates in your calendar program or to new papers in a feed reader.",
		"feeds.confirm.title":     "Confirm subscription",
		"feeds.confirm.text":      "Please confirm that you want to receive the e-mail alerts.",
		"feeds.confirm.button":    "Confirm subscription",
		"feeds.confirm.invalid":   "The confirmation link is invalid or has expired. Please subscribe again.",
		"feeds.confirm.doneTitle": "Subscription confirmed",
		"feeds.confirm.done":      "Thank you. From now on you get e-mails about new public papers and meetings.",
		"feeds.unsub.title":       "Unsubscribe from alerts",
		"feeds.unsub.text":        "Do you want to unsubscribe from this e-mail alert?",
		"feeds.unsub.button":      "Unsubscribe",
		"feeds.unsub.gone":        "This subscription does not exist (any more).",
		"feeds.unsub.doneTitle":   "Unsubscribed",
		"feeds.unsub.done":        "You will get no more e-mails for this subscription.",
	}
	return de, en
}
