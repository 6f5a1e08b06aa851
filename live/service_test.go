package live_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// MustOpenDB opens a migrated SQLite store with the live fixture of n members.
func MustOpenDB(tb testing.TB, n int) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "live.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := db.Load(ratsnetz.SystemContext(ctx), live.Fixture(n, time.Now())); err != nil {
		tb.Fatal(err)
	}
	return db
}

func member(i int) context.Context {
	return ratsnetz.NewContextWithViewer(context.Background(), ratsnetz.Viewer{AccountID: int64(1 + i), PersonID: int64(live.FixtureFirstPerson + i)})
}

// startVote starts the meeting with all n members in the room and opens a
// vote of the kind.
func startVote(t *testing.T, svc *live.Service, db *sqlstore.DB, n int, kind string) *ratsnetz.LiveVote {
	t.Helper()
	sys := ratsnetz.SystemContext(context.Background())
	if err := svc.Start(sys, live.FixtureMeeting); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < n; i++ {
		ids = append(ids, int64(live.FixtureFirstPerson+i))
	}
	if _, err := db.SetLivePresences(sys, live.FixtureMeeting, ids, ratsnetz.PresenceInRoom); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetItem(sys, live.FixtureMeeting, live.FixturePublicItem); err != nil {
		t.Fatal(err)
	}
	v := &ratsnetz.LiveVote{MeetingID: live.FixtureMeeting, AgendaItemID: live.FixturePublicItem, Title: "Antrag", Kind: kind}
	if err := svc.OpenVote(sys, v); err != nil {
		t.Fatal(err)
	}
	if v.Eligible != n {
		t.Fatalf("eligible %d, want %d", v.Eligible, n)
	}
	return v
}

