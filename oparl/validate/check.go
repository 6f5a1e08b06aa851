package validate

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Namespaces of OParl types.
const (
	ns11 = "https://schema.oparl.org/1.1/"
	ns10 = "https://schema.oparl.org/1.0/"
)

var (
	reDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$`)
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reAGS      = regexp.MustCompile(`^\d{8}$`)
	reRGS      = regexp.MustCompile(`^\d{12}$`)
)

// sink receives findings.
type sink interface {
	add(f Finding)
}

// objectChecker checks one JSON document (an object with everything it
// embeds) against the schema and the text rules. It records what the graph
// checks need through the hooks.
type objectChecker struct {
	schemas schemas
	out     sink
	// onObject is called for every object found (top-level and embedded)
	// with its type, id, the parent (nil for top level) and the raw map.
	onObject func(o foundObject)
	// onRef is called for every URL reference to an object of a known type.
	onRef func(r foundRef)
}

// foundObject is an object met in a document.
type foundObject struct {
	Doc        string // URL of the document it was found in
	Path       string
	Type       string
	ID         string
	Raw        map[string]any
	ParentID   string // "" for a top-level object
	ParentType string
	ParentProp string
}

// foundRef is a URL reference met in a document.
type foundRef struct {
	Doc, Path string
	URL       string
	Type      string // expected target type, or "" for an external list
	ListType  string // item type of an external list
	FromType  string
	FromID    string
	Prop      string
}

// typeName parses an OParl type URL; version is "1.1", "1.0" or "".
func typeName(t string) (name, version string) {
	switch {
	case strings.HasPrefix(t, ns11):
		return strings.TrimPrefix(t, ns11), "1.1"
	case strings.HasPrefix(t, ns10):
		return strings.TrimPrefix(t, ns10), "1.0"
	}
	return "", ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// check checks obj found at doc/path. want is the expected type ("" if any).
// It returns the type name it used.
func (c *objectChecker) check(doc, path string, obj map[string]any, want string, parent *foundObject) string {
	add := func(check string, sev Severity, p, format string, args ...any) {
		c.out.add(Finding{Check: check, Severity: sev, URL: doc, Path: p, Message: fmt.Sprintf(format, args...)})
	}
	embedded := parent != nil
	name := want
	rawType, hasType := obj["type"].(string)
	if !hasType {
		add("object.type.missing", SeverityError, join(path, "type"), "object without type")
	} else {
		n, version := typeName(rawType)
		switch {
		case version == "":
			add("object.type.unknown", SeverityError, join(path, "type"), "unknown type %q", rawType)
		case c.schemas[n] == nil:
			add("object.type.unknown", SeverityError, join(path, "type"), "unknown type %q", rawType)
		default:
			if version != "1.1" {
				add("object.type.version", SeverityWarning, join(path, "type"), "type %q is not an OParl 1.1 type", rawType)
			}
			if want != "" && n != want {
				add("object.type.unexpected", SeverityError, join(path, "type"), "expected a %s, got %s", want, n)
			}
			if want == "" {
				name = n
			}
		}
	}
	id, _ := obj["id"].(string)
	if id == "" {
		add("object.id.missing", SeverityError, join(path, "id"), "object without id")
	}
	schema := c.schemas[name]

	deleted, _ := obj["deleted"].(bool)
	if c.onObject != nil && id != "" {
		fo := foundObject{Doc: doc, Path: path, Type: name, ID: id, Raw: obj}
		if parent != nil {
			fo.ParentID, fo.ParentType, fo.ParentProp = parent.ID, parent.Type, parent.ParentProp
		}
		c.onObject(fo)
	}
	for _, k := range []string{"created", "modified"} {
		if _, ok := obj[k]; !ok {
			add("object."+k+".missing", SeverityError, join(path, k), "%s is required on every OParl 1.1 object (embedded ones too)", k)
		}
	}
	if deleted {
		if embedded {
			add("embedded.deleted", SeverityError, path, "a deleted object must not be embedded")
		}
	} else if schema != nil {
		for _, req := range schema.Required {
			if _, ok := obj[req]; !ok {
				add("schema.required.missing", SeverityError, join(path, req), "required property %s missing", req)
			}
		}
		for _, req := range textRequired[name] {
			if _, ok := obj[req]; !ok {
				add("object.required.missing", SeverityError, join(path, req), "property %s is mandatory in OParl 1.1 (spec text)", req)
			}
		}
	}
	if schema == nil {
		// Without a type all we can do is look for nulls.
		for k, v := range obj {
			if v == nil {
				add("json.null", SeverityError, join(path, k), "null value")
			}
		}
		return name
	}
	self := &foundObject{ID: id, Type: name}
	for k, v := range obj {
		p := join(path, k)
		if v == nil {
			add("json.null", SeverityError, p, "null value (omit the property instead)")
			continue
		}
		sp := schema.Properties[k]
		if sp == nil {
			if !strings.Contains(k, ":") {
				add("schema.property.unknown", SeverityWarning, p, "property %s is not defined for %s (vendor extensions need a prefix like \"vendor:%s\")", k, name, k)
			}
			continue
		}
		if k == "type" {
			continue
		}
		if embedded && isBackRef(name, k) {
			add("embedded.backref", SeverityWarning, p, "embedded %s carries its back-reference %s", name, k)
		}
		required := slices.Contains(schema.Required, k) || requiredArrays[name+"."+k]
		self.ParentProp = k
		c.value(doc, p, sp, v, required, self)
	}
	c.typeRules(doc, path, name, obj, add)
	return name
}

// value checks one property value against its schema property.
func (c *objectChecker) value(doc, path string, sp *prop, v any, required bool, owner *foundObject) {
	add := func(check string, sev Severity, format string, args ...any) {
		c.out.add(Finding{Check: check, Severity: sev, URL: doc, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch sp.Type {
	case "string":
		s, ok := v.(string)
		if !ok {
			add("schema.type", SeverityError, "expected a string, got %s", jsonKind(v))
			return
		}
		if strings.TrimSpace(s) == "" {
			if required {
				add("schema.required.empty", SeverityError, "required property is empty")
			} else {
				add("value.empty_string", SeverityWarning, "empty string (omit the property instead)")
			}
			return
		}
		c.format(doc, path, sp.Format, s)
		if owner != nil && c.onRef != nil && sp.Format == "url" {
			if t := sp.refType(); t != "" {
				c.onRef(foundRef{Doc: doc, Path: path, URL: s, Type: t, FromType: owner.Type, FromID: owner.ID, Prop: owner.ParentProp})
			} else if lt := sp.listType(); lt != "" {
				c.onRef(foundRef{Doc: doc, Path: path, URL: s, ListType: lt, FromType: owner.Type, FromID: owner.ID, Prop: owner.ParentProp})
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			add("schema.type", SeverityError, "expected an integer, got %s", jsonKind(v))
			return
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			add("schema.type", SeverityError, "expected an integer, got %s", n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			add("schema.type", SeverityError, "expected a boolean, got %s", jsonKind(v))
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			add("schema.type", SeverityError, "expected an array, got %s", jsonKind(v))
			return
		}
		if len(arr) == 0 && !required {
			add("value.empty_array", SeverityWarning, "empty array (omit the optional property instead)")
		}
		if sp.Items == nil {
			return
		}
		items := *sp.Items
		if items.References == "" {
			items.References = sp.References
		}
		for i, it := range arr {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if it == nil {
				c.out.add(Finding{Check: "json.null", Severity: SeverityError, URL: doc, Path: ip, Message: "null in array"})
				continue
			}
			c.value(doc, ip, &items, it, true, owner)
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			add("schema.type", SeverityError, "expected an object, got %s", jsonKind(v))
			return
		}
		if sp.Schema != "" {
			parent := *owner
			c.check(doc, path, obj, schemaName(sp.Schema), &parent)
		} else if strings.HasSuffix(path, "geojson") {
			c.geojson(doc, path, obj)
		}
	}
}

// format checks the string formats of the OParl schema strictly.
func (c *objectChecker) format(doc, path, format, s string) {
	add := func(check string, sev Severity, format string, args ...any) {
		c.out.add(Finding{Check: check, Severity: sev, URL: doc, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch format {
	case "date-time":
		if !reDateTime.MatchString(s) {
			add("datetime.format", SeverityError, "%q is not an OParl date-time (yyyy-mm-ddThh:mm:ss±hh:mm, no Z, no fractions)", s)
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			add("datetime.format", SeverityError, "%q is not a valid date-time: %v", s, err)
		}
	case "date":
		if !reDate.MatchString(s) {
			add("date.format", SeverityError, "%q is not an OParl date (yyyy-mm-dd)", s)
		} else if _, err := time.Parse("2006-01-02", s); err != nil {
			add("date.format", SeverityError, "%q is not a valid date", s)
		}
	case "url":
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("url.format", SeverityError, "%q is not an absolute http(s) URL", s)
		}
	}
}

// geojson checks a Location.geojson value: a GeoJSON Feature whose point
// coordinates are [lon, lat] and plausible.
func (c *objectChecker) geojson(doc, path string, obj map[string]any) {
	add := func(check string, sev Severity, format string, args ...any) {
		c.out.add(Finding{Check: check, Severity: sev, URL: doc, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if obj["type"] != "Feature" {
		add("geojson.feature", SeverityError, "geojson must be a GeoJSON Feature, got type %v", obj["type"])
		return
	}
	geom, ok := obj["geometry"].(map[string]any)
	if !ok {
		add("geojson.geometry", SeverityError, "Feature without geometry object")
		return
	}
	if geom["type"] != "Point" {
		return // only points are checked for plausibility
	}
	coords, ok := geom["coordinates"].([]any)
	if !ok || len(coords) < 2 {
		add("geojson.coordinates", SeverityError, "Point without [lon, lat] coordinates")
		return
	}
	lon, err1 := number(coords[0])
	lat, err2 := number(coords[1])
	if err1 != nil || err2 != nil {
		add("geojson.coordinates", SeverityError, "coordinates are not numbers")
		return
	}
	switch {
	case lon < -180 || lon > 180 || lat < -90 || lat > 90:
		add("geojson.coordinates", SeverityError, "coordinates [%v, %v] out of range", lon, lat)
	case inGermany(lat, lon):
	case inGermany(lon, lat):
		add("geojson.swapped", SeverityWarning, "coordinates [%v, %v] look like [lat, lon]; GeoJSON wants [lon, lat]", lon, lat)
	default:
		add("geojson.outside", SeverityInfo, "coordinates [%v, %v] are outside Germany", lon, lat)
	}
}

func inGermany(lat, lon float64) bool {
	return lat >= 47 && lat <= 55.1 && lon >= 5.8 && lon <= 15.1
}

func number(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("not a number")
	}
	return n.Float64()
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// typeRules are the per-type rules of the specification text.
func (c *objectChecker) typeRules(doc, path, name string, obj map[string]any,
	add func(check string, sev Severity, p, format string, args ...any)) {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	startEnd := func(a, b string) {
		if x, y := str(a), str(b); x != "" && y != "" {
			tx, e1 := parseLenient(x)
			ty, e2 := parseLenient(y)
			if e1 == nil && e2 == nil && tx.After(ty) {
				add("object.start_after_end", SeverityInfo, path, "%s %s is after %s %s", a, x, b, y)
			}
		}
	}
	if cr, mo := str("created"), str("modified"); cr != "" && mo != "" {
		tc, e1 := parseLenient(cr)
		tm, e2 := parseLenient(mo)
		if e1 == nil && e2 == nil && tm.Before(tc) {
			add("object.modified.before_created", SeverityWarning, join(path, "modified"), "modified %s is before created %s", mo, cr)
		}
	}
	switch name {
	case "System":
		if v := str("oparlVersion"); v != "" && v != ns11 {
			add("system.oparl_version", SeverityWarning, join(path, "oparlVersion"), "oparlVersion %q, expected %q", v, ns11)
		}
	case "Body":
		if v := str("ags"); v != "" && !reAGS.MatchString(v) {
			add("body.ags", SeverityWarning, join(path, "ags"), "ags %q is not 8 digits", v)
		}
		if v := str("rgs"); v != "" && !reRGS.MatchString(v) {
			add("body.rgs", SeverityWarning, join(path, "rgs"), "rgs %q is not 12 digits", v)
		}
	case "Meeting", "AgendaItem":
		startEnd("start", "end")
	case "Organization", "Membership", "LegislativeTerm":
		startEnd("startDate", "endDate")
	case "Person":
		if lo, ok := obj["locationObject"].(map[string]any); ok {
			if lo["id"] != obj["location"] {
				add("person.location_object", SeverityError, join(path, "locationObject"), "locationObject.id must equal location")
			}
		}
	case "File":
		if mt := str("mimeType"); mt != "" && !strings.Contains(mt, "/") {
			add("file.mime_type", SeverityWarning, join(path, "mimeType"), "mimeType %q is not a MIME type", mt)
		}
		if n, ok := obj["size"].(json.Number); ok && string(n) == "0" {
			add("file.size.zero", SeverityWarning, join(path, "size"), "size 0")
		}
	}
	if name == "Meeting" {
		if items, ok := obj["agendaItem"].([]any); ok {
			for i, it := range items {
				m, _ := it.(map[string]any)
				n, _ := m["order"].(json.Number)
				if n != "" && string(n) != strconv.Itoa(i) {
					add("agendaitem.order", SeverityError, fmt.Sprintf("%s[%d].order", join(path, "agendaItem"), i),
						"order %s at position %d; OParl 1.1 wants order = 0-based position (0…n-1)", n, i)
					break
				}
			}
		}
	}
}

// parseLenient parses a date or date-time for comparisons.
func parseLenient(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s[:min(len(s), 10)])
}
