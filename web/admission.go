package web

import (
	"net/http"

	"github.com/ratsnetz/ratsnetz/admission"
)

// page wraps a portal page handler in the admission limiter (Config.Pages):
// at most a few page renders run at once and the rest wait their turn, first
// come first served. Only the page routes of routes() are wrapped: cached
// pages never reach the portal (respcache answers them in front of it), and
// static files, health checks, file downloads, OParl, the account and office
// areas and live streams are not page renders.
func (s *Server) page(h http.HandlerFunc) http.Handler {
	return s.pages.Wrap(h, http.HandlerFunc(s.handleBusy))
}

// handleBusy answers a page request the limiter turned away (it waited too
// long or the queue was full); the limiter has set Retry-After.
func (s *Server) handleBusy(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusServiceUnavailable, "")
}

// newPageLimiter returns cfg.Pages, or a limiter with admission's defaults
// (two renders per processor, five seconds of waiting at most).
func newPageLimiter(cfg Config) *admission.Limiter {
	if cfg.Pages != nil {
		return cfg.Pages
	}
	return admission.New(admission.Config{})
}

// pagesMessages are the texts of the overload page.
func pagesMessages() (de, en map[string]string) {
	de = map[string]string{
		"error.503.title": "Zurzeit überlastet",
		"error.503.text":  "Der Server ist gerade stark ausgelastet. Bitte versuchen Sie es in wenigen Sekunden noch einmal.",
	}
	en = map[string]string{
		"error.503.title": "Busy at the moment",
		"error.503.text":  "The server is very busy right now. Please try again in a few seconds.",
	}
	return de, en
}
