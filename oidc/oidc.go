// Package oidc is single sign-on through the municipality's identity
// provider (Keycloak, ADFS, Entra ID, …) with OpenID Connect: the
// authorization-code flow with PKCE, state and nonce, ID token verification
// (github.com/coreos/go-oidc/v3 on golang.org/x/oauth2), and the mapping of
// the provider's user to a Ratsnetz account.
//
// The web layer calls Start, keeps the returned Flow in a short-lived,
// HttpOnly, SameSite=Lax cookie (signed or server-side), redirects the
// browser to the returned URL and, on the callback, calls Finish with that
// Flow and the query, then Resolve to find the account.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ratsnetz/ratsnetz"
)

// Config configures the client.
type Config struct {
	// Issuer is the provider's issuer URL (discovery at
	// Issuer/.well-known/openid-configuration).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Ratsnetz's callback, e.g. https://rat.example/anmelden/sso/callback.
	RedirectURL string
	// Scopes beyond "openid"; default email and profile.
	Scopes []string
	// HTTPClient talks to the provider; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Client is a relying party of one provider. It is safe for concurrent use.
type Client struct {
	issuer   string
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	http     *http.Client
}

// New discovers the provider and returns a client.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	ctx = gooidc.ClientContext(ctx, hc)
	p, err := gooidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", cfg.Issuer, err)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	return &Client{
		issuer: cfg.Issuer,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     p.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       append([]string{gooidc.ScopeOpenID}, scopes...),
		},
		// Keys are fetched with the configured client; the context's
		// cancellation is ignored by go-oidc here.
		verifier: p.VerifierContext(gooidc.ClientContext(context.WithoutCancel(ctx), hc), &gooidc.Config{ClientID: cfg.ClientID}),
		http:     hc,
	}, nil
}

// Flow is the per-login secret state between Start and Finish. The web
// layer keeps it for the browser (cookie) for a few minutes.
type Flow struct {
	State    string
	Nonce    string
	Verifier string // PKCE code verifier
}

// Start begins a login: the URL to send the browser to, and the Flow to keep.
func (c *Client) Start() (string, Flow, error) {
	state, err := random()
	if err != nil {
		return "", Flow{}, err
	}
	nonce, err := random()
	if err != nil {
		return "", Flow{}, err
	}
	f := Flow{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}
	u := c.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return u, f, nil
}

// Identity is the user as the provider vouches for them.
type Identity struct {
	Issuer            string
	Subject           string
	Email             string
	EmailVerified     bool
	Name              string
	PreferredUsername string
}

var errLogin = ratsnetz.Errorf(ratsnetz.EINVALID, "Die Anmeldung über den Identitätsdienst ist fehlgeschlagen. Bitte versuchen Sie es erneut.")

// Finish completes a login from the callback's query: it checks the state,
// redeems the code (with the PKCE verifier), verifies the ID token
// (signature, issuer, audience, expiry) and its nonce. Every failure is a
// generic EINVALID for the user, wrapping the cause for the log.
func (c *Client) Finish(ctx context.Context, f Flow, query url.Values) (*Identity, error) {
	if e := query.Get("error"); e != "" {
		return nil, fmt.Errorf("%w (provider: %s: %s)", errLogin, e, query.Get("error_description"))
	}
	if f.State == "" || subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(f.State)) != 1 {
		return nil, fmt.Errorf("%w (state mismatch)", errLogin)
	}
	code := query.Get("code")
	if code == "" {
		return nil, fmt.Errorf("%w (no code)", errLogin)
	}
	ctx = gooidc.ClientContext(ctx, c.http)
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w (exchange: %v)", errLogin, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, fmt.Errorf("%w (no id_token)", errLogin)
	}
	idt, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w (verify: %v)", errLogin, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, fmt.Errorf("%w (nonce mismatch)", errLogin)
	}
	var claims struct {
		Email             string `json:"email"`
		EmailVerified     any    `json:"email_verified"` // bool, or "true" from some ADFS setups
		Name              string `json:"name"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w (claims: %v)", errLogin, err)
	}
	verified := claims.EmailVerified == true || claims.EmailVerified == "true"
	return &Identity{
		Issuer: idt.Issuer, Subject: idt.Subject, Email: strings.ToLower(strings.TrimSpace(claims.Email)),
		EmailVerified: verified, Name: claims.Name, PreferredUsername: claims.PreferredUsername,
	}, nil
}

// errNoAccount is deliberately the same for unknown and deactivated
// accounts: no enumeration through single sign-on.
var errNoAccount = ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Für diese Anmeldung gibt es kein aktives Konto in Ratsnetz. Bitte wenden Sie sich an die Administration.")

// Resolve maps id to an active account: first by the linked provider
// identity (issuer + subject); else, if linkByEmail and the provider says
// the e-mail address is verified, an active account with that address and
// no provider identity yet is linked to it. Accounts are never created here
// (administrators invite people). Unknown or deactivated: EFORBIDDEN.
func Resolve(ctx context.Context, accounts ratsnetz.AccountService, id *Identity, linkByEmail bool) (*ratsnetz.Account, error) {
	a, err := accounts.FindAccountByOIDC(ctx, id.Issuer, id.Subject)
	switch {
	case err == nil:
		if !a.Active {
			return nil, errNoAccount
		}
		return a, nil
	case ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND:
		return nil, fmt.Errorf("resolve sso identity: %w", err)
	}
	if !linkByEmail || !id.EmailVerified || id.Email == "" {
		return nil, errNoAccount
	}
	a, err = accounts.FindAccountByLogin(ctx, id.Email)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		return nil, errNoAccount
	} else if err != nil {
		return nil, fmt.Errorf("resolve sso identity: %w", err)
	}
	if !a.Active || a.OIDCSubject != "" {
		// Linked to another identity already: never re-link silently.
		return nil, errNoAccount
	}
	a, err = accounts.UpdateAccount(ctx, a.ID, ratsnetz.AccountUpdate{OIDCIssuer: &id.Issuer, OIDCSubject: &id.Subject})
	if err != nil {
		return nil, fmt.Errorf("link sso identity: %w", err)
	}
	return a, nil
}

func random() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
