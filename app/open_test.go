package app_test

import (
	"context"
	"net"
	"testing"

	"github.com/ratsnetz/ratsnetz/app"
)

// A start that fails after the port was bound (here: the single sign-on
// provider does not answer) leaves the port free for the next attempt.
func TestOpenFailureReleasesPort(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	dead, err := net.Listen("tcp", "127.0.0.1:0") // closed: connections are refused
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + dead.Addr().String()
	free.Close()
	dead.Close()

	m := app.NewMain(app.Config{Addr: addr, DataDir: t.TempDir(), OIDCIssuer: issuer, OIDCClientID: "ratsnetz",
		OIDCClientSecret: "geheim"}, nil)
	if err := m.Open(context.Background()); err == nil {
		m.Close()
		t.Fatal("Open succeeded with an unreachable single sign-on provider")
	}
	defer m.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port still bound after the failed start: %v", err)
	}
	ln.Close()
}
