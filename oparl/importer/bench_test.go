package importer_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/oparl/importer"
)

// BenchmarkImport imports the OParl endpoint RATSNETZ_IMPORT_BENCH_URL (e.g.
// `ratsnetz oparl serve` over the large dataset, see scripts/bench-import.sh)
// (optionally only the bodies RATSNETZ_IMPORT_BENCH_BODIES, comma-separated
// OParl body ids) into a fresh SQLite store per iteration and reports objects/s. Run with
// -benchtime 1x; -cpuprofile shows where the importer spends its time.
func BenchmarkImport(b *testing.B) {
	u := os.Getenv("RATSNETZ_IMPORT_BENCH_URL")
	if u == "" {
		b.Skip("set RATSNETZ_IMPORT_BENCH_URL to an OParl system URL")
	}
	for b.Loop() {
		db := MustOpenDB(b)
		start := time.Now()
		opts := importer.Options{URL: u, Store: db, PageSize: 1000}
		if b := os.Getenv("RATSNETZ_IMPORT_BENCH_BODIES"); b != "" {
			opts.Bodies = strings.Split(b, ",")
		}
		rep, err := importer.Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Total())/time.Since(start).Seconds(), "objects/s")
		b.ReportMetric(float64(rep.Total()), "objects")
	}
}
