package web

// Live hybrid meetings: cockpit, roster and quorum, speakers list, electronic voting, chat, public live page and projector view.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
)

// LiveDeps holds what the live area of the portal needs; the zero value
// switches the area off.
type LiveDeps struct {
	Service *live.Service
	// Heartbeat is the interval of SSE comments that keep streams open
	// through proxies (default 15 s).
	Heartbeat time.Duration
	// Video returns the personal link into the meeting's video room (BBB or
	// Jitsi), "" when no video system is configured.
	Video func(ctx context.Context, meetingID int64, name, userID string, moderator bool) (string, error)
	// VideoOpen opens the meeting's video room (BigBlueButton: the signed,
	// idempotent create call) before the chair and office join; nil when
	// the video system needs no opening (Jitsi) or none is configured.
	VideoOpen func(ctx context.Context, meetingID int64, name string) error
	// Links detects link failures of remote members from their streams
	// (nil = off).
	Links *live.LinkWatch
	// SessionCache, when positive, lets requests of the live area resolve
	// their session from memory for that long (0 = off): a vote is a burst
	// of thousands of requests of the same sessions. Any post outside the
	// live area on this instance (logout, password, administration) empties
	// the cache; on other instances a revoked session may still reach the
	// live area for at most this long.
	SessionCache time.Duration

	sessions *liveSessions
}

// liveSessions caches resolved sessions for the live area.
type liveSessions struct {
	ttl time.Duration
	now func() time.Time

	mu  sync.Mutex
	gen uint64
	m   map[string]liveSession
}

type liveSession struct {
	a     *ratsnetz.Account
	sess  *ratsnetz.Session
	until time.Time
	gen   uint64
}

// liveSessionMax bounds the cache; when full it starts over.
const liveSessionMax = 50000

func (c *liveSessions) authenticate(ctx context.Context, raw string, auth func(context.Context, string) (*ratsnetz.Account, *ratsnetz.Session, error)) (*ratsnetz.Account, *ratsnetz.Session, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[raw]
	gen := c.gen
	c.mu.Unlock()
	if ok && e.gen == gen && now.Before(e.until) && now.Before(e.sess.Expires) {
		return e.a, e.sess, nil
	}
	a, sess, err := auth(ctx, raw)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	// Only if nothing was invalidated while the store was read.
	if c.gen == gen {
		if len(c.m) >= liveSessionMax {
			clear(c.m)
		}
		c.m[raw] = liveSession{a: a, sess: sess, until: now.Add(c.ttl), gen: gen}
	}
	c.mu.Unlock()
	return a, sess, nil
}

func (c *liveSessions) invalidate() {
	c.mu.Lock()
	c.gen++
	clear(c.m)
	c.mu.Unlock()
}

// isLivePath reports whether p belongs to the live area.
func isLivePath(p string) bool {
	return strings.HasPrefix(p, "/live/") || strings.HasPrefix(p, "/sitzungen/") && strings.HasSuffix(p, "/live")
}

// liveRoutes registers the live area's routes.
func (s *Server) liveRoutes() {
	if s.live.Service == nil {
		return
	}
	if s.live.Heartbeat <= 0 {
		s.live.Heartbeat = 15 * time.Second
	}
	if s.live.SessionCache > 0 && s.auth != nil {
		s.live.sessions = &liveSessions{ttl: s.live.SessionCache, now: s.now, m: map[string]liveSession{}}
	}
	s.mux.HandleFunc("GET /sitzungen/{id}/live", s.handleLivePublic)
	s.mux.HandleFunc("GET /live/{id}/projektor", s.handleLiveProjector)
	s.mux.HandleFunc("GET /live/{id}/ereignisse", s.handleLiveEvents)
	if s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /live/{id}", s.handleLiveMember)
	s.mux.HandleFunc("GET /live/{id}/cockpit", s.handleLiveCockpit)
	s.mux.HandleFunc("GET /live/{id}/niederschrift", s.handleLiveMinutes)
	s.mux.HandleFunc("GET /live/{id}/chat.csv", s.handleLiveChatExport)
	s.mux.HandleFunc("GET /live/{id}/zugang", s.handleLiveToken)
	s.mux.HandleFunc("POST /live/{id}/anwesenheit", s.handleLivePresence)
	s.mux.HandleFunc("POST /live/{id}/wortmeldung", s.handleLiveSpeech)
	s.mux.HandleFunc("POST /live/{id}/stimme", s.handleLiveBallot)
	s.mux.HandleFunc("POST /live/{id}/chat", s.handleLiveChat)
	s.mux.HandleFunc("POST /live/{id}/steuerung", s.handleLiveControl)
}

// liveData is what the live templates get.
type liveData struct {
	*ratsnetz.LiveSnapshot
	Items    []*ratsnetz.AgendaItem
	Open     *ratsnetz.LiveVote
	Closed   []*ratsnetz.LiveVote
	Me       *ratsnetz.RosterEntry
	Chat     []*ratsnetz.ChatMessage
	Channels []liveChannel
	Failures []*ratsnetz.LinkFailure
	Video    string
	Message  string
	// Projector: large type, public content only.
	Projector bool
	// Kinds are the vote kinds with whether remote members may take part.
	Kinds   []liveKind
	Needed  int
	Quorate bool
	Names   map[int64]string
	// Grace is the link monitoring's grace period (0 = off).
	Grace time.Duration
	// VideoOpens: the cockpit offers to open the video room.
	VideoOpens bool
}

// handsFaction is one faction row of the show-of-hands form.
type handsFaction struct {
	ID      int64
	Name    string
	Present int
}

// IsMotion reports whether the open vote is a Ja/Nein/Enthaltung vote (a
// show of hands per faction is entered for those).
func (d *liveData) IsMotion() bool {
	return d.Open != nil && slices.Equal(d.Open.Options, ratsnetz.MotionOptions())
}

