package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Automatic link-failure detection (issue 7): every instance reports the
// live connections of remote members it serves (live.LinkWatch); the store
// decides across instances whether a member is connected anywhere.

// FindRemoteMembers returns the members checked in as remote in meetings
// that are under way (running or interrupted): the only ones whose dropped
// connections count as link failures.
func (db *DB) FindRemoteMembers(ctx context.Context) (map[ratsnetz.LiveMemberKey]bool, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT r.meeting_id, r.person_id FROM live_roster r
		JOIN live_meetings m ON m.meeting_id = r.meeting_id
		WHERE r.presence = ? AND m.state IN (?, ?)`), ratsnetz.PresenceRemote, ratsnetz.LiveRunning, ratsnetz.LiveInterrupted)
	if err != nil {
		return nil, fmt.Errorf("find remote members: %w", err)
	}
	defer rows.Close()
	out := map[ratsnetz.LiveMemberKey]bool{}
	for rows.Next() {
		var k ratsnetz.LiveMemberKey
		if err := rows.Scan(&k.MeetingID, &k.PersonID); err != nil {
			return nil, fmt.Errorf("find remote members: %w", err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find remote members: %w", err)
	}
	return out, nil
}

// linkState is one remote member's connections over all instances.
type linkState struct {
	key       ratsnetz.LiveMemberKey
	connected bool
	// since is the earliest start of a current connection; gone the last
	// moment a connection was known to be up (drop or last renewal).
	since, gone time.Time
	open        int64 // open failure ID, 0 = none
	lost        time.Time
	running     bool
}

// SyncLiveLinks stores what instance reports of its remote members'
// connections at now, then decides for every remote member of a meeting
// under way: no current connection on any instance (a connection counts
// until it was dropped, or until its instance has not renewed it for stale)
// for grace → a LinkFailure is recorded (lost = when the last connection
// was last known up; only while the meeting runs); a connection again while
// a failure is open → the failure is closed (restored = when the connection
// came back). Members who never connected are not monitored. It returns the
// meetings whose log changed.
func (db *DB) SyncLiveLinks(ctx context.Context, instance string, now time.Time, beats []ratsnetz.LinkBeat, grace, stale time.Duration) ([]int64, error) {
	if len(beats) == 0 {
		// Nothing to write: look first whether anything is due, so that a
		// quiet instance reads instead of writing every few seconds.
		due, err := db.linkStates(ctx, db.read, now, grace, stale)
		if err != nil {
			return nil, err
		}
		if len(due) == 0 {
			return nil, nil
		}
	}
	var changed []int64
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		changed = nil
		for _, b := range beats {
			var err error
			if b.Connected {
				since := b.Since
				if since.IsZero() {
					since = now
				}
				_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO live_links (meeting_id, person_id, instance, since, seen, dropped) VALUES (?, ?, ?, ?, ?, NULL)
					ON CONFLICT (meeting_id, person_id, instance) DO UPDATE SET seen = excluded.seen, dropped = NULL, since = excluded.since`),
					b.MeetingID, b.PersonID, instance, db.tm(since), db.tm(now))
			} else {
				_, err = tx.ExecContext(ctx, db.rebind(`INSERT INTO live_links (meeting_id, person_id, instance, since, seen, dropped) VALUES (?, ?, ?, ?, ?, ?)
					ON CONFLICT (meeting_id, person_id, instance) DO UPDATE SET dropped = excluded.dropped`),
					b.MeetingID, b.PersonID, instance, db.tm(b.Dropped), db.tm(b.Dropped), db.tm(b.Dropped))
			}
			if err != nil {
				return fmt.Errorf("sync live links: %w", err)
			}
		}
		due, err := db.linkStates(ctx, tx, now, grace, stale)
		if err != nil || len(due) == 0 {
			return err
		}
		// Serialise deciding instances (PostgreSQL: the chain head's row
		// lock) and decide again on what the lock holder committed.
		if _, err := tx.ExecContext(ctx, `UPDATE live_chain SET seq = seq WHERE id = 1`); err != nil {
			return fmt.Errorf("sync live links: %w", err)
		}
		if due, err = db.linkStates(ctx, tx, now, grace, stale); err != nil {
			return err
		}
		for _, st := range due {
			if st.connected {
				at := st.since
				if at.Before(st.lost) || at.IsZero() {
					at = now
				}
				if _, err := db.restoreLink(ctx, tx, st.key, st.open, st.lost, at); err != nil {
					return err
				}
			} else if _, err := db.recordLinkLostAt(ctx, tx, st.key.MeetingID, st.key.PersonID, st.gone); err != nil {
				return err
			}
			changed = append(changed, st.key.MeetingID)
		}
		return nil
	})
	return changed, err
}

