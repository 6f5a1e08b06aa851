package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/throttle"
)

// BenchmarkPaperPageLarge compares the paper page for the public and for
// logged-in demo accounts on the large dataset (issue 5: password hashing
// and session checks must not slow ordinary page views). It runs on a COPY
// of the SQLite database named by RATSNETZ_BENCH_LARGE_SQLITE (the
// ratsnetz.db of `ratsnetz demo --scale large`), to which it adds the demo
// accounts; skipped when unset. The portal handler is called directly, so
// the public's numbers are uncached pages (the response cache sits outside
// web); logged-in pages are never cached. Each iteration asks for the next
// of 1 000 public papers spread over the whole table.
//
//	RATSNETZ_BENCH_LARGE_SQLITE=/tmp/ratsnetz-bench/data-sqlite/ratsnetz.db \
//	  go test -run X -bench PaperPageLarge -benchtime 3000x ./web
func BenchmarkPaperPageLarge(b *testing.B) {
	src := os.Getenv("RATSNETZ_BENCH_LARGE_SQLITE")
	if src == "" {
		b.Skip("RATSNETZ_BENCH_LARGE_SQLITE not set")
	}
	ctx := context.Background()
	dir := b.TempDir()
	dst := filepath.Join(dir, "ratsnetz.db")
	if err := copyFile(src, dst); err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, dst)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if _, err := demo.LoadAccounts(ratsnetz.SystemContext(ctx), db, password.Hasher{}, now); err != nil {
		b.Fatal(err)
	}
	blobs, err := disk.New(filepath.Join(dir, "files"))
	if err != nil {
		b.Fatal(err)
	}
	svc := &auth.Service{Accounts: db, Now: time.Now, AccountLimiter: throttle.New(throttle.Account(), time.Now),
		IPLimiter: throttle.New(throttle.IP(), time.Now), Objects: db, Conflicts: db}
	h := NewServer(Config{Store: db, Blobs: blobs, BaseURL: "http://bench.example", Logger: slog.New(slog.DiscardHandler), Now: time.Now, Auth: svc}).Handler()

	// 1 000 public papers spread over the table.
	_, total, err := db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{Limit: 1, WithTotal: true}})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for off := 0; off < total && len(ids) < 1000; off += max(total/50, 20) {
		ps, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: ratsnetz.ListOptions{Limit: 20, Offset: off}})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	}
	session := func(login string) string {
		l, err := svc.PasswordLogin(ctx, login, demo.DemoPassword, auth.Client{IP: "127.0.0.1"})
		if err != nil {
			b.Fatalf("login %s: %v", login, err)
		}
		return l.Token
	}
	for _, tc := range []struct{ name, cookie string }{
		{"public", ""},
		{"council-member", session("ratsmitglied@musterstadt.example")},
		{"board-member", session("aufsichtsrat@musterstadt.example")},
		{"faction-staff", session("fraktion@musterstadt.example")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var durs []time.Duration
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/vorlagen/"+strconv.FormatInt(ids[i%len(ids)], 10), nil)
				req.Header.Set("Accept-Language", "de")
				if tc.cookie != "" {
					req.AddCookie(&http.Cookie{Name: auth.Cookies{}.SessionName(), Value: tc.cookie})
				}
				i++
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				durs = append(durs, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: status %d", req.URL.Path, w.Code)
				}
			}
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds()), "p99-µs")
		})
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
