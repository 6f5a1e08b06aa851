package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ratsnetz/ratsnetz"
)

// pathID parses the path value name as a positive object ID. Anything else
// names no object, so it is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != v {
		return 0, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "err.badID")
	}
	return id, nil
}

// query parses the query string strictly: a malformed one is a bad request
// (r.URL.Query would silently drop broken pairs).
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badQuery")
	}
	for _, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badQuery")
			}
		}
	}
	return q, nil
}

// queryID reads an optional ID parameter: 0 when absent.
func queryID(q url.Values, name string) (int64, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
	}
	return id, nil
}

// queryPage reads the page number (seite), 1 when absent.
func queryPage(q url.Values) (int, error) {
	v := strings.TrimSpace(q.Get("seite"))
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badPage")
	}
	return n, nil
}

// queryDate reads an optional day (YYYY-MM-DD, also DD.MM.YYYY) as the start
// of that day in loc.
func queryDate(q url.Values, name string, loc *time.Location) (time.Time, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				break
			}
			return t, nil
		}
	}
	return time.Time{}, ratsnetz.Errorf(ratsnetz.EINVALID, "err.badDate")
}

// queryChoice reads an optional value that must be one of choices.
func queryChoice(q url.Values, name string, choices []string) (string, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return "", nil
	}
	for _, c := range choices {
		if v == c {
			return v, nil
		}
	}
	return "", ratsnetz.Errorf(ratsnetz.EINVALID, "err.badFilter")
}

// pager is the state of an offset-paged list without totals: one extra row is
// fetched to know whether there is a next page.
type pager struct {
	Page    int
	HasPrev bool
	HasNext bool
}

func (p pager) options(size int) ratsnetz.ListOptions {
	return ratsnetz.ListOptions{Limit: size + 1, Offset: (p.Page - 1) * size}
}

// trim cuts the extra row off and records whether there is a next page.
func trim[T any](p *pager, items []T, size int) []T {
	p.HasPrev = p.Page > 1
	if len(items) > size {
		p.HasNext = true
		return items[:size]
	}
	return items
}