// HandsFactions are the factions with members present and entitled to
// vote, for the show-of-hands form.
func (d *liveData) HandsFactions() []handsFaction {
	var out []handsFaction
	idx := map[int64]int{}
	for _, e := range d.Roster {
		if !e.Present() || !e.VotingRight || e.FactionID == 0 {
			continue
		}
		i, ok := idx[e.FactionID]
		if !ok {
			i = len(out)
			idx[e.FactionID] = i
			out = append(out, handsFaction{ID: e.FactionID, Name: e.Faction})
		}
		out[i].Present++
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// HandsSingles are the members present and entitled to vote without a
// faction, counted one by one.
func (d *liveData) HandsSingles() []*ratsnetz.RosterEntry {
	var out []*ratsnetz.RosterEntry
	for _, e := range d.Roster {
		if e.Present() && e.VotingRight && e.FactionID == 0 {
			out = append(out, e)
		}
	}
	return out
}

// OpenFailures are the link failures the chair has not decided on yet.
func (d *liveData) OpenFailures() []*ratsnetz.LinkFailure {
	var out []*ratsnetz.LinkFailure
	for _, f := range d.Failures {
		if f.Decision == "" {
			out = append(out, f)
		}
	}
	return out
}

type liveChannel struct{ Value, Label string }

type liveKind struct {
	Kind          string
	RemoteAllowed bool
}

// Speaking is the current speaker, nil if none.
func (d *liveData) Speaking() *ratsnetz.SpeakerRequest {
	for _, sp := range d.Speakers {
		if sp.State == ratsnetz.SpeakerSpeaking {
			return sp
		}
	}
	return nil
}

// Waiting are the waiting requests in order.
func (d *liveData) Waiting() []*ratsnetz.SpeakerRequest {
	var out []*ratsnetz.SpeakerRequest
	for _, sp := range d.Speakers {
		if sp.State == ratsnetz.SpeakerWaiting {
			out = append(out, sp)
		}
	}
	return out
}

// EndOf is the end of a speaker's time, zero without a limit.
func (d *liveData) EndOf(sp *ratsnetz.SpeakerRequest) time.Time {
	if sp.SpeakingSeconds == 0 || sp.Started.IsZero() {
		return time.Time{}
	}
	return sp.Started.Add(time.Duration(sp.SpeakingSeconds) * time.Second)
}

// HasVoted reports whether the viewer voted in the open vote.
func (d *liveData) HasVoted() bool { return d.Open != nil && d.Voted[d.Open.ID] }

// MayVote reports whether the viewer may vote in the open vote now.
func (d *liveData) MayVote() bool {
	if d.Open == nil || d.Me == nil || !d.Me.Present() || !d.Me.VotingRight {
		return false
	}
	// Remote members only for the kinds the installation allows online (the
	// store excludes them from the others when the vote opens).
	if d.Me.Presence == ratsnetz.PresenceRemote {
		for _, k := range d.Kinds {
			if k.Kind == d.Open.Kind && !k.RemoteAllowed {
				return false
			}
		}
	}
	return !d.HasVoted() || d.Open.AllowChange
}

// NameOf is the name of a person on the roster.
func (d *liveData) NameOf(id int64) string {
	if n := d.Names[id]; n != "" {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// ChannelLabel names a chat channel.
func (d *liveData) ChannelLabel(ch string) string {
	for _, c := range d.Channels {
		if c.Value == ch {
			return c.Label
		}
	}
	return ch
}

// EventsURL is the SSE stream with the sequence number the page shows.
func (d *liveData) EventsURL() string {
	return fmt.Sprintf("/live/%d/ereignisse?nach=%d", d.Meeting.ID, d.Live.LastSeq)
}

func (s *Server) liveData(r *http.Request, id int64) (*liveData, error) {
	ctx := r.Context()
	snap, err := s.store.(liveSnapshotter).FindLiveSnapshot(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &liveData{LiveSnapshot: snap, Names: map[int64]string{}}
	for _, v := range snap.Votes {
		if v.State == ratsnetz.VoteStateOpen {
			d.Open = v
		} else {
			d.Closed = append(d.Closed, v)
		}
	}
	sort.Slice(d.Closed, func(i, j int) bool { return d.Closed[i].ID > d.Closed[j].ID })
	for _, e := range snap.Roster {
		d.Names[e.PersonID] = e.Name
		if e.PersonID == snap.Access.PersonID && snap.Access.Member {
			d.Me = e
		}
	}
	q := s.live.Service
	rule := ratsnetz.QuorumRule{}
	d.Needed = rule.Needed(snap.Seats)
	d.Quorate = rule.Quorate(snap.PresentVoting, snap.Seats)
	for _, k := range []string{ratsnetz.VoteOpen, ratsnetz.VoteNamed, ratsnetz.VoteSecret} {
		d.Kinds = append(d.Kinds, liveKind{k, q.RemoteAllowed(k)})
	}
	return d, nil
}

// liveSnapshotter is the store's live snapshot (sqlstore.DB).
type liveSnapshotter interface {
	FindLiveSnapshot(ctx context.Context, meetingID int64) (*ratsnetz.LiveSnapshot, error)
}

func (s *Server) liveMeetingID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return 0, false
	}
	if _, ok := s.store.(liveSnapshotter); !ok {
		s.renderError(w, r, http.StatusNotFound, "")
		return 0, false
	}
	return id, true
}

func (s *Server) handleLivePublic(w http.ResponseWriter, r *http.Request) {
	s.renderLivePublic(w, r, false)
}

func (s *Server) handleLiveProjector(w http.ResponseWriter, r *http.Request) {
	s.renderLivePublic(w, r, true)
}

// renderLivePublic shows the public live page or the projector view: always
// as the public sees it, also for logged-in viewers (projectors run in the
// room under an office login).
func (s *Server) renderLivePublic(w http.ResponseWriter, r *http.Request, projector bool) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	pr := r.WithContext(ratsnetz.NewContextWithViewer(r.Context(), ratsnetz.Viewer{}))
	d, err := s.liveData(pr, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Projector = projector
	d.Roster = nil
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "live_public", s.newPage(r, d.Meeting.Name+" – "+s.formatter(r.Context()).T("live.title"), d))
}

// liveLogin sends the public to the login page.
func (s *Server) liveLogin(w http.ResponseWriter, r *http.Request) bool {
	return s.requireLogin(w, r) != nil
}

func (s *Server) handleLiveMember(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok || !s.liveLogin(w, r) {
		return
	}
	d, err := s.liveData(r, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !d.Access.Participant() && !d.Access.Entitled && len(d.Access.FactionStaff) == 0 {
		s.renderError(w, r, http.StatusNotFound, "")
		return
	}
	s.fillChat(r, d)
	if s.live.Video != nil && d.Me != nil && d.Me.Presence != ratsnetz.PresenceInRoom {
		d.Video, err = s.live.Video(r.Context(), id, d.Me.Name, "person-"+strconv.FormatInt(d.Me.PersonID, 10), d.Access.Manages())
		if err != nil {
			s.logger.WarnContext(r.Context(), "live: video link", "err", err)
		}
	}
	d.Message = r.URL.Query().Get("hinweis")
	s.renderForm(w, r, http.StatusOK, "live_member", d.Meeting.Name+" – "+s.formatter(r.Context()).T("live.member"), d)
}

func (s *Server) fillChat(r *http.Request, d *liveData) {
	msgs, err := s.live.Service.Store().FindLiveChat(r.Context(), d.Meeting.ID)
	if err != nil {
		s.logger.WarnContext(r.Context(), "live: chat", "err", err)
	}
	if len(msgs) > 50 {
		msgs = msgs[len(msgs)-50:]
	}
	d.Chat = msgs
	f := s.formatter(r.Context())
	a := d.Access
	if a.Participant() {
		d.Channels = append(d.Channels, liveChannel{ratsnetz.AudienceParticipants, f.T("live.chat.meeting")})
	}
	if a.Member && a.FactionID != 0 {
		d.Channels = append(d.Channels, liveChannel{ratsnetz.AudienceFactionPrefix + strconv.FormatInt(a.FactionID, 10), f.T("live.chat.faction")})
	}
	for _, fid := range a.FactionStaff {
		d.Channels = append(d.Channels, liveChannel{ratsnetz.AudienceFactionPrefix + strconv.FormatInt(fid, 10), f.T("live.chat.faction")})
	}
	if a.Member && !a.Office {
		d.Channels = append(d.Channels, liveChannel{ratsnetz.AudienceDirectPrefix + strconv.FormatInt(a.PersonID, 10), f.T("live.chat.office")})
	}
	if a.Office {
		for _, e := range d.Roster {
			d.Channels = append(d.Channels, liveChannel{ratsnetz.AudienceDirectPrefix + strconv.FormatInt(e.PersonID, 10), f.T("live.chat.direct", e.Name)})
		}
	}
}

func (s *Server) handleLiveCockpit(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok || !s.liveLogin(w, r) {
		return
	}
	d, err := s.liveData(r, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !d.Access.Manages() {
		s.renderError(w, r, http.StatusNotFound, "")
		return
	}
	items, _, err := s.store.FindAgendaItems(r.Context(), ratsnetz.AgendaItemFilter{MeetingID: id, ListOptions: ratsnetz.ListOptions{Limit: 500}})
	if err != nil {
		s.error(w, r, err)
		return
	}
	d.Items = items
	if s.live.Links != nil {
		d.Grace = s.live.Links.Grace()
	}
	d.VideoOpens = s.live.VideoOpen != nil && s.live.Video != nil
	s.fillChat(r, d)
	if d.Failures, err = s.live.Service.Store().FindLinkFailures(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	if s.live.Video != nil {
		name := "Sitzungsleitung"
		if c := current(r); c != nil && c.Account.DisplayName != "" {
			name = c.Account.DisplayName
		}
		d.Video, _ = s.live.Video(r.Context(), id, name, "konto-"+strconv.FormatInt(ratsnetz.ViewerFromContext(r.Context()).AccountID, 10), true)
	}
	d.Message = r.URL.Query().Get("hinweis")
	s.renderForm(w, r, http.StatusOK, "live_cockpit", d.Meeting.Name+" – "+s.formatter(r.Context()).T("live.cockpit"), d)
}

// handleLiveEvents streams the meeting's events as server-sent events: first
// what the client missed (after Last-Event-ID or ?nach=) from the stored
// log, then live ones from the hub; a comment line as heartbeat. Each viewer
// gets only the events of audiences it may see.
func (s *Server) handleLiveEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	svc := s.live.Service
	ctx := r.Context()
	acc, err := svc.Access(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	after := int64(0)
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("nach")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.renderError(w, r, http.StatusBadRequest, "")
			return
		}
		after = n
		break
	}
	sub, err := svc.Hub.Subscribe(ctx, id, acc)
	if err != nil {
		s.error(w, r, err)
		return
	}
	defer sub.Close()
	if acc.Member && s.live.Links != nil {
		// A remote member's stream is their link: when it drops and does
		// not come back (on any instance) the chair learns of it.
		defer s.live.Links.Connected(id, acc.PersonID)()
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The server's response writer buffers already; no second buffer per
	// stream (thousands of streams per instance).
	bw := w
	flush := rc.Flush
	// Retry quickly after a drop; the stream resumes from the log.
	io.WriteString(bw, "retry: 1000\n\n")
	sent, err := svc.Backlog(ctx, id, after, acc, func(e *live.Event) error {
		_, err := bw.Write(e.Frame)
		return err
	})
	if err != nil {
		return
	}
	if flush() != nil {
		return
	}
	tick := time.NewTicker(s.live.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				return // dropped or shutting down: the client reconnects
			}
			if e.Seq <= sent {
				continue
			}
			sent = e.Seq
			bw.Write(e.Frame)
			// Write what is queued in one flush.
		more:
			for {
				select {
				case e, ok := <-sub.C:
					if !ok {
						flush()
						return
					}
					if e.Seq > sent {
						sent = e.Seq
						bw.Write(e.Frame)
					}
				default:
					break more
				}
			}
			if flush() != nil {
				return
			}
		case <-tick.C:
			io.WriteString(bw, ": ping\n\n")
			if flush() != nil {
				return
			}
		}
	}
}

// liveBack answers a form post: JSON for scripts (Accept: application/json),
// otherwise a redirect to the page with a notice.
func (s *Server) liveBack(w http.ResponseWriter, r *http.Request, page string, err error) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		s.liveJSON(w, r, err)
		return
	}
	msg := ""
	if err != nil {
		msg = s.userMessage(r, err)
		if msg == "" {
			msg = "Interner Fehler."
		}
	}
	if msg != "" {
		page += "?hinweis=" + url.QueryEscape(msg)
	}
	seeOther(w, r, page)
}

