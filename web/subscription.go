package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/token"
)

// One double opt-in and one-click unsubscribe for both kinds of e-mail
// subscription (ratsnetz.SubscriptionService): citizens' alerts under
// /benachrichtigungen and saved searches under /suche/gespeichert. Each kind
// has its own URLs and texts; the handlers are the same.

// subscriptionPages are one kind's URLs and message keys.
type subscriptionPages struct {
	kind ratsnetz.SubscriptionKind
	// confirmPath takes GET ?token= (a page with a button: mail scanners
	// open links) and POST token= (confirms).
	confirmPath string
	// unsubPrefix + token is the one-click unsubscribe link of every mail.
	// Mail programs post to it without a form token (RFC 8058); the secret
	// token in the path is the protection, so the CSRF check is not
	// applied there.
	unsubPrefix string
	// Message keys.
	confirmTitle, confirmText, confirmButton, confirmInvalid, confirmDoneTitle, confirmDone string
	unsubTitle, unsubText, unsubButton, unsubGone, unsubDoneTitle, unsubDone                string
}

// alertPages and savedSearchPages are the two kinds' pages.
var (
	alertPages = subscriptionPages{
		kind:        ratsnetz.SubscriptionAlert,
		confirmPath: "/benachrichtigungen/bestaetigen", unsubPrefix: "/benachrichtigungen/abmelden/",
		confirmTitle: "feeds.confirm.title", confirmText: "feeds.confirm.text", confirmButton: "feeds.confirm.button",
		confirmInvalid: "feeds.confirm.invalid", confirmDoneTitle: "feeds.confirm.doneTitle", confirmDone: "feeds.confirm.done",
		unsubTitle: "feeds.unsub.title", unsubText: "feeds.unsub.text", unsubButton: "feeds.unsub.button",
		unsubGone: "feeds.unsub.gone", unsubDoneTitle: "feeds.unsub.doneTitle", unsubDone: "feeds.unsub.done",
	}
	savedSearchPages = subscriptionPages{
		kind:        ratsnetz.SubscriptionSavedSearch,
		confirmPath: "/suche/gespeichert/bestaetigen", unsubPrefix: "/suche/gespeichert/abmelden/",
		confirmTitle: "suche.saved.confirmTitle", confirmText: "suche.saved.confirmText", confirmButton: "suche.saved.confirmButton",
		confirmInvalid: "suche.saved.invalid", confirmDoneTitle: "suche.saved.confirmTitle", confirmDone: "suche.saved.confirmed",
		unsubTitle: "suche.saved.unsubTitle", unsubText: "suche.saved.unsubText", unsubButton: "suche.saved.unsubButton",
		unsubGone: "suche.saved.gone", unsubDoneTitle: "suche.saved.unsubTitle", unsubDone: "suche.saved.unsubDone",
	}
)

// confirmURL is the link of a confirmation mail.
func (p subscriptionPages) confirmURL(base, rawToken string) string {
	return base + p.confirmPath + "?token=" + url.QueryEscape(rawToken)
}

// unsubscribeURL is the one-click unsubscribe link of every mail.
func (p subscriptionPages) unsubscribeURL(base, rawToken string) string {
	return base + p.unsubPrefix + rawToken
}

// isOneClick reports whether r is a one-click unsubscribe POST of the kind.
func (p subscriptionPages) isOneClick(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, p.unsubPrefix)
	return ok && r.Method == http.MethodPost && rest != "" && !strings.Contains(rest, "/")
}

// subscriptionRoutes registers the kind's confirmation and unsubscribe
// routes, served by store.
func (s *Server) subscriptionRoutes(p subscriptionPages, store ratsnetz.SubscriptionService) {
	s.mux.HandleFunc("GET "+p.confirmPath, func(w http.ResponseWriter, r *http.Request) { s.handleSubscriptionConfirmForm(w, r, p) })
	s.mux.HandleFunc("POST "+p.confirmPath, func(w http.ResponseWriter, r *http.Request) { s.handleSubscriptionConfirm(w, r, p, store) })
	s.mux.HandleFunc("GET "+p.unsubPrefix+"{token}", func(w http.ResponseWriter, r *http.Request) { s.handleUnsubscribeForm(w, r, p, store) })
	s.mux.HandleFunc("POST "+p.unsubPrefix+"{token}", func(w http.ResponseWriter, r *http.Request) { s.handleUnsubscribe(w, r, p, store) })
}

