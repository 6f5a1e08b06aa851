package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file holds live meetings (issue 7): state, roster, speakers list and
// the event log. Votes and ballots are in live_vote.go, access and chat in
// live_access.go. Every change appends its events in the same transaction
// (appendLiveEvent), so the log is exactly what happened.
//
// The methods here do not check the viewer's rights: the live service
// (package live) asks LiveAccessOf first. Reads of the log filter by the
// viewer's access (FindLiveEvents).

// LiveNotifyChannel is the PostgreSQL NOTIFY channel on which each commit of
// live events wakes the hubs of every instance; the payload is the meeting ID.
const LiveNotifyChannel = "ratsnetz_live"

// liveTx runs fn in a write transaction. On SQLite the connection flushes the
// commit to disk (synchronous=FULL) for the live tables: an acknowledged
// ballot must survive a power cut, not only a process crash. Group commit
// (live.Service) makes that one flush per batch.
func (db *DB) liveTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.dialect.Name != "sqlite" {
		tx, err := db.beginWrite(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
		return fmt.Errorf("synchronous full: %w", err)
	}
	// Back to the pool's setting whatever happens (fresh context: the
	// connection goes back to the pool either way).
	defer conn.ExecContext(context.Background(), `PRAGMA synchronous = NORMAL`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// liveEventHash is the chain hash of an event: SHA-256 over the previous
// hash and the event's fields, each length-prefixed so that no two events
// share an encoding.
func liveEventHash(prev string, e *ratsnetz.LiveEvent) string {
	h := sha256.New()
	for _, part := range []string{prev, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.MeetingID, 10),
		e.Type, e.Audience, e.Created.UTC().Format(TimeLayout), string(e.Data)} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendLiveEvent appends one event to the log inside tx. The update of the
// chain head comes first: on PostgreSQL its row lock orders concurrent
// appenders until they commit, so the chain never forks.
func (db *DB) appendLiveEvent(ctx context.Context, tx *sql.Tx, meetingID int64, typ, audience string, data any) (*ratsnetz.LiveEvent, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("append live event: %w", err)
	}
	e := &ratsnetz.LiveEvent{MeetingID: meetingID, Type: typ, Audience: audience, Data: b, Created: db.now()}
	if err := tx.QueryRowContext(ctx, `UPDATE live_chain SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
		return nil, fmt.Errorf("append live event: chain head: %w", err)
	}
	e.Hash = liveEventHash(e.PrevHash, e)
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_events (seq, meeting_id, type, audience, data, created, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), e.Seq, e.MeetingID, e.Type, e.Audience, string(e.Data), db.tm(e.Created), e.PrevHash, e.Hash); err != nil {
		return nil, fmt.Errorf("append live event: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_chain SET hash = ? WHERE id = 1`), e.Hash); err != nil {
		return nil, fmt.Errorf("append live event: chain head: %w", err)
	}
	if db.dialect.Name == "postgres" {
		// Delivered to every listening instance when (and only if) tx commits.
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, LiveNotifyChannel, strconv.FormatInt(meetingID, 10)); err != nil {
			return nil, fmt.Errorf("append live event: notify: %w", err)
		}
	}
	return e, nil
}

// FindLiveEvents returns up to limit events of the meeting after seq
// afterSeq, oldest first, that the viewer in ctx may receive.
func (db *DB) FindLiveEvents(ctx context.Context, meetingID, afterSeq int64, limit int) ([]*ratsnetz.LiveEvent, error) {
	acc, err := db.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return db.findLiveEvents(ctx, meetingID, afterSeq, limit, acc.CanSee)
}

// FindLiveEventsUnfiltered returns events of the meeting after afterSeq for
// every audience; for the hub, which filters per subscriber, and tests.
func (db *DB) FindLiveEventsUnfiltered(ctx context.Context, meetingID, afterSeq int64, limit int) ([]*ratsnetz.LiveEvent, error) {
	return db.findLiveEvents(ctx, meetingID, afterSeq, limit, nil)
}

