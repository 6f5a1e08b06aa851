// Package blobtest is the conformance suite every ratsnetz.BlobStore must
// pass: the local disk store runs it, an S3 backend will run it too.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Run runs the suite. newStore must return a fresh, empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) ratsnetz.BlobStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s ratsnetz.BlobStore)
	}{
		{"PutOpenRoundTrip", testPutOpen},
		{"EmptyContent", testEmpty},
		{"Overwrite", testOverwrite},
		{"FailedPutKeepsPrevious", testFailedPut},
		{"CancelledPutKeepsPrevious", testCancelledPut},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"InvalidKeys", testInvalidKeys},
		{"NestedKeys", testNestedKeys},
		{"Seek", testSeek},
		{"ServeContent", testServeContent},
		{"ConcurrentPuts", testConcurrentPuts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func sums(b []byte) (string, string) {
	a := sha256.Sum256(b)
	c := sha512.Sum512(b)
	return hex.EncodeToString(a[:]), hex.EncodeToString(c[:])
}

// MustPut stores content under key or fails the test.
func MustPut(tb testing.TB, s ratsnetz.BlobStore, key string, content []byte) ratsnetz.BlobInfo {
	tb.Helper()
	info, err := s.Put(context.Background(), key, bytes.NewReader(content))
	if err != nil {
		tb.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

// MustRead returns the content under key or fails the test.
func MustRead(tb testing.TB, s ratsnetz.BlobStore, key string) []byte {
	tb.Helper()
	b, err := s.Open(context.Background(), key)
	if err != nil {
		tb.Fatalf("Open(%q): %v", key, err)
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	if err != nil {
		tb.Fatalf("read %q: %v", key, err)
	}
	return data
}

func checkInfo(t *testing.T, what string, got ratsnetz.BlobInfo, key string, content []byte) {
	t.Helper()
	s256, s512 := sums(content)
	if got.Key != key {
		t.Errorf("%s: Key = %q, want %q", what, got.Key, key)
	}
	if got.Size != int64(len(content)) {
		t.Errorf("%s: Size = %d, want %d", what, got.Size, len(content))
	}
	if got.SHA256 != s256 {
		t.Errorf("%s: SHA256 = %q, want %q", what, got.SHA256, s256)
	}
	if got.SHA512 != s512 {
		t.Errorf("%s: SHA512 = %q, want %q", what, got.SHA512, s512)
	}
	if got.ModTime.IsZero() {
		t.Errorf("%s: ModTime is zero", what)
	} else if d := time.Since(got.ModTime); d < -time.Hour || d > time.Hour {
		t.Errorf("%s: ModTime = %v, far from now", what, got.ModTime)
	}
}

func testPutOpen(t *testing.T, s ratsnetz.BlobStore) {
	ctx := context.Background()
	content := []byte("Niederschrift über die Sitzung des Rates – Größe: 42 € ß\n")
	content = append(content, bytes.Repeat([]byte{0, 1, 2, 255}, 50000)...)
	info, err := s.Put(ctx, "files/1/vorlage.pdf", bytes.NewReader(content))
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	checkInfo(t, "Put", info, "files/1/vorlage.pdf", content)

	b, err := s.Open(ctx, "files/1/vorlage.pdf")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	checkInfo(t, "Open", b.Info(), "files/1/vorlage.pdf", content)
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, content) {
		t.Errorf("content differs: got %d bytes, want %d", len(got), len(content))
	}
}

func testEmpty(t *testing.T, s ratsnetz.BlobStore) {
	info := MustPut(t, s, "empty", nil)
	checkInfo(t, "Put", info, "empty", nil)
	if got := MustRead(t, s, "empty"); len(got) != 0 {
		t.Errorf("got %d bytes, want 0", len(got))
	}
}

func testOverwrite(t *testing.T, s ratsnetz.BlobStore) {
	MustPut(t, s, "a/b.txt", []byte("erste Fassung"))
	info := MustPut(t, s, "a/b.txt", []byte("zweite Fassung, länger"))
	checkInfo(t, "second Put", info, "a/b.txt", []byte("zweite Fassung, länger"))
	if got, want := string(MustRead(t, s, "a/b.txt")), "zweite Fassung, länger"; got != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	b, err := s.Open(context.Background(), "a/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	checkInfo(t, "Open", b.Info(), "a/b.txt", []byte("zweite Fassung, länger"))
}

// failingReader yields some data, then an error: an upload that breaks off.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func testFailedPut(t *testing.T, s ratsnetz.BlobStore) {
	MustPut(t, s, "k", []byte("alt"))
	errBroken := errors.New("connection reset")
	_, err := s.Put(context.Background(), "k", &failingReader{data: bytes.Repeat([]byte("neu"), 100000), err: errBroken})
	if err == nil {
		t.Fatal("Put with failing reader: no error")
	}
	if got := string(MustRead(t, s, "k")); got != "alt" {
		t.Errorf("after failed Put content = %.20q, want %q", got, "alt")
	}
	// A failed first Put leaves nothing behind.
	_, err = s.Put(context.Background(), "new", &failingReader{data: []byte("x"), err: errBroken})
	if err == nil {
		t.Fatal("Put with failing reader: no error")
	}
	if _, err := s.Open(context.Background(), "new"); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("Open after failed first Put: err = %v, want code %s", err, ratsnetz.ENOTFOUND)
	}
}

// cancelReader cancels the context after the first read.
type cancelReader struct {
	cancel func()
	n      int
}

func (r *cancelReader) Read(p []byte) (int, error) {
	r.n++
	if r.n == 2 {
		r.cancel()
	}
	if r.n > 1000 {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func testCancelledPut(t *testing.T, s ratsnetz.BlobStore) {
	MustPut(t, s, "k", []byte("alt"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := s.Put(ctx, "k", &cancelReader{cancel: cancel}); err == nil {
		t.Fatal("cancelled Put: no error")
	}
	if got := string(MustRead(t, s, "k")); got != "alt" {
		t.Errorf("after cancelled Put content = %.20q, want %q", got, "alt")
	}
}

func testMissing(t *testing.T, s ratsnetz.BlobStore) {
	MustPut(t, s, "a/b", []byte("x"))
	for _, key := range []string{"nothing", "a/c", "a", "a/b/c"} {
		if _, err := s.Open(context.Background(), key); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
			t.Errorf("Open(%q): err = %v, want code %s", key, err, ratsnetz.ENOTFOUND)
		}
	}
}

func testDelete(t *testing.T, s ratsnetz.BlobStore) {
	ctx := context.Background()
	MustPut(t, s, "d/x", []byte("weg damit"))
	MustPut(t, s, "d/y", []byte("bleibt"))
	if err := s.Delete(ctx, "d/x"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Open(ctx, "d/x"); ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		t.Errorf("Open after Delete: err = %v, want code %s", err, ratsnetz.ENOTFOUND)
	}
	if got := string(MustRead(t, s, "d/y")); got != "bleibt" {
		t.Errorf("other key content = %q", got)
	}
	if err := s.Delete(ctx, "d/x"); err != nil {
		t.Errorf("second Delete: %v, want nil (idempotent)", err)
	}
	// A deleted key can be stored again.
	MustPut(t, s, "d/x", []byte("wieder da"))
	if got := string(MustRead(t, s, "d/x")); got != "wieder da" {
		t.Errorf("content after re-Put = %q", got)
	}
}

func testInvalidKeys(t *testing.T, s ratsnetz.BlobStore) {
	ctx := context.Background()
	MustPut(t, s, "secret", []byte("geheim"))
	for _, key := range []string{
		"", "/etc/passwd", "../secret", "a/../../secret", "a/..", "..", ".", "./a",
		"a//b", "a/", `a\b`, `..\secret`, "a\x00b",
	} {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			if _, err := s.Put(ctx, key, strings.NewReader("x")); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
				t.Errorf("Put: err = %v, want code %s", err, ratsnetz.EINVALID)
			}
			if b, err := s.Open(ctx, key); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
				if err == nil {
					b.Close()
				}
				t.Errorf("Open: err = %v, want code %s", err, ratsnetz.EINVALID)
			}
			if err := s.Delete(ctx, key); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
				t.Errorf("Delete: err = %v, want code %s", err, ratsnetz.EINVALID)
			}
		})
	}
	if got := string(MustRead(t, s, "secret")); got != "geheim" {
		t.Errorf("content changed to %q", got)
	}
}

