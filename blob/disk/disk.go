// Package disk stores blob contents (file contents) on the local disk.
//
// Layout below the root directory:
//
//	data/<key>   the content, exactly as put
//	meta/<key>   a small JSON record with size, mod time and checksums
//	tmp/         temporary files of Puts in progress
//
// A Put writes a temporary file, syncs it and renames it over data/<key>, so a
// failed or interrupted Put leaves the previous content. The metadata record is
// written after the content; when it is missing or does not match the content
// (a crash between the two renames), Open recomputes the checksums.
package disk

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Store is a ratsnetz.BlobStore on the local disk.
type Store struct {
	dir string
}

var _ ratsnetz.BlobStore = (*Store)(nil)

// New returns a store keeping its contents below dir, creating it if needed.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, fmt.Errorf("disk blob store: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("disk blob store: %w", err)
	}
	for _, sub := range []string{"data", "meta", "tmp"} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			return nil, fmt.Errorf("disk blob store: %w", err)
		}
	}
	return &Store{dir: abs}, nil
}

// Dir returns the root directory of the store.
func (s *Store) Dir() string { return s.dir }

// ValidateKey checks that key is a relative, slash-separated name without
// empty, "." or ".." segments and without backslashes or NUL bytes.
func ValidateKey(key string) error {
	if key == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Leerer Dateischlüssel.")
	}
	if len(key) > 1024 {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Dateischlüssel zu lang.")
	}
	if strings.ContainsAny(key, "\\\x00") || strings.HasPrefix(key, "/") {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Dateischlüssel.")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Dateischlüssel.")
		}
	}
	return nil
}

type meta struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
	SHA256  string    `json:"sha256"`
	SHA512  string    `json:"sha512"`
}

func (s *Store) dataPath(key string) string {
	return filepath.Join(s.dir, "data", filepath.FromSlash(key))
}

func (s *Store) metaPath(key string) string {
	return filepath.Join(s.dir, "meta", filepath.FromSlash(key))
}

// ctxReader stops reading once the context is done, so that a cancelled Put
// is abandoned (and leaves the previous content).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Put stores the content of r under key atomically.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (ratsnetz.BlobInfo, error) {
	if err := ValidateKey(key); err != nil {
		return ratsnetz.BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	dst := s.dataPath(key)
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		return ratsnetz.BlobInfo{}, ratsnetz.Errorf(ratsnetz.EINVALID, "Dateischlüssel ist ein Verzeichnis.")
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return ratsnetz.BlobInfo{}, s.pathErr(key, err)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	h256, h512 := sha256.New(), sha512.New()
	n, err := io.Copy(io.MultiWriter(tmp, h256, h512), ctxReader{ctx: ctx, r: r})
	if err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: sync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: close: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return ratsnetz.BlobInfo{}, s.pathErr(key, err)
	}
	committed = true
	syncDir(filepath.Dir(dst))

	fi, err := os.Stat(dst)
	if err != nil {
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	m := meta{
		Size:    n,
		ModTime: fi.ModTime().UTC(),
		SHA256:  hex.EncodeToString(h256.Sum(nil)),
		SHA512:  hex.EncodeToString(h512.Sum(nil)),
	}
	if err := s.writeMeta(key, m); err != nil {
		// The content is stored; Open recomputes the checksums.
		return ratsnetz.BlobInfo{}, fmt.Errorf("put %q: %w", key, err)
	}
	return m.info(key), nil
}

func (m meta) info(key string) ratsnetz.BlobInfo {
	return ratsnetz.BlobInfo{Key: key, Size: m.Size, SHA256: m.SHA256, SHA512: m.SHA512, ModTime: m.ModTime}
}

// pathErr maps errors caused by a key colliding with the directory layout
// (a key below an existing file) to EINVALID.
func (s *Store) pathErr(key string, err error) error {
	if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrInvalid) || isNotDir(err) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Dateischlüssel kollidiert mit einem vorhandenen Schlüssel.")
	}
	return fmt.Errorf("put %q: %w", key, err)
}

func (s *Store) writeMeta(key string, m meta) error {
	p := s.metaPath(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "meta-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// syncDir makes a rename durable; errors are ignored because not every
// platform supports syncing directories.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open opens the content stored under key.
func (s *Store) Open(ctx context.Context, key string) (ratsnetz.Blob, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	f, err := os.Open(s.dataPath(key))
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Datei nicht gefunden.")
	} else if err != nil {
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %q: %w", key, err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Datei nicht gefunden.")
	}
	m, ok := s.readMeta(key)
	if !ok || m.Size != fi.Size() || !m.ModTime.Equal(fi.ModTime().UTC()) {
		// Metadata missing or stale: recompute from the content.
		h256, h512 := sha256.New(), sha512.New()
		n, err := io.Copy(io.MultiWriter(h256, h512), f)
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open %q: %w", key, err)
		}
		m = meta{Size: n, ModTime: fi.ModTime().UTC(), SHA256: hex.EncodeToString(h256.Sum(nil)), SHA512: hex.EncodeToString(h512.Sum(nil))}
		_ = s.writeMeta(key, m) // best effort repair
	}
	return &blob{File: f, info: m.info(key)}, nil
}

func (s *Store) readMeta(key string) (meta, bool) {
	b, err := os.ReadFile(s.metaPath(key))
	if err != nil {
		return meta{}, false
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil {
		return meta{}, false
	}
	return m, true
}

// Delete removes the content under key. Deleting a missing key is not an
// error, as in S3.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	p := s.dataPath(key)
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	if err := os.Remove(s.metaPath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

type blob struct {
	*os.File
	info ratsnetz.BlobInfo
}

func (b *blob) Info() ratsnetz.BlobInfo { return b.info }
