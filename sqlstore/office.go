package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements the council office's paper writing (ratsnetz.PaperWriter)
// and the helpers the other office files share: the acting account's roles,
// creating regular objects inside an office transaction, reference numbers.
// Tables: migration 0009_office.sql.

var _ ratsnetz.OfficeService = (*DB)(nil)

// actor is the account acting in an office method, with its roles read in
// the method's transaction.
type actor struct {
	system    bool
	accountID int64
	personID  int64
	roles     []ratsnetz.AccountRole
}

// actorOf reads the viewer's account and roles; the public and deactivated
// accounts are refused.
func (db *DB) actorOf(ctx context.Context, tx *sql.Tx) (actor, error) {
	v := ratsnetz.ViewerFromContext(ctx)
	if v.System {
		return actor{system: true}, nil
	}
	if v.AccountID == 0 {
		return actor{}, ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Bitte melden Sie sich an.")
	}
	a := actor{accountID: v.AccountID}
	var active bool
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT person_id, active FROM accounts WHERE id = ?`), v.AccountID).
		Scan(&a.personID, boolScanner{&active})
	if err == sql.ErrNoRows || (err == nil && !active) {
		return actor{}, ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Das Konto ist nicht aktiv.")
	} else if err != nil {
		return actor{}, fmt.Errorf("office actor: %w", err)
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT kind, body_id, organization_id FROM account_roles WHERE account_id = ?`), v.AccountID)
	if err != nil {
		return actor{}, fmt.Errorf("office actor roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ratsnetz.AccountRole
		var kind string
		if err := rows.Scan(&kind, &r.BodyID, &r.OrganizationID); err != nil {
			return actor{}, fmt.Errorf("office actor roles: %w", err)
		}
		r.Kind = ratsnetz.RoleKind(kind)
		a.roles = append(a.roles, r)
	}
	return a, rows.Err()
}

// office reports whether a acts as council office of body (administrators
// included).
func (a actor) office(bodyID int64) bool {
	if a.system {
		return true
	}
	for _, r := range a.roles {
		if r.Kind == ratsnetz.RoleKindAdministrator || (r.Kind == ratsnetz.RoleKindCouncilOffice && (r.BodyID == 0 || r.BodyID == bodyID)) {
			return true
		}
	}
	return false
}

// anyOffice reports whether a is council office of some body.
func (a actor) anyOffice() bool {
	if a.system {
		return true
	}
	for _, r := range a.roles {
		if r.Kind == ratsnetz.RoleKindAdministrator || r.Kind == ratsnetz.RoleKindCouncilOffice {
			return true
		}
	}
	return false
}

func (a actor) hasRole(k ratsnetz.RoleKind, org int64) bool {
	for _, r := range a.roles {
		if r.Kind == k && (org == 0 || r.OrganizationID == org) {
			return true
		}
	}
	return false
}

// clerk reports whether a is a clerk of the department.
func (a actor) clerk(dept int64) bool { return dept != 0 && a.hasRole(ratsnetz.RoleKindClerk, dept) }

// departments are the clerk departments of a.
func (a actor) departments() []int64 {
	var ids []int64
	for _, r := range a.roles {
		if r.Kind == ratsnetz.RoleKindClerk {
			ids = append(ids, r.OrganizationID)
		}
	}
	return ids
}

// factions are the factions a works for.
func (a actor) factions() []int64 {
	var ids []int64
	for _, r := range a.roles {
		if r.Kind == ratsnetz.RoleKindFactionStaff {
			ids = append(ids, r.OrganizationID)
		}
	}
	return ids
}

func forbidden() error {
	return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Dafür fehlt Ihnen die Berechtigung.")
}

