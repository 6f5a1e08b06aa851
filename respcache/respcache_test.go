package respcache

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fake is a handler that counts its renders and answers per path.
type fake struct {
	renders atomic.Int64
	version atomic.Int64
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.renders.Add(1)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'")
	h.Set("Vary", "Accept-Language, Cookie")
	switch r.URL.Path {
	case "/private":
		h.Set("Cache-Control", "private")
	case "/nostore":
		h.Set("Cache-Control", "no-store, max-age=0")
	case "/cookie":
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: "en"})
	case "/missing":
		w.WriteHeader(http.StatusNotFound)
	case "/etag":
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
	case "/big":
		w.Write([]byte(strings.Repeat("x", 3000)))
		return
	}
	fmt.Fprintf(w, "render %d of %s?%s lang=%s v=%d", n, r.URL.Path, r.URL.RawQuery, r.Header.Get("Accept-Language"), f.version.Load())
}

func newServer(t *testing.T, cfg Config, p Policy) (*fake, *Cache, *httptest.Server) {
	t.Helper()
	f := &fake{}
	cfg.Version = func(context.Context) (int64, error) { return f.version.Load(), nil }
	c := New(cfg)
	srv := httptest.NewServer(c.Wrap(f, p))
	t.Cleanup(srv.Close)
	return f, c, srv
}

type resp struct {
	status int
	body   string
	header http.Header
}

func do(t *testing.T, srv *httptest.Server, method, path string, hdr ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{res.StatusCode, string(b), res.Header}
}

func TestHitMiss(t *testing.T) {
	f, c, srv := newServer(t, Config{}, Policy{})
	first := do(t, srv, "GET", "/a?x=1")
	second := do(t, srv, "GET", "/a?x=1")
	if first.status != 200 || first.header.Get("X-Cache") != "MISS" || second.header.Get("X-Cache") != "HIT" {
		t.Fatalf("statuses %d %q / %q", first.status, first.header.Get("X-Cache"), second.header.Get("X-Cache"))
	}
	if first.body != second.body || f.renders.Load() != 1 {
		t.Fatalf("renders %d, bodies %q / %q", f.renders.Load(), first.body, second.body)
	}
	for _, h := range []string{"Content-Type", "Content-Security-Policy", "Vary", "Content-Length", "ETag"} {
		if first.header.Get(h) == "" || first.header.Get(h) != second.header.Get(h) {
			t.Errorf("header %s: miss %q, hit %q", h, first.header.Get(h), second.header.Get(h))
		}
	}
	// Every key input makes its own entry.
	do(t, srv, "GET", "/a?x=2")
	do(t, srv, "GET", "/a?x=1", "Accept-Language", "en")
	do(t, srv, "GET", "/a?x=1", "Cookie", "lang=en")
	do(t, srv, "GET", "/a?x=1", "Accept-Encoding", "identity") // the client asks gzip by default
	if got := f.renders.Load(); got != 5 {
		t.Errorf("renders after 4 variants: %d, want 5", got)
	}
	if en := do(t, srv, "GET", "/a?x=1", "Accept-Language", "en"); !strings.Contains(en.body, "lang=en") || en.header.Get("X-Cache") != "HIT" {
		t.Errorf("English variant: %q %s", en.body, en.header.Get("X-Cache"))
	}
	st := c.Stats()
	if st.Hits != 2 || st.Misses != 5 || st.Entries != 5 {
		t.Errorf("stats %+v", st)
	}
}

func TestVersionChangeInvalidates(t *testing.T) {
	f, _, srv := newServer(t, Config{}, Policy{})
	do(t, srv, "GET", "/a")
	do(t, srv, "GET", "/a")
	f.version.Add(1)
	got := do(t, srv, "GET", "/a")
	if got.header.Get("X-Cache") != "MISS" || !strings.Contains(got.body, "v=1") || f.renders.Load() != 2 {
		t.Fatalf("after version change: %s %q, renders %d", got.header.Get("X-Cache"), got.body, f.renders.Load())
	}
}

