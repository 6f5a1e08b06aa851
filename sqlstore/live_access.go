package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// LiveAccessOf returns what the viewer in ctx may see and do in the live
// meeting: ENOTFOUND if the meeting is not visible at all. Entitlement to the
// non-public part follows the visibility rules (entitled organizations);
// the office is the council office of the meeting's body or of all bodies
// and the administrator — for company-law confidential boards instead the
// board office of the body; the chair holds Vorsitz or stv. Vorsitz in the
// leading organization; members are on the meeting's roster (or, before the
// start, members of the leading organization today).
func (db *DB) LiveAccessOf(ctx context.Context, meetingID int64) (ratsnetz.LiveAccess, error) {
	acc := ratsnetz.LiveAccess{MeetingID: meetingID}
	mt, err := db.FindMeetingByID(ctx, meetingID)
	if err != nil {
		return acc, err
	}
	v := ratsnetz.ViewerFromContext(ctx)
	if v.System {
		acc.Entitled, acc.Office = true, true
		return acc, nil
	}
	if v.IsPublic() {
		return acc, nil
	}
	w := db.viewerOf(ctx)
	if w.logged {
		for _, o := range mt.OrganizationIDs {
			if _, ok := slices.BinarySearch(w.r.orgs, o); ok {
				acc.Entitled = true
			}
		}
	}
	lead := int64(0)
	confidential := false
	if len(mt.OrganizationIDs) > 0 {
		lead = mt.OrganizationIDs[0]
		if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT confidential FROM organizations WHERE id = ?`), lead).Scan(boolScanner{&confidential}); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return acc, fmt.Errorf("live access: %w", err)
		}
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT r.kind, r.body_id, r.organization_id FROM account_roles r
		JOIN accounts a ON a.id = r.account_id WHERE a.id = ? AND a.active`), v.AccountID)
	if err != nil {
		return acc, fmt.Errorf("live access: roles: %w", err)
	}
	for rows.Next() {
		var kind string
		var body, org int64
		if err := rows.Scan(&kind, &body, &org); err != nil {
			rows.Close()
			return acc, fmt.Errorf("live access: roles: %w", err)
		}
		switch ratsnetz.RoleKind(kind) {
		case ratsnetz.RoleKindAdministrator:
			acc.Office = acc.Office || !confidential
		case ratsnetz.RoleKindCouncilOffice:
			acc.Office = acc.Office || (!confidential && (body == 0 || body == mt.BodyID))
		case ratsnetz.RoleKindCompanyStaff:
			acc.Office = acc.Office || body == mt.BodyID
		case ratsnetz.RoleKindFactionStaff:
			acc.FactionStaff = append(acc.FactionStaff, org)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return acc, fmt.Errorf("live access: roles: %w", err)
	}
	if acc.Office {
		acc.Entitled = true
	}
	if v.PersonID == 0 || lead == 0 {
		return acc, nil
	}
	var active bool
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT active FROM accounts WHERE id = ?`), v.AccountID).Scan(boolScanner{&active}); err != nil || !active {
		return acc, nil
	}
	var faction int64
	err = db.read.QueryRowContext(ctx, db.rebind(`SELECT faction_id FROM live_roster WHERE meeting_id = ? AND person_id = ?`), meetingID, v.PersonID).Scan(&faction)
	if err == nil {
		acc.Member, acc.PersonID, acc.FactionID = true, v.PersonID, faction
	} else if !errors.Is(err, sql.ErrNoRows) {
		return acc, fmt.Errorf("live access: roster: %w", err)
	}
	y, m, d := db.Now().In(db.location()).Date()
	today := db.timeLiteral(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	mrows, err := db.read.QueryContext(ctx, db.rebind(fmt.Sprintf(`SELECT role, on_behalf_of_id FROM memberships
		WHERE person_id = ? AND organization_id = ? AND NOT deleted
		AND (start_date IS NULL OR start_date <= %[1]s) AND (end_date IS NULL OR end_date >= %[1]s)`, today)), v.PersonID, lead)
	if err != nil {
		return acc, fmt.Errorf("live access: memberships: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var role string
		var onBehalf int64
		if err := mrows.Scan(&role, &onBehalf); err != nil {
			return acc, fmt.Errorf("live access: memberships: %w", err)
		}
		if role == ratsnetz.RoleChair || role == ratsnetz.RoleViceChair {
			acc.Chair = true
		}
		if !acc.Member {
			acc.Member, acc.PersonID, acc.FactionID = true, v.PersonID, onBehalf
		}
	}
	if err := mrows.Err(); err != nil {
		return acc, fmt.Errorf("live access: memberships: %w", err)
	}
	if acc.Member || acc.Chair {
		acc.Entitled = true
	}
	return acc, nil
}

// validChannel reports whether ch is a chat channel name.
func validChannel(ch string) bool {
	if ch == ratsnetz.AudienceParticipants {
		return true
	}
	for _, p := range []string{ratsnetz.AudienceFactionPrefix, ratsnetz.AudienceDirectPrefix} {
		if rest, ok := strings.CutPrefix(ch, p); ok {
			id, err := strconv.ParseInt(rest, 10, 64)
			return err == nil && id > 0 && strconv.FormatInt(id, 10) == rest
		}
	}
	return false
}

// PostLiveChat stores a chat message (ID, Created set) and appends it as an
// event addressed to its channel only. Chat is never public.
func (db *DB) PostLiveChat(ctx context.Context, msg *ratsnetz.ChatMessage) error {
	msg.Text = strings.TrimSpace(msg.Text)
	if msg.Text == "" || len(msg.Text) > 4000 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte schreiben Sie eine Nachricht (höchstens 4000 Zeichen).")
	}
	if !validChannel(msg.Channel) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannter Kanal.")
	}
	return db.liveTx(ctx, func(tx *sql.Tx) error {
		msg.Created = db.now()
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO live_chat (meeting_id, channel, author_id, author, text, created)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), msg.MeetingID, msg.Channel, msg.AuthorID, msg.Author, msg.Text, db.tm(msg.Created)).Scan(&msg.ID); err != nil {
			return fmt.Errorf("post chat: %w", err)
		}
		_, err := db.appendLiveEvent(ctx, tx, msg.MeetingID, ratsnetz.EventChat, msg.Channel, msg)
		return err
	})
}

// FindLiveChat returns the meeting's chat messages in the channels the
// viewer's access can see, oldest first.
func (db *DB) FindLiveChat(ctx context.Context, meetingID int64) ([]*ratsnetz.ChatMessage, error) {
	acc, err := db.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if !acc.Participant() && len(acc.FactionStaff) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id, meeting_id, channel, author_id, author, text, created FROM live_chat
		WHERE meeting_id = ? ORDER BY id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("find chat: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.ChatMessage
	for rows.Next() {
		m := &ratsnetz.ChatMessage{}
		if err := rows.Scan(&m.ID, &m.MeetingID, &m.Channel, &m.AuthorID, &m.Author, &m.Text, timeScanner{&m.Created}); err != nil {
			return nil, fmt.Errorf("find chat: %w", err)
		}
		if acc.CanSee(m.Channel) {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find chat: %w", err)
	}
	return out, nil
}

// RecordLinkLost records that a remote member's connection dropped; a second
// call while the link is still down returns the open record.
func (db *DB) RecordLinkLost(ctx context.Context, meetingID, personID int64) (*ratsnetz.LinkFailure, error) {
	var out *ratsnetz.LinkFailure
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		f := &ratsnetz.LinkFailure{MeetingID: meetingID, PersonID: personID}
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id, lost FROM live_link_failures WHERE meeting_id = ? AND person_id = ? AND restored IS NULL`),
			meetingID, personID).Scan(&f.ID, timeScanner{&f.Lost})
		if err == nil {
			out = f
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record link lost: %w", err)
		}
		f.Lost = db.now()
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO live_link_failures (meeting_id, person_id, lost) VALUES (?, ?, ?) RETURNING id`),
			meetingID, personID, db.tm(f.Lost)).Scan(&f.ID); err != nil {
			return fmt.Errorf("record link lost: %w", err)
		}
		out = f
		_, err = db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventLinkLost, ratsnetz.AudienceOffice, f)
		return err
	})
	return out, err
}

// RecordLinkRestored closes the open failure record of the member.
func (db *DB) RecordLinkRestored(ctx context.Context, meetingID, personID int64) (*ratsnetz.LinkFailure, error) {
	var out *ratsnetz.LinkFailure
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		f := &ratsnetz.LinkFailure{MeetingID: meetingID, PersonID: personID}
		err := tx.QueryRowContext(ctx, db.rebind(`SELECT id, lost, decision FROM live_link_failures WHERE meeting_id = ? AND person_id = ? AND restored IS NULL`),
			meetingID, personID).Scan(&f.ID, timeScanner{&f.Lost}, &f.Decision)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("record link restored: %w", err)
		}
		f.Restored = db.now()
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_link_failures SET restored = ? WHERE id = ?`), db.tm(f.Restored), f.ID); err != nil {
			return fmt.Errorf("record link restored: %w", err)
		}
		out = f
		_, err = db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventLinkRestored, ratsnetz.AudienceOffice, f)
		return err
	})
	return out, err
}

