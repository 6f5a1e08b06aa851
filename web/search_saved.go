package web

import (
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/token"
)

// Saved searches: a member saves a search for e-mail alerts at once; a
// citizen gives an address and confirms it (double opt-in). Mails go
// through the feeds outbox (alerts.MatchSavedSearches); every mail carries
// a one-click unsubscribe link. The area needs SearchDeps.Saved and the
// feeds outbox (FeedsDeps.Feeds).

// savedUnsubscribePrefix is the path of the saved searches' one-click
// unsubscribe links (CSRF-exempt like the feeds' ones: the secret token in
// the path is the protection).
const savedUnsubscribePrefix = "/suche/gespeichert/abmelden/"

func (s *Server) savedSearchOn() bool { return s.search.Saved != nil && s.feeds.Feeds != nil }

// savedSearchRoutes registers the saved-search routes.
func (s *Server) savedSearchRoutes() {
	if !s.savedSearchOn() {
		return
	}
	s.mux.HandleFunc("POST /suche/speichern", s.handleSavedSearchCreate)
	s.mux.HandleFunc("GET /suche/gespeichert/bestaetigen", s.handleSavedSearchConfirmForm)
	s.mux.HandleFunc("POST /suche/gespeichert/bestaetigen", s.handleSavedSearchConfirm)
	s.mux.HandleFunc("GET "+savedUnsubscribePrefix+"{token}", s.handleSavedSearchUnsubscribeForm)
	s.mux.HandleFunc("POST "+savedUnsubscribePrefix+"{token}", s.handleSavedSearchUnsubscribe)
}

// isSavedUnsubscribe reports whether r is a one-click unsubscribe POST of
// a saved search.
func isSavedUnsubscribe(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, savedUnsubscribePrefix) &&
		!strings.Contains(strings.TrimPrefix(r.URL.Path, savedUnsubscribePrefix), "/")
}

func (s *Server) handleSavedSearchCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := s.formatter(ctx)
	text := strings.TrimSpace(r.PostFormValue("q"))
	kind := strings.TrimSpace(r.PostFormValue("typ"))
	if text == "" || utf8.RuneCountInString(text) > maxQueryText {
		s.renderMessage(w, r, http.StatusBadRequest, f.T("suche.saved.title"), f.T("suche.saved.badQuery"))
		return
	}
	known := kind == ""
	for _, k := range ratsnetz.SearchKinds() {
		known = known || k == kind
	}
	if !known {
		s.renderMessage(w, r, http.StatusBadRequest, f.T("suche.saved.title"), f.T("suche.saved.badQuery"))
		return
	}
	rawUnsub, unsubHash, err := token.New(nil)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ss := &ratsnetz.SavedSearch{Query: text, Kind: kind, UnsubscribeHash: unsubHash, UnsubscribeToken: rawUnsub}
	if c := current(r); c != nil && c.Account != nil {
		ss.AccountID = c.Account.ID
		if err := s.search.Saved.CreateSavedSearch(ctx, ss); err != nil {
			s.error(w, r, err)
			return
		}
		s.renderMessage(w, r, http.StatusOK, f.T("suche.saved.title"), f.T("suche.saved.member", text))
		return
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(r.PostFormValue("email")))
	if err != nil || len(addr.Address) > 254 {
		s.renderMessage(w, r, http.StatusBadRequest, f.T("suche.saved.title"), f.T("suche.saved.badEmail"))
		return
	}
	rawConfirm, confirmHash, err := token.New(nil)
	if err != nil {
		s.error(w, r, err)
		return
	}
	ttl := s.feeds.ConfirmTTL
	if ttl <= 0 {
		ttl = defaultConfirmIn
	}
	ss.Email, ss.ConfirmHash, ss.ConfirmExpires = addr.Address, confirmHash, s.now().Add(ttl)
	if err := s.search.Saved.CreateSavedSearch(ctx, ss); err != nil {
		s.error(w, r, err)
		return
	}
	m := savedConfirmMail(ss, s.baseURL+"/suche/gespeichert/bestaetigen?token="+url.QueryEscape(rawConfirm),
		s.baseURL+savedUnsubscribePrefix+rawUnsub, ttl)
	if err := s.feeds.Feeds.EnqueueMail(ctx, m); err != nil {
		s.error(w, r, err)
		return
	}
	if s.feeds.Wake != nil {
		s.feeds.Wake()
	}
	s.renderMessage(w, r, http.StatusOK, f.T("suche.saved.title"), f.T("suche.saved.sent", ss.Email))
}