// officeTx runs fn in one write transaction with the acting account.
func (db *DB) officeTx(ctx context.Context, what string, fn func(tx *sql.Tx, a actor) error) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The office's writes take Load's lock first (PostgreSQL: an advisory
	// transaction lock): files.visible_public is kept by row triggers and
	// Load's set-based recompute, each reading the other owners' and
	// links' committed state. Without the lock, a paper made non-public
	// here while an import links a file to it would leave the file
	// marked public (read committed: neither sees the other's change).
	if db.dialect.BeginLoad != nil {
		if err := db.dialect.BeginLoad(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	a, err := db.actorOf(ctx, tx)
	if err != nil {
		return err
	}
	if err := fn(tx, a); err != nil {
		if _, ok := err.(*ratsnetz.Error); ok {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// newLoader returns a loader writing in tx (regular objects written by the
// office go through the same code as Load: search text, join tables,
// de-publication times).
func (db *DB) newLoader(tx *sql.Tx, now time.Time) *loader {
	return &loader{db: db, tx: tx, stmts: map[string]*sql.Stmt{}, now: now, flipped: map[string]map[int64]bool{}}
}

// newID reserves an ID in an object table by inserting a placeholder row
// the loader then fills (identity/rowid allocation on both databases).
func (db *DB) newID(ctx context.Context, tx *sql.Tx, tbl string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO "+tbl+" (deleted) VALUES ("+db.boolLit(false)+") RETURNING id").Scan(&id); err != nil {
		return 0, fmt.Errorf("new %s id: %w", tbl, err)
	}
	return id, nil
}

func (db *DB) boolLit(b bool) string {
	if db.dialect.Name == "postgres" {
		if b {
			return "TRUE"
		}
		return "FALSE"
	}
	if b {
		return "1"
	}
	return "0"
}

// berlinDay returns the calendar day of t in Berlin as midnight UTC (how
// dates are stored).
func (db *DB) berlinDay(t time.Time) time.Time {
	t = t.In(db.location())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ---- reference numbers ----

var schemeSeq = regexp.MustCompile(`\{seq(?::([1-9]))?\}`)

func validScheme(s string) error {
	if len(schemeSeq.FindAllString(s, -1)) != 1 || len(s) > 60 || strings.ContainsAny(s, "\r\n") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Schema braucht genau einen Platzhalter {seq} oder {seq:N} (N = 1 bis 9 Stellen), z. B. {year}/{seq:4}.")
	}
	return nil
}

// formatReference fills scheme for year and seq.
func formatReference(scheme string, year int, seq int64) string {
	s := strings.ReplaceAll(scheme, "{year}", strconv.Itoa(year))
	return schemeSeq.ReplaceAllStringFunc(s, func(m string) string {
		width := 0
		if sub := schemeSeq.FindStringSubmatch(m); sub[1] != "" {
			width, _ = strconv.Atoi(sub[1])
		}
		return fmt.Sprintf("%0*d", width, seq)
	})
}

// parseReference returns the running number of ref under scheme and year.
func parseReference(scheme string, year int, ref string) (int64, bool) {
	s := strings.ReplaceAll(scheme, "{year}", strconv.Itoa(year))
	loc := schemeSeq.FindStringIndex(s)
	if loc == nil {
		return 0, false
	}
	prefix, suffix := s[:loc[0]], s[loc[1]:]
	if !strings.HasPrefix(ref, prefix) || !strings.HasSuffix(ref, suffix) || len(ref) < len(prefix)+len(suffix)+1 {
		return 0, false
	}
	n, err := strconv.ParseInt(ref[len(prefix):len(ref)-len(suffix)], 10, 64)
	return n, err == nil && n > 0
}

func (db *DB) schemeOf(ctx context.Context, tx *sql.Tx, bodyID int64) (string, error) {
	var s string
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT scheme FROM office_reference_schemes WHERE body_id = ?`), bodyID).Scan(&s)
	if err == sql.ErrNoRows {
		return ratsnetz.DefaultReferenceScheme, nil
	} else if err != nil {
		return "", fmt.Errorf("reference scheme: %w", err)
	}
	return s, nil
}

// nextReference assigns the next reference number of body in year inside
// tx. The counter row is locked by the UPDATE until tx ends, so concurrent
// releases serialize and a rolled-back release gives its number back: the
// numbers stay gap-free. A new counter starts after the highest number
// already used by the body's papers (imported or demo data).
func (db *DB) nextReference(ctx context.Context, tx *sql.Tx, bodyID int64, year int) (string, error) {
	scheme, err := db.schemeOf(ctx, tx, bodyID)
	if err != nil {
		return "", err
	}
	var next int64
	err = tx.QueryRowContext(ctx, db.rebind(`SELECT next FROM office_reference_counters WHERE body_id = ? AND year = ?`), bodyID, year).Scan(&next)
	if err == sql.ErrNoRows {
		start, err := db.maxReference(ctx, tx, bodyID, scheme, year)
		if err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_reference_counters (body_id, year, next) VALUES (?, ?, ?)
			ON CONFLICT (body_id, year) DO NOTHING`), bodyID, year, start+1); err != nil {
			return "", fmt.Errorf("reference counter: %w", err)
		}
	} else if err != nil {
		return "", fmt.Errorf("reference counter: %w", err)
	}
	for range 1000 {
		var seq int64
		if err := tx.QueryRowContext(ctx, db.rebind(`UPDATE office_reference_counters SET next = next + 1 WHERE body_id = ? AND year = ? RETURNING next - 1`),
			bodyID, year).Scan(&seq); err != nil {
			return "", fmt.Errorf("reference counter: %w", err)
		}
		ref := formatReference(scheme, year, seq)
		var one int
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM papers WHERE body_id = ? AND reference = ? LIMIT 1`), bodyID, ref).Scan(&one)
		if err == sql.ErrNoRows {
			return ref, nil
		} else if err != nil {
			return "", fmt.Errorf("reference check: %w", err)
		}
		// Taken by a paper from elsewhere (import): skip it.
	}
	return "", ratsnetz.Errorf(ratsnetz.ECONFLICT, "Es ließ sich keine freie Drucksachennummer finden.")
}

func (db *DB) maxReference(ctx context.Context, tx *sql.Tx, bodyID int64, scheme string, year int) (int64, error) {
	s := strings.ReplaceAll(scheme, "{year}", strconv.Itoa(year))
	prefix := s
	if loc := schemeSeq.FindStringIndex(s); loc != nil {
		prefix = s[:loc[0]]
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT reference FROM papers WHERE body_id = ? AND reference LIKE ? ESCAPE '\'`), bodyID, likePrefix(prefix))
	if err != nil {
		return 0, fmt.Errorf("highest reference: %w", err)
	}
	defer rows.Close()
	var max int64
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return 0, fmt.Errorf("highest reference: %w", err)
		}
		if n, ok := parseReference(scheme, year, ref); ok && n > max {
			max = n
		}
	}
	return max, rows.Err()
}

