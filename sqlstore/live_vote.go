package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
)

// This file holds electronic votes (issue 7). live_voters records who voted
// (primary key vote+person: a member votes once). Open and named ballots are
// rows of live_ballots keyed by their voter. Secret ballots are no rows at
// all: live_vote_tally holds one counter per option, and every batch of
// ballots updates every option's counter in the transaction that inserts its
// voters. So nothing stored — no row, no row order (SQLite rowid, PostgreSQL
// ctid), no row version (PostgreSQL xmin) — depends on who chose what, even
// for a batch of one; the count stays checkable (voters = sum of counters,
// result in the hash-chained log). Storetest LiveSecret proves it. What this
// cannot hide: the write-ahead log of the moment (SQLite -wal, PostgreSQL
// WAL) and the dead row versions before a checkpoint/vacuum hold one
// commit's voter rows next to its counter changes — reading those needs the
// database server's files or superuser rights, i.e. the position of the
// server process itself, which sees each ballot with its session anyway.

// OpenLiveVote opens v on the running meeting: it fixes who may vote (present
// members with a voting right, without a declared conflict of interest on the
// agenda item, and — unless remoteAllowed — only those in the room), records
// the quorum under rule and appends vote.opened. v.ID, State, Opened,
// Eligible, Excluded, Seats, Quorate and Public are set.
func (db *DB) OpenLiveVote(ctx context.Context, v *ratsnetz.LiveVote, rule ratsnetz.QuorumRule, remoteAllowed bool) error {
	if err := validateVote(v); err != nil {
		return err
	}
	mt, err := db.FindMeetingByID(ratsnetz.SystemContext(ctx), v.MeetingID)
	if err != nil {
		return err
	}
	itemPublic := true
	if v.AgendaItemID != 0 {
		item, err := db.FindAgendaItemByID(ratsnetz.SystemContext(ctx), v.AgendaItemID)
		if err != nil {
			return err
		}
		if item.MeetingID != v.MeetingID {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Der Tagesordnungspunkt gehört nicht zu dieser Sitzung.")
		}
		itemPublic = item.Public
	}
	if len(mt.OrganizationIDs) > 0 {
		org, err := db.FindOrganizationByID(ratsnetz.SystemContext(ctx), mt.OrganizationIDs[0])
		if err == nil {
			v.Seats = org.Seats
		}
	}
	return db.liveTx(ctx, func(tx *sql.Tx) error {
		m, err := db.runningMeeting(ctx, tx, v.MeetingID)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM live_votes WHERE meeting_id = ? AND state = ?`), v.MeetingID, ratsnetz.VoteStateOpen).Scan(&open); err != nil {
			return fmt.Errorf("open vote: %w", err)
		}
		if open > 0 {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Es ist bereits eine Abstimmung offen.")
		}
		roster, err := db.liveRoster(ctx, tx, v.MeetingID)
		if err != nil {
			return err
		}
		conflicted := map[int64]bool{}
		if v.AgendaItemID != 0 {
			rows, err := tx.QueryContext(ctx, db.rebind(`SELECT person_id FROM conflicts_of_interest WHERE agenda_item_id = ?`), v.AgendaItemID)
			if err != nil {
				return fmt.Errorf("open vote: conflicts: %w", err)
			}
			for rows.Next() {
				var p int64
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return fmt.Errorf("open vote: conflicts: %w", err)
				}
				conflicted[p] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("open vote: conflicts: %w", err)
			}
		}
		var eligible []*ratsnetz.RosterEntry
		presentVoting := 0
		for _, e := range roster {
			if !e.Present() || !e.VotingRight {
				continue
			}
			presentVoting++
			if conflicted[e.PersonID] {
				v.Excluded++
				continue
			}
			if e.Presence == ratsnetz.PresenceRemote && !remoteAllowed {
				continue
			}
			eligible = append(eligible, e)
		}
		v.Eligible = len(eligible)
		v.Quorate = rule.Quorate(presentVoting, v.Seats)
		v.State, v.Opened, v.Public = ratsnetz.VoteStateOpen, db.now(), itemPublic && !m.NonPublic
		opts, _ := json.Marshal(v.Options)
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO live_votes (meeting_id, agenda_item_id, title, kind, options, majority, base,
			allow_change, state, public, opened, eligible, excluded, seats, quorate, show_of_hands)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			v.MeetingID, v.AgendaItemID, v.Title, v.Kind, string(opts), v.Majority, v.Base, v.AllowChange, v.State, v.Public,
			db.tm(v.Opened), v.Eligible, v.Excluded, v.Seats, v.Quorate, v.ShowOfHands).Scan(&v.ID); err != nil {
			return fmt.Errorf("open vote: %w", err)
		}
		for len(eligible) > 0 {
			n := min(len(eligible), 500)
			args := make([]any, 0, n*5)
			for _, e := range eligible[:n] {
				args = append(args, v.ID, e.PersonID, e.Name, e.FactionID, e.Faction)
			}
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_vote_eligible (vote_id, person_id, name, faction_id, faction) VALUES `+liveRows(n, 5)), args...); err != nil {
				return fmt.Errorf("open vote: eligible: %w", err)
			}
			eligible = eligible[n:]
		}
		if v.Kind == ratsnetz.VoteSecret {
			args := make([]any, 0, 3*len(v.Options))
			for _, o := range v.Options {
				args = append(args, v.ID, o, 0)
			}
			if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_vote_tally (vote_id, option, ballots) VALUES `+liveRows(len(v.Options), 3)), args...); err != nil {
				return fmt.Errorf("open vote: tally: %w", err)
			}
		}
		if v.Excluded > 0 {
			if _, err := db.appendLiveEvent(ctx, tx, v.MeetingID, ratsnetz.EventConflict, voteAudience(v), map[string]any{
				"VoteID": v.ID, "AgendaItemID": v.AgendaItemID, "Excluded": v.Excluded}); err != nil {
				return err
			}
		}
		_, err = db.appendLiveEvent(ctx, tx, v.MeetingID, ratsnetz.EventVoteOpened, voteAudience(v), v)
		return err
	})
}

func voteAudience(v *ratsnetz.LiveVote) string { return audienceOf(!v.Public) }

func validateVote(v *ratsnetz.LiveVote) error {
	switch v.Kind {
	case ratsnetz.VoteOpen, ratsnetz.VoteNamed, ratsnetz.VoteSecret:
	default:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Art der Abstimmung.")
	}
	if v.Majority == "" {
		v.Majority = ratsnetz.MajoritySimple
	}
	if v.Base == "" {
		v.Base = ratsnetz.BaseVotesCast
	}
	switch v.Majority {
	case ratsnetz.MajoritySimple, ratsnetz.MajorityAbsolute, ratsnetz.MajorityTwoThirds:
	default:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Mehrheitsregel.")
	}
	switch v.Base {
	case ratsnetz.BaseVotesCast, ratsnetz.BasePresent, ratsnetz.BaseLegal:
	default:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Bezugsgröße der Mehrheit.")
	}
	if len(v.Options) == 0 {
		v.Options = ratsnetz.MotionOptions()
	}
	if len(v.Options) > 50 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Höchstens 50 Optionen.")
	}
	seen := map[string]bool{}
	for _, o := range v.Options {
		if o == "" || len(o) > 200 || seen[o] {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Optionen müssen verschieden und nicht leer sein.")
		}
		seen[o] = true
	}
	if v.Title == "" || len(v.Title) > 500 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie an, worüber abgestimmt wird.")
	}
	if v.Kind == ratsnetz.VoteSecret {
		v.AllowChange = false
	}
	return nil
}

const liveVoteColumns = `id, meeting_id, agenda_item_id, title, kind, options, majority, base, allow_change, state, public, opened, closed,
	eligible, excluded, seats, quorate, show_of_hands, result`

func scanLiveVote(r interface{ Scan(...any) error }) (*ratsnetz.LiveVote, error) {
	v := &ratsnetz.LiveVote{}
	var opts, result string
	if err := r.Scan(&v.ID, &v.MeetingID, &v.AgendaItemID, &v.Title, &v.Kind, &opts, &v.Majority, &v.Base, boolScanner{&v.AllowChange},
		&v.State, boolScanner{&v.Public}, timeScanner{&v.Opened}, timeScanner{&v.Closed}, &v.Eligible, &v.Excluded, &v.Seats,
		boolScanner{&v.Quorate}, boolScanner{&v.ShowOfHands}, &result); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opts), &v.Options); err != nil {
		return nil, fmt.Errorf("vote %d options: %w", v.ID, err)
	}
	if result != "" {
		v.Result = &ratsnetz.LiveVoteResult{}
		if err := json.Unmarshal([]byte(result), v.Result); err != nil {
			return nil, fmt.Errorf("vote %d result: %w", v.ID, err)
		}
	}
	return v, nil
}

// FindLiveVoteByID returns a vote.
func (db *DB) FindLiveVoteByID(ctx context.Context, id int64) (*ratsnetz.LiveVote, error) {
	return db.liveVote(ctx, db.read, id)
}

// lockedLiveVote reads a vote inside a writing transaction and takes its
// row lock (PostgreSQL: SELECT … FOR UPDATE, one round trip, no new row
// version; SQLite has one writer anyway). Ballot batches of the same vote
// from another group commit or instance, its close and a show of hands then
// take turns: otherwise a voter's retry on a second instance meets the first
// ballot uncommitted (a duplicate key fails the whole batch), and a batch
// that read "open" could commit after the close had counted. After waiting
// for the lock, PostgreSQL returns the row as the other transaction left it.
func (db *DB) lockedLiveVote(ctx context.Context, tx *sql.Tx, id int64) (*ratsnetz.LiveVote, error) {
	q := `SELECT ` + liveVoteColumns + ` FROM live_votes WHERE id = ?`
	if db.dialect.Name != "sqlite" {
		q += ` FOR UPDATE`
	}
	v, err := scanLiveVote(tx.QueryRowContext(ctx, db.rebind(q), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Die Abstimmung gibt es nicht.")
	} else if err != nil {
		return nil, fmt.Errorf("lock vote %d: %w", id, err)
	}
	return v, nil
}

func (db *DB) liveVote(ctx context.Context, q queryer, id int64) (*ratsnetz.LiveVote, error) {
	v, err := scanLiveVote(q.QueryRowContext(ctx, db.rebind(`SELECT `+liveVoteColumns+` FROM live_votes WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Die Abstimmung gibt es nicht.")
	} else if err != nil {
		return nil, fmt.Errorf("find vote %d: %w", id, err)
	}
	return v, nil
}

