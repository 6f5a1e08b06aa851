package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// liveFixture: body 1; council 10 (7 seats) with members 100–106 (100 chair;
// factions 13 "F13" for 100–103, 14 "F14" for 104–106) and advisory member
// 107 without a vote; person 108 sits only in faction 14's staff account.
// Meeting 200 (public) with public item 300 and non-public item 301 (canary).
func liveFixture() *ratsnetz.Dataset {
	t := day(2026, 1, 1)
	m := func(id int64) ratsnetz.Meta { return meta(id, t, t) }
	term := day(2025, 11, 1)
	ds := &ratsnetz.Dataset{
		Bodies: []*ratsnetz.Body{{Meta: m(1), Name: "Musterstadt"}},
		Organizations: []*ratsnetz.Organization{
			{Meta: m(10), BodyID: 1, Name: "Rat", Seats: 7},
			{Meta: m(13), BodyID: 1, Name: "Fraktion 13", ShortName: "F13", OrganizationType: ratsnetz.OrgTypeFraktion},
			{Meta: m(14), BodyID: 1, Name: "Fraktion 14", ShortName: "F14", OrganizationType: ratsnetz.OrgTypeFraktion},
		},
		Meetings: []*ratsnetz.Meeting{{Meta: m(200), BodyID: 1, Name: "Ratssitzung", OrganizationIDs: []int64{10}, Public: true, Start: time.Now()}},
		AgendaItems: []*ratsnetz.AgendaItem{
			{Meta: m(300), MeetingID: 200, Order: 0, Number: "Ö 1", Name: "Haushalt", Public: true},
			{Meta: m(301), MeetingID: 200, Order: 1, Number: "N 1", Name: "Grundstück " + Canary},
		},
	}
	for id := int64(100); id <= 108; id++ {
		ds.Persons = append(ds.Persons, &ratsnetz.Person{Meta: m(id), BodyID: 1, Name: fmt.Sprintf("Person %d", id), FamilyName: fmt.Sprintf("P%d", id)})
	}
	for id := int64(100); id <= 107; id++ {
		role, faction, voting := ratsnetz.RoleMember, int64(13), true
		if id == 100 {
			role = ratsnetz.RoleChair
		}
		if id >= 104 {
			faction = 14
		}
		if id == 107 {
			role, voting = ratsnetz.RoleAdvisory, false
		}
		ds.Memberships = append(ds.Memberships, &ratsnetz.Membership{Meta: m(1000 + id), PersonID: id, OrganizationID: 10, Role: role,
			VotingRight: voting, StartDate: term, OnBehalfOfID: faction})
	}
	return ds
}

// liveViewers creates accounts and returns their contexts.
func liveViewers(t *testing.T, db *sqlstore.DB) map[string]context.Context {
	t.Helper()
	mk := func(email string, person int64, roles ...ratsnetz.AccountRole) context.Context {
		a := MustCreateAccount(t, db, &ratsnetz.Account{Email: email, PersonID: person, Active: true, Roles: roles})
		return ratsnetz.NewContextWithViewer(context.Background(), ratsnetz.Viewer{AccountID: a.ID, PersonID: person})
	}
	return map[string]context.Context{
		"public":   public,
		"chair":    mk("chair@x.example", 100, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}),
		"member13": mk("m13@x.example", 101, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}),
		"member14": mk("m14@x.example", 104, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}),
		"office":   mk("office@x.example", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}),
		"staff14":  mk("staff@x.example", 108, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: 14}),
		"outsider": mk("out@x.example", 0),
	}
}

