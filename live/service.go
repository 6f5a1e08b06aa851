package live

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Store is what the service needs from the database (sqlstore.DB).
type Store interface {
	EventReader
	LiveAccessOf(ctx context.Context, meetingID int64) (ratsnetz.LiveAccess, error)
	FindLiveMeeting(ctx context.Context, meetingID int64) (*ratsnetz.LiveMeeting, error)
	StartLiveMeeting(ctx context.Context, meetingID int64) (*ratsnetz.LiveMeeting, error)
	SetLiveMeetingState(ctx context.Context, meetingID int64, state, reason string) (*ratsnetz.LiveMeeting, error)
	SetLiveItem(ctx context.Context, meetingID, itemID int64) (*ratsnetz.LiveMeeting, error)
	SetLivePart(ctx context.Context, meetingID int64, nonPublic bool) (*ratsnetz.LiveMeeting, error)
	SetLivePresence(ctx context.Context, meetingID, personID int64, presence string) (*ratsnetz.RosterEntry, error)
	FindLiveSpeakers(ctx context.Context, meetingID int64) ([]*ratsnetz.SpeakerRequest, error)
	RequestLiveSpeech(ctx context.Context, meetingID, personID int64, pointOfOrder bool) (*ratsnetz.SpeakerRequest, error)
	LiveSpeakerAction(ctx context.Context, meetingID, requestID int64, action string, seconds int) error
	OpenLiveVote(ctx context.Context, v *ratsnetz.LiveVote, rule ratsnetz.QuorumRule, remoteAllowed bool) error
	FindLiveVoteByID(ctx context.Context, id int64) (*ratsnetz.LiveVote, error)
	FindLiveVotes(ctx context.Context, meetingID int64) ([]*ratsnetz.LiveVote, error)
	HasVoted(ctx context.Context, voteID, personID int64) (bool, error)
	CastLiveBallots(ctx context.Context, ballots []ratsnetz.Ballot) ([]error, error)
	CastLiveBallotsQuiet(ctx context.Context, ballots []ratsnetz.Ballot) ([]error, error)
	RecordLiveVoteProgress(ctx context.Context, voteID int64) error
	CloseLiveVote(ctx context.Context, voteID int64) (*ratsnetz.LiveVote, error)
	EnterShowOfHands(ctx context.Context, voteID int64, counts map[string]int, factions []ratsnetz.FactionVote) (*ratsnetz.LiveVote, error)
	PostLiveChat(ctx context.Context, msg *ratsnetz.ChatMessage) error
	FindLiveChat(ctx context.Context, meetingID int64) ([]*ratsnetz.ChatMessage, error)
	RecordLinkLost(ctx context.Context, meetingID, personID int64) (*ratsnetz.LinkFailure, error)
	RecordLinkRestored(ctx context.Context, meetingID, personID int64) (*ratsnetz.LinkFailure, error)
	RecordChairDecision(ctx context.Context, meetingID, failureID int64, decision string) error
	FindLinkFailures(ctx context.Context, meetingID int64) ([]*ratsnetz.LinkFailure, error)
	FindLiveEvents(ctx context.Context, meetingID, afterSeq int64, limit int) ([]*ratsnetz.LiveEvent, error)
	FindLiveSnapshot(ctx context.Context, meetingID int64) (*ratsnetz.LiveSnapshot, error)
	FindLiveRoster(ctx context.Context, meetingID int64) ([]*ratsnetz.RosterEntry, error)
}

// Config configures the service.
type Config struct {
	Store  Store
	Logger *slog.Logger
	// Quorum is the installation's quorum rule (default: more than half of
	// the legal number of members).
	Quorum ratsnetz.QuorumRule
	// RemoteKinds are the vote kinds remote members may take part in (some
	// states forbid secret votes online). Nil means open and named.
	RemoteKinds []string
	// MaxBatch is the most ballots one transaction commits (default 2000).
	MaxBatch int
	// HubBuffer is how many events a stream may lag behind (default 256).
	HubBuffer int
	// HubInterval is the least time between two delivery rounds of the
	// hub (default DefaultHubInterval; negative = none).
	HubInterval time.Duration
	// ProgressInterval is the least time between two vote.progress events
	// of a vote (default 1 s; negative = one per committed batch). Every
	// progress event is a write to every stream of the meeting.
	ProgressInterval time.Duration
}

