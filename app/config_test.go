package app

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"default", DefaultConfig(), ""},
		{"postgres", Config{Addr: ":8080", DataDir: "d", DatabaseURL: "postgres://u:secret@h/db"}, ""},
		{"empty addr", Config{DataDir: "d"}, "HTTP-Adresse"},
		{"bad addr", Config{Addr: "8080", DataDir: "d"}, "Host:Port"},
		{"empty data", Config{Addr: ":1"}, "Datenverzeichnis"},
		{"bad db", Config{Addr: ":1", DataDir: "d", DatabaseURL: "mysql://x"}, "Datenbank-URL"},
		{"bad base", Config{Addr: ":1", DataDir: "d", BaseURL: "rat.example"}, "öffentliche URL"},
		{"base with query", Config{Addr: ":1", DataDir: "d", BaseURL: "https://rat.example/?a=b"}, "öffentliche URL"},
		{"sso", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "https://login.example/realms/rat", OIDCClientID: "rat", OIDCClientSecret: "s", LocalLogin: "off", OIDCLinkByEmail: "on"}, ""},
		{"sso loopback http", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "http://127.0.0.1:5556", OIDCClientID: "rat", OIDCClientSecret: "s"}, ""},
		{"sso http", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "http://login.example", OIDCClientID: "rat", OIDCClientSecret: "s"}, "https-URL"},
		{"sso no client id", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "https://login.example", OIDCClientSecret: "s"}, "Client-ID"},
		{"sso no secret", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "https://login.example", OIDCClientID: "rat"}, "Client-Secret"},
		{"sso both secrets", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "https://login.example", OIDCClientID: "rat", OIDCClientSecret: "s", OIDCClientSecretFile: "f"}, "nicht beides"},
		{"sso missing secret file", Config{Addr: ":1", DataDir: "d", OIDCIssuer: "https://login.example", OIDCClientID: "rat", OIDCClientSecretFile: "/nonexistent/secret"}, "nicht lesbar"},
		{"client without issuer", Config{Addr: ":1", DataDir: "d", OIDCClientID: "rat"}, "Issuer-URL"},
		{"local login off without sso", Config{Addr: ":1", DataDir: "d", LocalLogin: "off"}, "RATSNETZ_LOCAL_LOGIN=off"},
		{"local login typo", Config{Addr: ":1", DataDir: "d", LocalLogin: "aus!"}, "on oder off"},
		{"link by email typo", Config{Addr: ":1", DataDir: "d", OIDCLinkByEmail: "vielleicht"}, "on oder off"},
		{"oparl docs off", Config{Addr: ":1", DataDir: "d", OParlDocs: "off"}, ""},
		{"oparl docs typo", Config{Addr: ":1", DataDir: "d", OParlDocs: "manchmal"}, "RATSNETZ_OPARL_DOCS"},
		{"retention", Config{Addr: ":1", DataDir: "d", AuditRetention: "90d"}, ""},
		{"retention hours", Config{Addr: ":1", DataDir: "d", AuditRetention: "2160h"}, ""},
		{"retention zero", Config{Addr: ":1", DataDir: "d", AuditRetention: "0d"}, "RATSNETZ_AUDIT_RETENTION"},
		{"retention words", Config{Addr: ":1", DataDir: "d", AuditRetention: "ein Jahr"}, "RATSNETZ_AUDIT_RETENTION"},
		{"link grace", Config{Addr: ":1", DataDir: "d", LiveLinkGrace: "5s"}, ""},
		{"link grace off", Config{Addr: ":1", DataDir: "d", LiveLinkGrace: "off"}, ""},
		{"link grace too short", Config{Addr: ":1", DataDir: "d", LiveLinkGrace: "1s"}, "RATSNETZ_LIVE_LINK_GRACE"},
		{"link grace words", Config{Addr: ":1", DataDir: "d", LiveLinkGrace: "kurz"}, "RATSNETZ_LIVE_LINK_GRACE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
			if strings.Count(strings.TrimSuffix(err.Error(), "."), ". ") > 0 {
				t.Errorf("error %q is more than one sentence", err)
			}
		})
	}
}

func TestConfigFlagsOverrideEnv(t *testing.T) {
	env := map[string]string{"RATSNETZ_ADDR": ":9000", "RATSNETZ_DATA": "/srv/rn", "RATSNETZ_DATABASE_URL": "postgres://u:pw@db/rn"}
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.BindFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--addr", ":7000"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":7000" || cfg.DataDir != "/srv/rn" || !cfg.IsPostgres() {
		t.Fatalf("got %+v", cfg)
	}
	if s := cfg.String(); strings.Contains(s, "pw") {
		t.Errorf("String() leaks the password: %s", s)
	}
}

func TestConfigRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 365 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "48h": 48 * time.Hour} {
		if got := (Config{AuditRetention: v}).Retention(); got != want {
			t.Errorf("Retention(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestLinkGrace: the live link monitoring's grace period comes from
// --live-link-grace over RATSNETZ_LIVE_LINK_GRACE; empty is the default,
// "off" switches the detection off, less than 2s is refused.
func TestLinkGrace(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 20 * time.Second, "off": 0, "2s": 2 * time.Second, " 90s ": 90 * time.Second} {
		got, ok := ParseLinkGrace(v)
		if !ok || got != want {
			t.Errorf("ParseLinkGrace(%q) = %v, %t, want %v", v, got, ok, want)
		}
	}
	for _, v := range []string{"1s", "1999ms", "-5s", "20", "aus"} {
		if _, ok := ParseLinkGrace(v); ok {
			t.Errorf("ParseLinkGrace(%q) accepted", v)
		}
	}
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{{"", nil, ""}, {"7s", nil, "7s"}, {"7s", []string{"--live-link-grace", "off"}, "off"}} {
		cfg := DefaultConfig()
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.BindFlags(fs, func(k string) string {
			if k == "RATSNETZ_LIVE_LINK_GRACE" {
				return c.env
			}
			return ""
		})
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if cfg.LiveLinkGrace != c.want {
			t.Errorf("env %q, args %q: LiveLinkGrace %q, want %q", c.env, c.args, cfg.LiveLinkGrace, c.want)
		}
	}
}
