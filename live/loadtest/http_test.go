package loadtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

const canary = "VERTRAULICH-7Q2X-KANARIE"

// collector gathers a stream's events.
type collector struct {
	mu  sync.Mutex
	evs []loadtest.Event
}

func (c *collector) add(e loadtest.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evs = append(c.evs, e)
	return nil
}

func (c *collector) wait(t *testing.T, what string, ok func(loadtest.Event) bool) loadtest.Event {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, e := range c.evs {
			if ok(e) {
				c.mu.Unlock()
				return e
			}
		}
		c.mu.Unlock()
		time.Sleep(20 * time.Millisecond) // polling with a deadline
	}
	t.Fatalf("no event: %s", what)
	return loadtest.Event{}
}

func (c *collector) all() []loadtest.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]loadtest.Event(nil), c.evs...)
}

func startMain(t *testing.T, dir string) *app.Main {
	t.Helper()
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: dir}, nil)
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func prepare(t *testing.T, dir string, n int) (*sqlstore.DB, *loadtest.Council) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "ratsnetz.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := loadtest.Prepare(ctx, db, n, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return db, c
}

func mustPost(t *testing.T, v *loadtest.Voter, path string, form url.Values) {
	t.Helper()
	status, body, err := v.Post(context.Background(), path, form)
	if err != nil || status != http.StatusOK {
		t.Fatalf("POST %s %v: %d %s %v", path, form, status, body, err)
	}
}

