// Package live runs live hybrid meetings (issue 7): the commands of the
// cockpit and the members' devices with their access checks, the group
// commit of ballots (many ballots per transaction and disk flush, each voter
// acknowledged after the commit of its batch) and the hub that fans the
// meeting's event log out to server-sent-event streams.
//
// The hub never carries state of its own that a client could miss: it is
// woken (in-process after each commit, and on PostgreSQL by LISTEN/NOTIFY
// from every instance) and then reads the new events from the stored log.
// A client that reconnects resumes from its Last-Event-ID out of the same
// log, so no event is lost across dropped connections, slow clients or
// restarts.
package live

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Event is a stored event with its server-sent-event frame rendered once for
// every subscriber.
type Event struct {
	Seq      int64
	Type     string
	Audience string
	// Frame is "id: …\nevent: …\ndata: …\n\n".
	Frame []byte
}

// NewEvent renders e as an SSE frame.
func NewEvent(e *ratsnetz.LiveEvent) *Event {
	b := make([]byte, 0, len(e.Data)+64)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Type...)
	b = append(b, "\ndata: "...)
	b = append(b, e.Data...) // JSON has no raw newlines
	b = append(b, "\n\n"...)
	return &Event{Seq: e.Seq, Type: e.Type, Audience: e.Audience, Frame: b}
}

// EventReader reads the stored log: the events of a meeting after a
// sequence number, for every audience (the hub filters per subscriber), and
// the newest sequence number.
type EventReader interface {
	FindLiveEventsUnfiltered(ctx context.Context, meetingID, afterSeq int64, limit int) ([]*ratsnetz.LiveEvent, error)
	LastLiveSeq(ctx context.Context) (int64, error)
}

// Sub is one subscriber (one SSE stream). C delivers the events its access
// may see, in order; it is closed when the subscriber fell too far behind or
// the hub stopped — the client then reconnects and resumes from the log.
type Sub struct {
	C         <-chan *Event
	c         chan *Event
	meetingID int64
	access    ratsnetz.LiveAccess
	hub       *Hub
	closed    bool // under hub.mu
}

// Close unsubscribes.
func (s *Sub) Close() { s.hub.unsubscribe(s) }

type topic struct {
	last int64
	subs map[*Sub]struct{}
}

// Hub fans events out to subscribers. Its one goroutine reads new events
// when woken; Close stops it and closes every subscription.
type Hub struct {
	log    EventReader
	logger *slog.Logger
	buffer int
	// interval is the least time between two delivery rounds: events
	// committed meanwhile go out together, one write per stream (a vote
	// with thousands of voters commits a progress event per batch).
	interval time.Duration

	mu     sync.Mutex
	topics map[int64]*topic
	dirty  map[int64]bool
	all    bool
	wake   chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup
	closed bool
}

// DefaultHubInterval is the least time between two delivery rounds of a
// hub: an event waits at most this long for others to go out with it.
const DefaultHubInterval = 100 * time.Millisecond

// NewHub starts a hub reading from log; buffer is the number of events a
// subscriber may lag behind before it is dropped (default 256).
func NewHub(log EventReader, logger *slog.Logger, buffer int) *Hub {
	return newHub(log, logger, buffer, DefaultHubInterval)
}