func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// SetReferenceScheme sets the reference scheme of a body (council office).
func (db *DB) SetReferenceScheme(ctx context.Context, bodyID int64, scheme string) error {
	scheme = strings.TrimSpace(scheme)
	if err := validScheme(scheme); err != nil {
		return err
	}
	return db.officeTx(ctx, "set reference scheme", func(tx *sql.Tx, a actor) error {
		if !a.office(bodyID) {
			return forbidden()
		}
		_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_reference_schemes (body_id, scheme) VALUES (?, ?)
			ON CONFLICT (body_id) DO UPDATE SET scheme = excluded.scheme`), bodyID, scheme)
		return err
	})
}

// ReferenceScheme returns a body's reference scheme (default if none set).
func (db *DB) ReferenceScheme(ctx context.Context, bodyID int64) (string, error) {
	var s string
	err := db.officeTx(ctx, "reference scheme", func(tx *sql.Tx, a actor) error {
		if !a.anyOffice() {
			return forbidden()
		}
		var err error
		s, err = db.schemeOf(ctx, tx, bodyID)
		return err
	})
	return s, err
}

// ---- creating regular papers ----

// createPaper stores p (ID, Meta, Reference set here) with its
// consultations and files in tx, adds it as subordinated paper to its
// superordinated papers and bumps the data version.
func (db *DB) createPaper(ctx context.Context, tx *sql.Tx, now time.Time, p *ratsnetz.Paper, cs []*ratsnetz.Consultation, files []*ratsnetz.File) error {
	var err error
	if p.ID, err = db.newID(ctx, tx, "papers"); err != nil {
		return err
	}
	p.Created, p.Modified = now, now
	ds := &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}}
	for _, f := range files {
		if f.ID, err = db.newID(ctx, tx, "files"); err != nil {
			return err
		}
		f.Created, f.Modified = now, now
		if !p.Public {
			f.Public = false
		}
		if p.MainFileID == 0 {
			p.MainFileID = f.ID
		} else {
			p.AuxiliaryFileIDs = append(p.AuxiliaryFileIDs, f.ID)
		}
		ds.Files = append(ds.Files, f)
	}
	for i, c := range cs {
		if c.ID, err = db.newID(ctx, tx, "consultations"); err != nil {
			return err
		}
		c.PaperID, c.Position, c.Created, c.Modified = p.ID, i, now, now
		if c.Status == "" {
			c.Status = ratsnetz.ConsultationPlanned
		}
		ds.Consultations = append(ds.Consultations, c)
	}
	l := db.newLoader(tx, now)
	defer l.close()
	for _, step := range []func(context.Context, *ratsnetz.Dataset) error{l.papers, l.consultations, l.files} {
		if err := step(ctx, ds); err != nil {
			return err
		}
	}
	for _, parent := range p.SuperordinatedPaperIDs {
		var pos int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COALESCE(MAX(position) + 1, 0) FROM paper_refs WHERE paper_id = ? AND kind = ?`),
			parent, refSubordinated).Scan(&pos); err != nil {
			return fmt.Errorf("subordinate paper: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO paper_refs (paper_id, kind, position, ref_id) VALUES (?, ?, ?, ?)`),
			parent, refSubordinated, pos, p.ID); err != nil {
			return fmt.Errorf("subordinate paper: %w", err)
		}
		if err := db.touch(ctx, tx, "papers", parent, now); err != nil {
			return err
		}
	}
	return db.bumpVersion(ctx, tx)
}

