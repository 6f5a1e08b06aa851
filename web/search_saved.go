package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// Saved searches: a member saves a search for e-mail alerts at once; a
// citizen gives an address and confirms it (double opt-in). Mails go
// through the feeds outbox (alerts.MatchSavedSearches); every mail carries
// a one-click unsubscribe link. The area needs SearchDeps.Saved and the
// feeds outbox (FeedsDeps.Feeds).

func (s *Server) savedSearchOn() bool { return s.search.Saved != nil && s.feeds.Feeds != nil }

// savedSearchRoutes registers the saved-search routes.
func (s *Server) savedSearchRoutes() {
	if !s.savedSearchOn() {
		return
	}
	s.mux.HandleFunc("POST /suche/speichern", s.handleSavedSearchCreate)
	s.subscriptionRoutes(savedSearchPages, s.search.Saved)
	if s.auth != nil {
		s.mux.HandleFunc("GET /suche/gespeichert", s.handleSavedSearchList)
		s.mux.HandleFunc("POST /suche/gespeichert/loeschen", s.handleSavedSearchDelete)
	}
}

// savedListData is the member's list of saved searches.
type savedListData struct {
	Info     string
	Searches []savedSearchView
}

type savedSearchView struct {
	ID      int64
	Query   string
	Kind    string // label, "" for all kinds
	URL     string // the search itself
	Created string
	ISO     string
}

// handleSavedSearchList lists the logged-in member's own saved searches,
// each with a delete button (a plain form: works without JavaScript).
func (s *Server) handleSavedSearchList(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	s.renderSavedSearchList(w, r, a, "", http.StatusOK)
}

func (s *Server) renderSavedSearchList(w http.ResponseWriter, r *http.Request, a *ratsnetz.Account, info string, status int) {
	ctx := r.Context()
	f := s.formatter(ctx)
	// The filter by account is the store's: a member lists only their own.
	list, err := s.search.Saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{AccountID: a.ID})
	if err != nil {
		s.error(w, r, err)
		return
	}
	d := savedListData{Info: info}
	for _, ss := range list {
		v := savedSearchView{ID: ss.ID, Query: ss.Query, Created: f.Date(ss.Created), ISO: f.localDay(ss.Created).Format("2006-01-02")}
		q := url.Values{"q": {ss.Query}}
		if ss.Kind != "" {
			v.Kind = f.T("suche.kind." + ss.Kind)
			q.Set("typ", ss.Kind)
		}
		v.URL = "/suche?" + q.Encode()
		d.Searches = append(d.Searches, v)
	}
	s.renderForm(w, r, status, "feeds_saved", f.T("suche.saved.listTitle"), d)
}

// handleSavedSearchDelete deletes one of the member's own saved searches;
// the store refuses anyone else's (as not found).
func (s *Server) handleSavedSearchDelete(w http.ResponseWriter, r *http.Request) {
	a := s.memberLogin(w, r)
	if a == nil {
		return
	}
	f := s.formatter(r.Context())
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err == nil {
		err = s.search.Saved.DeleteAccountSavedSearch(r.Context(), a.ID, id)
	}
	switch {
	case err == nil:
		s.renderSavedSearchList(w, r, a, f.T("suche.saved.deleted"), http.StatusOK)
	case ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange):
		s.renderSavedSearchList(w, r, a, f.T("suche.saved.gone"), http.StatusNotFound)
	default:
		s.error(w, r, err)
	}
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
	rawConfirm, confirmHash, rawUnsub, unsubHash, err := newSubscriptionTokens()
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
	ttl := s.confirmTTL()
	ss.Email, ss.ConfirmHash, ss.ConfirmExpires = addr.Address, confirmHash, s.now().Add(ttl)
	if err := s.search.Saved.CreateSavedSearch(ctx, ss); err != nil {
		s.error(w, r, err)
		return
	}
	m := savedConfirmMail(ss, savedSearchPages.confirmURL(s.baseURL, rawConfirm), savedSearchPages.unsubscribeURL(s.baseURL, rawUnsub), ttl)
	if err := s.enqueueConfirmation(ctx, m); err != nil {
		s.error(w, r, err)
		return
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
		"suche.saved.listTitle":     "Meine gespeicherten Suchen",
		"suche.saved.listIntro":     "Zu diesen Suchen erhalten Sie neue Treffer per E-Mail. Eine neue Suche speichern Sie auf der Suchseite unter den Treffern.",
		"suche.saved.none":          "Sie haben keine gespeicherten Suchen.",
		"suche.saved.colQuery":      "Suche",
		"suche.saved.colKind":       "Art",
		"suche.saved.colCreated":    "Gespeichert am",
		"suche.saved.colAction":     "Aktion",
		"suche.saved.allKinds":      "alle",
		"suche.saved.delete":        "Löschen",
		"suche.saved.deleteLabel":   "Gespeicherte Suche „%s“ löschen",
		"suche.saved.deleted":       "Die gespeicherte Suche ist gelöscht.",
		"suche.saved.manage":        "Meine gespeicherten Suchen",
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
		"suche.saved.listTitle":     "My saved searches",
		"suche.saved.listIntro":     "You receive new results of these searches by e-mail. To save a new search, use the form below the results on the search page.",
		"suche.saved.none":          "You have no saved searches.",
		"suche.saved.colQuery":      "Search",
		"suche.saved.colKind":       "Type",
		"suche.saved.colCreated":    "Saved on",
		"suche.saved.colAction":     "Action",
		"suche.saved.allKinds":      "all",
		"suche.saved.delete":        "Delete",
		"suche.saved.deleteLabel":   "Delete saved search “%s”",
		"suche.saved.deleted":       "The saved search is deleted.",
		"suche.saved.manage":        "My saved searches",
	}
	return de, en
}
