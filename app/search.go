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

// startSearchIndexer indexes whatever changed whenever the data version
// moves (every write of council data bumps it, whoever the writer), polling
// every interval. A pass that fails is retried with backoff; the index
// itself is the durable state (an object is pending while its entry is
// missing or older than the object), so a crash loses nothing. Close on the
// result stops it.
func startSearchIndexer(x ratsnetz.SearchIndexer, version func(context.Context) (int64, error), logger *slog.Logger, interval time.Duration) *loop {
	last := int64(-1)
	step := func(ctx context.Context) error {
		v, err := version(ctx)
		if err != nil || v == last {
			return err
		}
		// Read the version before the pass: writes during the pass move it
		// again, and the next round picks them up.
		total := 0
		for {
			n, err := x.IndexPending(ctx, 500)
			if err != nil {
				return err
			}
			total += n
			if n == 0 {
				break
			}
		}
		last = v
		if total > 0 {
			logger.Info("search index updated", "objects", total)
		}
		return nil
	}
	return startLoop(loopSpec{step: step, poll: interval, logger: logger, failed: "search indexing failed, retrying"})
}
