package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTP sends mails through an SMTP server (RFC 5321) with the standard
// library's client: STARTTLS when the server offers it (required unless
// TLS is "none"), implicit TLS for smtps://, AUTH PLAIN when a user is set
// (the client refuses to send a password without TLS except to localhost).
type SMTP struct {
	// Addr is host:port.
	Addr string
	// TLS is "starttls" (default: upgrade, fail if the server cannot),
	// "opportunistic" (upgrade if offered), "implicit" (smtps) or "none".
	TLS      string
	Username string
	Password string
	// From is the envelope and header sender.
	From string
	// Hello is the name sent in EHLO (default "localhost").
	Hello string
	// Timeout bounds one whole delivery (default 30 s).
	Timeout time.Duration
	// Now is the clock for the Date header; time.Now when nil.
	Now func() time.Time
	// TLSConfig, if set, is used for STARTTLS and implicit TLS (tests).
	TLSConfig *tls.Config
}

// ParseSMTPURL reads RATSNETZ_SMTP_URL: smtp://user:pass@host:587 (STARTTLS),
// smtps://user:pass@host:465 (implicit TLS); the query may set
// tls=none|opportunistic|starttls and from=address.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %q is not smtp://[user:pass@]host[:port]", redact(raw))
	}
	s := &SMTP{From: u.Query().Get("from")}
	switch u.Scheme {
	case "smtp":
		s.TLS = "starttls"
		s.Addr = withPort(u.Host, "587")
	case "smtps":
		s.TLS = "implicit"
		s.Addr = withPort(u.Host, "465")
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if mode := u.Query().Get("tls"); mode != "" {
		switch mode {
		case "none", "opportunistic", "starttls", "implicit":
			s.TLS = mode
		default:
			return nil, fmt.Errorf("mail: SMTP URL: tls must be none, opportunistic, starttls or implicit, not %q", mode)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

func withPort(host, port string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(host, port)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// String describes the transport with the password masked.
func (s *SMTP) String() string {
	user := ""
	if s.Username != "" {
		user = s.Username + ":xxxxx@"
	}
	return fmt.Sprintf("smtp://%s%s (tls=%s)", user, s.Addr, s.TLS)
}

// Send delivers m in one SMTP session. An error means the mail may not have
// been accepted; the job that called Send retries it with the same
// Message-ID.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if m.ID == "" {
		_, domain, _ := strings.Cut(s.From, "@")
		m.ID = NewID(domain)
	}
	raw, err := Render(m, s.From, now())
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("mail: SMTP address %q: %w", s.Addr, err)
	}
	tlsConf := s.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if s.TLS == "implicit" {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: smtp greeting: %w", err)
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("mail: EHLO: %w", err)
	}
	if s.TLS == "starttls" || s.TLS == "opportunistic" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		} else if s.TLS == "starttls" {
			return errors.New("mail: the SMTP server does not offer STARTTLS (set tls=none or tls=opportunistic to send unencrypted)")
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("mail: AUTH: %w", err)
		}
	}
	from := s.From
	if from == "" {
		from = "ratsnetz@localhost"
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	// The mail is accepted; a failing QUIT does not change that.
	c.Quit()
	return nil
}
