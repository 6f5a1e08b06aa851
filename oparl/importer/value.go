package importer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// obj is one OParl object as decoded JSON, with lenient accessors that
// repair what they can and report every deviation.
type obj struct {
	m  map[string]any
	id string
	// where is the URL of the response the object came from.
	where string
	// report receives quirks; nil in the quiet collecting pass.
	report func(Issue)
	// loc is the zone for date-times without offset.
	loc *time.Location
	// idsOnly marks the collecting pass, which needs ids and references
	// only: dates are not parsed.
	idsOnly bool
}

func (o *obj) quirk(q, field, format string, args ...any) {
	if o.report == nil {
		return
	}
	u := o.id
	if u == "" {
		u = o.where
	}
	o.report(Issue{Quirk: q, URL: u, Field: field, Message: fmt.Sprintf(format, args...), Skipped: q == QuirkInvalidObject})
}

// newObj wraps v if it is a JSON object.
func (o *obj) wrap(v any) *obj {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	id, _ := m["id"].(string)
	return &obj{m: m, id: strings.TrimSpace(id), where: o.where, report: o.report, loc: o.loc, idsOnly: o.idsOnly}
}

func (o *obj) has(key string) bool {
	v, ok := o.m[key]
	return ok && v != nil
}

// typeName returns the short type ("Paper") from "https://schema.oparl.org/1.1/Paper".
func (o *obj) typeName() string {
	t, _ := o.m["type"].(string)
	t = strings.TrimRight(strings.TrimSpace(t), "/")
	if i := strings.LastIndex(t, "/"); i >= 0 {
		t = t[i+1:]
	}
	return t
}

func (o *obj) deleted() bool {
	switch v := o.m["deleted"].(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	}
	return false
}

func isPlaceholder(s string) bool {
	t := strings.TrimSpace(s)
	return t == "" || strings.EqualFold(t, "N/A") || strings.EqualFold(t, "null")
}

// str returns a string property; placeholders become "".
func (o *obj) str(key string) string {
	v, ok := o.m[key]
	if !ok || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt fehlender Angabe", x)
			return ""
		}
		return x
	case json.Number:
		o.quirk(QuirkInvalidValue, key, "Zahl statt Zeichenkette")
		return x.String()
	case bool:
		o.quirk(QuirkInvalidValue, key, "Wahrheitswert statt Zeichenkette")
		return strconv.FormatBool(x)
	}
	o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T, ignoriert", v)
	return ""
}

// strs returns a string array property; a single string is accepted.
func (o *obj) strs(key string) []string {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt Liste", x)
			return nil
		}
		o.quirk(QuirkObjectForArray, key, "Zeichenkette statt Liste")
		return []string{strings.TrimSpace(x)}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				o.quirk(QuirkInvalidValue, key, "Listeneintrag vom Typ %T ignoriert", e)
				continue
			}
			if isPlaceholder(s) {
				o.quirk(QuirkPlaceholder, key, "Platzhalter %q in Liste", s)
				continue
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T, ignoriert", v)
	return nil
}

// ref returns a URL reference; an embedded object in its place yields its id
// (and the object, for callers that can import it).
func (o *obj) ref(key string) (string, *obj) {
	v, ok := o.m[key]
	if !ok || v == nil {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt URL", x)
			return "", nil
		}
		return strings.TrimSpace(x), nil
	case map[string]any:
		c := o.wrap(x)
		if c.id == "" {
			if len(x) > 0 {
				o.quirk(QuirkInvalidValue, key, "Objekt ohne id statt URL, ignoriert")
			}
			return "", nil
		}
		o.quirk(QuirkObjectForURL, key, "eingebettetes Objekt statt URL")
		return c.id, c
	case []any:
		if len(x) == 1 {
			if s, ok := x[0].(string); ok {
				o.quirk(QuirkArrayForObject, key, "Liste statt einzelner URL")
				return strings.TrimSpace(s), nil
			}
		}
	}
	o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt URL, ignoriert", v)
	return "", nil
}

func (o *obj) refs(key string) []string {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt URL-Liste", x)
			return nil
		}
		o.quirk(QuirkObjectForArray, key, "einzelne URL statt Liste")
		return []string{strings.TrimSpace(x)}
	case []any:
		var out []string
		for _, e := range x {
			switch y := e.(type) {
			case string:
				if !isPlaceholder(y) {
					out = append(out, strings.TrimSpace(y))
				}
			case map[string]any:
				if id, _ := y["id"].(string); id != "" {
					o.quirk(QuirkObjectForURL, key, "eingebettetes Objekt statt URL")
					out = append(out, strings.TrimSpace(id))
				}
			default:
				o.quirk(QuirkInvalidValue, key, "Listeneintrag vom Typ %T ignoriert", e)
			}
		}
		return out
	}
	o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt URL-Liste, ignoriert", v)
	return nil
}

func (o *obj) boolean(key string) (value, ok bool) {
	v, present := o.m[key]
	if !present || v == nil {
		return false, false
	}
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "ja":
			o.quirk(QuirkInvalidValue, key, "Zeichenkette %q statt Wahrheitswert", x)
			return true, true
		case "false", "0", "nein":
			o.quirk(QuirkInvalidValue, key, "Zeichenkette %q statt Wahrheitswert", x)
			return false, true
		}
	case json.Number:
		o.quirk(QuirkInvalidValue, key, "Zahl statt Wahrheitswert")
		return x.String() != "0", true
	}
	o.quirk(QuirkInvalidValue, key, "unlesbarer Wahrheitswert, ignoriert")
	return false, false
}

