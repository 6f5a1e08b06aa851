package app

import (
	"flag"
	"io"
	"strings"
	"testing"
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
