package sqlstore

import (
	"context"
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
	return `SELECT c.id, c.created, c.modified, c.deleted, c.paper_id,
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

func scanOParlConsultation(rows rowScanner) (*ratsnetz.Consultation, error) {
	c := &ratsnetz.Consultation{}
	err := rows.Scan(&c.ID, timeScanner{&c.Created}, timeScanner{&c.Modified}, boolScanner{&c.Deleted},
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
	return queryAll(ctx, db, db.read, "list oparl consultations", db.oparlConsultationSQL(page, "c.id"), args,
		scanOParlConsultation)
}

// FindOParlConsultationsByPaperIDs is FindConsultationsByPaperIDs for the
// papers of an OParl page (the consultations they embed).
func (db *DB) FindOParlConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error) {
	v := ratsnetz.ViewerFromContext(ctx)
	if !v.IsPublic() || v.System {
		return db.FindConsultationsByPaperIDs(ctx, paperIDs)
	}
	if len(paperIDs) == 0 {
		return []*ratsnetz.Consultation{}, nil
	}
	set, arg := db.idSet(paperIDs)
	page := `SELECT c.* FROM consultations c WHERE c.paper_id IN (` + set + `)
		AND EXISTS (SELECT 1 FROM papers fp WHERE fp.id = c.paper_id AND fp.public) AND NOT c.deleted`
	return queryAll(ctx, db, db.read, "find oparl consultations of papers",
		db.oparlConsultationSQL(page, "c.paper_id, c.position, c.id"), []any{arg}, scanOParlConsultation)
}

// FindOParlPapers is FindPapers for OParl list pages: a filter by body
// alone, for the public, selects only the columns OParl shows (no text
// sections) and leaves the file references unfiltered — they are keys for
// FindOParlFiles, which applies the files' visibility (MainFileID is the
// one main link a paper has). Every other filter or viewer goes to
// FindPapers.
func (db *DB) FindOParlPapers(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, error) {
	ps, complete, err := db.FindOParlPaperRows(ctx, f)
	if err != nil || complete {
		return ps, err
	}
	return ps, db.FillOParlPaperRefs(ctx, ps)
}

// FindOParlPaperRows is FindOParlPapers without the reference lists (paper
// references, files, locations, originators) when complete is false;
// FillOParlPaperRefs adds them. A list page served from stored documents
// needs only the rows.
func (db *DB) FindOParlPaperRows(ctx context.Context, f ratsnetz.PaperFilter) (ps []*ratsnetz.Paper, complete bool, err error) {
	if f.BodyID == 0 || len(f.IDs) > 0 || f.Reference != "" || f.PaperType != "" || f.Status != "" ||
		f.OrganizationID != 0 || f.Year != 0 || f.Text != "" || f.Newest || !db.oparlPublicList(ctx, f.ListOptions) {
		ps, _, err := db.FindPapers(ctx, f)
		return ps, true, err
	}
	page, args := db.oparlPage("p", f.ListOptions, []any{f.BodyID})
	q := `SELECT p.id, p.created, p.modified, p.deleted, p.body_id, p.name, p.reference, p.date,
		p.paper_type, p.status, p.public FROM papers p WHERE p.body_id = ? AND p.public AND NOT p.deleted` + page
	ps, err = queryAll(ctx, db, db.read, "list oparl papers", q, args, func(rows rowScanner) (*ratsnetz.Paper, error) {
		p := &ratsnetz.Paper{}
		return p, rows.Scan(&p.ID, timeScanner{&p.Created}, timeScanner{&p.Modified}, boolScanner{&p.Deleted},
			&p.BodyID, &p.Name, &p.Reference, timeScanner{&p.Date}, &p.PaperType, &p.Status, boolScanner{&p.Public})
	})
	return ps, false, err
}

// FillOParlPaperRefs adds the reference lists to papers of
// FindOParlPaperRows (public list rows).
func (db *DB) FillOParlPaperRefs(ctx context.Context, ps []*ratsnetz.Paper) error {
	if len(ps) == 0 {
		return nil
	}
	byID := byIDOf(ps, idOfPaper)
	set, arg := db.idSet(idsOf(ps, idOfPaper))
	// Paper references name visible papers only (a LEFT JOIN, not an
	// "OR EXISTS" PostgreSQL may hash over every paper).
	q := `SELECT o, k, r FROM (
		SELECT r.paper_id AS o, r.kind AS k, r.ref_id AS r, r.position AS pos FROM paper_refs r
		LEFT JOIN papers vp ON vp.id = r.ref_id AND vp.public
		WHERE r.paper_id IN (` + set + `) AND (r.kind NOT IN ('related', 'superordinated', 'subordinated') OR vp.id IS NOT NULL)
		UNION ALL
		SELECT l.owner_id, l.role, l.file_id, l.position FROM file_links l
		WHERE l.owner_kind = 'paper' AND l.owner_id IN (` + set + `)
		) u ORDER BY o, k, pos`
	return queryRefs(ctx, db, db.read, "list oparl paper references", q, []any{arg, arg}, func(o int64, k string, ref int64) {
		addPaperRef(byID[o], k, ref)
	})
}

func idOfPaper(p *ratsnetz.Paper) int64           { return p.ID }
func idOfFile(f *ratsnetz.File) int64             { return f.ID }
func idOfMeeting(m *ratsnetz.Meeting) int64       { return m.ID }
func idOfAgendaItem(a *ratsnetz.AgendaItem) int64 { return a.ID }

// FindOParlFileList is FindFiles for OParl's file list: a filter by body
// alone, for the public, evaluates the owners' visibility once per file
// (the general find tests it for the row and again for its content) and
// selects what a standalone File shows. Every other filter or viewer goes
// to FindFiles.
func (db *DB) FindOParlFileList(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, error) {
	if f.BodyID == 0 || len(f.IDs) > 0 || f.PaperID != 0 || f.MeetingID != 0 || f.AgendaItemID != 0 ||
		!db.oparlPublicList(ctx, f.ListOptions) {
		fs, _, err := db.FindFiles(ctx, f)
		return fs, err
	}
	w := db.viewerOf(ctx)
	v := w.file("f", false) // list implies content: public and every owner visible
	page, args := db.oparlPage("f", f.ListOptions, []any{f.BodyID})
	q := `SELECT f.id, f.created, f.modified, f.deleted, f.body_id, f.name, f.file_name,
		f.mime_type, f.date, f.size, f.sha512, f.text, f.external_service_url, ` +
		visibleRef("f.master_file_id", w.fileVisible("f.master_file_id")) + `, f.license, f.public
		FROM (SELECT f.* FROM files f WHERE f.body_id = ? AND ` + v.list + page + `) f ORDER BY f.id`
	fs, err := queryAll(ctx, db, db.read, "list oparl files", q, args, func(rows rowScanner) (*ratsnetz.File, error) {
		f := &ratsnetz.File{}
		return f, rows.Scan(&f.ID, timeScanner{&f.Created}, timeScanner{&f.Modified}, boolScanner{&f.Deleted},
			&f.BodyID, &f.Name, &f.FileName, &f.MimeType, timeScanner{&f.Date}, &f.Size, &f.SHA512, &f.Text,
			&f.ExternalServiceURL, &f.MasterFileID, &f.License, boolScanner{&f.Public})
	})
	if err != nil || len(fs) == 0 {
		return fs, err
	}
	byID := byIDOf(fs, idOfFile)
	set, arg := db.idSet(idsOf(fs, idOfFile))
	// As fileRefs: a visible file has only visible owners.
	q = `SELECT o, k, r FROM (
		SELECT d.file_id AS o, 'derivative' AS k, d.derivative_id AS r, d.position AS pos FROM file_derivatives d
		WHERE d.file_id IN (` + set + `) AND ` + w.fileVisible("d.derivative_id") + `
		UNION ALL
		SELECT DISTINCT file_id, owner_kind, owner_id, 0 FROM file_links
		WHERE file_id IN (` + set + `)
		) u ORDER BY o, k, pos, r`
	err = queryRefs(ctx, db, db.read, "list oparl file references", q, []any{arg, arg}, func(o int64, k string, ref int64) {
		f := byID[o]
		switch k {
		case "derivative":
			f.DerivativeFileIDs = append(f.DerivativeFileIDs, ref)
		case ownerPaper:
			f.PaperIDs = append(f.PaperIDs, ref)
		case ownerMeeting:
			f.MeetingIDs = append(f.MeetingIDs, ref)
		case ownerAgendaItem:
			f.AgendaItemIDs = append(f.AgendaItemIDs, ref)
		}
	})
	return fs, err
}

// FindOParlAgendaItemList is FindAgendaItems for OParl's agenda item list:
// a filter by body alone, for the public, gives the same rows (non-public
// items of a public meeting as redacted placeholders, content emptied in
// SQL) with only the columns OParl shows and unfiltered file references —
// keys for FindOParlFiles, which applies the files' visibility. Every
// other filter or viewer goes to FindAgendaItems.
func (db *DB) FindOParlAgendaItemList(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, error) {
	if f.BodyID == 0 || len(f.IDs) > 0 || f.MeetingID != 0 || f.PaperID != 0 || !db.oparlPublicList(ctx, f.ListOptions) {
		items, _, err := db.FindAgendaItems(ctx, f)
		return items, err
	}
	page, args := db.oparlPage("a", f.ListOptions, []any{f.BodyID})
	// Content only when public (the meeting is public: the row filter).
	q := `SELECT a.id, a.created, a.modified, a.deleted,
		a.meeting_id, a.position, a.number, CASE WHEN a.public THEN a.name ELSE '' END, a.public,
		CASE WHEN a.public AND vc.id IS NOT NULL AND (vc.paper_id = 0 OR vcp.id IS NOT NULL) THEN a.consultation_id ELSE 0 END,
		CASE WHEN a.public THEN a.result ELSE '' END, CASE WHEN a.public THEN a.resolution_text ELSE '' END,
		CASE WHEN a.public THEN a.vote ELSE '' END, CASE WHEN a.public THEN a.start_at END,
		CASE WHEN a.public THEN a.end_at END
		FROM (SELECT a.* FROM agenda_items a
			WHERE EXISTS (SELECT 1 FROM meetings fm WHERE fm.id = a.meeting_id AND fm.body_id = ? AND fm.public)
			AND NOT a.deleted` + page + `) a
		LEFT JOIN consultations vc ON vc.id = a.consultation_id
		LEFT JOIN papers vcp ON vcp.id = vc.paper_id AND vcp.public
		ORDER BY a.id`
	items, err := queryAll(ctx, db, db.read, "list oparl agenda items", q, args, func(rows rowScanner) (*ratsnetz.AgendaItem, error) {
		a := &ratsnetz.AgendaItem{}
		err := rows.Scan(&a.ID, timeScanner{&a.Created}, timeScanner{&a.Modified}, boolScanner{&a.Deleted},
			&a.MeetingID, &a.Order, &a.Number, &a.Name, boolScanner{&a.Public}, &a.ConsultationID, &a.Result,
			&a.ResolutionText, jsonScanner{&a.Vote}, timeScanner{&a.Start}, timeScanner{&a.End})
		a.Redacted = !a.Public
		return a, err
	})
	if err != nil {
		return nil, err
	}
	var public []*ratsnetz.AgendaItem
	for _, a := range items {
		if a.Public {
			public = append(public, a)
		}
	}
	return items, db.oparlAgendaItemFiles(ctx, "list oparl agenda item files", public)
}

// oparlAgendaItemFiles fills the (unfiltered) file IDs of the agenda items.
func (db *DB) oparlAgendaItemFiles(ctx context.Context, what string, items []*ratsnetz.AgendaItem) error {
	if len(items) == 0 {
		return nil
	}
	byID := byIDOf(items, idOfAgendaItem)
	set, arg := db.idSet(idsOf(items, idOfAgendaItem))
	q := `SELECT l.owner_id, l.role, l.file_id FROM file_links l
		WHERE l.owner_kind = 'agenda_item' AND l.owner_id IN (` + set + `) ORDER BY l.owner_id, l.role, l.position`
	return queryRefs(ctx, db, db.read, what, q, []any{arg}, func(owner int64, role string, file int64) {
		a := byID[owner]
		switch role {
		case roleResolution:
			a.ResolutionFileID = file
		case roleAuxiliary:
			a.AuxiliaryFileIDs = append(a.AuxiliaryFileIDs, file)
		}
	})
}

// FindOParlMeetings is FindMeetings for OParl list pages: a filter by body
// alone, for the public, selects only the columns OParl shows and leaves
// the file references unfiltered — keys for FindOParlFiles, which applies
// the files' visibility (each single-file role has one link). Every other
// filter or viewer goes to FindMeetings.
func (db *DB) FindOParlMeetings(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, error) {
	ms, complete, err := db.FindOParlMeetingRows(ctx, f)
	if err != nil || complete {
		return ms, err
	}
	return ms, db.FillOParlMeetingRefs(ctx, ms)
}

// FindOParlMeetingRows is FindOParlMeetings without the reference lists
// (organizations, participants, files) when complete is false;
// FillOParlMeetingRefs adds them. A list page served from stored documents
// needs only the rows.
func (db *DB) FindOParlMeetingRows(ctx context.Context, f ratsnetz.MeetingFilter) (ms []*ratsnetz.Meeting, complete bool, err error) {
	if f.BodyID == 0 || len(f.IDs) > 0 || f.OrganizationID != 0 || !f.From.IsZero() || !f.Until.IsZero() ||
		f.Descending || !db.oparlPublicList(ctx, f.ListOptions) {
		ms, _, err := db.FindMeetings(ctx, f)
		return ms, true, err
	}
	page, args := db.oparlPage("m", f.ListOptions, []any{f.BodyID})
	q := `SELECT m.id, m.created, m.modified, m.deleted, m.body_id, m.name, m.meeting_state,
		m.cancelled, m.start_at, m.end_at, m.location_id, m.mode, m.public
		FROM meetings m WHERE m.body_id = ? AND m.public AND NOT m.deleted` + page
	ms, err = queryAll(ctx, db, db.read, "list oparl meetings", q, args, func(rows rowScanner) (*ratsnetz.Meeting, error) {
		m := &ratsnetz.Meeting{}
		return m, rows.Scan(&m.ID, timeScanner{&m.Created}, timeScanner{&m.Modified}, boolScanner{&m.Deleted},
			&m.BodyID, &m.Name, &m.MeetingState, boolScanner{&m.Cancelled}, timeScanner{&m.Start},
			timeScanner{&m.End}, &m.LocationID, &m.Mode, boolScanner{&m.Public})
	})
	return ms, false, err
}

// FillOParlMeetingRefs adds the reference lists to meetings of
// FindOParlMeetingRows (public list rows).
func (db *DB) FillOParlMeetingRefs(ctx context.Context, ms []*ratsnetz.Meeting) error {
	if len(ms) == 0 {
		return nil
	}
	byID := byIDOf(ms, idOfMeeting)
	set, arg := db.idSet(idsOf(ms, idOfMeeting))
	q := `SELECT o, k, r FROM (
		SELECT mo.meeting_id AS o, 'organization' AS k, mo.organization_id AS r, mo.position AS pos FROM meeting_organizations mo
		WHERE mo.meeting_id IN (` + set + `)
		UNION ALL
		SELECT mp.meeting_id, 'participant', mp.person_id, mp.position FROM meeting_participants mp
		WHERE mp.meeting_id IN (` + set + `)
		UNION ALL
		SELECT l.owner_id, l.role, l.file_id, l.position FROM file_links l
		WHERE l.owner_kind = 'meeting' AND l.owner_id IN (` + set + `)
		) u ORDER BY o, k, pos`
	return queryRefs(ctx, db, db.read, "list oparl meeting references", q, []any{arg, arg, arg}, func(o int64, k string, ref int64) {
		addMeetingRef(byID[o], k, ref)
	})
}