// touch moves an object's modification time to now (OParl clients sync by it).
func (db *DB) touch(ctx context.Context, tx *sql.Tx, tbl string, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, db.rebind("UPDATE "+tbl+" SET modified = ? WHERE id = ?"), db.tm(now), id); err != nil {
		return fmt.Errorf("touch %s %d: %w", tbl, id, err)
	}
	return nil
}

// ---- drafts ----

func knownPaperType(t string) bool {
	switch t {
	case ratsnetz.PaperTypeResolution, ratsnetz.PaperTypeMotion, ratsnetz.PaperTypeQuestion, ratsnetz.PaperTypeAnswer,
		ratsnetz.PaperTypeNotice, ratsnetz.PaperTypeAmendment, ratsnetz.PaperTypeSupplement, ratsnetz.PaperTypeReport,
		ratsnetz.PaperTypeBoardTemplate:
		return true
	}
	return false
}

func knownConsultationRole(r string) bool {
	switch r {
	case ratsnetz.ConsultationPreliminary, ratsnetz.ConsultationDecision, ratsnetz.ConsultationNotice, ratsnetz.ConsultationHearing:
		return true
	}
	return false
}

func checkText(label, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte füllen Sie das Feld „%s“ aus.", label)
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Feld „%s“ ist zu lang (höchstens %d Zeichen).", label, max)
	}
	return nil
}