func (db *DB) findLiveEvents(ctx context.Context, meetingID, afterSeq int64, limit int, keep func(string) bool) ([]*ratsnetz.LiveEvent, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT seq, meeting_id, type, audience, data, created, prev_hash, hash
		FROM live_events WHERE meeting_id = ? AND seq > ? ORDER BY seq LIMIT ?`), meetingID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("find live events: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.LiveEvent
	for rows.Next() {
		e, err := scanLiveEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("find live events: %w", err)
		}
		if keep == nil || keep(e.Audience) {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find live events: %w", err)
	}
	return out, nil
}

func scanLiveEvent(r interface{ Scan(...any) error }) (*ratsnetz.LiveEvent, error) {
	e := &ratsnetz.LiveEvent{}
	var data string
	if err := r.Scan(&e.Seq, &e.MeetingID, &e.Type, &e.Audience, &data, timeScanner{&e.Created}, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Data = []byte(data)
	return e, nil
}

// LastLiveSeq returns the sequence number of the newest event in the log.
func (db *DB) LastLiveSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := db.read.QueryRowContext(ctx, `SELECT seq FROM live_chain WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last live seq: %w", err)
	}
	return seq, nil
}

// VerifyLiveLog walks the whole event log and checks the hash chain: each
// row's hash must match its content and the previous row's hash, sequence
// numbers must have no gaps, and the head must point at the last row. It
// returns the number of events checked and, for a broken chain, an error
// naming the first bad sequence number.
func (db *DB) VerifyLiveLog(ctx context.Context) (int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, meeting_id, type, audience, data, created, prev_hash, hash FROM live_events ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("verify live log: %w", err)
	}
	defer rows.Close()
	var n, last int64
	prev := ""
	for rows.Next() {
		e, err := scanLiveEvent(rows)
		if err != nil {
			return n, fmt.Errorf("verify live log: %w", err)
		}
		if e.Seq != last+1 {
			return n, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Sitzungsverlauf beschädigt: Eintrag %d fehlt.", last+1)
		}
		if e.PrevHash != prev || liveEventHash(prev, e) != e.Hash {
			return n, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Sitzungsverlauf beschädigt: Eintrag %d wurde verändert.", e.Seq)
		}
		prev, last = e.Hash, e.Seq
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("verify live log: %w", err)
	}
	var headSeq int64
	var headHash string
	if err := db.read.QueryRowContext(ctx, `SELECT seq, hash FROM live_chain WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return n, fmt.Errorf("verify live log: %w", err)
	}
	if headSeq != last || headHash != prev {
		return n, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Sitzungsverlauf beschädigt: Einträge nach %d fehlen.", last)
	}
	return n, nil
}

// audienceOf is the audience of a meeting event: the public unless the
// meeting is in its non-public part.
func audienceOf(nonPublic bool) string {
	if nonPublic {
		return ratsnetz.AudienceEntitled
	}
	return ratsnetz.AudiencePublic
}

// FindLiveMeeting returns the live state of a meeting visible to the viewer;
// a meeting that never went live has state LiveNotStarted.
func (db *DB) FindLiveMeeting(ctx context.Context, meetingID int64) (*ratsnetz.LiveMeeting, error) {
	if _, err := db.FindMeetingByID(ctx, meetingID); err != nil {
		return nil, err
	}
	return db.liveMeeting(ctx, db.read, meetingID)
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (db *DB) liveMeeting(ctx context.Context, q queryer, meetingID int64) (*ratsnetz.LiveMeeting, error) {
	m := &ratsnetz.LiveMeeting{MeetingID: meetingID, State: ratsnetz.LiveNotStarted}
	err := q.QueryRowContext(ctx, db.rebind(`SELECT state, current_item_id, non_public, started, closed,
		COALESCE((SELECT MAX(seq) FROM live_events WHERE meeting_id = ?), 0) FROM live_meetings WHERE meeting_id = ?`), meetingID, meetingID).
		Scan(&m.State, &m.CurrentItemID, boolScanner{&m.NonPublic}, timeScanner{&m.Started}, timeScanner{&m.Closed}, &m.LastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	} else if err != nil {
		return nil, fmt.Errorf("find live meeting %d: %w", meetingID, err)
	}
	return m, nil
}

// StartLiveMeeting starts (or resumes) the live meeting: on the first start
// it builds the roster from the memberships of the leading organization in
// force on the meeting day (members and deputies with their faction), all
// absent.
func (db *DB) StartLiveMeeting(ctx context.Context, meetingID int64) (*ratsnetz.LiveMeeting, error) {
	mt, err := db.FindMeetingByID(ratsnetz.SystemContext(ctx), meetingID)
	if err != nil {
		return nil, err
	}
	var out *ratsnetz.LiveMeeting
	err = db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.liveMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		switch m.State {
		case ratsnetz.LiveRunning:
			out = m
			return nil
		case ratsnetz.LiveClosed:
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Sitzung ist bereits geschlossen.")
		case ratsnetz.LiveInterrupted:
			m.State = ratsnetz.LiveRunning
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_meetings SET state = ? WHERE meeting_id = ?`), m.State, meetingID); err != nil {
				return fmt.Errorf("resume live meeting: %w", err)
			}
			if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventMeetingResumed, ratsnetz.AudiencePublic, m); err != nil {
				return err
			}
			out = m
			return nil
		}
		m.State, m.Started = ratsnetz.LiveRunning, db.now()
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_meetings (meeting_id, state, current_item_id, non_public, started)
			VALUES (?, ?, 0, ?, ?)`), meetingID, m.State, false, db.tm(m.Started)); err != nil {
			return fmt.Errorf("start live meeting: %w", err)
		}
		if err := db.buildRoster(ctx, tx, mt); err != nil {
			return err
		}
		if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventMeetingStarted, ratsnetz.AudiencePublic, m); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// buildRoster fills live_roster from the memberships of the meeting's
// leading organization in force on the meeting day.
func (db *DB) buildRoster(ctx context.Context, tx *sql.Tx, mt *ratsnetz.Meeting) error {
	if len(mt.OrganizationIDs) == 0 {
		return nil
	}
	day := mt.Start
	if day.IsZero() {
		day = db.now()
	}
	y, mo, d := day.In(db.location()).Date()
	dayLit := db.timeLiteral(time.Date(y, mo, d, 0, 0, 0, 0, time.UTC))
	q := fmt.Sprintf(`SELECT m.person_id, p.name, m.on_behalf_of_id, COALESCE(f.short_name, ''), COALESCE(f.name, ''), m.role, m.voting_right
		FROM memberships m JOIN persons p ON p.id = m.person_id
		LEFT JOIN organizations f ON f.id = m.on_behalf_of_id
		WHERE m.organization_id = ? AND NOT m.deleted AND NOT p.deleted
		AND (m.start_date IS NULL OR m.start_date <= %[1]s) AND (m.end_date IS NULL OR m.end_date >= %[1]s)
		ORDER BY p.family_name, p.given_name, p.id`, dayLit)
	rows, err := tx.QueryContext(ctx, db.rebind(q), mt.OrganizationIDs[0])
	if err != nil {
		return fmt.Errorf("build roster: %w", err)
	}
	type entry struct {
		person, faction   int64
		name, fname, role string
		voting            bool
	}
	var es []entry
	seen := map[int64]bool{}
	for rows.Next() {
		var e entry
		var short, long string
		if err := rows.Scan(&e.person, &e.name, &e.faction, &short, &long, &e.role, boolScanner{&e.voting}); err != nil {
			rows.Close()
			return fmt.Errorf("build roster: %w", err)
		}
		if seen[e.person] {
			continue
		}
		seen[e.person] = true
		e.fname = short
		if e.fname == "" {
			e.fname = long
		}
		if e.role == ratsnetz.RoleAdvisory || e.role == ratsnetz.RoleCitizen {
			e.voting = e.voting && e.role == ratsnetz.RoleCitizen
		}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("build roster: %w", err)
	}
	for _, e := range es {
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_roster (meeting_id, person_id, name, faction_id, faction, role, voting_right, presence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), mt.ID, e.person, e.name, e.faction, e.fname, e.role, e.voting, ratsnetz.PresenceAbsent); err != nil {
			return fmt.Errorf("build roster: %w", err)
		}
	}
	return nil
}

// SetLiveMeetingState interrupts (LiveInterrupted) or closes (LiveClosed) a
// running meeting; resuming is StartLiveMeeting. A reason, if given, goes
// into the event (and so into the minutes draft).
func (db *DB) SetLiveMeetingState(ctx context.Context, meetingID int64, state, reason string) (*ratsnetz.LiveMeeting, error) {
	if state != ratsnetz.LiveInterrupted && state != ratsnetz.LiveClosed {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannter Sitzungszustand.")
	}
	var out *ratsnetz.LiveMeeting
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.liveMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.State == ratsnetz.LiveNotStarted || m.State == ratsnetz.LiveClosed {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Sitzung läuft nicht.")
		}
		if state == ratsnetz.LiveClosed {
			var open int
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM live_votes WHERE meeting_id = ? AND state = ?`), meetingID, ratsnetz.VoteStateOpen).Scan(&open); err != nil {
				return fmt.Errorf("close live meeting: %w", err)
			}
			if open > 0 {
				return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Eine Abstimmung ist noch offen.")
			}
			m.Closed = db.now()
		}
		m.State = state
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_meetings SET state = ?, closed = ? WHERE meeting_id = ?`), state, db.tm(m.Closed), meetingID); err != nil {
			return fmt.Errorf("set live meeting state: %w", err)
		}
		typ := ratsnetz.EventMeetingInterrupted
		if state == ratsnetz.LiveClosed {
			typ = ratsnetz.EventMeetingClosed
			// Everyone still checked in leaves with the close.
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_roster SET left_at = ? WHERE meeting_id = ? AND presence <> ?`),
				db.tm(m.Closed), meetingID, ratsnetz.PresenceAbsent); err != nil {
				return fmt.Errorf("close live meeting: %w", err)
			}
		}
		if _, err := db.appendLiveEvent(ctx, tx, meetingID, typ, ratsnetz.AudiencePublic, struct {
			*ratsnetz.LiveMeeting
			Reason string `json:",omitempty"`
		}{m, reason}); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// SetLiveItem makes itemID (an agenda item of the meeting) the current item,