// FindLiveVotes returns the votes of a meeting in the order they opened.
func (db *DB) FindLiveVotes(ctx context.Context, meetingID int64) ([]*ratsnetz.LiveVote, error) {
	rows, err := db.read.QueryContext(ctx, db.rebind(`SELECT `+liveVoteColumns+` FROM live_votes WHERE meeting_id = ? ORDER BY id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("find votes: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.LiveVote
	for rows.Next() {
		v, err := scanLiveVote(rows)
		if err != nil {
			return nil, fmt.Errorf("find votes: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find votes: %w", err)
	}
	return out, nil
}

// HasVoted reports whether the person has cast a ballot in the vote.
func (db *DB) HasVoted(ctx context.Context, voteID, personID int64) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM live_voters WHERE vote_id = ? AND person_id = ?`), voteID, personID).Scan(&n); err != nil {
		return false, fmt.Errorf("has voted: %w", err)
	}
	return n > 0, nil
}

// CastLiveBallots stores a batch of ballots in one transaction (the group
// commit of live.Service) and returns one error per ballot (nil = counted;
// the ballot is durable once this returns). A repeated identical ballot
// counts once and is acknowledged again; a different one replaces the first
// only if the vote allows changes; a repeated secret ballot is refused as
// already counted. err is set when the transaction failed: then no ballot
// of the batch is stored.
//
// Each vote of the batch gets a vote.progress event with its new count;
// CastLiveBallotsQuiet leaves that to RecordLiveVoteProgress.
func (db *DB) CastLiveBallots(ctx context.Context, ballots []ratsnetz.Ballot) (errs []error, err error) {
	return db.castLiveBallots(ctx, ballots, true)
}

