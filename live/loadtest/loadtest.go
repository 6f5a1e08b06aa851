// Package loadtest drives live meetings over real HTTP: it prepares a
// council of n members with logged-in sessions in the database, casts
// ballots through the portal's JSON endpoint and follows the server-sent
// event stream with resume (Last-Event-ID). The bench command
// (ratsnetz bench-live) and the crash test use it.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/token"
)

// SessionCookie is the portal's session cookie name on plain HTTP.
const SessionCookie = "ratsnetz-sitzung"

// Council is a prepared council: member i has person live.FixtureFirstPerson+i
// and session token Tokens[i]; Office is the council office's token.
type Council struct {
	N      int
	Tokens []string
	Office string
}

// Prepare loads the live fixture of n members into db (if not there yet),
// creates an account and a logged-in session (two factors passed) per
// member and one for the council office.
func Prepare(ctx context.Context, db *sqlstore.DB, n int, now time.Time) (*Council, error) {
	sys := ratsnetz.SystemContext(ctx)
	if _, err := db.FindMeetingByID(sys, live.FixtureMeeting); err != nil {
		if err := db.Load(sys, live.Fixture(n, now)); err != nil {
			return nil, fmt.Errorf("load fixture: %w", err)
		}
	}
	c := &Council{N: n, Tokens: make([]string, n)}
	session := func(a *ratsnetz.Account) (string, error) {
		if err := db.CreateAccount(ctx, a); err != nil {
			if ratsnetz.ErrorCode(err) != ratsnetz.ECONFLICT {
				return "", err
			}
			if a, err = db.FindAccountByLogin(ctx, a.Email); err != nil {
				return "", err
			}
		}
		raw, hash, err := token.New(nil)
		if err != nil {
			return "", err
		}
		s := &ratsnetz.Session{TokenHash: hash, AccountID: a.ID, Created: now, LastSeen: now, Expires: now.Add(24 * time.Hour), TwoFactor: true}
		if err := db.CreateSession(ctx, s); err != nil {
			return "", err
		}
		return raw, nil
	}
	var err error
	if c.Office, err = session(&ratsnetz.Account{Email: "lastprobe-buero@musterstadt.example", Active: true, DisplayName: "Sitzungsdienst",
		Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: live.FixtureBody}}}); err != nil {
		return nil, fmt.Errorf("office session: %w", err)
	}
	for i := 0; i < n; i++ {
		a := &ratsnetz.Account{Email: fmt.Sprintf("lastprobe-%05d@musterstadt.example", i), PersonID: int64(live.FixtureFirstPerson + i),
			Active: true, Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindMandateHolder}}}
		if c.Tokens[i], err = session(a); err != nil {
			return nil, fmt.Errorf("member session %d: %w", i, err)
		}
	}
	return c, nil
}

// NewHTTPClient returns a client for many parallel connections to one host.
func NewHTTPClient() *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        20000,
		MaxIdleConnsPerHost: 20000,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Voter is one logged-in member's client.
type Voter struct {
	Base    string
	Session string
	CSRF    string
	Client  *http.Client
}

// Login fetches the CSRF token of the session from the live token endpoint
// (GET /live/{id}/zugang), as a voting device does once.
func (v *Voter) Login(ctx context.Context, meetingID int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/live/%d/zugang", v.Base, meetingID), nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: v.Session})
	resp, err := v.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		CSRF string `json:"csrf"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&out); err != nil {
		return fmt.Errorf("token endpoint: %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || out.CSRF == "" {
		return fmt.Errorf("token endpoint: %s", resp.Status)
	}
	v.CSRF = out.CSRF
	return nil
}

// Post sends a form as the member and returns the HTTP status (JSON answer).
func (v *Voter) Post(ctx context.Context, path string, form url.Values) (int, string, error) {
	form.Set("csrf", v.CSRF)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", v.Base)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: v.Session})
	resp, err := v.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), nil
}

// Cast casts a ballot as JSON with the CSRF token in a header (the
// devices' fast path) and returns the HTTP status; 200 means acknowledged:
// the ballot is durably stored.
func (v *Voter) Cast(ctx context.Context, meetingID, voteID int64, option string) (status int, err error) {
	body, _ := json.Marshal(map[string]any{"abstimmung": voteID, "stimme": option})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/live/%d/stimme", v.Base, meetingID), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", v.CSRF)
	req.Header.Set("Origin", v.Base)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: v.Session})
	resp, err := v.Client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Event is one received server-sent event.
type Event struct {
	ID   int64
	Type string
	Data string
	At   time.Time
}

// Stream follows a meeting's SSE stream like a browser's EventSource: on a
// dropped connection it reconnects with Last-Event-ID, so it sees every
// event exactly once. fn runs for each event; Stream returns when ctx is
// done or fn returns an error.
type Stream struct {
	Base      string
	MeetingID int64
	Session   string // "" = the public
	Client    *http.Client
	// LastID is the last event ID received (resume point).
	LastID int64
	// Connects counts the connections made (1 + reconnects).
	Connects int
	// OnConnect, if set, runs each time the server accepted the stream
	// (status 200), before any event.
	OnConnect func()

	mu sync.Mutex
}

// Run runs the stream until ctx is done or fn fails.
func (s *Stream) Run(ctx context.Context, fn func(Event) error) error {
	for {
		err := s.once(ctx, fn)
		if ctx.Err() != nil {
			return nil
		}
		var stop stopError
		if errors.As(err, &stop) {
			return stop.err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }

func (s *Stream) once(ctx context.Context, fn func(Event) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/live/%d/ereignisse", s.Base, s.MeetingID), nil)
	if err != nil {
		return stopError{err}
	}
	s.mu.Lock()
	last := s.LastID
	s.Connects++
	s.mu.Unlock()
	if last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.Session != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: s.Session})
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode >= 500 {
			return fmt.Errorf("stream: %s", resp.Status)
		}
		return stopError{fmt.Errorf("stream: %s", resp.Status)}
	}
	if s.OnConnect != nil {
		s.OnConnect()
	}
	sc := bufio.NewScanner(resp.Body)
	// Small to start (thousands of streams per process); grows for big frames.
	sc.Buffer(make([]byte, 0, 1024), 4<<20)
	var ev Event
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Type != "" || ev.Data != "" {
				ev.At = time.Now()
				if ev.ID != 0 {
					s.mu.Lock()
					s.LastID = ev.ID
					s.mu.Unlock()
				}
				if err := fn(ev); err != nil {
					return stopError{err}
				}
			}
			ev = Event{}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data = line[6:]
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// Last returns the last event ID received.
func (s *Stream) Last() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.LastID
}