// 0 for none. A non-public item switches the meeting into its non-public part
// and a public one back, so that nothing of a non-public item reaches the
// public live view.
func (db *DB) SetLiveItem(ctx context.Context, meetingID, itemID int64) (*ratsnetz.LiveMeeting, error) {
	var item *ratsnetz.AgendaItem
	if itemID != 0 {
		var err error
		item, err = db.FindAgendaItemByID(ratsnetz.SystemContext(ctx), itemID)
		if err != nil {
			return nil, err
		}
		if item.MeetingID != meetingID {
			return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Der Tagesordnungspunkt gehört nicht zu dieser Sitzung.")
		}
	}
	var out *ratsnetz.LiveMeeting
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.runningMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		wasNonPublic := m.NonPublic
		m.CurrentItemID = itemID
		if item != nil {
			m.NonPublic = !item.Public
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_meetings SET current_item_id = ?, non_public = ? WHERE meeting_id = ?`),
			m.CurrentItemID, m.NonPublic, meetingID); err != nil {
			return fmt.Errorf("set live item: %w", err)
		}
		if wasNonPublic != m.NonPublic {
			if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventPartChanged, ratsnetz.AudiencePublic,
				map[string]bool{"NonPublic": m.NonPublic}); err != nil {
				return err
			}
		}
		// The public learns the item only when it is public; the entitled
		// get the item with its name.
		data := map[string]any{"ItemID": itemID}
		if item != nil {
			data["Number"], data["Name"], data["Public"] = item.Number, item.Name, item.Public
		}
		if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventItemChanged, audienceOf(m.NonPublic), data); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_speakers SET state = ?, ended = ? WHERE meeting_id = ? AND state = ?`),
			ratsnetz.SpeakerDone, db.tm(db.now()), meetingID, ratsnetz.SpeakerSpeaking); err != nil {
			return fmt.Errorf("set live item: %w", err)
		}
		out = m
		return nil
	})
	return out, err
}