// CastLiveBallotsQuiet is CastLiveBallots without the vote.progress events:
// the group commit records the progress at its own pace (one event per
// stream and round costs thousands of writes at a big meeting).
func (db *DB) CastLiveBallotsQuiet(ctx context.Context, ballots []ratsnetz.Ballot) (errs []error, err error) {
	return db.castLiveBallots(ctx, ballots, false)
}

// RecordLiveVoteProgress appends a vote.progress event with the vote's
// current count; nothing when the vote is no longer open (its vote.closed
// event carries the result).
func (db *DB) RecordLiveVoteProgress(ctx context.Context, voteID int64) error {
	return db.liveTx(ctx, func(tx *sql.Tx) error {
		v, err := db.liveVote(ctx, tx, voteID)
		if err != nil {
			return err
		}
		if v.State != ratsnetz.VoteStateOpen || v.ShowOfHands {
			return nil
		}
		return db.appendVoteProgress(ctx, tx, v)
	})
}

func (db *DB) appendVoteProgress(ctx context.Context, tx *sql.Tx, v *ratsnetz.LiveVote) error {
	var voted int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM live_voters WHERE vote_id = ?`), v.ID).Scan(&voted); err != nil {
		return fmt.Errorf("vote progress: count: %w", err)
	}
	_, err := db.appendLiveEvent(ctx, tx, v.MeetingID, ratsnetz.EventVoteProgress, voteAudience(v), map[string]any{
		"VoteID": v.ID, "Voted": voted, "Eligible": v.Eligible})
	return err
}

func (db *DB) castLiveBallots(ctx context.Context, ballots []ratsnetz.Ballot, progress bool) (errs []error, err error) {
	errs = make([]error, len(ballots))
	byVote := map[int64][]int{}
	for i, b := range ballots {
		byVote[b.VoteID] = append(byVote[b.VoteID], i)
	}
	voteIDs := make([]int64, 0, len(byVote))
	for id := range byVote {
		voteIDs = append(voteIDs, id)
	}
	slices.Sort(voteIDs)
	err = db.liveTx(ctx, func(tx *sql.Tx) error {
		// Every vote's lock before any event is appended (which locks the
		// chain head): all writers take votes first, in ID order, then the
		// chain, so two batches cannot wait on each other.
		votes := make([]*ratsnetz.LiveVote, len(voteIDs))
		for k, voteID := range voteIDs {
			v, err := db.lockedLiveVote(ctx, tx, voteID)
			if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
				for _, i := range byVote[voteID] {
					errs[i] = err
				}
				continue
			} else if err != nil {
				return err
			}
			votes[k] = v
		}
		for k, voteID := range voteIDs {
			if votes[k] == nil {
				continue
			}
			if err := db.castBallots(ctx, tx, votes[k], ballots, byVote[voteID], errs, progress); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// castBallots stores the ballots idx of the locked vote v. Per ballot batch
// and vote the database sees four statements: the vote's lock (with its
// row), who of the batch is eligible and voted before (one query), the
// voters, and the ballots or the secret counters.
func (db *DB) castBallots(ctx context.Context, tx *sql.Tx, v *ratsnetz.LiveVote, ballots []ratsnetz.Ballot, idx []int, errs []error, progress bool) error {
	voteID := v.ID
	if v.State != ratsnetz.VoteStateOpen || v.ShowOfHands {
		for _, i := range idx {
			errs[i] = ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Abstimmung ist geschlossen.")
		}
		return nil
	}
	persons := make([]int64, 0, len(idx))
	for _, i := range idx {
		persons = append(persons, ballots[i].PersonID)
	}
	in, arg := db.personsIn("e.person_id", persons)
	// Who of the batch may vote (their faction), and what they cast before
	// (option "" for secret votes, whose ballots are no rows): open and
	// named ballots are found by their key, the primary key's second column.
	q := `SELECT e.person_id, e.faction_id, CASE WHEN v.person_id IS NULL THEN 0 ELSE 1 END, ''
		FROM live_vote_eligible e LEFT JOIN live_voters v ON v.vote_id = e.vote_id AND v.person_id = e.person_id
		WHERE e.vote_id = ? AND ` + in
	if v.Kind != ratsnetz.VoteSecret {
		q = `SELECT e.person_id, e.faction_id, CASE WHEN b.option IS NULL THEN 0 ELSE 1 END, COALESCE(b.option, '')
		FROM live_vote_eligible e LEFT JOIN live_ballots b ON b.vote_id = e.vote_id AND b.ballot_key = 'p' || e.person_id
		WHERE e.vote_id = ? AND ` + in
	}
	faction := map[int64]int64{}
	prior := map[int64]string{}
	rows, err := tx.QueryContext(ctx, db.rebind(q), voteID, arg)
	if err != nil {
		return fmt.Errorf("cast ballots: eligible: %w", err)
	}
	for rows.Next() {
		var p, f int64
		var voted int
		var o string
		if err := rows.Scan(&p, &f, &voted, &o); err != nil {
			rows.Close()
			return fmt.Errorf("cast ballots: eligible: %w", err)
		}
		faction[p] = f
		if voted != 0 {
			prior[p] = o
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cast ballots: eligible: %w", err)
	}
	var voters []int64
	var ballotArgs []any
	secret := map[string]int{} // new secret ballots per option
	type change struct {
		person int64
		option string
	}
	var changes []change
	for _, i := range idx {
		b := ballots[i]
		f, ok := faction[b.PersonID]
		switch {
		case !ok:
			errs[i] = ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Sie sind bei dieser Abstimmung nicht stimmberechtigt.")
			continue
		case !slices.Contains(v.Options, b.Option):
			errs[i] = ratsnetz.Errorf(ratsnetz.EINVALID, "Diese Antwortmöglichkeit gibt es nicht.")
			continue
		}
		if o, voted := prior[b.PersonID]; voted {
			switch {
			case v.Kind == ratsnetz.VoteSecret:
				errs[i] = ratsnetz.Errorf(ratsnetz.ECONFLICT, "Ihre Stimme ist bereits gezählt.")
			case o == b.Option:
				// The same ballot again (e.g. a retry after a lost answer): counted once.
			case v.AllowChange:
				changes = append(changes, change{b.PersonID, b.Option})
				prior[b.PersonID] = b.Option
			default:
				errs[i] = ratsnetz.Errorf(ratsnetz.ECONFLICT, "Sie haben bereits abgestimmt; die Stimme kann nicht geändert werden.")
			}
			continue
		}
		prior[b.PersonID] = b.Option
		voters = append(voters, b.PersonID)
		if v.Kind == ratsnetz.VoteSecret {
			secret[b.Option]++
		} else {
			ballotArgs = append(ballotArgs, voteID, "p"+strconv.FormatInt(b.PersonID, 10), b.PersonID, f, b.Option)
		}
	}
	if len(voters) > 0 {
		// One statement text whatever the batch size (prepared once).
		set, arg := db.idSet(voters)
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO live_voters (vote_id, person_id) SELECT CAST(? AS BIGINT), x.* FROM (`+set+`) x`), voteID, arg); err != nil {
			return fmt.Errorf("cast ballots: voters: %w", err)
		}
		if v.Kind == ratsnetz.VoteSecret {
			if err := db.addSecretBallots(ctx, tx, v, secret); err != nil {
				return err
			}
		}
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO live_ballots (vote_id, ballot_key, person_id, faction_id, option) VALUES `, 5, ballotArgs); err != nil {
		return fmt.Errorf("cast ballots: %w", err)
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_ballots SET option = ? WHERE vote_id = ? AND ballot_key = ?`),
			c.option, voteID, "p"+strconv.FormatInt(c.person, 10)); err != nil {
			return fmt.Errorf("cast ballots: change: %w", err)
		}
	}
	if len(voters) == 0 || !progress {
		return nil
	}
	return db.appendVoteProgress(ctx, tx, v)
}

