package validate_test

import (
	"testing"

	"github.com/ratsnetz/ratsnetz/oparl/validate"
)

// TestFormats checks the strict value formats one property at a time.
func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		prop, value string
		want        string // check id, "" for valid
	}{
		{"created", `"2024-03-01T10:00:00+01:00"`, ""},
		{"created", `"2024-07-01T10:00:00+02:00"`, ""},
		{"created", `"1969-07-21T02:56:00+00:00"`, ""},
		{"created", `"2024-03-01T09:00:00Z"`, "datetime.format"},
		{"created", `"2024-03-01T10:00:00.5+01:00"`, "datetime.format"},
		{"created", `"2024-03-01T10:00+01:00"`, "datetime.format"},
		{"created", `"2024-03-01T10:00:00+0100"`, "datetime.format"},
		{"created", `"2024-03-01T10:00:00+01::00"`, "datetime.format"},
		{"created", `"2024-03-01 10:00:00+01:00"`, "datetime.format"},
		{"created", `"2024-02-30T10:00:00+01:00"`, "datetime.format"},
		{"created", `1709283600`, "schema.type"},
		{"date", `"2024-03-01"`, ""},
		{"date", `"2024-03-01T00:00:00+01:00"`, "date.format"},
		{"date", `"01.03.2024"`, "date.format"},
		{"accessUrl", `"https://ris.example.de/dateien/1"`, ""},
		{"accessUrl", `"/dateien/1"`, "url.format"},
		{"accessUrl", `""`, "schema.required.empty"},
		{"downloadUrl", `""`, "value.empty_string"},
		{"downloadUrl", `null`, "json.null"},
		{"size", `12`, ""},
		{"size", `12.5`, "schema.type"},
		{"size", `"12"`, "schema.type"},
		{"meeting", `[]`, "value.empty_array"},
		{"meeting", `"https://x.example/m/1"`, "schema.type"},
		{"fax", `"0228 1"`, "schema.property.unknown"},
		{"ratsnetz:fax", `"0228 1"`, ""},
	} {
		t.Run(tc.prop+"="+tc.value, func(t *testing.T) {
			f := newFakeAPI(t)
			doc := `{"id":"{{base}}/f","type":"https://schema.oparl.org/1.1/File","accessUrl":"{{base}}/a",
				"created":"2024-03-01T10:00:00+01:00","modified":"2024-03-01T10:00:00+01:00"}`
			// Replace or add the property under test.
			var m map[string]any
			mustUnmarshal(t, doc, &m)
			var v any
			mustUnmarshal(t, tc.value, &v)
			m[tc.prop] = v
			f.put("/f", mustMarshal(t, m))
			rep := run(t, f.srv.URL+"/f", validate.Options{FileChecks: -1})
			var got []string
			for _, fd := range rep.Findings {
				if fd.Path == tc.prop {
					got = append(got, fd.Check)
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("valid value reported: %v", got)
			case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
				t.Errorf("got %v, want [%s]", got, tc.want)
			}
		})
	}
}
