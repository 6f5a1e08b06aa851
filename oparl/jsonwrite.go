package oparl

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// An append-based JSON writer for the objects of list pages. A page of 100
// meetings embeds ~2 000 agenda items and is ~1 MB of JSON; encoding/json
// spends most of its time there on reflection. These writers produce the
// bytes encoding/json produces with SetEscapeHTML(false) — same field order,
// same omitempty rules, same string escapes and number formats —
// which TestAppendJSONMatchesEncodingJSON checks page by page. Types
// without a writer here (bodies, organizations, persons, errors, System) go
// through encoding/json.

// appendJSON appends v as encoding/json would (without the Encoder's
// trailing newline).
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case *jsonList:
		return appendList(b, v)
	case *jsonFile:
		return appendFile(b, v)
	case *jsonAgendaItem:
		return appendAgendaItem(b, v)
	case *jsonMeeting:
		return appendMeeting(b, v)
	case *jsonPaper:
		return appendPaper(b, v)
	case *jsonConsultation:
		return appendConsultation(b, v)
	case *jsonMembership:
		return appendMembership(b, v)
	case *jsonLegislativeTerm:
		return appendLegislativeTerm(b, v)
	case *jsonLocation:
		return appendLocation(b, v)
	case *jsonTombstone:
		return appendTombstone(b, v)
	case *storedDoc:
		// Pages with stored documents are written by writeJSON, which
		// leaves the documents compressed (appendListDocs); this is
		// only reached by a document outside a list page.
		out, err := v.appendInflated(b, nil)
		if err != nil {
			return append(b, "null"...)
		}
		return out
	}
	return appendReflect(b, v)
}

// appendReflect appends v through encoding/json.
func appendReflect(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The types of types.go always encode; keep the output valid.
		return append(b, "null"...)
	}
	out := buf.Bytes()
	return out[:len(out)-1] // the Encoder's newline
}

// obj writes the members of one JSON object.
type obj struct {
	b []byte
	n int
}

func openObj(b []byte) obj { return obj{b: append(b, '{')} }

func (o *obj) close() []byte { return append(o.b, '}') }

func (o *obj) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *obj) str(k, v string) {
	o.key(k)
	o.b = appendString(o.b, v)
}

// strOpt is a string with omitempty.
func (o *obj) strOpt(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

// strsOpt is a []string with omitempty.
func (o *obj) strsOpt(k string, v []string) {
	if len(v) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, s)
	}
	o.b = append(o.b, ']')
}

func (o *obj) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// intOpt is an integer with omitempty.
func (o *obj) intOpt(k string, v int64) {
	if v != 0 {
		o.int(k, v)
	}
}

func (o *obj) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// boolPtr is a *bool with omitempty.
func (o *obj) boolPtr(k string, v *bool) {
	if v != nil {
		o.bool(k, *v)
	}
}

// fileOpt is a *jsonFile with omitempty.
func (o *obj) fileOpt(k string, f *jsonFile) {
	if f != nil {
		o.key(k)
		o.b = appendFile(o.b, f)
	}
}

// filesOpt is a []*jsonFile with omitempty.
func (o *obj) filesOpt(k string, fs []*jsonFile) {
	if len(fs) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, f := range fs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		if f == nil {
			o.b = append(o.b, "null"...)
			continue
		}
		o.b = appendFile(o.b, f)
	}
	o.b = append(o.b, ']')
}

func appendList(b []byte, l *jsonList) []byte { return appendListDocs(b, l, nil) }

// appendListDocs is appendList; with docs set, stored documents in the
// data are not written but recorded with their offset (docBody).
func appendListDocs(b []byte, l *jsonList, docs *[]docAt) []byte {
	o := openObj(b)
	o.key("data")
	if l.Data == nil {
		o.b = append(o.b, "null"...)
	} else {
		o.b = append(o.b, '[')
		for i, v := range l.Data {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			if d, ok := v.(*storedDoc); ok && docs != nil {
				*docs = append(*docs, docAt{at: len(o.b), doc: d})
				continue
			}
			o.b = appendJSON(o.b, v)
		}
		o.b = append(o.b, ']')
	}
	o.key("pagination")
	p := openObj(o.b)
	p.int("elementsPerPage", int64(l.Pagination.ElementsPerPage))
	o.b = p.close()
	o.key("links")
	k := openObj(o.b)
	k.strOpt("first", l.Links.First)
	k.strOpt("self", l.Links.Self)
	k.strOpt("next", l.Links.Next)
	o.b = k.close()
	return o.close()
}

func appendTombstone(b []byte, t *jsonTombstone) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", t.ID)
	o.str("type", t.Type)
	o.str("created", t.Created)
	o.str("modified", t.Modified)
	o.bool("deleted", t.Deleted)
	return o.close()
}

