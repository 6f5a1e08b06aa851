package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// LinkStore is what link monitoring needs from the database (sqlstore.DB).
type LinkStore interface {
	FindRemoteMembers(ctx context.Context) (map[ratsnetz.LiveMemberKey]bool, error)
	SyncLiveLinks(ctx context.Context, instance string, now time.Time, beats []ratsnetz.LinkBeat, grace, stale time.Duration) ([]int64, error)
	PruneLiveLinks(ctx context.Context, now time.Time, stale time.Duration) (int, error)
}

// pruneEvery is how many beats pass between two prunes of the stored
// connection rows (a minute at the default beat).
const pruneEvery = 12

// LinkConfig configures a LinkWatch.
type LinkConfig struct {
	Store LinkStore
	// Hub is woken for meetings whose log changed (may be nil).
	Hub    *Hub
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Grace is how long a remote member may be without a live connection
	// before it counts as a link failure (default ratsnetz.DefaultLinkGrace);
	// a page navigation reconnects well within it.
	Grace time.Duration
	// Beat is how often the instance reports its connections and checks
	// (default ratsnetz.DefaultLinkBeat); a connection whose instance has not
	// renewed it for three beats counts as gone (the instance died).
	Beat time.Duration
	// Instance names this process in the store (default: random).
	Instance string
}

// LinkWatch detects link failures of remote members from their live
// connections (the SSE streams of their pages): the stream handler reports
// each stream with Connected; every beat the watch reports the instance's
// remote members to the store, which decides across all instances (a
// member's next stream may land on another instance) whether a member has
// been without a connection for the grace period — then a LinkFailure is
// recorded for the chair — or is back.
type LinkWatch struct {
	store    LinkStore
	hub      *Hub
	logger   *slog.Logger
	now      func() time.Time
	grace    time.Duration
	beat     time.Duration
	instance string

	mu    sync.Mutex
	conns map[ratsnetz.LiveMemberKey]*linkConn
	// remote is the last check's set of remote members.
	remote  map[ratsnetz.LiveMemberKey]bool
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	started bool
}

// linkConn is one member's streams on this instance.
type linkConn struct {
	n       int
	since   time.Time // start of the current connection
	dropped time.Time // when n fell to 0
	// reported: the store knows the drop.
	reported bool
}

// NewLinkWatch returns a watch; Start runs it.
func NewLinkWatch(cfg LinkConfig) *LinkWatch {
	w := &LinkWatch{store: cfg.Store, hub: cfg.Hub, logger: cfg.Logger, now: cfg.Now, grace: cfg.Grace, beat: cfg.Beat, instance: cfg.Instance,
		conns: map[ratsnetz.LiveMemberKey]*linkConn{}, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.grace <= 0 {
		w.grace = ratsnetz.DefaultLinkGrace
	}
	if w.beat <= 0 {
		w.beat = ratsnetz.DefaultLinkBeat
	}
	if w.instance == "" {
		var b [8]byte
		rand.Read(b[:])
		w.instance = hex.EncodeToString(b[:])
	}
	return w
}

// Grace is the configured grace period.
func (w *LinkWatch) Grace() time.Duration { return w.grace }

// Connected records a member's live stream on this instance; release ends
// it (call it once, when the stream ends).
func (w *LinkWatch) Connected(meetingID, personID int64) (release func()) {
	k := ratsnetz.LiveMemberKey{MeetingID: meetingID, PersonID: personID}
	now := w.now()
	w.mu.Lock()
	c := w.conns[k]
	if c == nil {
		c = &linkConn{}
		w.conns[k] = c
	}
	back := c.n == 0 && w.remote[k]
	if c.n == 0 {
		c.since, c.dropped, c.reported = now, time.Time{}, false
	}
	c.n++
	w.mu.Unlock()
	if back {
		// A remote member coming back may close an open failure: check now
		// rather than at the next beat.
		w.Kick()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			now := w.now()
			w.mu.Lock()
			c.n--
			if c.n == 0 {
				c.dropped, c.reported = now, false
			}
			w.mu.Unlock()
		})
	}
}

// Kick asks the running watch for a check before the next beat.
func (w *LinkWatch) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Check reports this instance's remote members' connections to the store
// and lets it record new link failures and returns (one beat; tests call it
// with their own clock).
func (w *LinkWatch) Check(ctx context.Context) error {
	remote, err := w.store.FindRemoteMembers(ctx)
	if err != nil {
		return err
	}
	now := w.now()
	var beats []ratsnetz.LinkBeat
	var sent []*linkConn
	w.mu.Lock()
	w.remote = remote
	for k, c := range w.conns {
		switch {
		case c.n > 0 && remote[k]:
			beats = append(beats, ratsnetz.LinkBeat{MeetingID: k.MeetingID, PersonID: k.PersonID, Connected: true, Since: c.since})
		case c.n == 0 && remote[k] && !c.reported:
			beats = append(beats, ratsnetz.LinkBeat{MeetingID: k.MeetingID, PersonID: k.PersonID, Dropped: c.dropped})
			sent = append(sent, c)
		case c.n == 0 && (!remote[k] || c.reported):
			// Forget members whose drop the store knows (or who are not
			// remote); they come back through Connected.
			if c.reported || !remote[k] {
				delete(w.conns, k)
			}
		}
	}
	w.mu.Unlock()
	changed, err := w.store.SyncLiveLinks(ctx, w.instance, now, beats, w.grace, w.stale())
	if err != nil {
		return err
	}
	w.mu.Lock()
	for _, c := range sent {
		if c.n == 0 {
			c.reported = true
		}
	}
	w.mu.Unlock()
	for _, id := range changed {
		if w.hub != nil {
			w.hub.Wake(id)
		}
	}
	return nil
}

// stale is how long a connection row may go without renewal before it
// counts as gone (its instance stopped or died).
func (w *LinkWatch) stale() time.Duration { return 3 * w.beat }

// Prune deletes the stored connection rows, of every instance, that no
// longer decide anything: those of meetings no longer under way and the
// superseded rows of ended streams and stopped instances (see
// sqlstore.DB.PruneLiveLinks). The running watch prunes every pruneEvery
// beats; it returns the number of rows deleted.
func (w *LinkWatch) Prune(ctx context.Context) (int, error) {
	return w.store.PruneLiveLinks(ctx, w.now(), w.stale())
}

// Start runs the watch until Close: a check every beat and on Kick, and a
// prune of the stored rows every pruneEvery beats.
func (w *LinkWatch) Start() {
	w.mu.Lock()
	w.started = true
	w.mu.Unlock()
	go func() {
		defer close(w.done)
		t := time.NewTicker(w.beat)
		defer t.Stop()
		beats := 0
		for {
			prune := false
			select {
			case <-w.stop:
				return
			case <-t.C:
				beats++
				prune = beats%pruneEvery == 0
			case <-w.kick:
			}
			ctx, cancel := context.WithTimeout(context.Background(), w.beat)
			if err := w.Check(ctx); err != nil {
				w.logger.Warn("live: link check", "err", err)
			}
			if prune {
				if _, err := w.Prune(ctx); err != nil {
					w.logger.Warn("live: link prune", "err", err)
				}
			}
			cancel()
		}
	}()
}

// Close stops a started watch and waits for it.
func (w *LinkWatch) Close() error {
	w.once.Do(func() { close(w.stop) })
	w.mu.Lock()
	started := w.started
	w.mu.Unlock()
	if started {
		<-w.done
	}
	return nil
}