// TestLiveOverHTTP runs a meeting through the real server: check-in,
// speakers, an open and a secret vote cast over HTTP, results on every
// stream, the public stream without any non-public event, and resume after
// a dropped stream.
func TestLiveOverHTTP(t *testing.T) {
	dir := t.TempDir()
	const n = 12
	db, council := prepare(t, dir, n)
	m := startMain(t, dir)
	base := m.URL()
	client := loadtest.NewHTTPClient()
	ctx, cancel := context.WithCancel(context.Background())
	mid := int64(live.FixtureMeeting)

	office := &loadtest.Voter{Base: base, Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		t.Fatal(err)
	}
	streams := map[string]*collector{}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	follow := func(name, session string) *loadtest.Stream {
		c := &collector{}
		streams[name] = c
		s := &loadtest.Stream{Base: base, MeetingID: mid, Session: session, Client: client}
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx, c.add) }()
		return s
	}
	follow("public", "")
	follow("member", council.Tokens[1])
	follow("office", council.Office)

	ctl := "/live/" + strconv.FormatInt(mid, 10) + "/steuerung"
	mustPost(t, office, ctl, url.Values{"aktion": {"start"}})
	voters := make([]*loadtest.Voter, n)
	for i := range voters {
		voters[i] = &loadtest.Voter{Base: base, Session: council.Tokens[i], Client: client}
		if err := voters[i].Login(ctx, mid); err != nil {
			t.Fatal(err)
		}
		presence := ratsnetz.PresenceInRoom
		if i >= n-2 {
			presence = ratsnetz.PresenceRemote
		}
		mustPost(t, voters[i], fmt.Sprintf("/live/%d/anwesenheit", mid), url.Values{"anwesenheit": {presence}})
	}
	mustPost(t, office, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixturePublicItem)}})
	mustPost(t, voters[3], fmt.Sprintf("/live/%d/wortmeldung", mid), url.Values{"art": {"rede"}})

	for _, kind := range []string{ratsnetz.VoteOpen, ratsnetz.VoteSecret} {
		mustPost(t, office, ctl, url.Values{"aktion": {"abstimmung"}, "titel": {"Antrag " + kind}, "art": {kind}, "top": {strconv.Itoa(live.FixturePublicItem)}})
		opened := streams["member"].wait(t, "vote opened "+kind, func(e loadtest.Event) bool {
			return e.Type == ratsnetz.EventVoteOpened && strings.Contains(e.Data, "Antrag "+kind)
		})
		var v ratsnetz.LiveVote
		if err := json.Unmarshal([]byte(opened.Data), &v); err != nil {
			t.Fatal(err)
		}
		wantEligible := n
		if kind == ratsnetz.VoteSecret {
			wantEligible = n - 2 // remote members may not vote secretly (default rule)
		}
		if v.Eligible != wantEligible {
			t.Errorf("%s: eligible %d, want %d", kind, v.Eligible, wantEligible)
		}
		yes := 0
		for i, vt := range voters {
			status, err := vt.Cast(ctx, mid, v.ID, ratsnetz.OptionYes)
			switch {
			case err != nil:
				t.Fatal(err)
			case kind == ratsnetz.VoteSecret && i >= n-2:
				if status != http.StatusForbidden {
					t.Errorf("remote secret ballot: %d", status)
				}
			case status != http.StatusOK:
				t.Errorf("ballot %d: %d", i, status)
			default:
				yes++
			}
		}
		// Twice counts once.
		if status, _ := voters[0].Cast(ctx, mid, v.ID, ratsnetz.OptionYes); kind == ratsnetz.VoteOpen && status != http.StatusOK {
			t.Errorf("repeated ballot: %d", status)
		}
		mustPost(t, office, ctl, url.Values{"aktion": {"schliessen-abstimmung"}, "abstimmung": {strconv.FormatInt(v.ID, 10)}})
		for name, c := range streams {
			e := c.wait(t, name+" sees the result of "+kind, func(e loadtest.Event) bool {
				return e.Type == ratsnetz.EventVoteClosed && strings.Contains(e.Data, "Antrag "+kind)
			})
			var closed ratsnetz.LiveVote
			json.Unmarshal([]byte(e.Data), &closed)
			if closed.Result == nil || closed.Result.Count(ratsnetz.OptionYes) != yes || !closed.Result.Adopted {
				t.Errorf("%s: result %+v", name, closed.Result)
			}
		}
	}

	// The public page shows the result, the pages render for each role.
	for _, tc := range []struct {
		v    *loadtest.Voter
		path string
		want string
	}{
		{&loadtest.Voter{Base: base, Client: client}, fmt.Sprintf("/sitzungen/%d/live", mid), "Antrag geheim"},
		{&loadtest.Voter{Base: base, Client: client}, fmt.Sprintf("/live/%d/projektor", mid), "Antrag offen"},
		{voters[2], fmt.Sprintf("/live/%d", mid), "Antrag offen"},
		{office, fmt.Sprintf("/live/%d/cockpit", mid), "Antrag geheim"},
		{office, fmt.Sprintf("/live/%d/niederschrift", mid), "Ergebnis „Antrag offen“"},
	} {
		body := get(t, tc.v, tc.path, http.StatusOK)
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s lacks %q", tc.path, tc.want)
		}
	}
	// The public may not open member pages, cockpit or minutes.
	for _, p := range []string{"/live/%d/cockpit", "/live/%d/niederschrift"} {
		get(t, voters[2], fmt.Sprintf(p, mid), http.StatusNotFound)
	}

	// Non-public part: the public stream gets the switch, nothing else.
	mustPost(t, office, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixtureNonPublicItem)}})
	mustPost(t, voters[4], fmt.Sprintf("/live/%d/chat", mid), url.Values{"kanal": {ratsnetz.AudienceParticipants}, "text": {"Hallo " + canary}})
	streams["member"].wait(t, "member sees the non-public item", func(e loadtest.Event) bool {
		return e.Type == ratsnetz.EventItemChanged && strings.Contains(e.Data, canary)
	})
	streams["member"].wait(t, "member sees the chat", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventChat })
	streams["public"].wait(t, "public sees the pause", func(e loadtest.Event) bool {
		return e.Type == ratsnetz.EventPartChanged && strings.Contains(e.Data, `"NonPublic":true`)
	})
	if body := get(t, &loadtest.Voter{Base: base, Client: client}, fmt.Sprintf("/sitzungen/%d/live", mid), http.StatusOK); strings.Contains(body, canary) ||
		!strings.Contains(body, "nichtöffentlichen Teil") {
		t.Errorf("public live page during the non-public part: canary or no pause notice")
	}
	// A late public subscriber resuming from 0 gets the same public events.
	late := &collector{}
	ls := &loadtest.Stream{Base: base, MeetingID: mid, Client: client}
	lctx, lcancel := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); ls.Run(lctx, late.add) }()
	late.wait(t, "late public stream catches up", func(e loadtest.Event) bool {
		return e.Type == ratsnetz.EventPartChanged && strings.Contains(e.Data, "true")
	})
	lcancel()
	for _, e := range append(streams["public"].all(), late.all()...) {
		if strings.Contains(e.Data, canary) || e.Type == ratsnetz.EventChat || e.Type == ratsnetz.EventItemChanged && strings.Contains(e.Data, "Nichtöffentlich") {
			t.Errorf("public stream received %s: %s", e.Type, e.Data)
		}
	}
	// The member stream saw exactly the events the log has for members.
	want, err := db.FindLiveEvents(ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{AccountID: accountOf(t, db, 1), PersonID: live.FixtureFirstPerson + 1}), mid, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := streams["member"].all()
	if len(got) < len(want) {
		t.Fatalf("member stream: %d events, log has %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.Seq {
			t.Fatalf("member stream event %d: id %d, want %d", i, got[i].ID, w.Seq)
		}
	}
}

func accountOf(t *testing.T, db *sqlstore.DB, i int) int64 {
	a, err := db.FindAccountByLogin(context.Background(), fmt.Sprintf("lastprobe-%05d@musterstadt.example", i))
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func get(t *testing.T, v *loadtest.Voter, path string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, v.Base+path, nil)
	if v.Session != "" {
		req.AddCookie(&http.Cookie{Name: loadtest.SessionCookie, Value: v.Session})
	}
	resp, err := v.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		k, err := resp.Body.Read(buf)
		b.Write(buf[:k])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != want {
		t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
	}
	return b.String()
}
