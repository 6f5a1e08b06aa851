package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Empty reports whether no body is stored yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM bodies LIMIT 1`).Scan(&one)
	if err == sql.ErrNoRows {
		return true, nil
	} else if err != nil {
		return false, fmt.Errorf("empty: %w", err)
	}
	return false, nil
}

// Load inserts or replaces every object of ds by ID, in one transaction.
// The ID lists of a loaded object replace its stored ones, so loading the
// same data twice changes nothing. When an object's Public flips from true
// to false, the time is kept as its de-publication time.
func (db *DB) Load(ctx context.Context, ds *ratsnetz.Dataset) error {
	if ds == nil {
		return nil
	}
	return db.load(ctx, ds, true, nil)
}

// load writes ds in one transaction. The data version moves when a table
// was written, or always with bumpAlways; inTx, if set, writes more in the
// same transaction before the commit (the importer's progress).
func (db *DB) load(ctx context.Context, ds *ratsnetz.Dataset, bumpAlways bool, inTx func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load: begin: %w", err)
	}
	defer tx.Rollback()
	if db.dialect.BeginLoad != nil {
		if err := db.dialect.BeginLoad(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	l := &loader{db: db, tx: tx, stmts: map[string]*sql.Stmt{}, now: db.Now(), flipped: map[string]map[int64]bool{}}
	defer l.close()
	if err := l.beginBulk(ctx); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	steps := []func(context.Context, *ratsnetz.Dataset) error{
		l.bodies, l.terms, l.locations, l.organizations, l.persons, l.memberships,
		l.meetings, l.agendaItems, l.papers, l.consultations, l.files,
	}
	for _, step := range steps {
		if err := step(ctx, ds); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if err := l.bumpParents(ctx, ds); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := l.endBulk(ctx); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if bumpAlways || len(l.tables) > 0 {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if db.dialect.AfterLoad != nil && len(l.tables) > 0 {
		if err := db.dialect.AfterLoad(ctx, tx, l.tables); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if inTx != nil {
		if err := inTx(tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load: commit: %w", err)
	}
	if db.dialect.AfterCommit != nil && len(l.tables) > 0 {
		if err := db.dialect.AfterCommit(ctx, db.write, append(l.tables, l.joined...)); err != nil {
			return fmt.Errorf("load: after commit: %w", err)
		}
	}
	return nil
}

// loader writes one dataset in one transaction with cached prepared
// multi-row statements.
type loader struct {
	db     *DB
	tx     *sql.Tx
	stmts  map[string]*sql.Stmt
	bound  map[string]string // statement texts in the dialect's placeholders
	tables []string          // object tables written
	joined []string          // join tables written
	now    time.Time
	// flipped holds per table the IDs this load de-published.
	flipped map[string]map[int64]bool
	// visFiles are the files whose visible_public this load may have
	// changed: files written, files linked or unlinked; visMeetings the
	// meetings written (their agenda items' files). See endBulk.
	visFiles    map[int64]struct{}
	visMeetings []int64
}

// beginBulk switches the file-visibility row triggers of migration 0013
// off for this transaction only (migration 0025): on PostgreSQL with a
// transaction-local setting, on SQLite with a row in bulk_load that endBulk
// deletes again before the commit (SQLite has one writer at a time, so no
// other write can see it). endBulk then recomputes files.visible_public
// once, set-based, for the files the load touched.
func (l *loader) beginBulk(ctx context.Context) error {
	q := "INSERT INTO bulk_load (id) VALUES (1)"
	if l.db.dialect.Name == "postgres" {
		q = "SELECT set_config('ratsnetz.bulk', 'on', true)"
	}
	if _, err := l.tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("begin bulk load: %w", err)
	}
	l.visFiles = map[int64]struct{}{}
	return nil
}

// endBulk recomputes files.visible_public of every file the load touched
// (written, linked, unlinked, or owned by a written owner or by an agenda
// item of a written meeting) with the public's file rule
// (viewer.fileOwnersVisible, the rule VisibilityFlagMismatches checks) and
// switches the row triggers on again. Only rows whose flag changes are
// written.
func (l *loader) endBulk(ctx context.Context) error {
	if len(l.visMeetings) > 0 {
		// A meeting's public flag is part of the rule for its agenda
		// items' files.
		err := l.db.refs(ctx, l.tx, "SELECT a.meeting_id, '', l.file_id FROM agenda_items a JOIN file_links l ON l.owner_kind = 'agenda_item' AND l.owner_id = a.id WHERE a.meeting_id IN (%s)",
			l.visMeetings, func(r refRow) { l.visFiles[r.ref] = struct{}{} })
		if err != nil {
			return fmt.Errorf("refresh file visibility: %w", err)
		}
	}
	if len(l.visFiles) > 0 {
		ids := make([]int64, 0, len(l.visFiles))
		for id := range l.visFiles {
			ids = append(ids, id)
		}
		set, arg := l.db.idSet(ids)
		q := "UPDATE files SET visible_public = NOT visible_public WHERE id IN (" + set + ")" +
			" AND (CASE WHEN visible_public THEN 1 ELSE 0 END) <> (CASE WHEN public AND " + viewer{}.fileOwnersVisible("files.id") + " THEN 1 ELSE 0 END)"
		if err := l.exec(ctx, q, []any{arg}); err != nil {
			return fmt.Errorf("refresh file visibility: %w", err)
		}
	}
	q := "DELETE FROM bulk_load"
	if l.db.dialect.Name == "postgres" {
		q = "SELECT set_config('ratsnetz.bulk', 'off', true)"
	}
	if _, err := l.tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("end bulk load: %w", err)
	}
	return nil
}

func (l *loader) close() {
	for _, s := range l.stmts {
		s.Close()
	}
}

func (l *loader) exec(ctx context.Context, q string, args []any) error {
	if l.cached() {
		// pgx keeps every statement text it ran prepared per connection
		// (its statement cache): the same text is parsed and planned once
		// per connection, not on every Load as an explicit Prepare + Close
		// would.
		b, ok := l.bound[q]
		if !ok {
			if l.bound == nil {
				l.bound = map[string]string{}
			}
			b = l.db.rebind(q)
			l.bound[q] = b
		}
		_, err := l.tx.ExecContext(ctx, b, args...)
		return err
	}
	st, ok := l.stmts[q]
	if !ok {
		var err error
		st, err = l.tx.PrepareContext(ctx, l.db.rebind(q))
		if err != nil {
			return err
		}
		l.stmts[q] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// cached reports whether the driver keeps statements prepared across
// transactions (pgx on PostgreSQL); then the loader runs statements
// directly and keeps their texts to few shapes.
func (l *loader) cached() bool { return l.db.dialect.Name == "postgres" }

// chunk is how many of n remaining rows go into the next statement of at
// most size rows. With a statement cache the last rows go in chunks of
// powers of two, so that a table has at most ~9 statement texts whatever
// the row counts (each one is prepared once per connection); without one,
// all go into one statement.
func (l *loader) chunk(n, size int) int {
	if n >= size || !l.cached() {
		return min(n, size)
	}
	return 1 << (bits.Len(uint(n)) - 1)
}

// batch is how many rows of n columns go into one statement.
func (l *loader) batch(n int) int {
	b := l.db.dialect.MaxParams / n
	if b > 200 {
		b = 200
	}
	if b < 1 {
		b = 1
	}
	return b
}

// insert writes rows (each len(cols) values) with multi-row INSERTs; suffix
// follows the VALUES list (the ON CONFLICT clause of an upsert).
func (l *loader) insert(ctx context.Context, tbl string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	if suffix == "" {
		l.joined = append(l.joined, tbl)
	}
	one := "(" + placeholders(len(cols)) + ")"
	head := "INSERT INTO " + tbl + " (" + strings.Join(cols, ", ") + ") VALUES "
	size := l.batch(len(cols))
	for start := 0; start < len(rows); {
		end := start + l.chunk(len(rows)-start, size)
		q := head + strings.Repeat(one+", ", end-start-1) + one + suffix
		args := make([]any, 0, (end-start)*len(cols))
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		if err := l.exec(ctx, q, args); err != nil {
			return fmt.Errorf("insert %s: %w", tbl, err)
		}
		start = end
	}
	return nil
}

// upsert inserts or replaces rows by id (the first column).
func (l *loader) upsert(ctx context.Context, tbl string, cols []string, rows [][]any, flagged bool) error {
	if len(rows) == 0 {
		return nil
	}
	l.tables = append(l.tables, tbl)
	var set []string
	for _, c := range cols[1:] {
		if c == "visible_public" {
			// A guess only (see files): the stored flag stays while public
			// does not change; the triggers or endBulk set the real value.
			set = append(set, "visible_public = CASE WHEN excluded.public = "+tbl+".public THEN "+tbl+".visible_public ELSE excluded.public END")
			continue
		}
		if c == "modified" {
			// Modification times only move forward: a parent's time may
			// have been moved by a change of an embedded child.
			set = append(set, "modified = CASE WHEN "+tbl+".modified IS NULL OR excluded.modified > "+tbl+".modified THEN excluded.modified ELSE "+tbl+".modified END")
			continue
		}
		set = append(set, c+" = excluded."+c)
	}
	if flagged {
		set = append(set, "depublished_at = CASE WHEN excluded.public THEN NULL ELSE "+tbl+".depublished_at END")
	}
	return l.insert(ctx, tbl, cols, rows, " ON CONFLICT (id) DO UPDATE SET "+strings.Join(set, ", "))
}

// depublish records now as the de-publication time of the stored public
// objects among ids (the incoming non-public ones) and remembers which
// flipped.
func (l *loader) depublish(ctx context.Context, tbl string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	set, arg := l.db.idSet(ids)
	rows, err := l.tx.QueryContext(ctx, l.db.rebind("UPDATE "+tbl+" SET depublished_at = ? WHERE public AND id IN ("+set+") RETURNING id"),
		l.db.tm(l.now), arg)
	if err != nil {
		return fmt.Errorf("depublish %s: %w", tbl, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("depublish %s: %w", tbl, err)
		}
		if l.flipped[tbl] == nil {
			l.flipped[tbl] = map[int64]bool{}
		}
		l.flipped[tbl][id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("depublish %s: %w", tbl, err)
	}
	return nil
}

// clear deletes the rows of a join table owned by ids (a new Load of an
// owner replaces its lists).
func (l *loader) clear(ctx context.Context, tbl, ownerCol string, ids []int64, lead string, leadArgs ...any) error {
	if len(ids) == 0 {
		return nil
	}
	// One ID-set argument: the statement text is the same for any number
	// of owners.
	set, arg := l.db.idSet(ids)
	if err := l.exec(ctx, "DELETE FROM "+tbl+" WHERE "+lead+ownerCol+" IN ("+set+")", append(leadArgs, arg)); err != nil {
		return fmt.Errorf("clear %s: %w", tbl, err)
	}
	return nil
}

// unique keeps the last object of every ID, in first-seen order, and checks IDs.
func unique[T any](kind string, xs []*T, meta func(*T) *ratsnetz.Meta) ([]*T, []int64, error) {
	if len(xs) == 0 {
		return nil, nil, nil
	}
	pos := make(map[int64]int, len(xs))
	out := make([]*T, 0, len(xs))
	ids := make([]int64, 0, len(xs))
	for _, x := range xs {
		if x == nil {
			return nil, nil, ratsnetz.Errorf(ratsnetz.EINVALID, "%s: leeres Objekt.", kind)
		}
		id := meta(x).ID
		if id <= 0 {
			return nil, nil, ratsnetz.Errorf(ratsnetz.EINVALID, "%s: ungültige Kennung %d.", kind, id)
		}
		if i, ok := pos[id]; ok {
			out[i] = x
			continue
		}
		pos[id] = len(out)
		out = append(out, x)
		ids = append(ids, id)
	}
	return out, ids, nil
}

var metaCols = []string{"id", "external_id", "created", "modified", "deleted"}

func (l *loader) meta(m *ratsnetz.Meta) []any {
	return []any{m.ID, m.ExternalID, l.db.tm(m.Created), l.db.tm(m.Modified), m.Deleted}
}

func cols(extra ...string) []string { return append(append([]string{}, metaCols...), extra...) }

func encodeJSON(v any) (string, error) {
	s, err := jsonText(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return s, nil
}

func (l *loader) bodies(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Körperschaft", ds.Bodies, func(b *ratsnetz.Body) *ratsnetz.Meta { return &b.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, b := range xs {
		eq, err := encodeJSON(b.Equivalent)
		if err != nil {
			return err
		}
		rows = append(rows, append(l.meta(&b.Meta), b.Name, b.ShortName, b.Kind, b.OwnerBodyID, b.Website,
			b.License, l.db.tm(b.LicenseValidSince), l.db.tm(b.OparlSince), b.AGS, b.RGS,
			eq, b.ContactEmail, b.ContactName, b.Classification, b.LocationID))
	}
	return l.upsert(ctx, "bodies", cols("name", "short_name", "kind", "owner_body_id", "website",
		"license", "license_valid_since", "oparl_since", "ags", "rgs",
		"equivalent", "contact_email", "contact_name", "classification", "location_id"), rows, false)
}

func (l *loader) terms(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Wahlperiode", ds.LegislativeTerms, func(t *ratsnetz.LegislativeTerm) *ratsnetz.Meta { return &t.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, t := range xs {
		rows = append(rows, append(l.meta(&t.Meta), t.BodyID, t.Name, l.db.tm(t.StartDate), l.db.tm(t.EndDate)))
	}
	return l.upsert(ctx, "legislative_terms", cols("body_id", "name", "start_date", "end_date"), rows, false)
}

func (l *loader) locations(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Ort", ds.Locations, func(x *ratsnetz.Location) *ratsnetz.Meta { return &x.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, x := range xs {
		rows = append(rows, append(l.meta(&x.Meta), x.BodyID, x.Description, x.StreetAddress, x.Room, x.PostalCode,
			x.SubLocality, x.Locality, x.HasGeo, x.Lat, x.Lon))
	}
	return l.upsert(ctx, "locations", cols("body_id", "description", "street_address", "room", "postal_code",
		"sub_locality", "locality", "has_geo", "lat", "lon"), rows, false)
}

func (l *loader) organizations(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Gremium", ds.Organizations, func(x *ratsnetz.Organization) *ratsnetz.Meta { return &x.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, o := range xs {
		post, err := encodeJSON(o.Post)
		if err != nil {
			return err
		}
		rows = append(rows, append(l.meta(&o.Meta), o.BodyID, o.Name, o.ShortName, o.OrganizationType, o.Classification,
			post, o.SubOrganizationOfID, l.db.tm(o.StartDate), l.db.tm(o.EndDate), o.Website,
			o.LocationID, o.ExternalBodyID, o.Seats, o.Color, o.Confidential, o.InvitationDays))
	}
	return l.upsert(ctx, "organizations", cols("body_id", "name", "short_name", "organization_type", "classification",
		"post", "sub_organization_of_id", "start_date", "end_date", "website",
		"location_id", "external_body_id", "seats", "color", "confidential", "invitation_days"), rows, false)
}

func (l *loader) persons(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Person", ds.Persons, func(x *ratsnetz.Person) *ratsnetz.Meta { return &x.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, p := range xs {
		var js [4]string
		for i, v := range [][]string{p.Title, p.Phone, p.Email, p.Status} {
			if js[i], err = encodeJSON(v); err != nil {
				return err
			}
		}
		rows = append(rows, append(l.meta(&p.Meta), p.BodyID, p.Name, p.FamilyName, p.GivenName, p.FormOfAddress,
			p.Affix, js[0], p.Gender, js[1], js[2], p.LocationID, js[3], p.Life, p.LifeSource))
	}
	return l.upsert(ctx, "persons", cols("body_id", "name", "family_name", "given_name", "form_of_address",
		"affix", "title", "gender", "phone", "email", "location_id", "status", "life", "life_source"), rows, false)
}

func (l *loader) memberships(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, _, err := unique("Mitgliedschaft", ds.Memberships, func(x *ratsnetz.Membership) *ratsnetz.Meta { return &x.Meta })
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	for _, m := range xs {
		rows = append(rows, append(l.meta(&m.Meta), m.PersonID, m.OrganizationID, m.Role, m.VotingRight,
			l.db.tm(m.StartDate), l.db.tm(m.EndDate), m.OnBehalfOfID))
	}
	return l.upsert(ctx, "memberships", cols("person_id", "organization_id", "role", "voting_right",
		"start_date", "end_date", "on_behalf_of_id"), rows, false)
}

// fileLinks collects file_links rows of one owner kind.
type fileLinks [][]any

func (fl *fileLinks) add(kind string, owner int64, role string, ids ...int64) {
	for i, id := range ids {
		if id != 0 {
			*fl = append(*fl, []any{kind, owner, role, i, id})
		}
	}
}

var fileLinkCols = []string{"owner_kind", "owner_id", "role", "position", "file_id"}

// touch records file id as one whose visible_public a bulk load must
// recompute (nothing outside a bulk load: there the triggers do it).
func (l *loader) touch(id int64) {
	if l.visFiles != nil {
		l.visFiles[id] = struct{}{}
	}
}

// insertLinks writes file_links rows and records their files.
func (l *loader) insertLinks(ctx context.Context, links fileLinks) error {
	for _, r := range links {
		l.touch(r[4].(int64))
	}
	return l.insert(ctx, "file_links", fileLinkCols, links, "")
}

// clearLinks deletes the file links of the owners ids of one kind and, in
// a bulk load, records the files that lose a link.
func (l *loader) clearLinks(ctx context.Context, kind string, ids []int64) error {
	if l.visFiles == nil {
		return l.clear(ctx, "file_links", "owner_id", ids, "owner_kind = ? AND ", kind)
	}
	if len(ids) == 0 {
		return nil
	}
	set, arg := l.db.idSet(ids)
	rows, err := l.tx.QueryContext(ctx, l.db.rebind("DELETE FROM file_links WHERE owner_kind = ? AND owner_id IN ("+set+") RETURNING file_id"), kind, arg)
	if err != nil {
		return fmt.Errorf("clear file_links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("clear file_links: %w", err)
		}
		l.touch(id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clear file_links: %w", err)
	}
	return nil
}

// idRows turns an ID list of owner into (owner, position, id) rows.
func idRows(rows [][]any, owner int64, ids []int64) [][]any {
	for i, id := range ids {
		rows = append(rows, []any{owner, i, id})
	}
	return rows
}

func nonPublic[T any](xs []*T, public func(*T) (int64, bool)) []int64 {
	var ids []int64
	for _, x := range xs {
		if id, pub := public(x); !pub {
			ids = append(ids, id)
		}
	}
	return ids
}

func (l *loader) meetings(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, ids, err := unique("Sitzung", ds.Meetings, func(x *ratsnetz.Meeting) *ratsnetz.Meta { return &x.Meta })
	if err != nil || len(xs) == 0 {
		return err
	}
	if err := l.depublish(ctx, "meetings", nonPublic(xs, func(m *ratsnetz.Meeting) (int64, bool) { return m.ID, m.Public })); err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	var orgs, parts [][]any
	var links fileLinks
	for _, m := range xs {
		rows = append(rows, append(l.meta(&m.Meta), m.BodyID, m.Name, m.MeetingState, m.Cancelled,
			l.db.tm(m.Start), l.db.tm(m.End), m.LocationID, m.Mode, m.Public))
		orgs = idRows(orgs, m.ID, m.OrganizationIDs)
		parts = idRows(parts, m.ID, m.ParticipantIDs)
		links.add(ownerMeeting, m.ID, roleInvitation, m.InvitationFileID)
		links.add(ownerMeeting, m.ID, roleResultsProtocol, m.ResultsProtocolFileID)
		links.add(ownerMeeting, m.ID, roleVerbatimProtocol, m.VerbatimProtocolFileID)
		links.add(ownerMeeting, m.ID, roleAuxiliary, m.AuxiliaryFileIDs...)
	}
	if err := l.upsert(ctx, "meetings", cols("body_id", "name", "meeting_state", "cancelled",
		"start_at", "end_at", "location_id", "mode", "public"), rows, true); err != nil {
		return err
	}
	if err := l.clear(ctx, "meeting_organizations", "meeting_id", ids, ""); err != nil {
		return err
	}
	if err := l.clear(ctx, "meeting_participants", "meeting_id", ids, ""); err != nil {
		return err
	}
	l.visMeetings = append(l.visMeetings, ids...)
	if err := l.clearLinks(ctx, ownerMeeting, ids); err != nil {
		return err
	}
	if err := l.insert(ctx, "meeting_organizations", []string{"meeting_id", "position", "organization_id"}, orgs, ""); err != nil {
		return err
	}
	if err := l.insert(ctx, "meeting_participants", []string{"meeting_id", "position", "person_id"}, parts, ""); err != nil {
		return err
	}
	return l.insertLinks(ctx, links)
}

func (l *loader) agendaItems(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, ids, err := unique("Tagesordnungspunkt", ds.AgendaItems, func(x *ratsnetz.AgendaItem) *ratsnetz.Meta { return &x.Meta })
	if err != nil || len(xs) == 0 {
		return err
	}
	if err := l.depublish(ctx, "agenda_items", nonPublic(xs, func(a *ratsnetz.AgendaItem) (int64, bool) { return a.ID, a.Public })); err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	var links fileLinks
	for _, a := range xs {
		vote, err := encodeJSON(a.Vote)
		if err != nil {
			return err
		}
		rows = append(rows, append(l.meta(&a.Meta), a.MeetingID, a.Order, a.Number, a.Name, a.Public,
			a.ConsultationID, a.PaperID, a.Result, a.ResolutionText, a.MinutesText,
			vote, l.db.tm(a.Start), l.db.tm(a.End), a.Urgent, a.Addendum))
		links.add(ownerAgendaItem, a.ID, roleResolution, a.ResolutionFileID)
		links.add(ownerAgendaItem, a.ID, roleAuxiliary, a.AuxiliaryFileIDs...)
	}
	if err := l.upsert(ctx, "agenda_items", cols("meeting_id", "position", "number", "name", "public",
		"consultation_id", "paper_id", "result", "resolution_text", "minutes_text",
		"vote", "start_at", "end_at", "urgent", "addendum"), rows, true); err != nil {
		return err
	}
	if err := l.clearLinks(ctx, ownerAgendaItem, ids); err != nil {
		return err
	}
	return l.insertLinks(ctx, links)
}

func (l *loader) papers(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, ids, err := unique("Vorlage", ds.Papers, func(x *ratsnetz.Paper) *ratsnetz.Meta { return &x.Meta })
	if err != nil || len(xs) == 0 {
		return err
	}
	if err := l.depublish(ctx, "papers", nonPublic(xs, func(p *ratsnetz.Paper) (int64, bool) { return p.ID, p.Public })); err != nil {
		return err
	}
	rows := make([][]any, 0, len(xs))
	var refs [][]any
	var links fileLinks
	for _, p := range xs {
		sections, err := encodeJSON(p.Sections)
		if err != nil {
			return err
		}
		rows = append(rows, append(l.meta(&p.Meta), p.BodyID, p.Name, p.Reference, l.db.tm(p.Date), p.PaperType,
			p.Status, p.Public, sections, p.ResponsiblePersonID, searchText(p)))
		for _, r := range []struct {
			kind string
			ids  []int64
		}{
			{refRelated, p.RelatedPaperIDs}, {refSuperordinated, p.SuperordinatedPaperIDs},
			{refSubordinated, p.SubordinatedPaperIDs}, {refLocation, p.LocationIDs},
			{refOriginatorPerson, p.OriginatorPersonIDs}, {refOriginatorOrganization, p.OriginatorOrganizationIDs},
			{refUnderDirectionOf, p.UnderDirectionOfIDs},
		} {
			for i, id := range r.ids {
				refs = append(refs, []any{p.ID, r.kind, i, id})
			}
		}
		links.add(ownerPaper, p.ID, roleMain, p.MainFileID)
		links.add(ownerPaper, p.ID, roleAuxiliary, p.AuxiliaryFileIDs...)
	}
	if err := l.upsert(ctx, "papers", cols("body_id", "name", "reference", "date", "paper_type",
		"status", "public", "sections", "responsible_person_id", "search"), rows, true); err != nil {
		return err
	}
	if err := l.clear(ctx, "paper_refs", "paper_id", ids, ""); err != nil {
		return err
	}
	if err := l.clearLinks(ctx, ownerPaper, ids); err != nil {
		return err
	}
	if err := l.insert(ctx, "paper_refs", []string{"paper_id", "kind", "position", "ref_id"}, refs, ""); err != nil {
		return err
	}
	return l.insertLinks(ctx, links)
}

func (l *loader) consultations(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, ids, err := unique("Beratung", ds.Consultations, func(x *ratsnetz.Consultation) *ratsnetz.Meta { return &x.Meta })
	if err != nil || len(xs) == 0 {
		return err
	}
	rows := make([][]any, 0, len(xs))
	var orgs [][]any
	for _, c := range xs {
		rows = append(rows, append(l.meta(&c.Meta), c.PaperID, c.MeetingID, c.AgendaItemID, c.Authoritative,
			c.Role, c.Status, c.Result, l.db.tm(c.Date), c.Position))
		orgs = idRows(orgs, c.ID, c.OrganizationIDs)
	}
	if err := l.upsert(ctx, "consultations", cols("paper_id", "meeting_id", "agenda_item_id", "authoritative",
		"role", "status", "result", "date", "position"), rows, false); err != nil {
		return err
	}
	if err := l.clear(ctx, "consultation_organizations", "consultation_id", ids, ""); err != nil {
		return err
	}
	return l.insert(ctx, "consultation_organizations", []string{"consultation_id", "position", "organization_id"}, orgs, "")
}

func (l *loader) files(ctx context.Context, ds *ratsnetz.Dataset) error {
	xs, ids, err := unique("Datei", ds.Files, func(x *ratsnetz.File) *ratsnetz.Meta { return &x.Meta })
	if err != nil || len(xs) == 0 {
		return err
	}
	if err := l.depublish(ctx, "files", nonPublic(xs, func(f *ratsnetz.File) (int64, bool) { return f.ID, f.Public })); err != nil {
		return err
	}
	for _, id := range ids {
		l.touch(id)
	}
	rows := make([][]any, 0, len(xs))
	var derivs [][]any
	for _, f := range xs {
		// visible_public is written as a guess: public, as it is for a file
		// whose owners are all public (nearly every imported file). The
		// triggers of 0013 (outside a bulk load) or endBulk's recompute set
		// the real value; a right guess spares endBulk a second version of
		// the row (a full import otherwise rewrote every file).
		rows = append(rows, append(l.meta(&f.Meta), f.BodyID, f.Name, f.FileName, f.MimeType, l.db.tm(f.Date),
			f.Size, f.SHA256, f.SHA512, f.BlobKey, f.Text, f.ExternalServiceURL, f.MasterFileID,
			f.License, f.Public, f.Public))
		derivs = idRows(derivs, f.ID, f.DerivativeFileIDs)
	}
	if err := l.upsert(ctx, "files", cols("body_id", "name", "file_name", "mime_type", "date",
		"size", "sha256", "sha512", "blob_key", "text", "external_service_url", "master_file_id",
		"license", "public", "visible_public"), rows, true); err != nil {
		return err
	}
	if err := l.clear(ctx, "file_derivatives", "file_id", ids, ""); err != nil {
		return err
	}
	return l.insert(ctx, "file_derivatives", []string{"file_id", "position", "derivative_id"}, derivs, "")
}

// bumpParents moves the modification time of meetings, papers, agenda items
// and persons forward to the newest change (or de-publication) of an object
// they embed in OParl (agenda items, files, consultations, memberships), so
// that clients syncing by modified_since fetch the parent again. The times
// are worked out here from the dataset; only parents that must move get an
// UPDATE (by primary key), which for consistent data is none.
func (l *loader) bumpParents(ctx context.Context, ds *ratsnetz.Dataset) error {
	type key struct {
		tbl string
		id  int64
	}
	own := map[key]time.Time{}  // modified of parents in ds
	cand := map[key]time.Time{} // newest change of their children
	add := func(tbl string, id int64, t time.Time) {
		k := key{tbl, id}
		if id != 0 && !t.IsZero() && t.After(cand[k]) {
			cand[k] = t
		}
	}
	changed := func(tbl string, id int64, t time.Time) time.Time {
		if l.flipped[tbl][id] && l.now.After(t) {
			return l.now
		}
		return t
	}
	for _, m := range ds.Meetings {
		own[key{"meetings", m.ID}] = m.Modified
	}
	for _, p := range ds.Papers {
		own[key{"papers", p.ID}] = p.Modified
	}
	for _, p := range ds.Persons {
		own[key{"persons", p.ID}] = p.Modified
	}
	itemMeeting := map[int64]int64{}
	for _, a := range ds.AgendaItems {
		own[key{"agenda_items", a.ID}] = a.Modified
		itemMeeting[a.ID] = a.MeetingID
		add("meetings", a.MeetingID, changed("agenda_items", a.ID, a.Modified))
	}
	for _, c := range ds.Consultations {
		add("papers", c.PaperID, c.Modified)
	}
	for _, m := range ds.Memberships {
		add("persons", m.PersonID, m.Modified)
	}
	if err := l.locationParents(ctx, ds, func(tbl string, id int64, t time.Time) { add(tbl, id, t) }); err != nil {
		return err
	}
	for _, b := range ds.Bodies {
		own[key{"bodies", b.ID}] = b.Modified
	}
	for _, o := range ds.Organizations {
		own[key{"organizations", o.ID}] = o.Modified
	}
	if len(ds.Files) > 0 {
		fileTime := make(map[int64]time.Time, len(ds.Files))
		ids := make([]int64, 0, len(ds.Files))
		for _, f := range ds.Files {
			fileTime[f.ID] = changed("files", f.ID, f.Modified)
			ids = append(ids, f.ID)
		}
		var items []int64
		err := l.db.refs(ctx, l.tx, "SELECT owner_id, owner_kind, file_id FROM file_links WHERE file_id IN (%s)", ids, func(r refRow) {
			switch r.key {
			case ownerPaper:
				add("papers", r.owner, fileTime[r.ref])
			case ownerMeeting:
				add("meetings", r.owner, fileTime[r.ref])
			case ownerAgendaItem:
				add("agenda_items", r.owner, fileTime[r.ref])
				items = append(items, r.owner)
			}
		})
		if err != nil {
			return err
		}
		// Items that move pass the time on to their meetings.
		var unknown []int64
		for _, id := range items {
			if _, ok := itemMeeting[id]; !ok {
				unknown = append(unknown, id)
			}
		}
		if err := l.db.refs(ctx, l.tx, "SELECT id, '', meeting_id FROM agenda_items WHERE id IN (%s)", unknown, func(r refRow) {
			itemMeeting[r.owner] = r.ref
		}); err != nil {
			return err
		}
		for _, id := range items {
			add("meetings", itemMeeting[id], cand[key{"agenda_items", id}])
		}
	}
	moves := map[string][]parentTime{}
	for k, t := range cand {
		if o, ok := own[k]; ok && !o.Before(t) {
			continue
		}
		moves[k.tbl] = append(moves[k.tbl], parentTime{k.id, t})
	}
	tbls := make([]string, 0, len(moves))
	for tbl := range moves {
		tbls = append(tbls, tbl)
	}
	sort.Strings(tbls)
	for _, tbl := range tbls {
		if err := l.moveModified(ctx, tbl, moves[tbl]); err != nil {
			return err
		}
	}
	return nil
}

// parentTime is a parent's ID and the time its modified must reach.
type parentTime struct {
	id int64
	t  time.Time
}

// moveModified moves modified of the rows of tbl forward to the times in
// ps, with one statement: an import whose meetings embed agenda items
// changed later than the meeting moves thousands of meetings per page.
func (l *loader) moveModified(ctx context.Context, tbl string, ps []parentTime) error {
	sort.Slice(ps, func(i, j int) bool { return ps[i].id < ps[j].id })
	var set string
	var arg []any
	if l.db.dialect.Name == "postgres" {
		ids := make([]int64, len(ps))
		ts := make([]time.Time, len(ps))
		for i, p := range ps {
			ids[i], ts[i] = p.id, p.t.UTC().Truncate(time.Microsecond)
		}
		set, arg = "SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[])) AS u(id, t)", []any{ids, ts}
	} else {
		pairs := make([][2]any, len(ps))
		for i, p := range ps {
			pairs[i] = [2]any{p.id, l.db.tm(p.t)}
		}
		b, err := json.Marshal(pairs)
		if err != nil {
			return fmt.Errorf("update modification times of %s: %w", tbl, err)
		}
		set, arg = "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS t FROM json_each(?)", []any{string(b)}
	}
	q := "UPDATE " + tbl + " SET modified = v.t FROM (" + set + ") v WHERE " + tbl + ".id = v.id AND (" + tbl + ".modified IS NULL OR " + tbl + ".modified < v.t)"
	if err := l.exec(ctx, q, arg); err != nil {
		return fmt.Errorf("update modification times of %s: %w", tbl, err)
	}
	return nil
}

// locationParents calls add for every body, organization, person, meeting
// and paper that embeds one of the dataset's locations (OParl embeds the
// Location object in all of them), with the location's modification time.
func (l *loader) locationParents(ctx context.Context, ds *ratsnetz.Dataset, add func(tbl string, id int64, t time.Time)) error {
	if len(ds.Locations) == 0 {
		return nil
	}
	locTime := make(map[int64]time.Time, len(ds.Locations))
	ids := make([]int64, 0, len(ds.Locations))
	var newest time.Time
	for _, loc := range ds.Locations {
		locTime[loc.ID] = loc.Modified
		ids = append(ids, loc.ID)
		if loc.Modified.After(newest) {
			newest = loc.Modified
		}
	}
	// Only parents older than the newest of the locations can move: a
	// location embedded in thousands of meetings and papers (every page
	// of a meeting list carries it) would otherwise cost an UPDATE per
	// parent on every page.
	set, arg := l.db.idSet(ids)
	q := `SELECT location_id, 'bodies', id FROM bodies WHERE location_id IN (` + set + `) AND (modified IS NULL OR modified < ?)
		UNION ALL SELECT location_id, 'organizations', id FROM organizations WHERE location_id IN (` + set + `) AND (modified IS NULL OR modified < ?)
		UNION ALL SELECT location_id, 'persons', id FROM persons WHERE location_id IN (` + set + `) AND (modified IS NULL OR modified < ?)
		UNION ALL SELECT location_id, 'meetings', id FROM meetings WHERE location_id IN (` + set + `) AND (modified IS NULL OR modified < ?)
		UNION ALL SELECT r.ref_id, 'papers', r.paper_id FROM paper_refs r JOIN papers p ON p.id = r.paper_id
			WHERE r.kind = 'location' AND r.ref_id IN (` + set + `) AND (p.modified IS NULL OR p.modified < ?)`
	t := l.db.tm(newest)
	rows, err := l.tx.QueryContext(ctx, l.db.rebind(q), arg, t, arg, t, arg, t, arg, t, arg, t)
	if err != nil {
		return fmt.Errorf("find parents of locations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var loc, id int64
		var tbl string
		if err := rows.Scan(&loc, &tbl, &id); err != nil {
			return fmt.Errorf("find parents of locations: %w", err)
		}
		add(tbl, id, locTime[loc])
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find parents of locations: %w", err)
	}
	return nil
}