// Service runs live meetings. New starts its ballot writer and hub; Close
// stops them.
type Service struct {
	store       Store
	logger      *slog.Logger
	quorum      ratsnetz.QuorumRule
	remoteKinds []string
	maxBatch    int
	progress    time.Duration
	Hub         *Hub

	ballots chan *ballotReq
	mu      sync.RWMutex // guards closed against sends on ballots
	closed  bool
	wg      sync.WaitGroup

	statsMu sync.Mutex
	stats   map[int64]*voteStats // by vote, until the vote closes here
}

type ballotReq struct {
	b    ratsnetz.Ballot
	meet int64
	at   time.Time // when it was queued
	done chan error
}

// voteStats is the group commit's record of a vote's ballots on this
// instance, logged when the vote closes ("live: ballots committed"): how
// many batches, how long their transactions took, how long ballots waited
// for their batch. It tells a slow acknowledgement's cause — the database
// (commit) or the queue (the writer busy, the process short of CPU) —
// without a profiler.
type voteStats struct {
	ballots, batches, maxBatch int             // ballots: requests, refused ones included
	commits                    []time.Duration // per batch
	waits                      []time.Duration // per ballot: queued until its batch began
}

// BallotStatsMessage is the message of the log record a vote's close writes
// with its voteStats (attributes vote, requests, batches, batch_mean,
// batch_max, commit_p50/p99/max, queue_p50/p99/max).
const BallotStatsMessage = "live: ballots committed"

// maxVoteStats bounds the votes recorded at once (votes closed on another
// instance are never logged here); maxStatSamples the samples per vote.
const (
	maxVoteStats   = 64
	maxStatSamples = 100_000
)

func (s *Service) recordBatch(batch []*ballotReq, began time.Time, took time.Duration) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	if s.stats == nil {
		s.stats = map[int64]*voteStats{}
	}
	seen := map[int64]int{}
	for _, r := range batch {
		st := s.stats[r.b.VoteID]
		if st == nil {
			if len(s.stats) >= maxVoteStats {
				clear(s.stats)
			}
			st = &voteStats{}
			s.stats[r.b.VoteID] = st
		}
		st.ballots++
		seen[r.b.VoteID]++
		if len(st.waits) < maxStatSamples {
			st.waits = append(st.waits, began.Sub(r.at))
		}
	}
	for id, n := range seen {
		st := s.stats[id]
		st.batches++
		st.maxBatch = max(st.maxBatch, n)
		if len(st.commits) < maxStatSamples {
			st.commits = append(st.commits, took)
		}
	}
}

// logVoteStats logs and forgets the vote's batch record.
func (s *Service) logVoteStats(voteID int64) {
	s.statsMu.Lock()
	st := s.stats[voteID]
	delete(s.stats, voteID)
	s.statsMu.Unlock()
	if st == nil || st.batches == 0 {
		return
	}
	slices.Sort(st.commits)
	slices.Sort(st.waits)
	s.logger.Info(BallotStatsMessage, "vote", voteID, "requests", st.ballots, "batches", st.batches,
		"batch_mean", float64(int(10*float64(st.ballots)/float64(st.batches)))/10, "batch_max", st.maxBatch,
		"commit_p50", quantile(st.commits, 0.5), "commit_p99", quantile(st.commits, 0.99), "commit_max", st.commits[len(st.commits)-1],
		"queue_p50", quantile(st.waits, 0.5), "queue_p99", quantile(st.waits, 0.99), "queue_max", st.waits[len(st.waits)-1])
}

// quantile of sorted durations, rounded for the log.
func quantile(d []time.Duration, q float64) time.Duration {
	return d[min(len(d)-1, int(q*float64(len(d))))].Round(10 * time.Microsecond)
}