// testLive checks live meetings: roster, speakers, ballots, event log.
func testLive(t *testing.T, db *sqlstore.DB) {
	MustLoad(t, db, liveFixture())
	vs := liveViewers(t, db)
	ctx := sys
	t.Run("Access", func(t *testing.T) {
		for name, want := range map[string]ratsnetz.LiveAccess{
			"public":   {MeetingID: 200},
			"outsider": {MeetingID: 200},
			"chair":    {MeetingID: 200, Entitled: true, Chair: true, Member: true, PersonID: 100, FactionID: 13},
			"member13": {MeetingID: 200, Entitled: true, Member: true, PersonID: 101, FactionID: 13},
			"office":   {MeetingID: 200, Entitled: true, Office: true},
			"staff14":  {MeetingID: 200, Entitled: true, FactionStaff: []int64{14}},
		} {
			got, err := db.LiveAccessOf(vs[name], 200)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			diff(t, name, got, want)
		}
		_, err := db.LiveAccessOf(public, 999)
		wantCode(t, "unknown meeting", err, ratsnetz.ENOTFOUND)
	})

	m, err := db.StartLiveMeeting(ctx, 200)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if m.State != ratsnetz.LiveRunning {
		t.Fatalf("state %q", m.State)
	}
	roster := must[[]*ratsnetz.RosterEntry](t, "roster")(db.FindLiveRoster(ctx, 200))
	if len(roster) != 8 {
		t.Fatalf("roster has %d entries, want 8", len(roster))
	}
	for _, p := range []int64{100, 101, 102, 103, 104, 105} {
		presence := ratsnetz.PresenceInRoom
		if p >= 104 {
			presence = ratsnetz.PresenceRemote
		}
		if _, err := db.SetLivePresence(ctx, 200, p, presence); err != nil {
			t.Fatalf("presence %d: %v", p, err)
		}
	}
	_, err = db.SetLivePresence(ctx, 200, 999, ratsnetz.PresenceInRoom)
	wantCode(t, "presence of a stranger", err, ratsnetz.ENOTFOUND)

	t.Run("Speakers", func(t *testing.T) {
		_, err := db.RequestLiveSpeech(ctx, 200, 101, false)
		wantCode(t, "speech without item", err, ratsnetz.ECONFLICT)
		if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
			t.Fatal(err)
		}
		a := must[*ratsnetz.SpeakerRequest](t, "request")(db.RequestLiveSpeech(ctx, 200, 101, false))
		b := must[*ratsnetz.SpeakerRequest](t, "request")(db.RequestLiveSpeech(ctx, 200, 102, false))
		again := must[*ratsnetz.SpeakerRequest](t, "request again")(db.RequestLiveSpeech(ctx, 200, 101, false))
		if again.ID != a.ID {
			t.Errorf("a second request made a new entry")
		}
		order := must[*ratsnetz.SpeakerRequest](t, "point of order")(db.RequestLiveSpeech(ctx, 200, 104, true))
		names := func() []int64 {
			var ids []int64
			for _, s := range must[[]*ratsnetz.SpeakerRequest](t, "list")(db.FindLiveSpeakers(ctx, 200)) {
				ids = append(ids, s.ID)
			}
			return ids
		}
		diff(t, "point of order first", names(), []int64{order.ID, a.ID, b.ID})
		if err := db.LiveSpeakerAction(ctx, 200, b.ID, sqlstore.SpeakerUp, 0); err != nil {
			t.Fatal(err)
		}
		diff(t, "after moving up", names(), []int64{order.ID, b.ID, a.ID})
		if err := db.LiveSpeakerAction(ctx, 200, b.ID, sqlstore.SpeakerStart, 180); err != nil {
			t.Fatal(err)
		}
		diff(t, "speaker first", names(), []int64{b.ID, order.ID, a.ID})
		if err := db.LiveSpeakerAction(ctx, 200, b.ID, sqlstore.SpeakerStop, 0); err != nil {
			t.Fatal(err)
		}
		list := must[[]*ratsnetz.SpeakerRequest](t, "list")(db.FindLiveSpeakers(ctx, 200))
		if last := list[len(list)-1]; last.ID != b.ID || last.State != ratsnetz.SpeakerDone || last.SpeakingSeconds != 180 {
			t.Errorf("stopped speaker: %+v", last)
		}
		_, err = db.RequestLiveSpeech(ctx, 200, 108, false)
		wantCode(t, "speech by a non-member", err, ratsnetz.EFORBIDDEN)
	})

	t.Run("NamedVote", func(t *testing.T) {
		if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
			t.Fatal(err)
		}
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Haushalt 2027", Kind: ratsnetz.VoteNamed, AllowChange: true}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		if v.Eligible != 6 || !v.Quorate || v.Seats != 7 || !v.Public {
			t.Errorf("opened vote: eligible %d quorate %v seats %d public %v", v.Eligible, v.Quorate, v.Seats, v.Public)
		}
		err := db.OpenLiveVote(ctx, &ratsnetz.LiveVote{MeetingID: 200, Title: "zweite", Kind: ratsnetz.VoteOpen}, ratsnetz.QuorumRule{}, true)
		wantCode(t, "second open vote", err, ratsnetz.ECONFLICT)
		errs, err := db.CastLiveBallots(ctx, []ratsnetz.Ballot{
			{VoteID: v.ID, PersonID: 100, Option: "Ja"},
			{VoteID: v.ID, PersonID: 101, Option: "Ja"},
			{VoteID: v.ID, PersonID: 101, Option: "Ja"}, // twice in one batch: once
			{VoteID: v.ID, PersonID: 102, Option: "Vielleicht"},
			{VoteID: v.ID, PersonID: 107, Option: "Ja"},   // advisory: no vote
			{VoteID: v.ID, PersonID: 104, Option: "Nein"}, // remote
		})
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]string, len(errs))
		for i, e := range errs {
			codes[i] = ratsnetz.ErrorCode(e)
		}
		diff(t, "ballot codes", codes, []string{"", "", "", ratsnetz.EINVALID, ratsnetz.EFORBIDDEN, ""})
		// A retry of the same ballot counts once; a change is allowed here.
		errs, err = db.CastLiveBallots(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: 100, Option: "Ja"}, {VoteID: v.ID, PersonID: 101, Option: "Enthaltung"},
			{VoteID: v.ID, PersonID: 102, Option: "Nein"}})
		if err != nil || errs[0] != nil || errs[1] != nil || errs[2] != nil {
			t.Fatalf("retry/change: %v %v", errs, err)
		}
		closed := must[*ratsnetz.LiveVote](t, "close")(db.CloseLiveVote(ctx, v.ID))
		r := closed.Result
		if r.Voted != 4 || r.Count("Ja") != 1 || r.Count("Nein") != 2 || r.Count("Enthaltung") != 1 || r.Adopted {
			t.Errorf("result %+v", r)
		}
		if len(r.Named) != 4 || len(r.Factions) != 2 {
			t.Errorf("named %v factions %v", r.Named, r.Factions)
		}
		for _, f := range r.Factions {
			if f.Name == "F14" && (f.No != 1 || f.Yes != 0) {
				t.Errorf("faction 14: %+v", f)
			}
		}
		errs, _ = db.CastLiveBallots(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: 103, Option: "Ja"}})
		wantCode(t, "ballot after close", errs[0], ratsnetz.ECONFLICT)
	})

	t.Run("SecretVoteWithConflict", func(t *testing.T) {
		if err := db.DeclareConflict(ctx, &ratsnetz.ConflictOfInterest{PersonID: 103, AgendaItemID: 300}); err != nil {
			t.Fatal(err)
		}
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Wahl", Kind: ratsnetz.VoteSecret, AllowChange: true,
			Options: []string{"Anna", "Bert", "Enthaltung"}, Majority: ratsnetz.MajorityAbsolute}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, false); err != nil {
			t.Fatal(err)
		}
		// 103 conflicted; 104 and 105 remote, not allowed for this kind.
		if v.Eligible != 3 || v.Excluded != 1 || v.AllowChange {
			t.Errorf("secret vote: eligible %d excluded %d allowChange %v", v.Eligible, v.Excluded, v.AllowChange)
		}
		errs, err := db.CastLiveBallots(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: 100, Option: "Anna"}, {VoteID: v.ID, PersonID: 101, Option: "Anna"},
			{VoteID: v.ID, PersonID: 103, Option: "Bert"}, {VoteID: v.ID, PersonID: 104, Option: "Bert"}})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "conflicted member", errs[2], ratsnetz.EFORBIDDEN)
		wantCode(t, "remote member in secret vote", errs[3], ratsnetz.EFORBIDDEN)
		errs, _ = db.CastLiveBallots(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: 100, Option: "Bert"}})
		wantCode(t, "second secret ballot", errs[0], ratsnetz.ECONFLICT)
		var linked int
		if err := db.ReadDB().QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM live_ballots WHERE vote_id = ? AND (person_id <> 0 OR faction_id <> 0 OR ballot_key LIKE 'p%')`), v.ID).Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked != 0 {
			t.Errorf("%d secret ballots carry their voter", linked)
		}
		voters, ballots, err := db.CountLiveBallots(ctx, v.ID)
		if err != nil || voters != 2 || ballots != 2 {
			t.Errorf("count: voters %d ballots %d err %v", voters, ballots, err)
		}
		closed := must[*ratsnetz.LiveVote](t, "close")(db.CloseLiveVote(ctx, v.ID))
		if closed.Result.Winner != "Anna" || len(closed.Result.Factions) != 0 || len(closed.Result.Named) != 0 {
			t.Errorf("secret result %+v", closed.Result)
		}
	})

	t.Run("ConcurrentBallots", func(t *testing.T) {
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Parallel", Kind: ratsnetz.VoteOpen}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		acked := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var bs []ratsnetz.Ballot
				for p := int64(100); p <= 105; p++ {
					bs = append(bs, ratsnetz.Ballot{VoteID: v.ID, PersonID: p, Option: "Ja"})
				}
				errs, err := db.CastLiveBallots(ctx, bs)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, e := range errs {
					if e == nil {
						acked++
					}
				}
			}()
		}
		wg.Wait()
		closed := must[*ratsnetz.LiveVote](t, "close")(db.CloseLiveVote(ctx, v.ID))
		// 103 is conflicted on item 300: five voters, each counted once.
		if closed.Result.Voted != 5 || closed.Result.Count("Ja") != 5 {
			t.Errorf("concurrent: voted %d yes %d (acked %d)", closed.Result.Voted, closed.Result.Count("Ja"), acked)
		}
	})

	t.Run("PacedProgress", func(t *testing.T) {
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 300, Title: "Gemessen", Kind: ratsnetz.VoteOpen}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		progress := func() []string {
			t.Helper()
			var out []string
			for _, e := range must[[]*ratsnetz.LiveEvent](t, "events")(db.FindLiveEventsUnfiltered(ctx, 200, 0, 100000)) {
				if e.Type == ratsnetz.EventVoteProgress && strings.Contains(string(e.Data), fmt.Sprintf(`"VoteID":%d,`, v.ID)) {
					out = append(out, string(e.Data))
				}
			}
			return out
		}
		errs, err := db.CastLiveBallotsQuiet(ctx, []ratsnetz.Ballot{{VoteID: v.ID, PersonID: 100, Option: "Ja"}, {VoteID: v.ID, PersonID: 101, Option: "Nein"}})
		if err != nil || errs[0] != nil || errs[1] != nil {
			t.Fatalf("quiet cast: %v %v", errs, err)
		}
		diff(t, "progress after a quiet batch", progress(), []string(nil))
		if err := db.RecordLiveVoteProgress(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		if got := progress(); len(got) != 1 || !strings.Contains(got[0], `"Voted":2}`) {
			t.Errorf("recorded progress: %v", got)
		}
		must[*ratsnetz.LiveVote](t, "close")(db.CloseLiveVote(ctx, v.ID))
		if err := db.RecordLiveVoteProgress(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		if got := progress(); len(got) != 1 {
			t.Errorf("progress after the close: %v", got)
		}
	})

	t.Run("NonPublicPartAndChat", func(t *testing.T) {
		if _, err := db.SetLiveItem(ctx, 200, 301); err != nil {
			t.Fatal(err)
		}
		lm := must[*ratsnetz.LiveMeeting](t, "live meeting")(db.FindLiveMeeting(public, 200))
		if !lm.NonPublic {
			t.Fatal("a non-public item did not switch to the non-public part")
		}
		if _, err := db.RequestLiveSpeech(ctx, 200, 101, false); err != nil {
			t.Fatal(err)
		}
		v := &ratsnetz.LiveVote{MeetingID: 200, AgendaItemID: 301, Title: "Verkauf " + Canary, Kind: ratsnetz.VoteOpen}
		if err := db.OpenLiveVote(ctx, v, ratsnetz.QuorumRule{}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CloseLiveVote(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		for _, ch := range []string{ratsnetz.AudienceParticipants, "faction:13", "faction:14", "direct:104"} {
			if err := db.PostLiveChat(ctx, &ratsnetz.ChatMessage{MeetingID: 200, Channel: ch, Author: "x", Text: "Nachricht " + ch + " " + Canary}); err != nil {
				t.Fatal(err)
			}
		}
		err := db.PostLiveChat(ctx, &ratsnetz.ChatMessage{MeetingID: 200, Channel: "public", Text: "x"})
		wantCode(t, "chat to the public", err, ratsnetz.EINVALID)
		if _, err := db.RecordLinkLost(ctx, 200, 104); err != nil {
			t.Fatal(err)
		}
		// What each viewer receives: public events only for the public;
		// chat by channel.
		for name, want := range map[string]struct {
			canary bool
			chats  []string
		}{
			"public":   {false, nil},
			"outsider": {false, nil},
			"member13": {true, []string{"participants", "faction:13"}},
			"member14": {true, []string{"participants", "faction:14", "direct:104"}},
			"staff14":  {true, []string{"faction:14"}},
			// Faction channels belong to the faction, not to the office.
			"office": {true, []string{"participants", "direct:104"}},
		} {
			evs, err := db.FindLiveEvents(vs[name], 200, 0, 0)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var chats []string
			sawCanary, sawLink := false, false
			for _, e := range evs {
				if strings.Contains(string(e.Data), Canary) && e.Type != ratsnetz.EventChat {
					sawCanary = true
				}
				if e.Type == ratsnetz.EventLinkLost {
					sawLink = true
				}
				if e.Type == ratsnetz.EventChat {
					var msg ratsnetz.ChatMessage
					if err := json.Unmarshal(e.Data, &msg); err != nil {
						t.Fatal(err)
					}
					chats = append(chats, msg.Channel)
				}
				if name == "public" && e.Audience != ratsnetz.AudiencePublic {
					t.Errorf("public received a %s event for %s", e.Type, e.Audience)
				}
			}
			if sawCanary != want.canary {
				t.Errorf("%s: non-public content received = %v, want %v", name, sawCanary, want.canary)
			}
			if sawLink != (name == "office") {
				t.Errorf("%s: link failure received = %v", name, sawLink)
			}
			diff(t, name+" chat events", chats, want.chats)
			msgs, err := db.FindLiveChat(vs[name], 200)
			if err != nil {
				t.Fatalf("%s chat: %v", name, err)
			}
			diff(t, name+" chat messages", len(msgs), len(want.chats))
		}
	})

	t.Run("CloseAndLog", func(t *testing.T) {
		if _, err := db.SetLiveItem(ctx, 200, 300); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetLiveMeetingState(ctx, 200, ratsnetz.LiveInterrupted, "Technische Störung"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.StartLiveMeeting(ctx, 200); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetLiveMeetingState(ctx, 200, ratsnetz.LiveClosed, ""); err != nil {
			t.Fatal(err)
		}
		_, err := db.SetLiveItem(ctx, 200, 300)
		wantCode(t, "item after close", err, ratsnetz.ECONFLICT)
		n, err := db.VerifyLiveLog(ctx)
		if err != nil || n < 20 {
			t.Fatalf("verify: %d events, %v", n, err)
		}
		// Tampering with one row is detected, at that row.
		if _, err := db.WriteDB().ExecContext(ctx, db.Rebind(`UPDATE live_events SET data = ? WHERE seq = ?`), `{"VoteID":1,"Voted":99}`, 10); err != nil {
			t.Fatal(err)
		}
		_, err = db.VerifyLiveLog(ctx)
		if err == nil || !strings.Contains(ratsnetz.ErrorMessage(err), "Eintrag 10 ") {
			t.Errorf("tampered log: %v", err)
		}
	})
}
