package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
)

// Rights pages (issue 5): grants of access to a body's or company's
// non-public material with expiry (administrators; the council office for
// its bodies), conflicts of interest (Befangenheit) recorded by the office
// or declared by members themselves. The auth service checks every right;
// the handlers only parse and render.

func (s *Server) rightsRoutes() {
	s.mux.HandleFunc("GET /verwaltung/freigaben", s.handleGrants)
	s.mux.HandleFunc("POST /verwaltung/freigaben", s.handleGrantCreate)
	s.mux.HandleFunc("POST /verwaltung/freigaben/{id}/widerrufen", s.handleGrantRevoke)
	s.mux.HandleFunc("GET /verwaltung/befangenheiten", s.handleConflicts)
	s.mux.HandleFunc("POST /verwaltung/befangenheiten", s.handleConflictRecord)
	s.mux.HandleFunc("POST /verwaltung/befangenheiten/{id}/loeschen", s.handleConflictDelete)
	s.mux.HandleFunc("GET /konto/befangenheit", s.handleOwnConflicts)
	s.mux.HandleFunc("POST /konto/befangenheit", s.handleOwnConflictDeclare)
	s.mux.HandleFunc("POST /konto/befangenheit/{id}/zurueckziehen", s.handleOwnConflictWithdraw)
}

// requireRightsManager returns the login of an administrator or the
// council office; others are sent to the login page or get 403.
func (s *Server) requireRightsManager(w http.ResponseWriter, r *http.Request) *auth.Current {
	c := s.requireLogin(w, r)
	if c == nil {
		return nil
	}
	if err := auth.RequireRightsManager(c.Account); err != nil {
		s.renderMessage(w, r, http.StatusForbidden, s.formatter(r.Context()).T("notice.forbidden"), ratsnetz.ErrorMessage(err))
		return nil
	}
	return c
}

// grantForm is what the grant form holds, kept on a rejected post.
type grantForm struct {
	Account, Person, Kind, Object, Until, Reason string
}

type grantsData struct {
	Grants []grantRow
	Form   grantForm
	Kinds  []option
	Today  string
	Info   string
	Error  string
}

type grantRow struct {
	ID       int64
	Holder   string
	Object   string
	URL      string
	Until    string
	Reason   string
	By       string
	Active   bool
	Returned bool
}

func (s *Server) handleGrants(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	d := grantsData{Form: grantForm{Kind: ratsnetz.GrantOrganization}}
	switch r.URL.Query().Get("ok") {
	case "angelegt":
		d.Info = s.formatter(r.Context()).T("rights.granted")
	case "widerrufen":
		d.Info = s.formatter(r.Context()).T("rights.revoked")
	}
	s.renderGrants(w, r, c, http.StatusOK, d)
}

