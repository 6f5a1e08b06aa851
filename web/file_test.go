package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFileDownloads(t *testing.T) {
	env := newTestEnv(t)
	content := "%PDF-1.4 0123456789abcdefghijklmnopqrstuvwxyz"
	etag := `"` + sha256Hex(content) + `"`

	t.Run("inline", func(t *testing.T) {
		resp, body := env.get(t, "/dateien/503")
		if resp.StatusCode != http.StatusOK || body != content {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
		got := map[string]string{
			"Content-Type":           resp.Header.Get("Content-Type"),
			"Content-Disposition":    resp.Header.Get("Content-Disposition"),
			"ETag":                   resp.Header.Get("ETag"),
			"X-Content-Type-Options": resp.Header.Get("X-Content-Type-Options"),
			"Accept-Ranges":          resp.Header.Get("Accept-Ranges"),
		}
		want := map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    `inline; filename="Uebersicht Radweg 2026.pdf"; filename*=UTF-8''%C3%9Cbersicht%20Radweg%202026.pdf`,
			"ETag":                   etag,
			"X-Content-Type-Options": "nosniff",
			"Accept-Ranges":          "bytes",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
		if resp.Header.Get("Last-Modified") == "" {
			t.Errorf("no Last-Modified")
		}
	})

	t.Run("download", func(t *testing.T) {
		resp, body := env.get(t, "/dateien/503/download")
		if resp.StatusCode != http.StatusOK || body != content {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
		if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment; ") {
			t.Errorf("Content-Disposition = %q, want attachment", got)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "sandbox") {
			t.Errorf("Content-Security-Policy = %q, want sandbox", got)
		}
	})

	t.Run("range", func(t *testing.T) {
		resp, body := env.get(t, "/dateien/503/download", "Range", "bytes=9-18")
		if resp.StatusCode != http.StatusPartialContent {
			t.Fatalf("status = %d, want 206", resp.StatusCode)
		}
		if body != "0123456789" {
			t.Errorf("body = %q", body)
		}
		if got, want := resp.Header.Get("Content-Range"), "bytes 9-18/45"; got != want {
			t.Errorf("Content-Range = %q, want %q", got, want)
		}
	})

	t.Run("not modified", func(t *testing.T) {
		resp, body := env.get(t, "/dateien/503", "If-None-Match", etag)
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Fatalf("status = %d, body %q; want 304", resp.StatusCode, body)
		}
		resp, _ = env.get(t, "/dateien/503", "If-None-Match", `"other"`)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("other ETag: status = %d, want 200", resp.StatusCode)
		}
	})

	t.Run("active content is never inline", func(t *testing.T) {
		resp, _ := env.get(t, "/dateien/504")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Disposition"); got != `attachment; filename="lageplan.html"` {
			t.Errorf("Content-Disposition = %q", got)
		}
		if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "sandbox") {
			t.Errorf("Content-Security-Policy = %q, want sandbox", got)
		}
	})

	t.Run("non-public file", func(t *testing.T) {
		for _, path := range []string{"/dateien/502", "/dateien/502/download", "/dateien/999", "/dateien/0"} {
			resp, body := env.get(t, path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status = %d, want 404", path, resp.StatusCode)
			}
			if strings.Contains(body, testCanary) {
				t.Errorf("%s: non-public content", path)
			}
		}
	})
}

func TestContentDisposition(t *testing.T) {
	tests := []struct{ kind, name, want string }{
		{"inline", "a.pdf", `inline; filename="a.pdf"`},
		{"attachment", "Straße \"neu\".pdf", `attachment; filename="Strasse _neu_.pdf"; filename*=UTF-8''Stra%C3%9Fe%20%22neu%22.pdf`},
		{"attachment", "100%.txt", `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
	}
	for _, tt := range tests {
		if got := contentDisposition(tt.kind, tt.name); got != tt.want {
			t.Errorf("contentDisposition(%q, %q) = %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}
}