func appendFile(b []byte, f *jsonFile) []byte {
	if f == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", f.ID)
	o.str("type", f.Type)
	o.strOpt("name", f.Name)
	o.strOpt("fileName", f.FileName)
	o.strOpt("mimeType", f.MimeType)
	o.strOpt("date", f.Date)
	o.intOpt("size", f.Size)
	o.strOpt("sha512Checksum", f.SHA512Checksum)
	o.strOpt("text", f.Text)
	o.str("accessUrl", f.AccessURL)
	o.strOpt("downloadUrl", f.DownloadURL)
	o.strOpt("externalServiceUrl", f.ExternalServiceURL)
	o.strOpt("masterFile", f.MasterFile)
	o.strsOpt("derivativeFile", f.DerivativeFile)
	o.strOpt("fileLicense", f.FileLicense)
	o.strsOpt("meeting", f.Meeting)
	o.strsOpt("agendaItem", f.AgendaItem)
	o.strsOpt("paper", f.Paper)
	o.str("created", f.Created)
	o.str("modified", f.Modified)
	return o.close()
}

func appendAgendaItem(b []byte, a *jsonAgendaItem) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", a.ID)
	o.str("type", a.Type)
	o.strOpt("meeting", a.Meeting)
	o.strOpt("number", a.Number)
	o.int("order", int64(a.Order))
	o.strOpt("name", a.Name)
	o.boolPtr("public", a.Public)
	o.strOpt("consultation", a.Consultation)
	o.strOpt("result", a.Result)
	o.strOpt("resolutionText", a.ResolutionText)
	o.fileOpt("resolutionFile", a.ResolutionFile)
	o.filesOpt("auxiliaryFile", a.AuxiliaryFile)
	o.strOpt("start", a.Start)
	o.strOpt("end", a.End)
	if v := a.Vote; v != nil {
		o.key("ratsnetz:vote")
		o.b = appendVote(o.b, v)
	}
	o.strOpt("web", a.Web)
	o.str("created", a.Created)
	o.str("modified", a.Modified)
	return o.close()
}

func appendVote(b []byte, v *jsonVote) []byte {
	o := openObj(b)
	o.int("yes", int64(v.Yes))
	o.int("no", int64(v.No))
	o.int("abstain", int64(v.Abstain))
	o.bool("unanimous", v.Unanimous)
	o.strOpt("note", v.Note)
	if len(v.Factions) > 0 {
		o.key("factions")
		o.b = append(o.b, '[')
		for i, f := range v.Factions {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			if f == nil {
				o.b = append(o.b, "null"...)
				continue
			}
			fo := openObj(o.b)
			fo.strOpt("organization", f.Organization)
			fo.strOpt("name", f.Name)
			fo.int("yes", int64(f.Yes))
			fo.int("no", int64(f.No))
			fo.int("abstain", int64(f.Abstain))
			o.b = fo.close()
		}
		o.b = append(o.b, ']')
	}
	return o.close()
}

func appendMeeting(b []byte, m *jsonMeeting) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", m.ID)
	o.str("type", m.Type)
	o.strOpt("name", m.Name)
	o.strOpt("meetingState", m.MeetingState)
	o.boolPtr("cancelled", m.Cancelled)
	o.strOpt("start", m.Start)
	o.strOpt("end", m.End)
	if m.Location != nil {
		o.key("location")
		o.b = appendLocation(o.b, m.Location)
	}
	o.strsOpt("organization", m.Organization)
	o.strsOpt("participant", m.Participant)
	o.fileOpt("invitation", m.Invitation)
	o.fileOpt("resultsProtocol", m.ResultsProtocol)
	o.fileOpt("verbatimProtocol", m.VerbatimProtocol)
	o.filesOpt("auxiliaryFile", m.AuxiliaryFile)
	if len(m.AgendaItem) > 0 {
		o.key("agendaItem")
		o.b = append(o.b, '[')
		for i, a := range m.AgendaItem {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendAgendaItem(o.b, a)
		}
		o.b = append(o.b, ']')
	}
	o.strOpt("ratsnetz:mode", m.Mode)
	o.strOpt("web", m.Web)
	o.str("created", m.Created)
	o.str("modified", m.Modified)
	return o.close()
}

