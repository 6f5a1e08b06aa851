package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz/app"
)

func noenv(string) string { return "" }

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, noenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "ratsnetz ") {
		t.Errorf("version output %q", out.String())
	}
}

func TestInvalidSettingsStopWithOneSentence(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"migrate", "--addr", "nonsense"}, nil, "Host:Port"},
		{[]string{"migrate"}, map[string]string{"RATSNETZ_DATABASE_URL": "mysql://x"}, "Datenbank-URL"},
		{[]string{"serve", "--base-url", "ftp://x"}, nil, "öffentliche URL"},
		{[]string{"demo", "--scale", "huge"}, nil, "Umfang"},
		{[]string{"frobnicate"}, nil, "unbekannter Befehl"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			err := run(context.Background(), append(tt.args, "--data", t.TempDir()), getenv, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestOparlValidateDemo is the CI run of the validator against the demo
// municipality: `ratsnetz oparl validate` must find zero errors.
func TestOparlValidateDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo municipality")
	}
	ctx := context.Background()
	m := app.NewMain(app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true}, slog.New(slog.DiscardHandler))
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	var out bytes.Buffer
	err = run(ctx, []string{"oparl", "validate", "--max-objects", "4000", m.URL() + "/oparl/v1.1/system"}, noenv, &out, &out)
	if err != nil {
		t.Fatalf("validate: %v\n%s", err, out.String())
	}
	t.Logf("validator report:\n%s", out.String())
}

// TestLogLevel: RATSNETZ_LOG_LEVEL sets the command's log level and
// --log-level overrides it; an invalid value is one sentence at start.
func TestLogLevel(t *testing.T) {
	tests := []struct {
		env, flag string
		want      []string // levels written, of DEBUG INFO WARN ERROR
	}{
		{"", "", []string{"INFO", "WARN", "ERROR"}},
		{"debug", "", []string{"DEBUG", "INFO", "WARN", "ERROR"}},
		{"ERROR", "", []string{"ERROR"}},
		{"error", "warn", []string{"WARN", "ERROR"}},
		{"", "debug", []string{"DEBUG", "INFO", "WARN", "ERROR"}},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.flag, func(t *testing.T) {
			cfg := app.DefaultConfig()
			fs := flag.NewFlagSet("ratsnetz serve", flag.ContinueOnError)
			cfg.BindFlags(fs, func(k string) string {
				if k == "RATSNETZ_LOG_LEVEL" {
					return tt.env
				}
				return ""
			})
			var out bytes.Buffer
			logger, err := commandLogger(fs, &cfg, &out)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			if tt.flag != "" {
				args = []string{"--log-level", tt.flag}
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			logger.Debug("d")
			logger.Info("i")
			logger.Warn("w")
			logger.Error("e")
			var got []string
			for _, l := range []string{"DEBUG", "INFO", "WARN", "ERROR"} {
				if strings.Contains(out.String(), "level="+l) {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("written %v, want %v", got, tt.want)
			}
		})
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"migrate", "--log-level", "laut"}, nil},
		{[]string{"serve", "--log-level=verbose"}, nil},
		{[]string{"migrate"}, map[string]string{"RATSNETZ_LOG_LEVEL": "laut"}},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append(c.args, "--data", t.TempDir()), func(k string) string { return c.env[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "Protokollstufe") || !strings.Contains(err.Error(), "debug, info, warn oder error") ||
			strings.Count(err.Error(), ".") != 1 {
			t.Errorf("%v %v: err = %v", c.args, c.env, err)
		}
		if strings.Contains(out.String(), "Usage") {
			t.Errorf("%v: usage printed for an invalid level:\n%s", c.args, out.String())
		}
	}
}
