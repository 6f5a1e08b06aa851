package auth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/auth"
)

// TestMiddleware: over real HTTP, a valid session cookie makes the request
// carry the account's viewer; no cookie, a forged or a logged-out cookie
// leaves it public (and clears the cookie).
func TestMiddleware(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(t, &ratsnetz.Account{UserName: "erika", PersonID: 7})
	cookies := auth.Cookies{}
	srv := httptest.NewServer(e.svc.Middleware(cookies)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := ratsnetz.ViewerFromContext(r.Context())
		_, logged := auth.CurrentFromContext(r.Context())
		fmt.Fprintf(w, "%d/%d/%v/%v", v.AccountID, v.PersonID, logged, auth.SessionBinding(r) != "")
	})))
	defer srv.Close()
	get := func(cookie string) (string, *http.Response) {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: cookies.SessionName(), Value: cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp
	}
	if got, _ := get(""); got != `0/0/false/false` {
		t.Errorf("anonymous: %s", got)
	}
	l, err := e.svc.PasswordLogin(ctx, "erika", pw, client)
	if err != nil {
		t.Fatal(err)
	}
	got, resp := get(l.Token)
	if want := fmt.Sprintf(`%d/7/true/true`, a.ID); got != want {
		t.Errorf("logged in: %s, want %s", got, want)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	if got, resp := get("forged"); got != `0/0/false/false` || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
		t.Errorf("forged cookie: %s, cookies %v", got, resp.Cookies())
	}
	if err := e.svc.Logout(ctx, l.Token, client); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(l.Token); got != `0/0/false/false` {
		t.Errorf("after logout: %s", got)
	}
}

func TestClientOf(t *testing.T) {
	c := auth.Cookies{Secure: true}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	r.Header.Set("User-Agent", "UA")
	r.AddCookie(&http.Cookie{Name: "__Host-ratsnetz-geraet", Value: "dev"})
	if got := c.ClientOf(r, false); got != (auth.Client{IP: "192.0.2.7", UserAgent: "UA", DeviceToken: "dev"}) {
		t.Errorf("without proxy: %+v", got)
	}
	if got := c.ClientOf(r, true); got.IP != "203.0.113.9" {
		t.Errorf("behind proxy: %+v", got)
	}
	if c.SessionName() != "__Host-ratsnetz-sitzung" || (auth.Cookies{}).SessionName() != "ratsnetz-sitzung" {
		t.Error("cookie names")
	}
}
