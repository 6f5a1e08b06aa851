package alerts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// MatchSavedSearches queues one mail per active saved search with new hits
// (dated from the day it was saved or confirmed on, not told before) and
// returns how many. A citizen's search runs as the public; a member's as
// the account, and a hit the public may not see is named in the mail only
// by a link ("Nichtöffentlicher Treffer"), never by its title or text, as
// in the member notifications. Nothing happens without s.Saved and s.Search.
func (s *Service) MatchSavedSearches(ctx context.Context) (int, error) {
	if s.Saved == nil || s.Search == nil {
		return 0, nil
	}
	queued := 0
	var after int64
	for {
		list, err := s.Saved.FindSavedSearches(ctx, ratsnetz.SavedSearchFilter{Active: true, After: after, Limit: 200})
		if err != nil {
			return queued, err
		}
		if len(list) == 0 {
			return queued, nil
		}
		for _, ss := range list {
			after = ss.ID
			ok, err := s.matchSavedSearch(ctx, ss)
			if err != nil {
				s.logger().ErrorContext(ctx, "saved search", "id", ss.ID, "err", err)
				continue
			}
			if ok {
				queued++
			}
		}
	}
}

func (s *Service) matchSavedSearch(ctx context.Context, ss *ratsnetz.SavedSearch) (bool, error) {
	pub := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	vctx, to := pub, ss.Email
	if ss.AccountID != 0 {
		if s.Accounts == nil {
			return false, nil
		}
		a, err := s.Accounts.FindAccountByID(ctx, ss.AccountID)
		if err != nil {
			return false, err
		}
		if !a.Active || a.Email == "" {
			return false, nil
		}
		vctx, to = ratsnetz.NewContextWithViewer(ctx, a.Viewer()), a.Email
	}
	local := ss.ConfirmedAt.In(s.loc())
	q := ratsnetz.SearchQuery{Text: ss.Query, Kind: ss.Kind, Limit: maxObjects,
		Since: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc())}
	res, err := s.Search.Search(vctx, q)
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	public := map[ratsnetz.AlertObject]bool{}
	if ss.AccountID != 0 && len(res.Hits) > 0 {
		pres, err := s.Search.Search(pub, q)
		if err != nil {
			return false, fmt.Errorf("search as the public: %w", err)
		}
		for _, h := range pres.Hits {
			public[ratsnetz.AlertObject{Kind: h.Kind, ID: h.ObjectID}] = true
		}
	}
	var items []item
	for _, h := range res.Hits {
		obj := ratsnetz.AlertObject{Kind: h.Kind, ID: h.ObjectID}
		it := item{obj: obj, url: s.BaseURL + hitPath(h)}
		if ss.AccountID == 0 || public[obj] {
			var t strings.Builder
			for _, p := range h.Title {
				t.WriteString(p.Text)
			}
			it.title, it.when = strings.TrimSpace(t.String()), s.date(h.Date)
			if h.Subtitle != "" {
				it.title += " (" + h.Subtitle + ")"
			}
		} else {
			it.title = "Nichtöffentlicher Treffer (nach Anmeldung sichtbar)"
		}
		items = append(items, it)
	}
	recipient := ratsnetz.SavedSearchRecipient(ss.ID)
	items, err = s.undelivered(ctx, recipient, items)
	if err != nil || len(items) == 0 {
		return false, err
	}
	unsub := s.BaseURL + "/suche/gespeichert/abmelden/" + ss.UnsubscribeToken
	m := s.mail(to, subjectFor(items, "Neue Treffer zu „"+oneLine(ss.Query, 60)+"“"),
		"Ihre gespeicherte Suche „"+ss.Query+"“ hat neue Treffer:", items,
		"Diese Suche nicht mehr per E-Mail erhalten (ein Klick genügt): "+unsub, unsub)
	return s.Feeds.RecordDelivery(ctx, recipient, objects(items), m)
}

// hitPath is the portal path of a search hit (as web's searchHitURL).
func hitPath(h *ratsnetz.SearchHit) string {
	id := strconv.FormatInt(h.ObjectID, 10)
	switch h.Kind {
	case ratsnetz.SearchPaper:
		return "/vorlagen/" + id
	case ratsnetz.SearchMeeting:
		return "/sitzungen/" + id
	case ratsnetz.SearchAgendaItem:
		return "/sitzungen/" + strconv.FormatInt(h.ParentID, 10) + "/top/" + id
	case ratsnetz.SearchFile:
		return "/dateien/" + id
	case ratsnetz.SearchOrganization:
		return "/gremien/" + id
	case ratsnetz.SearchPerson:
		return "/personen/" + id
	}
	return "/gremien"
}
