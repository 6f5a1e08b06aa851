package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

func BenchmarkLarge(b *testing.B) {
	dir := os.Getenv("WEB_LARGE")
	if dir == "" {
		b.Skip()
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir+"/ratsnetz.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	blobs, _ := disk.New(dir + "/files")
	h := NewServer(Config{Store: db, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), Now: time.Now}).Handler()
	paths := map[string]func(i int) string{
		"home":      func(int) string { return "/" },
		"meetings":  func(int) string { return "/sitzungen" },
		"papersArt": func(int) string { return "/vorlagen?art=Antrag&jahr=2025" },
		"paper":     func(i int) string { return fmt.Sprintf("/vorlagen/%d", 1+(i*7919)%200000) },
		"meeting":   func(i int) string { return fmt.Sprintf("/sitzungen/%d", 1+(i*7919)%20000) },
	}
	for _, name := range []string{"home", "meetings", "papersArt", "paper", "meeting"} {
		f := paths[name]
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, f(i), nil))
				if w.Code >= 500 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
