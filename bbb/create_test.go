package bbb

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeBBB is a BigBlueButton API stand-in that checks every call's checksum
// as the API security model defines it — hex(SHA-1 or SHA-256 of the call
// name, the query string before "&checksum=" and the shared secret) —
// computed here independently of Checksum, and keeps the rooms created.
type fakeBBB struct {
	secret string
	sha256 bool

	mu    sync.Mutex
	rooms map[string]string // meetingID → query of its create
	calls []string
}

func (f *fakeBBB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := strings.TrimPrefix(r.URL.Path, "/bigbluebutton/api/")
	raw := r.URL.RawQuery
	i := strings.LastIndex(raw, "&checksum=")
	w.Header().Set("Content-Type", "text/xml")
	fail := func(key, msg string) {
		fmt.Fprintf(w, "<response><returncode>FAILED</returncode><messageKey>%s</messageKey><message>%s</message></response>", key, msg)
	}
	if i < 0 {
		fail("checksumError", "Checksums do not match")
		return
	}
	input := []byte(call + raw[:i] + f.secret)
	var want string
	if f.sha256 {
		s := sha256.Sum256(input)
		want = hex.EncodeToString(s[:])
	} else {
		s := sha1.Sum(input)
		want = hex.EncodeToString(s[:])
	}
	if raw[i+len("&checksum="):] != want {
		fail("checksumError", "Checksums do not match")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	q := r.URL.Query()
	if call != "create" {
		fail("unsupportedRequest", "not in this test")
		return
	}
	id := q.Get("meetingID")
	// The settings of the room, without its checksum.
	settings := raw[:i]
	if prev, ok := f.rooms[id]; ok {
		if prev != settings {
			fail("idNotUnique", "A meeting already exists with that meeting ID.  Please use a different meeting ID.")
			return
		}
		fmt.Fprintf(w, "<response><returncode>SUCCESS</returncode><meetingID>%s</meetingID><messageKey>duplicateWarning</messageKey><message>This conference was already in existence and may currently be in progress.</message></response>", id)
		return
	}
	f.rooms[id] = settings
	fmt.Fprintf(w, "<response><returncode>SUCCESS</returncode><meetingID>%s</meetingID><messageKey></messageKey><message></message></response>", id)
}

func TestCreateAgainstFakeServer(t *testing.T) {
	for _, sha := range []bool{false, true} {
		t.Run(fmt.Sprintf("sha256=%v", sha), func(t *testing.T) {
			fake := &fakeBBB{secret: "geheim-123", sha256: sha, rooms: map[string]string{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			c, err := New(Config{URL: srv.URL + "/bigbluebutton/api", Secret: "geheim-123", SHA256: sha})
			if err != nil {
				t.Fatal(err)
			}
			room := Room{MeetingID: RoomID(4711), Name: "Rat der Stadt – Sitzung 12", AttendeePW: "att", ModeratorPW: "mod", LogoutURL: "https://rat.example/live/4711"}
			if err := c.Create(context.Background(), room); err != nil {
				t.Fatalf("create: %v", err)
			}
			// Opening the room again (a second click, another instance):
			// BigBlueButton answers duplicateWarning, which is fine.
			if err := c.Create(context.Background(), room); err != nil {
				t.Fatalf("create again: %v", err)
			}
			settings := fake.rooms["ratsnetz-4711"]
			for _, want := range []string{"record=false", "name=Rat+der+Stadt+%E2%80%93+Sitzung+12", "attendeePW=att", "moderatorPW=mod"} {
				if !strings.Contains(settings, want) {
					t.Errorf("create query %q lacks %q", settings, want)
				}
			}
			// Another room under the same ID is refused with a clear error.
			other := room
			other.Name = "Anderer Raum"
			err = c.Create(context.Background(), other)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Key != "idNotUnique" || !strings.Contains(ae.UserMessage(), "bereits einen anderen Raum") {
				t.Errorf("duplicate ID with other settings: %v", err)
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	fake := &fakeBBB{secret: "richtig", rooms: map[string]string{}}
	srv := httptest.NewServer(fake)
	c, err := New(Config{URL: srv.URL + "/bigbluebutton/api", Secret: "falsch"})
	if err != nil {
		t.Fatal(err)
	}
	room := Room{MeetingID: RoomID(1), Name: "Rat", AttendeePW: "a", ModeratorPW: "m"}
	err = c.Create(context.Background(), room)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Key != "checksumError" || !strings.Contains(ae.UserMessage(), "RATSNETZ_BBB_SECRET") {
		t.Errorf("wrong secret: %v", err)
	}
	if len(fake.rooms) != 0 {
		t.Errorf("a room was created with a wrong checksum")
	}
	srv.Close()
	err = c.Create(context.Background(), room)
	if err == nil || strings.Contains(err.Error(), "checksum=") || errors.As(err, &ae) {
		t.Errorf("unreachable server: %v (must not show the signed URL)", err)
	}
	// Not BigBlueButton at all.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>Wartung</html>")) }))
	defer html.Close()
	c, _ = New(Config{URL: html.URL, Secret: "x"})
	if err := c.Create(context.Background(), room); !errors.As(err, &ae) || ae.Key != "badAnswer" {
		t.Errorf("an HTML answer: %v", err)
	}
}