func newHub(log EventReader, logger *slog.Logger, buffer int, interval time.Duration) *Hub {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if buffer <= 0 {
		buffer = 256
	}
	h := &Hub{log: log, logger: logger, buffer: buffer, interval: interval, topics: map[int64]*topic{}, dirty: map[int64]bool{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	h.wg.Add(1)
	go h.run()
	return h
}

// Subscribe registers a subscriber for the meeting's events that access may
// see. Events committed after the call are delivered; the caller reads the
// backlog from the log itself and skips sequence numbers it has sent.
func (h *Hub) Subscribe(ctx context.Context, meetingID int64, access ratsnetz.LiveAccess) (*Sub, error) {
	h.mu.Lock()
	t := h.topics[meetingID]
	h.mu.Unlock()
	if t == nil {
		// The head of the log before registering: everything after it
		// reaches the subscriber through the hub, everything before through
		// the caller's backlog read.
		last, err := h.log.LastLiveSeq(ctx)
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		if t = h.topics[meetingID]; t == nil {
			t = &topic{last: last, subs: map[*Sub]struct{}{}}
			h.topics[meetingID] = t
		}
		h.mu.Unlock()
	}
	c := make(chan *Event, h.buffer)
	s := &Sub{C: c, c: c, meetingID: meetingID, access: access, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(c)
		s.closed = true
		return s, nil
	}
	// The topic may have been dropped in between (last subscriber left).
	if h.topics[meetingID] == nil {
		h.topics[meetingID] = t
	}
	h.topics[meetingID].subs[s] = struct{}{}
	return s, nil
}

func (h *Hub) unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[s.meetingID]; t != nil {
		delete(t.subs, s)
		if len(t.subs) == 0 {
			delete(h.topics, s.meetingID)
		}
	}
	if !s.closed {
		s.closed = true
		close(s.c)
	}
}

// Wake tells the hub that the meeting has new events in the log.
func (h *Hub) Wake(meetingID int64) {
	h.mu.Lock()
	h.dirty[meetingID] = true
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// WakeAll makes the hub look for new events of every meeting (after a lost
// notification connection).
func (h *Hub) WakeAll() {
	h.mu.Lock()
	h.all = true
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Subscribers returns the number of subscribers (for tests and metrics).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, t := range h.topics {
		n += len(t.subs)
	}
	return n
}

// Close stops the hub and closes every subscription; it waits for the
// hub's goroutine.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.done)
	for _, t := range h.topics {
		for s := range t.subs {
			if !s.closed {
				s.closed = true
				close(s.c)
			}
		}
	}
	h.topics = map[int64]*topic{}
	h.mu.Unlock()
	h.wg.Wait()
	return nil
}

func (h *Hub) run() {
	defer h.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-h.done
		cancel()
	}()
	var last time.Time
	for {
		select {
		case <-h.done:
			return
		case <-h.wake:
		}
		// After a recent round, let more commits gather first.
		if wait := h.interval - time.Since(last); wait > 0 && !last.IsZero() {
			t := time.NewTimer(wait)
			select {
			case <-h.done:
				t.Stop()
				return
			case <-t.C:
			}
		}
		last = time.Now()
		h.mu.Lock()
		var ids []int64
		if h.all {
			for id := range h.topics {
				ids = append(ids, id)
			}
		} else {
			for id := range h.dirty {
				if h.topics[id] != nil {
					ids = append(ids, id)
				}
			}
		}
		h.all = false
		clear(h.dirty)
		h.mu.Unlock()
		for _, id := range ids {
			h.deliver(ctx, id)
		}
	}
}

// deliver reads the meeting's new events and hands them to its subscribers.
func (h *Hub) deliver(ctx context.Context, meetingID int64) {
	for {
		h.mu.Lock()
		t := h.topics[meetingID]
		h.mu.Unlock()
		if t == nil {
			return
		}
		h.mu.Lock()
		after := t.last
		h.mu.Unlock()
		evs, err := h.log.FindLiveEventsUnfiltered(ctx, meetingID, after, 1000)
		if err != nil {
			if ctx.Err() == nil {
				h.logger.Error("live hub: read events", "meeting", meetingID, "err", err)
			}
			return
		}
		if len(evs) == 0 {
			return
		}
		out := make([]*Event, len(evs))
		for i, e := range evs {
			out[i] = NewEvent(e)
		}
		h.mu.Lock()
		if t.last < out[len(out)-1].Seq {
			t.last = out[len(out)-1].Seq
		}
		for s := range t.subs {
			for _, e := range out {
				if s.closed || !s.access.CanSee(e.Audience) {
					continue
				}
				select {
				case s.c <- e:
				default:
					// Too far behind: drop; the client resumes from the log.
					s.closed = true
					close(s.c)
					delete(t.subs, s)
				}
			}
		}
		h.mu.Unlock()
		if len(evs) < 1000 {
			return
		}
	}
}