// New starts a service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, logger: cfg.Logger, quorum: cfg.Quorum, remoteKinds: cfg.RemoteKinds, maxBatch: cfg.MaxBatch}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.remoteKinds == nil {
		s.remoteKinds = []string{ratsnetz.VoteOpen, ratsnetz.VoteNamed}
	}
	if s.maxBatch <= 0 {
		s.maxBatch = 2000
	}
	switch {
	case cfg.ProgressInterval == 0:
		s.progress = time.Second
	case cfg.ProgressInterval > 0:
		s.progress = cfg.ProgressInterval
	}
	if cfg.HubInterval == 0 {
		cfg.HubInterval = DefaultHubInterval
	}
	s.Hub = newHub(cfg.Store, s.logger, cfg.HubBuffer, max(0, cfg.HubInterval))
	s.ballots = make(chan *ballotReq, 4*s.maxBatch)
	s.wg.Add(1)
	go s.writeBallots()
	return s
}

// Close stops accepting ballots, lets the writer commit what is queued and
// stops the hub.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.ballots)
	s.mu.Unlock()
	s.wg.Wait()
	return s.Hub.Close()
}

// errClosed answers ballots after Close.
var errClosed = ratsnetz.Errorf(ratsnetz.ECONFLICT, "Der Dienst wird gerade beendet; bitte erneut abstimmen.")

// writeBallots is the group commit: it takes every ballot waiting, commits
// them in one transaction and answers each caller after the commit. While
// one batch commits, the next one gathers, so the batch size grows with the
// load and the flushes per second stay bounded.
//
// Progress events are paced: a batch carries the vote.progress events of
// its votes only if the last ones are at least the progress interval old;
// otherwise the votes wait, and once the interval has passed without such a
// batch the writer records their progress in a transaction of its own.
func (s *Service) writeBallots() {
	defer s.wg.Done()
	batch := make([]*ballotReq, 0, s.maxBatch)
	pending := map[int64]int64{} // vote → meeting, progress not yet recorded
	var lastProgress time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	timerOn := false
	for {
		var first *ballotReq
		select {
		case r, ok := <-s.ballots:
			if !ok {
				s.recordProgress(pending)
				return
			}
			first = r
		case <-timer.C:
			timerOn = false
			if len(pending) > 0 {
				s.recordProgress(pending)
				lastProgress = time.Now()
			}
			continue
		}
		batch = append(batch[:0], first)
	gather:
		for len(batch) < s.maxBatch {
			select {
			case r, ok := <-s.ballots:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		bs := make([]ratsnetz.Ballot, len(batch))
		for i, r := range batch {
			bs[i] = r.b
		}
		withProgress := s.progress == 0 || time.Since(lastProgress) >= s.progress
		cast := s.store.CastLiveBallotsQuiet
		if withProgress {
			cast = s.store.CastLiveBallots
		}
		// The batch is not tied to any one caller's context: callers that
		// gave up still get their ballot committed (a retry counts once).
		began := time.Now()
		errs, err := cast(context.Background(), bs)
		s.recordBatch(batch, began, time.Since(began))
		meetings := map[int64]bool{}
		for i, r := range batch {
			switch {
			case err != nil:
				s.logger.Error("live: commit ballots", "n", len(batch), "err", err)
				r.done <- ratsnetz.Errorf(ratsnetz.EINTERNAL, "Die Stimme konnte nicht gespeichert werden; bitte erneut abstimmen.")
			default:
				r.done <- errs[i]
				if errs[i] == nil {
					if withProgress {
						meetings[r.meet] = true
						delete(pending, r.b.VoteID)
					} else {
						pending[r.b.VoteID] = r.meet
					}
				}
			}
		}
		if withProgress && err == nil {
			lastProgress = time.Now()
		}
		for id := range meetings {
			s.Hub.Wake(id)
		}
		if len(pending) > 0 && !timerOn {
			timer.Reset(max(0, s.progress-time.Since(lastProgress)))
			timerOn = true
		}
	}
}

// recordProgress appends the progress events of the pending votes.
func (s *Service) recordProgress(pending map[int64]int64) {
	for vote, meet := range pending {
		if err := s.store.RecordLiveVoteProgress(context.Background(), vote); err != nil {
			s.logger.Error("live: vote progress", "vote", vote, "err", err)
			continue
		}
		delete(pending, vote)
		s.Hub.Wake(meet)
	}
}

// Cast casts the ballot of the viewer's person in vote voteID of meeting
// meetingID and returns once it is durably stored (or refused). Who may vote
// was fixed when the vote opened (present, voting right, no conflict), and
// the store checks the ballot against it.
func (s *Service) Cast(ctx context.Context, meetingID, voteID int64, option string) error {
	v := ratsnetz.ViewerFromContext(ctx)
	if v.PersonID == 0 {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur Mitglieder können abstimmen.")
	}
	r := &ballotReq{b: ratsnetz.Ballot{VoteID: voteID, PersonID: v.PersonID, Option: option}, meet: meetingID, at: time.Now(), done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.ballots <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Access returns the viewer's access to the meeting (ENOTFOUND when the
// meeting is not visible to the viewer).
func (s *Service) Access(ctx context.Context, meetingID int64) (ratsnetz.LiveAccess, error) {
	return s.store.LiveAccessOf(ctx, meetingID)
}

func (s *Service) manage(ctx context.Context, meetingID int64) error {
	acc, err := s.store.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return err
	}
	if !acc.Manages() {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur Sitzungsleitung und Sitzungsdienst können das.")
	}
	return nil
}

// after wakes the hub for the meeting once a command committed.
func (s *Service) after(meetingID int64, err error) error {
	if err == nil {
		s.Hub.Wake(meetingID)
	}
	return err
}

// Start starts or resumes the meeting.
func (s *Service) Start(ctx context.Context, meetingID int64) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.StartLiveMeeting(ctx, meetingID)
	return s.after(meetingID, err)
}

// SetState interrupts or closes the meeting.
func (s *Service) SetState(ctx context.Context, meetingID int64, state, reason string) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.SetLiveMeetingState(ctx, meetingID, state, reason)
	return s.after(meetingID, err)
}

// SetItem calls up an agenda item.
func (s *Service) SetItem(ctx context.Context, meetingID, itemID int64) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.SetLiveItem(ctx, meetingID, itemID)
	return s.after(meetingID, err)
}