// liveJSON answers a script's post: {"ok":true} or {"ok":false,"message":…}
// with the error's status (403 for forbidden: the device knows the meeting).
func (s *Server) liveJSON(w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if err == nil {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"ok":true,"message":""}` + "\n"))
		return
	}
	msg := s.userMessage(r, err)
	if msg == "" {
		msg = "Interner Fehler."
	}
	status := errorStatus(ratsnetz.ErrorCode(err))
	if ratsnetz.ErrorCode(err) == ratsnetz.EFORBIDDEN {
		status = http.StatusForbidden
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": msg})
}

func (s *Server) livePage(r *http.Request, id int64) string {
	if r.PostFormValue("zurueck") == "cockpit" {
		return fmt.Sprintf("/live/%d/cockpit", id)
	}
	return fmt.Sprintf("/live/%d", id)
}

func liveFormInt(r *http.Request, name string) (int64, error) {
	v := r.PostFormValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
	}
	return n, nil
}

func (s *Server) handleLivePresence(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	person := int64(0)
	if r.PostFormValue("person") != "" {
		var err error
		if person, err = liveFormInt(r, "person"); err != nil {
			s.liveBack(w, r, s.livePage(r, id), err)
			return
		}
	}
	err := s.live.Service.SetPresence(r.Context(), id, person, r.PostFormValue("anwesenheit"))
	s.liveBack(w, r, s.livePage(r, id), err)
}

func (s *Server) handleLiveSpeech(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	err := s.live.Service.RequestSpeech(r.Context(), id, r.PostFormValue("art") == "go")
	s.liveBack(w, r, s.livePage(r, id), err)
}

// handleLiveBallot casts the viewer's ballot; the answer comes after the
// ballot is durably stored. Besides the form it takes a JSON body
// ({"abstimmung": 12, "stimme": "Ja"}, Content-Type application/json) with
// the CSRF token in the X-CSRF-Token header — the devices' fast path: no
// form parse, a short JSON answer.
func (s *Server) handleLiveBallot(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	if isJSONBody(r) {
		var in struct {
			Vote   int64  `json:"abstimmung"`
			Option string `json:"stimme"`
		}
		err := json.NewDecoder(r.Body).Decode(&in)
		if err != nil || in.Vote <= 0 {
			err = ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
		} else {
			err = s.live.Service.Cast(r.Context(), id, in.Vote, in.Option)
		}
		s.liveJSON(w, r, err)
		return
	}
	vote, err := liveFormInt(r, "abstimmung")
	if err == nil {
		err = s.live.Service.Cast(r.Context(), id, vote, r.PostFormValue("stimme"))
	}
	s.liveBack(w, r, s.livePage(r, id), err)
}

func isJSONBody(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return ct == "application/json" || strings.HasPrefix(ct, "application/json;")
}

// handleLiveToken answers a logged-in device with the CSRF token of its
// session ({"csrf": "…"}), for the JSON posts of scripts and voting devices
// that did not load a page with a form.
func (s *Server) handleLiveToken(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.liveMeetingID(w, r); !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	if current(r) == nil {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"ok":false}` + "\n"))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "csrf": s.csrf.Token(w, r)})
}

