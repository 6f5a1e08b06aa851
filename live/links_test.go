package live_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// linkRig is two instances (two watches on one store, "A" and "B": grace
// 20 s, beat 5 s) and the fake clock they share, starting at t0.
type linkRig struct {
	t     *testing.T
	clock *fakeClock
	t0    time.Time
	a, b  *live.LinkWatch
}

func newLinkRig(t *testing.T, db *sqlstore.DB) *linkRig {
	r := &linkRig{t: t, t0: time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)}
	r.clock = &fakeClock{t: r.t0}
	cfg := func(inst string) live.LinkConfig {
		return live.LinkConfig{Store: db, Now: r.clock.Now, Grace: 20 * time.Second, Beat: 5 * time.Second, Instance: inst}
	}
	r.a, r.b = live.NewLinkWatch(cfg("A")), live.NewLinkWatch(cfg("B"))
	return r
}

// at is the time s seconds after t0.
func (r *linkRig) at(s int) time.Time { return r.t0.Add(time.Duration(s) * time.Second) }

// check sets the clock to at(s) and runs one check on each watch given.
func (r *linkRig) check(s int, ws ...*live.LinkWatch) {
	r.t.Helper()
	r.clock.Set(r.at(s))
	for _, w := range ws {
		if err := w.Check(context.Background()); err != nil {
			r.t.Fatalf("check at %ds: %v", s, err)
		}
	}
}

// TestLinkWatch: a remote member's stream drops and stays away for the grace
// period → a link failure for the chair, closed with its duration when the
// member is back (on another instance); a page navigation (drop and
// reconnect between two checks, or within the grace period on another
// instance) and members in the room record nothing. Two instances (two
// watches on one store), a fake clock, no sleeps.
func TestLinkWatch(t *testing.T) {
	db := MustOpenDB(t, 4)
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	const meeting = live.FixtureMeeting
	remote, room := int64(live.FixtureFirstPerson+2), int64(live.FixtureFirstPerson+1)
	if _, err := db.StartLiveMeeting(sys, meeting); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetLivePresence(sys, meeting, room, ratsnetz.PresenceInRoom); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetLivePresence(sys, meeting, remote, ratsnetz.PresenceRemote); err != nil {
		t.Fatal(err)
	}
	rig := newLinkRig(t, db)
	clock, at, check, a, b := rig.clock, rig.at, rig.check, rig.a, rig.b
	// steps checks on both instances every beat, as the running watches do.
	steps := func(from, to int) {
		t.Helper()
		for s := from; s <= to; s += 5 {
			check(s, a, b)
		}
	}
	failures := func() []*ratsnetz.LinkFailure {
		t.Helper()
		fs, err := db.FindLinkFailures(sys, meeting)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}

	relRemote := a.Connected(meeting, remote)
	relRoom := a.Connected(meeting, room)
	check(0, a, b)
	// A page navigation between two checks: the stream ends and the next
	// page's stream starts on the same instance.
	clock.Set(at(3))
	relRemote()
	relRemote = a.Connected(meeting, remote)
	steps(5, 40)
	if fs := failures(); len(fs) != 0 {
		t.Fatalf("navigation on one instance: %+v", fs)
	}
	// A navigation whose next stream lands on instance B 2 s later.
	clock.Set(at(41))
	relRemote()
	clock.Set(at(43))
	relB := b.Connected(meeting, remote)
	steps(45, 80)
	if fs := failures(); len(fs) != 0 {
		t.Fatalf("navigation across instances: %+v", fs)
	}

	// The link drops for real at 81 s; the member in the room leaves too.
	clock.Set(at(81))
	relB()
	relRoom()
	steps(85, 100) // 19 s: still within the grace period
	if fs := failures(); len(fs) != 0 {
		t.Fatalf("failure within the grace period: %+v", fs)
	}
	check(102, a, b)
	fs := failures()
	if len(fs) != 1 || fs[0].PersonID != remote || !fs[0].Lost.Equal(at(81)) || !fs[0].Restored.IsZero() {
		t.Fatalf("after the grace period: %+v", fs)
	}
	// Back on A at 130 s: the next check closes the failure (the running
	// watch checks at once on such a reconnect: Kick).
	clock.Set(at(130))
	relRemote = a.Connected(meeting, remote)
	check(131, a)
	fs = failures()
	if len(fs) != 1 || !fs[0].Restored.Equal(at(130)) || fs[0].Restored.Sub(fs[0].Lost) != 49*time.Second {
		t.Fatalf("restored: %+v", fs)
	}
	// The chair's decision is minuted; the events reach office and chair only.
	if err := db.RecordChairDecision(sys, meeting, fs[0].ID, sqlstore.DecisionContinue); err != nil {
		t.Fatal(err)
	}
	evs, err := db.FindLiveEvents(sys, meeting, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		switch e.Type {
		case ratsnetz.EventLinkLost, ratsnetz.EventLinkRestored, ratsnetz.EventChairDecision:
			types = append(types, e.Type)
			if e.Type != ratsnetz.EventChairDecision && e.Audience != ratsnetz.AudienceOffice {
				t.Errorf("%s for %s", e.Type, e.Audience)
			}
		}
	}
	if len(types) != 3 {
		t.Errorf("link events %v", types)
	}
	relRemote()
}

