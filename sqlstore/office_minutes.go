package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Minutes (Niederschrift): ratsnetz.MinutesService.

// isChair reports whether the actor's person chairs the meeting's leading
// organization today (Vorsitz or stv. Vorsitz).
func (db *DB) isChair(ctx context.Context, tx *sql.Tx, a actor, h *meetingHead) bool {
	if a.system {
		return true
	}
	if a.personID == 0 || len(h.orgs) == 0 {
		return false
	}
	today := db.berlinDay(db.Now())
	var one int
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM memberships WHERE person_id = ? AND organization_id = ? AND NOT deleted
		AND role IN (?, ?) AND (start_date IS NULL OR start_date <= ?) AND (end_date IS NULL OR end_date >= ?) LIMIT 1`),
		a.personID, h.orgs[0], ratsnetz.RoleChair, ratsnetz.RoleViceChair, db.tm(today), db.tm(today)).Scan(&one)
	return err == nil
}

// FindMinutes returns the minutes state of a meeting: council office and the
// chair only (until publication the minutes are a working document).
func (db *DB) FindMinutes(ctx context.Context, meetingID int64) (*ratsnetz.Minutes, error) {
	var m *ratsnetz.Minutes
	err := db.officeTx(ctx, "find minutes", func(tx *sql.Tx, a actor) error {
		h, err := db.meetingHead(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if !a.office(h.bodyID) && !db.isChair(ctx, tx, a, h) {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diese Niederschrift gibt es nicht.")
		}
		m = &ratsnetz.Minutes{MeetingID: meetingID}
		err = tx.QueryRowContext(ctx, db.rebind(`SELECT o.minutes_text, o.chair_account_id, COALESCE(ca.display_name, ''), o.chair_signed,
			o.recorder_account_id, COALESCE(ra.display_name, ''), o.recorder_signed, o.published, o.file_id
			FROM office_meetings o LEFT JOIN accounts ca ON ca.id = o.chair_account_id LEFT JOIN accounts ra ON ra.id = o.recorder_account_id
			WHERE o.meeting_id = ?`), meetingID).Scan(&m.Text, &m.ChairAccountID, &m.ChairName, timeScanner{&m.ChairSigned},
			&m.RecorderID, &m.RecorderName, timeScanner{&m.RecorderSigned}, timeScanner{&m.Published}, &m.FileID)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT t.person_id, COALESCE(p.name, ''), t.status, t.arrived, t.left_at
			FROM office_attendance t LEFT JOIN persons p ON p.id = t.person_id WHERE t.meeting_id = ? ORDER BY p.family_name, p.name, t.person_id`), meetingID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at ratsnetz.Attendance
			if err := rows.Scan(&at.PersonID, &at.Name, &at.Status, timeScanner{&at.Arrived}, timeScanner{&at.Left}); err != nil {
				return err
			}
			m.Attendance = append(m.Attendance, at)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// minutesMeeting loads the meeting for a change of its minutes: council
// office, not signed yet.
func (db *DB) minutesMeeting(ctx context.Context, tx *sql.Tx, a actor, meetingID int64) (*meetingHead, error) {
	h, err := db.officeMeeting(ctx, tx, a, meetingID)
	if err != nil {
		return nil, err
	}
	if h.signed {
		return nil, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Niederschrift ist schon unterschrieben und kann nicht mehr geändert werden.")
	}
	return h, nil
}

