package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
)

func (s *Server) adminRoutes() {
	s.mux.HandleFunc("GET /verwaltung/konten", s.handleAdminAccounts)
	s.mux.HandleFunc("POST /verwaltung/konten", s.handleAdminCreate)
	s.mux.HandleFunc("GET /verwaltung/konten/{id}", s.handleAdminAccount)
	s.mux.HandleFunc("POST /verwaltung/konten/{id}/rollen", s.handleAdminSetRoles)
	s.mux.HandleFunc("POST /verwaltung/konten/{id}/deaktivieren", s.handleAdminDeactivate)
	s.mux.HandleFunc("POST /verwaltung/konten/{id}/zuruecksetzen", s.handleAdminReset)
	s.mux.HandleFunc("GET /verwaltung/protokoll", s.handleAdminAudit)
	s.mux.HandleFunc("GET /verwaltung/protokoll.csv", s.handleAdminAuditCSV)
	s.rightsRoutes()
}

// requireAdmin returns the login of an administrator; others are sent to
// the login page (public) or get 403. The services check the role again.
func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request) *auth.Current {
	c := s.requireLogin(w, r)
	if c == nil {
		return nil
	}
	if err := auth.RequireAdmin(c.Account); err != nil {
		s.renderMessage(w, r, http.StatusForbidden, "Kein Zugriff", ratsnetz.ErrorMessage(err)+
			" Administratorinnen und Administratoren brauchen die Zwei-Faktor-Anmeldung.")
		return nil
	}
	return c
}

type adminAccountsData struct {
	Query    string
	Accounts []accountRow
	Total    int
	Roles    []option
	Info     string
	Error    string
}

type accountRow struct {
	ID        int64
	Name      string
	Email     string
	Roles     string
	Active    bool
	TOTP      bool
	LastLogin string
	Self      bool
}

func (s *Server) handleAdminAccounts(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	d := adminAccountsData{}
	switch r.URL.Query().Get("ok") {
	case "angelegt":
		d.Info = "Das Konto wurde angelegt; die Einladung ist verschickt."
	case "deaktiviert":
		d.Info = "Das Konto wurde deaktiviert; seine Sitzungen sind beendet."
	case "zurueckgesetzt":
		d.Info = "Ein Link zum Setzen eines neuen Passworts ist verschickt."
	}
	s.renderAdminAccounts(w, r, c, http.StatusOK, d)
}

