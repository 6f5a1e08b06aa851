package mail_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz/jobs"
	ratsmail "github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/mail/smtptest"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

func openDB(tb testing.TB, path string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestSMTPToRealServerWithAuth(t *testing.T) {
	dir := t.TempDir()
	bin := smtptest.Build(t, t.TempDir())
	p := smtptest.Start(t, bin, dir, smtptest.Options{User: "ratsnetz", Password: "geheim"})
	s, err := ratsmail.ParseSMTPURL("smtp://ratsnetz:geheim@" + p.Addr + "?tls=opportunistic&from=rat@example.org")
	if err != nil {
		t.Fatal(err)
	}
	m := ratsmail.Message{To: "m@example.org", Subject: "Einladung: Rat am 1. Dezember", Body: "Guten Tag\n.\nPunkt allein",
		HTML: "<p>Guten Tag</p>", ID: "inv-1@example.org"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	bad := *s
	bad.Password = "falsch"
	if err := bad.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("wrong password: %v, want AUTH error", err)
	}
	strict := *s
	strict.TLS = "starttls"
	if err := strict.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("server without STARTTLS: %v, want refusal", err)
	}
	got, err := smtptest.Received(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].MessageID != "inv-1@example.org" || got[0].Subject != m.Subject || got[0].To != "m@example.org" {
		t.Fatalf("received %+v", got)
	}
	_, text, _ := parts(t, got[0].Raw)
	if !strings.Contains(text, "Guten Tag\r\n.\r\nPunkt allein") {
		t.Errorf("dot line lost:\n%q", text)
	}
}

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachableServerDelaysNeverLoses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openDB(t, filepath.Join(t.TempDir(), "r.db"))
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	db.Now = clock
	addr := freeAddr(t)
	w := &ratsmail.Worker{Sender: &ratsmail.SMTP{Addr: addr, TLS: "none", From: "rat@example.org", Timeout: 5 * time.Second}, Permanent: jobs.Permanent}
	r := &jobs.Runner{Queue: db, Handlers: map[string]jobs.Handler{ratsmail.JobKind: w.Handle}, Now: clock, Concurrency: 5}
	for i := range 5 {
		j, err := ratsmail.NewJob(ratsmail.Message{To: fmt.Sprintf("m%d@example.org", i), Subject: "Hallo", Body: "x"}, "example.org")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EnqueueJobs(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.RunOnce(ctx); n != 5 || err != nil {
		t.Fatalf("first run %d, %v", n, err)
	}
	stats, _ := db.FindJobStats(ctx)
	if len(stats) != 1 || stats[0].Pending != 5 || stats[0].Failed != 5 {
		t.Fatalf("after failure: %+v, want 5 failed mails pending", stats)
	}
	bin := smtptest.Build(t, t.TempDir())
	smtptest.Start(t, bin, dir, smtptest.Options{Addr: addr})
	now.Add(int64(time.Minute))
	if n, err := r.RunOnce(ctx); n != 5 || err != nil {
		t.Fatalf("second run %d, %v", n, err)
	}
	got, _ := smtptest.Received(dir)
	if len(got) != 5 {
		t.Errorf("received %d mails, want 5", len(got))
	}
	if stats, _ := db.FindJobStats(ctx); len(stats) != 0 {
		t.Errorf("jobs left: %+v", stats)
	}
}

// TestHelperMailWorker is not a test: TestMailWorkerKilledMidBatch runs the
// test binary again with this test selected, as the mail worker process.
func TestHelperMailWorker(t *testing.T) {
	path := os.Getenv("RATSNETZ_MAILWORKER_DB")
	if path == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := &ratsmail.Worker{Sender: &ratsmail.SMTP{Addr: os.Getenv("RATSNETZ_MAILWORKER_SMTP"), TLS: "none", From: "rat@example.org"},
		Permanent: jobs.Permanent}
	r := &jobs.Runner{Queue: db, Handlers: map[string]jobs.Handler{ratsmail.JobKind: w.Handle}, Concurrency: 4,
		Lease: 2 * time.Second, Poll: 100 * time.Millisecond, Backoff: 100 * time.Millisecond}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		stats, err := db.FindJobStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling the queue until it is empty
	}
}

func TestMailWorkerKilledMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "mail.db")
	db := openDB(t, dbPath)
	const n = 60
	want := map[string]bool{}
	for i := range n {
		m := ratsmail.Message{To: fmt.Sprintf("mitglied%d@example.org", i), Subject: "Einladung", Body: "Bitte öffnen Sie den Link.",
			ID: fmt.Sprintf("kill-%d@example.org", i)}
		j, err := ratsmail.NewJob(m, "example.org")
		if err != nil {
			t.Fatal(err)
		}
		want[m.ID] = true
		if err := db.EnqueueJobs(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	bin := smtptest.Build(t, t.TempDir())
	p := smtptest.Start(t, bin, dir, smtptest.Options{Delay: 20 * time.Millisecond})
	worker := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMailWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RATSNETZ_MAILWORKER_DB="+dbPath, "RATSNETZ_MAILWORKER_SMTP="+p.Addr)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := worker()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, _ := smtptest.Received(dir)
		if len(got) >= n/4 {
			break
		}
		if time.Now().After(deadline) {
			first.Process.Kill()
			first.Wait()
			t.Fatalf("only %d mails arrived before the deadline", len(got))
		}
		time.Sleep(5 * time.Millisecond) // polling the server's directory
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	atKill, _ := smtptest.Received(dir)
	if len(atKill) >= n {
		t.Fatalf("the batch was complete (%d) before the kill; the test proves nothing", len(atKill))
	}
	second := worker()
	if err := second.Wait(); err != nil {
		t.Fatalf("second worker: %v", err)
	}
	got, err := smtptest.Received(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range got {
		count[m.MessageID]++
	}
	dups := 0
	for id := range want {
		switch c := count[id]; {
		case c == 0:
			t.Errorf("mail %s lost", id)
		case c > 1:
			dups += c - 1
		}
	}
	if len(count) != n {
		t.Errorf("%d distinct Message-IDs, want %d", len(count), n)
	}
	// Only a mail the server accepted in the instant between its 250 and
	// the killed worker's CompleteJob can come twice: at most one per
	// concurrent send.
	if dups > 4 {
		t.Errorf("%d duplicate deliveries, want at most 4 (the concurrency)", dups)
	}
	t.Logf("%d mails before the kill, %d deliveries in all, %d duplicates (same Message-ID, dropped by the receiver)", len(atKill), len(got), dups)
	if stats, _ := db.FindJobStats(ctx); len(stats) != 0 {
		t.Errorf("jobs left: %+v", stats)
	}
}
