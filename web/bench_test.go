package web

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkPages measures the portal's own cost per page (routing, store
// calls on the small SQLite fixture, rendering), without the network.
func BenchmarkPages(b *testing.B) {
	env := newTestEnv(b)
	h := env.srv.Config.Handler
	for _, path := range []string{"/", "/sitzungen", "/vorlagen?art=Beschlussvorlage", "/vorlagen/400", "/sitzungen/200", "/sitzungen/200/top/300"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkDemoPages measures the portal on the small demo city.
func BenchmarkDemoPages(b *testing.B) {
	_, env, _, sum := newDemoEnv(b)
	h := env.srv.Config.Handler
	k := sum.Known
	for _, path := range []string{"/", "/sitzungen", "/vorlagen?art=Antrag&jahr=2026", "/vorlagen/1",
		"/sitzungen/" + strconv.FormatInt(k.TabletCouncilMeetingID, 10)} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
