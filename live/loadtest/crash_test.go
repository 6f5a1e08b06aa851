package loadtest_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
)

// The crash test runs the server as a child process: this test binary
// re-executed with these variables serves until it is killed.
const (
	childData = "RATSNETZ_LIVE_CHILD_DATA"
	childAddr = "RATSNETZ_LIVE_CHILD_ADDR"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childData); dir != "" {
		mn := app.NewMain(app.Config{Addr: os.Getenv(childAddr), DataDir: dir}, nil)
		if err := mn.Open(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		select {} // serve until killed
	}
	os.Exit(m.Run())
}

// startChild starts the server process on addr and waits until it answers.
func startChild(t *testing.T, dir, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childData+"="+dir, childAddr+"="+addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestKillDuringVote kills the server (SIGKILL) while many members vote,
// restarts it and checks: every ballot acknowledged before the kill is
// stored; after the voters retry, each member is counted exactly once; the
// SSE client reconnected with Last-Event-ID and received every event of
// the log, the result included. Open and secret votes (a secret vote keeps
// only per-option counters: a retry of a counted secret ballot is refused
// as already counted, and the counters must still be exact).
func TestKillDuringVote(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, kind := range []string{ratsnetz.VoteOpen, ratsnetz.VoteSecret} {
		t.Run(kind, func(t *testing.T) { testKillDuringVote(t, kind) })
	}
}

func testKillDuringVote(t *testing.T, kind string) {
	const n = 150
	dir := t.TempDir()
	db, council := prepare(t, dir, n)
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	mid := int64(live.FixtureMeeting)
	if _, err := db.StartLiveMeeting(sys, mid); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(live.FixtureFirstPerson + i)
	}
	if _, err := db.SetLivePresences(sys, mid, ids, ratsnetz.PresenceInRoom); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetLiveItem(sys, mid, live.FixturePublicItem); err != nil {
		t.Fatal(err)
	}
	v := &ratsnetz.LiveVote{MeetingID: mid, AgendaItemID: live.FixturePublicItem, Title: "Absturzprobe", Kind: kind}
	if err := db.OpenLiveVote(sys, v, ratsnetz.QuorumRule{}, true); err != nil {
		t.Fatal(err)
	}

	addr := freeAddr(t)
	base := "http://" + addr
	child := startChild(t, dir, addr)
	defer func() {
		if child != nil {
			child.Process.Kill()
			child.Wait()
		}
	}()
	client := loadtest.NewHTTPClient()
	sctx, scancel := context.WithCancel(ctx)
	stream := &loadtest.Stream{Base: base, MeetingID: mid, Session: council.Tokens[1], Client: client}
	got := &collector{}
	var swg sync.WaitGroup
	swg.Add(1)
	go func() { defer swg.Done(); stream.Run(sctx, got.add) }()
	defer func() { scancel(); swg.Wait() }()

	voters := make([]*loadtest.Voter, n)
	for i := range voters {
		voters[i] = &loadtest.Voter{Base: base, Session: council.Tokens[i], Client: client}
		if err := voters[i].Login(ctx, mid); err != nil {
			t.Fatal(err)
		}
	}
	option := func(i int) string {
		if i%4 == 0 {
			return ratsnetz.OptionNo
		}
		return ratsnetz.OptionYes
	}
	// Everyone votes at once; the server is killed after a quarter of the
	// acknowledgements.
	var acked atomic.Int64
	ackedBefore := make([]atomic.Bool, n)
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i := range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := voters[i].Cast(ctx, mid, v.ID, option(i))
			if err == nil && status == http.StatusOK {
				select {
				case <-killed:
					// acknowledged after the kill signal was sent: it may be
					// stored or not; the retry settles it
				default:
					ackedBefore[i].Store(true)
				}
				if acked.Add(1) >= n/4 {
					once.Do(func() {
						close(killed)
						child.Process.Kill() // SIGKILL
					})
				}
			}
		}()
	}
	wg.Wait()
	once.Do(func() { close(killed); child.Process.Kill() })
	child.Wait()
	child = nil
	// Every ballot acknowledged before the kill is in the database.
	before := 0
	for i := range voters {
		if !ackedBefore[i].Load() {
			continue
		}
		before++
		voted, err := db.HasVoted(ctx, v.ID, int64(live.FixtureFirstPerson+i))
		if err != nil || !voted {
			t.Errorf("acknowledged ballot of member %d lost (%v)", i, err)
		}
	}
	t.Logf("%d of %d ballots acknowledged before the kill", before, n)
	if before == 0 || before == n {
		t.Fatalf("the kill did not hit the vote (%d acknowledged before)", before)
	}

	// Restart; the voters without an acknowledgement vote again (a new
	// process has new CSRF keys: log in again), the others retry too: a
	// repeated ballot counts once.
	child = startChild(t, dir, addr)
	{
		lctx, lcancel := context.WithTimeout(ctx, 20*time.Second)
		err := voters[0].Login(lctx, mid)
		lcancel()
		if err != nil {
			child.Process.Signal(syscall.SIGQUIT)
			child.Wait()
			child = nil
			t.Fatalf("first login after restart: %v", err)
		}
	}
	sem := make(chan struct{}, 8) // logins render the member page: a few at a time
	for i := range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			lctx, lcancel := context.WithTimeout(ctx, 120*time.Second)
			defer lcancel()
			if err := voters[i].Login(lctx, mid); err != nil {
				<-sem
				t.Errorf("login %d after restart: %v", i, err)
				return
			}
			<-sem
			status, err := voters[i].Cast(ctx, mid, v.ID, option(i))
			// A secret ballot stored before the kill: "already counted".
			if err != nil || !(status == http.StatusOK || kind == ratsnetz.VoteSecret && status == http.StatusConflict) {
				t.Errorf("ballot %d after restart: %d %v", i, status, err)
			}
			if kind == ratsnetz.VoteSecret && status == http.StatusConflict && !voted(t, db, v.ID, i) {
				t.Errorf("secret ballot %d refused after restart but not stored", i)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		child.Process.Signal(syscall.SIGQUIT)
		child.Wait()
		child = nil
		t.FailNow()
	}
	office := &loadtest.Voter{Base: base, Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		t.Fatal(err)
	}
	if status, body, err := office.Post(ctx, "/live/"+strconv.FormatInt(mid, 10)+"/steuerung",
		url.Values{"aktion": {"schliessen-abstimmung"}, "abstimmung": {strconv.FormatInt(v.ID, 10)}}); err != nil || status != http.StatusOK {
		t.Fatalf("close vote: %d %s %v", status, body, err)
	}
	voters2, ballots, err := db.CountLiveBallots(ctx, v.ID)
	if err != nil || voters2 != n || ballots != n {
		t.Fatalf("stored voters %d ballots %d (want %d each): %v", voters2, ballots, n, err)
	}
	closed, err := db.FindLiveVoteByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed.Result.Voted != n || closed.Result.Count(ratsnetz.OptionNo) != (n+3)/4 || closed.Result.Count(ratsnetz.OptionYes) != n-(n+3)/4 {
		t.Errorf("result after the crash: %+v", closed.Result)
	}
	// The stream reconnected and got everything the log holds for it.
	got.wait(t, "result on the resumed stream", func(e loadtest.Event) bool {
		return e.Type == ratsnetz.EventVoteClosed && strings.Contains(e.Data, "Absturzprobe")
	})
	if stream.Connects < 2 {
		t.Errorf("stream connected %d times, want a reconnect", stream.Connects)
	}
	want, err := db.FindLiveEventsUnfiltered(ctx, mid, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	evs := got.all()
	seen := map[int64]int{}
	for _, e := range evs {
		seen[e.ID]++
	}
	for _, w := range want {
		if seen[w.Seq] != 1 {
			t.Errorf("event %d (%s) received %d times", w.Seq, w.Type, seen[w.Seq])
		}
	}
	if n, err := db.VerifyLiveLog(ctx); err != nil {
		t.Errorf("log after the crash (%d events): %v", n, err)
	}
}

// voted reports whether member i's ballot is stored.
func voted(t *testing.T, db interface {
	HasVoted(ctx context.Context, voteID, personID int64) (bool, error)
}, voteID int64, i int) bool {
	t.Helper()
	ok, err := db.HasVoted(context.Background(), voteID, int64(live.FixtureFirstPerson+i))
	if err != nil {
		t.Error(err)
	}
	return ok
}