// SetPart switches between the public and the non-public part.
func (s *Service) SetPart(ctx context.Context, meetingID int64, nonPublic bool) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.SetLivePart(ctx, meetingID, nonPublic)
	return s.after(meetingID, err)
}

// SetPresence checks a member in or out: members themselves, or the office
// and chair for anyone on the roster.
func (s *Service) SetPresence(ctx context.Context, meetingID, personID int64, presence string) error {
	acc, err := s.store.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return err
	}
	if personID == 0 {
		personID = acc.PersonID
	}
	if !acc.Manages() && !(acc.Member && acc.PersonID == personID) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur Mitglieder können sich selbst anmelden.")
	}
	_, err = s.store.SetLivePresence(ctx, meetingID, personID, presence)
	return s.after(meetingID, err)
}

// RequestSpeech puts the viewer on the speakers list.
func (s *Service) RequestSpeech(ctx context.Context, meetingID int64, pointOfOrder bool) error {
	acc, err := s.store.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return err
	}
	if !acc.Member {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur Mitglieder können sich zu Wort melden.")
	}
	_, err = s.store.RequestLiveSpeech(ctx, meetingID, acc.PersonID, pointOfOrder)
	return s.after(meetingID, err)
}

// SpeakerAction lets the chair handle the speakers list; members may
// withdraw their own request.
func (s *Service) SpeakerAction(ctx context.Context, meetingID, requestID int64, action string, seconds int) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	return s.after(meetingID, s.store.LiveSpeakerAction(ctx, meetingID, requestID, action, seconds))
}

// RemoteAllowed reports whether remote members may take part in votes of
// the kind (the installation's rule).
func (s *Service) RemoteAllowed(kind string) bool { return slices.Contains(s.remoteKinds, kind) }

// OpenVote opens a vote; remote members take part only if the kind allows it.
func (s *Service) OpenVote(ctx context.Context, v *ratsnetz.LiveVote) error {
	if err := s.manage(ctx, v.MeetingID); err != nil {
		return err
	}
	return s.after(v.MeetingID, s.store.OpenLiveVote(ctx, v, s.quorum, s.RemoteAllowed(v.Kind)))
}