// Chair decisions on a link failure.
const (
	DecisionInterrupt = "unterbrechen"
	DecisionContinue  = "fortsetzen"
)

// RecordChairDecision records the chair's decision on a link failure for the
// minutes.
func (db *DB) RecordChairDecision(ctx context.Context, meetingID, failureID int64, decision string) error {
	if decision != DecisionInterrupt && decision != DecisionContinue {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Entscheidung.")
	}
	return db.liveTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_link_failures SET decision = ? WHERE id = ? AND meeting_id = ?`), decision, failureID, meetingID)
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Den Verbindungsabbruch gibt es nicht.")
		}
		_, err = db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventChairDecision, ratsnetz.AudiencePublic,
			map[string]any{"FailureID": failureID, "Decision": decision})
		return err
	})
}

// FindLinkFailures returns the meeting's link failures in time order.
func (db *DB) FindLinkFailures(ctx context.Context, meetingID int64) ([]*ratsnetz.LinkFailure, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT id, meeting_id, person_id, lost, restored, decision FROM live_link_failures
		WHERE meeting_id = ? ORDER BY id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("find link failures: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.LinkFailure
	for rows.Next() {
		f := &ratsnetz.LinkFailure{}
		if err := rows.Scan(&f.ID, &f.MeetingID, &f.PersonID, timeScanner{&f.Lost}, timeScanner{&f.Restored}, &f.Decision); err != nil {
			return nil, fmt.Errorf("find link failures: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find link failures: %w", err)
	}
	return out, nil
}

// FindLiveSnapshot returns the live meeting as the viewer in ctx may see it
// (see ratsnetz.LiveSnapshot).
func (db *DB) FindLiveSnapshot(ctx context.Context, meetingID int64) (*ratsnetz.LiveSnapshot, error) {
	acc, err := db.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	mt, err := db.FindMeetingByID(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	lm, err := db.liveMeeting(ctx, db.read, meetingID)
	if err != nil {
		return nil, err
	}
	snap := &ratsnetz.LiveSnapshot{Access: acc, Meeting: mt, Live: lm, Voted: map[int64]bool{}}
	seeAll := acc.Entitled || acc.Manages()
	snap.Paused = lm.NonPublic && !seeAll
	if len(mt.OrganizationIDs) > 0 {
		if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT seats FROM organizations WHERE id = ?`), mt.OrganizationIDs[0]).Scan(&snap.Seats); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("live snapshot: %w", err)
		}
	}
	if lm.CurrentItemID != 0 && !snap.Paused {
		item, err := db.FindAgendaItemByID(ctx, lm.CurrentItemID)
		if err == nil && !item.Redacted {
			snap.CurrentItem = item
		} else if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
			return nil, err
		}
	}
	roster, err := db.liveRoster(ctx, db.read, meetingID)
	if err != nil {
		return nil, err
	}
	for _, e := range roster {
		if e.Present() {
			snap.Present++
			if e.VotingRight {
				snap.PresentVoting++
			}
		}
	}
	if seeAll || acc.Participant() {
		snap.Roster = roster
	}
	if !snap.Paused {
		if snap.Speakers, err = db.liveSpeakers(ctx, db.read, meetingID); err != nil {
			return nil, err
		}
	}
	votes, err := db.FindLiveVotes(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	for _, v := range votes {
		if v.Public || seeAll {
			snap.Votes = append(snap.Votes, v)
		}
	}
	if acc.PersonID != 0 {
		rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT v.vote_id FROM live_voters v JOIN live_votes lv ON lv.id = v.vote_id
			WHERE lv.meeting_id = ? AND v.person_id = ?`), meetingID, acc.PersonID)
		if err != nil {
			return nil, fmt.Errorf("live snapshot: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, fmt.Errorf("live snapshot: %w", err)
			}
			snap.Voted[id] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("live snapshot: %w", err)
		}
	}
	return snap, nil
}