// TestLinkRowsPruned: the stored connection rows do not pile up — a page
// navigation to another instance, a dead instance's rows and a closed
// meeting's rows are deleted by whichever instance prunes — and pruning
// never changes a decision: a member whose only row is a dead instance's
// still gets the link failure after the grace period, with the time the
// link was last known up, and it is closed when the member is back. Two
// instances (two watches on one store), a fake clock, SQLite and
// PostgreSQL.
func TestLinkRowsPruned(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(t *testing.T) *sqlstore.DB
	}{
		{"sqlite", func(t *testing.T) *sqlstore.DB { return MustOpenDB(t, 4) }},
		{"postgres", func(t *testing.T) *sqlstore.DB {
			db := pgtest.MustOpenMigrated(t)
			if err := db.Load(ratsnetz.SystemContext(context.Background()), live.Fixture(4, time.Now())); err != nil {
				t.Fatal(err)
			}
			return db
		}},
	} {
		t.Run(backend.name, func(t *testing.T) { testLinkRowsPruned(t, backend.open(t)) })
	}
}

func testLinkRowsPruned(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	sys := ratsnetz.SystemContext(ctx)
	const meeting = live.FixtureMeeting
	r1, r2 := int64(live.FixtureFirstPerson+1), int64(live.FixtureFirstPerson+2)
	if _, err := db.StartLiveMeeting(sys, meeting); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetLivePresences(sys, meeting, []int64{r1, r2}, ratsnetz.PresenceRemote); err != nil {
		t.Fatal(err)
	}
	rig := newLinkRig(t, db)
	clock, at, check, a, b := rig.clock, rig.at, rig.check, rig.a, rig.b
	prune := func(s int, w *live.LinkWatch, want int) {
		t.Helper()
		clock.Set(at(s))
		n, err := w.Prune(ctx)
		if err != nil {
			t.Fatalf("prune at %ds: %v", s, err)
		}
		if n != want {
			t.Errorf("prune at %ds deleted %d rows, want %d", s, n, want)
		}
	}
	failures := func() []*ratsnetz.LinkFailure {
		t.Helper()
		fs, err := db.FindLinkFailures(sys, meeting)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}

	relR1 := a.Connected(meeting, r1)
	relR2 := b.Connected(meeting, r2)
	check(0, a, b)
	prune(0, a, 0) // rows (r1, A) and (r2, B), both up
	// r1's page navigates and its next stream lands on B: the row of the
	// ended stream on A goes, pruned by B.
	clock.Set(at(3))
	relR1()
	relR1 = b.Connected(meeting, r1)
	check(5, a, b)
	prune(5, b, 1)
	prune(5, a, 0)

	// Instance B dies after its check at 5 s (its rows are never renewed
	// again). r2's page reconnects to A at 8 s; r1 stays away.
	_ = relR1 // B's streams end with B; nothing reports them
	_ = relR2
	clock.Set(at(8))
	relR2 = a.Connected(meeting, r2)
	check(10, a)
	prune(10, a, 0) // B's rows are not stale yet (15 s)
	check(15, a)
	prune(20, a, 1) // (r2, B) is stale and superseded by (r2, A); (r1, B) is r1's only row
	check(20, a)
	if fs := failures(); len(fs) != 0 {
		t.Fatalf("failure within the grace period: %+v", fs)
	}
	check(25, a)
	fs := failures()
	if len(fs) != 1 || fs[0].PersonID != r1 || !fs[0].Lost.Equal(at(5)) || !fs[0].Restored.IsZero() {
		t.Fatalf("after the grace period (dead instance's row kept): %+v", fs)
	}
	prune(25, a, 0)
	// r1 is back on A at 30 s: the failure closes; the dead row goes.
	clock.Set(at(30))
	relR1 = a.Connected(meeting, r1)
	check(30, a)
	if fs = failures(); len(fs) != 1 || !fs[0].Restored.Equal(at(30)) {
		t.Fatalf("restored: %+v", fs)
	}
	prune(31, a, 1)

	// The meeting closes: its two remaining rows go; nothing is left.
	if _, err := db.SetLiveMeetingState(sys, meeting, ratsnetz.LiveClosed, ""); err != nil {
		t.Fatal(err)
	}
	check(35, a)
	prune(35, a, 2)
	prune(40, a, 0)
	prune(40, b, 0)
	if fs = failures(); len(fs) != 1 || !fs[0].Restored.Equal(at(30)) {
		t.Errorf("pruning touched the failures: %+v", fs)
	}
	relR1()
	relR2()
}

