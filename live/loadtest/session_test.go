package loadtest_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
)

// TestLiveSessionCache: the live area resolves sessions from a cache, but a
// logout on the instance ends the session there at once — the token
// endpoint and the ballot answer the logged-out cookie as the public; the
// public never gets a token.
func TestLiveSessionCache(t *testing.T) {
	dir := t.TempDir()
	db, council := prepare(t, dir, 3)
	m := startMain(t, dir)
	ctx := context.Background()
	client := loadtest.NewHTTPClient()
	mid := int64(live.FixtureMeeting)
	sys := ratsnetz.SystemContext(ctx)
	if _, err := db.StartLiveMeeting(sys, mid); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetLivePresences(sys, mid, []int64{live.FixtureFirstPerson}, ratsnetz.PresenceInRoom); err != nil {
		t.Fatal(err)
	}
	token := "/live/" + strconv.FormatInt(mid, 10) + "/zugang"
	if body := get(t, &loadtest.Voter{Base: m.URL(), Client: client}, token, http.StatusUnauthorized); strings.Contains(body, "csrf") {
		t.Errorf("public got a token: %s", body)
	}
	v := &loadtest.Voter{Base: m.URL(), Session: council.Tokens[0], Client: client}
	for range 2 { // the second from the cache
		if err := v.Login(ctx, mid); err != nil {
			t.Fatal(err)
		}
	}
	// Log out (a post outside the live area) with the session's token.
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/abmelden", strings.NewReader(url.Values{"csrf": {v.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", m.URL())
	req.AddCookie(&http.Cookie{Name: loadtest.SessionCookie, Value: v.Session})
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", resp.Status)
	}
	get(t, v, token, http.StatusUnauthorized)
	if err := v.Login(ctx, mid); err == nil {
		t.Error("token endpoint still answers the logged-out session")
	}
	vote := &ratsnetz.LiveVote{MeetingID: mid, AgendaItemID: live.FixturePublicItem, Title: "Nach Abmeldung", Kind: ratsnetz.VoteOpen}
	if err := db.OpenLiveVote(sys, vote, ratsnetz.QuorumRule{}, true); err != nil {
		t.Fatal(err)
	}
	if status, err := v.Cast(ctx, mid, vote.ID, ratsnetz.OptionYes); err != nil || status == http.StatusOK {
		t.Errorf("ballot of the logged-out session: %d %v", status, err)
	}
	if ok, err := db.HasVoted(sys, vote.ID, live.FixtureFirstPerson); err != nil || ok {
		t.Errorf("logged-out session voted: %v %v", ok, err)
	}
}
