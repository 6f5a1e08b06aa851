package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/bench"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// BenchmarkSearchLarge runs the query classes of `ratsnetz search bench`
// as the public on an indexed large database, for CPU profiles:
//
//	RATSNETZ_SEARCH_LARGE=/tmp/search/large-sqlite/ratsnetz.db (or postgres://…) \
//	  go test -run X -bench SearchLarge -benchtime 20x -cpuprofile /tmp/search/cpu.out ./sqlstore/
//
// cpu-ms/op is the process's CPU time per query (for SQLite including the
// database; for PostgreSQL the client only).
func BenchmarkSearchLarge(b *testing.B) {
	src := os.Getenv("RATSNETZ_SEARCH_LARGE")
	if src == "" {
		b.Skip("RATSNETZ_SEARCH_LARGE not set")
	}
	ctx := context.Background()
	var db *sqlstore.DB
	var err error
	pg := strings.HasPrefix(src, "postgres://")
	if pg {
		db, err = postgres.Open(ctx, src)
	} else {
		db, err = sqlite.Open(ctx, src)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	filter := func(q ratsnetz.SearchQuery) ratsnetz.SearchQuery {
		q.Kind, q.Year = ratsnetz.SearchPaper, 2025
		return q
	}
	type bench struct {
		name string
		q    ratsnetz.SearchQuery
	}
	// The words and pairs of `ratsnetz search bench`, one by one.
	words := []string{"Sanierung", "Schule", "Haushalt", "Verkehr", "Digitalisierung", "Bebauungsplan", "Antrag", "Kita", "Radverkehr", "Klimaschutz"}
	pairs := []string{"Sanierung Schule", "Offener Ganztag", "Verkehrsberuhigung Straße", "Haushalt 2026", "Bebauungsplan Aufstellungsbeschluss"}
	var cases []bench
	for _, w := range words {
		cases = append(cases, bench{"word/" + w, ratsnetz.SearchQuery{Text: w}}, bench{"word-filter/" + w, filter(ratsnetz.SearchQuery{Text: w})})
	}
	for _, p := range pairs {
		cases = append(cases, bench{"two/" + p, ratsnetz.SearchQuery{Text: p}}, bench{"two-filter/" + p, filter(ratsnetz.SearchQuery{Text: p})},
			bench{"phrase/" + p, ratsnetz.SearchQuery{Text: `"` + p + `"`}}, bench{"phrase-filter/" + p, filter(ratsnetz.SearchQuery{Text: `"` + p + `"`})})
	}
	for _, c := range cases {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			cpu0, pg0, io0 := cpuTime(), backendCPU(b, db, pg), diskRead(b, db, pg)
			for b.Loop() {
				if _, err := db.Search(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
			// Wall time means little on a loaded machine; the process's
			// CPU time (SQLite runs in-process) does, and on PostgreSQL
			// the backends' CPU time too.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
			if pg {
				b.ReportMetric(float64(backendCPU(b, db, pg)-pg0)/float64(b.N)/1e6, "pg-cpu-ms/op")
			}
			// Bytes read from storage (not from the page cache): the
			// first queries after a start read cold.
			b.ReportMetric(float64(diskRead(b, db, pg)-io0)/float64(b.N)/1e3, "disk-kB/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// diskRead is the bytes the process (and, on PostgreSQL, the database's
// backends) read from storage so far: read_bytes of /proc/<pid>/io.
func diskRead(b *testing.B, db *sqlstore.DB, pg bool) int64 {
	pids := []int{os.Getpid()}
	if pg {
		pids = append(pids, backendPIDs(b, db)...)
	}
	var sum int64
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "read_bytes: "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				sum += n
			}
		}
	}
	return sum
}

// backendCPU is the CPU time of the PostgreSQL backends serving the
// database (read from /proc: the server must run on this machine), 0 for
// SQLite.
func backendCPU(b *testing.B, db *sqlstore.DB, pg bool) time.Duration {
	if !pg {
		return 0
	}
	var total time.Duration
	for _, pid := range backendPIDs(b, db) {
		if cpu, err := bench.ProcessCPU(pid); err == nil {
			total += cpu
		}
	}
	return total
}

// backendPIDs are the PostgreSQL backends serving the database.
func backendPIDs(b *testing.B, db *sqlstore.DB) []int {
	rows, err := db.ReadDB().Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		pids = append(pids, pid)
	}
	return pids
}
