package sqlite_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// benchScale is the size of the benchmark council relative to the large demo
// (1 = 200 000 papers); RATSNETZ_BENCH_SCALE overrides the default.
func benchScale(b *testing.B) float64 {
	if s := os.Getenv("RATSNETZ_BENCH_SCALE"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			b.Fatalf("RATSNETZ_BENCH_SCALE: %v", err)
		}
		return f
	}
	return 0.05
}

// BenchmarkStore: go test -run XXX -bench Store ./sqlite/ (load time in the log).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, MustOpenDB(b), benchScale(b))
}
