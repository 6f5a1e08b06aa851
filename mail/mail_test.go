package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/mail"
)

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	o := &mail.Outbox{Dir: dir, From: "rat@example.org", Now: func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }}
	if err := o.Send(context.Background(), mail.Message{To: "a@example.org", Subject: "Passwort zurücksetzen", Body: "Link:\nhttps://x/y"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), mail.Message{To: "a@example.org\r\nBcc: b@example.org", Subject: "x"}); err == nil {
		t.Error("header injection accepted")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	for _, want := range []string{"To: a@example.org\r\n", "Subject: =?utf-8?q?Passwort_zur=C3=BCcksetzen?=", "\r\n\r\nLink:\r\nhttps://x/y"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("mail lacks %q:\n%s", want, b)
		}
	}
}
