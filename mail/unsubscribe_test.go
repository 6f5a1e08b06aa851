package mail_test

import (
	"bytes"
	"net/mail"
	"testing"
	"time"

	rmail "github.com/ratsnetz/ratsnetz/mail"
)

// TestRenderListUnsubscribe: alert mails carry the RFC 8058 one-click
// headers; a URL with a line break or angle bracket is refused.
func TestRenderListUnsubscribe(t *testing.T) {
	u := "https://rat.example.de/benachrichtigungen/abmelden/abc"
	b, err := rmail.Render(rmail.Message{To: "a@example.org", Subject: "Neu", Body: "x", ListUnsubscribe: u}, "rat@example.de", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != "<"+u+">" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	plain, _ := rmail.Render(rmail.Message{To: "a@example.org", Subject: "Neu", Body: "x"}, "", time.Now())
	if bytes.Contains(plain, []byte("List-Unsubscribe")) {
		t.Error("List-Unsubscribe on a mail without it")
	}
	for _, bad := range []string{u + "\r\nBcc: x@example.org", u + ">", "a b"} {
		if _, err := rmail.Render(rmail.Message{To: "a@example.org", Subject: "s", Body: "x", ListUnsubscribe: bad}, "", time.Now()); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