func (s *Server) handleLiveChat(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	c := current(r)
	name := ""
	if c != nil {
		name = c.Account.DisplayName
		if name == "" {
			name = accountLabel(c.Account)
		}
	}
	err := s.live.Service.PostChat(r.Context(), id, r.PostFormValue("kanal"), name, r.PostFormValue("text"))
	s.liveBack(w, r, s.livePage(r, id), err)
}

// handleLiveControl runs one cockpit action (form field "aktion").
func (s *Server) handleLiveControl(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	svc := s.live.Service
	back := fmt.Sprintf("/live/%d/cockpit", id)
	var err error
	switch r.PostFormValue("aktion") {
	case "start", "fortsetzen":
		err = svc.Start(ctx, id)
	case "unterbrechen":
		err = svc.SetState(ctx, id, ratsnetz.LiveInterrupted, r.PostFormValue("grund"))
	case "schliessen":
		err = svc.SetState(ctx, id, ratsnetz.LiveClosed, "")
	case "top":
		var item int64
		if item, err = liveFormInt(r, "top"); err == nil {
			err = svc.SetItem(ctx, id, item)
		}
	case "nichtoeffentlich":
		err = svc.SetPart(ctx, id, true)
	case "oeffentlich":
		err = svc.SetPart(ctx, id, false)
	case "redner":
		var req int64
		if req, err = liveFormInt(r, "wortmeldung"); err == nil {
			secs := 0
			if v := r.PostFormValue("redezeit"); v != "" {
				var n int64
				if n, err = liveFormInt(r, "redezeit"); err == nil {
					secs = int(n)
				}
			}
			if err == nil {
				err = svc.SpeakerAction(ctx, id, req, r.PostFormValue("schritt"), secs)
			}
		}
	case "abstimmung":
		v := &ratsnetz.LiveVote{MeetingID: id, Title: strings.TrimSpace(r.PostFormValue("titel")), Kind: r.PostFormValue("art"),
			Majority: r.PostFormValue("mehrheit"), Base: r.PostFormValue("basis"), AllowChange: r.PostFormValue("aendern") == "ja"}
		if v.AgendaItemID, err = liveFormInt(r, "top"); err == nil {
			for _, line := range strings.Split(r.PostFormValue("optionen"), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					v.Options = append(v.Options, line)
				}
			}
			err = svc.OpenVote(ctx, v)
		}
	case "schliessen-abstimmung":
		var vote int64
		if vote, err = liveFormInt(r, "abstimmung"); err == nil {
			_, err = svc.CloseVote(ctx, id, vote)
		}
	case "handzeichen":
		var vote int64
		if vote, err = liveFormInt(r, "abstimmung"); err == nil {
			counts := map[string]int{}
			for _, o := range []string{ratsnetz.OptionYes, ratsnetz.OptionNo, ratsnetz.OptionAbstain} {
				var n int64
				if n, err = liveFormInt(r, "n-"+o); err != nil {
					break
				}
				counts[o] = int(n)
			}
			if err == nil {
				_, err = svc.ShowOfHands(ctx, id, vote, counts)
			}
		}
	case "handzeichen-fraktionen":
		var vote int64
		if vote, err = liveFormInt(r, "abstimmung"); err == nil {
			var rows []ratsnetz.HandsRow
			if rows, err = handsRows(r); err == nil {
				_, err = svc.FactionShowOfHands(ctx, id, vote, rows)
			}
		}
	case "video":
		if s.live.VideoOpen == nil || s.live.Video == nil {
			err = ratsnetz.Errorf(ratsnetz.EINVALID, "Für diese Installation ist kein Videokonferenzsystem eingerichtet.")
			break
		}
		if err = svc.Manage(ctx, id); err != nil {
			break
		}
		var mt *ratsnetz.Meeting
		if mt, err = s.store.FindMeetingByID(ctx, id); err != nil {
			break
		}
		if err = s.live.VideoOpen(ctx, id, mt.Name); err != nil {
			s.logger.WarnContext(ctx, "live: open video room", "meeting", id, "err", err)
			err = ratsnetz.Errorf(ratsnetz.EINVALID, "Der Videoraum konnte nicht geöffnet werden: %s", videoError(err))
			break
		}
		name := "Sitzungsleitung"
		if c := current(r); c != nil && c.Account.DisplayName != "" {
			name = c.Account.DisplayName
		}
		var link string
		if link, err = s.live.Video(ctx, id, name, "konto-"+strconv.FormatInt(ratsnetz.ViewerFromContext(ctx).AccountID, 10), true); err == nil {
			// Straight into the room as moderator.
			http.Redirect(w, r, link, http.StatusSeeOther)
			return
		}
	case "anwesenheit":
		var person int64
		if person, err = liveFormInt(r, "person"); err == nil {
			err = svc.SetPresence(ctx, id, person, r.PostFormValue("anwesenheit"))
		}
	case "verbindung-weg", "verbindung-da":
		var person int64
		if person, err = liveFormInt(r, "person"); err == nil {
			if r.PostFormValue("aktion") == "verbindung-weg" {
				err = svc.LinkLost(ctx, id, person)
			} else {
				err = svc.LinkRestored(ctx, id, person)
			}
		}
	case "entscheidung":
		var f int64
		if f, err = liveFormInt(r, "ausfall"); err == nil {
			decision := r.PostFormValue("entscheidung")
			err = svc.ChairDecision(ctx, id, f, decision)
			if err == nil && decision == "unterbrechen" {
				// The decision to interrupt interrupts the meeting.
				err = svc.SetState(ctx, id, ratsnetz.LiveInterrupted, "Technische Störung der Verbindung eines zugeschalteten Mitglieds.")
			}
		}
	default:
		err = ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Aktion.")
	}
	s.liveBack(w, r, back, err)
}