func (s *Server) renderGrants(w http.ResponseWriter, r *http.Request, c *auth.Current, status int, d grantsData) {
	grants, _, err := s.auth.FindGrants(r.Context(), c.Account, ratsnetz.GrantFilter{ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	now := s.now()
	labels := map[int64]string{}
	label := func(id int64) string {
		if id == 0 {
			return ""
		}
		if l, ok := labels[id]; ok {
			return l
		}
		l := f.T("admin.grants.accountNo", id)
		if a, err := s.auth.Accounts.FindAccountByID(r.Context(), id); err == nil {
			l = accountLabel(a)
		}
		labels[id] = l
		return l
	}
	for _, g := range grants {
		row := grantRow{ID: g.ID, Reason: g.Reason, By: label(g.GrantedBy), Active: g.ActiveAt(now)}
		if g.AccountID != 0 {
			row.Holder = label(g.AccountID)
		} else {
			row.Holder = f.T("admin.personNo", g.PersonID)
		}
		id := strconv.FormatInt(g.ObjectID, 10)
		switch g.ObjectKind {
		case ratsnetz.GrantOrganization:
			row.Object, row.URL = f.T("admin.grants.orgNo", id), "/gremien/"+id
		default:
			row.Object, row.URL = f.T("admin.grants.paperNo", id), "/vorlagen/"+id
		}
		if g.Expires.IsZero() {
			row.Until = f.T("admin.grants.unlimited")
		} else {
			// Expires is the start of the day after the last day.
			row.Until = f.Date(g.Expires.In(s.loc).Add(-time.Minute))
		}
		d.Grants = append(d.Grants, row)
	}
	d.Kinds = []option{
		{Value: ratsnetz.GrantOrganization, Label: f.T("admin.grants.kindOrg"), Selected: d.Form.Kind == ratsnetz.GrantOrganization},
		{Value: ratsnetz.GrantPaper, Label: f.T("admin.grants.kindPaper"), Selected: d.Form.Kind == ratsnetz.GrantPaper},
	}
	d.Today = now.In(s.loc).Format("2006-01-02")
	s.renderForm(w, r, status, "admin_grants", f.T("admin.grants.title"), d)
}

func (s *Server) handleGrantCreate(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	form := grantForm{Account: strings.TrimSpace(r.PostFormValue("konto")), Person: strings.TrimSpace(r.PostFormValue("person")),
		Kind: r.PostFormValue("art"), Object: strings.TrimSpace(r.PostFormValue("nummer")), Until: strings.TrimSpace(r.PostFormValue("bis")),
		Reason: strings.TrimSpace(r.PostFormValue("grund"))}
	f := s.formatter(r.Context())
	bad := func(key string) {
		s.renderGrants(w, r, c, http.StatusBadRequest, grantsData{Form: form, Error: f.T(key)})
	}
	if len(form.Reason) > 500 || len(form.Account) > 254 {
		bad("admin.grants.errTooLong")
		return
	}
	g := &ratsnetz.Grant{ObjectKind: form.Kind, Reason: form.Reason}
	switch {
	case form.Account != "" && form.Person != "":
		bad("admin.grants.errBoth")
		return
	case form.Account != "":
		a, err := s.auth.Accounts.FindAccountByLogin(r.Context(), form.Account)
		if err != nil {
			if ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
				s.error(w, r, err)
				return
			}
			bad("admin.grants.errNoAccount")
			return
		}
		g.AccountID = a.ID
	case form.Person != "":
		n, err := strconv.ParseInt(form.Person, 10, 64)
		if err != nil || n <= 0 {
			bad("admin.errPerson")
			return
		}
		g.PersonID = n
	default:
		bad("admin.grants.errWho")
		return
	}
	n, err := strconv.ParseInt(form.Object, 10, 64)
	if err != nil || n <= 0 {
		bad("admin.grants.errObject")
		return
	}
	g.ObjectID = n
	if form.Until != "" {
		day, err := time.ParseInLocation("2006-01-02", form.Until, s.loc)
		if err != nil {
			bad("admin.grants.errDate")
			return
		}
		g.Expires = day.AddDate(0, 0, 1) // through the whole last day, Berlin time
	}
	err = s.auth.GrantAccess(r.Context(), c.Account, g, s.client(r))
	s.rightsDone(w, r, err, "/verwaltung/freigaben?ok=angelegt", func(status int, msg string) {
		s.renderGrants(w, r, c, status, grantsData{Form: form, Error: msg})
	})
}

func (s *Server) handleGrantRevoke(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	s.rightsRemove(w, r, c, s.auth.RevokeGrant, "/verwaltung/freigaben?ok=widerrufen", func(msg string) {
		s.renderGrants(w, r, c, http.StatusForbidden, grantsData{Error: msg})
	})
}

// rightsDone ends a rights form post that did err: on success it redirects
// to done; a refused one (invalid, forbidden, not found, conflict) is
// rendered again by refused with the store's message, 403 when forbidden,
// else 400; anything else is logged and gets the error page.
func (s *Server) rightsDone(w http.ResponseWriter, r *http.Request, err error, done string, refused func(status int, msg string)) {
	if err == nil {
		seeOther(w, r, done)
		return
	}
	msg := s.userMessage(r, err)
	if msg == "" {
		s.renderError(w, r, http.StatusInternalServerError, "")
		return
	}
	status := http.StatusBadRequest
	if ratsnetz.ErrorCode(err) == ratsnetz.EFORBIDDEN {
		status = http.StatusForbidden
	}
	refused(status, msg)
}

// rightsRemove ends a grant or conflict with remove (the ID is the path's
// {id}) and redirects to done; a forbidden one is rendered by forbidden
// with the store's message.
func (s *Server) rightsRemove(w http.ResponseWriter, r *http.Request, c *auth.Current,
	remove func(ctx context.Context, actor *ratsnetz.Account, id int64, client auth.Client) error, done string, forbidden func(msg string)) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := remove(r.Context(), c.Account, id, s.client(r)); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.EFORBIDDEN {
			forbidden(ratsnetz.ErrorMessage(err))
			return
		}
		s.error(w, r, err)
		return
	}
	seeOther(w, r, done)
}

// conflictForm is what the conflict forms hold, kept on a rejected post.
type conflictForm struct {
	Person, Item, Note string
}

type conflictsData struct {
	Conflicts []conflictRow
	Form      conflictForm
	Info      string
	Error     string
	// Member: the member's own page (no person field, own declarations).
	Member bool
}

type conflictRow struct {
	ID       int64
	Person   int64
	Item     int64
	Note     string
	Created  string
	By       string
	CanWithd bool
}

func (s *Server) conflictRows(r *http.Request, cs []*ratsnetz.ConflictOfInterest, self *ratsnetz.Account) []conflictRow {
	f := s.formatter(r.Context())
	out := make([]conflictRow, 0, len(cs))
	for _, c := range cs {
		by := f.T("admin.conflicts.byOffice")
		if c.RecordedBy == self.ID {
			by = f.T("admin.conflicts.bySelf")
		} else if a, err := s.auth.Accounts.FindAccountByID(r.Context(), c.RecordedBy); err == nil {
			by = accountLabel(a)
		}
		out = append(out, conflictRow{ID: c.ID, Person: c.PersonID, Item: c.AgendaItemID, Note: c.Note, Created: f.DateTime(c.Created), By: by,
			CanWithd: c.RecordedBy == self.ID})
	}
	return out
}