func (o *obj) integer(key string) (int64, bool) {
	v, present := o.m[key]
	if !present || v == nil {
		return 0, false
	}
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		if f, err := x.Float64(); err == nil {
			o.quirk(QuirkInvalidValue, key, "Kommazahl statt Ganzzahl")
			return int64(f), true
		}
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt Zahl", x)
			return 0, false
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			o.quirk(QuirkInvalidValue, key, "Zeichenkette statt Zahl")
			return n, true
		}
	}
	o.quirk(QuirkInvalidValue, key, "unlesbare Zahl, ignoriert")
	return 0, false
}

var brokenOffset = regexp.MustCompile(`([+-]\d{1,2})::?(\d{2})$`)

var dateTimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05-0700",
}

var localLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
}

// dateTime parses a date-time property leniently; the result is UTC.
func (o *obj) dateTime(key string) time.Time {
	v, ok := o.m[key]
	if !ok || v == nil || o.idsOnly {
		return time.Time{}
	}
	s, ok := v.(string)
	if !ok {
		o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt Zeitpunkt, ignoriert", v)
		return time.Time{}
	}
	if isPlaceholder(s) {
		o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt Zeitpunkt", s)
		return time.Time{}
	}
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02T15:04:05-07:00", s); err == nil {
		if strings.Contains(s, ".") {
			o.quirk(QuirkLenientDateTime, key, "nicht normgerechter Zeitpunkt %q (Sekundenbruchteile)", s)
		}
		return t.UTC()
	}
	if fixed := brokenOffset.ReplaceAllString(s, "$1:$2"); fixed != s && strings.Contains(s, "::") {
		o.quirk(QuirkBrokenOffset, key, "ungültiger Zeitzonenversatz in %q repariert", s)
		s = fixed
		if t, err := time.Parse("2006-01-02T15:04:05-07:00", s); err == nil {
			return t.UTC()
		}
	}
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			o.quirk(QuirkLenientDateTime, key, "nicht normgerechter Zeitpunkt %q", s)
			return t.UTC()
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, o.loc); err == nil {
			o.quirk(QuirkLenientDateTime, key, "Zeitpunkt %q ohne Zeitzone, als deutsche Zeit gelesen", s)
			return t.UTC()
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, o.loc); err == nil {
		o.quirk(QuirkLenientDateTime, key, "Datum %q statt Zeitpunkt", s)
		return t.UTC()
	}
	o.quirk(QuirkInvalidValue, key, "unlesbarer Zeitpunkt %q, ignoriert", s)
	return time.Time{}
}

// date parses a date property (midnight UTC); date-times are cut to the
// date they name in their own offset.
func (o *obj) date(key string) time.Time {
	v, ok := o.m[key]
	if !ok || v == nil || o.idsOnly {
		return time.Time{}
	}
	s, ok := v.(string)
	if !ok {
		o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt Datum, ignoriert", v)
		return time.Time{}
	}
	if isPlaceholder(s) {
		o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt Datum", s)
		return time.Time{}
	}
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			if len(s) > 10 {
				o.quirk(QuirkDateTimeAsDate, key, "Zeitpunkt %q statt Datum", s)
			}
			return t
		}
	}
	for _, l := range []string{"02.01.2006", "2006/01/02"} {
		if t, err := time.Parse(l, s); err == nil {
			o.quirk(QuirkInvalidValue, key, "Datum %q nicht im Format JJJJ-MM-TT", s)
			return t
		}
	}
	o.quirk(QuirkInvalidValue, key, "unlesbares Datum %q, ignoriert", s)
	return time.Time{}
}

// child returns an embedded object; an array of one object is accepted.
func (o *obj) child(key string) *obj {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			o.quirk(QuirkInvalidValue, key, "leeres Objekt, ignoriert")
			return nil
		}
		c := o.wrap(x)
		if c.id == "" {
			o.quirk(QuirkInvalidObject, key, "eingebettetes Objekt ohne id, übersprungen")
			return nil
		}
		return c
	case []any:
		if len(x) == 0 {
			return nil
		}
		o.quirk(QuirkArrayForObject, key, "Liste statt einzelnem Objekt, erster Eintrag verwendet")
		return o.wrap(x[0])
	case string:
		if isPlaceholder(x) {
			o.quirk(QuirkPlaceholder, key, "Platzhalter %q statt Objekt", x)
		} else {
			o.quirk(QuirkInvalidValue, key, "URL statt eingebettetem Objekt, ignoriert")
		}
		return nil
	}
	o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt Objekt, ignoriert", v)
	return nil
}

// children returns embedded objects; a single object is accepted.
func (o *obj) children(key string) []*obj {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
		o.quirk(QuirkObjectForArray, key, "einzelnes Objekt statt Liste")
		list = []any{x}
	default:
		o.quirk(QuirkInvalidValue, key, "unerwarteter JSON-Typ %T statt Liste, ignoriert", v)
		return nil
	}
	var out []*obj
	for _, e := range list {
		c := o.wrap(e)
		if c == nil || c.id == "" {
			o.quirk(QuirkInvalidObject, key, "Listeneintrag ohne Objekt oder id, übersprungen")
			continue
		}
		out = append(out, c)
	}
	return out
}
