// Package mail composes and sends the mails of Ratsnetz (password reset,
// invitations, notifications, alerts): German plain text with an optional
// HTML alternative, a stable Message-ID per mail. Transports: SMTP (SMTP)
// in production, and Outbox, which writes each mail as an .eml file into a
// directory where an operator (or a test) can read it. Mails are sent by a
// background job (kind "mail", see Worker), so a crash or an unreachable
// server delays a mail but never loses it.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Message is a mail. Body is the plain text; HTML, if set, is sent as the
// alternative (multipart/alternative). Neither may carry non-public
// content: link to the portal instead.
type Message struct {
	To      string
	Subject string
	Body    string
	HTML    string `json:",omitempty"`
	// ID is the Message-ID without angle brackets (local@domain). It stays
	// the same when the mail is sent again, so a receiver can drop
	// duplicates. Empty: Render makes one up (NewJob fills it before
	// queueing, so retries keep it).
	ID string `json:",omitempty"`
	// ListUnsubscribe, if set, is the one-click unsubscribe URL of an alert
	// mail: sent as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058).
	ListUnsubscribe string `json:",omitempty"`
	// Ref is an opaque reference handed back to the Worker's OnSent hook
	// (e.g. "invitation-recipient:42"); it is not part of the mail.
	Ref string `json:",omitempty"`
}

// Sender sends mails.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Validate rejects header injection and missing parts.
func (m Message) Validate() error {
	if strings.TrimSpace(m.To) == "" || !strings.Contains(m.To, "@") {
		return fmt.Errorf("mail: invalid recipient %q", m.To)
	}
	if strings.ContainsAny(m.To, "\r\n,;<>") || strings.ContainsAny(m.Subject, "\r\n") || strings.ContainsAny(m.ID, "\r\n<> ") ||
		strings.ContainsAny(m.ListUnsubscribe, "\r\n<> ") {
		return errors.New("mail: header with line break or forbidden character")
	}
	return nil
}

// NewID returns a fresh random Message-ID (without angle brackets) under
// domain.
func NewID(domain string) string {
	if domain == "" {
		domain = "ratsnetz.invalid"
	}
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@" + domain
}

// Render returns m as an RFC 5322 message from the address from, dated t.
func Render(m Message, from string, t time.Time) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if from == "" {
		from = "ratsnetz@localhost"
	}
	id := m.ID
	if id == "" {
		_, domain, _ := strings.Cut(from, "@")
		id = NewID(domain)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n",
		from, m.To, mime.QEncoding.Encode("utf-8", m.Subject), t.Format(time.RFC1123Z), id)
	if m.ListUnsubscribe != "" {
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", m.ListUnsubscribe)
	}
	if m.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(crlf(m.Body))
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", mw.Boundary())
	for _, part := range []struct{ typ, text string }{{"text/plain", m.Body}, {"text/html", m.HTML}} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.typ+"; charset=utf-8")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(crlf(part.text))); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return b.Bytes(), nil
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// Outbox writes mails as RFC 5322 files (<time>-<hash of Message-ID>.eml)
// into Dir. A mail whose Message-ID is already in the outbox is not written
// again, so a retried job leaves one file.
type Outbox struct {
	Dir  string
	From string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Send writes m into the outbox directory.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now().UTC()
	if m.ID == "" {
		_, domain, _ := strings.Cut(o.From, "@")
		m.ID = NewID(domain)
	}
	sum := sha256.Sum256([]byte(m.ID))
	suffix := "-" + hex.EncodeToString(sum[:8]) + ".eml"
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if dup, _ := filepath.Glob(filepath.Join(o.Dir, "*"+suffix)); len(dup) > 0 {
		return nil
	}
	raw, err := Render(m, o.From, t)
	if err != nil {
		return err
	}
	name := filepath.Join(o.Dir, t.Format("20060102T150405.000000Z")+suffix)
	// Write under a temporary name and rename, so a reader never sees half
	// a mail and a crash leaves no partial file that would count as sent.
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o640); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return nil
}
