package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/admission"
	"github.com/ratsnetz/ratsnetz/blob/disk"
)

// TestPagesAdmission holds the only page slot and checks what the portal
// does meanwhile: page renders are turned away with a German (or English)
// 503 page and Retry-After, everything that is not a page render is served.
func TestPagesAdmission(t *testing.T) {
	env := newTestEnv(t)
	blobs, err := disk.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range env.files {
		if _, err := blobs.Put(ctx, f.file.BlobKey, strings.NewReader(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	pages := admission.New(admission.Config{Limit: 1, MaxQueue: -1, RetryAfter: 2 * time.Second})
	srv := httptest.NewServer(NewServer(Config{Store: env.store, Blobs: blobs, BaseURL: "http://example.org",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return testNow }, Pages: pages}).Handler())
	t.Cleanup(srv.Close)
	get := func(path string, header ...string) (*http.Response, string) {
		t.Helper()
		return get(t, srv.Client(), srv.URL+path, header...)
	}

	pagePaths := []string{"/", "/sitzungen", "/sitzungen/200", "/sitzungen/200/druck", "/sitzungen/200/top/300",
		"/vorlagen", "/vorlagen/400", "/vorlagen/400/druck", "/gremien", "/gremien/10", "/personen", "/personen/100"}
	for _, path := range pagePaths {
		if resp, _ := get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s with a free slot: %d, want 200", path, resp.StatusCode)
		}
	}

	if err := pages.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	for _, path := range pagePaths {
		resp, body := get(path)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the slot taken: %d, want 503", path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Retry-After"); got != "2" {
			t.Errorf("GET %s: Retry-After %q, want 2", path, got)
		}
		if !strings.Contains(body, "Zurzeit überlastet") || !strings.Contains(body, `lang="de"`) {
			t.Errorf("GET %s: no German overload page:\n%s", path, body)
		}
	}
	if _, body := get("/vorlagen/400?lang=en"); !strings.Contains(body, "Busy at the moment") {
		t.Errorf("English overload page missing:\n%s", body)
	}
	// Not page renders: served while the slot is taken.
	for _, path := range []string{"/healthz", "/static/style.css", "/dateien/503", "/dateien/503/download"} {
		if resp, _ := get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the slot taken: %d, want 200", path, resp.StatusCode)
		}
	}
	if resp, _ := get("/gibtsnicht"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /gibtsnicht with the slot taken: %d, want 404", resp.StatusCode)
	}
	pages.Release()
	if resp, _ := get("/vorlagen/400"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /vorlagen/400 after release: %d, want 200", resp.StatusCode)
	}
	if s := pages.Stats(); s.Running != 0 || s.Waiting != 0 || s.Rejected != int64(len(pagePaths)+1) {
		t.Errorf("limiter stats %+v, want idle with %d rejections", s, len(pagePaths)+1)
	}
}

// TestPagesAdmissionDefault: without Config.Pages the portal bounds its
// renders by admission's defaults; Limit -1 switches the bound off.
func TestPagesAdmissionDefault(t *testing.T) {
	if got := NewServer(Config{}).pages.Limit(); got < 2 {
		t.Errorf("default page limit %d, want at least 2", got)
	}
	if got := NewServer(Config{Pages: admission.New(admission.Config{Limit: -1})}).pages.Limit(); got != -1 {
		t.Errorf("page limit %d, want -1 (off)", got)
	}
	// A request that got its slot and panicked gives it back.
	pages := admission.New(admission.Config{Limit: 1})
	s := NewServer(Config{Pages: pages})
	h := s.withRecover(s.page(func(w http.ResponseWriter, r *http.Request) { panic("kaputt") }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if st := pages.Stats(); st.Running != 0 {
		t.Errorf("after a panicking render: %+v, want the slot free", st)
	}
}