// SetLivePart switches the meeting into (nonPublic) or out of its non-public
// part explicitly.
func (db *DB) SetLivePart(ctx context.Context, meetingID int64, nonPublic bool) (*ratsnetz.LiveMeeting, error) {
	var out *ratsnetz.LiveMeeting
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.runningMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.CurrentItemID != 0 && !nonPublic {
			var public bool
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT public FROM agenda_items WHERE id = ?`), m.CurrentItemID).Scan(boolScanner{&public}); err != nil {
				return fmt.Errorf("set live part: %w", err)
			}
			if !public {
				return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der aktuelle Tagesordnungspunkt ist nichtöffentlich.")
			}
		}
		m.NonPublic = nonPublic
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_meetings SET non_public = ? WHERE meeting_id = ?`), nonPublic, meetingID); err != nil {
			return fmt.Errorf("set live part: %w", err)
		}
		if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventPartChanged, ratsnetz.AudiencePublic,
			map[string]bool{"NonPublic": nonPublic}); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

func (db *DB) runningMeeting(ctx context.Context, tx *sql.Tx, meetingID int64) (*ratsnetz.LiveMeeting, error) {
	m, err := db.liveMeeting(ctx, tx, meetingID)
	if err != nil {
		return nil, err
	}
	if m.State != ratsnetz.LiveRunning {
		return nil, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Sitzung läuft nicht.")
	}
	return m, nil
}

