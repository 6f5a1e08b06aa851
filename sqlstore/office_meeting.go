package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Meeting planning and the agenda builder: ratsnetz.MeetingPlanner.

// meetingHead is what the office methods need of a meeting.
type meetingHead struct {
	id, bodyID int64
	state      string
	start      time.Time
	orgs       []int64
	invited    bool
	signed     bool
}

func (db *DB) meetingHead(ctx context.Context, tx *sql.Tx, id int64) (*meetingHead, error) {
	m := &meetingHead{id: id}
	var invited, chair, recorder time.Time
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT m.body_id, m.meeting_state, m.start_at, o.invited, o.chair_signed, o.recorder_signed
		FROM meetings m LEFT JOIN office_meetings o ON o.meeting_id = m.id WHERE m.id = ? AND NOT m.deleted`), id).
		Scan(&m.bodyID, &m.state, timeScanner{&m.start}, timeScanner{&invited}, timeScanner{&chair}, timeScanner{&recorder})
	if err == sql.ErrNoRows {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diese Sitzung gibt es nicht.")
	} else if err != nil {
		return nil, fmt.Errorf("meeting %d: %w", id, err)
	}
	m.invited = !invited.IsZero() || m.state == ratsnetz.MeetingStateInvited
	m.signed = !chair.IsZero() || !recorder.IsZero()
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT organization_id FROM meeting_organizations WHERE meeting_id = ? ORDER BY position`), id)
	if err != nil {
		return nil, fmt.Errorf("meeting %d organizations: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o int64
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		m.orgs = append(m.orgs, o)
	}
	return m, rows.Err()
}

// officeMeeting loads a meeting for a council office action.
func (db *DB) officeMeeting(ctx context.Context, tx *sql.Tx, a actor, id int64) (*meetingHead, error) {
	m, err := db.meetingHead(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !a.office(m.bodyID) {
		return nil, forbidden()
	}
	return m, nil
}

func validMode(m string) bool {
	return m == ratsnetz.ModeInPerson || m == ratsnetz.ModeHybrid || m == ratsnetz.ModeOnline
}

// gremium returns the body and name of a committee-like organization.
func (db *DB) gremium(ctx context.Context, tx *sql.Tx, id int64) (int64, string, error) {
	var body int64
	var name, t string
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT body_id, name, organization_type FROM organizations WHERE id = ? AND NOT deleted`), id).Scan(&body, &name, &t)
	if err == sql.ErrNoRows || (err == nil && t != ratsnetz.OrgTypeGremium) {
		return 0, "", ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie ein Gremium.")
	}
	return body, name, err
}

func (db *DB) checkMeetingInput(in *ratsnetz.MeetingInput, orgName string) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = "Sitzung: " + orgName
	}
	if err := checkText("Bezeichnung", in.Name, 300, true); err != nil {
		return err
	}
	if in.Start.IsZero() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie Datum und Uhrzeit des Beginns an.")
	}
	if !in.End.IsZero() && !in.End.After(in.Start) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Ende muss nach dem Beginn liegen.")
	}
	if in.Mode == "" {
		in.Mode = ratsnetz.ModeInPerson
	}
	if !validMode(in.Mode) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie die Form der Sitzung (Präsenz, hybrid, online).")
	}
	return nil
}

// checkLocation refuses a location that does not exist.
func (db *DB) checkLocation(ctx context.Context, tx *sql.Tx, id int64) error {
	if id == 0 {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM locations WHERE id = ? AND NOT deleted`), id).Scan(&one)
	if err == sql.ErrNoRows {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Den Ort %d gibt es nicht.", id)
	}
	return err
}