func TestNotCached(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		hdr                []string
	}{
		{"private", "GET", "/private", nil},
		{"no-store", "GET", "/nostore", nil},
		{"set-cookie", "GET", "/cookie", nil},
		{"404", "GET", "/missing", nil},
		{"session cookie", "GET", "/a", []string{"Cookie", "lang=de; sid=abc"}},
		{"other cookie", "GET", "/a", []string{"Cookie", "tracking=1"}},
		{"authorization", "GET", "/a", []string{"Authorization", "Bearer x"}},
		{"post", "POST", "/a", nil},
		{"skipped", "GET", "/skip/1", nil},
		{"too big", "GET", "/big", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c, srv := newServer(t, Config{MaxEntryBytes: 1000}, Policy{Skip: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/skip/") }})
			a := do(t, srv, tc.method, tc.path, tc.hdr...)
			b := do(t, srv, tc.method, tc.path, tc.hdr...)
			if f.renders.Load() != 2 || b.header.Get("X-Cache") == "HIT" {
				t.Errorf("renders %d, bodies %q / %q", f.renders.Load(), a.body, b.body)
			}
			if tc.path == "/big" && len(a.body) < 3000 {
				t.Errorf("big body cut to %d bytes", len(a.body))
			}
			if tc.path == "/missing" && a.status != 404 {
				t.Errorf("status %d", a.status)
			}
			if tc.path == "/cookie" && a.header.Get("Set-Cookie") == "" {
				t.Error("Set-Cookie lost")
			}
			if st := c.Stats(); st.Entries != 0 || st.Bytes != 0 {
				t.Errorf("stored: %+v", st)
			}
		})
	}
}

func TestHead(t *testing.T) {
	f, _, srv := newServer(t, Config{}, Policy{})
	// The client asks gzip for GET only; the key has the gzip bit.
	h1 := do(t, srv, "HEAD", "/a", "Accept-Encoding", "gzip")
	g := do(t, srv, "GET", "/a")
	h2 := do(t, srv, "HEAD", "/a", "Accept-Encoding", "gzip")
	if f.renders.Load() != 1 {
		t.Fatalf("renders %d, want 1 (HEAD shares the GET entry)", f.renders.Load())
	}
	if h1.body != "" || h2.body != "" || g.body == "" {
		t.Errorf("bodies %q %q %q", h1.body, g.body, h2.body)
	}
	if h1.header.Get("Content-Length") != g.header.Get("Content-Length") || h2.header.Get("X-Cache") != "HIT" {
		t.Errorf("HEAD headers %v / %v", h1.header, h2.header)
	}
}

func TestConditional(t *testing.T) {
	f, _, srv := newServer(t, Config{}, Policy{})
	// A conditional miss: rendered unconditionally and stored, answered 304.
	a := do(t, srv, "GET", "/etag", "If-None-Match", `"v1"`)
	if a.status != http.StatusNotModified || a.body != "" || a.header.Get("ETag") != `"v1"` {
		t.Fatalf("conditional miss: %d %q %v", a.status, a.body, a.header)
	}
	for _, tc := range []struct {
		hdr  []string
		want int
	}{
		{[]string{"If-None-Match", `"v1"`}, 304},
		{[]string{"If-None-Match", `W/"x", W/"v1"`}, 304},
		{[]string{"If-None-Match", "*"}, 304},
		{[]string{"If-None-Match", `"v0"`}, 200},
		{[]string{"If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT"}, 304},
		{[]string{"If-Modified-Since", "Mon, 02 Jan 2006 15:04:04 GMT"}, 200},
		{nil, 200},
	} {
		got := do(t, srv, "GET", "/etag", tc.hdr...)
		if got.status != tc.want || (tc.want == 200) != (got.body != "") {
			t.Errorf("%v: %d %q, want %d", tc.hdr, got.status, got.body, tc.want)
		}
	}
	if f.renders.Load() != 1 {
		t.Errorf("renders %d, want 1", f.renders.Load())
	}
	// Without an ETag of its own, an entry gets one from its body.
	b := do(t, srv, "GET", "/a")
	etag := b.header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("generated ETag %q", etag)
	}
	if got := do(t, srv, "GET", "/a", "If-None-Match", etag); got.status != 304 {
		t.Errorf("If-None-Match generated ETag: %d", got.status)
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	release := make(chan struct{})
	var renders atomic.Int64
	c := New(Config{Version: func(context.Context) (int64, error) { return 7, nil }})
	h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		<-release
		io.WriteString(w, "page")
	}), Policy{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	const n = 16
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = do(t, srv, "GET", "/p").body
		}()
	}
	for c.waiting.Load() < n-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if renders.Load() != 1 {
		t.Errorf("renders %d, want 1", renders.Load())
	}
	want := make([]string, n)
	for i := range want {
		want[i] = "page"
	}
	if d := cmp.Diff(want, bodies); d != "" {
		t.Errorf("bodies (-want +got):\n%s", d)
	}
}