// FindLiveRoster returns the roster of the meeting in name order.
func (db *DB) FindLiveRoster(ctx context.Context, meetingID int64) ([]*ratsnetz.RosterEntry, error) {
	return db.liveRoster(ctx, db.read, meetingID)
}

func (db *DB) liveRoster(ctx context.Context, q queryer, meetingID int64) ([]*ratsnetz.RosterEntry, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT meeting_id, person_id, name, faction_id, faction, role, voting_right, presence, arrived, left_at
		FROM live_roster WHERE meeting_id = ? ORDER BY name, person_id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("find live roster: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.RosterEntry
	for rows.Next() {
		e := &ratsnetz.RosterEntry{}
		if err := rows.Scan(&e.MeetingID, &e.PersonID, &e.Name, &e.FactionID, &e.Faction, &e.Role, boolScanner{&e.VotingRight},
			&e.Presence, timeScanner{&e.Arrived}, timeScanner{&e.Left}); err != nil {
			return nil, fmt.Errorf("find live roster: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find live roster: %w", err)
	}
	return out, nil
}

// SetLivePresence checks a member in (in the room or remote) or out.
func (db *DB) SetLivePresence(ctx context.Context, meetingID, personID int64, presence string) (*ratsnetz.RosterEntry, error) {
	es, err := db.SetLivePresences(ctx, meetingID, []int64{personID}, presence)
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// SetLivePresences checks members in or out at once (the office entering a
// paper attendance list); one event per changed entry.
func (db *DB) SetLivePresences(ctx context.Context, meetingID int64, personIDs []int64, presence string) ([]*ratsnetz.RosterEntry, error) {
	if !ratsnetz.ValidPresence(presence) {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Anwesenheit.")
	}
	var out []*ratsnetz.RosterEntry
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.liveMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.State == ratsnetz.LiveNotStarted || m.State == ratsnetz.LiveClosed {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Sitzung läuft nicht.")
		}
		for _, personID := range personIDs {
			e := &ratsnetz.RosterEntry{MeetingID: meetingID, PersonID: personID}
			err := tx.QueryRowContext(ctx, db.rebind(`SELECT name, faction_id, faction, role, voting_right, presence, arrived, left_at
				FROM live_roster WHERE meeting_id = ? AND person_id = ?`), meetingID, personID).Scan(&e.Name, &e.FactionID, &e.Faction, &e.Role,
				boolScanner{&e.VotingRight}, &e.Presence, timeScanner{&e.Arrived}, timeScanner{&e.Left})
			if errors.Is(err, sql.ErrNoRows) {
				return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Die Person steht nicht in der Anwesenheitsliste.")
			} else if err != nil {
				return fmt.Errorf("set presence: %w", err)
			}
			out = append(out, e)
			if e.Presence == presence {
				continue
			}
			now := db.now()
			if presence == ratsnetz.PresenceAbsent {
				e.Left = now
			} else if e.Arrived.IsZero() {
				e.Arrived = now
			}
			e.Presence = presence
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_roster SET presence = ?, arrived = ?, left_at = ? WHERE meeting_id = ? AND person_id = ?`),
				presence, db.tm(e.Arrived), db.tm(e.Left), meetingID, personID); err != nil {
				return fmt.Errorf("set presence: %w", err)
			}
			var present, voting int
			if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN voting_right THEN 1 ELSE 0 END), 0)
				FROM live_roster WHERE meeting_id = ? AND presence <> ?`), meetingID, ratsnetz.PresenceAbsent).Scan(&present, &voting); err != nil {
				return fmt.Errorf("set presence: %w", err)
			}
			if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventRoster, audienceOf(m.NonPublic), map[string]any{
				"Entry": e, "Present": present, "PresentVoting": voting, "At": now,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FindLiveSpeakers returns the speakers list of the meeting's current item:
// the speaker first, then the waiting requests (points of order first, then
// by position), then the finished ones.
func (db *DB) FindLiveSpeakers(ctx context.Context, meetingID int64) ([]*ratsnetz.SpeakerRequest, error) {
	return db.liveSpeakers(ctx, db.read, meetingID)
}

func (db *DB) liveSpeakers(ctx context.Context, q queryer, meetingID int64) ([]*ratsnetz.SpeakerRequest, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT s.id, s.meeting_id, s.agenda_item_id, s.person_id, s.name, s.point_of_order, s.position, s.state,
		s.requested, s.started, s.ended, s.speaking_seconds
		FROM live_speakers s JOIN live_meetings m ON m.meeting_id = s.meeting_id AND m.current_item_id = s.agenda_item_id
		WHERE s.meeting_id = ? AND s.state <> ?
		ORDER BY CASE s.state WHEN ? THEN 0 WHEN ? THEN 1 ELSE 2 END, s.point_of_order DESC, s.position, s.id`),
		meetingID, ratsnetz.SpeakerWithdrawn, ratsnetz.SpeakerSpeaking, ratsnetz.SpeakerWaiting)
	if err != nil {
		return nil, fmt.Errorf("find speakers: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.SpeakerRequest
	for rows.Next() {
		s := &ratsnetz.SpeakerRequest{}
		if err := rows.Scan(&s.ID, &s.MeetingID, &s.AgendaItemID, &s.PersonID, &s.Name, boolScanner{&s.PointOfOrder}, &s.Position, &s.State,
			timeScanner{&s.Requested}, timeScanner{&s.Started}, timeScanner{&s.Ended}, &s.SpeakingSeconds); err != nil {
			return nil, fmt.Errorf("find speakers: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find speakers: %w", err)
	}
	return out, nil
}

// RequestLiveSpeech puts the member on the speakers list of the current item
// (once: a second request while waiting is the same request).
func (db *DB) RequestLiveSpeech(ctx context.Context, meetingID, personID int64, pointOfOrder bool) (*ratsnetz.SpeakerRequest, error) {
	var out *ratsnetz.SpeakerRequest
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.runningMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		if m.CurrentItemID == 0 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Es ist kein Tagesordnungspunkt aufgerufen.")
		}
		var name string
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT name FROM live_roster WHERE meeting_id = ? AND person_id = ?`), meetingID, personID).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur Mitglieder können sich zu Wort melden.")
		} else if err != nil {
			return fmt.Errorf("request speech: %w", err)
		}
		list, err := db.liveSpeakers(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		pos := 0
		for _, s := range list {
			if s.PersonID == personID && s.State == ratsnetz.SpeakerWaiting && s.PointOfOrder == pointOfOrder {
				out = s
				return nil
			}
			pos = max(pos, s.Position+1)
		}
		s := &ratsnetz.SpeakerRequest{MeetingID: meetingID, AgendaItemID: m.CurrentItemID, PersonID: personID, Name: name,
			PointOfOrder: pointOfOrder, Position: pos, State: ratsnetz.SpeakerWaiting, Requested: db.now()}
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO live_speakers (meeting_id, agenda_item_id, person_id, name, point_of_order, position, state, requested)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), s.MeetingID, s.AgendaItemID, s.PersonID, s.Name, s.PointOfOrder, s.Position, s.State, db.tm(s.Requested)).Scan(&s.ID); err != nil {
			return fmt.Errorf("request speech: %w", err)
		}
		out = s
		return db.speakersEvent(ctx, tx, m)
	})
	return out, err
}