// TestGroupCommit: many voters at once, each acknowledged after the commit
// of its batch; every acknowledged ballot counted exactly once, retries
// included; fewer transactions than ballots.
func TestGroupCommit(t *testing.T) {
	for _, kind := range []string{ratsnetz.VoteOpen, ratsnetz.VoteSecret} {
		t.Run(kind, func(t *testing.T) {
			const n = 300
			db := MustOpenDB(t, n)
			logged := &recordLog{}
			svc := live.New(live.Config{Store: db, Logger: slog.New(logged)})
			defer svc.Close()
			v := startVote(t, svc, db, n, kind)
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					opt := ratsnetz.OptionYes
					if i%3 == 0 {
						opt = ratsnetz.OptionNo
					}
					errs[i] = svc.Cast(member(i), live.FixtureMeeting, v.ID, opt)
					if i%10 == 0 && errs[i] == nil {
						// A retry (lost answer) counts once.
						err := svc.Cast(member(i), live.FixtureMeeting, v.ID, opt)
						if kind == ratsnetz.VoteOpen && err != nil || kind == ratsnetz.VoteSecret && ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
							t.Errorf("retry of %d: %v", i, err)
						}
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("ballot %d: %v", i, err)
				}
			}
			voters, ballots, err := db.CountLiveBallots(context.Background(), v.ID)
			if err != nil || voters != n || ballots != n {
				t.Fatalf("stored: voters %d ballots %d err %v", voters, ballots, err)
			}
			closed, err := svc.CloseVote(ratsnetz.SystemContext(context.Background()), live.FixtureMeeting, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if closed.Result.Count(ratsnetz.OptionNo) != n/3 || closed.Result.Count(ratsnetz.OptionYes) != n-n/3 || !closed.Result.Adopted {
				t.Errorf("result %+v", closed.Result)
			}
			// Progress events are written per batch, not per ballot.
			evs, err := db.FindLiveEventsUnfiltered(context.Background(), live.FixtureMeeting, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			progress := 0
			for _, e := range evs {
				if e.Type == ratsnetz.EventVoteProgress {
					progress++
				}
			}
			t.Logf("%d ballots in %d transactions", n, progress)
			if progress >= n {
				t.Errorf("no batching: %d transactions for %d ballots", progress, n)
			}
			// The close logs how the batches went: counts and times only,
			// nothing of any ballot (no person, no option).
			stats := logged.find(live.BallotStatsMessage)
			if len(stats) != 1 {
				t.Fatalf("%d stats records, want 1", len(stats))
			}
			attrs := map[string]slog.Value{}
			stats[0].Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
			var keys []string
			for k := range attrs {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			want := []string{"batch_max", "batch_mean", "batches", "commit_max", "commit_p50", "commit_p99", "queue_max", "queue_p50", "queue_p99", "requests", "vote"}
			if !slices.Equal(keys, want) {
				t.Errorf("stats attributes %v, want %v", keys, want)
			}
			if attrs["vote"].Int64() != v.ID || attrs["requests"].Int64() != n+n/10 {
				t.Errorf("stats: vote %v requests %v, want %d and %d", attrs["vote"], attrs["requests"], v.ID, n+n/10)
			}
			if b := attrs["batches"].Int64(); b < 1 || b > n+n/10 || attrs["batch_max"].Int64() < 1 {
				t.Errorf("stats: %d batches, max %v", b, attrs["batch_max"])
			}
			if attrs["commit_p50"].Duration() > attrs["commit_max"].Duration() || attrs["queue_p99"].Duration() > attrs["queue_max"].Duration() {
				t.Errorf("stats quantiles out of order: %v", attrs)
			}
		})
	}
}

// TestHub: subscribers get new events live, filtered by their access; the
// public never gets a non-public event; a slow subscriber is dropped (and
// would resume from the log), and Close ends every subscription.
func TestHub(t *testing.T) {
	db := MustOpenDB(t, 5)
	svc := live.New(live.Config{Store: db, HubBuffer: 4})
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	pub, err := svc.Hub.Subscribe(ctx, live.FixtureMeeting, ratsnetz.LiveAccess{MeetingID: live.FixtureMeeting})
	if err != nil {
		t.Fatal(err)
	}
	ent, err := svc.Hub.Subscribe(ctx, live.FixtureMeeting, ratsnetz.LiveAccess{MeetingID: live.FixtureMeeting, Entitled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(sys, live.FixtureMeeting); err != nil {
		t.Fatal(err)
	}
	next := func(s *live.Sub) *live.Event {
		t.Helper()
		select {
		case e, ok := <-s.C:
			if !ok {
				t.Fatal("subscription closed")
			}
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10 s")
		}
		return nil
	}
	for _, s := range []*live.Sub{pub, ent} {
		if e := next(s); e.Type != ratsnetz.EventMeetingStarted {
			t.Fatalf("first event %s", e.Type)
		}
	}
	if err := svc.SetItem(sys, live.FixtureMeeting, live.FixtureNonPublicItem); err != nil {
		t.Fatal(err)
	}
	// The entitled get the part switch and the item (with its name); the
	// public only the switch.
	e1, e2 := next(ent), next(ent)
	if e1.Type != ratsnetz.EventPartChanged || e2.Type != ratsnetz.EventItemChanged || !strings.Contains(string(e2.Frame), "KANARIE") {
		t.Fatalf("entitled got %s, %s", e1.Frame, e2.Frame)
	}
	if e := next(pub); e.Type != ratsnetz.EventPartChanged {
		t.Fatalf("public got %s", e.Frame)
	}
	var part struct{ NonPublic bool }
	data := string(e1.Frame)[strings.Index(string(e1.Frame), "data: ")+6:]
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &part); err != nil || !part.NonPublic {
		t.Fatalf("part event %q: %v", data, err)
	}
	if err := svc.SetItem(sys, live.FixtureMeeting, live.FixturePublicItem); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ratsnetz.EventPartChanged, ratsnetz.EventItemChanged} {
		if e := next(pub); e.Type != want {
			t.Fatalf("public got %s, want %s", e.Type, want)
		}
	}
	// ent has not read its last two events; five more overflow its buffer of 4.
	for i := 0; i < 3; i++ {
		if err := svc.SetPresence(sys, live.FixtureMeeting, int64(live.FixtureFirstPerson+i), ratsnetz.PresenceInRoom); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		if e := next(pub); e.Type != ratsnetz.EventRoster {
			t.Fatalf("public got %s", e.Type)
		}
	}
	// The hub hands each event to all subscribers at once: ent's buffer is
	// full by now, and it was dropped after its 4 buffered events.
	got := 0
	for range ent.C {
		got++
	}
	if got != 4 {
		t.Errorf("slow subscriber got %d events before the drop, want 4", got)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	for range pub.C {
	}
	if n := svc.Hub.Subscribers(); n != 0 {
		t.Errorf("%d subscribers after Close", n)
	}
}

// recordLog is a slog handler that keeps the records.
type recordLog struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *recordLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordLog) WithGroup(string) slog.Handler      { return h }

func (h *recordLog) find(msg string) []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []slog.Record
	for _, r := range h.records {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}