// linkStates returns the remote members whose link failure is due to be
// recorded or closed.
func (db *DB) linkStates(ctx context.Context, q queryer, now time.Time, grace, stale time.Duration) ([]*linkState, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT r.meeting_id, r.person_id, m.state, l.since, l.seen, l.dropped,
			COALESCE(f.id, 0), f.lost
		FROM live_roster r
		JOIN live_meetings m ON m.meeting_id = r.meeting_id
		JOIN live_links l ON l.meeting_id = r.meeting_id AND l.person_id = r.person_id
		LEFT JOIN live_link_failures f ON f.meeting_id = r.meeting_id AND f.person_id = r.person_id AND f.restored IS NULL
		WHERE r.presence = ? AND m.state IN (?, ?)
		ORDER BY r.meeting_id, r.person_id`), ratsnetz.PresenceRemote, ratsnetz.LiveRunning, ratsnetz.LiveInterrupted)
	if err != nil {
		return nil, fmt.Errorf("live link states: %w", err)
	}
	defer rows.Close()
	var all []*linkState
	var cur *linkState
	for rows.Next() {
		var k ratsnetz.LiveMemberKey
		var state string
		var since, seen, dropped, lost time.Time
		var open int64
		if err := rows.Scan(&k.MeetingID, &k.PersonID, &state, timeScanner{&since}, timeScanner{&seen}, timeScanner{&dropped}, &open, timeScanner{&lost}); err != nil {
			return nil, fmt.Errorf("live link states: %w", err)
		}
		if cur == nil || cur.key != k {
			cur = &linkState{key: k, open: open, lost: lost, running: state == ratsnetz.LiveRunning}
			all = append(all, cur)
		}
		up := dropped.IsZero() && now.Sub(seen) < stale
		if up {
			if !cur.connected || since.Before(cur.since) {
				cur.since = since
			}
			cur.connected = true
		}
		last := seen
		if !dropped.IsZero() {
			last = dropped
		}
		if last.After(cur.gone) {
			cur.gone = last
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("live link states: %w", err)
	}
	var due []*linkState
	for _, st := range all {
		switch {
		case st.connected && st.open != 0:
			due = append(due, st)
		case !st.connected && st.open == 0 && st.running && now.Sub(st.gone) >= grace:
			due = append(due, st)
		}
	}
	return due, nil
}

// recordLinkLostAt records a member's link failure lost at the given time
// and appends link.lost for the chair and the office; an open failure of
// the member is returned as it is.
func (db *DB) recordLinkLostAt(ctx context.Context, tx *sql.Tx, meetingID, personID int64, at time.Time) (*ratsnetz.LinkFailure, error) {
	f := &ratsnetz.LinkFailure{MeetingID: meetingID, PersonID: personID}
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id, lost FROM live_link_failures WHERE meeting_id = ? AND person_id = ? AND restored IS NULL`),
		meetingID, personID).Scan(&f.ID, timeScanner{&f.Lost})
	if err == nil {
		return f, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("record link lost: %w", err)
	}
	f.Lost = at.UTC().Truncate(time.Microsecond)
	if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO live_link_failures (meeting_id, person_id, lost) VALUES (?, ?, ?) RETURNING id`),
		meetingID, personID, db.tm(f.Lost)).Scan(&f.ID); err != nil {
		return nil, fmt.Errorf("record link lost: %w", err)
	}
	if _, err := db.appendLiveEvent(ctx, tx, meetingID, ratsnetz.EventLinkLost, ratsnetz.AudienceOffice, f); err != nil {
		return nil, err
	}
	return f, nil
}

// restoreLink closes an open failure restored at the given time and appends
// link.restored.
func (db *DB) restoreLink(ctx context.Context, tx *sql.Tx, k ratsnetz.LiveMemberKey, id int64, lost, at time.Time) (*ratsnetz.LinkFailure, error) {
	f := &ratsnetz.LinkFailure{ID: id, MeetingID: k.MeetingID, PersonID: k.PersonID, Lost: lost, Restored: at.UTC().Truncate(time.Microsecond)}
	if err := tx.QueryRowContext(ctx, db.rebind(`UPDATE live_link_failures SET restored = ? WHERE id = ? RETURNING decision`), db.tm(f.Restored), id).Scan(&f.Decision); err != nil {
		return nil, fmt.Errorf("record link restored: %w", err)
	}
	if _, err := db.appendLiveEvent(ctx, tx, k.MeetingID, ratsnetz.EventLinkRestored, ratsnetz.AudienceOffice, f); err != nil {
		return nil, err
	}
	return f, nil
}

// PruneLiveLinks deletes the connection rows that no longer decide
// anything, whichever instance wrote them: every row of a meeting that is
// not under way (closed, or not started), and of a remote member's rows
// that are down at now (dropped, or not renewed for stale — a stopped or
// dead instance) all but the one last known up; if the member is connected
// somewhere, every down row. What is left decides what the full set
// decided: whether the member is connected, since when, and when the link
// was last known up. It reads first and writes only when something is due
// (a quiet instance only reads); it returns the number of rows deleted.
func (db *DB) PruneLiveLinks(ctx context.Context, now time.Time, stale time.Duration) (int, error) {
	type link struct {
		instance   string
		up         bool
		last       time.Time
		underway   bool
		meetingID  int64
		personID   int64
		deleteThis bool
	}
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT l.meeting_id, l.person_id, l.instance, l.seen, l.dropped,
			CASE WHEN m.state IN (?, ?) THEN 1 ELSE 0 END
		FROM live_links l LEFT JOIN live_meetings m ON m.meeting_id = l.meeting_id
		ORDER BY l.meeting_id, l.person_id, l.instance`), ratsnetz.LiveRunning, ratsnetz.LiveInterrupted)
	if err != nil {
		return 0, fmt.Errorf("prune live links: %w", err)
	}
	defer rows.Close()
	var all []*link
	for rows.Next() {
		var l link
		var seen, dropped time.Time
		var underway int
		if err := rows.Scan(&l.meetingID, &l.personID, &l.instance, timeScanner{&seen}, timeScanner{&dropped}, &underway); err != nil {
			return 0, fmt.Errorf("prune live links: %w", err)
		}
		l.underway = underway == 1
		l.up = dropped.IsZero() && now.Sub(seen) < stale
		l.last = seen
		if !dropped.IsZero() {
			l.last = dropped
		}
		all = append(all, &l)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune live links: %w", err)
	}
	rows.Close()

	var closed []int64 // meetings not under way
	var gone []*link   // superseded down rows
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].meetingID == all[i].meetingID && all[j].personID == all[i].personID {
			j++
		}
		member := all[i:j]
		i = j
		if !member[0].underway {
			if len(closed) == 0 || closed[len(closed)-1] != member[0].meetingID {
				closed = append(closed, member[0].meetingID)
			}
			continue
		}
		// keep: an up row, else the down row last known up (ties: the
		// greatest instance name, so that every instance keeps the same).
		var keep *link
		for _, l := range member {
			switch {
			case keep == nil:
				keep = l
			case keep.up:
			case l.up, l.last.After(keep.last), l.last.Equal(keep.last) && l.instance > keep.instance:
				keep = l
			}
		}
		for _, l := range member {
			if !l.up && l != keep {
				gone = append(gone, l)
			}
		}
	}
	if len(closed) == 0 && len(gone) == 0 {
		return 0, nil
	}
	deleted := 0
	err = db.liveTx(ctx, func(tx *sql.Tx) error {
		deleted = 0
		// Each statement re-checks its condition: a meeting resumed or a row
		// renewed since the read above keeps its rows.
		for _, id := range closed {
			res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM live_links WHERE meeting_id = ?
				AND NOT EXISTS (SELECT 1 FROM live_meetings m WHERE m.meeting_id = ? AND m.state IN (?, ?))`),
				id, id, ratsnetz.LiveRunning, ratsnetz.LiveInterrupted)
			if err != nil {
				return fmt.Errorf("prune live links: %w", err)
			}
			n, _ := res.RowsAffected()
			deleted += int(n)
		}
		cutoff := db.tm(now.Add(-stale))
		for _, l := range gone {
			res, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM live_links WHERE meeting_id = ? AND person_id = ? AND instance = ?
				AND (dropped IS NOT NULL OR seen <= ?)`), l.meetingID, l.personID, l.instance, cutoff)
			if err != nil {
				return fmt.Errorf("prune live links: %w", err)
			}
			n, _ := res.RowsAffected()
			deleted += int(n)
		}
		return nil
	})
	return deleted, err
}