// validateDraft checks the draft's fields and that its organizations exist
// in its body.
func (db *DB) validateDraft(ctx context.Context, tx *sql.Tx, d *ratsnetz.PaperDraft) error {
	d.Name = strings.TrimSpace(d.Name)
	if err := checkText("Betreff", d.Name, 500, true); err != nil {
		return err
	}
	if !knownPaperType(d.PaperType) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie eine Vorlagenart.")
	}
	if len(d.Sections) > 20 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Höchstens 20 Abschnitte.")
	}
	for _, s := range d.Sections {
		if err := checkText("Überschrift", s.Heading, 200, false); err != nil {
			return err
		}
		if err := checkText(s.Heading, s.Text, 100000, false); err != nil {
			return err
		}
	}
	if len(d.Consultations) > 20 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Höchstens 20 Beratungen.")
	}
	orgType := func(id int64) (string, error) {
		var t string
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT organization_type FROM organizations WHERE id = ? AND body_id = ? AND NOT deleted`), id, d.BodyID).Scan(&t)
		if err == sql.ErrNoRows {
			return "", nil
		}
		return t, err
	}
	if d.DepartmentID != 0 {
		t, err := orgType(d.DepartmentID)
		if err != nil {
			return err
		}
		if t != ratsnetz.OrgTypeVerwaltungsbereich {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Das federführende Amt ist keine Verwaltungseinheit dieser Körperschaft.")
		}
	}
	for i, c := range d.Consultations {
		if !knownConsultationRole(c.Role) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Beratung %d: bitte wählen Sie eine Rolle.", i+1)
		}
		t, err := orgType(c.OrganizationID)
		if err != nil {
			return err
		}
		if t != ratsnetz.OrgTypeGremium {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Beratung %d: bitte wählen Sie ein Gremium dieser Körperschaft.", i+1)
		}
	}
	if d.ParentPaperID != 0 {
		var one int
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM papers WHERE id = ? AND body_id = ? AND NOT deleted`), d.ParentPaperID, d.BodyID).Scan(&one)
		if err == sql.ErrNoRows {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Die übergeordnete Vorlage gibt es nicht.")
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (a actor) canWriteDraft(bodyID, dept int64) bool { return a.office(bodyID) || a.clerk(dept) }

func (a actor) canSeeDraft(d *ratsnetz.PaperDraft) bool {
	return a.office(d.BodyID) || a.clerk(d.DepartmentID) || (a.accountID != 0 && a.accountID == d.AuthorID)
}

// CreatePaperDraft stores a new draft of the viewer (version 1).
func (db *DB) CreatePaperDraft(ctx context.Context, d *ratsnetz.PaperDraft) error {
	return db.officeTx(ctx, "create paper draft", func(tx *sql.Tx, a actor) error {
		if !a.canWriteDraft(d.BodyID, d.DepartmentID) {
			return forbidden()
		}
		if err := db.validateDraft(ctx, tx, d); err != nil {
			return err
		}
		now := db.now()
		d.AuthorID, d.State, d.Version, d.Created, d.Modified = a.accountID, ratsnetz.DraftOpen, 1, now, now
		d.PaperID, d.Reference, d.ReleasedBy, d.Released = 0, "", 0, time.Time{}
		sections, err := jsonText(d.Sections)
		if err != nil {
			return err
		}
		cons, err := encodeJSON(d.Consultations)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO office_drafts (body_id, department_id, author_id, name, paper_type, public,
			sections, consultations, parent_paper_id, state, version, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			d.BodyID, d.DepartmentID, d.AuthorID, d.Name, d.PaperType, d.Public, sections, cons, d.ParentPaperID, d.State, d.Version,
			db.tm(now), db.tm(now)).Scan(&d.ID); err != nil {
			return err
		}
		return db.saveDraftVersion(ctx, tx, d, a.accountID, now, sections)
	})
}

func (db *DB) saveDraftVersion(ctx context.Context, tx *sql.Tx, d *ratsnetz.PaperDraft, account int64, now time.Time, sections string) error {
	_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_draft_versions (draft_id, version, account_id, saved, name, paper_type, sections)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), d.ID, d.Version, account, db.tm(now), d.Name, d.PaperType, sections)
	return err
}