// RecordAttendance replaces the attendance list of a meeting.
func (db *DB) RecordAttendance(ctx context.Context, meetingID int64, list []ratsnetz.Attendance) error {
	return db.officeTx(ctx, "record attendance", func(tx *sql.Tx, a actor) error {
		h, err := db.minutesMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, at := range list {
			switch at.Status {
			case ratsnetz.AttendancePresent, ratsnetz.AttendanceExcused, ratsnetz.AttendanceUnexcused:
			default:
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannter Anwesenheitsstatus %q.", at.Status)
			}
			if seen[at.PersonID] || at.PersonID <= 0 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Jede Person steht höchstens einmal in der Anwesenheitsliste.")
			}
			seen[at.PersonID] = true
			if !at.Arrived.IsZero() && !at.Left.IsZero() && at.Left.Before(at.Arrived) {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Gehen liegt vor dem Kommen.")
			}
			var one int
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM persons WHERE id = ? AND NOT deleted`), at.PersonID).Scan(&one); err == sql.ErrNoRows {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Person %d gibt es nicht.", at.PersonID)
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM office_attendance WHERE meeting_id = ?`), h.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM meeting_participants WHERE meeting_id = ?`), h.id); err != nil {
			return err
		}
		pos := 0
		for _, at := range list {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO office_attendance (meeting_id, person_id, status, arrived, left_at) VALUES (?, ?, ?, ?, ?)`),
				h.id, at.PersonID, at.Status, db.tm(at.Arrived), db.tm(at.Left)); err != nil {
				return err
			}
			if at.Status == ratsnetz.AttendancePresent {
				if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO meeting_participants (meeting_id, position, person_id) VALUES (?, ?, ?)`),
					h.id, pos, at.PersonID); err != nil {
					return err
				}
				pos++
			}
		}
		if err := db.touch(ctx, tx, "meetings", h.id, db.now()); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
}

// SetMinutesText stores the general minutes text.
func (db *DB) SetMinutesText(ctx context.Context, meetingID int64, text string) error {
	return db.officeTx(ctx, "set minutes text", func(tx *sql.Tx, a actor) error {
		h, err := db.minutesMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		if err := checkText("Niederschrift", text, 200000, false); err != nil {
			return err
		}
		if err := db.ensureOfficeMeeting(ctx, tx, h.id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE office_meetings SET minutes_text = ? WHERE meeting_id = ?`), text, h.id)
		return err
	})
}

func knownResult(r string) bool {
	switch r {
	case ratsnetz.ResultAdopted, ratsnetz.ResultAdoptedAmended, ratsnetz.ResultRejected, ratsnetz.ResultNoted, ratsnetz.ResultPostponed,
		ratsnetz.ResultFirstReading, ratsnetz.ResultWithdrawn, ratsnetz.ResultReferred, ratsnetz.ResultRecommended,
		ratsnetz.ResultNotRecommended, ratsnetz.ResultAnswered:
		return true
	}
	return false
}

// paperStatusOf is the paper status a final result gives.
func paperStatusOf(result string) string {
	switch result {
	case ratsnetz.ResultAdopted, ratsnetz.ResultAdoptedAmended:
		return ratsnetz.PaperStatusDecided
	case ratsnetz.ResultRejected:
		return ratsnetz.PaperStatusRejected
	case ratsnetz.ResultNoted:
		return ratsnetz.PaperStatusNoted
	case ratsnetz.ResultAnswered:
		return ratsnetz.PaperStatusAnswered
	case ratsnetz.ResultWithdrawn:
		return ratsnetz.PaperStatusWithdrawn
	}
	return ratsnetz.PaperStatusDone
}

