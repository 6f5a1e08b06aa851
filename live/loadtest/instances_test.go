package loadtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
)

// TestTwoInstancesPostgres runs two app instances on one PostgreSQL schema:
// events committed on either instance (cockpit commands, ballots, the
// result) reach the streams of both — public, member and office — through
// LISTEN/NOTIFY, in the same order and each once; the public streams on
// both carry no non-public event.
func TestTwoInstancesPostgres(t *testing.T) {
	db := pgtest.MustOpenMigrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	var schema string
	if err := db.ReadDB().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	dsn := pgtest.WithSearchPath(t, pgtest.DSN(t), schema)
	const n = 6
	council, err := loadtest.Prepare(ctx, db, n, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	start := func() *app.Main {
		m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: dsn, SearchIndexer: "off"}, nil)
		if err := m.Open(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := start(), start()
	mid := int64(live.FixtureMeeting)
	client := loadtest.NewHTTPClient()

	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	streams := map[string]*collector{}
	for _, m := range []struct {
		name string
		base string
	}{{"A", a.URL()}, {"B", b.URL()}} {
		for _, who := range []struct{ name, session string }{{"public", ""}, {"member", council.Tokens[0]}, {"office", council.Office}} {
			c := &collector{}
			streams[who.name+"@"+m.name] = c
			s := &loadtest.Stream{Base: m.base, MeetingID: mid, Session: who.session, Client: client}
			wg.Add(1)
			go func() { defer wg.Done(); s.Run(ctx, c.add) }()
		}
	}

	// The office runs the meeting on A; members check in and vote on B and A.
	office := &loadtest.Voter{Base: a.URL(), Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		t.Fatal(err)
	}
	ctl := "/live/" + strconv.FormatInt(mid, 10) + "/steuerung"
	mustPost(t, office, ctl, url.Values{"aktion": {"start"}})
	voters := make([]*loadtest.Voter, n)
	for i := range voters {
		base := b.URL()
		if i%2 == 1 {
			base = a.URL()
		}
		voters[i] = &loadtest.Voter{Base: base, Session: council.Tokens[i], Client: client}
		if err := voters[i].Login(ctx, mid); err != nil {
			t.Fatal(err)
		}
		mustPost(t, voters[i], fmt.Sprintf("/live/%d/anwesenheit", mid), url.Values{"anwesenheit": {ratsnetz.PresenceInRoom}})
	}
	mustPost(t, office, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixturePublicItem)}})
	mustPost(t, office, ctl, url.Values{"aktion": {"abstimmung"}, "titel": {"Antrag zwei Instanzen"}, "art": {ratsnetz.VoteOpen}, "top": {strconv.Itoa(live.FixturePublicItem)}})
	opened := streams["member@B"].wait(t, "vote opened on A seen on B", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventVoteOpened })
	var v ratsnetz.LiveVote
	if err := json.Unmarshal([]byte(opened.Data), &v); err != nil {
		t.Fatal(err)
	}
	for i, vt := range voters {
		if status, err := vt.Cast(ctx, mid, v.ID, ratsnetz.OptionYes); err != nil || status != 200 {
			t.Fatalf("ballot %d on %s: %d %v", i, vt.Base, status, err)
		}
	}
	// The office closes on B this time.
	officeB := &loadtest.Voter{Base: b.URL(), Session: council.Office, Client: client}
	if err := officeB.Login(ctx, mid); err != nil {
		t.Fatal(err)
	}
	mustPost(t, officeB, ctl, url.Values{"aktion": {"schliessen-abstimmung"}, "abstimmung": {strconv.FormatInt(v.ID, 10)}})
	// A non-public part, then back: the public streams must not see it.
	mustPost(t, office, ctl, url.Values{"aktion": {"nichtoeffentlich"}})
	mustPost(t, office, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixtureNonPublicItem)}})
	mustPost(t, officeB, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixturePublicItem)}})
	mustPost(t, officeB, ctl, url.Values{"aktion": {"oeffentlich"}})

	for name, c := range streams {
		e := c.wait(t, name+" sees the result", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventVoteClosed })
		var closed ratsnetz.LiveVote
		json.Unmarshal([]byte(e.Data), &closed)
		if closed.Result == nil || closed.Result.Count(ratsnetz.OptionYes) != n {
			t.Errorf("%s: result %+v", name, closed.Result)
		}
	}
	// Every stream of a role holds the same events on both instances, in
	// log order, each once — and the events equal the stored log as that
	// role may see it.
	last, err := db.LastLiveSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"public", "member", "office"} {
		ca, cb := streams[role+"@A"], streams[role+"@B"]
		for _, c := range []*collector{ca, cb} {
			c.wait(t, role+" reaches the end of the log", func(e loadtest.Event) bool { return e.ID == last })
		}
		ea, eb := ids(ca.all()), ids(cb.all())
		if fmt.Sprint(ea) != fmt.Sprint(eb) {
			t.Errorf("%s: A saw %v, B saw %v", role, ea, eb)
		}
		for i := 1; i < len(ea); i++ {
			if ea[i] <= ea[i-1] {
				t.Errorf("%s: events out of order or twice: %v", role, ea)
				break
			}
		}
	}
	for _, name := range []string{"public@A", "public@B"} {
		for _, e := range streams[name].all() {
			if strings.Contains(e.Data, "Kanarie") || strings.Contains(e.Data, canary) || e.Type == ratsnetz.EventChat {
				t.Errorf("%s got a non-public event: %s %s", name, e.Type, e.Data)
			}
			if e.Type == ratsnetz.EventItemChanged && strings.Contains(e.Data, strconv.Itoa(live.FixtureNonPublicItem)) {
				t.Errorf("%s saw the non-public item called: %s", name, e.Data)
			}
		}
	}
}

func ids(evs []loadtest.Event) []int64 {
	out := make([]int64, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}
