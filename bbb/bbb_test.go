package bbb

import (
	"crypto/sha1"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// The example of the BigBlueButton API documentation ("API Security
// Model"): create with this query and shared secret has this SHA-1 checksum.
const (
	docQuery  = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
	docSecret = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
	docSum    = "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
)

func TestChecksumPublishedExample(t *testing.T) {
	if got := Checksum("create", docQuery, docSecret, false); got != docSum {
		t.Errorf("checksum = %s, want %s", got, docSum)
	}
	// SHA-256 over the same input, computed independently with coreutils:
	// printf '%s' 'create<query><secret>' | sha256sum
	if got, want := Checksum("create", docQuery, docSecret, true), "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"; got != want {
		t.Errorf("sha256 checksum = %s, want %s", got, want)
	}
}

func TestCreateURLMatchesDocs(t *testing.T) {
	c, err := New(Config{URL: "https://bbb.example/bigbluebutton/api/", Secret: docSecret})
	if err != nil {
		t.Fatal(err)
	}
	got := c.CreateURL(Room{MeetingID: "abc123", Name: "Test Meeting", AttendeePW: "111222", ModeratorPW: "333444"})
	// The documentation's query first, recording off after it; the
	// checksum is SHA-1 over "create" + query + secret as published.
	q := docQuery + "&record=false&autoStartRecording=false&allowStartStopRecording=false"
	sum := sha1.Sum([]byte("create" + q + docSecret))
	want := "https://bbb.example/bigbluebutton/api/create?" + q + "&checksum=" + hex.EncodeToString(sum[:])
	if got != want {
		t.Errorf("create URL\n got %s\nwant %s", got, want)
	}
}

func TestJoinURL(t *testing.T) {
	c, err := New(Config{URL: "https://bbb.example/bigbluebutton/api", Secret: "s3cret", SHA256: true})
	if err != nil {
		t.Fatal(err)
	}
	r := Room{MeetingID: RoomID(4711), Name: "Rat", AttendeePW: "att", ModeratorPW: "mod"}
	for _, mod := range []bool{false, true} {
		u, err := c.JoinURL(r, "Erika Müller & Co", "person-9", mod)
		if err != nil {
			t.Fatal(err)
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := pu.Query()
		if q.Get("fullName") != "Erika Müller & Co" || q.Get("meetingID") != "ratsnetz-4711" || q.Get("userID") != "person-9" {
			t.Errorf("join query %v", q)
		}
		wantPW := "att"
		if mod {
			wantPW = "mod"
		}
		wantRole := "VIEWER"
		if mod {
			wantRole = "MODERATOR"
		}
		if q.Get("role") != wantRole {
			t.Errorf("moderator=%v: role %q", mod, q.Get("role"))
		}
		if q.Get("password") != wantPW {
			t.Errorf("moderator=%v: password %q", mod, q.Get("password"))
		}
		// The checksum covers exactly the query before it.
		raw := pu.RawQuery
		i := strings.LastIndex(raw, "&checksum=")
		if sum := Checksum("join", raw[:i], "s3cret", true); raw[i+len("&checksum="):] != sum || len(sum) != 64 {
			t.Errorf("checksum %s, want %s", raw[i+len("&checksum="):], sum)
		}
	}
	if _, err := c.JoinURL(r, " ", "", false); err == nil {
		t.Error("join without a name accepted")
	}
}

func TestNewInvalid(t *testing.T) {
	for _, cfg := range []Config{{URL: "", Secret: "x"}, {URL: "ftp://x", Secret: "x"}, {URL: "https://x"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
