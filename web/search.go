package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// Full-text search: the search box, /suche, the JSON search API and the OpenSearch description.

// SearchDeps holds what the search area of the portal needs; the zero value
// switches the area off (the header search then falls back to the paper list).
type SearchDeps struct {
	Search ratsnetz.SearchService
	// Saved stores saved searches (alerts by e-mail; needs the feeds
	// outbox too); nil switches them off.
	Saved ratsnetz.SavedSearchService
	// Bodies names the bodies in the body facet.
	Bodies ratsnetz.BodyService
}

const searchPageSize = 20

// searchRoutes registers the search area's routes.
func (s *Server) searchRoutes() {
	if s.search.Search == nil {
		return
	}
	s.mux.HandleFunc("GET /suche", s.handleSearchPage)
	s.mux.HandleFunc("GET /api/suche", s.handleSearchAPI)
	s.mux.HandleFunc("GET /suche/opensearch.xml", s.handleOpenSearch)
	s.savedSearchRoutes()
}

// parseSearch reads the search parameters: q (text), typ (kind),
// koerperschaft (body), art (paper type), jahr, status, seite. Bad values
// are a bad request.
func parseSearch(r *http.Request) (ratsnetz.SearchQuery, int, error) {
	var sq ratsnetz.SearchQuery
	q, err := query(r)
	if err != nil {
		return sq, 0, err
	}
	sq.Text = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(sq.Text) > maxQueryText {
		return sq, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "err.queryTooLong")
	}
	if sq.Kind, err = queryChoice(q, "typ", ratsnetz.SearchKinds()); err != nil {
		return sq, 0, err
	}
	if sq.BodyID, err = queryID(q, "koerperschaft"); err != nil {
		return sq, 0, err
	}
	sq.PaperType = strings.TrimSpace(q.Get("art"))
	sq.Status = strings.TrimSpace(q.Get("status"))
	if len(sq.PaperType) > 100 || len(sq.Status) > 100 {
		return sq, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
	}
	if v := strings.TrimSpace(q.Get("jahr")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 2200 {
			return sq, 0, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
		}
		sq.Year = y
	}
	page, err := queryPage(q)
	if err != nil {
		return sq, 0, err
	}
	sq.Limit, sq.Offset = searchPageSize, (page-1)*searchPageSize
	return sq, page, nil
}

type searchHitView struct {
	Hit     *ratsnetz.SearchHit
	URL     string
	Kind    string // label
	Date    time.Time
	Page    int
	Snippet []ratsnetz.SearchPart
}

type searchFacetView struct {
	Name    string // parameter
	Label   string
	Options []searchFacetOption
}

type searchFacetOption struct {
	Label    string
	Count    int
	URL      string // toggles the filter
	Selected bool
}

type searchData struct {
	Query  ratsnetz.SearchQuery
	Text   string
	Total  int
	Capped bool // more than Total
	Hits   []searchHitView
	Facets []searchFacetView
	Pager  pager
	// Kinds, Bodies, Types, Years, Statuses are the filter selects.
	Kinds, Bodies, Types, Years, Statuses []option
	// From, To number the hits shown.
	From, To int
	// Save offers saving the search (Member: for the logged-in account).
	Save, Member bool
}