// handsRows reads the per-faction show-of-hands form: for each faction
// f-<id>-ja/-nein/-enth (empty = 0), for each member without a faction
// p-<id> = Ja, Nein, Enthaltung or empty.
func handsRows(r *http.Request) ([]ratsnetz.HandsRow, error) {
	if err := r.ParseForm(); err != nil {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
	}
	num := func(k string) (int, error) {
		v := strings.TrimSpace(r.PostForm.Get(k))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "„%s“ ist keine gültige Anzahl.", v)
		}
		return n, nil
	}
	var rows []ratsnetz.HandsRow
	seen := map[int64]bool{}
	for k, vs := range r.PostForm {
		switch {
		case strings.HasPrefix(k, "f-"):
			parts := strings.Split(k, "-")
			if len(parts) != 3 {
				continue
			}
			id, err := strconv.ParseInt(parts[1], 10, 64)
			if err != nil || id <= 0 {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			row := ratsnetz.HandsRow{FactionID: id}
			pre := "f-" + parts[1] + "-"
			if row.Yes, err = num(pre + "ja"); err != nil {
				return nil, err
			}
			if row.No, err = num(pre + "nein"); err != nil {
				return nil, err
			}
			if row.Abstain, err = num(pre + "enth"); err != nil {
				return nil, err
			}
			rows = append(rows, row)
		case strings.HasPrefix(k, "p-"):
			id, err := strconv.ParseInt(k[2:], 10, 64)
			if err != nil || id <= 0 || len(vs) != 1 {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
			}
			row := ratsnetz.HandsRow{PersonID: id}
			switch vs[0] {
			case "":
				continue
			case ratsnetz.OptionYes:
				row.Yes = 1
			case ratsnetz.OptionNo:
				row.No = 1
			case ratsnetz.OptionAbstain:
				row.Abstain = 1
			default:
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültige Angabe.")
			}
			rows = append(rows, row)
		}
	}
	// Map order is random: the store's validation message should not be.
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].FactionID != rows[j].FactionID {
			return rows[i].FactionID < rows[j].FactionID
		}
		return rows[i].PersonID < rows[j].PersonID
	})
	return rows, nil
}

// videoError is what the cockpit may show of a failed room opening (the
// video system's own message, never the URL with its checksum).
func videoError(err error) string {
	var ve interface{ UserMessage() string }
	if errors.As(err, &ve) {
		return ve.UserMessage()
	}
	return "der Videoserver ist nicht erreichbar."
}