// TestLinkWatchRunsAndCloses: the started watch checks on Kick and stops on
// Close (race detector: no leaks, no data races with Connected).
func TestLinkWatchRunsAndCloses(t *testing.T) {
	db := MustOpenDB(t, 2)
	w := live.NewLinkWatch(live.LinkConfig{Store: db, Beat: time.Hour})
	w.Start()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel := w.Connected(live.FixtureMeeting, int64(live.FixtureFirstPerson+i%2))
			w.Kick()
			rel()
			rel() // a second release is harmless
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Grace() != ratsnetz.DefaultLinkGrace {
		t.Errorf("default grace %s", w.Grace())
	}
	// Close without Start returns at once.
	if err := live.NewLinkWatch(live.LinkConfig{Store: db}).Close(); err != nil {
		t.Fatal(err)
	}
}

// benchWatch is a watch on a started fixture meeting of total members,
// the first remote of them remote and the rest in the room, each with a
// live stream on the watch's instance.
func benchWatch(b *testing.B, remote, total int) *live.LinkWatch {
	b.Helper()
	db := MustOpenDB(b, total)
	sys := ratsnetz.SystemContext(context.Background())
	if _, err := db.StartLiveMeeting(sys, live.FixtureMeeting); err != nil {
		b.Fatal(err)
	}
	w := live.NewLinkWatch(live.LinkConfig{Store: db, Instance: "bench"})
	for i := 0; i < total; i++ {
		p := int64(live.FixtureFirstPerson + i)
		presence := ratsnetz.PresenceInRoom
		if i < remote {
			presence = ratsnetz.PresenceRemote
		}
		if _, err := db.SetLivePresence(sys, live.FixtureMeeting, p, presence); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(w.Connected(live.FixtureMeeting, p))
	}
	return w
}

// BenchmarkLinkWatchCheck is one beat of an instance serving five remote
// members (the store's read of the remote members, the renewal write and
// the decision query), the recurring cost of link monitoring.
func BenchmarkLinkWatchCheck(b *testing.B) {
	w := benchWatch(b, 5, 10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Check(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinkWatchPrune is the recurring prune of an instance when
// nothing is due (five remote members connected, one row each): one read.
func BenchmarkLinkWatchPrune(b *testing.B) {
	w := benchWatch(b, 5, 10)
	if err := w.Check(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := w.Prune(context.Background()); err != nil || n != 0 {
			b.Fatal(n, err)
		}
	}
}
