package storetest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// liveHandsFixture is liveFixture plus person 109, a voting council member
// without a faction.
func liveHandsFixture() *ratsnetz.Dataset {
	ds := liveFixture()
	t := day(2026, 1, 1)
	ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: meta(109, t, t), BodyID: 1, Name: "Person 109", FamilyName: "P109"})
	ds.Memberships = append(ds.Memberships, &ratsnetz.Membership{Meta: meta(1109, t, t), PersonID: 109, OrganizationID: 10,
		Role: ratsnetz.RoleMember, VotingRight: true, StartDate: day(2025, 11, 1)})
	return ds
}

// testLiveHands checks the show of hands per faction (validation, totals,
// the per-faction result in the log, confidentiality in the non-public
// part) and the automatic link-failure detection across instances (office
// and chair only).
func testLiveHands(t *testing.T, db *sqlstore.DB) {
	MustLoad(t, db, liveHandsFixture())
	vs := liveViewers(t, db)
	ctx := sys
	if _, err := db.StartLiveMeeting(ctx, 200); err != nil {
		t.Fatal(err)
	}
	for p, presence := range map[int64]string{100: ratsnetz.PresenceInRoom, 101: ratsnetz.PresenceInRoom, 102: ratsnetz.PresenceInRoom,
		103: ratsnetz.PresenceInRoom, 104: ratsnetz.PresenceRemote, 109: ratsnetz.PresenceInRoom} {
		if _, err := db.SetLivePresence(ctx, 200, p, presence); err != nil {
			t.Fatalf("presence %d: %v", p, err)
		}
	}
	if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
		t.Fatal(err)
	}
	if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 102, AgendaItemID: 300}); err != nil {
		t.Fatal(err)
	}

	t.Run("ShowOfHandsPerFaction", func(t *testing.T) {
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Antrag Radweg", Kind: ratsnetz.VoteOpen}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		// Present with a vote and no conflict: F13 100, 101, 103 (102 is
		// conflicted); F14 104 (remote); 109 without a faction.
		for _, tc := range []struct {
			name string
			rows []ratsnetz.HandsRow
			msg  string
		}{
			{"more hands than members", []ratsnetz.HandsRow{{FactionID: 13, Yes: 3, No: 1}}, "F13: 4 Handzeichen, aber nur 3 stimmberechtigte Mitglieder anwesend."},
			{"faction not present", []ratsnetz.HandsRow{{FactionID: 99, Yes: 1}}, "niemand stimmberechtigt anwesend"},
			{"negative", []ratsnetz.HandsRow{{FactionID: 13, Yes: -1}}, "nicht negativ"},
			{"faction member as single", []ratsnetz.HandsRow{{PersonID: 101, Yes: 1}}, "gehört zur Fraktion F13"},
			{"conflicted single", []ratsnetz.HandsRow{{PersonID: 102, Yes: 1}}, "nicht stimmberechtigt anwesend"},
			{"two hands of one member", []ratsnetz.HandsRow{{PersonID: 109, Yes: 1, No: 1}}, "nur eine Stimme"},
			{"faction twice", []ratsnetz.HandsRow{{FactionID: 13, Yes: 1}, {FactionID: 13, No: 1}}, "doppelt"},
			{"nothing", []ratsnetz.HandsRow{{FactionID: 13}}, "kein Handzeichen"},
		} {
			_, err := db.EnterFactionShowOfHands(ctx, v.ID, tc.rows)
			wantCode(t, tc.name, err, ratsnetz.EINVALID)
			if err != nil && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s: message %q lacks %q", tc.name, err, tc.msg)
			}
		}
		if got := must[*ratsnetz.LiveVote](t, "vote")(db.FindLiveVoteByID(ctx, v.ID)); got.State != ratsnetz.VoteStateOpen {
			t.Fatalf("a refused show of hands closed the vote")
		}
		closed := must[*ratsnetz.LiveVote](t, "show of hands")(db.EnterFactionShowOfHands(ctx, v.ID, []ratsnetz.HandsRow{
			{FactionID: 13, Yes: 2, No: 1}, {FactionID: 14, Abstain: 1}, {PersonID: 109, No: 1}}))
		r := closed.Result
		if !closed.ShowOfHands || r.Voted != 5 || r.Count("Ja") != 2 || r.Count("Nein") != 2 || r.Count("Enthaltung") != 1 || r.Adopted {
			t.Errorf("derived totals: %+v", r)
		}
		diff(t, "per faction", r.Factions, []ratsnetz.FactionVote{{OrganizationID: 13, Name: "F13", Yes: 2, No: 1}, {OrganizationID: 14, Name: "F14", Abstain: 1}})
		diff(t, "single members", r.Singles, []ratsnetz.NamedBallot{{PersonID: 109, Name: "Person 109", Option: "Nein"}})
		// The table is in the log (the minutes draft is written from it).
		evs := must[[]*ratsnetz.LiveEvent](t, "events")(db.FindLiveEvents(vs["member13"], 200, 0, 0))
		last := evs[len(evs)-1]
		var logged ratsnetz.LiveVote
		if err := json.Unmarshal(last.Data, &logged); err != nil || last.Type != ratsnetz.EventVoteClosed || logged.Result == nil {
			t.Fatalf("last event %s %s", last.Type, last.Data)
		}
		diff(t, "logged factions", logged.Result.Factions, r.Factions)
		diff(t, "logged singles", logged.Result.Singles, r.Singles)
		_, err := db.EnterFactionShowOfHands(ctx, v.ID, []ratsnetz.HandsRow{{FactionID: 13, Yes: 1}})
		wantCode(t, "show of hands on a closed vote", err, ratsnetz.ECONFLICT)

		el := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Wahl", Kind: ratsnetz.VoteOpen, Options: []string{"Anna", "Bert"}}
		if err := db.OpenLiveVote(ctx, el, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		_, err = db.EnterFactionShowOfHands(ctx, el.ID, []ratsnetz.HandsRow{{FactionID: 13, Yes: 1}})
		wantCode(t, "per faction in an election", err, ratsnetz.EINVALID)
		if _, err := db.EnterShowOfHands(ctx, el.ID, map[string]int{"Anna": 3, "Bert": 1}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.VerifyLiveLog(ctx); err != nil {
			t.Error(err)
		}
	})

	t.Run("NonPublicShowOfHandsNeverPublic", func(t *testing.T) {
		if _, err := db.SetLiveItem(ctx, 200, 301); err != nil {
			t.Fatal(err)
		}
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 301, Title: "Verkauf " + Canary, Kind: ratsnetz.VoteOpen}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnterFactionShowOfHands(ctx, v.ID, []ratsnetz.HandsRow{{FactionID: 13, Yes: 3}, {FactionID: 14, No: 1}}); err != nil {
			t.Fatal(err)
		}
		for name, entitled := range map[string]bool{"public": false, "outsider": false, "member13": true, "member14": true, "office": true, "staff14": true} {
			evs := must[[]*ratsnetz.LiveEvent](t, name)(db.FindLiveEvents(vs[name], 200, 0, 0))
			saw := false
			for _, e := range evs {
				if e.Type == ratsnetz.EventVoteClosed && strings.Contains(string(e.Data), Canary) {
					saw = true
				}
			}
			if saw != entitled {
				t.Errorf("%s: non-public show of hands in the log = %v, want %v", name, saw, entitled)
			}
			snap := must[*ratsnetz.LiveSnapshot](t, name)(db.FindLiveSnapshot(vs[name], 200))
			saw = false
			for _, sv := range snap.Votes {
				if sv.ID == v.ID {
					saw = true
				}
			}
			if saw != entitled {
				t.Errorf("%s: non-public show of hands in the snapshot = %v, want %v", name, saw, entitled)
			}
		}
		if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetLivePart(ctx, 200, false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("LinkFailureDetection", func(t *testing.T) {
		const grace, stale = 20 * time.Second, 15 * time.Second
		t0 := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
		at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
		syncAt := func(inst string, now time.Time, beats ...ratsnetz.LinkBeat) []int64 {
			t.Helper()
			changed, err := db.SyncLiveLinks(ctx, inst, now, beats, grace, stale)
			if err != nil {
				t.Fatalf("sync %s at %s: %v", inst, now.Sub(t0), err)
			}
			return changed
		}
		up := func(p int64, since time.Time) ratsnetz.LinkBeat {
			return ratsnetz.LinkBeat{MeetingID: 200, PersonID: p, Connected: true, Since: since}
		}
		down := func(p int64, dropped time.Time) ratsnetz.LinkBeat {
			return ratsnetz.LinkBeat{MeetingID: 200, PersonID: p, Dropped: dropped}
		}
		failures := func() []*ratsnetz.LinkFailure {
			return must[[]*ratsnetz.LinkFailure](t, "failures")(db.FindLinkFailures(ctx, 200))
		}
		remote := must[map[ratsnetz.LiveMemberKey]bool](t, "remote")(db.FindRemoteMembers(ctx))
		diff(t, "remote members", remote, map[ratsnetz.LiveMemberKey]bool{{MeetingID: 200, PersonID: 104}: true})

		// 104 (remote) is connected on A, 101 (in the room) too.
		syncAt("A", at(0), up(104, at(0)), up(101, at(0)))
		// Both drop at 1 s; A reports it at 5 s.
		syncAt("A", at(5), down(104, at(1)), down(101, at(1)))
		if c := syncAt("B", at(20)); len(c) != 0 || len(failures()) != 0 {
			t.Fatalf("a failure before the grace period: %v", failures())
		}
		// Two instances decide at the same moment: one failure.
		var wg sync.WaitGroup
		for _, inst := range []string{"A", "B"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.SyncLiveLinks(ctx, inst, at(22), nil, grace, stale); err != nil {
					t.Errorf("sync %s: %v", inst, err)
				}
			}()
		}
		wg.Wait()
		fs := failures()
		if len(fs) != 1 || fs[0].PersonID != 104 || !fs[0].Lost.Equal(at(1)) || !fs[0].Restored.IsZero() {
			t.Fatalf("failures after the grace period: %+v", fs)
		}
		syncAt("A", at(30))
		if len(failures()) != 1 {
			t.Errorf("the failure was recorded twice")
		}
		// 104 comes back on B at 40 s.
		if c := syncAt("B", at(41), up(104, at(40))); len(c) != 1 {
			t.Errorf("restore changed %v", c)
		}
		fs = failures()
		if len(fs) != 1 || !fs[0].Restored.Equal(at(40)) {
			t.Fatalf("restored: %+v", fs)
		}

		// A page navigation: the drop and the reconnect within the grace
		// period (reported by different instances) record nothing.
		syncAt("B", at(50), down(104, at(49)))
		syncAt("A", at(51), up(104, at(50)))
		syncAt("A", at(80), up(104, at(50)))
		syncAt("B", at(80))
		if len(failures()) != 1 {
			t.Errorf("a navigation counted as a link failure: %+v", failures())
		}

		// An instance dies while serving 104: its connection counts until it
		// is stale; the failure's time is its last renewal.
		syncAt("B", at(90))
		syncAt("A", at(100), up(104, at(50)))
		if c := syncAt("B", at(119)); len(c) != 0 {
			t.Errorf("failure before last renewal + grace: %v", failures())
		}
		syncAt("B", at(121))
		fs = failures()
		if len(fs) != 2 || !fs[1].Lost.Equal(at(100)) {
			t.Fatalf("dead instance: %+v", fs)
		}

		// Office and chair see link failures; nobody else.
		for name, want := range map[string]bool{"public": false, "outsider": false, "member13": false, "member14": false, "staff14": false, "office": true, "chair": true} {
			evs := must[[]*ratsnetz.LiveEvent](t, name)(db.FindLiveEvents(vs[name], 200, 0, 0))
			lost, restored := 0, 0
			for _, e := range evs {
				switch e.Type {
				case ratsnetz.EventLinkLost:
					lost++
				case ratsnetz.EventLinkRestored:
					restored++
				}
			}
			if (lost == 2 && restored == 1) != want || (!want && lost+restored != 0) {
				t.Errorf("%s: link.lost %d, link.restored %d (want them: %v)", name, lost, restored, want)
			}
		}

		// Not in a closed meeting.
		if _, err := db.SetLiveMeetingState(ctx, 200, ratsnetz.LiveClosed, ""); err != nil {
			t.Fatal(err)
		}
		if len(must[map[ratsnetz.LiveMemberKey]bool](t, "remote")(db.FindRemoteMembers(ctx))) != 0 {
			t.Errorf("remote members of a closed meeting are monitored")
		}
	})
}
