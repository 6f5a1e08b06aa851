// Command smtpd is the test SMTP server of package smtptest as a process:
// it prints "smtptest listening on ADDR" and stores each accepted message
// as a file in -dir until SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/ratsnetz/ratsnetz/mail/smtptest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dir := flag.String("dir", "", "directory for received messages")
	user := flag.String("user", "", "required AUTH PLAIN user (password from SMTPTEST_PASSWORD)")
	delay := flag.Duration("delay", 0, "wait before acknowledging each message")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "smtpd: -dir is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o750); err != nil {
		fmt.Fprintln(os.Stderr, "smtpd:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtpd:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	s := &smtptest.Server{Dir: *dir, User: *user, Password: os.Getenv("SMTPTEST_PASSWORD"), Delay: *delay}
	fmt.Printf("smtptest listening on %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	s.Serve(ln)
}
