package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/ratsnetz/ratsnetz/oparl"
)

// openOParl returns the OParl API for baseURL with stored documents
// (oparl/docs.go) and starts their builder, which renders them again in the
// background after writes.
func (m *Main) openOParl(baseURL string) *oparl.Server {
	build := ExecutableBuild()
	api := oparl.NewServer(oparl.Config{Store: m.DB, BaseURL: baseURL, System: m.system(baseURL),
		Logger: m.Logger, Now: m.Now, Build: build})
	if !m.Config.OParlDocsEnabled() {
		// Nothing is built, so nothing stored is served: documents stay
		// tied to their build's data version (sqlstore/oparl_docs.go).
		m.Logger.Info("oparl: stored documents off (RATSNETZ_OPARL_DOCS=off), every page rendered live")
		return api
	}
	if build == "" {
		m.Logger.Warn("oparl: program build not identifiable, stored documents off (every page rendered live)")
		return api
	}
	w := startOParlDocs(api, m.DB.DataVersion, m.Logger, oparlDocsTiming{poll: 2 * time.Second, settle: 5 * time.Second, gapFactor: 4})
	m.closers = append(m.closers, w.Close)
	return api
}

// ExecutableBuild identifies the running program: the first 16 hex digits
// of the SHA-256 of its executable ("" if unreadable). Stored OParl
// documents are used only by the build that rendered them, so a new binary
// (other rendering, other visibility rules) never serves old documents.
func ExecutableBuild() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// oparlDocsTiming paces the builder.
type oparlDocsTiming struct {
	poll time.Duration // how often the data version is read
	// settle is how long the data version must stay unchanged before a
	// pass starts (a burst of writes costs one pass, not one per write).
	settle time.Duration
	// gapFactor × the last pass's duration must lie between two passes:
	// under continuous writes the builder takes at most 1/(1+gapFactor) of
	// one core, and pages are rendered live meanwhile (always correct).
	gapFactor int
}

// startOParlDocs runs oparl.Server.BuildDocs in the background after the
// data settles. The stored documents are the durable state (a set is
// current or not, see sqlstore/oparl_docs.go), so a crash or stop loses
// nothing but time. Close on the result cancels a running pass (its set
// stays unserved until the next pass completes).
func startOParlDocs(api *oparl.Server, version func(context.Context) (int64, error), logger *slog.Logger, tm oparlDocsTiming) *loop {
	var (
		seen      int64     = -1 // version at the last poll
		since     time.Time      // when seen was first read
		built     int64     = -1 // version after the last successful pass
		notBefore time.Time      // end of the gap after the last pass
	)
	step := func(ctx context.Context) error {
		v, err := version(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		if v != seen {
			seen, since = v, now
		}
		if v == built || now.Sub(since) < tm.settle || now.Before(notBefore) {
			return nil
		}
		start := time.Now()
		st, err := api.BuildDocs(ctx)
		if err != nil {
			return err
		}
		took := time.Since(start)
		built = v
		notBefore = time.Now().Add(time.Duration(tm.gapFactor) * took)
		if len(st.Kinds) > 0 {
			logger.Info("oparl: stored documents built", "kinds", st.Kinds, "objects", st.Objects,
				"bytes", st.Bytes, "took", took.Round(time.Millisecond), "superseded", st.Superseded)
		}
		return nil
	}
	return startLoop(loopSpec{step: step, poll: tm.poll, logger: logger,
		failed: "oparl: building stored documents failed, retrying"})
}
