package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/bench"
	"github.com/ratsnetz/ratsnetz/live"
	"github.com/ratsnetz/ratsnetz/live/loadtest"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// benchLive is `ratsnetz bench-live`: it prepares a council of --voters
// members with logged-in sessions in the database (SQLite in a fresh data
// directory, or --database-url), starts the server — in this process
// (--instances 0), as --instances separate `ratsnetz serve` processes on
// ports from --first-port (the load generator then runs apart from the
// servers; two or more on PostgreSQL share the database and deliver events
// to each other by LISTEN/NOTIFY), or uses running servers (--target) —
// connects --participants SSE streams (the public) spread over the
// instances, opens a vote and has every member vote over HTTP (JSON
// ballots, spread over the instances): all at once (burst), or with --rate
// as an open-loop arrival process (Poisson or evenly spaced at that rate,
// each ballot sent at its arrival time whether or not earlier ones were
// answered; its latency counts from the arrival time, so a generator that
// falls behind shows in the numbers) followed by a second vote as a burst
// (unless --burst=false). For each vote it prints offered and achieved
// ballots/s,
// acknowledgement latency percentiles, the time until the result reached
// every stream after the close, the events each stream saw, the CPU time of
// the servers and of the PostgreSQL backends per ballot, and the servers'
// peak RSS.
func benchLive(ctx context.Context, cfg app.Config, fs *flag.FlagSet, args []string, stdout io.Writer, logger *slog.Logger) error {
	voters := fs.Int("voters", 5000, "Zahl der Abstimmenden")
	participants := fs.Int("participants", 5000, "Zahl der SSE-Verbindungen")
	kind := fs.String("kind", ratsnetz.VoteOpen, "Abstimmungsart: offen, namentlich, geheim")
	instances := fs.Int("instances", 0, "Server als eigene Prozesse (ratsnetz serve); 0 = im Prozess des Lastgenerators")
	firstPort := fs.Int("first-port", 18160, "erster Port der Server-Prozesse")
	target := fs.String("target", "", "laufende Server statt eigener (kommagetrennte Basis-URLs; Datenbank wie dort angeben)")
	cpuProfile := fs.String("cpuprofile", "", "CPU-Profil der (letzten) Abstimmungsphase in diese Datei (nur --instances 0)")
	rate := fs.Float64("rate", 0, "Stimmen je Sekunde, über die Abstimmung verteilt eintreffend (offene Last); 0 = alle auf einmal")
	arrival := fs.String("arrival", "poisson", "Ankunftsmuster bei --rate: poisson oder gleichmaessig")
	burst := fs.Bool("burst", true, "mit --rate danach eine zweite Abstimmung, bei der alle auf einmal abstimmen")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *arrival != "poisson" && *arrival != "gleichmaessig" {
		return fmt.Errorf("Das Ankunftsmuster %q ist unbekannt; erlaubt sind poisson und gleichmaessig.", *arrival)
	}
	// cfg is a copy taken before the flags were parsed: take the parsed
	// database settings from the flags themselves.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "data":
			cfg.DataDir = f.Value.String()
		case "database-url":
			cfg.DatabaseURL = f.Value.String()
		}
	})
	raiseFileLimit()
	if cfg.DatabaseURL == "" && *target == "" {
		dir, err := os.MkdirTemp("", "ratsnetz-bench-live-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	cfg.SearchIndexer = "off"
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
	t0 := time.Now()
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
	prepared := time.Since(t0)

	// The servers. In this process, the group commit's per-vote record
	// ("live: ballots committed") is kept for the report.
	commitLog := &commitStats{}
	var bases []string
	var procs []*serveProc
	switch {
	case *target != "":
		for _, u := range strings.Split(*target, ",") {
			bases = append(bases, strings.TrimRight(strings.TrimSpace(u), "/"))
		}
	case *instances > 0:
		for i := 0; i < *instances; i++ {
			addr := "127.0.0.1:" + strconv.Itoa(*firstPort+i)
			cmd, err := startServe(ctx, cfg, addr, i)
			if err != nil {
				return err
			}
			defer stopServe(cmd)
			procs = append(procs, cmd)
			bases = append(bases, "http://"+addr)
		}
	default:
		cfg.Addr = "127.0.0.1:0"
		m := app.NewMain(cfg, slog.New(commitLog))
		if err := m.Open(ctx); err != nil {
			return err
		}
		defer m.Close()
		bases = []string{m.URL()}
	}
	for _, b := range bases {
		if err := waitHealthy(ctx, b); err != nil {
			return err
		}
	}
	client := loadtest.NewHTTPClient()
	where := "in-process"
	if len(procs) > 0 {
		where = fmt.Sprintf("%d serve process(es)", len(procs))
	} else if *target != "" {
		where = "target " + *target
	}
	fmt.Fprintf(stdout, "bench-live: %s, %s, %d voters, %d SSE participants, vote %s\n", map[bool]string{true: "PostgreSQL", false: "SQLite"}[cfg.IsPostgres()], where, n, *participants, *kind)
	fmt.Fprintf(stdout, "  prepared council (accounts, sessions, roster) in %s\n", prepared.Round(time.Millisecond))

	// Participants, spread over the instances; they start where a page
	// loaded now would (its ?nach=).
	lm, err := db.FindLiveMeeting(sys, mid)
	if err != nil {
		return err
	}
	sctx, scancel := context.WithCancel(ctx)
	var swg sync.WaitGroup
	var connected, gotResult atomic.Int64
	var lastResult atomic.Int64 // unix nanos of the latest arrival
	events := make([]atomic.Int64, *participants)
	t0 = time.Now()
	for i := 0; i < *participants; i++ {
		s := &loadtest.Stream{Base: bases[i%len(bases)], MeetingID: mid, Client: client, LastID: lm.LastSeq}
		var once sync.Once
		s.OnConnect = func() { once.Do(func() { connected.Add(1) }) }
		swg.Add(1)
		go func() {
			defer swg.Done()
			s.Run(sctx, func(e loadtest.Event) error {
				events[i].Add(1)
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
	for deadline := time.Now().Add(180 * time.Second); connected.Load() < int64(*participants) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(stdout, "  connected streams: %d in %s\n", connected.Load(), time.Since(t0).Round(time.Millisecond))

	// Voters fetch their session's CSRF token once (GET /live/{id}/zugang),
	// all at once, like devices loading the page when the vote is called:
	// each keeps its connection (keep-alive) for the ballot.
	vs := make([]*loadtest.Voter, n)
	var wg sync.WaitGroup
	var loginFailed atomic.Int64
	t0 = time.Now()
	for i := range vs {
		vs[i] = &loadtest.Voter{Base: bases[i%len(bases)], Session: council.Tokens[i], Client: client}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := vs[i].Login(ctx, mid); err != nil {
				if loginFailed.Add(1) <= 3 {
					logger.Warn("token", "i", i, "err", err)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(stdout, "  voter tokens: %d in %s (%d failed)\n", n, time.Since(t0).Round(time.Millisecond), loginFailed.Load())
	office := &loadtest.Voter{Base: bases[0], Session: council.Office, Client: client}
	if err := office.Login(ctx, mid); err != nil {
		return err
	}
	vb := &voteBench{ctx: ctx, db: db, mid: mid, office: office, voters: vs, kind: *kind, procs: procs, commitLog: commitLog,
		pg: cfg.IsPostgres(), out: stdout, gotResult: &gotResult, lastResult: &lastResult, connected: &connected}
	vb.pgPIDs = pgBackends(ctx, db, vb.pg)
	var phases []string
	if *rate > 0 {
		phases = append(phases, "paced")
	}
	if *rate <= 0 || *burst {
		phases = append(phases, "burst")
	}
	for i, phase := range phases {
		profile := ""
		if i == len(phases)-1 {
			profile = *cpuProfile // the last phase (the burst, if any)
		}
		if err := vb.run(phase, *rate, *arrival, profile); err != nil {
			return err
		}
	}
	// Every stream must have seen the same events (each instance delivers
	// every event, also those committed on another instance).
	lo, hi := int64(-1), int64(0)
	perBase := make([]int64, len(bases))
	for i := range events {
		c := events[i].Load()
		if lo < 0 || c < lo {
			lo = c
		}
		hi = max(hi, c)
		perBase[i%len(bases)] += c
	}
	fmt.Fprintf(stdout, "  events per stream: min %d max %d (per instance total %v)\n", lo, hi, perBase)
	for i, p := range procs {
		fmt.Fprintf(stdout, "  peak RSS server %d: %s\n", i, procStatus(p.Process.Pid, "VmHWM:"))
	}
	label := "this process (generator)"
	if len(procs) == 0 && *target == "" {
		label = "this process (server + generator)"
	}
	fmt.Fprintf(stdout, "  peak RSS %s: %s\n", label, procStatus(os.Getpid(), "VmHWM:"))
	return nil
}

// raiseFileLimit lifts the soft limit of open files to the hard one:
// every stream and voter is a connection (children inherit it).
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// startServe starts `ratsnetz serve` (this binary) on addr with the bench's
// database; its log goes to a file in the temp directory.
func startServe(ctx context.Context, cfg app.Config, addr string, i int) (*serveProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--base-url", "http://" + addr}
	if cfg.IsPostgres() {
		args = append(args, "--database-url", cfg.DatabaseURL)
	} else {
		args = append(args, "--data", cfg.DataDir)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "RATSNETZ_SEARCH_INDEXER=off")
	// No GOMEMLIMIT of its own: the servers run with serve's default soft
	// limit (or the GOMEMLIMIT this process was started with).
	f, err := os.Create(serveLogPath(i))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &serveProc{Cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

// serveLogPath is where server process i of the bench logs.
func serveLogPath(i int) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("ratsnetz-bench-live-serve-%d.log", i))
}

// serveProc is a started server process; done is closed when it exited.
type serveProc struct {
	*exec.Cmd
	done chan struct{}
}

func stopServe(p *serveProc) {
	p.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.Process.Kill()
		<-p.done
	}
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server %s not ready: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serverCPU is the user+system CPU time of the server processes, or of this
// process when the server runs in it.
func serverCPU(procs []*serveProc) time.Duration {
	if len(procs) == 0 {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	pids := make([]int, len(procs))
	for i, p := range procs {
		pids[i] = p.Process.Pid
	}
	return procsCPU(pids)
}

// pgBackends lists the PostgreSQL backends connected to the bench's
// database (the server reads their CPU time from /proc: same machine).
func pgBackends(ctx context.Context, db *sqlstore.DB, pg bool) []int {
	if !pg {
		return nil
	}
	rows, err := db.ReadDB().QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			out = append(out, pid)
		}
	}
	return out
}

// procsCPU sums utime+stime of the processes from /proc/<pid>/stat.
func procsCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		if cpu, err := bench.ProcessCPU(pid); err == nil {
			total += cpu
		}
	}
	return total
}

func procStatus(pid int, key string) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, key) {
			return strings.TrimSpace(strings.TrimPrefix(line, key))
		}
	}
	return "?"
}

// voteBench runs votes of bench-live on prepared voters and streams.
type voteBench struct {
	ctx        context.Context
	db         *sqlstore.DB
	mid        int64
	office     *loadtest.Voter
	voters     []*loadtest.Voter
	kind       string
	procs      []*serveProc
	pg         bool
	pgPIDs     []int
	out        io.Writer
	gotResult  *atomic.Int64
	lastResult *atomic.Int64
	connected  *atomic.Int64
	commitLog  *commitStats
}

// arrivals returns n arrival offsets at rate per second: evenly spaced or
// a Poisson process (exponential gaps; fixed seed, so runs compare).
func arrivals(n int, rate float64, pattern string) []time.Duration {
	out := make([]time.Duration, n)
	rng := rand.New(rand.NewPCG(7, 2026))
	t := 0.0
	for i := range out {
		out[i] = time.Duration(t * float64(time.Second))
		if pattern == "poisson" {
			t += rng.ExpFloat64() / rate
		} else {
			t += 1 / rate
		}
	}
	return out
}

// run opens a vote, has every voter cast a ballot (phase "paced": at the
// arrival times of rate; "burst": all at once), closes it and reports.
func (b *voteBench) run(phase string, rate float64, pattern, cpuProfile string) error {
	ctx, db, out := b.ctx, b.db, b.out
	sys := ratsnetz.SystemContext(ctx)
	ctl := "/live/" + strconv.FormatInt(b.mid, 10) + "/steuerung"
	title := "Lastprobe " + phase
	if st, body, err := b.office.Post(ctx, ctl, url.Values{"aktion": {"abstimmung"}, "titel": {title}, "art": {b.kind}, "top": {strconv.Itoa(live.FixturePublicItem)}}); err != nil || st != http.StatusOK {
		return fmt.Errorf("open vote: %d %s %v", st, body, err)
	}
	votes, err := db.FindLiveVotes(sys, b.mid)
	if err != nil || len(votes) == 0 {
		return fmt.Errorf("find vote: %v", err)
	}
	voteID := votes[len(votes)-1].ID
	n := len(b.voters)
	var at []time.Duration
	if phase == "paced" {
		at = arrivals(n, rate, pattern)
		fmt.Fprintf(out, "  vote %d (%s, %s arrival, offered %.0f ballots/s over %s):\n", voteID, phase, pattern,
			float64(n-1)/at[n-1].Seconds(), at[n-1].Round(time.Millisecond))
	} else {
		fmt.Fprintf(out, "  vote %d (burst: all %d ballots sent at once):\n", voteID, n)
	}

	cpu0 := serverCPU(b.procs)
	pg0 := procsCPU(b.pgPIDs)
	var pf *os.File
	if cpuProfile != "" {
		if pf, err = os.Create(cpuProfile); err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, n)
	statuses := make([]int, n)
	var ok atomic.Int64
	var lastAck atomic.Int64
	var lag time.Duration // how late the generator sent the latest ballot
	var wg sync.WaitGroup
	start := time.Now()
	for i := range b.voters {
		arrive := start
		if at != nil {
			arrive = start.Add(at[i])
			if d := time.Until(arrive); d > 0 {
				time.Sleep(d)
			} else {
				lag = max(lag, -d)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := b.voters[i].Cast(ctx, b.mid, voteID, benchOption(i))
			now := time.Now()
			lat[i] = now.Sub(arrive) // from the arrival: the generator's delays count
			statuses[i] = st
			if err == nil && st == http.StatusOK {
				ok.Add(1)
				for {
					old := lastAck.Load()
					if now.UnixNano() <= old || lastAck.CompareAndSwap(old, now.UnixNano()) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Unix(0, lastAck.Load()).Sub(start)
	if pf != nil {
		pprof.StopCPUProfile()
		pf.Close()
	}
	cpu1 := serverCPU(b.procs)
	pg1 := procsCPU(b.pgPIDs)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Fprintf(out, "    ballots: %d acknowledged of %d, last after %s = %.0f ballots/s achieved\n", ok.Load(), n, elapsed.Round(time.Millisecond), float64(ok.Load())/elapsed.Seconds())
	if at != nil {
		fmt.Fprintf(out, "    generator: latest send %s behind its arrival time\n", lag.Round(time.Millisecond))
	}
	if ok.Load() < int64(n) {
		byStatus := map[int]int{}
		for _, st := range statuses {
			byStatus[st]++
		}
		fmt.Fprintf(out, "    statuses: %v\n", byStatus)
	}
	fmt.Fprintf(out, "    acknowledgement: p50 %s  p95 %s  p99 %s  max %s\n", pct(0.5).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	if ok.Load() > 0 {
		label := "server processes"
		if len(b.procs) == 0 {
			label = "this process (server + generator)"
		}
		srv := cpu1 - cpu0
		fmt.Fprintf(out, "    CPU during the vote: %s %.2f s = %.0f µs/ballot", label, srv.Seconds(), float64(srv.Microseconds())/float64(ok.Load()))
		if b.pg {
			pgc := pg1 - pg0
			fmt.Fprintf(out, "; PostgreSQL backends (%d) %.2f s = %.0f µs/ballot", len(b.pgPIDs), pgc.Seconds(), float64(pgc.Microseconds())/float64(ok.Load()))
		}
		fmt.Fprintln(out)
	}

	b.gotResult.Store(0)
	closeAt := time.Now()
	if st, body, err := b.office.Post(ctx, ctl, url.Values{"aktion": {"schliessen-abstimmung"}, "abstimmung": {strconv.FormatInt(voteID, 10)}}); err != nil || st != http.StatusOK {
		return fmt.Errorf("close vote: %d %s %v", st, body, err)
	}
	for deadline := time.Now().Add(60 * time.Second); b.gotResult.Load() < b.connected.Load() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Fprintf(out, "    result on %d of %d streams, last %s after the close request was sent\n", b.gotResult.Load(), b.connected.Load(),
		time.Unix(0, b.lastResult.Load()).Sub(closeAt).Round(time.Millisecond))
	b.printCommitStats(voteID)
	v, err := db.FindLiveVoteByID(sys, voteID)
	if err == nil && v.Result != nil {
		js, _ := json.Marshal(v.Result.Counts)
		fmt.Fprintf(out, "    stored result: voted %d %s\n", v.Result.Voted, js)
	}
	return nil
}

// benchOption is voter i's choice: 80 % Ja, 10 % Nein, 10 % Enthaltung
// (every counter of a secret vote moves).
func benchOption(i int) string {
	switch i % 10 {
	case 0:
		return ratsnetz.OptionNo
	case 1:
		return ratsnetz.OptionAbstain
	}
	return ratsnetz.OptionYes
}

// commitStatsMsg is the group commit's log line at a vote's close (live.Service).
const commitStatsMsg = live.BallotStatsMessage

// printCommitStats prints each server's group-commit record of the vote:
// batches, their transactions' duration and how long ballots waited for
// their batch — whether a slow acknowledgement came from the database or
// from the queue. Servers in this process log to commitLog; serve
// processes to their log file.
func (b *voteBench) printCommitStats(voteID int64) {
	if len(b.procs) == 0 {
		if line := b.commitLog.line(voteID); line != "" {
			fmt.Fprintf(b.out, "    group commit: %s\n", line)
		}
		return
	}
	for i := range b.procs {
		data, err := os.ReadFile(serveLogPath(i))
		if err != nil {
			continue
		}
		if line := commitStatsLine(string(data), voteID); line != "" {
			fmt.Fprintf(b.out, "    group commit (server %d): %s\n", i, line)
		}
	}
}

// commitStatsLine finds the vote's group-commit record in a serve log (text
// format) and returns its attributes after the vote.
func commitStatsLine(log string, voteID int64) string {
	key := "msg=" + strconv.Quote(commitStatsMsg) + " vote=" + strconv.FormatInt(voteID, 10) + " "
	for _, l := range strings.Split(log, "\n") {
		if i := strings.Index(l, key); i >= 0 {
			return l[i+len(key):]
		}
	}
	return ""
}

// commitStats is a slog handler that keeps the group commit's records of
// the server running in this process (everything else is discarded, as
// before).
type commitStats struct {
	mu    sync.Mutex
	lines map[int64]string
}

func (h *commitStats) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (h *commitStats) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *commitStats) WithGroup(string) slog.Handler                { return h }

func (h *commitStats) Handle(_ context.Context, r slog.Record) error {
	if r.Message != commitStatsMsg {
		return nil
	}
	var vote int64
	var b strings.Builder
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "vote" {
			vote = a.Value.Int64()
			return true
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", a.Key, a.Value)
		return true
	})
	h.mu.Lock()
	if h.lines == nil {
		h.lines = map[int64]string{}
	}
	h.lines[vote] = b.String()
	h.mu.Unlock()
	return nil
}

func (h *commitStats) line(voteID int64) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[voteID]
}