// CloseVote closes and counts a vote.
func (s *Service) CloseVote(ctx context.Context, meetingID, voteID int64) (*ratsnetz.LiveVote, error) {
	if err := s.vote(ctx, meetingID, voteID); err != nil {
		return nil, err
	}
	v, err := s.store.CloseLiveVote(ctx, voteID)
	if err == nil {
		s.logVoteStats(voteID)
	}
	return v, s.after(meetingID, err)
}

// ShowOfHands closes a vote with a result counted by hand.
func (s *Service) ShowOfHands(ctx context.Context, meetingID, voteID int64, counts map[string]int) (*ratsnetz.LiveVote, error) {
	if err := s.vote(ctx, meetingID, voteID); err != nil {
		return nil, err
	}
	v, err := s.store.EnterShowOfHands(ctx, voteID, counts, nil)
	if err == nil {
		s.logVoteStats(voteID)
	}
	return v, s.after(meetingID, err)
}

func (s *Service) vote(ctx context.Context, meetingID, voteID int64) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	v, err := s.store.FindLiveVoteByID(ctx, voteID)
	if err != nil {
		return err
	}
	if v.MeetingID != meetingID {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Die Abstimmung gibt es nicht.")
	}
	return nil
}

// PostChat posts to a channel the viewer belongs to: the meeting chat for
// participants, the own faction's channel, or the direct line to the office
// (members: their own line; the office: any member's line).
func (s *Service) PostChat(ctx context.Context, meetingID int64, channel, author, text string) error {
	acc, err := s.store.LiveAccessOf(ctx, meetingID)
	if err != nil {
		return err
	}
	if !acc.CanSee(channel) || channel == ratsnetz.AudiencePublic || channel == ratsnetz.AudienceEntitled || channel == ratsnetz.AudienceOffice ||
		(strings.HasPrefix(channel, ratsnetz.AudienceDirectPrefix) && !acc.Office && !acc.Member) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "In diesen Kanal können Sie nicht schreiben.")
	}
	v := ratsnetz.ViewerFromContext(ctx)
	msg := &ratsnetz.ChatMessage{MeetingID: meetingID, Channel: channel, AuthorID: v.AccountID, Author: author, Text: text}
	return s.after(meetingID, s.store.PostLiveChat(ctx, msg))
}

// LinkLost records a dropped connection of a remote member (reported by the
// office or by the member's device on reconnect).
func (s *Service) LinkLost(ctx context.Context, meetingID, personID int64) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.RecordLinkLost(ctx, meetingID, personID)
	return s.after(meetingID, err)
}

// LinkRestored closes a member's link failure.
func (s *Service) LinkRestored(ctx context.Context, meetingID, personID int64) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	_, err := s.store.RecordLinkRestored(ctx, meetingID, personID)
	return s.after(meetingID, err)
}

// ChairDecision records the chair's decision on a link failure.
func (s *Service) ChairDecision(ctx context.Context, meetingID, failureID int64, decision string) error {
	if err := s.manage(ctx, meetingID); err != nil {
		return err
	}
	return s.after(meetingID, s.store.RecordChairDecision(ctx, meetingID, failureID, decision))
}

// Backlog returns the meeting's events after afterSeq that access may see,
// read from the log in pages.
func (s *Service) Backlog(ctx context.Context, meetingID, afterSeq int64, access ratsnetz.LiveAccess, fn func(*Event) error) (int64, error) {
	last := afterSeq
	for {
		evs, err := s.store.FindLiveEventsUnfiltered(ctx, meetingID, last, 1000)
		if err != nil {
			return last, err
		}
		for _, e := range evs {
			last = e.Seq
			if !access.CanSee(e.Audience) {
				continue
			}
			if err := fn(NewEvent(e)); err != nil {
				return last, err
			}
		}
		if len(evs) < 1000 {
			return last, nil
		}
	}
}

// Store returns the service's store, for the read-only pages.
func (s *Service) Store() Store { return s.store }

// IsClosed reports whether err is the service's shutdown answer.
func IsClosed(err error) bool { return errors.Is(err, errClosed) }