// personsIn is the condition "col is one of ids" with its argument, such
// that the vote's rows are looked up by their primary key (vote, person) one
// by one. On PostgreSQL "= ANY(array)" is an index condition: the generic
// plans (plan_cache_mode) of "IN (SELECT unnest(…))" hash-join ALL the
// vote's rows instead — 5 000 rows read per ballot batch, the cost of a
// batch growing with the meeting.
func (db *DB) personsIn(col string, ids []int64) (string, any) {
	if db.dialect.Name == "sqlite" {
		set, arg := db.idSet(ids)
		return col + ` IN (` + set + `)`, arg
	}
	return col + ` = ANY(CAST(? AS BIGINT[]))`, ids
}

// insertRows inserts rows of k columns given flat in args, as few
// multi-row statements as the parameter limit allows.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, prefix string, k int, args []any) error {
	per := max(1, min(db.dialect.MaxParams, 4000)/k)
	for len(args) > 0 {
		n := min(len(args)/k, per)
		if _, err := tx.ExecContext(ctx, db.rebind(prefix+liveRows(n, k)), args[:n*k]...); err != nil {
			return err
		}
		args = args[n*k:]
	}
	return nil
}

// addSecretBallots adds a batch's secret ballots to the vote's counters in
// one statement that rewrites EVERY option's row, also those the batch did
// not choose: on PostgreSQL each row version carries the writing
// transaction's ID (xmin), the same as the batch's voter rows; rewriting only
// the chosen options would leave on each option's row the transaction of its
// last voter.
func (db *DB) addSecretBallots(ctx context.Context, tx *sql.Tx, v *ratsnetz.LiveVote, add map[string]int) error {
	var q strings.Builder
	q.WriteString(`UPDATE live_vote_tally SET ballots = ballots + CASE option`)
	args := make([]any, 0, 2*len(v.Options)+1)
	for _, o := range v.Options {
		q.WriteString(` WHEN ? THEN ?`)
		args = append(args, o, add[o])
	}
	q.WriteString(` ELSE 0 END WHERE vote_id = ?`)
	args = append(args, v.ID)
	res, err := tx.ExecContext(ctx, db.rebind(q.String()), args...)
	if err != nil {
		return fmt.Errorf("cast ballots: tally: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n != int64(len(v.Options)) {
		return fmt.Errorf("cast ballots: tally of vote %d has %d of %d options", v.ID, n, len(v.Options))
	}
	return nil
}

// secretTally returns a secret vote's counters by option.
func (db *DB) secretTally(ctx context.Context, q queryer, voteID int64) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, db.rebind(`SELECT option, ballots FROM live_vote_tally WHERE vote_id = ?`), voteID)
	if err != nil {
		return nil, fmt.Errorf("tally: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, fmt.Errorf("tally: %w", err)
		}
		counts[o] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tally: %w", err)
	}
	return counts, nil
}

