package disk_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/blobtest"
	"github.com/ratsnetz/ratsnetz/blob/disk"
)

func MustOpenStore(tb testing.TB) *disk.Store {
	tb.Helper()
	s, err := disk.New(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) ratsnetz.BlobStore { return MustOpenStore(t) })
}

// TestKeysStayInside checks that no key, however crafted, writes outside the
// store's directory.
func TestKeysStayInside(t *testing.T) {
	parent := t.TempDir()
	s, err := disk.New(filepath.Join(parent, "store"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../outside", "../../outside", "a/../../../outside"} {
		s.Put(context.Background(), key, strings.NewReader("x"))
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("parent directory has %d entries, want only the store", len(entries))
	}
}

// TestStaleMetadata covers a crash between the content and metadata renames:
// Open must recompute the checksums from the content.
func TestStaleMetadata(t *testing.T) {
	s := MustOpenStore(t)
	blobtest.MustPut(t, s, "k", []byte("alt"))
	// Replace the content behind the store's back, as a crash after the
	// content rename but before the metadata rename leaves it.
	if err := os.WriteFile(filepath.Join(s.Dir(), "data", "k"), []byte("neuer Inhalt"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := s.Open(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := blobtest.MustPut(t, MustOpenStore(t), "k", []byte("neuer Inhalt"))
	if got := b.Info(); got.SHA256 != want.SHA256 || got.SHA512 != want.SHA512 || got.Size != want.Size {
		t.Errorf("Info = %+v, want checksums of the new content %+v", got, want)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	s := MustOpenStore(t)
	blobtest.MustPut(t, s, "a", []byte("x"))
	s.Put(context.Background(), "a", &errReader{})
	entries, err := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%d temporary files left", len(entries))
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, os.ErrClosed }
