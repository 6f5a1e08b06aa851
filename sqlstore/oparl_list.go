package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// List queries made for the OParl server (package oparl, interface
// ListStore). OParl always answers as the anonymous public, and a harvester
// walks every list page by page; the general finds pay for every viewer's
// visibility in shapes the databases plan badly at this volume (PostgreSQL
// turns "x = 0 OR EXISTS (…public…)" into a hashed sub-plan that reads the
// whole papers table for every page).
//
// The public's visibility rules are the ones of visibility.go, written here
// as joins on the public flags: a row of a page is selected by a semi-join
// (EXISTS … AND), references are zeroed through LEFT JOINs. Anything else
// — a logged-in viewer, tombstones (modified_since), offset paging — goes
// to the general find, so these methods answer exactly what it answers;
// TestListStoreAnswersLikeFinds (package oparl) compares both page by page
// on SQLite and PostgreSQL.

// oparlPublicList reports whether a list with o, in the context ctx, can
// take an OParl fast path: the public viewer, keyset paging, no tombstones.
func (db *DB) oparlPublicList(ctx context.Context, o ratsnetz.ListOptions) bool {
	v := ratsnetz.ViewerFromContext(ctx)
	return v.IsPublic() && !v.System && o.After != 0 && o.After >= -1 && o.Offset == 0 && o.Limit >= 0 &&
		!o.WithDeleted && !o.WithTotal && o.ModifiedSince.IsZero() && o.ModifiedUntil.IsZero() &&
		(o.CreatedSince.IsZero() || o.CreatedUntil.IsZero() || !o.CreatedUntil.Before(o.CreatedSince))
}

// oparlPage returns the WHERE additions (after the caller's own) and
// arguments of a keyset page over alias a: created range, "a.id > After",
// ORDER BY a.id and LIMIT.
func (db *DB) oparlPage(a string, o ratsnetz.ListOptions, args []any) (string, []any) {
	q := ""
	if !o.CreatedSince.IsZero() {
		q += " AND " + a + ".created >= ?"
		args = append(args, db.tm(o.CreatedSince))
	}
	if !o.CreatedUntil.IsZero() {
		q += " AND " + a + ".created <= ?"
		args = append(args, db.tm(o.CreatedUntil))
	}
	q += " AND " + a + ".id > ? ORDER BY " + a + ".id LIMIT " + fmt.Sprint(limitOf(o))
	return q, append(args, o.After)
}

// oparlConsultationSQL selects the consultations of the inner query page
// (selecting consultation rows as "c") as the public sees them, in order.
func (db *DB) oparlConsultationSQL(page, order string) string {
	return `SELECT c.id, c.external_id, c.created, c.modified, c.deleted, c.paper_id,
		CASE WHEN vm.id IS NULL THEN 0 ELSE c.meeting_id END,
		CASE WHEN vam.id IS NULL THEN 0 ELSE c.agenda_item_id END,
		c.authoritative, c.role, c.status, c.result, c.date, c.position,
		(SELECT ` + db.aggregateIDs("co.organization_id", "co.position") + `
			FROM consultation_organizations co WHERE co.consultation_id = c.id)
		FROM (` + page + `) c
		LEFT JOIN meetings vm ON vm.id = c.meeting_id AND vm.public
		LEFT JOIN agenda_items va ON va.id = c.agenda_item_id AND va.public
		LEFT JOIN meetings vam ON vam.id = va.meeting_id AND vam.public
		ORDER BY ` + order
}

func scanOParlConsultation(rows *sql.Rows) (*ratsnetz.Consultation, error) {
	c := &ratsnetz.Consultation{}
	err := rows.Scan(&c.ID, &c.ExternalID, timeScanner{&c.Created}, timeScanner{&c.Modified}, boolScanner{&c.Deleted},
		&c.PaperID, &c.MeetingID, &c.AgendaItemID, boolScanner{&c.Authoritative}, &c.Role, &c.Status, &c.Result,
		timeScanner{&c.Date}, &c.Position, idListScanner{&c.OrganizationIDs})
	return c, err
}

// FindOParlConsultations is FindConsultations for OParl lists. A filter by
// body alone, for the public, runs as one set-based query; every other
// filter or viewer goes to FindConsultations.
func (db *DB) FindOParlConsultations(ctx context.Context, f ratsnetz.ConsultationFilter) ([]*ratsnetz.Consultation, error) {
	if f.BodyID == 0 || f.PaperID != 0 || f.MeetingID != 0 || f.OrganizationID != 0 || len(f.IDs) > 0 ||
		!db.oparlPublicList(ctx, f.ListOptions) {
		cs, _, err := db.FindConsultations(ctx, f)
		return cs, err
	}
	// The paper's visibility (and body) as a semi-join: the page walks the
	// primary key from After and stops after Limit rows.
	page, args := db.oparlPage("c", f.ListOptions, []any{f.BodyID})
	page = `SELECT c.* FROM consultations c
		WHERE EXISTS (SELECT 1 FROM papers fp WHERE fp.id = c.paper_id AND fp.body_id = ? AND fp.public)
		AND NOT c.deleted` + page
	cs := []*ratsnetz.Consultation{}
	err := db.oparlQuery(ctx, "list oparl consultations", db.oparlConsultationSQL(page, "c.id"), args,
		func(rows *sql.Rows) error {
			c, err := scanOParlConsultation(rows)
			cs = append(cs, c)
			return err
		})
	return cs, err
}

// FindOParlConsultationsByPaperIDs is FindConsultationsByPaperIDs for the
// papers of an OParl page (the consultations they embed).
func (db *DB) FindOParlConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error) {
	v := ratsnetz.ViewerFromContext(ctx)
	if !v.IsPublic() || v.System {
		return db.FindConsultationsByPaperIDs(ctx, paperIDs)
	}
	cs := []*ratsnetz.Consultation{}
	if len(paperIDs) == 0 {
		return cs, nil
	}
	set, arg := db.idSet(paperIDs)
	page := `SELECT c.* FROM consultations c WHERE c.paper_id IN (` + set + `)
		AND EXISTS (SELECT 1 FROM papers fp WHERE fp.id = c.paper_id AND fp.public) AND NOT c.deleted`
	err := db.oparlQuery(ctx, "find oparl consultations of papers",
		db.oparlConsultationSQL(page, "c.paper_id, c.position, c.id"), []any{arg},
		func(rows *sql.Rows) error {
			c, err := scanOParlConsultation(rows)
			cs = append(cs, c)
			return err
		})
	return cs, err
}