// CloseLiveVote closes an open vote, counts it and appends vote.closed with
// the result (per faction for open and named votes, each member's ballot for
// named ones).
func (db *DB) CloseLiveVote(ctx context.Context, voteID int64) (*ratsnetz.LiveVote, error) {
	var out *ratsnetz.LiveVote
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		v, err := db.lockedLiveVote(ctx, tx, voteID)
		if err != nil {
			return err
		}
		if v.State != ratsnetz.VoteStateOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Abstimmung ist bereits geschlossen.")
		}
		var voted int
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM live_voters WHERE vote_id = ?`), voteID).Scan(&voted); err != nil {
			return fmt.Errorf("close vote: %w", err)
		}
		if v.Kind == ratsnetz.VoteSecret {
			counts, err := db.secretTally(ctx, tx, voteID)
			if err != nil {
				return fmt.Errorf("close vote: %w", err)
			}
			return db.finishVote(ctx, tx, v, tallyResult(v, counts, voted), &out)
		}
		counts := map[string]int{}
		facs := map[int64]*ratsnetz.FactionVote{}
		var named []ratsnetz.NamedBallot
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT b.option, b.person_id, b.faction_id, COALESCE(e.name, ''), COALESCE(e.faction, '')
			FROM live_ballots b LEFT JOIN live_vote_eligible e ON e.vote_id = b.vote_id AND e.person_id = b.person_id AND b.person_id <> 0
			WHERE b.vote_id = ? ORDER BY e.name, b.person_id`), voteID)
		if err != nil {
			return fmt.Errorf("close vote: %w", err)
		}
		for rows.Next() {
			var o, name, fname string
			var p, f int64
			if err := rows.Scan(&o, &p, &f, &name, &fname); err != nil {
				rows.Close()
				return fmt.Errorf("close vote: %w", err)
			}
			counts[o]++
			fv := facs[f]
			if fv == nil {
				fv = &ratsnetz.FactionVote{OrganizationID: f, Name: fname}
				if fv.Name == "" {
					fv.Name = "fraktionslos"
				}
				facs[f] = fv
			}
			switch o {
			case ratsnetz.OptionYes:
				fv.Yes++
			case ratsnetz.OptionNo:
				fv.No++
			case ratsnetz.OptionAbstain:
				fv.Abstain++
			}
			if v.Kind == ratsnetz.VoteNamed {
				named = append(named, ratsnetz.NamedBallot{PersonID: p, Name: name, FactionID: f, Option: o})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("close vote: %w", err)
		}
		r := tallyResult(v, counts, voted)
		for _, fv := range facs {
			r.Factions = append(r.Factions, *fv)
		}
		sort.Slice(r.Factions, func(i, j int) bool { return r.Factions[i].Name < r.Factions[j].Name })
		r.Named = named
		return db.finishVote(ctx, tx, v, r, &out)
	})
	return out, err
}

