package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/pdf"
)

// demoNow anchors the demo; the portal's clock is the same day.
var demoNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// newDemoEnv serves the small demo city from a fresh SQLite store.
func newDemoEnv(tb testing.TB) (*httptest.Server, *testEnv, *disk.Store, demo.Summary) {
	tb.Helper()
	ctx := context.Background()
	store := mustOpenStore(tb)
	blobs, err := disk.New(filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	sum, err := demo.Load(ctx, store, blobs, demo.Options{Scale: demo.ScaleSmall, Now: demoNow})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Config{
		Store: store, Blobs: blobs, BaseURL: "http://example.org",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return demoNow },
	}).Handler())
	tb.Cleanup(srv.Close)
	return srv, &testEnv{srv: srv, store: store}, blobs, sum
}

// TestDemo runs on the demo city (loading it takes a while, so once): the
// well-known pages, then the confidentiality test — the whole portal as the
// public, every object by ID, every download, PDF text included.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads and crawls the whole demo city")
	}
	srv, env, blobs, sum := newDemoEnv(t)
	k := sum.Known

	t.Run("pages", func(t *testing.T) {
		tests := []struct {
			path string
			want []string
		}{
			{"/", []string{"Rat der Stadt Musterstadt", "Stadtwerke Musterstadt GmbH", fmt.Sprintf(`href="/sitzungen/%d"`, k.NextCouncilMeetingID)}},
			{fmt.Sprintf("/vorlagen/%d", demo.TabletPaperID), []string{"Digitale Ratsarbeit", "Beratungsfolge",
				fmt.Sprintf(`href="/sitzungen/%d/top/%d"`, k.TabletCouncilMeetingID, k.TabletAgendaItemID), fmt.Sprintf(`href="/dateien/%d"`, demo.TabletMainFileID)}},
			{fmt.Sprintf("/sitzungen/%d", k.TabletCouncilMeetingID), []string{"Öffentlicher Teil", "Nichtöffentlicher Teil", "Nichtöffentlicher Tagesordnungspunkt"}},
			{fmt.Sprintf("/sitzungen/%d/top/%d", k.TabletCouncilMeetingID, k.TabletAgendaItemID), []string{"Abstimmungsergebnis nach Fraktionen", "Gesamt"}},
			{fmt.Sprintf("/gremien/%d", demo.CouncilID), []string{"Mitglieder", "Vorsitz"}},
			{fmt.Sprintf("/personen/%d", k.CouncilMemberPersonID), []string{"Aktuelle Mitgliedschaften", "Rat der Stadt Musterstadt"}},
			{fmt.Sprintf("/dateien/%d", demo.TabletMainFileID), []string{"%PDF"}},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				resp, body := env.get(t, tt.path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("missing %q", w)
					}
				}
				if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					checkHTMLStructure(t, body)
				}
			})
		}
	})

	t.Run("canary detectable in PDFs", func(t *testing.T) {
		// The crawl below reads the text of every PDF it gets; this proves
		// that a leaked non-public PDF would be caught.
		f, err := env.store.FindFileByID(ratsnetz.SystemContext(context.Background()), demo.NonPublicFileID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := blobs.Open(context.Background(), f.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		data, err := io.ReadAll(b)
		if err != nil {
			t.Fatal(err)
		}
		text, err := pdf.ExtractText(data)
		if err != nil || !strings.Contains(text, demo.Canary) {
			t.Fatalf("canary not found in the text of the non-public PDF (err %v)", err)
		}
	})

	t.Run("confidentiality", func(t *testing.T) {
		o := crawlOptions{}
		if raceEnabled {
			o = crawlOptions{maxPages: 300, stride: 10}
		}
		if n := checkConfidentiality(t, srv.Client(), srv.URL, env.store, demo.Canary, o); n == 0 {
			t.Errorf("no PDF text could be read; the PDF check proved nothing")
		}
		for _, path := range []string{
			fmt.Sprintf("/vorlagen/%d", demo.NonPublicPaperID),
			fmt.Sprintf("/dateien/%d", demo.NonPublicFileID),
			fmt.Sprintf("/dateien/%d/download", demo.NonPublicFileID),
			fmt.Sprintf("/dateien/%d", demo.NonPublicMainFileID),
			fmt.Sprintf("/sitzungen/%d", k.NonPublicMeetingID),
			fmt.Sprintf("/sitzungen/%d/top/%d", k.TabletCouncilMeetingID, k.NonPublicAgendaItemID),
		} {
			if resp, _ := env.get(t, path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			}
		}
	})
}
