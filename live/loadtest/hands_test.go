package loadtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
)

// TestHandsAndLinksOverHTTP (permission matrix of the cockpit's newer
// outputs, through the real server): a show of hands per faction in the
// non-public part reaches members, office and the minutes draft, never the
// public stream or page; a count above a faction's members present is
// refused with a clear message; a remote member's dropped stream becomes a
// link failure on the office's stream and cockpit only, and is closed when
// the member's stream is back. Link monitoring runs with a 2 s grace period.
func TestHandsAndLinksOverHTTP(t *testing.T) {
	t.Setenv("RATSNETZ_LIVE_LINK_GRACE", "2s")
	dir := t.TempDir()
	const n = 6
	_, council := prepare(t, dir, n)
	m := startMain(t, dir)
	base := m.URL()
	client := loadtest.NewHTTPClient()
	ctx, cancel := context.WithCancel(context.Background())
	mid := int64(live.FixtureMeeting)
	office := &loadtest.Voter{Base: base, Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	follow := func(sctx context.Context, session string) *collector {
		c := &collector{}
		s := &loadtest.Stream{Base: base, MeetingID: mid, Session: session, Client: client}
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(sctx, c.add) }()
		return c
	}
	public, member, officeStream := follow(ctx, ""), follow(ctx, council.Tokens[1]), follow(ctx, council.Office)

	ctl := "/live/" + strconv.FormatInt(mid, 10) + "/steuerung"
	mustPost(t, office, ctl, url.Values{"aktion": {"start"}})
	const remote = n - 1 // member 5: faction F1 (with member 0), remote
	for i := 0; i < n; i++ {
		v := &loadtest.Voter{Base: base, Session: council.Tokens[i], Client: client}
		if err := v.Login(ctx, mid); err != nil {
			t.Fatal(err)
		}
		presence := ratsnetz.PresenceInRoom
		if i == remote {
			presence = ratsnetz.PresenceRemote
		}
		mustPost(t, v, fmt.Sprintf("/live/%d/anwesenheit", mid), url.Values{"anwesenheit": {presence}})
	}

	// The non-public part: a vote decided by a show of hands per faction.
	mustPost(t, office, ctl, url.Values{"aktion": {"top"}, "top": {strconv.Itoa(live.FixtureNonPublicItem)}})
	title := "Grundstück " + canary
	mustPost(t, office, ctl, url.Values{"aktion": {"abstimmung"}, "titel": {title}, "art": {ratsnetz.VoteOpen}, "top": {strconv.Itoa(live.FixtureNonPublicItem)}})
	opened := member.wait(t, "vote opened", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventVoteOpened })
	var v ratsnetz.LiveVote
	if err := json.Unmarshal([]byte(opened.Data), &v); err != nil {
		t.Fatal(err)
	}
	f := func(i int) string { return strconv.Itoa(live.FixtureCouncil + 1 + i) }
	hands := url.Values{"aktion": {"handzeichen-fraktionen"}, "abstimmung": {strconv.FormatInt(v.ID, 10)},
		"f-" + f(0) + "-ja": {"2"}, "f-" + f(1) + "-ja": {"2"}}
	status, body, err := office.Post(ctx, ctl, hands)
	if err != nil || status != http.StatusBadRequest || !strings.Contains(body, "F2: 2 Handzeichen, aber nur 1 stimmberechtigte Mitglieder anwesend.") {
		t.Errorf("too many hands for F2: %d %s %v", status, body, err)
	}
	hands.Set("f-"+f(1)+"-ja", "")
	hands.Set("f-"+f(1)+"-nein", "1")
	hands.Set("f-"+f(2)+"-enth", "1")
	mustPost(t, office, ctl, hands)
	for name, c := range map[string]*collector{"member": member, "office": officeStream} {
		e := c.wait(t, name+" sees the show of hands", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventVoteClosed })
		var closed ratsnetz.LiveVote
		json.Unmarshal([]byte(e.Data), &closed)
		if r := closed.Result; r == nil || !closed.ShowOfHands || r.Count("Ja") != 2 || r.Count("Nein") != 1 || r.Count("Enthaltung") != 1 || len(r.Factions) != 3 {
			t.Errorf("%s: show of hands %+v", name, closed.Result)
		}
	}
	minutes := get(t, office, fmt.Sprintf("/live/%d/niederschrift", mid), http.StatusOK)
	for _, want := range []string{"Ergebnis nach Fraktionen", "Gesamt", title, "(Handzeichen)"} {
		if !strings.Contains(minutes, want) {
			t.Errorf("minutes draft lacks %q", want)
		}
	}

	// A remote member's page (its stream) goes away; the member in the room
	// follows the meeting all along.
	rctx, rcancel := context.WithCancel(ctx)
	back := follow(rctx, council.Tokens[remote])
	back.wait(t, "the remote member's stream", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventVoteClosed })
	rcancel()
	lost := officeStream.wait(t, "the office learns of the link failure", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventLinkLost })
	var lf ratsnetz.LinkFailure
	if err := json.Unmarshal([]byte(lost.Data), &lf); err != nil || lf.PersonID != int64(live.FixtureFirstPerson+remote) {
		t.Errorf("link failure %s", lost.Data)
	}
	cockpit := get(t, office, fmt.Sprintf("/live/%d/cockpit", mid), http.StatusOK)
	if !strings.Contains(cockpit, "Die Verbindung zu Mitglied 00005 ist seit") || !strings.Contains(cockpit, `value="fortsetzen"`) {
		t.Errorf("the cockpit does not ask for the decision on the link failure")
	}
	follow(ctx, council.Tokens[remote])
	officeStream.wait(t, "the link is back", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventLinkRestored })
	mustPost(t, office, ctl, url.Values{"aktion": {"entscheidung"}, "ausfall": {strconv.FormatInt(lf.ID, 10)}, "entscheidung": {"fortsetzen"}})
	officeStream.wait(t, "the decision", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventChairDecision })
	mustPost(t, office, ctl, url.Values{"aktion": {"schliessen"}})
	public.wait(t, "public sees the close", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventMeetingClosed })
	member.wait(t, "member sees the close", func(e loadtest.Event) bool { return e.Type == ratsnetz.EventMeetingClosed })

	// What the public and the member never got.
	for _, e := range public.all() {
		if strings.Contains(e.Data, canary) || e.Type == ratsnetz.EventLinkLost || e.Type == ratsnetz.EventLinkRestored ||
			(e.Type == ratsnetz.EventVoteClosed) {
			t.Errorf("public stream received %s: %s", e.Type, e.Data)
		}
	}
	for _, e := range member.all() {
		if e.Type == ratsnetz.EventLinkLost || e.Type == ratsnetz.EventLinkRestored {
			t.Errorf("member stream received %s", e.Type)
		}
	}
	anon := &loadtest.Voter{Base: base, Client: client}
	for _, p := range []string{"/sitzungen/%d/live", "/live/%d/projektor"} {
		if page := get(t, anon, fmt.Sprintf(p, mid), http.StatusOK); strings.Contains(page, canary) || strings.Contains(page, "Handzeichen") {
			t.Errorf("%s shows the non-public show of hands", p)
		}
	}
	if page := get(t, &loadtest.Voter{Base: base, Session: council.Tokens[2], Client: client}, fmt.Sprintf("/live/%d", mid), http.StatusOK); !strings.Contains(page, title) ||
		strings.Contains(page, "Verbindung zu Mitglied") {
		t.Errorf("member page: the show of hands missing or a link failure shown")
	}
}