// tallyResult counts options in the vote's order and applies the majority
// rule: for a motion to the Ja/Nein/Enthaltung counts, for an election to the
// leading candidate against all other ballots (a tie elects nobody).
func tallyResult(v *ratsnetz.LiveVote, counts map[string]int, voted int) *ratsnetz.LiveVoteResult {
	r := &ratsnetz.LiveVoteResult{Voted: voted}
	for _, o := range v.Options {
		r.Counts = append(r.Counts, ratsnetz.OptionCount{Option: o, Count: counts[o]})
	}
	present := v.Eligible
	if slices.Equal(v.Options, ratsnetz.MotionOptions()) {
		r.Adopted = ratsnetz.Majority(v.Majority, v.Base, counts[ratsnetz.OptionYes], counts[ratsnetz.OptionNo], counts[ratsnetz.OptionAbstain], present, v.Seats)
		return r
	}
	best, bestN, tie := "", -1, false
	for _, o := range v.Options {
		if o == ratsnetz.OptionAbstain {
			continue
		}
		switch n := counts[o]; {
		case n > bestN:
			best, bestN, tie = o, n, false
		case n == bestN:
			tie = true
		}
	}
	abstain := counts[ratsnetz.OptionAbstain]
	if !tie && bestN > 0 && ratsnetz.Majority(v.Majority, v.Base, bestN, voted-bestN-abstain, abstain, present, v.Seats) {
		r.Adopted, r.Winner = true, best
	}
	return r
}

