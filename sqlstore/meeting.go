package sqlstore

import (
	"context"
	"database/sql"

	"github.com/ratsnetz/ratsnetz"
)

var meetingTable = table{name: "meetings", alias: "m", flagged: true, cols: []col{
	{name: "body_id", zero: zInt}, {name: "name", zero: zStr}, {name: "meeting_state", zero: zStr},
	{name: "cancelled", zero: zBool}, {name: "start_at", zero: zNull}, {name: "end_at", zero: zNull},
	{name: "location_id", zero: zInt}, {name: "mode", zero: zStr}, {name: "public", zero: zBool},
}}

func scanMeeting(rows rowScanner, hidden *bool, extra ...any) (*ratsnetz.Meeting, error) {
	m := &ratsnetz.Meeting{}
	dest := append(metaDest(&m.Meta), &m.BodyID, &m.Name, &m.MeetingState, boolScanner{&m.Cancelled},
		timeScanner{&m.Start}, timeScanner{&m.End}, &m.LocationID, &m.Mode, boolScanner{&m.Public})
	dest = append(append(dest, extra...), boolScanner{hidden})
	return m, rows.Scan(dest...)
}

// meetingRefsUnion selects the ID lists (o, k, r, pos) of the meetings whose
// ID column satisfies owner(column); the keys do not overlap.
func meetingRefsUnion(w viewer, owner func(col string) string) string {
	return `SELECT mo.meeting_id AS o, 'organization' AS k, mo.organization_id AS r, mo.position AS pos FROM meeting_organizations mo
		WHERE ` + owner("mo.meeting_id") + `
		UNION ALL
		SELECT mp.meeting_id, 'participant', mp.person_id, mp.position FROM meeting_participants mp
		WHERE ` + owner("mp.meeting_id") + `
		UNION ALL
		SELECT l.owner_id, l.role, l.file_id, l.position FROM file_links l
		WHERE l.owner_kind = 'meeting' AND ` + owner("l.owner_id") + ` AND ` + w.fileVisible("l.file_id")
}

// addMeetingRef adds one row of meetingRefsUnion to m.
func addMeetingRef(m *ratsnetz.Meeting, key string, ref int64) {
	switch key {
	case "organization":
		m.OrganizationIDs = append(m.OrganizationIDs, ref)
	case "participant":
		m.ParticipantIDs = append(m.ParticipantIDs, ref)
	case roleInvitation:
		m.InvitationFileID = ref
	case roleResultsProtocol:
		m.ResultsProtocolFileID = ref
	case roleVerbatimProtocol:
		m.VerbatimProtocolFileID = ref
	case roleAuxiliary:
		m.AuxiliaryFileIDs = append(m.AuxiliaryFileIDs, ref)
	}
}

// meetingRefs fills the ID lists of the meetings with visible content (one
// query for a page).
func (db *DB) meetingRefs(ctx context.Context, tx querier, w viewer, ms []*ratsnetz.Meeting) error {
	byID := make(map[int64]*ratsnetz.Meeting, len(ms))
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	in := func(col string) string { return col + " IN (%s)" }
	return db.refs(ctx, tx, `SELECT o, k, r FROM (`+meetingRefsUnion(w, in)+`) u ORDER BY o, k, pos`, ids, func(r refRow) {
		addMeetingRef(byID[r.owner], r.key, r.ref)
	})
}

