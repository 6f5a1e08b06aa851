package storetest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testLiveSecret proves that the store keeps no trace of who cast which
// secret ballot: two secret votes in which the same members vote one at a
// time in the same order (a batch of one each, as in a quiet meeting), but
// with the choices permuted among them, leave identical stored data — every
// row of every table with a vote_id, the vote's row, its events, in physical
// order (SQLite rowid, PostgreSQL ctid) and with PostgreSQL's row versions
// (xmin, as a rank). A control shows that the same comparison does see who
// voted what in an open vote.
func testLiveSecret(t *testing.T, db *sqlstore.DB) {
	MustLoad(t, db, liveFixture())
	ctx := sys
	clock := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock } // same times in both votes
	if _, err := db.StartLiveMeeting(ctx, 200); err != nil {
		t.Fatal(err)
	}
	voters := []int64{100, 101, 102, 103, 104, 105}
	for _, p := range voters {
		if _, err := db.SetLivePresence(ctx, 200, p, ratsnetz.PresenceInRoom); err != nil {
			t.Fatal(err)
		}
	}
	// The same choices (3 Ja, 2 Nein, 1 Enthaltung), given by other members.
	choicesA := []string{"Ja", "Nein", "Ja", "Enthaltung", "Nein", "Ja"}
	choicesB := []string{"Nein", "Ja", "Enthaltung", "Ja", "Ja", "Nein"}

	run := func(kind string, choices []string) (dump []string, result *ratsnetz.LiveVoteResult) {
		t.Helper()
		before := must[int64](t, "last seq")(db.LastLiveSeq(ctx))
		v := &ratsnetz.LiveVote{MeetingID: 200, Title: "Wahl der Schriftführung", Kind: kind}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		if v.Eligible != len(voters) {
			t.Fatalf("eligible %d, want %d", v.Eligible, len(voters))
		}
		for i, p := range voters {
			cast := db.CastLiveBallots
			if i%2 == 1 {
				cast = db.CastLiveBallotsQuiet
			}
			errs, err := cast(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: p, Option: choices[i]}})
			if err != nil || errs[0] != nil {
				t.Fatalf("ballot of %d: %v %v", p, errs, err)
			}
			if i == 2 {
				if err := db.RecordLiveVoteProgress(ctx, v.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		nVoters, nBallots, err := db.CountLiveBallots(ctx, v.ID)
		if err != nil || nVoters != len(voters) || nBallots != len(voters) {
			t.Errorf("%s: count voters %d ballots %d (%v), want %d each", kind, nVoters, nBallots, err, len(voters))
		}
		closed := must[*ratsnetz.LiveVote](t, "close")(db.CloseLiveVote(ctx, v.ID))
		after := must[int64](t, "last seq")(db.LastLiveSeq(ctx))
		return storedVote(t, db, v.ID, before, after), closed.Result
	}

	dumpA, resultA := run(ratsnetz.VoteSecret, choicesA)
	dumpB, resultB := run(ratsnetz.VoteSecret, choicesB)
	for _, r := range []*ratsnetz.LiveVoteResult{resultA, resultB} {
		if r.Voted != 6 || r.Count("Ja") != 3 || r.Count("Nein") != 2 || r.Count("Enthaltung") != 1 || !r.Adopted {
			t.Errorf("secret result %+v, want 6 voted, 3/2/1, adopted", r)
		}
	}
	for _, want := range []string{"live_voters", "live_vote_tally", "live_events"} {
		if !slices.ContainsFunc(dumpA, func(s string) bool { return strings.HasPrefix(s, want+" ") }) {
			t.Errorf("the stored data of the secret vote has no %s rows:\n%s", want, strings.Join(dumpA, "\n"))
		}
	}
	diff(t, "stored secret vote, choices permuted among the voters", dumpB, dumpA)

	// Control: for an open vote the same comparison shows who voted what.
	openA, _ := run(ratsnetz.VoteOpen, choicesA)
	openB, _ := run(ratsnetz.VoteOpen, choicesB)
	if slices.Equal(openA, openB) {
		t.Errorf("the stored data of two open votes with permuted choices is identical — the comparison sees nothing:\n%s", strings.Join(openA, "\n"))
	}
}

