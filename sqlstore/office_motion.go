package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Motions (Anträge, Anfragen) submitted online: ratsnetz.MotionService.

const motionCols = `id, body_id, kind, organization_id, faction_id, person_id, submitted_by, title, text, reasoning, received,
	state, reason, decided_by, decided, paper_id`

func scanMotion(sc interface{ Scan(...any) error }) (*ratsnetz.Motion, error) {
	m := &ratsnetz.Motion{}
	err := sc.Scan(&m.ID, &m.BodyID, &m.Kind, &m.OrganizationID, &m.FactionID, &m.PersonID, &m.SubmittedBy, &m.Title, &m.Text,
		&m.Reasoning, timeScanner{&m.Received}, &m.State, &m.Reason, &m.DecidedBy, timeScanner{&m.Decided}, &m.PaperID)
	return m, err
}

// canSeeMotion: the submitter, the member named, the faction's staff and
// the council office of the body.
func (a actor) canSeeMotion(m *ratsnetz.Motion) bool {
	return a.office(m.BodyID) || (a.accountID != 0 && a.accountID == m.SubmittedBy) ||
		(a.personID != 0 && a.personID == m.PersonID) || (m.FactionID != 0 && a.hasRole(ratsnetz.RoleKindFactionStaff, m.FactionID))
}

// SubmitMotion stores a motion with its receipt time.
func (db *DB) SubmitMotion(ctx context.Context, m *ratsnetz.Motion) error {
	return db.officeTx(ctx, "submit motion", func(tx *sql.Tx, a actor) error {
		if m.FactionID != 0 {
			if !a.system && !a.hasRole(ratsnetz.RoleKindFactionStaff, m.FactionID) && !db.memberOf(ctx, tx, a.personID, m.FactionID) {
				return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Sie können nur für Ihre eigene Fraktion einreichen.")
			}
		} else if !a.system && (a.personID == 0 || !a.hasRole(ratsnetz.RoleKindMandateHolder, 0)) {
			return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Anträge und Anfragen reichen Mandatsträger/innen und Fraktionen ein.")
		}
		if m.Kind != ratsnetz.PaperTypeMotion && m.Kind != ratsnetz.PaperTypeQuestion {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie Antrag oder Anfrage.")
		}
		m.Title = strings.TrimSpace(m.Title)
		if err := checkText("Betreff", m.Title, 500, true); err != nil {
			return err
		}
		if err := checkText("Text", m.Text, 50000, true); err != nil {
			return err
		}
		if err := checkText("Begründung", m.Reasoning, 50000, false); err != nil {
			return err
		}
		var t string
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT organization_type, body_id FROM organizations WHERE id = ? AND NOT deleted`), m.OrganizationID).Scan(&t, &m.BodyID)
		if err == sql.ErrNoRows || (err == nil && t != ratsnetz.OrgTypeGremium) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie das Gremium, an das sich der Antrag richtet.")
		} else if err != nil {
			return err
		}
		now := db.now()
		m.SubmittedBy, m.Received, m.State, m.Reason, m.DecidedBy, m.Decided, m.PaperID = a.accountID, now, ratsnetz.MotionSubmitted, "", 0, time.Time{}, 0
		if m.FactionID == 0 {
			m.PersonID = a.personID
		}
		return tx.QueryRowContext(ctx, db.rebind(`INSERT INTO office_motions (body_id, kind, organization_id, faction_id, person_id, submitted_by,
			title, text, reasoning, received, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), m.BodyID, m.Kind, m.OrganizationID,
			m.FactionID, m.PersonID, m.SubmittedBy, m.Title, m.Text, m.Reasoning, db.tm(now), m.State).Scan(&m.ID)
	})
}

// memberOf reports whether person has a membership in org today.
func (db *DB) memberOf(ctx context.Context, tx *sql.Tx, person, org int64) bool {
	if person == 0 {
		return false
	}
	today := db.berlinDay(db.Now())
	var one int
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT 1 FROM memberships WHERE person_id = ? AND organization_id = ? AND NOT deleted
		AND (start_date IS NULL OR start_date <= ?) AND (end_date IS NULL OR end_date >= ?) LIMIT 1`),
		person, org, db.tm(today), db.tm(today)).Scan(&one)
	return err == nil
}

func (db *DB) motionByID(ctx context.Context, tx *sql.Tx, a actor, id int64) (*ratsnetz.Motion, error) {
	m, err := scanMotion(tx.QueryRowContext(ctx, db.rebind(`SELECT `+motionCols+` FROM office_motions WHERE id = ?`), id))
	if err == sql.ErrNoRows || (err == nil && !a.canSeeMotion(m)) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Antrag gibt es nicht.")
	} else if err != nil {
		return nil, fmt.Errorf("find motion %d: %w", id, err)
	}
	if m.PaperID != 0 {
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT reference FROM papers WHERE id = ?`), m.PaperID).Scan(&m.Reference); err != nil && err != sql.ErrNoRows {
			return nil, err
		}
	}
	return m, nil
}