func savedConfirmMail(ss *ratsnetz.SavedSearch, confirmURL, unsubURL string, ttl time.Duration) *ratsnetz.OutgoingMail {
	var b strings.Builder
	fmt.Fprintf(&b, "Guten Tag,\n\nSie möchten per E-Mail über neue öffentliche Treffer der Suche „%s“ benachrichtigt werden.\n\n", ss.Query)
	fmt.Fprintf(&b, "Bitte bestätigen Sie das innerhalb von %d Stunden über diesen Link:\n%s\n\n", int(ttl.Hours()), confirmURL)
	b.WriteString("Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach; ohne Bestätigung erhalten Sie keine weiteren E-Mails.\n")
	fmt.Fprintf(&b, "\nAbmelden: %s\n", unsubURL)
	return &ratsnetz.OutgoingMail{To: ss.Email, Subject: "Bitte bestätigen Sie Ihre gespeicherte Suche", Text: b.String()}
}

func (s *Server) handleSavedSearchConfirmForm(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	// Mail scanners open links; only the button confirms.
	s.renderForm(w, r, http.StatusOK, "feeds_token", f.T("suche.saved.confirmTitle"), alertTokenData{Token: q.Get("token"),
		Action: "/suche/gespeichert/bestaetigen", Button: f.T("suche.saved.confirmButton"), Text: f.T("suche.saved.confirmText")})
}

func (s *Server) handleSavedSearchConfirm(w http.ResponseWriter, r *http.Request) {
	f := s.formatter(r.Context())
	raw := r.PostFormValue("token")
	if raw == "" || len(raw) > 100 {
		s.renderMessage(w, r, http.StatusNotFound, f.T("suche.saved.confirmTitle"), f.T("suche.saved.invalid"))
		return
	}
	if _, err := s.search.Saved.ConfirmSavedSearch(r.Context(), token.Hash(raw), s.now()); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			s.renderMessage(w, r, http.StatusNotFound, f.T("suche.saved.confirmTitle"), f.T("suche.saved.invalid"))
			return
		}
		s.error(w, r, err)
		return
	}
	s.renderMessage(w, r, http.StatusOK, f.T("suche.saved.confirmTitle"), f.T("suche.saved.confirmed"))
}

func (s *Server) handleSavedSearchUnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	f := s.formatter(r.Context())
	raw := r.PathValue("token")
	if _, err := s.search.Saved.FindSavedSearchByUnsubscribe(r.Context(), token.Hash(raw)); err != nil {
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			s.renderMessage(w, r, http.StatusNotFound, f.T("suche.saved.unsubTitle"), f.T("suche.saved.gone"))
			return
		}
		s.error(w, r, err)
		return
	}
	s.renderForm(w, r, http.StatusOK, "feeds_token", f.T("suche.saved.unsubTitle"), alertTokenData{
		Action: savedUnsubscribePrefix + url.PathEscape(raw), Button: f.T("suche.saved.unsubButton"), Text: f.T("suche.saved.unsubText")})
}

// handleSavedSearchUnsubscribe ends a saved search: from the page's button
// or as the one-click POST of a mail program (RFC 8058).
func (s *Server) handleSavedSearchUnsubscribe(w http.ResponseWriter, r *http.Request) {
	f := s.formatter(r.Context())
	ss, err := s.search.Saved.FindSavedSearchByUnsubscribe(r.Context(), token.Hash(r.PathValue("token")))
	if err == nil {
		err = s.search.Saved.DeleteSavedSearch(r.Context(), ss.ID)
	}
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
		s.error(w, r, err)
		return
	}
	s.renderMessage(w, r, http.StatusOK, f.T("suche.saved.unsubTitle"), f.T("suche.saved.unsubDone"))
}

