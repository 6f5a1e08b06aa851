package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	ratsmail "github.com/ratsnetz/ratsnetz/mail"
)

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	o := &ratsmail.Outbox{Dir: dir, From: "rat@example.org", Now: func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }}
	if err := o.Send(context.Background(), ratsmail.Message{To: "a@example.org", Subject: "Passwort zurücksetzen", Body: "Link:\nhttps://x/y?token=abc"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), ratsmail.Message{To: "a@example.org\r\nBcc: b@example.org", Subject: "x"}); err == nil {
		t.Error("header injection accepted")
	}
	if err := o.Send(context.Background(), ratsmail.Message{To: "a@example.org", Subject: "x\r\nBcc: b@example.org"}); err == nil {
		t.Error("header injection in the subject accepted")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	for _, want := range []string{"To: a@example.org\r\n", "Subject: =?utf-8?q?Passwort_zur=C3=BCcksetzen?=", "\r\nMessage-ID: <", "\r\n\r\nLink:\r\nhttps://x/y?token=abc"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("mail lacks %q:\n%s", want, b)
		}
	}
}

func TestOutboxSameMessageIDOnce(t *testing.T) {
	dir := t.TempDir()
	o := &ratsmail.Outbox{Dir: dir, From: "rat@example.org"}
	m := ratsmail.Message{To: "a@example.org", Subject: "Einladung", Body: "x", ID: "inv-1-p-2@example.org"}
	for range 3 {
		if err := o.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	m.ID = "inv-1-p-3@example.org"
	if err := o.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 2 {
		t.Errorf("%d files, want 2 (one per Message-ID)", len(files))
	}
}

// parts returns the decoded text and HTML parts of a multipart/alternative mail.
func parts(t *testing.T, raw []byte) (hdr mail.Header, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q, %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part encoding %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		switch ct := p.Header.Get("Content-Type"); ct {
		case "text/plain; charset=utf-8":
			text = string(b)
		case "text/html; charset=utf-8":
			html = string(b)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return msg.Header, text, html
}

func TestRenderAlternative(t *testing.T) {
	long := strings.Repeat("Tagesordnung ", 100)
	raw, err := ratsmail.Render(ratsmail.Message{To: "b@example.org", Subject: "Einladung zur Sitzung des Rates",
		Body: "Guten Tag,\nÖffnen: https://rat.example.org/mein/empfang/abc=def\n" + long,
		HTML: `<p>Guten Tag,</p><p><a href="https://rat.example.org/mein/empfang/abc=def">Öffnen</a></p>`, ID: "x1@example.org"},
		"rat@example.org", time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d octets", len(line))
		}
	}
	hdr, text, html := parts(t, raw)
	if hdr.Get("Message-ID") != "<x1@example.org>" {
		t.Errorf("Message-ID %q", hdr.Get("Message-ID"))
	}
	if !strings.Contains(text, "Öffnen: https://rat.example.org/mein/empfang/abc=def\r\n") || !strings.Contains(text, long) {
		t.Errorf("text part:\n%s", text)
	}
	if !strings.Contains(html, `href="https://rat.example.org/mein/empfang/abc=def"`) {
		t.Errorf("html part:\n%s", html)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url, addr, tls, user, pass, from string
		bad                              bool
	}{
		{url: "smtp://user:geheim@mail.example.org:587", addr: "mail.example.org:587", tls: "starttls", user: "user", pass: "geheim"},
		{url: "smtp://mail.example.org", addr: "mail.example.org:587", tls: "starttls"},
		{url: "smtps://u:Kennwort9@mail.example.org", addr: "mail.example.org:465", tls: "implicit", user: "u", pass: "Kennwort9"},
		{url: "smtp://127.0.0.1:2525?tls=none&from=rat@example.org", addr: "127.0.0.1:2525", tls: "none", from: "rat@example.org"},
		{url: "http://x", bad: true},
		{url: "smtp://x?tls=maybe", bad: true},
		{url: "smtp://", bad: true},
	} {
		s, err := ratsmail.ParseSMTPURL(tc.url)
		if tc.bad {
			if err == nil {
				t.Errorf("%s: accepted", tc.url)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if s.Addr != tc.addr || s.TLS != tc.tls || s.Username != tc.user || s.Password != tc.pass || s.From != tc.from {
			t.Errorf("%s: %+v", tc.url, s)
		}
		if tc.pass != "" && strings.Contains(s.String(), tc.pass) {
			t.Errorf("%s: String shows the password: %s", tc.url, s)
		}
	}
}

type fakeQueue struct{ jobs []ratsnetz.NewJob }

func (f *fakeQueue) EnqueueJobs(ctx context.Context, jobs ...ratsnetz.NewJob) error {
	f.jobs = append(f.jobs, jobs...)
	return nil
}

func TestQueueSender(t *testing.T) {
	q := &fakeQueue{}
	s := ratsmail.QueueSender{Queue: q, Domain: "rat.example.org"}
	if err := s.Send(context.Background(), ratsmail.Message{To: "a@example.org", Subject: "Hallo", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), ratsmail.Message{To: "a@example.org\r\nBcc: x@example.org"}); err == nil {
		t.Error("header injection queued")
	}
	if len(q.jobs) != 1 || q.jobs[0].Kind != ratsmail.JobKind || !strings.HasSuffix(q.jobs[0].Key, "@rat.example.org") {
		t.Fatalf("jobs %+v", q.jobs)
	}
	var m ratsmail.Message
	if err := json.Unmarshal(q.jobs[0].Payload, &m); err != nil || m.ID != q.jobs[0].Key || m.To != "a@example.org" {
		t.Errorf("payload %s: %v", q.jobs[0].Payload, err)
	}
}