// FindMotionByID returns a motion the viewer may see.
func (db *DB) FindMotionByID(ctx context.Context, id int64) (*ratsnetz.Motion, error) {
	var m *ratsnetz.Motion
	err := db.officeTx(ctx, "find motion", func(tx *sql.Tx, a actor) error {
		var err error
		m, err = db.motionByID(ctx, tx, a, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FindMotions lists the motions the viewer may see, newest first.
func (db *DB) FindMotions(ctx context.Context, f ratsnetz.MotionFilter) ([]*ratsnetz.Motion, int, error) {
	var out []*ratsnetz.Motion
	total := -1
	err := db.officeTx(ctx, "find motions", func(tx *sql.Tx, a actor) error {
		w := db.newWhere()
		own := []string{"submitted_by = ?"}
		args := []any{a.accountID}
		if a.personID != 0 {
			own, args = append(own, "person_id = ?"), append(args, a.personID)
		}
		if fs := a.factions(); len(fs) > 0 {
			set, arg := db.idSet(fs)
			own, args = append(own, "faction_id IN ("+set+")"), append(args, arg)
		}
		if f.Mine || !a.anyOffice() {
			w.add("("+strings.Join(own, " OR ")+")", args...)
		} else if !a.system {
			var bodies []int64
			all := false
			for _, r := range a.roles {
				if r.Kind == ratsnetz.RoleKindAdministrator || (r.Kind == ratsnetz.RoleKindCouncilOffice && r.BodyID == 0) {
					all = true
				} else if r.Kind == ratsnetz.RoleKindCouncilOffice {
					bodies = append(bodies, r.BodyID)
				}
			}
			if !all {
				set, arg := db.idSet(bodies)
				w.add("(body_id IN ("+set+") OR "+strings.Join(own, " OR ")+")", append([]any{arg}, args...)...)
			}
		}
		if f.BodyID != 0 {
			w.add("body_id = ?", f.BodyID)
		}
		if f.State != "" {
			w.add("state = ?", f.State)
		}
		if f.WithTotal {
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM office_motions`+w.sql()), w.args...).Scan(&total); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT `+motionCols+` FROM office_motions`+w.sql()+` ORDER BY received DESC, id DESC LIMIT ? OFFSET ?`),
			append(w.args, limitOf(f.ListOptions), f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMotion(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// AcceptMotion turns a submitted motion into a public paper.
func (db *DB) AcceptMotion(ctx context.Context, id int64, consultationDate time.Time) (*ratsnetz.Paper, error) {
	var p *ratsnetz.Paper
	err := db.officeTx(ctx, "accept motion", func(tx *sql.Tx, a actor) error {
		m, err := db.motionByID(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.office(m.BodyID) {
			return forbidden()
		}
		now := db.now()
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_motions SET state = ?, decided_by = ?, decided = ? WHERE id = ? AND state = ?`),
			ratsnetz.MotionAccepted, a.accountID, db.tm(now), id, ratsnetz.MotionSubmitted)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Über diesen Antrag wurde schon entschieden.")
		}
		ref, err := db.nextReference(ctx, tx, m.BodyID, now.In(db.location()).Year())
		if err != nil {
			return err
		}
		first, role := ratsnetz.SectionProposal, ratsnetz.ConsultationDecision
		if m.Kind == ratsnetz.PaperTypeQuestion {
			first, role = ratsnetz.SectionQuestion, ratsnetz.ConsultationNotice
		}
		p = &ratsnetz.Paper{BodyID: m.BodyID, Name: m.Title, Reference: ref, Date: db.berlinDay(m.Received), PaperType: m.Kind,
			Status: ratsnetz.PaperStatusInProgress, Public: true, Sections: []ratsnetz.TextSection{{Heading: first, Text: m.Text}}}
		if strings.TrimSpace(m.Reasoning) != "" {
			p.Sections = append(p.Sections, ratsnetz.TextSection{Heading: "Begründung", Text: m.Reasoning})
		}
		if m.FactionID != 0 {
			p.OriginatorOrganizationIDs = []int64{m.FactionID}
		}
		if m.PersonID != 0 {
			p.OriginatorPersonIDs = []int64{m.PersonID}
		}
		if !consultationDate.IsZero() {
			consultationDate = db.berlinDay(consultationDate)
		}
		cs := []*ratsnetz.Consultation{{OrganizationIDs: []int64{m.OrganizationID}, Role: role, Authoritative: role == ratsnetz.ConsultationDecision,
			Date: consultationDate}}
		if err := db.createPaper(ctx, tx, now, p, cs, nil); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE office_motions SET paper_id = ? WHERE id = ?`), p.ID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// RejectMotion rejects a submitted motion with a reason.
func (db *DB) RejectMotion(ctx context.Context, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	return db.officeTx(ctx, "reject motion", func(tx *sql.Tx, a actor) error {
		m, err := db.motionByID(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.office(m.BodyID) {
			return forbidden()
		}
		if err := checkText("Begründung der Zurückweisung", reason, 5000, true); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE office_motions SET state = ?, reason = ?, decided_by = ?, decided = ? WHERE id = ? AND state = ?`),
			ratsnetz.MotionRejected, reason, a.accountID, db.tm(db.now()), id, ratsnetz.MotionSubmitted)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Über diesen Antrag wurde schon entschieden.")
		}
		return nil
	})
}