// savedSearchMessages returns the saved searches' German and English
// messages.
func savedSearchMessages() (de, en map[string]string) {
	de = map[string]string{
		"suche.saved.legend":        "Diese Suche per E-Mail abonnieren",
		"suche.saved.email":         "E-Mail-Adresse",
		"suche.saved.submit":        "Suche speichern",
		"suche.saved.memberHint":    "Neue Treffer erhalten Sie an die E-Mail-Adresse Ihres Kontos. Nichtöffentliche Treffer werden nur verlinkt.",
		"suche.saved.citizenHint":   "Sie erhalten neue öffentliche Treffer per E-Mail, nachdem Sie Ihre Adresse bestätigt haben. Abmelden geht mit einem Klick.",
		"suche.saved.title":         "Gespeicherte Suche",
		"suche.saved.badQuery":      "Bitte geben Sie einen Suchbegriff an.",
		"suche.saved.badEmail":      "Bitte geben Sie eine gültige E-Mail-Adresse an.",
		"suche.saved.member":        "Die Suche „%s“ ist gespeichert. Neue Treffer erhalten Sie per E-Mail.",
		"suche.saved.sent":          "Wir haben eine E-Mail an %s geschickt. Bitte bestätigen Sie die gespeicherte Suche über den Link darin.",
		"suche.saved.confirmTitle":  "Gespeicherte Suche bestätigen",
		"suche.saved.confirmButton": "Bestätigen",
		"suche.saved.confirmText":   "Bitte bestätigen Sie, dass Sie neue Treffer dieser Suche per E-Mail erhalten möchten.",
		"suche.saved.confirmed":     "Vielen Dank. Sie erhalten neue Treffer ab heute per E-Mail.",
		"suche.saved.invalid":       "Der Bestätigungslink ist ungültig oder abgelaufen.",
		"suche.saved.unsubTitle":    "Gespeicherte Suche abbestellen",
		"suche.saved.unsubButton":   "Abbestellen",
		"suche.saved.unsubText":     "Sie erhalten dann keine E-Mails zu dieser Suche mehr.",
		"suche.saved.unsubDone":     "Die gespeicherte Suche ist abbestellt.",
		"suche.saved.gone":          "Diese gespeicherte Suche gibt es nicht (mehr).",
	}
	en = map[string]string{
		"suche.saved.legend":        "Get this search by e-mail",
		"suche.saved.email":         "E-mail address",
		"suche.saved.submit":        "Save search",
		"suche.saved.memberHint":    "New results are sent to your account's e-mail address. Non-public results are only linked.",
		"suche.saved.citizenHint":   "You receive new public results by e-mail after confirming your address. Unsubscribing takes one click.",
		"suche.saved.title":         "Saved search",
		"suche.saved.badQuery":      "Please enter a search term.",
		"suche.saved.badEmail":      "Please enter a valid e-mail address.",
		"suche.saved.member":        "The search “%s” is saved. New results will be sent to you by e-mail.",
		"suche.saved.sent":          "We sent an e-mail to %s. Please confirm the saved search with the link in it.",
		"suche.saved.confirmTitle":  "Confirm saved search",
		"suche.saved.confirmButton": "Confirm",
		"suche.saved.confirmText":   "Please confirm that you want to receive new results of this search by e-mail.",
		"suche.saved.confirmed":     "Thank you. You will receive new results from today on by e-mail.",
		"suche.saved.invalid":       "The confirmation link is invalid or has expired.",
		"suche.saved.unsubTitle":    "Unsubscribe from saved search",
		"suche.saved.unsubButton":   "Unsubscribe",
		"suche.saved.unsubText":     "You will then receive no more e-mails about this search.",
		"suche.saved.unsubDone":     "The saved search is unsubscribed.",
		"suche.saved.gone":          "This saved search does not exist (any more).",
	}
	return de, en
}
