package oidc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oidc"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// rp is a relying party for the tests: a real HTTP server on 127.0.0.1
// with a login route (Start, keep the Flow, redirect) and a callback route
// (Finish, Resolve), against mockoidc, a real OpenID provider serving
// discovery, authorize, token and JWKS endpoints on its own 127.0.0.1 port.
type rp struct {
	t        *testing.T
	provider *mockoidc.MockOIDC
	client   *oidc.Client
	db       *sqlstore.DB
	srv      *httptest.Server
	link     bool

	mu    sync.Mutex
	flows map[string]oidc.Flow
	// tamper, if set, changes the Flow before Finish.
	tamper func(*oidc.Flow)
}

func newRP(t *testing.T) *rp {
	t.Helper()
	ctx := context.Background()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := &rp{t: t, provider: m, db: db, flows: map[string]oidc.Flow{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", r.login)
	mux.HandleFunc("GET /callback", r.callback)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	cfg := m.Config()
	r.client, err = oidc.New(ctx, oidc.Config{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: r.srv.URL + "/callback"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rp) login(w http.ResponseWriter, req *http.Request) {
	u, f, err := r.client.Start()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	r.mu.Lock()
	r.flows[f.State] = f
	r.mu.Unlock()
	http.Redirect(w, req, u, http.StatusFound)
}

func (r *rp) callback(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	f := r.flows[req.URL.Query().Get("state")]
	delete(r.flows, req.URL.Query().Get("state"))
	if r.tamper != nil {
		r.tamper(&f)
	}
	r.mu.Unlock()
	id, err := r.client.Finish(req.Context(), f, req.URL.Query())
	if err != nil {
		r.t.Logf("finish: %v", err)
		http.Error(w, ratsnetz.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	a, err := oidc.Resolve(req.Context(), r.db, id, r.link)
	if err != nil {
		http.Error(w, ratsnetz.ErrorMessage(err), http.StatusForbidden)
		return
	}
	fmt.Fprintf(w, "account %d %s %s", a.ID, id.Subject, id.Email)
}

// run drives a browser-like client through the whole flow: GET /login on
// the relying party → 302 to the provider's authorize endpoint → 302 back
// to /callback with code and state → token exchange and ID token check.
func (r *rp) run(user *mockoidc.MockUser) (int, string) {
	r.t.Helper()
	if user != nil {
		r.provider.QueueUser(user)
	}
	resp, err := http.Get(r.srv.URL + "/login")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Request.URL.Path != "/callback" {
		r.t.Fatalf("flow ended at %s, not the callback", resp.Request.URL)
	}
	return resp.StatusCode, string(body)
}

func TestLoginLinkedAccount(t *testing.T) {
	r := newRP(t)
	ctx := context.Background()
	issuer := r.provider.Issuer()
	a := &ratsnetz.Account{Email: "erika@musterstadt.example", DisplayName: "Erika", OIDCIssuer: issuer, OIDCSubject: "erika-sub", Active: true}
	if err := r.db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	code, body := r.run(&mockoidc.MockUser{Subject: "erika-sub", Email: "Erika@Musterstadt.example", EmailVerified: true})
	if want := fmt.Sprintf("account %d erika-sub erika@musterstadt.example", a.ID); code != 200 || body != want {
		t.Errorf("got %d %q, want 200 %q", code, body, want)
	}
}

func TestLoginUnknownAndDeactivated(t *testing.T) {
	r := newRP(t)
	ctx := context.Background()
	code, body := r.run(&mockoidc.MockUser{Subject: "nobody", Email: "nobody@example.org", EmailVerified: true})
	if code != http.StatusForbidden || !strings.Contains(body, "kein aktives Konto") {
		t.Errorf("unknown user: %d %q", code, body)
	}
	a := &ratsnetz.Account{UserName: "alt", OIDCIssuer: r.provider.Issuer(), OIDCSubject: "alt-sub", Active: true}
	if err := r.db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := r.db.DeactivateAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	code, body2 := r.run(&mockoidc.MockUser{Subject: "alt-sub", Email: "alt@example.org", EmailVerified: true})
	if code != http.StatusForbidden || body2 != body {
		t.Errorf("deactivated: %d %q, want the same answer as for an unknown user", code, body2)
	}
}

func TestLinkByVerifiedEmail(t *testing.T) {
	r := newRP(t)
	ctx := context.Background()
	a := &ratsnetz.Account{Email: "karl@musterstadt.example", Active: true}
	if err := r.db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Without linking enabled, the e-mail alone does not log in.
	if code, _ := r.run(&mockoidc.MockUser{Subject: "karl-sub", Email: "karl@musterstadt.example", EmailVerified: true}); code != http.StatusForbidden {
		t.Errorf("link disabled: status %d", code)
	}
	r.link = true
	// An unverified address is not trusted.
	if code, _ := r.run(&mockoidc.MockUser{Subject: "karl-sub", Email: "karl@musterstadt.example", EmailVerified: false}); code != http.StatusForbidden {
		t.Errorf("unverified e-mail: status %d", code)
	}
	code, body := r.run(&mockoidc.MockUser{Subject: "karl-sub", Email: "karl@musterstadt.example", EmailVerified: true})
	if want := fmt.Sprintf("account %d karl-sub", a.ID); code != 200 || !strings.HasPrefix(body, want) {
		t.Fatalf("link: %d %q", code, body)
	}
	got, err := r.db.FindAccountByOIDC(ctx, r.provider.Issuer(), "karl-sub")
	if err != nil || got.ID != a.ID {
		t.Errorf("account not linked: %v, %v", got, err)
	}
	// Another identity with the same address cannot take the account over.
	if code, _ := r.run(&mockoidc.MockUser{Subject: "mallory", Email: "karl@musterstadt.example", EmailVerified: true}); code != http.StatusForbidden {
		t.Errorf("second identity with the same e-mail: status %d", code)
	}
}

func TestFlowTampering(t *testing.T) {
	r := newRP(t)
	ctx := context.Background()
	if err := r.db.CreateAccount(ctx, &ratsnetz.Account{UserName: "x", OIDCIssuer: r.provider.Issuer(), OIDCSubject: "x-sub", Active: true}); err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func(*oidc.Flow){
		"wrong state":    func(f *oidc.Flow) { f.State = "forged" },
		"no flow":        func(f *oidc.Flow) { *f = oidc.Flow{} },
		"wrong nonce":    func(f *oidc.Flow) { f.Nonce = "other" },
		"wrong verifier": func(f *oidc.Flow) { f.Verifier = strings.Repeat("a", 43) },
	} {
		t.Run(name, func(t *testing.T) {
			r.mu.Lock()
			r.tamper = tamper
			r.mu.Unlock()
			code, body := r.run(&mockoidc.MockUser{Subject: "x-sub", Email: "x@example.org", EmailVerified: true})
			if code != http.StatusBadRequest || !strings.Contains(body, "fehlgeschlagen") {
				t.Errorf("got %d %q, want 400 with a generic message", code, body)
			}
		})
	}
	r.mu.Lock()
	r.tamper = nil
	r.mu.Unlock()
	if code, _ := r.run(&mockoidc.MockUser{Subject: "x-sub", Email: "x@example.org", EmailVerified: true}); code != 200 {
		t.Errorf("untampered flow: %d", code)
	}
}

func TestFinishProviderError(t *testing.T) {
	r := newRP(t)
	_, err := r.client.Finish(context.Background(), oidc.Flow{State: "s"}, map[string][]string{"error": {"access_denied"}, "state": {"s"}})
	var e *ratsnetz.Error
	if !errors.As(err, &e) || e.Code != ratsnetz.EINVALID {
		t.Errorf("provider error: %v", err)
	}
}

func TestNewBadIssuer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := oidc.New(context.Background(), oidc.Config{Issuer: srv.URL, ClientID: "c", RedirectURL: "http://x/cb"}); err == nil {
		t.Error("New against a server without discovery succeeded")
	}
	if _, err := oidc.New(context.Background(), oidc.Config{}); err == nil {
		t.Error("New without config succeeded")
	}
}