// UpdatePaperDraft saves d as a new version if version is the current one.
func (db *DB) UpdatePaperDraft(ctx context.Context, d *ratsnetz.PaperDraft, version int) error {
	return db.officeTx(ctx, "update paper draft", func(tx *sql.Tx, a actor) error {
		old, err := db.draftByID(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if !a.canSeeDraft(old) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		d.BodyID = old.BodyID
		if !a.canWriteDraft(old.BodyID, old.DepartmentID) && old.AuthorID != a.accountID || !a.canWriteDraft(d.BodyID, d.DepartmentID) {
			return forbidden()
		}
		if old.State != ratsnetz.DraftOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Entwurf ist schon freigegeben und kann nicht mehr geändert werden.")
		}
		if err := db.validateDraft(ctx, tx, d); err != nil {
			return err
		}
		now := db.now()
		sections, err := jsonText(d.Sections)
		if err != nil {
			return err
		}
		cons, err := encodeJSON(d.Consultations)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_drafts SET department_id = ?, name = ?, paper_type = ?, public = ?, sections = ?,
			consultations = ?, parent_paper_id = ?, version = version + 1, modified = ? WHERE id = ? AND version = ? AND state = ?`),
			d.DepartmentID, d.Name, d.PaperType, d.Public, sections, cons, d.ParentPaperID, db.tm(now), d.ID, version, ratsnetz.DraftOpen)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Entwurf wurde inzwischen von jemand anderem gespeichert. Bitte laden Sie ihn neu und übertragen Sie Ihre Änderungen.")
		}
		d.Version, d.Modified, d.AuthorID, d.State, d.Created = version+1, now, old.AuthorID, old.State, old.Created
		return db.saveDraftVersion(ctx, tx, d, a.accountID, now, sections)
	})
}

const draftCols = `id, body_id, department_id, author_id, name, paper_type, public, sections, consultations, parent_paper_id,
	state, version, paper_id, reference, released_by, released, created, modified`

func scanDraft(sc interface{ Scan(...any) error }) (*ratsnetz.PaperDraft, error) {
	d := &ratsnetz.PaperDraft{}
	err := sc.Scan(&d.ID, &d.BodyID, &d.DepartmentID, &d.AuthorID, &d.Name, &d.PaperType, boolScanner{&d.Public},
		jsonScanner{&d.Sections}, jsonScanner{&d.Consultations}, &d.ParentPaperID, &d.State, &d.Version, &d.PaperID,
		&d.Reference, &d.ReleasedBy, timeScanner{&d.Released}, timeScanner{&d.Created}, timeScanner{&d.Modified})
	return d, err
}

func (db *DB) draftByID(ctx context.Context, tx *sql.Tx, id int64) (*ratsnetz.PaperDraft, error) {
	d, err := scanDraft(tx.QueryRowContext(ctx, db.rebind(`SELECT `+draftCols+` FROM office_drafts WHERE id = ?`), id))
	if err == sql.ErrNoRows {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
	} else if err != nil {
		return nil, fmt.Errorf("find draft %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, name, file_name, mime_type, size, sha256, sha512, blob_key, public, created
		FROM office_draft_files WHERE draft_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("find draft files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f ratsnetz.DraftAttachment
		if err := rows.Scan(&f.ID, &f.Name, &f.FileName, &f.MimeType, &f.Size, &f.SHA256, &f.SHA512, &f.BlobKey,
			boolScanner{&f.Public}, timeScanner{&f.Created}); err != nil {
			return nil, fmt.Errorf("find draft files: %w", err)
		}
		d.Attachments = append(d.Attachments, f)
	}
	return d, rows.Err()
}

// FindPaperDraftByID returns a draft the viewer may see; ENOTFOUND otherwise.
func (db *DB) FindPaperDraftByID(ctx context.Context, id int64) (*ratsnetz.PaperDraft, error) {
	var d *ratsnetz.PaperDraft
	err := db.officeTx(ctx, "find paper draft", func(tx *sql.Tx, a actor) error {
		var err error
		if d, err = db.draftByID(ctx, tx, id); err != nil {
			return err
		}
		if !a.canSeeDraft(d) {
			d = nil
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// FindPaperDrafts lists the drafts the viewer may see, newest first.
func (db *DB) FindPaperDrafts(ctx context.Context, f ratsnetz.PaperDraftFilter) ([]*ratsnetz.PaperDraft, int, error) {
	var out []*ratsnetz.PaperDraft
	total := -1
	err := db.officeTx(ctx, "find paper drafts", func(tx *sql.Tx, a actor) error {
		w := db.newWhere()
		if !a.system {
			// Own drafts, the clerk departments' drafts, the office's bodies.
			conds := []string{"author_id = ?"}
			args := []any{a.accountID}
			if deps := a.departments(); len(deps) > 0 {
				set, arg := db.idSet(deps)
				conds, args = append(conds, "department_id IN ("+set+")"), append(args, arg)
			}
			for _, r := range a.roles {
				if r.Kind == ratsnetz.RoleKindAdministrator || (r.Kind == ratsnetz.RoleKindCouncilOffice && r.BodyID == 0) {
					conds = []string{"1 = 1"}
					args = nil
					break
				}
				if r.Kind == ratsnetz.RoleKindCouncilOffice {
					conds, args = append(conds, "body_id = ?"), append(args, r.BodyID)
				}
			}
			w.add("("+strings.Join(conds, " OR ")+")", args...)
		}
		if f.BodyID != 0 {
			w.add("body_id = ?", f.BodyID)
		}
		if f.State != "" {
			w.add("state = ?", f.State)
		}
		if f.WithTotal {
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM office_drafts`+w.sql()), w.args...).Scan(&total); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT `+draftCols+` FROM office_drafts`+w.sql()+` ORDER BY modified DESC, id DESC LIMIT ? OFFSET ?`),
			append(w.args, limitOf(f.ListOptions), f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDraft(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// FindPaperDraftVersions lists a draft's saved versions, newest first.
func (db *DB) FindPaperDraftVersions(ctx context.Context, id int64) ([]*ratsnetz.PaperDraftVersion, error) {
	var out []*ratsnetz.PaperDraftVersion
	err := db.officeTx(ctx, "find draft versions", func(tx *sql.Tx, a actor) error {
		d, err := db.draftByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.canSeeDraft(d) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT version, account_id, saved, name, paper_type, sections
			FROM office_draft_versions WHERE draft_id = ? ORDER BY version DESC`), id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := &ratsnetz.PaperDraftVersion{}
			if err := rows.Scan(&v.Version, &v.AccountID, timeScanner{&v.Saved}, &v.Name, &v.PaperType, jsonScanner{&v.Sections}); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddDraftAttachment records an uploaded file of an open draft.
