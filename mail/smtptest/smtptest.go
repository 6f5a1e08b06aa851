// Package smtptest is a small real SMTP server (RFC 5321 subset: EHLO/HELO,
// AUTH PLAIN, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) for
// tests. It writes every accepted message as its own file into a
// directory, duplicates included, so a test can check that each mail came
// exactly once (by Message-ID). Start runs it as a separate process (the
// smtpd command beside this package), so a test talks to a server it does
// not share memory with.
package smtptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server accepts mail into Dir.
type Server struct {
	Dir string
	// User and Password, if set, are required through AUTH PLAIN.
	User, Password string
	// Delay is waited before each DATA is acknowledged (to make a batch
	// slow enough to interrupt).
	Delay time.Duration

	seq atomic.Int64
	wg  sync.WaitGroup
}

// Serve accepts connections on ln until it is closed, then waits for the
// open sessions.
func (s *Server) Serve(ln net.Listener) error {
	defer s.wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		s.wg.Go(func() {
			defer c.Close()
			s.session(c)
		})
	}
}

func (s *Server) session(c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\r\n", args...)
		w.Flush()
	}
	reply("220 smtptest ESMTP ready")
	var from string
	var to []string
	authed := s.User == ""
	for {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			fmt.Fprintf(w, "250-smtptest\r\n250-8BITMIME\r\n")
			if s.User != "" {
				fmt.Fprintf(w, "250-AUTH PLAIN\r\n")
			}
			reply("250 SIZE 52428800")
		case "HELO":
			reply("250 smtptest")
		case "AUTH":
			mech, data, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 only PLAIN")
				continue
			}
			if data == "" {
				reply("334 ")
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				data = strings.TrimSpace(l)
			}
			raw, err := base64.StdEncoding.DecodeString(data)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.User || parts[2] != s.Password {
				reply("535 authentication failed")
				continue
			}
			authed = true
			reply("235 ok")
		case "MAIL":
			if !authed {
				reply("530 authentication required")
				continue
			}
			from, to = arg, nil
			reply("250 ok")
		case "RCPT":
			if from == "" {
				reply("503 MAIL first")
				continue
			}
			to = append(to, arg)
			reply("250 ok")
		case "DATA":
			if len(to) == 0 {
				reply("503 RCPT first")
				continue
			}
			reply("354 end with .")
			body, err := readData(r)
			if err != nil {
				return
			}
			if s.Delay > 0 {
				time.Sleep(s.Delay)
			}
			if err := s.store(body); err != nil {
				reply("451 %v", err)
				continue
			}
			from, to = "", nil
			reply("250 ok queued")
		case "RSET":
			from, to = "", nil
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func readData(r *bufio.Reader) ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.Bytes(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// store writes the message durably before the 250 goes out: a message the
// client saw accepted is on disk.
func (s *Server) store(body []byte) error {
	n := s.seq.Add(1)
	name := filepath.Join(s.Dir, fmt.Sprintf("%d-%06d.eml", time.Now().UnixNano(), n))
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(name+".tmp", name)
}

// Mail is one received message.
type Mail struct {
	File      string
	MessageID string
	To        string
	Subject   string
	Header    mail.Header
	// Raw is the whole message as received.
	Raw []byte
}

// Received reads the messages in dir in the order they arrived.
func Received(dir string) ([]Mail, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Mail
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			subj = msg.Header.Get("Subject")
		}
		out = append(out, Mail{File: f, MessageID: strings.Trim(msg.Header.Get("Message-ID"), "<>"),
			To: msg.Header.Get("To"), Subject: subj, Header: msg.Header, Raw: raw})
	}
	return out, nil
}

// Process is a running smtpd process.
type Process struct {
	Addr string
	Dir  string
	stop func() error
}

// Stop ends the server process.
func (p *Process) Stop() error { return p.stop() }

// waitAddr reads the "listening on ADDR" line the smtpd command prints.
func waitAddr(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		addr string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "smtptest listening on "); ok {
				ch <- result{addr: a}
				io.Copy(io.Discard, r) // keep the pipe drained
				return
			}
		}
		ch <- result{err: fmt.Errorf("smtpd ended before listening: %v", sc.Err())}
	}()
	select {
	case res := <-ch:
		return res.addr, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
