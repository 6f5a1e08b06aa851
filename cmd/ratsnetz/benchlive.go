package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// benchLive is `ratsnetz bench-live`: it starts the server in-process (SQLite
// in a fresh data directory, or --database-url), prepares a council of
// --voters members with sessions, connects --participants SSE streams (the
// public), opens one vote and has every member vote at once over HTTP. It
// prints ballots/s, acknowledgement latency percentiles, the time until the
// result reached every stream after the close, and the process's peak RSS
// (server and load generator together: an upper bound for the server).
func benchLive(ctx context.Context, cfg app.Config, fs *flag.FlagSet, args []string, stdout io.Writer, logger *slog.Logger) error {
	voters := fs.Int("voters", 5000, "Zahl der Abstimmenden")
	participants := fs.Int("participants", 5000, "Zahl der SSE-Verbindungen")
	kind := fs.String("kind", ratsnetz.VoteOpen, "Abstimmungsart: offen, namentlich, geheim")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		dir, err := os.MkdirTemp("", "ratsnetz-bench-live-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	cfg.Addr = "127.0.0.1:0"
	var db *sqlstore.DB
	var err error
	if cfg.IsPostgres() {
		db, err = postgres.Open(ctx, cfg.DatabaseURL)
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return err
		}
		db, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "ratsnetz.db"))
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	n := *voters
	council, err := loadtest.Prepare(ctx, db, n, time.Now())
	if err != nil {
		return err
	}
	sys := ratsnetz.SystemContext(ctx)
	mid := int64(live.FixtureMeeting)
	if _, err := db.StartLiveMeeting(sys, mid); err != nil {
		return err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(live.FixtureFirstPerson + i)
	}
	if _, err := db.SetLivePresences(sys, mid, ids, ratsnetz.PresenceInRoom); err != nil {
		return err
	}
	if _, err := db.SetLiveItem(sys, mid, live.FixturePublicItem); err != nil {
		return err
	}
	m := app.NewMain(cfg, nil)
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	base := m.URL()
	client := loadtest.NewHTTPClient()
	fmt.Fprintf(stdout, "bench-live: %s, %d voters, %d SSE participants, vote %s\n", map[bool]string{true: "PostgreSQL", false: "SQLite"}[cfg.IsPostgres()], n, *participants, *kind)

	// Participants.
	sctx, scancel := context.WithCancel(ctx)
	var swg sync.WaitGroup
	var connected, gotResult atomic.Int64
	var lastResult atomic.Int64 // unix nanos of the latest arrival
	for i := 0; i < *participants; i++ {
		s := &loadtest.Stream{Base: base, MeetingID: mid, Client: client}
		swg.Add(1)
		go func() {
			defer swg.Done()
			first := true
			s.Run(sctx, func(e loadtest.Event) error {
				if first {
					first = false
					connected.Add(1)
				}
				if e.Type == ratsnetz.EventVoteClosed {
					gotResult.Add(1)
					for {
						old := lastResult.Load()
						if e.At.UnixNano() <= old || lastResult.CompareAndSwap(old, e.At.UnixNano()) {
							break
						}
					}
				}
				return nil
			})
		}()
	}
	defer func() { scancel(); swg.Wait() }()
	for deadline := time.Now().Add(120 * time.Second); connected.Load() < int64(*participants) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "  connected streams: %d\n", connected.Load())

	// Voters log in (CSRF token per session), a few at a time.
	vs := make([]*loadtest.Voter, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range vs {
		vs[i] = &loadtest.Voter{Base: base, Session: council.Tokens[i], Client: client}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := vs[i].Login(ctx, mid); err != nil {
				logger.Warn("login", "i", i, "err", err)
			}
		}()
	}
	wg.Wait()
	office := &loadtest.Voter{Base: base, Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		return err
	}
	ctl := "/live/" + strconv.FormatInt(mid, 10) + "/steuerung"
	if st, body, err := office.Post(ctx, ctl, url.Values{"aktion": {"abstimmung"}, "titel": {"Lastprobe"}, "art": {*kind}, "top": {strconv.Itoa(live.FixturePublicItem)}}); err != nil || st != http.StatusOK {
		return fmt.Errorf("open vote: %d %s %v", st, body, err)
	}
	votes, err := db.FindLiveVotes(sys, mid)
	if err != nil || len(votes) == 0 {
		return fmt.Errorf("find vote: %v", err)
	}
	voteID := votes[len(votes)-1].ID

	lat := make([]time.Duration, n)
	var ok atomic.Int64
	start := time.Now()
	for i := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			st, err := vs[i].Cast(ctx, mid, voteID, ratsnetz.OptionYes)
			lat[i] = time.Since(t0)
			if err == nil && st == http.StatusOK {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Fprintf(stdout, "  ballots: %d acknowledged of %d in %s = %.0f ballots/s\n", ok.Load(), n, elapsed.Round(time.Millisecond), float64(ok.Load())/elapsed.Seconds())
	fmt.Fprintf(stdout, "  acknowledgement: p50 %s  p90 %s  p99 %s  max %s\n", pct(0.5).Round(time.Millisecond), pct(0.9).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))

	closeAt := time.Now()
	if st, body, err := office.Post(ctx, ctl, url.Values{"aktion": {"schliessen-abstimmung"}, "abstimmung": {strconv.FormatInt(voteID, 10)}}); err != nil || st != http.StatusOK {
		return fmt.Errorf("close vote: %d %s %v", st, body, err)
	}
	for deadline := time.Now().Add(60 * time.Second); gotResult.Load() < connected.Load() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "  result on %d of %d streams, last %s after the close request was sent\n", gotResult.Load(), connected.Load(),
		time.Unix(0, lastResult.Load()).Sub(closeAt).Round(time.Millisecond))
	v, err := db.FindLiveVoteByID(sys, voteID)
	if err == nil && v.Result != nil {
		b, _ := json.Marshal(v.Result.Counts)
		fmt.Fprintf(stdout, "  stored result: voted %d %s\n", v.Result.Voted, b)
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Fprintf(stdout, "  peak RSS (server + load generator): %s\n", strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
			}
		}
	}
	return nil
}