func (db *DB) AddDraftAttachment(ctx context.Context, draftID int64, f *ratsnetz.DraftAttachment) error {
	return db.officeTx(ctx, "add draft attachment", func(tx *sql.Tx, a actor) error {
		d, err := db.draftByID(ctx, tx, draftID)
		if err != nil {
			return err
		}
		if !a.canSeeDraft(d) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		if d.State != ratsnetz.DraftOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Entwurf ist schon freigegeben.")
		}
		if len(d.Attachments) >= 40 {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Höchstens 40 Anlagen je Vorlage.")
		}
		if err := checkText("Bezeichnung", f.Name, 300, true); err != nil {
			return err
		}
		if f.BlobKey == "" || len(f.SHA256) != 64 {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Datei fehlt.")
		}
		now := db.now()
		f.Created = now
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO office_draft_files (draft_id, name, file_name, mime_type, size, sha256, sha512,
			blob_key, public, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), draftID, f.Name, f.FileName, f.MimeType, f.Size,
			f.SHA256, f.SHA512, f.BlobKey, f.Public, db.tm(now)).Scan(&f.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE office_drafts SET modified = ? WHERE id = ?`), db.tm(now), draftID)
		return err
	})
}

// RemoveDraftAttachment removes a file from an open draft (the blob stays:
// keys are never reused, a cleanup job may collect it).
func (db *DB) RemoveDraftAttachment(ctx context.Context, draftID, attachmentID int64) error {
	return db.officeTx(ctx, "remove draft attachment", func(tx *sql.Tx, a actor) error {
		d, err := db.draftByID(ctx, tx, draftID)
		if err != nil {
			return err
		}
		if !a.canSeeDraft(d) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		if d.State != ratsnetz.DraftOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Entwurf ist schon freigegeben.")
		}
		res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM office_draft_files WHERE id = ? AND draft_id = ?`), attachmentID, draftID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diese Anlage gibt es nicht.")
		}
		return nil
	})
}