// RecordResult records an item's result and moves the Beratungsfolge on.
func (db *DB) RecordResult(ctx context.Context, itemID int64, r ratsnetz.ItemResult) (*ratsnetz.AgendaItem, error) {
	err := db.officeTx(ctx, "record result", func(tx *sql.Tx, a actor) error {
		h, err := db.itemMeeting(ctx, tx, a, itemID)
		if err != nil {
			return err
		}
		if r.Result != "" && !knownResult(r.Result) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie ein Ergebnis aus der Liste.")
		}
		if err := checkText("Beschlusstext", r.ResolutionText, 50000, false); err != nil {
			return err
		}
		if err := checkText("Protokolltext", r.MinutesText, 100000, false); err != nil {
			return err
		}
		if v := r.Vote; v != nil {
			if v.Yes < 0 || v.No < 0 || v.Abstain < 0 || v.Yes+v.No+v.Abstain > 10000 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Stimmenzahlen müssen zwischen 0 und 10 000 liegen.")
			}
			if v.Unanimous && v.No > 0 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Einstimmig und Nein-Stimmen schließen sich aus.")
			}
			for _, f := range v.Factions {
				if f.Yes < 0 || f.No < 0 || f.Abstain < 0 {
					return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Stimmenzahlen müssen zwischen 0 und 10 000 liegen.")
				}
			}
		}
		now := db.now()
		vote, err := jsonText(r.Vote)
		if err != nil {
			return err
		}
		var consultationID int64
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT consultation_id FROM agenda_items WHERE id = ?`), itemID).Scan(&consultationID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE agenda_items SET result = ?, resolution_text = ?, minutes_text = ?, vote = ?, modified = ? WHERE id = ?`),
			r.Result, r.ResolutionText, r.MinutesText, vote, db.tm(now), itemID); err != nil {
			return err
		}
		for _, p := range r.ConflictPersonIDs {
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO conflicts_of_interest (person_id, agenda_item_id, note, recorded_by, created)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (agenda_item_id, person_id) DO NOTHING`), p, itemID, "Niederschrift", a.accountID, db.tm(now)); err != nil {
				return err
			}
		}
		if consultationID != 0 && r.Result != "" {
			if err := db.advanceConsultation(ctx, tx, consultationID, r.Result, now); err != nil {
				return err
			}
		}
		if err := db.touch(ctx, tx, "meetings", h.id, now); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return db.FindAgendaItemByID(ctx, itemID)
}

// advanceConsultation moves a paper's Beratungsfolge on after a result: the
// consultation is done (or postponed: back to planning, undated); a final
// result of the deciding consultation, or of the last one, sets the paper's
// status; otherwise the next planned consultation is the current one (it
// shows up in PlannedConsultations of its body's next meeting).
func (db *DB) advanceConsultation(ctx context.Context, tx *sql.Tx, id int64, result string, now time.Time) error {
	var paperID int64
	var position int
	var authoritative bool
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT paper_id, position, authoritative FROM consultations WHERE id = ?`), id).
		Scan(&paperID, &position, boolScanner{&authoritative}); err != nil {
		return fmt.Errorf("consultation %d: %w", id, err)
	}
	switch result {
	case ratsnetz.ResultPostponed, ratsnetz.ResultFirstReading, ratsnetz.ResultReferred:
		// The paper comes back: a new planned step in the same organization
		// replaces this one's place in the planning.
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET status = ?, result = ?, modified = ? WHERE id = ?`),
			ratsnetz.ConsultationPostponed, result, db.tm(now), id); err != nil {
			return err
		}
		newID, err := db.newID(ctx, tx, "consultations")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET paper_id = ?, meeting_id = 0, agenda_item_id = 0, authoritative = ?,
			role = (SELECT role FROM consultations WHERE id = ?), status = ?, result = '', position = ?, created = ?, modified = ? WHERE id = ?`),
			paperID, authoritative, id, ratsnetz.ConsultationPlanned, position, db.tm(now), db.tm(now), newID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO consultation_organizations (consultation_id, position, organization_id)
			SELECT ?, position, organization_id FROM consultation_organizations WHERE consultation_id = ?`), newID, id); err != nil {
			return err
		}
		return db.touch(ctx, tx, "papers", paperID, now)
	case ratsnetz.ResultWithdrawn:
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET status = ?, result = ?, modified = ? WHERE id = ?`),
			ratsnetz.ConsultationWithdrawn, result, db.tm(now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET status = ?, modified = ? WHERE paper_id = ? AND position > ? AND status = ?`),
			ratsnetz.ConsultationStopped, db.tm(now), paperID, position, ratsnetz.ConsultationPlanned); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.rebind(`UPDATE papers SET status = ?, modified = ? WHERE id = ?`), ratsnetz.PaperStatusWithdrawn, db.tm(now), paperID)
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE consultations SET status = ?, result = ?, modified = ? WHERE id = ?`),
		ratsnetz.ConsultationDone, result, db.tm(now), id); err != nil {
		return err
	}
	var later int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM consultations WHERE paper_id = ? AND position > ? AND status = ? AND NOT deleted`),
		paperID, position, ratsnetz.ConsultationPlanned).Scan(&later); err != nil {
		return err
	}
	status := ratsnetz.PaperStatusInProgress
	if authoritative || later == 0 {
		status = paperStatusOf(result)
	}
	_, err := tx.ExecContext(ctx, db.rebind(`UPDATE papers SET status = ?, modified = ? WHERE id = ?`), status, db.tm(now), paperID)
	return err
}

// SignMinutes records the viewer's signature as chair or recorder.
func (db *DB) SignMinutes(ctx context.Context, meetingID int64, role string) error {
	return db.officeTx(ctx, "sign minutes", func(tx *sql.Tx, a actor) error {
		h, err := db.meetingHead(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		var col string
		switch role {
		case ratsnetz.SignChair:
			if !db.isChair(ctx, tx, a, h) {
				return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Als Vorsitz unterschreibt nur, wer den Vorsitz des Gremiums innehat.")
			}
			col = "chair"
		case ratsnetz.SignRecorder:
			if !a.office(h.bodyID) {
				return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Als Schriftführung unterschreibt der Sitzungsdienst.")
			}
			col = "recorder"
		default:
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Unterschrift.")
		}
		if err := db.ensureOfficeMeeting(ctx, tx, h.id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_meetings SET `+col+`_account_id = ?, `+col+`_signed = ? WHERE meeting_id = ? AND `+col+`_signed IS NULL`),
			a.accountID, db.tm(db.now()), h.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Diese Unterschrift liegt schon vor.")
		}
		return nil
	})
}

