package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
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
