package importer

import (
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

func TestDateTimeLenient(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data")
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		in    string
		want  time.Time
		quirk string
	}{
		{"2024-03-01T10:00:00+01:00", utc("2024-03-01T09:00:00Z"), ""},
		{"2019-12-16T11:21:11+01::00", utc("2019-12-16T10:21:11Z"), QuirkBrokenOffset},
		{"2024-03-01T10:00:00Z", utc("2024-03-01T10:00:00Z"), QuirkLenientDateTime},
		{"2024-03-01T10:00:00.123+01:00", utc("2024-03-01T09:00:00.123Z"), QuirkLenientDateTime},
		{"2024-07-01T10:00:00", utc("2024-07-01T08:00:00Z"), QuirkLenientDateTime},
		{"2024-03-01T10:00:00+0100", utc("2024-03-01T09:00:00Z"), QuirkLenientDateTime},
		{"N/A", time.Time{}, QuirkPlaceholder},
		{"", time.Time{}, QuirkPlaceholder},
		{"gestern", time.Time{}, QuirkInvalidValue},
	}
	for _, tt := range tests {
		var got []string
		o := &obj{m: map[string]any{"start": tt.in}, id: "x", loc: berlin, report: func(is Issue) { got = append(got, is.Quirk) }}
		if v := o.dateTime("start"); !v.Equal(tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, v, tt.want)
		}
		if tt.quirk == "" && len(got) > 0 || tt.quirk != "" && (len(got) != 1 || got[0] != tt.quirk) {
			t.Errorf("%q: quirks %v, want %q", tt.in, got, tt.quirk)
		}
	}
}

func TestDateLenient(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-01":                 "2024-03-01",
		"1971-05-04T00:00:00+01::00": "1971-05-04",
		"2021-04-27T21:51:03+02:00":  "2021-04-27",
		"01.02.2024":                 "2024-02-01",
	} {
		o := &obj{m: map[string]any{"date": in}, loc: time.UTC}
		if got := o.date("date").Format("2006-01-02"); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestSanitizeJSON(t *testing.T) {
	in := []byte("{\"a\":\"x\x01y\\\"\x02\",\n\"b\":1}\x00")
	v, sanitized, err := parseJSON(in)
	if err != nil || !sanitized {
		t.Fatalf("parse: %v, sanitized %v", err, sanitized)
	}
	if got := v.(map[string]any)["a"]; got != "x\x01y\"\x02" {
		t.Errorf("a = %q", got)
	}
	if _, _, err := parseJSON([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON parsed")
	}
}

func TestCoordinates(t *testing.T) {
	for _, tt := range []struct {
		c        []any
		lat, lon float64
		swapped  bool
	}{
		{[]any{8.4037, 49.0093}, 49.0093, 8.4037, false},
		{[]any{49.0093, 8.4037}, 49.0093, 8.4037, true},
		{[]any{-73.98, 40.75}, 40.75, -73.98, false}, // not in Germany either way: kept
	} {
		var quirks []string
		o := &obj{m: map[string]any{"geojson": map[string]any{"type": "Point", "coordinates": tt.c}}, report: func(is Issue) { quirks = append(quirks, is.Quirk) }}
		var l ratsnetz.Location
		(&mapper{}).geo(o, &l)
		if l.Lat != tt.lat || l.Lon != tt.lon || (len(quirks) == 1) != tt.swapped {
			t.Errorf("%v: got %v/%v quirks %v", tt.c, l.Lat, l.Lon, quirks)
		}
	}
}
