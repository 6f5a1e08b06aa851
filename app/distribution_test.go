package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/app"
	"github.com/ratsnetz/ratsnetz/mail/smtptest"
)

// TestPasswordResetMailQueued: the password-reset mail goes through the
// durable mail queue and its worker, so it reaches the configured SMTP
// server (a real server process) and is never written straight to the
// outbox.
func TestPasswordResetMailQueued(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts an SMTP server process")
	}
	mailDir := t.TempDir()
	smtpd := smtptest.Start(t, smtptest.Build(t, t.TempDir()), mailDir, smtptest.Options{})
	data := t.TempDir()
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: data, SMTPURL: "smtp://" + smtpd.Addr + "?tls=none",
		MailFrom: "ratsnetz@musterstadt.example"}, slog.New(slog.DiscardHandler))
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.DB.CreateAccount(ratsnetz.SystemContext(context.Background()),
		&ratsnetz.Account{Email: "erika@example.org", DisplayName: "Erika", Active: true}); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(m.URL() + "/passwort-vergessen")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if tok == nil {
		t.Fatalf("no CSRF token:\n%s", body)
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/passwort-vergessen",
		strings.NewReader(url.Values{"csrf": {tok[1]}, "email": {"erika@example.org"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", m.URL())
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /passwort-vergessen: %d", resp.StatusCode)
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := smtptest.Received(mailDir)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].To == "erika@example.org" && strings.Contains(got[0].Subject, "Passwort zurücksetzen") {
			break
		}
		if len(got) > 1 || time.Now().After(deadline) {
			t.Fatalf("mails at the SMTP server: %+v", got)
		}
		time.Sleep(50 * time.Millisecond) // polling a directory: nothing to wait on
	}
	if files, _ := filepath.Glob(filepath.Join(data, "outbox", "*")); len(files) > 0 {
		t.Errorf("the reset mail was also written to the outbox: %v", files)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
