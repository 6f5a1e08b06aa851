package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects log output written from any goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records returns the JSON log records written so far and forgets them.
func (l *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	l.b.Reset()
	return out
}

// TestRequestLog: a served page is logged at DEBUG (a line per uncached page
// at INFO is too dear at a thousand pages a second), a missing page at WARN
// as before, and a request whose client hung up while the store was working
// is no ERROR — neither the request line nor an "internal error".
func TestRequestLog(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Load(ctx, testDataset(testFiles())); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := NewServer(Config{Store: store, Logger: logger, Now: func() time.Time { return testNow }}).Handler()

	serve := func(path string, ctx context.Context) int {
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	requestLine := func(recs []map[string]any) map[string]any {
		t.Helper()
		for _, r := range recs {
			if r["msg"] == "http request" {
				return r
			}
		}
		t.Fatalf("no request line in %v", recs)
		return nil
	}

	if code := serve("/vorlagen/400", ctx); code != http.StatusOK {
		t.Fatalf("paper page: status %d", code)
	}
	// DEBUG, or INFO if this machine took longer than slowRequest for it.
	r := requestLine(logs.records(t))
	want := "DEBUG"
	if d, _ := r["duration"].(float64); time.Duration(d) >= slowRequest {
		want = "INFO"
	}
	if r["level"] != want || r["status"] != float64(200) || r["path"] != "/vorlagen/400" {
		t.Errorf("served page logged as %v, want %s with status and path", r, want)
	}

	if code := serve("/vorlagen/999999", ctx); code != http.StatusNotFound {
		t.Fatalf("missing paper: status %d", code)
	}
	if r := requestLine(logs.records(t)); r["level"] != "WARN" {
		t.Errorf("missing page logged as %v, want WARN", r)
	}

	gone, cancel := context.WithCancel(ctx)
	cancel()
	code := serve("/vorlagen/400", gone)
	recs := logs.records(t)
	for _, r := range recs {
		if r["level"] == "ERROR" {
			t.Errorf("hang-up logged as an error: %v", r)
		}
	}
	if r := requestLine(recs); r["level"] != "DEBUG" || r["client_gone"] != true || r["status"] != float64(code) {
		t.Errorf("hang-up logged as %v, want DEBUG with client_gone and status %d", r, code)
	}
}

func TestRequestLogLevel(t *testing.T) {
	for _, tt := range []struct {
		status int
		d      time.Duration
		gone   bool
		want   slog.Level
	}{
		{200, time.Millisecond, false, slog.LevelDebug},
		{304, time.Millisecond, false, slog.LevelDebug},
		{200, slowRequest, false, slog.LevelInfo},
		{404, time.Millisecond, false, slog.LevelWarn},
		{500, time.Millisecond, false, slog.LevelError},
		{500, time.Millisecond, true, slog.LevelDebug},
		{statusClientClosedRequest, time.Second, true, slog.LevelDebug},
	} {
		if got := requestLogLevel(tt.status, tt.d, tt.gone); got != tt.want {
			t.Errorf("requestLogLevel(%d, %v, %v) = %v, want %v", tt.status, tt.d, tt.gone, got, tt.want)
		}
	}
}

// TestSecurityHeadersShared: the security headers are set on every response,
// and a handler that adds to one does not change it for the next response.
func TestSecurityHeadersShared(t *testing.T) {
	h := withSecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/add" {
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
			w.Header()["Referrer-Policy"] = append(w.Header()["Referrer-Policy"], "no-referrer")
		}
	}))
	for _, path := range []string{"/add", "/plain"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if path == "/plain" {
			if got := w.Header().Values("X-Frame-Options"); len(got) != 1 || got[0] != "DENY" {
				t.Errorf("X-Frame-Options after another response added to it: %q", got)
			}
			if got := w.Header().Values("Referrer-Policy"); len(got) != 1 || got[0] != "same-origin" {
				t.Errorf("Referrer-Policy after another response appended to it: %q", got)
			}
		}
		if got := w.Header().Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("%s: CSP %q", path, got)
		}
	}
}

// TestLangURL: the language switch keeps the other parameters; a page
// without query gets just the language.
func TestLangURL(t *testing.T) {
	s := NewServer(Config{})
	for _, tt := range []struct{ url, lang, want string }{
		{"/vorlagen/400", "en", "/vorlagen/400?lang=en"},
		{"/vorlagen?art=Antrag&seite=2", "en", "/vorlagen?art=Antrag&lang=en&seite=2"},
		{"/vorlagen?lang=en&q=Rad+weg", "de", "/vorlagen?lang=de&q=Rad+weg"},
	} {
		p := s.newPage(httptest.NewRequest(http.MethodGet, tt.url, nil), "", nil)
		if got := p.LangURL(tt.lang); got != tt.want {
			t.Errorf("LangURL(%q) on %s = %q, want %q", tt.lang, tt.url, got, tt.want)
		}
	}
	p := s.newPage(httptest.NewRequest(http.MethodGet, "/vorlagen?lang=en&art=Antrag&seite=2", nil), "", nil)
	if got, want := p.PageURL(3), "/vorlagen?art=Antrag&seite=3"; got != want {
		t.Errorf("PageURL(3) = %q, want %q", got, want)
	}
	if got, want := p.PageURL(1), "/vorlagen?art=Antrag"; got != want {
		t.Errorf("PageURL(1) = %q, want %q", got, want)
	}
}
