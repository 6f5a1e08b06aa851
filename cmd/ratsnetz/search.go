package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/bench"
)

const searchUsage = `Aufruf:
  ratsnetz search reindex [--incremental]   Suchindex neu aufbauen (oder nur Geändertes nachtragen);
                                            der volle Neuaufbau setzt den neuen Index am Ende in einer
                                            Transaktion ein – bei SQLite sperrt das alle Schreiber, also
                                            bei laufendem Server --incremental verwenden
  ratsnetz search blocks                    nur die Postingblöcke häufiger Begriffe neu bilden
                                            (macht reindex am Ende selbst; kurze Transaktionen)
  ratsnetz search bench [--n 200] [--cold]  Antwortzeiten der Suche messen (p50/p95 je Anfrageart); vorher
                                            läuft jede Anfrage einmal zum Aufwärmen (kalt gemessen, eigene
                                            Zeile), --cold misst ohne Aufwärmen
`

// searchCmd runs the search subcommands.
func searchCmd(ctx context.Context, cfg *app.Config, fs *flag.FlagSet, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, searchUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	incremental := fs.Bool("incremental", false, "nur neue und geänderte Objekte indexieren")
	n := fs.Int("n", 200, "Wiederholungen je Anfrageart (bench)")
	cold := fs.Bool("cold", false, "ohne Aufwärmen messen: die ersten Anfragen je Wort lesen dann kalt mit (bench)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m := app.NewMain(*cfg, logger)
	if err := m.OpenStorage(ctx); err != nil {
		return err
	}
	defer m.Close()
	switch sub {
	case "reindex":
		return searchReindex(ctx, m, !*incremental, stdout, stderr)
	case "blocks":
		start, cpu0 := time.Now(), cpuTime()
		if err := m.SearchIndex().BuildSearchBlocks(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Postingblöcke gebildet in %s, CPU Prozess %.1f s\n", time.Since(start).Round(time.Millisecond), (cpuTime() - cpu0).Seconds())
		return nil
	case "bench":
		return searchBench(ctx, m, *n, !*cold, stdout)
	default:
		fmt.Fprint(stderr, searchUsage)
		return fmt.Errorf("unbekannter Befehl search %q", sub)
	}
}

func searchReindex(ctx context.Context, m *app.Main, full bool, stdout, stderr io.Writer) error {
	x := m.SearchIndex()
	start, cpu0 := time.Now(), cpuTime()
	total, last := 0, time.Now()
	var backends []int
	var readWall time.Duration
	if full {
		res, err := x.Rebuild(ctx, func(phase string, n int) {
			switch {
			case phase == "merge":
				readWall = time.Since(start)
				fmt.Fprintf(stderr, "… %d Objekte gelesen in %s, der neue Index wird sortiert und eingesetzt\n", n, readWall.Round(time.Second))
			case phase == "blocks":
				fmt.Fprintf(stderr, "… eingesetzt nach %s, die Postingblöcke werden gebildet\n", time.Since(start).Round(time.Second))
			case time.Since(last) > 10*time.Second:
				last = time.Now()
				el := time.Since(start)
				fmt.Fprintf(stderr, "… %d Objekte in %s (%.0f/s)\n", n, el.Round(time.Second), float64(n)/el.Seconds())
			}
		})
		if err != nil {
			return err
		}
		total, backends = res.Objects, res.Backends
		fmt.Fprintf(stdout, "Neu aufgebaut: %d Objekte, %d Einträge, %d Begriffe\n", res.Objects, res.Postings, res.Terms)
	} else {
		for {
			n, err := x.IndexPending(ctx, 2000)
			if err != nil {
				return err
			}
			total += n
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				el := time.Since(start)
				fmt.Fprintf(stderr, "… %d Objekte in %s (%.0f/s)\n", total, el.Round(time.Second), float64(total)/el.Seconds())
			}
			if n == 0 {
				break
			}
		}
		if err := x.OptimizeSearchIndex(ctx); err != nil {
			return err
		}
	}
	wall, cpu := time.Since(start), cpuTime()-cpu0
	size, err := m.DB.SearchIndexSize(ctx)
	if err != nil {
		return err
	}
	perSec := func(d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(total) / d.Seconds()
	}
	fmt.Fprintf(stdout, "Suchindex aufgebaut: %d Objekte in %s (%.0f Objekte/s", total, wall.Round(time.Millisecond), perSec(wall))
	if readWall > 0 {
		fmt.Fprintf(stdout, "; Lesen %s, Einsetzen %s", readWall.Round(time.Second), (wall - readWall).Round(time.Second))
	}
	fmt.Fprintf(stdout, "), Größe %.1f MB, %d Dateien ohne Text\n", float64(size)/1e6, x.Skipped())
	fmt.Fprintf(stdout, "CPU: Prozess %.1f s (%.0f Objekte je CPU-Sekunde)", cpu.Seconds(), perSec(cpu))
	// The database server's share, when it runs on this machine (the
	// rebuild names its PostgreSQL backends).
	if server, ok := backendCPU(backends); ok {
		fmt.Fprintf(stdout, ", PostgreSQL-Server %.1f s, zusammen %.0f Objekte je CPU-Sekunde", server.Seconds(), perSec(cpu+server))
	}
	fmt.Fprintln(stdout)
	return nil
}

// backendCPU sums the CPU time of the given PostgreSQL backend processes,
// if all of them run on this machine.
func backendCPU(pids []int) (time.Duration, bool) {
	if len(pids) == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, pid := range pids {
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.Contains(string(cmd), "postgres") {
			return 0, false
		}
		cpu, err := bench.ProcessCPU(pid)
		if err != nil {
			return 0, false
		}
		sum += cpu
	}
	return sum, true
}

// searchBench measures the search as the public on the opened database:
// one word, two words, a phrase and a reference number, each without and
// with filters, n times each with varying words; prints p50/p95 per class.
//
// With warm, every distinct query of the classes runs once first and is
// reported on a line of its own ("kalt"): the first query of a word after
// a start reads its index pages from storage (10–25 MB each on the large
// dataset, 125–260 ms), which would otherwise land in the p95 of the
// class it first appears in, depending on what the machine did before.
func searchBench(ctx context.Context, m *app.Main, n int, warm bool, stdout io.Writer) error {
	ps, _, err := m.DB.FindPapers(ctx, ratsnetz.PaperFilter{Newest: true, ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return fmt.Errorf("keine Vorlagen in der Datenbank")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"Sanierung", "Schule", "Haushalt", "Verkehr", "Digitalisierung", "Bebauungsplan", "Antrag", "Kita", "Radverkehr", "Klimaschutz"}
	pairs := [][2]string{{"Sanierung", "Schule"}, {"Offener", "Ganztag"}, {"Verkehrsberuhigung", "Straße"}, {"Haushalt", "2026"}, {"Bebauungsplan", "Aufstellungsbeschluss"}}
	type class struct {
		name string
		q    func() ratsnetz.SearchQuery
	}
	filterYear := func(q ratsnetz.SearchQuery, year int) ratsnetz.SearchQuery {
		q.Kind, q.Year = ratsnetz.SearchPaper, year
		return q
	}
	filtered := func(q ratsnetz.SearchQuery) ratsnetz.SearchQuery {
		return filterYear(q, 2025+rng.IntN(2))
	}
	word := func() ratsnetz.SearchQuery { return ratsnetz.SearchQuery{Text: words[rng.IntN(len(words))]} }
	two := func() ratsnetz.SearchQuery {
		p := pairs[rng.IntN(len(pairs))]
		return ratsnetz.SearchQuery{Text: p[0] + " " + p[1]}
	}
	phrase := func() ratsnetz.SearchQuery {
		p := pairs[rng.IntN(len(pairs))]
		return ratsnetz.SearchQuery{Text: `"` + p[0] + " " + p[1] + `"`}
	}
	ref := func() ratsnetz.SearchQuery { return ratsnetz.SearchQuery{Text: ps[rng.IntN(len(ps))].Reference} }
	classes := []class{
		{"ein Wort", word}, {"ein Wort + Filter", func() ratsnetz.SearchQuery { return filtered(word()) }},
		{"zwei Wörter", two}, {"zwei Wörter + Filter", func() ratsnetz.SearchQuery { return filtered(two()) }},
		{"Phrase", phrase}, {"Phrase + Filter", func() ratsnetz.SearchQuery { return filtered(phrase()) }},
		{"Drucksachennummer", ref}, {"Drucksachennummer + Filter", func() ratsnetz.SearchQuery { return filtered(ref()) }},
	}
	// PostgreSQL's backends of this database, when the server runs on
	// this machine: their CPU and disk reads count too.
	backends := pgBackends(ctx, m.DB, m.DB.Dialect().Name == "postgres")
	fmt.Fprintln(stdout, "(Wand- und Prozess-CPU-Zeit je Anfrage; „Platte“: vom Datenträger gelesen je Klasse (read_bytes, Prozess und PostgreSQL-Server);")
	fmt.Fprintln(stdout, " „Server-CPU“: PostgreSQL-Backends im Schnitt je Anfrage. Die ersten Anfragen nach einem Start lesen kalt – siehe Platte.)")
	pct := func(xs []time.Duration, f float64) time.Duration {
		return xs[min(len(xs)-1, int(f*float64(len(xs))))].Round(10 * time.Microsecond)
	}
	if warm {
		// Every query the classes draw from, once: the words, pairs and
		// phrases, then the reference numbers (each without and with the
		// filters).
		texts := slices.Clone(words)
		for _, p := range pairs {
			texts = append(texts, p[0]+" "+p[1], `"`+p[0]+" "+p[1]+`"`)
		}
		var refs []string
		for _, p := range ps {
			refs = append(refs, p.Reference)
		}
		for _, g := range []struct {
			name  string
			texts []string
		}{{"kalt: Wörter, Phrasen", texts}, {"kalt: Drucksachennummern", refs}} {
			var ds []time.Duration
			io0 := diskRead(backends)
			for _, t := range g.texts {
				q := ratsnetz.SearchQuery{Text: t}
				for _, q := range []ratsnetz.SearchQuery{q, filterYear(q, 2025), filterYear(q, 2026)} {
					start := time.Now()
					if _, err := m.DB.Search(ctx, q); err != nil {
						return err
					}
					ds = append(ds, time.Since(start))
				}
			}
			slices.Sort(ds)
			fmt.Fprintf(stdout, "%-28s n=%d  wall p50 %-10s p95 %-10s max %-10s Platte %.1f MB (Aufwärmen, nicht in den Klassen unten)\n", g.name, len(ds),
				pct(ds, 0.5), pct(ds, 0.95), ds[len(ds)-1].Round(10*time.Microsecond), float64(diskRead(backends)-io0)/1e6)
		}
	}
	for _, c := range classes {
		var ds, cpus []time.Duration
		hits := 0
		io0, srv0 := diskRead(backends), procsCPU(backends)
		for i := 0; i < n; i++ {
			q := c.q()
			start, cpu0 := time.Now(), cpuTime()
			res, err := m.DB.Search(ctx, q)
			if err != nil {
				return err
			}
			// Wall time suffers from other load on the machine; the
			// process's CPU time (SQLite runs in-process) does not.
			ds, cpus = append(ds, time.Since(start)), append(cpus, cpuTime()-cpu0)
			hits += res.Total
		}
		slices.Sort(ds)
		slices.Sort(cpus)
		fmt.Fprintf(stdout, "%-28s n=%d  wall p50 %-10s p95 %-10s  CPU p50 %-10s p95 %-10s  Ø Treffer %-5d Platte %.1f MB", c.name, n,
			pct(ds, 0.5), pct(ds, 0.95), pct(cpus, 0.5), pct(cpus, 0.95), hits/n, float64(diskRead(backends)-io0)/1e6)
		if len(backends) > 0 {
			fmt.Fprintf(stdout, "  Server-CPU Ø %s", ((procsCPU(backends) - srv0) / time.Duration(n)).Round(10*time.Microsecond))
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// diskRead is the bytes this process and the given processes have read
// from storage so far (read_bytes of /proc/<pid>/io; page cache hits do
// not count).
func diskRead(pids []int) int64 {
	var sum int64
	for _, pid := range append([]int{os.Getpid()}, pids...) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "read_bytes: "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				sum += n
			}
		}
	}
	return sum
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