func (db *DB) speakersEvent(ctx context.Context, tx *sql.Tx, m *ratsnetz.LiveMeeting) error {
	list, err := db.liveSpeakers(ctx, tx, m.MeetingID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*ratsnetz.SpeakerRequest{}
	}
	_, err = db.appendLiveEvent(ctx, tx, m.MeetingID, ratsnetz.EventSpeakers, audienceOf(m.NonPublic), map[string]any{"ItemID": m.CurrentItemID, "List": list})
	return err
}

// Speaker actions of the chair.
const (
	SpeakerStart    = "start"
	SpeakerStop     = "stop"
	SpeakerWithdraw = "withdraw"
	SpeakerUp       = "up"
	SpeakerDown     = "down"
)

// LiveSpeakerAction lets the chair start (with a speaking time in seconds, 0
// = none), stop, withdraw or move up/down a request. Starting a speaker stops
// the one speaking.
func (db *DB) LiveSpeakerAction(ctx context.Context, meetingID, requestID int64, action string, seconds int) error {
	return db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.runningMeeting(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		list, err := db.liveSpeakers(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		idx := -1
		for i, s := range list {
			if s.ID == requestID {
				idx = i
			}
		}
		if idx < 0 {
			return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Die Wortmeldung gibt es nicht (mehr).")
		}
		s := list[idx]
		now := db.tm(db.now())
		exec := func(q string, args ...any) error {
			if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
				return fmt.Errorf("speaker %s: %w", action, err)
			}
			return nil
		}
		switch action {
		case SpeakerStart:
			if seconds < 0 || seconds > 3600 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Redezeit muss zwischen 0 und 3600 Sekunden liegen.")
			}
			if err := exec(`UPDATE live_speakers SET state = ?, ended = ? WHERE meeting_id = ? AND state = ?`, ratsnetz.SpeakerDone, now, meetingID, ratsnetz.SpeakerSpeaking); err != nil {
				return err
			}
			if err := exec(`UPDATE live_speakers SET state = ?, started = ?, speaking_seconds = ? WHERE id = ?`, ratsnetz.SpeakerSpeaking, now, seconds, s.ID); err != nil {
				return err
			}
		case SpeakerStop:
			if s.State != ratsnetz.SpeakerSpeaking {
				return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Diese Person spricht gerade nicht.")
			}
			if err := exec(`UPDATE live_speakers SET state = ?, ended = ? WHERE id = ?`, ratsnetz.SpeakerDone, now, s.ID); err != nil {
				return err
			}
		case SpeakerWithdraw:
			if err := exec(`UPDATE live_speakers SET state = ?, ended = ? WHERE id = ?`, ratsnetz.SpeakerWithdrawn, now, s.ID); err != nil {
				return err
			}
		case SpeakerUp, SpeakerDown:
			// Swap positions with the neighbour among the waiting requests
			// of the same kind (points of order stay first).
			j := idx - 1
			if action == SpeakerDown {
				j = idx + 1
			}
			if s.State != ratsnetz.SpeakerWaiting || j < 0 || j >= len(list) || list[j].State != ratsnetz.SpeakerWaiting || list[j].PointOfOrder != s.PointOfOrder {
				return nil
			}
			pi, pj := s.Position, list[j].Position
			if pi == pj {
				pj = pi + 1
				if action == SpeakerUp {
					pj = pi - 1
				}
			}
			if err := exec(`UPDATE live_speakers SET position = ? WHERE id = ?`, pj, s.ID); err != nil {
				return err
			}
			if err := exec(`UPDATE live_speakers SET position = ? WHERE id = ?`, pi, list[j].ID); err != nil {
				return err
			}
		default:
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Aktion.")
		}
		return db.speakersEvent(ctx, tx, m)
	})
}

// liveRows returns "(?, ?, …), (…)" for n rows of k columns.
func liveRows(n, k int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// Rebind turns the "?" placeholders of q into the dialect's style, for
// backend-specific extras and tests that write SQL against the store.
func (db *DB) Rebind(q string) string { return db.rebind(q) }
