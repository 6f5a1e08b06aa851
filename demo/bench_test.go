package demo_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the schema setup
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// openPostgres opens a migrated store in a fresh schema of its own.
func openPostgres(tb testing.TB) *sqlstore.DB { tb.Helper(); return pgtest.MustOpenMigrated(tb) }

func openSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// TestLoadIntoPostgres loads the small demo into PostgreSQL and checks the
// counts and that the public does not see the non-public paper.
func TestLoadIntoPostgres(t *testing.T) {
	db := openPostgres(t)
	ctx := context.Background()
	sum, err := demo.Load(ratsnetz.SystemContext(ctx), db, newMemBlobs(), demo.Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	sys := ratsnetz.SystemContext(ctx)
	if _, n, err := db.FindPapers(sys, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{WithTotal: true, Limit: 1}}); err != nil || n != sum.Papers {
		t.Errorf("papers: %d, %v; want %d", n, err, sum.Papers)
	}
	if _, err := db.FindPaperByID(ctx, demo.NonPublicPaperID); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("public: non-public paper err = %v", err)
	}
	if _, err := db.FindPaperByID(ctx, demo.TabletPaperID); err != nil {
		t.Errorf("public: tablet paper: %v", err)
	}
}

// benchFactor is the share of the full large scale a benchmark loads:
// RATSNETZ_DEMO_FACTOR, default 0.01 (about 13 000 extra objects).
func benchFactor(b *testing.B) float64 {
	if s := os.Getenv("RATSNETZ_DEMO_FACTOR"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	return 0.01
}

func benchLoad(b *testing.B, open func(testing.TB) *sqlstore.DB) {
	factor := benchFactor(b)
	for b.Loop() {
		b.StopTimer()
		db := open(b)
		blobs, err := disk.New(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := demo.Load(context.Background(), db, blobs, demo.Options{Scale: demo.ScaleLarge, Now: testNow, LargeFactor: factor, Progress: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Objects()), "objects/op")
		b.ReportMetric(float64(sum.Objects())/b.Elapsed().Seconds(), "objects/s")
	}
}

// BenchmarkLoadLargeSQLite: go test -run X -bench LoadLarge -benchtime 1x ./demo
func BenchmarkLoadLargeSQLite(b *testing.B) { benchLoad(b, openSQLite) }

// BenchmarkLoadLargePostgres needs RATSNETZ_TEST_POSTGRES.
func BenchmarkLoadLargePostgres(b *testing.B) { benchLoad(b, openPostgres) }