func (s *Server) handleSearchPage(w http.ResponseWriter, r *http.Request) {
	sq, page, err := parseSearch(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	res, err := s.search.Search.Search(r.Context(), sq)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := s.newPage(r, "", nil)
	p.Query = sq.Text
	d := searchData{Query: sq, Text: sq.Text, Total: res.Total, Capped: res.TotalCapped, Save: s.savedSearchOn() && sq.Text != ""}
	if c := current(r); c != nil && c.Account != nil {
		d.Member = true
	}
	if d.Save && s.csrf != nil && p.CSRF == "" {
		// The save form needs a token: an anonymous visitor gets the
		// CSRF cookie here (the page is never cached).
		p.CSRF = s.csrf.Token(w, r)
	}
	bodies := s.searchBodyNames(r)
	for _, h := range res.Hits {
		d.Hits = append(d.Hits, searchHitView{Hit: h, URL: searchHitURL(h), Kind: p.T("suche.kind." + h.Kind),
			Date: h.Date, Page: h.Page, Snippet: h.Snippet})
	}
	d.Pager = pager{Page: page, HasPrev: page > 1, HasNext: sq.Offset+len(res.Hits) < res.Total}
	if len(res.Hits) > 0 {
		d.From, d.To = sq.Offset+1, sq.Offset+len(res.Hits)
	}
	label := func(name, v string) string {
		switch name {
		case "typ":
			return p.T("suche.kind." + v)
		case "koerperschaft":
			if n, ok := bodies[v]; ok {
				return n
			}
		}
		return v
	}
	current := map[string]string{"typ": sq.Kind, "koerperschaft": idText(sq.BodyID), "art": sq.PaperType, "jahr": yearText(sq.Year), "status": sq.Status}
	for _, f := range []struct{ facet, param, label string }{
		{"kind", "typ", "suche.facet.kind"}, {"body", "koerperschaft", "suche.facet.body"}, {"paper_type", "art", "suche.facet.paperType"},
		{"year", "jahr", "suche.facet.year"}, {"status", "status", "suche.facet.status"},
	} {
		fv := searchFacetView{Name: f.param, Label: p.T(f.label)}
		var opts []option
		for _, c := range res.Facets[f.facet] {
			sel := current[f.param] == c.Value
			fv.Options = append(fv.Options, searchFacetOption{Label: label(f.param, c.Value), Count: c.Count,
				URL: searchToggleURL(r, f.param, c.Value, sel), Selected: sel})
			opts = append(opts, option{Value: c.Value, Label: label(f.param, c.Value), Selected: sel})
		}
		// A selected filter without hits stays selectable.
		if v := current[f.param]; v != "" && !containsOption(opts, v) {
			opts = append(opts, option{Value: v, Label: label(f.param, v), Selected: true})
		}
		switch f.param {
		case "typ":
			d.Kinds = opts
		case "koerperschaft":
			d.Bodies = opts
		case "art":
			d.Types = opts
		case "jahr":
			d.Years = opts
		case "status":
			d.Statuses = opts
		}
		if len(fv.Options) > 0 {
			d.Facets = append(d.Facets, fv)
		}
	}
	p.Data = d
	p.Title = p.T("suche.title")
	if sq.Text != "" {
		p.Title = p.T("suche.titleFor", sq.Text)
	}
	s.render(w, r, http.StatusOK, "search", p)
}

func containsOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// searchBodyNames names the bodies for the body facet (bodies are public).
func (s *Server) searchBodyNames(r *http.Request) map[string]string {
	out := map[string]string{}
	if s.search.Bodies == nil {
		return out
	}
	bodies, _, err := s.search.Bodies.FindBodies(r.Context(), ratsnetz.BodyFilter{ListOptions: ratsnetz.ListOptions{Limit: 1000}})
	if err != nil {
		s.logger.WarnContext(r.Context(), "search: body names", "err", err)
		return out
	}
	for _, b := range bodies {
		out[strconv.FormatInt(b.ID, 10)] = b.Name
	}
	return out
}

// searchToggleURL is the current search with the filter param set to v, or
// removed when it is selected; back to the first page.
func searchToggleURL(r *http.Request, param, v string, selected bool) string {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	q.Del("seite")
	if selected {
		q.Del(param)
	} else {
		q.Set(param, v)
	}
	return "/suche?" + q.Encode()
}

// searchHitURL is the portal page of a hit.
func searchHitURL(h *ratsnetz.SearchHit) string {
	id := strconv.FormatInt(h.ObjectID, 10)
	switch h.Kind {
	case ratsnetz.SearchPaper:
		return "/vorlagen/" + id
	case ratsnetz.SearchMeeting:
		return "/sitzungen/" + id
	case ratsnetz.SearchAgendaItem:
		return "/sitzungen/" + strconv.FormatInt(h.ParentID, 10) + "/top/" + id
	case ratsnetz.SearchFile:
		if h.Page > 1 {
			return "/dateien/" + id + "#page=" + strconv.Itoa(h.Page)
		}
		return "/dateien/" + id
	case ratsnetz.SearchOrganization:
		return "/gremien/" + id
	case ratsnetz.SearchPerson:
		return "/personen/" + id
	}
	return "/gremien"
}

// searchJSON is the JSON search API's answer.
type searchJSON struct {
	Query string `json:"query"`
	Total int    `json:"total"`
	// TotalCapped: there are more hits than total.
	TotalCapped bool                   `json:"totalCapped,omitempty"`
	Offset      int                    `json:"offset"`
	Hits        []searchHitJSON        `json:"hits"`
	Facets      map[string][]facetJSON `json:"facets"`
}

type searchHitJSON struct {
	Kind  string `json:"kind"`
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	// Snippet is plain text; Highlights are the hit words in it.
	Snippet    string   `json:"snippet,omitempty"`
	Highlights []string `json:"highlights,omitempty"`
	Subtitle   string   `json:"subtitle,omitempty"`
	Date       string   `json:"date,omitempty"`
	Page       int      `json:"page,omitempty"`
	PaperType  string   `json:"paperType,omitempty"`
	Status     string   `json:"status,omitempty"`
}

type facetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

func (s *Server) handleSearchAPI(w http.ResponseWriter, r *http.Request) {
	sq, _, err := parseSearch(r)
	if err == nil {
		var res *ratsnetz.SearchResult
		if res, err = s.search.Search.Search(r.Context(), sq); err == nil {
			out := searchJSON{Query: sq.Text, Total: res.Total, TotalCapped: res.TotalCapped, Offset: sq.Offset, Hits: []searchHitJSON{}, Facets: map[string][]facetJSON{}}
			for _, h := range res.Hits {
				j := searchHitJSON{Kind: h.Kind, ID: h.ObjectID, URL: s.baseURL + searchHitURL(h), Subtitle: h.Subtitle,
					Page: h.Page, PaperType: h.PaperType, Status: h.Status}
				var title, snippet strings.Builder
				for _, part := range h.Title {
					title.WriteString(part.Text)
				}
				for _, part := range h.Snippet {
					snippet.WriteString(part.Text)
					if part.Match {
						j.Highlights = append(j.Highlights, part.Text)
					}
				}
				j.Title, j.Snippet = title.String(), snippet.String()
				switch {
				case h.Date.IsZero():
				case h.Date.Equal(h.Date.Truncate(24 * time.Hour)):
					// Midnight UTC is a calendar date (papers, files).
					j.Date = h.Date.UTC().Format("2006-01-02")
				default:
					j.Date = h.Date.In(s.loc).Format("2006-01-02T15:04:05-07:00")
				}
				out.Hits = append(out.Hits, j)
			}
			for name, fs := range res.Facets {
				for _, f := range fs {
					out.Facets[name] = append(out.Facets[name], facetJSON{Value: f.Value, Count: f.Count})
				}
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Vary", "Cookie")
			json.NewEncoder(w).Encode(out)
			return
		}
	}
	code := ratsnetz.ErrorCode(err)
	status := errorStatus(code)
	if status == http.StatusInternalServerError {
		s.logger.ErrorContext(r.Context(), "search api", "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	msg := http.StatusText(status)
	if code == ratsnetz.EINVALID {
		msg = s.formatter(r.Context()).T(ratsnetz.ErrorMessage(err))
	}
	json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": status})
}

// handleOpenSearch serves the OpenSearch description, so browsers can
// offer the portal as a search engine.
func (s *Server) handleOpenSearch(w http.ResponseWriter, r *http.Request) {
	type urlT struct {
		Type     string `xml:"type,attr"`
		Method   string `xml:"method,attr,omitempty"`
		Template string `xml:"template,attr"`
	}
	type imageT struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	}
	type desc struct {
		XMLName       xml.Name `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
		ShortName     string   `xml:"ShortName"`
		Description   string   `xml:"Description"`
		InputEncoding string   `xml:"InputEncoding"`
		Language      string   `xml:"Language"`
		Image         imageT   `xml:"Image"`
		URLs          []urlT   `xml:"Url"`
	}
	f := s.formatter(r.Context())
	d := desc{ShortName: f.T("site.name"), Description: f.T("suche.opensearch"), InputEncoding: "UTF-8", Language: "de-de",
		Image: imageT{Type: "image/svg+xml", Value: s.baseURL + "/static/favicon.svg"},
		URLs: []urlT{
			{Type: "text/html", Method: "get", Template: s.baseURL + "/suche?q={searchTerms}"},
			{Type: "application/json", Method: "get", Template: s.baseURL + "/api/suche?q={searchTerms}"},
		}}
	w.Header().Set("Content-Type", "application/opensearchdescription+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(d)
}

// searchMessages returns the search area's German and English messages.
func searchMessages() (de, en map[string]string) {
	de = map[string]string{
		"suche.title":                  "Suche",
		"suche.titleFor":               "Suche nach „%s“",
		"suche.form":                   "Suchen und filtern",
		"suche.text":                   "Suchbegriffe",
		"suche.help":                   "Mehrere Wörter: alle müssen vorkommen. \"Wörter in Anführungszeichen\" als Phrase, -Wort schließt aus, Wort* sucht Wortanfänge, Drucksachennummern wie 2021/0047 werden genau gefunden.",
		"suche.submit":                 "Suchen",
		"suche.reset":                  "Filter zurücksetzen",
		"suche.all":                    "alle",
		"suche.results":                "Treffer",
		"suche.count":                  "%d Treffer",
		"suche.range":                  "Treffer %d–%d von %d",
		"suche.rangeCapped":            "Treffer %d–%d von mehr als %d",
		"suche.none":                   "Keine Treffer. Prüfen Sie die Schreibweise, verwenden Sie weniger Wörter oder entfernen Sie Filter.",
		"suche.empty":                  "Geben Sie oben einen Suchbegriff ein.",
		"suche.facets":                 "Treffer eingrenzen",
		"suche.facet.kind":             "Art",
		"suche.facet.body":             "Körperschaft",
		"suche.facet.paperType":        "Vorlagenart",
		"suche.facet.year":             "Jahr",
		"suche.facet.status":           "Status",
		"suche.selected":               "(ausgewählt, entfernen)",
		"suche.page":                   "Seite %d",
		"suche.opensearch":             "Vorlagen, Sitzungen, Niederschriften und Dokumente durchsuchen",
		"suche.kind.paper":             "Vorlage",
		"suche.kind.agenda_item":       "Tagesordnungspunkt",
		"suche.kind.meeting":           "Sitzung",
		"suche.kind.file":              "Dokument",
		"suche.kind.organization":      "Gremium",
		"suche.kind.person":            "Person",
		"suche.kind.body":              "Körperschaft",
		"suche.snippetLabel":           "Fundstelle",
		"suche.opensearchTitle":        "Ratsnetz-Suche",
		"suche.matchHint":              "Fundstellen sind hervorgehoben.",
		"suche.kindLabel":              "Art des Treffers",
		"suche.dateLabel":              "Datum",
		"suche.subtitleLabel":          "Zusammenhang",
		"suche.filter.apply":           "Anwenden",
		"suche.filter.jsonAlternative": "Als JSON",
	}
	en = map[string]string{
		"suche.title":                  "Search",
		"suche.titleFor":               "Search for “%s”",
		"suche.form":                   "Search and filter",
		"suche.text":                   "Search terms",
		"suche.help":                   "Several words: all must occur. \"Words in quotes\" as a phrase, -word excludes, word* finds word beginnings, reference numbers like 2021/0047 are matched exactly.",
		"suche.submit":                 "Search",
		"suche.reset":                  "Reset filters",
		"suche.all":                    "all",
		"suche.results":                "Results",
		"suche.count":                  "%d results",
		"suche.range":                  "Results %d–%d of %d",
		"suche.rangeCapped":            "Results %d–%d of more than %d",
		"suche.none":                   "No results. Check the spelling, use fewer words or remove filters.",
		"suche.empty":                  "Enter a search term above.",
		"suche.facets":                 "Narrow down",
		"suche.facet.kind":             "Type",
		"suche.facet.body":             "Body",
		"suche.facet.paperType":        "Paper type",
		"suche.facet.year":             "Year",
		"suche.facet.status":           "Status",
		"suche.selected":               "(selected, remove)",
		"suche.page":                   "page %d",
		"suche.opensearch":             "Search papers, meetings, minutes and documents",
		"suche.kind.paper":             "Paper",
		"suche.kind.agenda_item":       "Agenda item",
		"suche.kind.meeting":           "Meeting",
		"suche.kind.file":              "Document",
		"suche.kind.organization":      "Committee",
		"suche.kind.person":            "Person",
		"suche.kind.body":              "Body",
		"suche.snippetLabel":           "Excerpt",
		"suche.opensearchTitle":        "Ratsnetz search",
		"suche.matchHint":              "Matches are highlighted.",
		"suche.kindLabel":              "Type of result",
		"suche.dateLabel":              "Date",
		"suche.subtitleLabel":          "Context",
		"suche.filter.apply":           "Apply",
		"suche.filter.jsonAlternative": "As JSON",
	}
	sde, sen := savedSearchMessages()
	for k, v := range sde {
		de[k] = v
	}
	for k, v := range sen {
		en[k] = v
	}
	return de, en
}