func (s *Server) handleConflicts(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	d := conflictsData{}
	switch r.URL.Query().Get("ok") {
	case "erfasst":
		d.Info = s.formatter(r.Context()).T("admin.conflicts.recorded")
	case "geloescht":
		d.Info = s.formatter(r.Context()).T("admin.conflicts.deleted")
	}
	s.renderConflicts(w, r, c, http.StatusOK, d)
}

func (s *Server) renderConflicts(w http.ResponseWriter, r *http.Request, c *auth.Current, status int, d conflictsData) {
	cs, _, err := s.auth.FindConflicts(r.Context(), c.Account, ratsnetz.ConflictFilter{ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Conflicts = s.conflictRows(r, cs, c.Account)
	s.renderForm(w, r, status, "admin_conflicts", s.formatter(r.Context()).T("admin.conflicts.title"), d)
}

func (s *Server) handleConflictRecord(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	form := conflictForm{Person: strings.TrimSpace(r.PostFormValue("person")), Item: strings.TrimSpace(r.PostFormValue("top")),
		Note: strings.TrimSpace(r.PostFormValue("notiz"))}
	f := s.formatter(r.Context())
	bad := func(status int, msg string) {
		s.renderConflicts(w, r, c, status, conflictsData{Form: form, Error: msg})
	}
	person, err1 := strconv.ParseInt(form.Person, 10, 64)
	item, err2 := strconv.ParseInt(form.Item, 10, 64)
	switch {
	case err1 != nil || person <= 0:
		bad(http.StatusBadRequest, f.T("admin.errPerson"))
		return
	case err2 != nil || item <= 0:
		bad(http.StatusBadRequest, f.T("admin.errItem"))
		return
	case len(form.Note) > 500:
		bad(http.StatusBadRequest, f.T("admin.conflicts.errNote"))
		return
	}
	_, err := s.auth.RecordConflict(r.Context(), c.Account, person, item, form.Note, s.client(r))
	s.rightsDone(w, r, err, "/verwaltung/befangenheiten?ok=erfasst", bad)
}

func (s *Server) handleConflictDelete(w http.ResponseWriter, r *http.Request) {
	c := s.requireRightsManager(w, r)
	if c == nil {
		return
	}
	s.rightsRemove(w, r, c, s.auth.DeleteConflict, "/verwaltung/befangenheiten?ok=geloescht", func(msg string) {
		s.renderConflicts(w, r, c, http.StatusForbidden, conflictsData{Error: msg})
	})
}

func (s *Server) handleOwnConflicts(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	d := conflictsData{Member: true}
	if v := r.URL.Query().Get("top"); v != "" && len(v) < 20 {
		d.Form.Item = v
	}
	switch r.URL.Query().Get("ok") {
	case "erklaert":
		d.Info = s.formatter(r.Context()).T("account.conflicts.declared")
	case "zurueckgezogen":
		d.Info = s.formatter(r.Context()).T("account.conflicts.withdrawn")
	}
	s.renderOwnConflicts(w, r, c, http.StatusOK, d)
}

func (s *Server) renderOwnConflicts(w http.ResponseWriter, r *http.Request, c *auth.Current, status int, d conflictsData) {
	cs, err := s.auth.FindOwnConflicts(r.Context(), c.Account)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Member = true
	d.Conflicts = s.conflictRows(r, cs, c.Account)
	s.renderForm(w, r, status, "account_conflicts", s.formatter(r.Context()).T("account.conflicts.title"), d)
}

func (s *Server) handleOwnConflictDeclare(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	form := conflictForm{Item: strings.TrimSpace(r.PostFormValue("top")), Note: strings.TrimSpace(r.PostFormValue("notiz"))}
	f := s.formatter(r.Context())
	bad := func(status int, msg string) {
		s.renderOwnConflicts(w, r, c, status, conflictsData{Form: form, Error: msg})
	}
	item, err := strconv.ParseInt(form.Item, 10, 64)
	if err != nil || item <= 0 {
		bad(http.StatusBadRequest, f.T("admin.errItem"))
		return
	}
	if len(form.Note) > 500 {
		bad(http.StatusBadRequest, f.T("account.conflicts.errReason"))
		return
	}
	_, err = s.auth.DeclareConflict(r.Context(), c.Account, item, form.Note, s.client(r))
	s.rightsDone(w, r, err, "/konto/befangenheit?ok=erklaert", bad)
}

func (s *Server) handleOwnConflictWithdraw(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	s.rightsRemove(w, r, c, s.auth.DeleteConflict, "/konto/befangenheit?ok=zurueckgezogen", func(msg string) {
		s.renderOwnConflicts(w, r, c, http.StatusForbidden, conflictsData{Error: msg})
	})
}