// FindMeetingByID returns the meeting with the given ID; ENOTFOUND when the
// viewer may not see it. The meeting and its ID lists come in one
// statement.
func (db *DB) FindMeetingByID(ctx context.Context, id int64) (*ratsnetz.Meeting, error) {
	// The viewer's rights first: resolving them takes a pooled connection
	// of its own, which must not wait while this find holds one (with N
	// concurrent finds on an N-connection pool that deadlocks).
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	t := meetingTable
	t.cols = append(t.cols[:len(t.cols):len(t.cols)], col{name: "refs", zero: zNull,
		expr: db.refsColumn(meetingRefsUnion(w, func(c string) string { return c + " = m.id" }), "u.k, u.pos")})
	var m *ratsnetz.Meeting
	var hidden bool
	err = db.byID(ctx, tx, t, w.meeting("m", true), id, "Sitzung nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		m, err = scanMeeting(rows, &hidden, refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }})
		for _, r := range refs {
			addMeetingRef(m, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FindMeetings lists meetings by start, oldest first unless Descending.
func (db *DB) FindMeetings(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, int, error) {
	return db.findMeetings(ctx, f, true)
}

// FindMeetingsShallow is FindMeetings without the ID lists (organizations,
// participants, files), for list pages. Same visibility and order.
func (db *DB) FindMeetingsShallow(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, int, error) {
	return db.findMeetings(ctx, f, false)
}

func (db *DB) findMeetings(ctx context.Context, f ratsnetz.MeetingFilter, withRefs bool) ([]*ratsnetz.Meeting, int, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	vw := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	v := vw.meeting("m", f.WithDeleted)
	w := db.newWhere()
	if err := db.listOptions(&w, meetingTable, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	if !f.From.IsZero() && !f.Until.IsZero() && f.Until.Before(f.From) {
		return nil, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Der Zeitraum endet vor seinem Beginn.")
	}
	w.ids("m.id", f.IDs)
	if f.BodyID != 0 {
		w.add("m.body_id = ?", f.BodyID)
	}
	if f.OrganizationID != 0 {
		w.add("m.id IN (SELECT fmo.meeting_id FROM meeting_organizations fmo WHERE fmo.organization_id = ?)", f.OrganizationID)
	}
	if !f.From.IsZero() {
		w.add("m.start_at >= ?", db.tm(f.From))
	}
	if !f.Until.IsZero() {
		w.add("m.start_at < ?", db.tm(f.Until))
	}
	order := "m.start_at, m.id"
	if f.Descending {
		order = "m.start_at DESC" + db.dialect.NullsLast + ", m.id DESC"
	}
	var ms, shown []*ratsnetz.Meeting
	ms = []*ratsnetz.Meeting{}
	n, err := db.list(ctx, tx, meetingTable, v, &w, f.ListOptions, order, func(rows *sql.Rows) error {
		var hidden bool
		m, err := scanMeeting(rows, &hidden)
		ms = append(ms, m)
		if !hidden {
			shown = append(shown, m)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if !withRefs {
		shown = nil
	}
	if err := db.meetingRefs(ctx, tx, vw, shown); err != nil {
		return nil, 0, err
	}
	return ms, n, nil
}

func agendaItemTable(w viewer) table {
	return table{name: "agenda_items", alias: "a", cols: []col{
		{name: "meeting_id"}, {name: "position"}, {name: "number"}, {name: "name", zero: zStr}, {name: "public", zero: zBool},
		{name: "consultation_id", zero: zInt, expr: visibleRef("a.consultation_id", w.consultationVisible("a.consultation_id")), heavy: true},
		{name: "paper_id", zero: zInt, expr: visibleRef("a.paper_id", w.paperVisible("a.paper_id"))},
		{name: "result", zero: zStr}, {name: "resolution_text", zero: zStr, heavy: true}, {name: "minutes_text", zero: zStr, heavy: true},
		{name: "vote", zero: zStr, heavy: true}, {name: "start_at", zero: zNull}, {name: "end_at", zero: zNull},
		{name: "urgent", zero: zBool}, {name: "addendum", zero: zBool},
	}}
}

func scanAgendaItem(rows rowScanner, extra ...any) (*ratsnetz.AgendaItem, error) {
	a := &ratsnetz.AgendaItem{}
	dest := append(metaDest(&a.Meta), &a.MeetingID, &a.Order, &a.Number, &a.Name, boolScanner{&a.Public},
		&a.ConsultationID, &a.PaperID, &a.Result, &a.ResolutionText, &a.MinutesText,
		jsonScanner{&a.Vote}, timeScanner{&a.Start}, timeScanner{&a.End},
		boolScanner{&a.Urgent}, boolScanner{&a.Addendum})
	dest = append(append(dest, extra...), boolScanner{&a.Redacted})
	return a, rows.Scan(dest...)
}

// agendaItemRefsUnion selects the file references (o, k, r, pos) of the
// agenda items whose ID column satisfies owner(column).
func agendaItemRefsUnion(w viewer, owner func(col string) string) string {
	return `SELECT l.owner_id AS o, l.role AS k, l.file_id AS r, l.position AS pos FROM file_links l
		WHERE l.owner_kind = 'agenda_item' AND ` + owner("l.owner_id") + ` AND ` + w.fileVisible("l.file_id")
}

// addAgendaItemRef adds one row of agendaItemRefsUnion to a.
func addAgendaItemRef(a *ratsnetz.AgendaItem, key string, ref int64) {
	switch key {
	case roleResolution:
		a.ResolutionFileID = ref
	case roleAuxiliary:
		a.AuxiliaryFileIDs = append(a.AuxiliaryFileIDs, ref)
	}
}

// agendaItemRefs fills the file references of the unredacted items.
func (db *DB) agendaItemRefs(ctx context.Context, tx querier, w viewer, items []*ratsnetz.AgendaItem) error {
	byID := make(map[int64]*ratsnetz.AgendaItem, len(items))
	ids := make([]int64, 0, len(items))
	for _, a := range items {
		if a.Redacted {
			continue
		}
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	in := func(col string) string { return col + " IN (%s)" }
	return db.refs(ctx, tx, `SELECT o, k, r FROM (`+agendaItemRefsUnion(w, in)+`) u ORDER BY o, k, pos`, ids, func(r refRow) {
		addAgendaItemRef(byID[r.owner], r.key, r.ref)
	})
}

// FindAgendaItemByID returns the agenda item with the given ID; ENOTFOUND
// when the viewer may not see it (a redacted item is not found either). The
// item and its file references come in one statement.
func (db *DB) FindAgendaItemByID(ctx context.Context, id int64) (*ratsnetz.AgendaItem, error) {
	// The viewer's rights first: resolving them takes a pooled connection
	// of its own, which must not wait while this find holds one (with N
	// concurrent finds on an N-connection pool that deadlocks).
	w := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, err
	}
	defer end()
	t := agendaItemTable(w)
	t.cols = append(t.cols, col{name: "refs", zero: zNull,
		expr: db.refsColumn(agendaItemRefsUnion(w, func(c string) string { return c + " = a.id" }), "u.k, u.pos")})
	var a *ratsnetz.AgendaItem
	err = db.byID(ctx, tx, t, w.agendaItem("a", true), id, "Tagesordnungspunkt nicht gefunden.", func(rows *sql.Rows) (err error) {
		var refs []refRow
		a, err = scanAgendaItem(rows, refsScanner{func(k string, r int64) { refs = append(refs, refRow{key: k, ref: r}) }})
		for _, r := range refs {
			addAgendaItemRef(a, r.key, r.ref)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// FindAgendaItems lists agenda items in meeting order. Non-public items of a
// visible meeting come back as redacted placeholders for viewers who may not
// see them.
func (db *DB) FindAgendaItems(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, int, error) {
	return db.findAgendaItems(ctx, f, nil, true)
}

// FindAgendaItemsShallow is FindAgendaItems without the file and
// consultation references (ResolutionFileID, AuxiliaryFileIDs,
// ConsultationID) and without the long texts (resolution, minutes, vote),
// for agendas that show number, name, result and paper. Same visibility
// and order.
func (db *DB) FindAgendaItemsShallow(ctx context.Context, f ratsnetz.AgendaItemFilter) ([]*ratsnetz.AgendaItem, int, error) {
	return db.findAgendaItems(ctx, f, nil, false)
}

// FindAgendaItemsByMeetingIDs returns all agenda items of the meetings, in
// meeting order, with the visibility of FindAgendaItems.
func (db *DB) FindAgendaItemsByMeetingIDs(ctx context.Context, meetingIDs []int64) ([]*ratsnetz.AgendaItem, error) {
	if len(meetingIDs) == 0 {
		return []*ratsnetz.AgendaItem{}, nil
	}
	items, _, err := db.findAgendaItems(ctx, ratsnetz.AgendaItemFilter{}, meetingIDs, true)
	return items, err
}

// findAgendaItems lists by f or, when meetingIDs is set, all items of those
// meetings.
func (db *DB) findAgendaItems(ctx context.Context, f ratsnetz.AgendaItemFilter, meetingIDs []int64, withRefs bool) ([]*ratsnetz.AgendaItem, int, error) {
	// Rights first: resolving them may need a connection of its own,
	// and holding a read transaction meanwhile can exhaust the pool.
	vw := db.viewerOf(ctx)
	tx, end, err := db.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer end()
	t := agendaItemTable(vw)
	v := vw.agendaItem("a", f.WithDeleted)
	w := db.newWhere()
	if meetingIDs != nil {
		w.ids("a.meeting_id", meetingIDs)
		f.ListOptions = ratsnetz.ListOptions{Limit: -1}
	} else if err := db.listOptions(&w, t, v, f.ListOptions); err != nil {
		return nil, 0, err
	}
	w.ids("a.id", f.IDs)
	if f.BodyID != 0 {
		// A correlated EXISTS, not IN: keyset pages then walk the primary
		// key from After and stop after Limit rows.
		w.add("EXISTS (SELECT 1 FROM meetings fm WHERE fm.id = a.meeting_id AND fm.body_id = ?)", f.BodyID)
	}
	if f.MeetingID != 0 {
		w.add("a.meeting_id = ?", f.MeetingID)
	}
	if f.PaperID != 0 {
		w.add("a.paper_id = ?", f.PaperID)
		w.add(vw.agendaItemByPaper("a"))
	}
	if !withRefs {
		t = t.light()
	}
	items := []*ratsnetz.AgendaItem{}
	n, err := db.list(ctx, tx, t, v, &w, f.ListOptions, "a.meeting_id, a.position, a.id", func(rows *sql.Rows) error {
		a, err := scanAgendaItem(rows)
		items = append(items, a)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if !withRefs {
		return items, n, nil
	}
	if err := db.agendaItemRefs(ctx, tx, vw, items); err != nil {
		return nil, 0, err
	}
	return items, n, nil
}
