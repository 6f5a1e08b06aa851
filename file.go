package ratsnetz

import (
	"context"
	"io"
	"time"
)

// File is a document: a paper's main file or attachment, an invitation,
// minutes. Its content lives in the blob store under BlobKey.
type File struct {
	Meta
	BodyID   int64
	Name     string // display name without extension
	FileName string
	MimeType string
	Date     time.Time
	Size     int64
	SHA256   string // hex
	SHA512   string // hex, for OParl sha512Checksum
	BlobKey  string
	// Text is the plain-text rendering of the content, for search and
	// accessibility.
	Text               string
	ExternalServiceURL string
	MasterFileID       int64
	DerivativeFileIDs  []int64
	License            string
	// Public is the file's own flag. A file is visible only if it is public
	// and every paper, meeting and agenda item it belongs to is visible.
	Public bool
	// Back-references, filled by the store from the owners' links.
	PaperIDs      []int64
	MeetingIDs    []int64
	AgendaItemIDs []int64
}

// FileFilter selects files.
type FileFilter struct {
	IDs          []int64
	BodyID       int64
	PaperID      int64
	MeetingID    int64
	AgendaItemID int64
	ListOptions
}

// FileService reads file metadata.
type FileService interface {
	FindFileByID(ctx context.Context, id int64) (*File, error)
	FindFiles(ctx context.Context, f FileFilter) ([]*File, int, error)
}

// BlobInfo describes stored content.
type BlobInfo struct {
	Key     string
	Size    int64
	SHA256  string // hex
	SHA512  string // hex
	ModTime time.Time
}

// Blob is open stored content.
type Blob interface {
	io.ReadSeekCloser
	Info() BlobInfo
}

// BlobStore keeps file contents: local disk by default, S3-compatible
// storage in production. Keys are opaque slash-separated names.
type BlobStore interface {
	// Put stores r under key atomically: a failed Put leaves what was
	// stored under key before.
	Put(ctx context.Context, key string, r io.Reader) (BlobInfo, error)
	Open(ctx context.Context, key string) (Blob, error)
	Delete(ctx context.Context, key string) error
}