// storedVote returns everything stored about a vote as comparable lines:
// the rows of every table with a vote_id column (and the vote's own row) in
// physical order, and the events appended in (before, after], with the
// vote's ID and sequence numbers left out. On PostgreSQL each line carries
// the rank of its row version's transaction (xmin) among the vote's rows,
// and of the transaction that last locked or deleted it (xmax: the ballot
// batches lock the vote's row with SELECT … FOR UPDATE, which leaves their
// transaction there).
func storedVote(t *testing.T, db *sqlstore.DB, voteID, before, after int64) []string {
	t.Helper()
	ctx := context.Background()
	pg := db.Dialect().Name != "sqlite"
	var tables []string
	var q string
	if pg {
		q = `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'vote_id' ORDER BY table_name`
	} else {
		q = `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'vote_id' ORDER BY m.name`
	}
	rows, err := db.ReadDB().QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatal("no table has a vote_id column")
	}

	type line struct {
		text       string
		xmin, xmax int64
	}
	var lines []line
	add := func(label, query string, args ...any) {
		t.Helper()
		rows, err := db.ReadDB().QueryContext(ctx, db.Rebind(query), args...)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			var b strings.Builder
			b.WriteString(label)
			var xmin, xmax int64
			for i, c := range cols {
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				switch c {
				case "xmin_":
					xmin, _ = strconv.ParseInt(fmt.Sprint(v), 10, 64)
					continue
				case "xmax_":
					xmax, _ = strconv.ParseInt(fmt.Sprint(v), 10, 64)
					continue
				case "id", "vote_id", "seq", "hash", "prev_hash":
					continue
				}
				fmt.Fprintf(&b, " %s=%s", c, sameVote(fmt.Sprint(v), voteID))
			}
			lines = append(lines, line{b.String(), xmin, xmax})
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
	}
	order, xmin := "rowid", ""
	if pg {
		order, xmin = "ctid", "xmin::text AS xmin_, xmax::text AS xmax_, "
	}
	for _, name := range tables {
		o := order
		if !pg && withoutRowID(t, db, name) {
			o = "1" // a WITHOUT ROWID table is stored in key order: the order of the rows as listed
		}
		add(name, `SELECT `+xmin+`* FROM `+name+` WHERE vote_id = ? ORDER BY `+o, voteID)
	}
	add("live_votes", `SELECT `+xmin+`* FROM live_votes WHERE id = ?`, voteID)
	add("live_events", `SELECT `+xmin+`* FROM live_events WHERE seq > ? AND seq <= ? ORDER BY seq`, before, after)

	out := make([]string, len(lines))
	var xids []int64
	for _, l := range lines {
		xids = append(xids, l.xmin)
		if l.xmax != 0 {
			xids = append(xids, l.xmax)
		}
	}
	slices.Sort(xids)
	xids = slices.Compact(xids)
	for i, l := range lines {
		out[i] = l.text
		if pg {
			out[i] += fmt.Sprintf(" xmin-rank=%d xmax-rank=%d", slices.Index(xids, l.xmin), slices.Index(xids, l.xmax))
		}
	}
	return out
}

func withoutRowID(t *testing.T, db *sqlstore.DB, table string) bool {
	t.Helper()
	var sql string
	if err := db.ReadDB().QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&sql); err != nil {
		t.Fatal(err)
	}
	return strings.Contains(strings.ToUpper(sql), "WITHOUT ROWID")
}

// sameVote replaces the vote's ID in event data ("ID" of the vote, "VoteID").
func sameVote(s string, voteID int64) string {
	re := regexp.MustCompile(`"(ID|VoteID)":` + strconv.FormatInt(voteID, 10) + `\b`)
	return re.ReplaceAllString(s, `"$1":V`)
}
