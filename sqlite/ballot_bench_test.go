//go:build unix

package sqlite_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// benchVoters is the size of the council of BenchmarkBallotBatch; b.N
// batches of 10 must fit (b.N ≤ benchVoters/10).
const benchVoters = 5000

// openBenchVote opens a vote of kind in a live meeting of a council of
// benchVoters members, all present in the room.
func openBenchVote(b *testing.B, kind string) (*sqlstore.DB, *ratsnetz.LiveVote) {
	b.Helper()
	ctx := context.Background()
	db := MustOpenDB(b)
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := func(id int64) ratsnetz.Meta {
		return ratsnetz.Meta{ID: id, ExternalID: fmt.Sprintf("https://ris.example.org/oparl/x/%d", id), Created: t0, Modified: t0}
	}
	ds := &ratsnetz.Dataset{
		Bodies:        []*ratsnetz.Body{{Meta: m(1), Name: "Musterstadt"}},
		Organizations: []*ratsnetz.Organization{{Meta: m(10), BodyID: 1, Name: "Rat", Seats: benchVoters}},
		Meetings:      []*ratsnetz.Meeting{{Meta: m(200), BodyID: 1, Name: "Ratssitzung", OrganizationIDs: []int64{10}, Public: true, Start: time.Now()}},
		AgendaItems:   []*ratsnetz.AgendaItem{{Meta: m(300), MeetingID: 200, Number: "Ö 1", Name: "Haushalt", Public: true}},
	}
	persons := make([]int64, benchVoters)
	for i := range persons {
		id := int64(100000 + i)
		persons[i] = id
		ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: m(id), BodyID: 1, Name: fmt.Sprintf("Person %d", id), FamilyName: fmt.Sprintf("P%d", id)})
		ds.Memberships = append(ds.Memberships, &ratsnetz.Membership{Meta: m(id + 100000), PersonID: id, OrganizationID: 10,
			Role: ratsnetz.RoleMember, VotingRight: true, StartDate: t0.AddDate(-1, 0, 0)})
	}
	storetest.MustLoad(b, db, ds)
	if _, err := db.StartLiveMeeting(ctx, 200); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SetLivePresences(ctx, 200, persons, ratsnetz.PresenceInRoom); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
		b.Fatal(err)
	}
	v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Haushalt", Kind: kind, Options: []string{"Ja", "Nein", "Enthaltung"}}
	if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
		b.Fatal(err)
	}
	if v.Eligible != benchVoters {
		b.Fatalf("eligible %d, want %d", v.Eligible, benchVoters)
	}
	return db, v
}

// BenchmarkBallotBatch: one group-commit batch of 10 ballots
// (CastLiveBallotsQuiet) on SQLite, the statement cache's case on the
// write connection. cpu-µs/op is the process's CPU time (user + system)
// per batch, less noisy than ns/op on a busy machine:
//
//	go test -run XXX -bench BallotBatch -benchtime 400x ./sqlite
func BenchmarkBallotBatch(b *testing.B) {
	for _, kind := range []string{ratsnetz.VoteSecret, ratsnetz.VoteOpen} {
		b.Run(kind, func(b *testing.B) {
			if b.N > benchVoters/10 {
				b.Skipf("b.N = %d batches exceed the %d voters", b.N, benchVoters)
			}
			db, v := openBenchVote(b, kind)
			ctx := context.Background()
			before := cpuTime(b)
			b.ResetTimer()
			for i := range b.N {
				batch := make([]ratsnetz.Ballot, 10)
				for k := range batch {
					batch[k] = ratsnetz.Ballot{VoteID: v.ID, PersonID: int64(100000 + 10*i + k), Option: "Ja"}
				}
				errs, err := db.CastLiveBallotsQuiet(ctx, batch)
				if err != nil {
					b.Fatal(err)
				}
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
