// Package mail sends the few mails of Ratsnetz (password reset,
// invitation). Until an SMTP transport exists, Outbox writes each mail as an
// .eml file into a directory, where an operator (or a test) can read it.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Message is a plain-text mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender sends mails.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox writes mails as RFC 5322 files (<time>-<random>.eml) into Dir.
type Outbox struct {
	Dir  string
	From string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Send writes m into the outbox directory.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("mail: header with line break")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now().UTC()
	from := o.From
	if from == "" {
		from = "ratsnetz@localhost"
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n", from, m.To,
		mime.QEncoding.Encode("utf-8", m.Subject), t.Format(time.RFC1123Z))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	name := filepath.Join(o.Dir, t.Format("20060102T150405Z")+"-"+hex.EncodeToString(rnd[:])+".eml")
	if err := os.WriteFile(name, []byte(b.String()), 0o640); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return nil
}
