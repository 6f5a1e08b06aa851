package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz/admission"
)

// ParsePageConcurrency reads the page concurrency setting
// (RATSNETZ_PAGE_CONCURRENCY): empty or "auto" for admission's default (two
// page renders per processor), a positive number, or "off" for no bound.
// It returns the admission.Config Limit: 0 default, -1 off.
func ParsePageConcurrency(v string) (int, error) {
	switch s := strings.TrimSpace(strings.ToLower(v)); s {
	case "", "auto":
		return 0, nil
	case "off":
		return -1, nil
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			return 0, fmt.Errorf("RATSNETZ_PAGE_CONCURRENCY (--page-concurrency) muss auto, off oder eine Zahl von 1 bis 10000 sein, nicht %q.", v)
		}
		return n, nil
	}
}

// ParsePageStatements reads the page statements setting
// (RATSNETZ_PAGE_STATEMENTS): "separate" (default) reads a paper or meeting
// page with one statement per kind of neighbour, "one" on PostgreSQL reads
// it in one statement (sqlstore DB.OneStatementPages; cheaper per page once
// each pooled connection has planned it — openPages warms them at start).
// It reports whether the one-statement pages are on.
func ParsePageStatements(v string) (bool, error) {
	switch strings.TrimSpace(strings.ToLower(v)) {
	case "", "separate":
		return false, nil
	case "one":
		return true, nil
	}
	return false, fmt.Errorf("RATSNETZ_PAGE_STATEMENTS (--page-statements) muss separate oder one sein, nicht %q.", v)
}

// pageLimiter returns the admission limiter of the portal's page renders
// for the setting v (validated at start by ParsePageConcurrency).
func pageLimiter(v string) *admission.Limiter {
	n, err := ParsePageConcurrency(v)
	if err != nil {
		n = 0
	}
	return admission.New(admission.Config{Limit: n})
}

// openPages returns the page limiter and, on PostgreSQL, starts warming the
// read pool's page statements in the background (sqlstore DB.WarmPages):
// each pooled connection plans them once, and without warming the first
// visitors on each connection pay that. Close stops the warm-up. On an
// empty database (tests) the warm-up finds nothing to do.
func (m *Main) openPages() *admission.Limiter {
	if m.Config.IsPostgres() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			start := time.Now()
			if err := m.DB.WarmPages(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Warn("page statements not warmed", "err", err)
				return
			}
			m.Logger.Debug("page statements warmed", "duration", time.Since(start))
		}()
		m.closers = append(m.closers, func() error { cancel(); <-done; return nil })
	}
	return pageLimiter(m.Config.PageConcurrency)
}