// ReleasePaperDraft releases a draft (Freigabe): council office only.
func (db *DB) ReleasePaperDraft(ctx context.Context, id int64) (*ratsnetz.Paper, error) {
	var p *ratsnetz.Paper
	err := db.officeTx(ctx, "release paper draft", func(tx *sql.Tx, a actor) error {
		d, err := db.draftByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.canSeeDraft(d) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Entwurf gibt es nicht.")
		}
		if !a.office(d.BodyID) {
			return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Freigeben darf nur der Sitzungsdienst.")
		}
		now := db.now()
		// The state guard makes a second, concurrent release fail.
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_drafts SET state = ?, released_by = ?, released = ?, modified = ?
			WHERE id = ? AND state = ?`), ratsnetz.DraftReleased, a.accountID, db.tm(now), db.tm(now), id, ratsnetz.DraftOpen)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Entwurf ist schon freigegeben.")
		}
		year := now.In(db.location()).Year()
		ref, err := db.nextReference(ctx, tx, d.BodyID, year)
		if err != nil {
			return err
		}
		p = &ratsnetz.Paper{BodyID: d.BodyID, Name: d.Name, Reference: ref, Date: db.berlinDay(now), PaperType: d.PaperType,
			Status: ratsnetz.PaperStatusInProgress, Public: d.Public, Sections: d.Sections}
		if d.DepartmentID != 0 {
			p.UnderDirectionOfIDs = []int64{d.DepartmentID}
			p.OriginatorOrganizationIDs = []int64{d.DepartmentID}
		}
		if d.ParentPaperID != 0 {
			p.SuperordinatedPaperIDs = []int64{d.ParentPaperID}
		}
		var cs []*ratsnetz.Consultation
		for _, c := range d.Consultations {
			cs = append(cs, &ratsnetz.Consultation{OrganizationIDs: []int64{c.OrganizationID}, Role: c.Role,
				Authoritative: c.Role == ratsnetz.ConsultationDecision, Date: c.Date})
		}
		var files []*ratsnetz.File
		for _, f := range d.Attachments {
			files = append(files, &ratsnetz.File{BodyID: d.BodyID, Name: f.Name, FileName: f.FileName, MimeType: f.MimeType,
				Date: p.Date, Size: f.Size, SHA256: f.SHA256, SHA512: f.SHA512, BlobKey: f.BlobKey, Public: f.Public})
		}
		if err := db.createPaper(ctx, tx, now, p, cs, files); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE office_drafts SET paper_id = ?, reference = ? WHERE id = ?`), p.ID, ref, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
