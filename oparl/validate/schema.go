package validate

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// The official OParl 1.1 schema files, copied unchanged (CC BY-SA 4.0, see
// schema/README.md). They are data, read at run time.
//
//go:embed schema/*.json
var embeddedSchemas embed.FS

// prop is the subset of an OParl schema property the validator uses. The
// files are not strict JSON Schema: `schema` names another file instead of
// `$ref`, `references` names the target type of a URL or "externalList".
type prop struct {
	Type          string `json:"type"`
	Format        string `json:"format"`
	Items         *prop  `json:"items"`
	Schema        string `json:"schema"`
	References    string `json:"references"`
	Backreference string `json:"backreference"`
}

// objectSchema is one type's schema file.
type objectSchema struct {
	Title      string           `json:"title"`
	Required   []string         `json:"required"`
	Properties map[string]*prop `json:"properties"`
}

// schemas maps a type name ("Meeting") to its schema.
type schemas map[string]*objectSchema

// typeNames are the twelve OParl 1.1 object types.
var typeNames = []string{
	"System", "Body", "LegislativeTerm", "Organization", "Person", "Membership",
	"Meeting", "AgendaItem", "Paper", "Consultation", "File", "Location",
}

// loadSchemas reads the schema files from dir, or the embedded copies when
// dir is "".
func loadSchemas(dir string) (schemas, error) {
	var fsys fs.FS
	if dir == "" {
		sub, err := fs.Sub(embeddedSchemas, "schema")
		if err != nil {
			return nil, fmt.Errorf("embedded schemas: %w", err)
		}
		fsys = sub
	} else {
		fsys = os.DirFS(dir)
	}
	out := make(schemas, len(typeNames))
	for _, name := range typeNames {
		b, err := fs.ReadFile(fsys, name+".json")
		if err != nil {
			return nil, fmt.Errorf("read schema %s: %w", name, err)
		}
		var s objectSchema
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("parse schema %s: %w", name, err)
		}
		if s.Properties == nil {
			return nil, fmt.Errorf("schema %s has no properties", name)
		}
		out[name] = &s
	}
	return out, nil
}

// schemaName turns "File.json" into "File".
func schemaName(file string) string { return strings.TrimSuffix(file, ".json") }

// refType is the object type a URL-valued property points to, "" if none.
func (p *prop) refType() string {
	if p.References != "" && p.References != "externalList" {
		return p.References
	}
	if p.Items != nil && p.Items.References != "" && p.Items.References != "externalList" {
		return p.Items.References
	}
	return ""
}

// listType is the item type of an external-list property, "" if p is none.
func (p *prop) listType() string {
	if p.References == "externalList" && p.Items != nil {
		return schemaName(p.Items.Schema)
	}
	return ""
}

// embeddedType is the type of the object(s) embedded in p, "" if none.
func (p *prop) embeddedType() string {
	if p.Type == "object" && p.Schema != "" {
		return schemaName(p.Schema)
	}
	if p.Type == "array" && p.Items != nil && p.Items.Type == "object" && p.Items.Schema != "" {
		return schemaName(p.Items.Schema)
	}
	return ""
}

// backRefs are the properties an object carries standalone but omits when
// embedded in its parent (spec: "without back-references"), per type.
var backRefs = map[string][]string{
	"AgendaItem":      {"meeting"},
	"Consultation":    {"paper"},
	"Membership":      {"person"},
	"LegislativeTerm": {"body"},
	"File":            {"meeting", "agendaItem", "paper"},
	"Location":        {"bodies", "organizations", "persons", "meetings", "papers"},
}

func isBackRef(typ, name string) bool { return slices.Contains(backRefs[typ], name) }

// textRequired are properties the specification text makes mandatory beyond
// the schema files' `required` (besides created/modified on every object).
var textRequired = map[string][]string{
	"Body": {"agendaItem", "consultation", "file", "locationList", "legislativeTermList", "membership"},
}

// requiredArrays may be written as [] (required, hence not "empty optional").
var requiredArrays = map[string]bool{"Body.legislativeTerm": true}

// bodyLists are the external lists of a Body and the item type of each.
var bodyLists = []struct{ Prop, Type string }{
	{"organization", "Organization"},
	{"person", "Person"},
	{"meeting", "Meeting"},
	{"paper", "Paper"},
	{"agendaItem", "AgendaItem"},
	{"consultation", "Consultation"},
	{"file", "File"},
	{"locationList", "Location"},
	{"legislativeTermList", "LegislativeTerm"},
	{"membership", "Membership"},
}

// omitInternalProps are the embedded lists omit_internal=true should drop.
var omitInternalProps = map[string][]string{
	"AgendaItem": {"auxiliaryFile"},
	"Meeting":    {"auxiliaryFile", "agendaItem"},
	"Paper":      {"auxiliaryFile", "location"},
	"Person":     {"membership"},
	"Body":       {"legislativeTerm"},
}