func (s *Server) renderAdminAccounts(w http.ResponseWriter, r *http.Request, c *auth.Current, status int, d adminAccountsData) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxQueryText {
		q = q[:maxQueryText]
	}
	accs, total, err := s.auth.AdminFindAccounts(r.Context(), c.Account, ratsnetz.AccountFilter{Query: q, ListOptions: ratsnetz.ListOptions{Limit: 200, WithTotal: true}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	d.Query, d.Total = q, total
	for _, a := range accs {
		var roles []string
		for _, role := range a.Roles {
			roles = append(roles, role.Kind.Label())
		}
		d.Accounts = append(d.Accounts, accountRow{ID: a.ID, Name: a.DisplayName, Email: accountLabel(a), Roles: strings.Join(roles, ", "),
			Active: a.Active, TOTP: a.TOTPEnabled, LastLogin: f.DateTime(a.LastLogin), Self: a.ID == c.Account.ID})
	}
	for _, k := range ratsnetz.RoleKinds() {
		d.Roles = append(d.Roles, option{Value: string(k), Label: k.Label(), Selected: k == ratsnetz.RoleKindMandateHolder})
	}
	s.renderForm(w, r, status, "admin_accounts", s.formatter(r.Context()).T("admin.accounts.title"), d)
}

func (s *Server) handleAdminCreate(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	a := &ratsnetz.Account{Email: email, DisplayName: strings.TrimSpace(r.PostFormValue("name"))}
	if k := ratsnetz.RoleKind(r.PostFormValue("rolle")); k != "" {
		a.Roles = []ratsnetz.AccountRole{{Kind: k}}
	}
	if pid, err := strconv.ParseInt(r.PostFormValue("person"), 10, 64); err == nil && pid > 0 {
		a.PersonID = pid
	}
	if !strings.Contains(email, "@") || len(email) > 254 {
		s.renderAdminAccounts(w, r, c, http.StatusBadRequest, adminAccountsData{Error: "Bitte geben Sie eine gültige E-Mail-Adresse an."})
		return
	}
	raw, err := s.auth.AdminCreateAccount(r.Context(), c.Account, a, s.client(r))
	if err != nil {
		msg := s.userMessage(r, err)
		if msg == "" {
			s.renderError(w, r, http.StatusInternalServerError, "")
			return
		}
		if ratsnetz.ErrorCode(err) == ratsnetz.ECONFLICT {
			msg = "Ein Konto mit dieser E-Mail-Adresse gibt es bereits."
		}
		s.renderAdminAccounts(w, r, c, http.StatusBadRequest, adminAccountsData{Error: msg})
		return
	}
	s.sendMail(r.Context(), a.Email, "Einladung zu Ratsnetz",
		"Guten Tag,\n\nfür Sie wurde ein Konto im Ratsinformationssystem angelegt. Über diesen Link legen Sie Ihr Passwort fest (gültig 7 Tage):\n\n"+
			s.absURL("/einladung?token="+url.QueryEscape(raw))+"\n")
	seeOther(w, r, "/verwaltung/konten?ok=angelegt")
}

func (s *Server) handleAdminDeactivate(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.auth.AdminDeactivate(r.Context(), c.Account, id, s.client(r)); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.EINVALID {
			s.renderAdminAccounts(w, r, c, http.StatusBadRequest, adminAccountsData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.error(w, r, err)
		return
	}
	seeOther(w, r, "/verwaltung/konten?ok=deaktiviert")
}

func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	raw, a, err := s.auth.AdminReset(r.Context(), c.Account, id, s.client(r))
	if err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.EINVALID {
			s.renderAdminAccounts(w, r, c, http.StatusBadRequest, adminAccountsData{Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.error(w, r, err)
		return
	}
	path := "/passwort-neu"
	if !a.Active && a.PasswordHash == "" {
		path = "/einladung"
	}
	s.sendMail(r.Context(), a.Email, "Ratsnetz: Passwort neu setzen",
		"Guten Tag,\n\ndie Administration hat für Ihr Konto einen Link zum Setzen eines neuen Passworts erstellt:\n\n"+
			s.absURL(path+"?token="+url.QueryEscape(raw))+"\n")
	seeOther(w, r, "/verwaltung/konten?ok=zurueckgesetzt")
}

type auditData struct {
	Events  []auditRow
	Total   int
	Pager   pager
	Action  string
	Actions []option
}

type auditRow struct {
	Time      string
	TimeISO   string
	Actor     string
	AccountID int64
	Action    string
	Object    string
	IP        string
	Detail    string
}

const auditPageSize = 50

func auditActions() []string {
	return []string{ratsnetz.AuditLogin, ratsnetz.AuditLoginFailed, ratsnetz.AuditLoginLocked, ratsnetz.AuditLogout, ratsnetz.AuditLogoutAll,
		ratsnetz.AuditTOTPEnabled, ratsnetz.AuditTOTPDisabled, ratsnetz.AuditRecoveryUsed, ratsnetz.AuditPasswordReset, ratsnetz.AuditPasswordChange,
		ratsnetz.AuditAccountCreated, ratsnetz.AuditAccountChanged, ratsnetz.AuditDeactivated, ratsnetz.AuditRolesChanged,
		ratsnetz.AuditGrantCreated, ratsnetz.AuditGrantDeleted, ratsnetz.AuditConflictDeclared, ratsnetz.AuditConflictDeleted,
		ratsnetz.AuditAccess, ratsnetz.AuditAuditExported}
}

func auditFilter(r *http.Request) ratsnetz.AuditFilter {
	f := ratsnetz.AuditFilter{}
	if a := r.URL.Query().Get("aktion"); a != "" {
		for _, x := range auditActions() {
			if x == a {
				f.Action = a
			}
		}
	}
	return f
}

func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	page := 1
	if v := r.URL.Query().Get("seite"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			s.error(w, r, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badPage"))
			return
		}
		page = n
	}
	f := auditFilter(r)
	f.Limit, f.Offset, f.WithTotal = auditPageSize, (page-1)*auditPageSize, true
	events, total, err := s.auth.AdminFindAudit(r.Context(), c.Account, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	fm := s.formatter(r.Context())
	d := auditData{Total: total, Action: f.Action, Pager: pager{Page: page, HasPrev: page > 1, HasNext: page*auditPageSize < total}}
	for _, e := range events {
		d.Events = append(d.Events, auditRow{Time: fm.DateTime(e.Time), TimeISO: fm.ISO(e.Time), Actor: e.Actor, AccountID: e.AccountID,
			Action: e.Action, Object: auditObject(e), IP: e.IP, Detail: e.Detail})
	}
	for _, a := range auditActions() {
		d.Actions = append(d.Actions, option{Value: a, Label: a, Selected: a == f.Action})
	}
	s.renderForm(w, r, http.StatusOK, "admin_audit", s.formatter(r.Context()).T("admin.audit.title"), d)
}

func auditObject(e *ratsnetz.AuditEvent) string {
	if e.ObjectKind == "" {
		return ""
	}
	return e.ObjectKind + " " + strconv.FormatInt(e.ObjectID, 10)
}

func (s *Server) handleAdminAuditCSV(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="protokoll.csv"`)
	h.Set("Cache-Control", "private, no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"Zeit (UTC)", "Konto", "Akteur", "Aktion", "Objekt", "IP", "Browser", "Details"})
	err := s.auth.AdminExportAudit(r.Context(), c.Account, auditFilter(r), s.client(r), func(e *ratsnetz.AuditEvent) error {
		cw.Write([]string{e.Time.UTC().Format("2006-01-02T15:04:05Z"), strconv.FormatInt(e.AccountID, 10), csvCell(e.Actor),
			e.Action, auditObject(e), csvCell(e.IP), csvCell(e.UserAgent), csvCell(e.Detail)})
		return cw.Error()
	})
	cw.Flush()
	if err != nil {
		s.logger.ErrorContext(r.Context(), "audit export", "err", err)
	}
}

// csvCell defuses values a spreadsheet would run as a formula.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

type adminAccountData struct {
	Account *ratsnetz.Account
	Person  string
	Roles   []roleChoice
	Info    string
	Error   string
}

type roleChoice struct {
	Kind           string
	Label          string
	Checked        bool
	BodyID         string
	OrganizationID string
}

func (s *Server) handleAdminAccount(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	a, err := s.auth.AdminFindAccount(r.Context(), c.Account, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := adminAccountData{}
	if r.URL.Query().Get("ok") != "" {
		d.Info = "Die Rollen wurden gespeichert."
	}
	s.renderAdminAccount(w, r, http.StatusOK, a, d)
}

func (s *Server) renderAdminAccount(w http.ResponseWriter, r *http.Request, status int, a *ratsnetz.Account, d adminAccountData) {
	d.Account = a
	if a.PersonID != 0 {
		d.Person = strconv.FormatInt(a.PersonID, 10)
	}
	idText := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	for _, k := range ratsnetz.RoleKinds() {
		ch := roleChoice{Kind: string(k), Label: k.Label()}
		for _, role := range a.Roles {
			if role.Kind == k {
				ch.Checked, ch.BodyID, ch.OrganizationID = true, idText(role.BodyID), idText(role.OrganizationID)
			}
		}
		d.Roles = append(d.Roles, ch)
	}
	s.renderForm(w, r, status, "admin_account", "Konto "+accountLabel(a), d)
}

func (s *Server) handleAdminSetRoles(w http.ResponseWriter, r *http.Request) {
	c := s.requireAdmin(w, r)
	if c == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	formID := func(name string) (int64, bool) {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0
	}
	bad := func(msg string) {
		a, err := s.auth.AdminFindAccount(r.Context(), c.Account, id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.renderAdminAccount(w, r, http.StatusBadRequest, a, adminAccountData{Error: msg})
	}
	var roles []ratsnetz.AccountRole
	for _, k := range r.PostForm["rolle"] {
		body, ok1 := formID("koerperschaft_" + k)
		org, ok2 := formID("organisation_" + k)
		if !ok1 || !ok2 {
			bad("Körperschaft und Organisation sind Nummern.")
			return
		}
		roles = append(roles, ratsnetz.AccountRole{Kind: ratsnetz.RoleKind(k), BodyID: body, OrganizationID: org})
	}
	person, ok := formID("person")
	if !ok {
		bad("Die Person ist eine Nummer.")
		return
	}
	if _, err := s.auth.AdminSetRoles(r.Context(), c.Account, id, roles, person, s.client(r)); err != nil {
		switch ratsnetz.ErrorCode(err) {
		case ratsnetz.EINVALID, ratsnetz.ECONFLICT:
			bad(ratsnetz.ErrorMessage(err))
		default:
			s.error(w, r, err)
		}
		return
	}
	seeOther(w, r, "/verwaltung/konten/"+strconv.FormatInt(id, 10)+"?ok=1")
}