// handleLiveChatExport exports the chat the viewer may read as CSV (for the
// record): the office gets the meeting chat and every direct line.
func (s *Server) handleLiveChatExport(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok || !s.liveLogin(w, r) {
		return
	}
	acc, err := s.live.Service.Access(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !acc.Participant() && len(acc.FactionStaff) == 0 {
		s.renderError(w, r, http.StatusNotFound, "")
		return
	}
	msgs, err := s.live.Service.Store().FindLiveChat(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="chat-sitzung-%d.csv"`, id))
	w.Header().Set("Cache-Control", "private, no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"Zeit", "Kanal", "Von", "Nachricht"})
	for _, m := range msgs {
		cw.Write([]string{m.Created.In(s.loc).Format("02.01.2006 15:04:05"), m.Channel, csvSafe(m.Author), csvSafe(m.Text)})
	}
	cw.Flush()
}

// csvSafe defuses spreadsheet formulas.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// handleLiveMinutes shows the minutes draft assembled from the event log:
// attendance with times, items, speakers, votes with results per faction,
// conflicts of interest, link failures and the chair's decisions.
func (s *Server) handleLiveMinutes(w http.ResponseWriter, r *http.Request) {
	id, ok := s.liveMeetingID(w, r)
	if !ok || !s.liveLogin(w, r) {
		return
	}
	d, err := s.liveData(r, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !d.Access.Manages() {
		s.renderError(w, r, http.StatusNotFound, "")
		return
	}
	evs, err := s.live.Service.Store().FindLiveEvents(r.Context(), id, 0, 0)
	if err != nil {
		s.error(w, r, err)
		return
	}
	md := liveMinutesData{Live: d}
	md.Lines = minutesLines(evs, s.formatter(r.Context()), d.Names)
	s.renderForm(w, r, http.StatusOK, "live_minutes", d.Meeting.Name+" – "+s.formatter(r.Context()).T("live.minutes"), md)
}

type liveMinutesData struct {
	Live  *liveData
	Lines []minutesLine
}

type minutesLine struct {
	At   time.Time
	Text string
	// Detail lines (named ballots).
	Detail []string
	// Factions is the per-faction table of a vote (with members without a
	// faction one by one and the total last), as German minutes show it.
	Factions []minutesRow
}

// minutesRow is one row of a vote's per-faction table.
type minutesRow struct {
	Name             string
	Yes, No, Abstain int
	Total            bool
}

// minutesLines turns the event log into minutes lines (German, as minutes
// are written).
func minutesLines(evs []*ratsnetz.LiveEvent, f formatter, names map[int64]string) []minutesLine {
	var out []minutesLine
	spoke := map[int64]bool{}
	add := func(at time.Time, text string, detail ...string) {
		out = append(out, minutesLine{At: at, Text: text, Detail: detail})
	}
	for _, e := range evs {
		switch e.Type {
		case ratsnetz.EventMeetingStarted:
			add(e.Created, "Die Sitzung wird eröffnet.")
		case ratsnetz.EventMeetingInterrupted:
			var x struct{ Reason string }
			json.Unmarshal(e.Data, &x)
			add(e.Created, strings.TrimSpace("Die Sitzung wird unterbrochen. "+x.Reason))
		case ratsnetz.EventMeetingResumed:
			add(e.Created, "Die Sitzung wird fortgesetzt.")
		case ratsnetz.EventMeetingClosed:
			add(e.Created, "Die Sitzung wird geschlossen.")
		case ratsnetz.EventPartChanged:
			var x struct{ NonPublic bool }
			json.Unmarshal(e.Data, &x)
			if x.NonPublic {
				add(e.Created, "Beginn des nichtöffentlichen Teils.")
			} else {
				add(e.Created, "Beginn des öffentlichen Teils.")
			}
		case ratsnetz.EventItemChanged:
			var x struct {
				ItemID       int64
				Number, Name string
			}
			json.Unmarshal(e.Data, &x)
			if x.ItemID != 0 {
				add(e.Created, strings.TrimSpace("Aufruf "+x.Number+" "+x.Name))
			}
		case ratsnetz.EventRoster:
			var x struct {
				Entry   ratsnetz.RosterEntry
				Present int
			}
			json.Unmarshal(e.Data, &x)
			verb := "ist " + x.Entry.Presence
			if x.Entry.Presence == ratsnetz.PresenceAbsent {
				verb = "verlässt die Sitzung"
			}
			add(e.Created, fmt.Sprintf("%s (%s) %s; anwesend: %d.", x.Entry.Name, x.Entry.Faction, verb, x.Present))
		case ratsnetz.EventSpeakers:
			var x struct{ List []ratsnetz.SpeakerRequest }
			json.Unmarshal(e.Data, &x)
			for _, sp := range x.List {
				// Each request once, when it is first seen speaking (the
				// event's time and the request's start are two clock reads).
				if sp.State == ratsnetz.SpeakerSpeaking && !spoke[sp.ID] {
					spoke[sp.ID] = true
					kind := "Wortbeitrag"
					if sp.PointOfOrder {
						kind = "Wortmeldung zur Geschäftsordnung"
					}
					add(e.Created, fmt.Sprintf("%s: %s", kind, sp.Name))
				}
			}
		case ratsnetz.EventVoteOpened:
			var v ratsnetz.LiveVote
			json.Unmarshal(e.Data, &v)
			q := "beschlussfähig"
			if !v.Quorate {
				q = "nicht beschlussfähig"
			}
			add(e.Created, fmt.Sprintf("Abstimmung (%s) über „%s“ eröffnet; %d stimmberechtigt, %s.", v.Kind, v.Title, v.Eligible, q))
		case ratsnetz.EventConflict:
			var x struct{ Excluded int }
			json.Unmarshal(e.Data, &x)
			add(e.Created, fmt.Sprintf("%d Mitglied(er) wegen Befangenheit von der Abstimmung ausgeschlossen.", x.Excluded))
		case ratsnetz.EventVoteClosed:
			var v ratsnetz.LiveVote
			json.Unmarshal(e.Data, &v)
			if v.Result == nil {
				continue
			}
			var counts []string
			for _, c := range v.Result.Counts {
				counts = append(counts, fmt.Sprintf("%s %d", c.Option, c.Count))
			}
			outcome := "abgelehnt"
			if v.Result.Adopted {
				outcome = "angenommen"
				if v.Result.Winner != "" {
					outcome = "gewählt: " + v.Result.Winner
				}
			}
			how := ""
			if v.ShowOfHands {
				how = " (Handzeichen)"
			}
			var detail []string
			for _, nb := range v.Result.Named {
				detail = append(detail, fmt.Sprintf("%s: %s", nb.Name, nb.Option))
			}
			add(e.Created, fmt.Sprintf("Ergebnis „%s“%s: %s — %s.", v.Title, how, strings.Join(counts, ", "), outcome), detail...)
			if len(v.Result.Factions) > 0 || len(v.Result.Singles) > 0 {
				var rows []minutesRow
				var sum minutesRow
				addRow := func(r minutesRow) {
					rows = append(rows, r)
					sum.Yes, sum.No, sum.Abstain = sum.Yes+r.Yes, sum.No+r.No, sum.Abstain+r.Abstain
				}
				for _, fv := range v.Result.Factions {
					addRow(minutesRow{Name: fv.Name, Yes: fv.Yes, No: fv.No, Abstain: fv.Abstain})
				}
				for _, nb := range v.Result.Singles {
					r := minutesRow{Name: nb.Name + " (fraktionslos)"}
					switch nb.Option {
					case ratsnetz.OptionYes:
						r.Yes = 1
					case ratsnetz.OptionNo:
						r.No = 1
					case ratsnetz.OptionAbstain:
						r.Abstain = 1
					}
					addRow(r)
				}
				sum.Name, sum.Total = "Gesamt", true
				out[len(out)-1].Factions = append(rows, sum)
			}
		case ratsnetz.EventLinkLost:
			var lf ratsnetz.LinkFailure
			json.Unmarshal(e.Data, &lf)
			add(e.Created, fmt.Sprintf("Technische Störung: Verbindung zu %s unterbrochen.", nameOr(names, lf.PersonID)))
		case ratsnetz.EventLinkRestored:
			var lf ratsnetz.LinkFailure
			json.Unmarshal(e.Data, &lf)
			add(e.Created, fmt.Sprintf("Verbindung zu %s wiederhergestellt (Dauer %s).", nameOr(names, lf.PersonID), lf.Restored.Sub(lf.Lost).Round(time.Second)))
		case ratsnetz.EventChairDecision:
			var x struct{ Decision string }
			json.Unmarshal(e.Data, &x)
			add(e.Created, "Entscheidung der Sitzungsleitung nach der Störung: "+x.Decision+".")
		}
	}
	return out
}

func nameOr(names map[int64]string, id int64) string {
	if n := names[id]; n != "" {
		return n
	}
	return "Mitglied #" + strconv.FormatInt(id, 10)
}

// liveMessages returns the live area's German and English messages.
func liveMessages() (de, en map[string]string) {
	de = map[string]string{
		"live.title":           "Live",
		"live.member":          "Sitzung live",
		"live.cockpit":         "Sitzungsleitung",
		"live.minutes":         "Niederschriftsentwurf",
		"live.state":           "Stand",
		"live.paused":          "Die Sitzung ist im nichtöffentlichen Teil. Die Übertragung ist unterbrochen.",
		"live.notStarted":      "Die Sitzung hat noch nicht begonnen.",
		"live.current":         "Aktueller Tagesordnungspunkt",
		"live.noItem":          "Kein Tagesordnungspunkt aufgerufen.",
		"live.speaker":         "Es spricht",
		"live.speakers":        "Redeliste",
		"live.noSpeakers":      "Keine Wortmeldungen.",
		"live.pointOfOrder":    "zur Geschäftsordnung",
		"live.until":           "Redezeit bis",
		"live.votes":           "Abstimmungsergebnisse",
		"live.openVote":        "Laufende Abstimmung",
		"live.voted":           "Stimmen abgegeben",
		"live.adopted":         "angenommen",
		"live.rejected":        "abgelehnt",
		"live.elected":         "gewählt",
		"live.present":         "Anwesend",
		"live.quorum":          "Beschlussfähigkeit",
		"live.quorate":         "beschlussfähig",
		"live.notQuorate":      "nicht beschlussfähig",
		"live.needed":          "nötig",
		"live.refresh":         "Aktualisieren",
		"live.publicPage":      "Öffentliche Live-Seite",
		"live.projector":       "Projektor-Ansicht",
		"live.checkin":         "Anwesenheit",
		"live.inRoom":          "Ich bin im Saal",
		"live.remote":          "Ich bin zugeschaltet",
		"live.leave":           "Ich verlasse die Sitzung",
		"live.requestSpeech":   "Wortmeldung",
		"live.requestOrder":    "Wortmeldung zur Geschäftsordnung",
		"live.ballot":          "Ihre Stimme",
		"live.cast":            "Stimme abgeben",
		"live.hasVoted":        "Ihre Stimme ist gespeichert.",
		"live.notEligible":     "Sie sind bei dieser Abstimmung nicht stimmberechtigt (Anwesenheit, Stimmrecht oder Befangenheit).",
		"live.chat":            "Chat",
		"live.chat.meeting":    "Sitzungschat",
		"live.chat.faction":    "Fraktionskanal",
		"live.chat.office":     "Direkt an den Sitzungsdienst",
		"live.chat.direct":     "Direkt: %s",
		"live.chat.channel":    "Kanal",
		"live.chat.text":       "Nachricht",
		"live.chat.send":       "Senden",
		"live.chat.export":     "Chat exportieren (CSV)",
		"live.video":           "Videokonferenz öffnen",
		"live.roster":          "Anwesenheitsliste",
		"live.name":            "Name",
		"live.faction":         "Fraktion",
		"live.presence":        "Anwesenheit",
		"live.actions":         "Aktionen",
		"live.start":           "Sitzung eröffnen / fortsetzen",
		"live.interrupt":       "Unterbrechen",
		"live.close":           "Sitzung schließen",
		"live.reason":          "Grund",
		"live.callItem":        "Aufrufen",
		"live.toNonPublic":     "Nichtöffentlichen Teil beginnen",
		"live.toPublic":        "Öffentlichen Teil beginnen",
		"live.speakStart":      "Reden lassen",
		"live.speakStop":       "Beenden",
		"live.speakUp":         "Nach oben",
		"live.speakDown":       "Nach unten",
		"live.speakDrop":       "Streichen",
		"live.seconds":         "Redezeit (Sekunden)",
		"live.newVote":         "Abstimmung eröffnen",
		"live.voteTitle":       "Gegenstand",
		"live.voteKind":        "Art",
		"live.voteItem":        "Tagesordnungspunkt",
		"live.voteOptions":     "Optionen (eine je Zeile; leer = Ja/Nein/Enthaltung)",
		"live.majority":        "Mehrheit",
		"live.base":            "bezogen auf",
		"live.allowChange":     "Stimme bis zum Schluss änderbar",
		"live.remoteNo":        "nicht für Zugeschaltete zulässig – sie stimmen im Saal oder per Handzeichen ab",
		"live.closeVote":       "Abstimmung schließen",
		"live.showOfHands":     "Ergebnis per Handzeichen eintragen",
		"live.linkLost":        "Verbindung abgebrochen",
		"live.linkBack":        "Verbindung wieder da",
		"live.failures":        "Verbindungsabbrüche",
		"live.decision":        "Entscheidung",
		"live.decideContinue":  "Fortsetzen",
		"live.decideInterrupt": "Unterbrechen",
		"live.minutesLink":     "Niederschriftsentwurf",
		"live.memberPage":      "Mitgliederansicht",
		"live.none":            "keine",
		"live.handsFactions":   "Handzeichen je Fraktion eintragen",
		"live.handsHint":       "Je Fraktion die gezählten Handzeichen; leere Felder zählen 0. Die Gesamtzahlen ergeben sich daraus.",
		"live.handsPresent":    "anwesend, stimmberechtigt",
		"live.handsSubmit":     "Ergebnis je Fraktion eintragen",
		"live.noFaction":       "fraktionslos",
		"live.factionTable":    "Ergebnis nach Fraktionen",
		"live.videoOpen":       "Videoraum öffnen",
		"live.linkAlert":       "Die Verbindung zu %s ist seit %s unterbrochen.",
		"live.linkAlertBack":   "Sie besteht seit %s wieder.",
		"live.linkDecide":      "Bitte entscheiden Sie, ob die Sitzung unterbrochen oder fortgesetzt wird:",
		"live.linkAuto":        "Abbrüche werden automatisch erkannt, wenn die Verbindung eines zugeschalteten Mitglieds länger als %.0f Sekunden fehlt.",
	}
	en = map[string]string{
		"live.title":           "Live",
		"live.member":          "Meeting live",
		"live.cockpit":         "Chair's cockpit",
		"live.minutes":         "Draft minutes",
		"live.state":           "State",
		"live.paused":          "The meeting is in its closed session. The live view is paused.",
		"live.notStarted":      "The meeting has not started yet.",
		"live.current":         "Current agenda item",
		"live.noItem":          "No agenda item called.",
		"live.speaker":         "Speaking",
		"live.speakers":        "Speakers list",
		"live.noSpeakers":      "No requests to speak.",
		"live.pointOfOrder":    "point of order",
		"live.until":           "Speaking time until",
		"live.votes":           "Vote results",
		"live.openVote":        "Vote in progress",
		"live.voted":           "ballots cast",
		"live.adopted":         "adopted",
		"live.rejected":        "rejected",
		"live.elected":         "elected",
		"live.present":         "Present",
		"live.quorum":          "Quorum",
		"live.quorate":         "quorate",
		"live.notQuorate":      "not quorate",
		"live.needed":          "needed",
		"live.refresh":         "Refresh",
		"live.publicPage":      "Public live page",
		"live.projector":       "Projector view",
		"live.checkin":         "Attendance",
		"live.inRoom":          "I am in the room",
		"live.remote":          "I am joining remotely",
		"live.leave":           "I am leaving the meeting",
		"live.requestSpeech":   "Request to speak",
		"live.requestOrder":    "Point of order",
		"live.ballot":          "Your vote",
		"live.cast":            "Cast vote",
		"live.hasVoted":        "Your vote is stored.",
		"live.notEligible":     "You are not entitled to vote in this vote (attendance, voting right or conflict of interest).",
		"live.chat":            "Chat",
		"live.chat.meeting":    "Meeting chat",
		"live.chat.faction":    "Faction channel",
		"live.chat.office":     "Direct line to the council office",
		"live.chat.direct":     "Direct: %s",
		"live.chat.channel":    "Channel",
		"live.chat.text":       "Message",
		"live.chat.send":       "Send",
		"live.chat.export":     "Export chat (CSV)",
		"live.video":           "Open video conference",
		"live.roster":          "Attendance list",
		"live.name":            "Name",
		"live.faction":         "Faction",
		"live.presence":        "Attendance",
		"live.actions":         "Actions",
		"live.start":           "Open / resume meeting",
		"live.interrupt":       "Interrupt",
		"live.close":           "Close meeting",
		"live.reason":          "Reason",
		"live.callItem":        "Call",
		"live.toNonPublic":     "Start closed session",
		"live.toPublic":        "Start public session",
		"live.speakStart":      "Give the floor",
		"live.speakStop":       "End",
		"live.speakUp":         "Up",
		"live.speakDown":       "Down",
		"live.speakDrop":       "Remove",
		"live.seconds":         "Speaking time (seconds)",
		"live.newVote":         "Open a vote",
		"live.voteTitle":       "Subject",
		"live.voteKind":        "Kind",
		"live.voteItem":        "Agenda item",
		"live.voteOptions":     "Options (one per line; empty = yes/no/abstain)",
		"live.majority":        "Majority",
		"live.base":            "of",
		"live.allowChange":     "Vote may be changed until the close",
		"live.remoteNo":        "not allowed for remote members – they vote in the room or by show of hands",
		"live.closeVote":       "Close vote",
		"live.showOfHands":     "Enter show-of-hands result",
		"live.linkLost":        "Connection lost",
		"live.linkBack":        "Connection back",
		"live.failures":        "Connection failures",
		"live.decision":        "Decision",
		"live.decideContinue":  "Continue",
		"live.decideInterrupt": "Interrupt",
		"live.minutesLink":     "Draft minutes",
		"live.memberPage":      "Member view",
		"live.none":            "none",
		"live.handsFactions":   "Enter show of hands per faction",
		"live.handsHint":       "Hands counted per faction; empty fields count as 0. The totals are derived.",
		"live.handsPresent":    "present, entitled to vote",
		"live.handsSubmit":     "Enter result per faction",
		"live.noFaction":       "no faction",
		"live.factionTable":    "Result by faction",
		"live.videoOpen":       "Open video room",
		"live.linkAlert":       "The connection to %s has been lost since %s.",
		"live.linkAlertBack":   "It is back since %s.",
		"live.linkDecide":      "Please decide whether the meeting is interrupted or continues:",
		"live.linkAuto":        "Failures are detected automatically when a remote member's connection is missing for more than %.0f seconds.",
	}
	return de, en
}
