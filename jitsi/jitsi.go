// Package jitsi signs Jitsi Meet room tokens (JWT, HS256) for live hybrid
// meetings, as the Jitsi token authentication (prosody mod_auth_token,
// "jitsi-meet-tokens") expects: header {"alg":"HS256","typ":"JWT"}, claims
// iss (app ID), aud ("jitsi" by default), sub (the XMPP domain or "*"), room,
// nbf/exp, and context.user with name, id and moderator. The JWT is the
// RFC 7519 compact form signed per RFC 7515 (HMAC-SHA256).
package jitsi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is one installation's Jitsi Meet server.
type Config struct {
	// URL is the Jitsi Meet base URL, e.g. https://meet.musterstadt.de
	URL string
	// AppID and Secret are prosody's app_id and app_secret.
	AppID  string
	Secret string
	// Audience defaults to "jitsi"; Subject (the domain) defaults to "*".
	Audience string
	Subject  string
	// Validity of a token; default 4 hours.
	Validity time.Duration
}

// Client signs tokens and builds room links.
type Client struct{ cfg Config }

// New validates cfg.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("jitsi: the URL must be an http(s) URL")
	}
	if cfg.AppID == "" || cfg.Secret == "" {
		return nil, errors.New("jitsi: app ID and secret are needed")
	}
	if cfg.Audience == "" {
		cfg.Audience = "jitsi"
	}
	if cfg.Subject == "" {
		cfg.Subject = "*"
	}
	if cfg.Validity <= 0 {
		cfg.Validity = 4 * time.Hour
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Client{cfg: cfg}, nil
}

// User is who joins.
type User struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Email     string `json:"email,omitempty"`
	Moderator bool   `json:"moderator"`
}

type claims struct {
	Iss     string `json:"iss"`
	Aud     string `json:"aud"`
	Sub     string `json:"sub"`
	Room    string `json:"room"`
	Nbf     int64  `json:"nbf"`
	Exp     int64  `json:"exp"`
	Context struct {
		User User `json:"user"`
	} `json:"context"`
	Moderator bool `json:"moderator"`
}

// RoomName is the Jitsi room of a Ratsnetz meeting.
func RoomName(meetingID int64) string { return "ratsnetz-" + strconv.FormatInt(meetingID, 10) }

// Token returns a signed token for user in room, valid from now.
func (c *Client) Token(room string, user User, now time.Time) (string, error) {
	if room == "" || strings.TrimSpace(user.Name) == "" {
		return "", errors.New("jitsi: room and user name are needed")
	}
	cl := claims{Iss: c.cfg.AppID, Aud: c.cfg.Audience, Sub: c.cfg.Subject, Room: room,
		Nbf: now.Add(-time.Minute).Unix(), Exp: now.Add(c.cfg.Validity).Unix(), Moderator: user.Moderator}
	cl.Context.User = user
	payload, err := json.Marshal(cl)
	if err != nil {
		return "", err
	}
	return Sign([]byte(`{"alg":"HS256","typ":"JWT"}`), payload, []byte(c.cfg.Secret)), nil
}

// JoinURL is the room link carrying the token.
func (c *Client) JoinURL(room string, user User, now time.Time) (string, error) {
	tok, err := c.Token(room, user, now)
	if err != nil {
		return "", err
	}
	return c.cfg.URL + "/" + url.PathEscape(room) + "?jwt=" + tok, nil
}

// Sign returns the compact JWS of header and payload (JSON as given) with
// HMAC-SHA256: base64url(header) "." base64url(payload) "." base64url(MAC).
func Sign(header, payload, key []byte) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

// Verify checks a compact HS256 JWS and returns its payload.
func Verify(tok string, key []byte) ([]byte, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("jitsi: malformed token")
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("jitsi: malformed signature")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return nil, errors.New("jitsi: bad signature")
	}
	return enc.DecodeString(parts[1])
}
