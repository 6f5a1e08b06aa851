package jitsi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// RFC 7515 Appendix A.1: the HS256 example with its JWK key ("k") and the
// header and payload octets exactly as given there (CRLF line breaks).
func TestSignRFC7515A1(t *testing.T) {
	key := []byte{3, 35, 53, 75, 43, 15, 165, 188, 131, 126, 6, 101, 119, 123, 166, 143, 90, 179, 40, 230, 240, 84, 201, 40, 169, 15, 132, 178, 210, 80, 46, 191, 211, 251, 90, 146, 210, 6, 71, 239, 150, 138, 180, 195, 119, 98, 61, 34, 61, 46, 33, 114, 5, 46, 79, 8, 192, 205, 154, 245, 103, 208, 128, 163}
	header := "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"
	payload := "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
	want := "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got := Sign([]byte(header), []byte(payload), key); got != want {
		t.Errorf("RFC 7515 A.1\n got %s\nwant %s", got, want)
	}
}

// The well-known example JWT of jwt.io (HS256, secret "your-256-bit-secret").
func TestSignJWTIOExample(t *testing.T) {
	want := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	got := Sign([]byte(`{"alg":"HS256","typ":"JWT"}`), []byte(`{"sub":"1234567890","name":"John Doe","iat":1516239022}`), []byte("your-256-bit-secret"))
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestRoomToken(t *testing.T) {
	c, err := New(Config{URL: "https://meet.example/", AppID: "ratsnetz", Secret: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	u, err := c.JoinURL(RoomName(4711), User{ID: "person-9", Name: "Erika Müller", Moderator: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "https://meet.example/ratsnetz-4711?jwt="
	if !strings.HasPrefix(u, prefix) {
		t.Fatalf("join URL %s", u)
	}
	payload, err := Verify(strings.TrimPrefix(u, prefix), []byte("geheim"))
	if err != nil {
		t.Fatal(err)
	}
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		t.Fatal(err)
	}
	if cl.Iss != "ratsnetz" || cl.Aud != "jitsi" || cl.Sub != "*" || cl.Room != "ratsnetz-4711" || !cl.Context.User.Moderator ||
		cl.Context.User.Name != "Erika Müller" || cl.Exp != now.Add(4*time.Hour).Unix() || cl.Nbf >= now.Unix() {
		t.Errorf("claims %+v", cl)
	}
	if _, err := Verify(strings.TrimPrefix(u, prefix), []byte("falsch")); err == nil {
		t.Error("a token verified with the wrong secret")
	}
	if _, err := c.Token("", User{Name: "x"}, now); err == nil {
		t.Error("token without room")
	}
}
