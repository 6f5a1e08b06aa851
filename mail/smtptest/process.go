package smtptest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Options configure a server process.
type Options struct {
	User, Password string
	Delay          time.Duration
	// Addr to listen on (default 127.0.0.1:0); a fixed address lets a test
	// restart the server where its clients expect it.
	Addr string
}

// Build compiles the smtpd command into dir and returns its path.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("smtptest: cannot locate the package source")
	}
	bin := filepath.Join(dir, "smtpd")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(filepath.Dir(file), "smtpd")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("smtptest: build smtpd: %v\n%s", err, out)
	}
	return bin
}

// Start runs the smtpd binary bin as a separate process that stores mail in
// dir; the process is stopped at the end of the test.
func Start(tb testing.TB, bin, dir string, o Options) *Process {
	tb.Helper()
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cmd := exec.Command(bin, "-addr", addr, "-dir", dir, "-user", o.User, "-delay", o.Delay.String())
	cmd.Env = append(os.Environ(), "SMTPTEST_PASSWORD="+o.Password)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("smtptest: start: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := waitAddr(ctx, out)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatalf("smtptest: %v", err)
	}
	stopped := false
	p := &Process{Addr: got, Dir: dir, stop: func() error {
		if stopped {
			return nil
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if err != nil && cmd.ProcessState != nil && !cmd.ProcessState.Exited() {
			return nil // ended by the signal
		}
		if err != nil {
			return fmt.Errorf("smtptest: %w", err)
		}
		return nil
	}}
	tb.Cleanup(func() { p.Stop() })
	return p
}