func (db *DB) insertMeeting(ctx context.Context, tx *sql.Tx, now time.Time, body int64, in ratsnetz.MeetingInput) (*ratsnetz.Meeting, error) {
	if err := db.checkLocation(ctx, tx, in.LocationID); err != nil {
		return nil, err
	}
	id, err := db.newID(ctx, tx, "meetings")
	if err != nil {
		return nil, err
	}
	m := &ratsnetz.Meeting{Meta: ratsnetz.Meta{ID: id, Created: now, Modified: now}, BodyID: body, Name: in.Name,
		MeetingState: ratsnetz.MeetingStateScheduled, Start: in.Start.UTC(), End: in.End.UTC(), LocationID: in.LocationID, Mode: in.Mode,
		OrganizationIDs: []int64{in.OrganizationID}, Public: in.Public, Cancelled: in.Cancelled}
	if in.End.IsZero() {
		m.End = time.Time{}
	}
	l := db.newLoader(tx, now)
	defer l.close()
	if err := l.meetings(ctx, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}}); err != nil {
		return nil, err
	}
	return m, nil
}

// CreateMeeting creates a meeting of one organization (council office).
func (db *DB) CreateMeeting(ctx context.Context, in ratsnetz.MeetingInput) (*ratsnetz.Meeting, error) {
	var m *ratsnetz.Meeting
	err := db.officeTx(ctx, "create meeting", func(tx *sql.Tx, a actor) error {
		body, name, err := db.gremium(ctx, tx, in.OrganizationID)
		if err != nil {
			return err
		}
		if !a.office(body) {
			return forbidden()
		}
		if err := db.checkMeetingInput(&in, name); err != nil {
			return err
		}
		if m, err = db.insertMeeting(ctx, tx, db.now(), body, in); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMeeting changes a meeting's name, times, place, mode, publicity and
// cancellation (the organizations stay).
func (db *DB) UpdateMeeting(ctx context.Context, id int64, in ratsnetz.MeetingInput) (*ratsnetz.Meeting, error) {
	err := db.officeTx(ctx, "update meeting", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := db.checkMeetingInput(&in, "Sitzung"); err != nil {
			return err
		}
		if err := db.checkLocation(ctx, tx, in.LocationID); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE meetings SET name = ?, start_at = ?, end_at = ?, location_id = ?, mode = ?,
			cancelled = ?, depublished_at = CASE WHEN ? THEN NULL WHEN public THEN ? ELSE depublished_at END, public = ?, modified = ? WHERE id = ?`),
			in.Name, db.tm(in.Start), db.tm(in.End), in.LocationID, in.Mode, in.Cancelled, in.Public, db.tm(now), in.Public, db.tm(now), h.id); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return db.FindMeetingByID(ctx, id)
}

// CreateMeetingSeries creates s.Count meetings of one organization.
func (db *DB) CreateMeetingSeries(ctx context.Context, s ratsnetz.MeetingSeries) ([]*ratsnetz.Meeting, error) {
	if s.Count < 1 || s.Count > 60 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Serie hat 1 bis 60 Sitzungen.")
	}
	if (s.EveryWeeks > 0) == (s.NthWeekday > 0) || s.EveryWeeks > 52 || s.NthWeekday > 4 || s.EveryWeeks < 0 || s.NthWeekday < 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie entweder „alle N Wochen“ oder „am n-ten Wochentag im Monat“ (1 bis 4).")
	}
	if s.First.IsZero() {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie die erste Sitzung an.")
	}
	first := s.First.In(db.location())
	var starts []time.Time
	for i := 0; i < s.Count; i++ {
		if s.EveryWeeks > 0 {
			// AddDate on Berlin wall time keeps the time of day across DST.
			starts = append(starts, first.AddDate(0, 0, 7*s.EveryWeeks*i))
			continue
		}
		month := time.Date(first.Year(), first.Month()+time.Month(i), 1, first.Hour(), first.Minute(), 0, 0, db.location())
		shift := (int(first.Weekday()) - int(month.Weekday()) + 7) % 7
		starts = append(starts, month.AddDate(0, 0, shift+7*(s.NthWeekday-1)))
	}
	var out []*ratsnetz.Meeting
	err := db.officeTx(ctx, "create meeting series", func(tx *sql.Tx, a actor) error {
		body, name, err := db.gremium(ctx, tx, s.OrganizationID)
		if err != nil {
			return err
		}
		if !a.office(body) {
			return forbidden()
		}
		now := db.now()
		for i, st := range starts {
			in := ratsnetz.MeetingInput{OrganizationID: s.OrganizationID, Name: s.Name, Start: st, LocationID: s.LocationID, Mode: s.Mode, Public: s.Public}
			if s.Duration > 0 {
				in.End = st.Add(s.Duration)
			}
			if err := db.checkMeetingInput(&in, name); err != nil {
				return err
			}
			if s.Name != "" {
				in.Name = s.Name + " (" + strconv.Itoa(i+1) + ")"
			}
			m, err := db.insertMeeting(ctx, tx, now, body, in)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// agendaRow is one item in the agenda builder's bookkeeping.
type agendaRow struct {
	id       int64
	public   bool
	position int
	number   string
	level    int
	name     string
}

// agendaRows returns the meeting's items in agenda order: the public part
// first, then the non-public part.
func (db *DB) agendaRows(ctx context.Context, tx *sql.Tx, meetingID int64) ([]*agendaRow, error) {
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT a.id, a.public, a.position, a.number, COALESCE(o.level, 0), a.name
		FROM agenda_items a LEFT JOIN office_agenda o ON o.item_id = a.id WHERE a.meeting_id = ? AND NOT a.deleted ORDER BY a.position, a.id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("agenda of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	var out []*agendaRow
	for rows.Next() {
		r := &agendaRow{}
		if err := rows.Scan(&r.id, boolScanner{&r.public}, &r.position, &r.number, &r.level, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].public && !out[j].public })
	return out, nil
}

// writeAgenda stores positions and numbers (Ö 1, Ö 1.1, N 1) of rows in
// their order; only items whose place changed are written.
func (db *DB) writeAgenda(ctx context.Context, tx *sql.Tx, rows []*agendaRow, now time.Time) error {
	counters := map[bool][2]int{}
	for i, r := range rows {
		c := counters[r.public]
		prefix := "N"
		if r.public {
			prefix = "Ö"
		}
		var num string
		if r.level > 0 && c[0] > 0 {
			c[1]++
			num = prefix + " " + strconv.Itoa(c[0]) + "." + strconv.Itoa(c[1])
		} else {
			c[0]++
			c[1] = 0
			num = prefix + " " + strconv.Itoa(c[0])
		}
		counters[r.public] = c
		if r.position == i && r.number == num {
			continue
		}
		r.position, r.number = i, num
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE agenda_items SET position = ?, number = ?, modified = ? WHERE id = ?`),
			i, num, db.tm(now), r.id); err != nil {
			return fmt.Errorf("renumber agenda: %w", err)
		}
	}
	return nil
}

func isTrailingStandard(name string) bool {
	return name == ratsnetz.StandardNotices || name == ratsnetz.StandardQuestions
}

// AddAgendaItem appends an item to its part of the agenda (before the
// trailing standard items) and renumbers.
func (db *DB) AddAgendaItem(ctx context.Context, meetingID int64, in ratsnetz.AgendaItemInput) (*ratsnetz.AgendaItem, error) {
	var item *ratsnetz.AgendaItem
	err := db.officeTx(ctx, "add agenda item", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		if h.signed {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Niederschrift ist unterschrieben; die Tagesordnung ist abgeschlossen.")
		}
		now := db.now()
		item, err = db.addItem(ctx, tx, h, in, now, -1)
		if err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// addItem inserts an item; at < 0 puts it at the end of its part before
// the trailing standard items, otherwise at index at of the agenda.
func (db *DB) addItem(ctx context.Context, tx *sql.Tx, h *meetingHead, in ratsnetz.AgendaItemInput, now time.Time, at int) (*ratsnetz.AgendaItem, error) {
	in.Name = strings.TrimSpace(in.Name)
	var paperID int64
	if in.ConsultationID != 0 {
		var status string
		var itemID, org int64
		var paperPublic bool
		var paperName string
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT c.paper_id, c.status, c.agenda_item_id, COALESCE(co.organization_id, 0), p.public, p.name
			FROM consultations c JOIN papers p ON p.id = c.paper_id
			LEFT JOIN consultation_organizations co ON co.consultation_id = c.id AND co.position = 0
			WHERE c.id = ? AND NOT c.deleted AND NOT p.deleted`), in.ConsultationID).Scan(&paperID, &status, &itemID, &org, boolScanner{&paperPublic}, &paperName)
		if err == sql.ErrNoRows {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Diese Beratung gibt es nicht.")
		} else if err != nil {
			return nil, err
		}
		inMeeting := false
		for _, o := range h.orgs {
			inMeeting = inMeeting || o == org
		}
		if !inMeeting || itemID != 0 || status != ratsnetz.ConsultationPlanned {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Vorlage ist nicht für dieses Gremium geplant oder steht schon auf einer Tagesordnung.")
		}
		if in.Name == "" {
			in.Name = paperName
		}
		in.Public = in.Public && paperPublic
	}
	if err := checkText("Betreff des Tagesordnungspunkts", in.Name, 1000, true); err != nil {
		return nil, err
	}
	rows, err := db.agendaRows(ctx, tx, h.id)
	if err != nil {
		return nil, err
	}
	id, err := db.newID(ctx, tx, "agenda_items")
	if err != nil {
		return nil, err
	}
	item := &ratsnetz.AgendaItem{Meta: ratsnetz.Meta{ID: id, Created: now, Modified: now}, MeetingID: h.id, Name: in.Name, Public: in.Public,
		ConsultationID: in.ConsultationID, PaperID: paperID, Urgent: in.Urgent, Addendum: in.Addendum || h.invited}
	row := &agendaRow{id: id, public: in.Public, position: -1, name: in.Name}
	if at < 0 {
		// End of the item's part, before trailing Mitteilungen/Anfragen.
		at = 0
		for i, r := range rows {
			if r.public == in.Public || (r.public && !in.Public) {
				at = i + 1
			}
		}
		for at > 0 && rows[at-1].public == in.Public && isTrailingStandard(rows[at-1].name) && !isTrailingStandard(in.Name) {
			at--
		}
	}
	if in.Sub && at > 0 && rows[at-1].public == in.Public {
		row.level = 1
	}
	rows = append(rows[:at], append([]*agendaRow{row}, rows[at:]...)...)
	l := db.newLoader(tx, now)
	defer l.close()
	if err := l.agendaItems(ctx, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{item}}); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_agenda (item_id, meeting_id, level, added, changed) VALUES (?, ?, ?, ?, ?)`),
		id, h.id, row.level, db.tm(now), db.tm(now)); err != nil {
		return nil, err
	}
	if err := db.writeAgenda(ctx, tx, rows, now); err != nil {
		return nil, err
	}
	item.Order, item.Number = row.position, row.number
	if in.ConsultationID != 0 {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET meeting_id = ?, agenda_item_id = ?, date = ?, modified = ? WHERE id = ?`),
			h.id, id, db.tm(db.berlinDay(h.start)), db.tm(now), in.ConsultationID); err != nil {
			return nil, err
		}
		if err := db.touch(ctx, tx, "papers", paperID, now); err != nil {
			return nil, err
		}
	}
	return item, db.touch(ctx, tx, "meetings", h.id, now)
}

// AddStandardItems adds Eröffnung and Genehmigung der Niederschrift at the
// top and Mitteilungen and Anfragen at the end of the public part, each only
// if the agenda does not have it yet.
func (db *DB) AddStandardItems(ctx context.Context, meetingID int64) error {
	return db.officeTx(ctx, "add standard items", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		if h.signed {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Niederschrift ist unterschrieben; die Tagesordnung ist abgeschlossen.")
		}
		rows, err := db.agendaRows(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		has := map[string]bool{}
		for _, r := range rows {
			has[r.name] = true
		}
		now := db.now()
		for i, name := range []string{ratsnetz.StandardOpening, ratsnetz.StandardMinutes} {
			if !has[name] {
				if _, err := db.addItem(ctx, tx, h, ratsnetz.AgendaItemInput{Name: name, Public: true}, now, i); err != nil {
					return err
				}
			}
		}
		for _, name := range []string{ratsnetz.StandardNotices, ratsnetz.StandardQuestions} {
			if !has[name] {
				if _, err := db.addItem(ctx, tx, h, ratsnetz.AgendaItemInput{Name: name, Public: true}, now, -1); err != nil {
					return err
				}
			}
		}
		return db.bumpVersion(ctx, tx)
	})
}

// itemHead loads an agenda item's meeting for an office action.
func (db *DB) itemMeeting(ctx context.Context, tx *sql.Tx, a actor, itemID int64) (*meetingHead, error) {
	var meetingID int64
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT meeting_id FROM agenda_items WHERE id = ? AND NOT deleted`), itemID).Scan(&meetingID)
	if err == sql.ErrNoRows {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Tagesordnungspunkt gibt es nicht.")
	} else if err != nil {
		return nil, err
	}
	h, err := db.officeMeeting(ctx, tx, a, meetingID)
	if err != nil {
		return nil, err
	}
	if h.signed {
		return nil, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Niederschrift ist unterschrieben; die Sitzung ist abgeschlossen.")
	}
	return h, nil
}

// MoveAgendaItem moves an item by delta places within its part.
func (db *DB) MoveAgendaItem(ctx context.Context, itemID int64, delta int) error {
	return db.officeTx(ctx, "move agenda item", func(tx *sql.Tx, a actor) error {
		h, err := db.itemMeeting(ctx, tx, a, itemID)
		if err != nil {
			return err
		}
		rows, err := db.agendaRows(ctx, tx, h.id)
		if err != nil {
			return err
		}
		i := 0
		for i < len(rows) && rows[i].id != itemID {
			i++
		}
		for step := 0; step < abs(delta) && i < len(rows); step++ {
			j := i + sign(delta)
			if j < 0 || j >= len(rows) || rows[j].public != rows[i].public {
				break
			}
			rows[i], rows[j] = rows[j], rows[i]
			i = j
		}
		now := db.now()
		if err := db.writeAgenda(ctx, tx, rows, now); err != nil {
			return err
		}
		if err := db.touch(ctx, tx, "meetings", h.id, now); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// RemoveAgendaItem deletes an item without a result (tombstone for OParl)
// and gives its paper's consultation back to the planning.
func (db *DB) RemoveAgendaItem(ctx context.Context, itemID int64) error {
	return db.officeTx(ctx, "remove agenda item", func(tx *sql.Tx, a actor) error {
		h, err := db.itemMeeting(ctx, tx, a, itemID)
		if err != nil {
			return err
		}
		var result string
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT result FROM agenda_items WHERE id = ?`), itemID).Scan(&result); err != nil {
			return err
		}
		if result != "" {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Tagesordnungspunkt hat schon ein Ergebnis.")
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE agenda_items SET deleted = ?, modified = ? WHERE id = ?`), true, db.tm(now), itemID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET meeting_id = 0, agenda_item_id = 0, modified = ? WHERE agenda_item_id = ?`),
			db.tm(now), itemID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_agenda SET changed = ? WHERE item_id = ?`), db.tm(now), itemID); err != nil {
			return err
		}
		rows, err := db.agendaRows(ctx, tx, h.id)
		if err != nil {
			return err
		}
		if err := db.writeAgenda(ctx, tx, rows, now); err != nil {
			return err
		}
		if err := db.touch(ctx, tx, "meetings", h.id, now); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
}

// PlannedConsultations lists the consultations to pull into the meeting:
// planned in one of its organizations for its day (or undated), not on an
// agenda, with every earlier step of the paper's Beratungsfolge finished.
func (db *DB) PlannedConsultations(ctx context.Context, meetingID int64) ([]*ratsnetz.Consultation, error) {
	var out []*ratsnetz.Consultation
	err := db.officeTx(ctx, "planned consultations", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		if len(h.orgs) == 0 {
			return nil
		}
		set, arg := db.idSet(h.orgs)
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT c.id, c.paper_id, c.role, c.status, c.date, c.position, c.authoritative, co.organization_id
			FROM consultations c JOIN consultation_organizations co ON co.consultation_id = c.id AND co.position = 0
			JOIN papers p ON p.id = c.paper_id
			WHERE co.organization_id IN (`+set+`) AND c.agenda_item_id = 0 AND c.status = ? AND NOT c.deleted AND NOT p.deleted
			AND (c.date IS NULL OR c.date = ?)
			AND NOT EXISTS (SELECT 1 FROM consultations e WHERE e.paper_id = c.paper_id AND e.position < c.position AND NOT e.deleted AND e.status = ?)
			ORDER BY c.paper_id, c.position`), arg, ratsnetz.ConsultationPlanned, db.tm(db.berlinDay(h.start)), ratsnetz.ConsultationPlanned)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := &ratsnetz.Consultation{}
			var org int64
			if err := rows.Scan(&c.ID, &c.PaperID, &c.Role, &c.Status, timeScanner{&c.Date}, &c.Position, boolScanner{&c.Authoritative}, &org); err != nil {
				return err
			}
			c.OrganizationIDs = []int64{org}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MarkInvited records the invitation time: the meeting is "eingeladen" and
// items added from now on are Nachträge.
func (db *DB) MarkInvited(ctx context.Context, meetingID int64, t time.Time) error {
	return db.officeTx(ctx, "mark invited", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		if err := db.ensureOfficeMeeting(ctx, tx, h.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_meetings SET invited = ? WHERE meeting_id = ? AND invited IS NULL`), db.tm(t), h.id); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE meetings SET meeting_state = ?, modified = ? WHERE id = ? AND meeting_state = ?`),
			ratsnetz.MeetingStateInvited, db.tm(now), h.id, ratsnetz.MeetingStateScheduled); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
}

func (db *DB) ensureOfficeMeeting(ctx context.Context, tx *sql.Tx, meetingID int64) error {
	_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_meetings (meeting_id) VALUES (?) ON CONFLICT (meeting_id) DO NOTHING`), meetingID)
	return err
}

