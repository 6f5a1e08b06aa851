package csrf_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ratsnetz/ratsnetz/csrf"
)

// server: GET /form returns a token; POST /change counts changes.
func newServer(t *testing.T) (*httptest.Server, *atomic.Int64, *csrf.Protector) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	p, err := csrf.New(bytes.Repeat([]byte("k"), 32), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Binding = func(r *http.Request) string {
		if c, err := r.Cookie("session"); err == nil {
			return c.Value
		}
		return ""
	}
	var changes atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, p.Token(w, r)) })
	mux.HandleFunc("POST /change", func(w http.ResponseWriter, r *http.Request) { changes.Add(1) })
	srv.Config.Handler = p.Middleware(mux)
	return srv, &changes, p
}

func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func getToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/form")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func post(t *testing.T, c *http.Client, base, token string, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/change", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestCSRF(t *testing.T) {
	srv, changes, _ := newServer(t)
	c := client(t)
	tok := getToken(t, c, srv.URL)
	same := map[string]string{"Origin": srv.URL}
	tests := []struct {
		name   string
		token  string
		hdr    map[string]string
		status int
	}{
		{"valid token, same origin", tok, same, 200},
		{"valid token, Sec-Fetch-Site same-origin", tok, map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"valid token, Referer only", tok, map[string]string{"Referer": srv.URL + "/form"}, 200},
		{"no token", "", same, 403},
		{"wrong token", tok + "x", same, 403},
		{"cross-site fetch", tok, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": srv.URL}, 403},
		{"foreign origin", tok, map[string]string{"Origin": "https://evil.example"}, 403},
		{"no origin at all", tok, nil, 403},
	}
	want := int64(0)
	for _, tc := range tests {
		got := post(t, c, srv.URL, tc.token, tc.hdr)
		if got != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.status)
		}
		if tc.status == 200 {
			want++
		}
		if n := changes.Load(); n != want {
			t.Errorf("%s: %d changes, want %d", tc.name, n, want)
		}
	}
}

// TestTokenBoundToSession: a token from one session (or the anonymous
// cookie) is worthless in another, so a login rotates it.
func TestTokenBoundToSession(t *testing.T) {
	srv, changes, _ := newServer(t)
	u, _ := url.Parse(srv.URL)
	c := client(t)
	anon := getToken(t, c, srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "s1"}})
	if got := post(t, c, srv.URL, anon, map[string]string{"Origin": srv.URL}); got != 403 {
		t.Errorf("anonymous token in a session: %d", got)
	}
	s1 := getToken(t, c, srv.URL)
	if s1 == anon {
		t.Fatal("token did not change with the session")
	}
	if got := post(t, c, srv.URL, s1, map[string]string{"Origin": srv.URL}); got != 200 {
		t.Errorf("session token: %d", got)
	}
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "s2"}})
	if got := post(t, c, srv.URL, s1, map[string]string{"Origin": srv.URL}); got != 403 {
		t.Errorf("token of session s1 used in s2: %d", got)
	}
	// Another browser without any cookie cannot use a stolen token.
	if got := post(t, client(t), srv.URL, s1, map[string]string{"Origin": srv.URL}); got != 403 {
		t.Errorf("token without binding: %d", got)
	}
	if n := changes.Load(); n != 1 {
		t.Errorf("%d changes, want 1", n)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := csrf.New([]byte("short"), "http://x"); err == nil {
		t.Error("short key accepted")
	}
	if _, err := csrf.New(bytes.Repeat([]byte("k"), 32), "no-url"); err == nil {
		t.Error("base URL without scheme accepted")
	}
}
