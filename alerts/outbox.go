package alerts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Outbox is a Sender that writes each mail as an RFC 5322 file
// (<time>-<id>.eml, multipart/alternative with text and HTML) into Dir, like
// mail.Outbox, but with the List-Unsubscribe headers of RFC 2369/8058 that
// alert mails need. The write is atomic (temporary file, rename), and the
// file name carries the outbox ID, so a mail dispatched twice after a crash
// overwrites itself instead of appearing twice.
type Outbox struct {
	Dir  string
	From string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Send writes m into Dir.
func (o *Outbox) Send(ctx context.Context, m *ratsnetz.OutgoingMail) error {
	b, err := Render(m, o.From, o.now())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o750); err != nil {
		return fmt.Errorf("alerts outbox: %w", err)
	}
	name := filepath.Join(o.Dir, m.Created.UTC().Format("20060102T150405Z")+"-feeds-"+strconv.FormatInt(m.ID, 10)+".eml")
	tmp, err := os.CreateTemp(o.Dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("alerts outbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("alerts outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("alerts outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("alerts outbox: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return fmt.Errorf("alerts outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("alerts outbox: %w", err)
	}
	return nil
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Render returns m as an RFC 5322 message: quoted-printable text and (if
// any) HTML parts, a stable Message-ID from the outbox ID, and for alerts
// List-Unsubscribe with List-Unsubscribe-Post: List-Unsubscribe=One-Click.
func Render(m *ratsnetz.OutgoingMail, from string, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.To+m.Subject+m.ListUnsubscribe+from, "\r\n") {
		return nil, fmt.Errorf("alerts: header with line break")
	}
	if from == "" {
		from = "ratsnetz@localhost"
	}
	domain := "localhost"
	if at := strings.LastIndexByte(from, '@'); at >= 0 {
		domain = strings.TrimRight(from[at+1:], ">")
	}
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<feeds-"+strconv.FormatInt(m.ID, 10)+"-"+strconv.FormatInt(m.Created.Unix(), 10)+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	if m.ListUnsubscribe != "" {
		h("List-Unsubscribe", "<"+m.ListUnsubscribe+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	part := func(ct, body string) {
		b.WriteString("Content-Type: " + ct + "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		var qp strings.Builder
		w := quotedprintable.NewWriter(&qp)
		w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
		w.Close()
		b.WriteString(qp.String() + "\r\n")
	}
	if m.HTML == "" {
		part("text/plain", m.Text)
		return []byte(b.String()), nil
	}
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	boundary := "ratsnetz-" + hex.EncodeToString(rnd[:])
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n--" + boundary + "\r\n")
	part("text/plain", m.Text)
	b.WriteString("--" + boundary + "\r\n")
	part("text/html", m.HTML)
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String()), nil
}