// AgendaChangesSince lists the items of the meeting added or changed
// (including removed, as deleted items) after since, as the viewer in ctx
// may see them (distribution calls it per recipient or as the system).
func (db *DB) AgendaChangesSince(ctx context.Context, meetingID int64, since time.Time) ([]ratsnetz.AgendaChange, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT item_id, added, changed FROM office_agenda WHERE meeting_id = ? AND changed > ? ORDER BY item_id`),
		meetingID, db.tm(since))
	if err != nil {
		return nil, fmt.Errorf("agenda changes: %w", err)
	}
	type ch struct{ added, changed time.Time }
	byID := map[int64]ch{}
	var ids []int64
	for rows.Next() {
		var id int64
		var c ch
		if err := rows.Scan(&id, timeScanner{&c.added}, timeScanner{&c.changed}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("agenda changes: %w", err)
		}
		byID[id] = c
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agenda changes: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	items, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{IDs: ids, MeetingID: meetingID, ListOptions: ratsnetz.ListOptions{Limit: len(ids), WithDeleted: true}})
	if err != nil {
		return nil, err
	}
	out := make([]ratsnetz.AgendaChange, 0, len(items))
	for _, it := range items {
		c := byID[it.ID]
		out = append(out, ratsnetz.AgendaChange{Item: it, Added: c.added.After(since), Changed: c.changed})
	}
	return out, nil
}
