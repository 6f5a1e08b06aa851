package oparl_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

// BenchmarkListPages measures OParl list pages of 100 objects with their
// embedded objects on the large demo dataset, at random keyset positions.
//
//	RATSNETZ_BENCH_DB      SQLite file to reuse (generated when missing or empty)
//	RATSNETZ_BENCH_FACTOR  size of the large dataset (1 = full, default 0.05)
//
// Reported: pages/s over all parallel clients, p50 and p99 latency in ms.
func BenchmarkListPages(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("RATSNETZ_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	factor := 0.05
	if f, err := strconv.ParseFloat(os.Getenv("RATSNETZ_BENCH_FACTOR"), 64); err == nil && f > 0 {
		factor = f
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if empty, err := db.Empty(ctx); err != nil {
		b.Fatal(err)
	} else if empty {
		blobs, err := disk.New(filepath.Join(filepath.Dir(path), "blobs"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		sum, err := demo.Load(ratsnetz.SystemContext(ctx), db, blobs, demo.Options{Scale: demo.ScaleLarge, LargeFactor: factor})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d objects in %s", sum.Objects(), time.Since(start).Round(time.Second))
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.Handle("/oparl/", oparl.NewServer(oparl.Config{Store: db, BaseURL: srv.URL}).Handler())
	base := srv.URL + "/oparl/v1.1/body/1/"

	// Keyset cursors spread over each list.
	pub := ctx
	cursors := func(find func(after int64) ([]int64, error)) []int64 {
		var ids []int64
		for after := int64(-1); ; {
			page, err := find(after)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, page...)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1]
		}
		return ids
	}
	lists := map[string][]int64{
		"meeting": cursors(func(after int64) ([]int64, error) {
			v, _, err := db.FindMeetings(pub, ratsnetz.MeetingFilter{BodyID: 1, ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
			return idsOf(v, func(m *ratsnetz.Meeting) int64 { return m.ID }), err
		}),
		"paper": cursors(func(after int64) ([]int64, error) {
			v, _, err := db.FindPapers(pub, ratsnetz.PaperFilter{BodyID: 1, ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
			return idsOf(v, func(m *ratsnetz.Paper) int64 { return m.ID }), err
		}),
		"agendaitem": cursors(func(after int64) ([]int64, error) {
			v, _, err := db.FindAgendaItems(pub, ratsnetz.AgendaItemFilter{BodyID: 1, ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
			return idsOf(v, func(m *ratsnetz.AgendaItem) int64 { return m.ID }), err
		}),
		"file": cursors(func(after int64) ([]int64, error) {
			v, _, err := db.FindFiles(pub, ratsnetz.FileFilter{BodyID: 1, ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
			return idsOf(v, func(m *ratsnetz.File) int64 { return m.ID }), err
		}),
		"person": cursors(func(after int64) ([]int64, error) {
			v, _, err := db.FindPersons(pub, ratsnetz.PersonFilter{BodyID: 1, ListOptions: ratsnetz.ListOptions{After: after, Limit: 1000}})
			return idsOf(v, func(m *ratsnetz.Person) int64 { return m.ID }), err
		}),
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, name := range []string{"meeting", "paper", "agendaitem", "file", "person"} {
		ids := lists[name]
		b.Run(fmt.Sprintf("%s-%d", name, len(ids)), func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			var bytes int64
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
				var mine []time.Duration
				var n int64
				for pb.Next() {
					u := base + name
					if len(ids) > 100 {
						u += "?after=" + strconv.FormatInt(ids[rng.IntN(len(ids)-100)], 10)
					}
					t := time.Now()
					resp, err := client.Get(u)
					if err != nil {
						b.Error(err)
						return
					}
					k, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("%s: %d", u, resp.StatusCode)
						return
					}
					mine = append(mine, time.Since(t))
					n += k
				}
				mu.Lock()
				lat = append(lat, mine...)
				bytes += n
				mu.Unlock()
			})
			elapsed := time.Since(start)
			slices.Sort(lat)
			if len(lat) == 0 {
				return
			}
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "pages/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(bytes)/float64(len(lat))/1024, "KiB/page")
		})
	}
}

func idsOf[T any](v []T, id func(T) int64) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = id(x)
	}
	return out
}