func appendPaper(b []byte, p *jsonPaper) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", p.ID)
	o.str("type", p.Type)
	o.strOpt("body", p.Body)
	o.strOpt("name", p.Name)
	o.strOpt("reference", p.Reference)
	o.strOpt("date", p.Date)
	o.strOpt("paperType", p.PaperType)
	o.strsOpt("relatedPaper", p.RelatedPaper)
	o.strsOpt("superordinatedPaper", p.SuperordinatedPaper)
	o.strsOpt("subordinatedPaper", p.SubordinatedPaper)
	o.fileOpt("mainFile", p.MainFile)
	o.filesOpt("auxiliaryFile", p.AuxiliaryFile)
	if len(p.Location) > 0 {
		o.key("location")
		o.b = append(o.b, '[')
		for i, l := range p.Location {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendLocation(o.b, l)
		}
		o.b = append(o.b, ']')
	}
	o.strsOpt("originatorPerson", p.OriginatorPerson)
	o.strsOpt("originatorOrganization", p.OriginatorOrganization)
	o.strsOpt("underDirectionOf", p.UnderDirectionOf)
	if len(p.Consultation) > 0 {
		o.key("consultation")
		o.b = append(o.b, '[')
		for i, c := range p.Consultation {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendConsultation(o.b, c)
		}
		o.b = append(o.b, ']')
	}
	o.strOpt("ratsnetz:status", p.Status)
	o.strOpt("web", p.Web)
	o.str("created", p.Created)
	o.str("modified", p.Modified)
	return o.close()
}

func appendConsultation(b []byte, c *jsonConsultation) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", c.ID)
	o.str("type", c.Type)
	o.strOpt("paper", c.Paper)
	o.strOpt("agendaItem", c.AgendaItem)
	o.strOpt("meeting", c.Meeting)
	o.strsOpt("organization", c.Organization)
	o.boolPtr("authoritative", c.Authoritative)
	o.strOpt("role", c.Role)
	o.strOpt("ratsnetz:status", c.Status)
	o.strOpt("ratsnetz:result", c.Result)
	o.str("created", c.Created)
	o.str("modified", c.Modified)
	return o.close()
}

func appendMembership(b []byte, m *jsonMembership) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", m.ID)
	o.str("type", m.Type)
	o.strOpt("person", m.Person)
	o.strOpt("organization", m.Organization)
	o.strOpt("role", m.Role)
	o.boolPtr("votingRight", m.VotingRight)
	o.strOpt("startDate", m.StartDate)
	o.strOpt("endDate", m.EndDate)
	o.strOpt("onBehalfOf", m.OnBehalfOf)
	o.str("created", m.Created)
	o.str("modified", m.Modified)
	return o.close()
}

func appendLegislativeTerm(b []byte, t *jsonLegislativeTerm) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", t.ID)
	o.str("type", t.Type)
	o.strOpt("body", t.Body)
	o.strOpt("name", t.Name)
	o.strOpt("startDate", t.StartDate)
	o.strOpt("endDate", t.EndDate)
	o.str("created", t.Created)
	o.str("modified", t.Modified)
	return o.close()
}

func appendLocation(b []byte, l *jsonLocation) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	o := openObj(b)
	o.str("id", l.ID)
	o.str("type", l.Type)
	o.strOpt("description", l.Description)
	if g := l.GeoJSON; g != nil {
		o.key("geojson")
		fo := openObj(o.b)
		fo.str("type", g.Type)
		fo.key("geometry")
		geo := openObj(fo.b)
		geo.str("type", g.Geometry.Type)
		geo.key("coordinates")
		geo.b = append(geo.b, '[')
		geo.b = appendFloat(geo.b, g.Geometry.Coordinates[0])
		geo.b = append(geo.b, ',')
		geo.b = appendFloat(geo.b, g.Geometry.Coordinates[1])
		geo.b = append(geo.b, ']')
		fo.b = geo.close()
		fo.key("properties")
		if g.Properties == nil {
			fo.b = append(fo.b, "null"...)
		} else {
			keys := make([]string, 0, len(g.Properties))
			for k := range g.Properties {
				keys = append(keys, k)
			}
			slices.Sort(keys) // encoding/json sorts map keys
			po := openObj(fo.b)
			for _, k := range keys {
				if po.n > 0 {
					po.b = append(po.b, ',')
				}
				po.n++
				po.b = append(appendString(po.b, k), ':')
				po.b = appendString(po.b, g.Properties[k])
			}
			fo.b = po.close()
		}
		o.b = fo.close()
	}
	o.strOpt("streetAddress", l.StreetAddress)
	o.strOpt("room", l.Room)
	o.strOpt("postalCode", l.PostalCode)
	o.strOpt("subLocality", l.SubLocality)
	o.strOpt("locality", l.Locality)
	o.strsOpt("bodies", l.Bodies)
	o.strsOpt("organizations", l.Organizations)
	o.strsOpt("persons", l.Persons)
	o.strsOpt("meetings", l.Meetings)
	o.strsOpt("papers", l.Papers)
	o.str("created", l.Created)
	o.str("modified", l.Modified)
	return o.close()
}

// appendFloat formats f as encoding/json does (ES6 number formatting).
// NaN and infinities, which encoding/json refuses, are written as 0.
func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, '0')
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does
// without HTML escaping: '"', '\\' and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
