package oparl

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// listParams are the parsed query parameters of an external list.
type listParams struct {
	createdSince, createdUntil   time.Time
	modifiedSince, modifiedUntil time.Time
	omitInternal                 bool
	limit                        int  // effective page size
	limitSet                     bool // limit was given: keep it in links
	after                        int64
}

// parseListParams reads the filters leniently: values may be URL-encoded or
// not, a '+' that became a space is restored, fractional seconds and Z are
// accepted. Anything unreadable is an EINVALID error.
func parseListParams(q url.Values) (listParams, error) {
	p := listParams{limit: DefaultLimit}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{
		{"created_since", &p.createdSince},
		{"created_until", &p.createdUntil},
		{"modified_since", &p.modifiedSince},
		{"modified_until", &p.modifiedUntil},
	} {
		v, ok := lastValue(q, f.name)
		if !ok {
			continue
		}
		t, err := parseFilterTime(v)
		if err != nil {
			return p, ratsnetz.Errorf(ratsnetz.EINVALID,
				"Ungültiger Wert für %s: %q. Erwartet wird ein Zeitpunkt wie 2024-01-31T12:00:00+01:00.", f.name, v)
		}
		*f.dst = t
	}
	if v, ok := lastValue(q, "omit_internal"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "":
			p.omitInternal = true
		case "false", "0":
		default:
			return p, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Wert für omit_internal: %q. Erlaubt sind true und false.", v)
		}
	}
	if v, ok := lastValue(q, "limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return p, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Wert für limit: %q. Erwartet wird eine ganze Zahl ab 1.", v)
		}
		p.limit = min(n, MaxLimit)
		p.limitSet = true
	}
	if v, ok := lastValue(q, "after"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return p, ratsnetz.Errorf(ratsnetz.EINVALID, "Ungültiger Wert für after: %q.", v)
		}
		p.after = n
	}
	return p, nil
}

func lastValue(q url.Values, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// parseFilterTime parses a filter value leniently.
func parseFilterTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	// A value encoded twice still has %XX after the first decoding.
	if strings.Contains(v, "%") {
		if d, err := url.QueryUnescape(v); err == nil {
			v = strings.TrimSpace(d)
		}
	}
	// An unencoded '+' of the offset arrives as a space.
	if i := strings.LastIndexByte(v, ' '); i > 10 {
		v = v[:i] + "+" + v[i+1:]
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05.999999999-0700",
		"2006-01-02T15:04:05-0700",
		"2006-01-02T15:04-07:00",
	} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &time.ParseError{Value: v, Message: ": not an OParl date-time"}
}

// listOptions turns the params into store options for one page: one more
// than the page size is fetched to know whether a next page exists.
func (p listParams) listOptions() ratsnetz.ListOptions {
	after := p.after
	if after == 0 {
		// Negative After asks for keyset order from the first ID (see
		// .team/oparl-to-storage.md); 0 would mean the portal's own order.
		after = -1
	}
	return ratsnetz.ListOptions{
		Limit:         p.limit + 1,
		After:         after,
		CreatedSince:  p.createdSince,
		CreatedUntil:  p.createdUntil,
		ModifiedSince: p.modifiedSince,
		ModifiedUntil: p.modifiedUntil,
		// Tombstones belong only into modified_since results (OParl 1.1).
		WithDeleted: !p.modifiedSince.IsZero(),
	}
}

// link builds the canonical URL of the list page starting after `after`,
// with every active filter in one fixed order.
func (s *Server) link(listURL string, p listParams, after int64) string {
	var b strings.Builder
	b.WriteString(listURL)
	sep := byte('?')
	add := func(name, value string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value))
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{
		{"created_since", p.createdSince},
		{"created_until", p.createdUntil},
		{"modified_since", p.modifiedSince},
		{"modified_until", p.modifiedUntil},
	} {
		if !f.t.IsZero() {
			add(f.name, s.dateTime(f.t))
		}
	}
	if p.omitInternal {
		add("omit_internal", "true")
	}
	if p.limitSet {
		add("limit", strconv.Itoa(p.limit))
	}
	if after > 0 {
		add("after", strconv.FormatInt(after, 10))
	}
	return b.String()
}
