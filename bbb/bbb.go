// Package bbb builds BigBlueButton API calls for live hybrid meetings: a room
// per meeting (create) and personal join links with the member's name,
// moderator rights for the chair and the office. Every call is signed as the
// BigBlueButton API security model defines: checksum = SHA-1 (or SHA-256) of
// the call name, the query string and the shared secret, in hex, appended as
// the last parameter "checksum".
package bbb

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is one installation's BigBlueButton server.
type Config struct {
	// URL is the API base, e.g. https://bbb.musterstadt.de/bigbluebutton/api
	URL string
	// Secret is the shared secret (bbb-conf --secret).
	Secret string
	// SHA256 signs with SHA-256 instead of SHA-1 (BigBlueButton ≥ 2.6 can
	// be configured to require it).
	SHA256 bool
	// HTTPClient makes the API calls (default: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// Client builds signed API URLs and makes the create call; create is
// idempotent on the BigBlueButton side and the portal calls it when the
// cockpit opens the room.
type Client struct {
	cfg Config
}

// New validates cfg.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("bbb: the API URL must be an http(s) URL")
	}
	if cfg.Secret == "" {
		return nil, errors.New("bbb: the shared secret is missing")
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{cfg: cfg}, nil
}

// Checksum returns the checksum of an API call: hex(SHA-1(call + query +
// secret)), or SHA-256 when sha256 is set. query is the encoded query string
// without the checksum parameter, exactly as sent.
func Checksum(call, query, secret string, sha256Sum bool) string {
	var h hash.Hash
	if sha256Sum {
		h = sha256.New()
	} else {
		h = sha1.New()
	}
	h.Write([]byte(call))
	h.Write([]byte(query))
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// Param is one query parameter; the order of parameters is kept, since
// the checksum covers the query string as sent.
type Param struct{ Key, Value string }

// encode is the query string of ps (application/x-www-form-urlencoded, as
// BigBlueButton's examples: spaces as "+").
func encode(ps []Param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

// URL returns the signed URL of an API call.
func (c *Client) URL(call string, ps ...Param) string {
	q := encode(ps)
	sum := Checksum(call, q, c.cfg.Secret, c.cfg.SHA256)
	if q != "" {
		q += "&"
	}
	return c.cfg.URL + "/" + call + "?" + q + "checksum=" + sum
}

// Room describes the BigBlueButton room of a meeting.
type Room struct {
	// MeetingID is unique per meeting, e.g. "ratsnetz-4711".
	MeetingID string
	Name      string
	// ModeratorPW and AttendeePW are the room's passwords (random per
	// meeting, kept by the installation).
	ModeratorPW string
	AttendeePW  string
	// LogoutURL is where the browser goes after leaving.
	LogoutURL string
}

// RoomID is the BigBlueButton meeting ID of a Ratsnetz meeting.
func RoomID(meetingID int64) string { return "ratsnetz-" + strconv.FormatInt(meetingID, 10) }

// CreateURL is the signed create call of the room, as the API
// documentation's example orders it (name, meetingID, attendeePW,
// moderatorPW), then the logout URL and recording off: council meetings
// are not recorded by the video system (record=false also forbids starting
// a recording in the room).
func (c *Client) CreateURL(r Room) string {
	ps := []Param{{"name", r.Name}, {"meetingID", r.MeetingID}, {"attendeePW", r.AttendeePW}, {"moderatorPW", r.ModeratorPW}}
	if r.LogoutURL != "" {
		ps = append(ps, Param{"logoutURL", r.LogoutURL})
	}
	ps = append(ps, Param{"record", "false"}, Param{"autoStartRecording", "false"}, Param{"allowStartStopRecording", "false"})
	return c.URL("create", ps...)
}

// APIError is a FAILED answer of the BigBlueButton API.
type APIError struct {
	Call    string
	Key     string // messageKey, e.g. checksumError, idNotUnique
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("bbb %s: %s: %s", e.Call, e.Key, e.Message)
}

// UserMessage is the error as the cockpit shows it (German).
func (e *APIError) UserMessage() string {
	switch e.Key {
	case "checksumError":
		return "BigBlueButton hat die Prüfsumme abgelehnt – stimmt das gemeinsame Geheimnis (RATSNETZ_BBB_SECRET) und das Verfahren (RATSNETZ_BBB_SHA256)?"
	case "idNotUnique":
		return "BigBlueButton hat unter dieser Kennung bereits einen anderen Raum."
	}
	if e.Message != "" {
		return "BigBlueButton meldet: " + e.Message
	}
	return "BigBlueButton meldet einen Fehler (" + e.Key + ")."
}

// response is the XML answer of an API call.
type response struct {
	ReturnCode string `xml:"returncode"`
	MessageKey string `xml:"messageKey"`
	Message    string `xml:"message"`
	MeetingID  string `xml:"meetingID"`
}

// Create opens the room (the signed create call). Calling it again for a
// running room is fine: BigBlueButton answers SUCCESS with the
// duplicateWarning key. A FAILED answer is an *APIError.
func (c *Client) Create(ctx context.Context, r Room) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.CreateURL(r), nil)
	if err != nil {
		return fmt.Errorf("bbb create: %w", err)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		// The URL carries the checksum: name the server only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("bbb create: %s unreachable: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("bbb create: read answer: %w", err)
	}
	var out response
	if err := xml.Unmarshal(body, &out); err != nil || out.ReturnCode == "" {
		return &APIError{Call: "create", Key: "badAnswer", Message: fmt.Sprintf("unerwartete Antwort (HTTP %d)", resp.StatusCode)}
	}
	if out.ReturnCode != "SUCCESS" {
		return &APIError{Call: "create", Key: out.MessageKey, Message: out.Message}
	}
	return nil
}

// JoinURL is a personal join link: fullName as shown in the room, userID the
// Ratsnetz person (so that attendance can be matched), moderator for the
// chair and the office.
func (c *Client) JoinURL(r Room, fullName, userID string, moderator bool) (string, error) {
	if strings.TrimSpace(fullName) == "" {
		return "", fmt.Errorf("bbb: join needs a name")
	}
	pw := r.AttendeePW
	if moderator {
		pw = r.ModeratorPW
	}
	// BigBlueButton 2.x+ knows the role; older servers go by the password,
	// newer ones by the role (unknown parameters are ignored).
	role := "VIEWER"
	if moderator {
		role = "MODERATOR"
	}
	ps := []Param{{"fullName", fullName}, {"meetingID", r.MeetingID}, {"password", pw}, {"role", role}}
	if userID != "" {
		ps = append(ps, Param{"userID", userID})
	}
	return c.URL("join", ps...), nil
}