func TestMemoryBound(t *testing.T) {
	f, c, srv := newServer(t, Config{MaxBytes: 8 << 10, MaxEntryBytes: 2 << 10}, Policy{})
	for i := range 50 {
		do(t, srv, "GET", fmt.Sprintf("/p/%d", i))
	}
	st := c.Stats()
	if st.Bytes > 8<<10 || st.Evictions == 0 || st.Entries == 0 || st.Entries >= 50 {
		t.Errorf("stats %+v", st)
	}
	// The newest entries stay, the oldest went.
	do(t, srv, "GET", "/p/49")
	do(t, srv, "GET", "/p/0")
	if got := f.renders.Load(); got != 51 {
		t.Errorf("renders %d, want 51 (49 hit, 0 evicted)", got)
	}
}

func TestDefaultPublic(t *testing.T) {
	for _, tc := range []struct {
		hdr  []string
		want bool
	}{
		{nil, true},
		{[]string{"Cookie", "lang=en"}, true},
		{[]string{"Cookie", "lang=en; session=1"}, false},
		{[]string{"Cookie", "ratsnetz_session=x"}, false},
		{[]string{"Authorization", "Basic eDp5"}, false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		for i := 0; i+1 < len(tc.hdr); i += 2 {
			r.Header.Set(tc.hdr[i], tc.hdr[i+1])
		}
		if got := DefaultPublic(r); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.hdr, got, tc.want)
		}
	}
}

func TestWithoutCookies(t *testing.T) {
	public := WithoutCookies("ratsnetz-sitzung", "__Host-ratsnetz-sitzung")
	for _, tc := range []struct {
		hdr  []string
		want bool
	}{
		{nil, true},
		{[]string{"Cookie", "lang=en"}, true},
		// The anonymous CSRF cookie of a visitor who opened /anmelden.
		{[]string{"Cookie", "ratsnetz-csrf=abc"}, true},
		{[]string{"Cookie", "__Host-ratsnetz-csrf=abc; lang=de"}, true},
		{[]string{"Cookie", "ratsnetz-geraet=x"}, true},
		{[]string{"Cookie", "ratsnetz-sitzung=x"}, false},
		{[]string{"Cookie", "lang=de; ratsnetz-sitzung=x"}, false},
		{[]string{"Cookie", "ratsnetz-csrf=abc;__Host-ratsnetz-sitzung=x"}, false},
		{[]string{"Cookie", "ratsnetz-sitzung="}, false},
		{[]string{"Authorization", "Basic eDp5"}, false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		for i := 0; i+1 < len(tc.hdr); i += 2 {
			r.Header.Set(tc.hdr[i], tc.hdr[i+1])
		}
		if got := public(r); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.hdr, got, tc.want)
		}
	}
}