// PublishMinutes publishes the signed minutes: f becomes the meeting's
// resultsProtocol (public), the meeting is held.
func (db *DB) PublishMinutes(ctx context.Context, meetingID int64, f *ratsnetz.File) error {
	return db.officeTx(ctx, "publish minutes", func(tx *sql.Tx, a actor) error {
		h, err := db.officeMeeting(ctx, tx, a, meetingID)
		if err != nil {
			return err
		}
		var chair, recorder, published time.Time
		err = tx.QueryRowContext(ctx, db.rebind(`SELECT chair_signed, recorder_signed, published FROM office_meetings WHERE meeting_id = ?`), h.id).
			Scan(timeScanner{&chair}, timeScanner{&recorder}, timeScanner{&published})
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if chair.IsZero() || recorder.IsZero() {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Vor der Veröffentlichung unterschreiben Vorsitz und Schriftführung.")
		}
		if f == nil || f.BlobKey == "" {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Datei der Niederschrift fehlt.")
		}
		now := db.now()
		if f.ID, err = db.newID(ctx, tx, "files"); err != nil {
			return err
		}
		f.BodyID, f.Created, f.Modified, f.Public = h.bodyID, now, now, true
		if f.Date.IsZero() {
			f.Date = db.berlinDay(now)
		}
		l := db.newLoader(tx, now)
		defer l.close()
		if err := l.files(ctx, &ratsnetz.Dataset{Files: []*ratsnetz.File{f}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM file_links WHERE owner_kind = ? AND owner_id = ? AND role = ?`),
			ownerMeeting, h.id, roleResultsProtocol); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO file_links (owner_kind, owner_id, role, position, file_id) VALUES (?, ?, ?, 0, ?)`),
			ownerMeeting, h.id, roleResultsProtocol, f.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE meetings SET meeting_state = ?, modified = ? WHERE id = ?`),
			ratsnetz.MeetingStateHeld, db.tm(now), h.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_meetings SET published = ?, file_id = ? WHERE meeting_id = ?`),
			db.tm(now), f.ID, h.id); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
}