// csrfExempt sends POSTs to the one-click unsubscribe links of the kinds
// that are switched on past the CSRF check (protected), everything else
// through it.
func (s *Server) csrfExempt(protected, plain http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.feeds.Feeds != nil && alertPages.isOneClick(r) || s.savedSearchOn() && savedSearchPages.isOneClick(r) {
			plain.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

type alertTokenData struct {
	Token  string
	Action string
	Button string
	Text   string
}

func (s *Server) handleSubscriptionConfirmForm(w http.ResponseWriter, r *http.Request, p subscriptionPages) {
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	// Mail scanners open links; only the button confirms.
	s.renderForm(w, r, http.StatusOK, "feeds_token", f.T(p.confirmTitle), alertTokenData{Token: q.Get("token"),
		Action: p.confirmPath, Button: f.T(p.confirmButton), Text: f.T(p.confirmText)})
}

func (s *Server) handleSubscriptionConfirm(w http.ResponseWriter, r *http.Request, p subscriptionPages, store ratsnetz.SubscriptionService) {
	f := s.formatter(r.Context())
	raw := r.PostFormValue("token")
	if raw == "" || len(raw) > 100 {
		s.renderMessage(w, r, http.StatusNotFound, f.T(p.confirmTitle), f.T(p.confirmInvalid))
		return
	}
	if _, err := store.ConfirmSubscription(r.Context(), p.kind, token.Hash(raw), s.now()); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			s.renderMessage(w, r, http.StatusNotFound, f.T(p.confirmTitle), f.T(p.confirmInvalid))
			return
		}
		s.error(w, r, err)
		return
	}
	s.renderMessage(w, r, http.StatusOK, f.T(p.confirmDoneTitle), f.T(p.confirmDone))
}

func (s *Server) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request, p subscriptionPages, store ratsnetz.SubscriptionService) {
	f := s.formatter(r.Context())
	raw := r.PathValue("token")
	if _, err := store.FindSubscriptionByUnsubscribe(r.Context(), p.kind, token.Hash(raw)); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			s.renderMessage(w, r, http.StatusNotFound, f.T(p.unsubTitle), f.T(p.unsubGone))
			return
		}
		s.error(w, r, err)
		return
	}
	s.renderForm(w, r, http.StatusOK, "feeds_token", f.T(p.unsubTitle), alertTokenData{
		Action: p.unsubPrefix + url.PathEscape(raw), Button: f.T(p.unsubButton), Text: f.T(p.unsubText)})
}

// handleUnsubscribe ends a subscription: from the page's button or as the
// one-click POST of a mail program (RFC 8058, body
// "List-Unsubscribe=One-Click").
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request, p subscriptionPages, store ratsnetz.SubscriptionService) {
	f := s.formatter(r.Context())
	sub, err := store.FindSubscriptionByUnsubscribe(r.Context(), p.kind, token.Hash(r.PathValue("token")))
	if err == nil {
		err = store.DeleteSubscription(r.Context(), p.kind, sub.ID)
	}
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		s.error(w, r, err)
		return
	}
	// Unsubscribing twice is not an error: the result is the same.
	s.renderMessage(w, r, http.StatusOK, f.T(p.unsubDoneTitle), f.T(p.unsubDone))
}

// newSubscriptionTokens makes the raw tokens and hashes of a new
// subscription's confirmation and unsubscribe links.
func newSubscriptionTokens() (rawConfirm, confirmHash, rawUnsub, unsubHash string, err error) {
	if rawConfirm, confirmHash, err = token.New(nil); err != nil {
		return "", "", "", "", err
	}
	if rawUnsub, unsubHash, err = token.New(nil); err != nil {
		return "", "", "", "", err
	}
	return rawConfirm, confirmHash, rawUnsub, unsubHash, nil
}

// confirmTTL is how long a confirmation link is valid.
func (s *Server) confirmTTL() time.Duration {
	if s.feeds.ConfirmTTL > 0 {
		return s.feeds.ConfirmTTL
	}
	return defaultConfirmIn
}

// enqueueConfirmation queues a confirmation mail in the feeds outbox and
// wakes the dispatcher.
func (s *Server) enqueueConfirmation(ctx context.Context, m *ratsnetz.OutgoingMail) error {
	if err := s.feeds.Feeds.EnqueueMail(ctx, m); err != nil {
		return err
	}
	if s.feeds.Wake != nil {
		s.feeds.Wake()
	}
	return nil
}
