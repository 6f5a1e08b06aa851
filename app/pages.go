package app

import (
	"fmt"
	"strconv"
	"strings"

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

// pageLimiter returns the admission limiter of the portal's page renders
// for the setting v (validated at start by ParsePageConcurrency).
func pageLimiter(v string) *admission.Limiter {
	n, err := ParsePageConcurrency(v)
	if err != nil {
		n = 0
	}
	return admission.New(admission.Config{Limit: n})
}