func testNestedKeys(t *testing.T, s ratsnetz.BlobStore) {
	keys := []string{"x", "y/1", "y/2", "y/z/3", "Sitzung 2026-01-01/Einladung – Rat.pdf", "ümlaut/äöü.pdf"}
	for i, k := range keys {
		MustPut(t, s, k, []byte(fmt.Sprintf("content %d", i)))
	}
	for i, k := range keys {
		if got, want := string(MustRead(t, s, k)), fmt.Sprintf("content %d", i); got != want {
			t.Errorf("%q: content = %q, want %q", k, got, want)
		}
	}
}

func testSeek(t *testing.T, s ratsnetz.BlobStore) {
	MustPut(t, s, "seek", []byte("0123456789"))
	b, err := s.Open(context.Background(), "seek")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, err := b.Seek(-3, io.SeekEnd); err != nil || n != 7 {
		t.Fatalf("Seek(-3, end) = %d, %v; want 7", n, err)
	}
	rest, _ := io.ReadAll(b)
	if string(rest) != "789" {
		t.Errorf("after seek read %q, want %q", rest, "789")
	}
	if _, err := b.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 3)
	if _, err := io.ReadFull(b, p); err != nil || string(p) != "234" {
		t.Errorf("read %q, %v; want %q", p, err, "234")
	}
}

func testServeContent(t *testing.T, s ratsnetz.BlobStore) {
	content := []byte("%PDF-1.4 Ratsnetz Testinhalt, der per Range gelesen wird.")
	MustPut(t, s, "files/serve.pdf", content)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := s.Open(r.Context(), "files/serve.pdf")
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		defer b.Close()
		w.Header().Set("Content-Type", "application/pdf")
		http.ServeContent(w, r, "serve.pdf", b.Info().ModTime, b)
	}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Range", "bytes=9-16")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status = %d, want 206", resp.StatusCode)
	}
	if got, want := string(body), string(content[9:17]); got != want {
		t.Errorf("range body = %q, want %q", got, want)
	}

	resp, err = srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, content) {
		t.Errorf("full body = %q", body)
	}
	if resp.Header.Get("Last-Modified") == "" {
		t.Error("no Last-Modified header")
	}
}

func testConcurrentPuts(t *testing.T, s ratsnetz.BlobStore) {
	const n = 8
	contents := make([][]byte, n)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 64*1024+i)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Put(context.Background(), "race", bytes.NewReader(contents[i]))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put %d: %v", i, err)
		}
	}
	b, err := s.Open(context.Background(), "race")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, _ := io.ReadAll(b)
	found := -1
	for i, c := range contents {
		if bytes.Equal(got, c) {
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("content after concurrent Puts is none of the written ones (%d bytes)", len(got))
	}
	checkInfo(t, "Open", b.Info(), "race", got)
}
