package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/search/extract"
	"github.com/ratsnetz/ratsnetz/sqlstore"
	"github.com/ratsnetz/ratsnetz/web"
)

// SearchIndex returns the maintainer of the full-text index over the
// opened storage, with file text extraction from the blob store (PDF,
// DOCX, ODT; OCR when tesseract is installed).
func (m *Main) SearchIndex() *sqlstore.SearchIndex {
	x := sqlstore.NewSearchIndex(m.DB)
	ex := extract.New()
	blobs := m.Blobs
	x.FileText = func(ctx context.Context, f *ratsnetz.File) (string, error) {
		b, err := blobs.Open(ctx, f.BlobKey)
		if err != nil {
			return "", fmt.Errorf("open file %d: %w", f.ID, err)
		}
		defer b.Close()
		data, err := io.ReadAll(io.LimitReader(b, 256<<20))
		if err != nil {
			return "", fmt.Errorf("read file %d: %w", f.ID, err)
		}
		return ex.Text(ctx, f.FileName, f.MimeType, data)
	}
	return x
}

// openSearch builds the search area's dependencies for the portal and
// starts the indexer, which keeps the index up to date in the background.
func (m *Main) openSearch(ctx context.Context, baseURL string) (web.SearchDeps, error) {
	x := m.SearchIndex()
	deps := web.SearchDeps{Search: m.DB, Bodies: m.DB, Saved: m.DB}
	if !m.Config.SearchIndexerEnabled() {
		m.Logger.Info("search: background indexer switched off (RATSNETZ_SEARCH_INDEXER=off)")
		return deps, nil
	}
	// A bounded first pass before the portal serves, so that a freshly
	// loaded demo (or a small council) is searchable at once; the worker
	// does the rest in the background.
	if _, err := x.IndexPending(ctx, 5000); err != nil {
		m.Logger.Warn("search: first indexing pass failed, continuing in the background", "err", err)
	}
	w := startSearchIndexer(x, m.DB.DataVersion, m.Logger, 2*time.Second)
	m.closers = append(m.closers, w.Close)
	return deps, nil
}

// searchIndexer indexes whatever changed whenever the data version moves
// (every write of council data bumps it, whoever the writer), polling
// every interval. A pass that fails is retried with backoff; the index
// itself is the durable state (an object is pending while its entry is
// missing or older than the object), so a crash loses nothing.
type searchIndexer struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startSearchIndexer(x ratsnetz.SearchIndexer, version func(context.Context) (int64, error), logger *slog.Logger, interval time.Duration) *searchIndexer {
	ctx, cancel := context.WithCancel(context.Background())
	w := &searchIndexer{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		last := int64(-1)
		wait := interval
		for {
			v, err := version(ctx)
			if err == nil && v != last {
				// Read the version before the pass: writes during the pass
				// move it again, and the next round picks them up.
				total := 0
				for err == nil {
					var n int
					n, err = x.IndexPending(ctx, 500)
					total += n
					if n == 0 {
						break
					}
				}
				if err == nil {
					last = v
					if total > 0 {
						logger.Info("search index updated", "objects", total)
					}
				}
			}
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				logger.Warn("search indexing failed, retrying", "err", err, "in", wait)
				wait = min(2*wait, time.Minute)
			default:
				wait = interval
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Close stops the indexer and waits for it.
func (w *searchIndexer) Close() error {
	w.cancel()
	<-w.done
	return nil
}
