package sqlstore

import (
	"context"

	"github.com/ratsnetz/ratsnetz"
)

// Batch loaders for the OParl server (package oparl, interface PageStore):
// what a list page of 100 objects embeds, loaded in one query per kind with
// only the columns OParl shows. Every query carries the visibility predicates
// of visibility.go for the viewer in the context, like the Find methods.
//
// They run on the read pool without a transaction: each query is complete in
// itself (its own visibility), and a page assembled from several of them
// may at worst mix two committed states — the same a client sees between two
// list pages.

// oparlAnd joins non-empty predicates with AND.
func oparlAnd(preds ...string) string {
	out := ""
	for _, p := range preds {
		if p == "" {
			continue
		}
		if out != "" {
			out += " AND "
		}
		out += "(" + p + ")"
	}
	if out == "" {
		return "TRUE"
	}
	return out
}

// FindOParlFiles returns the visible, not deleted files among ids as OParl
// embeds them: without Text, ExternalID and the owners' back-references
// (MeetingIDs, PaperIDs, AgendaItemIDs stay empty); DerivativeFileIDs and
// MasterFileID name visible files only. IDs the viewer may not see are left
// out. Order is by ID.
func (db *DB) FindOParlFiles(ctx context.Context, ids []int64) ([]*ratsnetz.File, error) {
	if len(ids) == 0 {
		return []*ratsnetz.File{}, nil
	}
	w := db.viewerOf(ctx)
	// Without deleted ones the list predicate implies the content one
	// (flaggedVis): testing both would run the owners' check twice.
	v := w.file("f", false)
	set, arg := db.idSet(ids)
	q := `SELECT f.id, f.created, f.modified, f.body_id, f.name, f.file_name, f.mime_type, f.date,
		f.size, f.sha512, f.external_service_url, ` +
		visibleRef("f.master_file_id", w.fileVisible("f.master_file_id")) + `, f.license, f.public
		FROM files f WHERE f.id IN (` + set + `) AND ` + oparlAnd(v.list) + ` ORDER BY f.id`
	out, err := queryAll(ctx, db, db.read, "find oparl files", q, []any{arg}, func(rows rowScanner) (*ratsnetz.File, error) {
		f := &ratsnetz.File{}
		return f, rows.Scan(&f.ID, timeScanner{&f.Created}, timeScanner{&f.Modified}, &f.BodyID, &f.Name,
			&f.FileName, &f.MimeType, timeScanner{&f.Date}, &f.Size, &f.SHA512, &f.ExternalServiceURL,
			&f.MasterFileID, &f.License, boolScanner{&f.Public})
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := byIDOf(out, idOfFile)
	set, arg = db.idSet(idsOf(out, idOfFile))
	q = `SELECT d.file_id, d.derivative_id FROM file_derivatives d
		WHERE d.file_id IN (` + set + `) AND ` + w.fileVisible("d.derivative_id") + ` ORDER BY d.file_id, d.position`
	err = queryEach(ctx, db, db.read, "find oparl file derivatives", q, []any{arg}, func(rows rowScanner) error {
		var id, d int64
		if err := rows.Scan(&id, &d); err != nil {
			return err
		}
		f := byID[id]
		f.DerivativeFileIDs = append(f.DerivativeFileIDs, d)
		return nil
	})
	return out, err
}

// FindOParlAgendaItems returns the agenda items of the meetings whose content
// the viewer may see (no redacted placeholders, no deleted items), in meeting
// order (meeting, position, ID), as OParl embeds them in Meeting.agendaItem:
// without ExternalID, MinutesText, PaperID, Urgent and Addendum.
//
// ResolutionFileID and AuxiliaryFileIDs are NOT filtered by visibility: they
// are keys for FindOParlFiles, which applies it — render only the files it
// returns.
func (db *DB) FindOParlAgendaItems(ctx context.Context, meetingIDs []int64) ([]*ratsnetz.AgendaItem, error) {
	if len(meetingIDs) == 0 {
		return []*ratsnetz.AgendaItem{}, nil
	}
	w := db.viewerOf(ctx)
	v := w.agendaItem("a", false)
	set, arg := db.idSet(meetingIDs)
	q := `SELECT a.id, a.created, a.modified, a.meeting_id, a.position, a.number, a.name, a.public, ` +
		visibleRef("a.consultation_id", w.consultationVisible("a.consultation_id")) + `,
		a.result, a.resolution_text, a.vote, a.start_at, a.end_at
		FROM ` + db.oparlAgendaFrom(ctx, v, set)
	out, err := queryAll(ctx, db, db.read, "find oparl agenda items", q, []any{arg}, func(rows rowScanner) (*ratsnetz.AgendaItem, error) {
		a := &ratsnetz.AgendaItem{}
		return a, rows.Scan(&a.ID, timeScanner{&a.Created}, timeScanner{&a.Modified}, &a.MeetingID, &a.Order,
			&a.Number, &a.Name, boolScanner{&a.Public}, &a.ConsultationID, &a.Result, &a.ResolutionText,
			jsonScanner{&a.Vote}, timeScanner{&a.Start}, timeScanner{&a.End})
	})
	if err != nil {
		return nil, err
	}
	return out, db.oparlAgendaItemFiles(ctx, "find oparl agenda item files", out)
}

// oparlAgendaFrom is the FROM, WHERE and ORDER BY (meeting, position, ID)
// of the agenda items (alias a) of
// the meetings in set whose content the viewer may see (v). For the public
// the meeting's visibility is a join on the meeting, tested once per
// meeting instead of once per item (a CROSS JOIN keeps SQLite's loop order:
// meetings outside, their items in agenda order inside — no sort).
func (db *DB) oparlAgendaFrom(ctx context.Context, v vis, set string) string {
	if vw := ratsnetz.ViewerFromContext(ctx); vw.IsPublic() {
		return `meetings vm CROSS JOIN agenda_items a WHERE a.meeting_id = vm.id AND vm.id IN (` + set + `)
			AND vm.public AND NOT a.deleted AND a.public ORDER BY vm.id, a.position, a.id`
	}
	return `agenda_items a WHERE a.meeting_id IN (` + set + `) AND ` + oparlAnd(v.list, v.content) +
		` ORDER BY a.meeting_id, a.position, a.id`
}

// FindOParlAgendaOrder returns, for the agenda items of the meetings whose
// content the viewer may see, their 0-based position among those items of
// their meeting — the `order` OParl shows, which leaves out non-public items.
func (db *DB) FindOParlAgendaOrder(ctx context.Context, meetingIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(meetingIDs) == 0 {
		return out, nil
	}
	w := db.viewerOf(ctx)
	v := w.agendaItem("a", false)
	set, arg := db.idSet(meetingIDs)
	q := `SELECT a.meeting_id, a.id FROM ` + db.oparlAgendaFrom(ctx, v, set)
	var last int64
	n := 0
	err := queryEach(ctx, db, db.read, "find oparl agenda order", q, []any{arg}, func(rows rowScanner) error {
		var m, id int64
		if err := rows.Scan(&m, &id); err != nil {
			return err
		}
		if m != last {
			last, n = m, 0
		}
		out[id] = n
		n++
		return nil
	})
	return out, err
}

// FindOParlMembershipIDs returns the IDs of the memberships (not deleted) of
// each organization, ascending.
func (db *DB) FindOParlMembershipIDs(ctx context.Context, organizationIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(organizationIDs) == 0 {
		return out, nil
	}
	set, arg := db.idSet(organizationIDs)
	q := `SELECT m.organization_id, m.id FROM memberships m WHERE m.organization_id IN (` + set + `) AND ` +
		oparlAnd(plainVis("m", false).list) + ` ORDER BY m.organization_id, m.id`
	err := queryEach(ctx, db, db.read, "find oparl memberships", q, []any{arg}, func(rows rowScanner) error {
		var o, id int64
		if err := rows.Scan(&o, &id); err != nil {
			return err
		}
		out[o] = append(out[o], id)
		return nil
	})
	return out, err
}

// Kinds of location back-references (FindOParlLocationRefs).
const (
	LocationRefBody         = "body"
	LocationRefOrganization = "organization"
	LocationRefPerson       = "person"
	LocationRefMeeting      = "meeting"
	LocationRefPaper        = "paper"
)

// FindOParlLocationRefs returns for each location the IDs of the objects
// that name it, per kind (LocationRef*): bodies, organizations, persons,
// meetings and papers the viewer may see, not deleted, ascending by ID.
// These are OParl 1.1's Location.bodies/organizations/persons/meetings/papers.
func (db *DB) FindOParlLocationRefs(ctx context.Context, locationIDs []int64) (map[int64]map[string][]int64, error) {
	out := map[int64]map[string][]int64{}
	if len(locationIDs) == 0 {
		return out, nil
	}
	w := db.viewerOf(ctx)
	set, arg := db.idSet(locationIDs)
	meeting := w.meeting("m", false)
	paper := w.paper("p", false)
	q := `SELECT l, k, r FROM (
		SELECT b.location_id AS l, 'body' AS k, b.id AS r FROM bodies b
		WHERE b.location_id IN (` + set + `) AND NOT b.deleted
		UNION ALL
		SELECT o.location_id, 'organization', o.id FROM organizations o
		WHERE o.location_id IN (` + set + `) AND NOT o.deleted
		UNION ALL
		SELECT pe.location_id, 'person', pe.id FROM persons pe
		WHERE pe.location_id IN (` + set + `) AND NOT pe.deleted
		UNION ALL
		SELECT m.location_id, 'meeting', m.id FROM meetings m
		WHERE m.location_id IN (` + set + `) AND ` + oparlAnd(meeting.list, meeting.content) + `
		UNION ALL
		SELECT r.ref_id, 'paper', p.id FROM paper_refs r JOIN papers p ON p.id = r.paper_id
		WHERE r.kind = 'location' AND r.ref_id IN (` + set + `) AND ` + oparlAnd(paper.list, paper.content) + `
		) u ORDER BY l, k, r`
	var prev struct {
		l int64
		k string
		r int64
	}
	err := queryRefs(ctx, db, db.read, "find oparl location references", q, []any{arg, arg, arg, arg, arg}, func(l int64, k string, r int64) {
		if l == prev.l && k == prev.k && r == prev.r {
			return // a paper naming the location twice
		}
		prev.l, prev.k, prev.r = l, k, r
		m := out[l]
		if m == nil {
			m = map[string][]int64{}
			out[l] = m
		}
		m[k] = append(m[k], r)
	})
	return out, err
}