func (db *DB) finishVote(ctx context.Context, tx *sql.Tx, v *ratsnetz.LiveVote, r *ratsnetz.LiveVoteResult, out **ratsnetz.LiveVote) error {
	v.State, v.Closed, v.Result = ratsnetz.VoteStateClosed, db.now(), r
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("close vote: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE live_votes SET state = ?, closed = ?, result = ?, show_of_hands = ? WHERE id = ?`),
		v.State, db.tm(v.Closed), string(b), v.ShowOfHands, v.ID); err != nil {
		return fmt.Errorf("close vote: %w", err)
	}
	if _, err := db.appendLiveEvent(ctx, tx, v.MeetingID, ratsnetz.EventVoteClosed, voteAudience(v), v); err != nil {
		return err
	}
	*out = v
	return nil
}

// EnterShowOfHands closes an open vote with a result counted by hand (the
// office's fallback, e.g. when secret votes are not allowed online).
func (db *DB) EnterShowOfHands(ctx context.Context, voteID int64, counts map[string]int, factions []ratsnetz.FactionVote) (*ratsnetz.LiveVote, error) {
	var out *ratsnetz.LiveVote
	err := db.liveTx(ctx, func(tx *sql.Tx) error {
		v, err := db.lockedLiveVote(ctx, tx, voteID)
		if err != nil {
			return err
		}
		if v.State != ratsnetz.VoteStateOpen {
			return ratsnetz.Errorf(ratsnetz.ECONFLICT, "Die Abstimmung ist bereits geschlossen.")
		}
		total := 0
		for o, n := range counts {
			if !slices.Contains(v.Options, o) || n < 0 {
				return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiges Ergebnis.")
			}
			total += n
		}
		if total > v.Eligible+v.Excluded && v.Eligible > 0 {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Es wurden mehr Stimmen gezählt, als Mitglieder stimmberechtigt sind.")
		}
		v.ShowOfHands = true
		r := tallyResult(v, counts, total)
		r.Factions = factions
		return db.finishVote(ctx, tx, v, r, &out)
	})
	return out, err
}

// CountLiveBallots returns the number of voters and of ballots of a vote
// (ballot rows, or for a secret vote the sum of its counters): equal unless
// the store is corrupt — the count is checkable.
func (db *DB) CountLiveBallots(ctx context.Context, voteID int64) (voters, ballots int, err error) {
	if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT (SELECT COUNT(*) FROM live_voters WHERE vote_id = ?),
		(SELECT COUNT(*) FROM live_ballots WHERE vote_id = ?) + (SELECT CAST(COALESCE(SUM(ballots), 0) AS BIGINT) FROM live_vote_tally WHERE vote_id = ?)`),
		voteID, voteID, voteID).Scan(&voters, &ballots); err != nil {
		return 0, 0, fmt.Errorf("count ballots: %w", err)
	}
	return voters, ballots, nil
}
