package oparl_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// reflectEncode is what encoding/json writes for v without HTML escaping.
func reflectEncode(t testing.TB, v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

var jsonStrings = []string{
	"", "Haushaltssatzung 2025", `Antrag "Radweg" <Süd> & mehr`, `C:\Pfad\Datei`, "Zeile 1\nZeile 2\r\n\tEinzug",
	"\b\f\x00\x01\x1f\x7f", "ungültig \xff\xfe UTF-8 \xc3", "Trenner \u2028 und \u2029", "Emoji 🏛️ und ß",
	"</script>", "\u00a0\u200b", strings.Repeat("ä", 300),
}

// TestAppendString writes strings exactly as encoding/json does with
// SetEscapeHTML(false): escapes, invalid UTF-8, U+2028/2029.
func TestAppendString(t *testing.T) {
	for _, s := range jsonStrings {
		got := string(oparl.AppendJSONString(nil, s))
		if want := reflectEncode(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(oparl.AppendJSONString(nil, s))
		if want := reflectEncode(t, s); got != want {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendFloat formats GeoJSON coordinates as encoding/json does.
func TestAppendFloat(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 7.0982, 50.73438, -180, 1e-7, 1.5e-9, 1e21, 123456789.125, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		got := string(oparl.AppendJSONFloat(nil, f))
		if want := reflectEncode(t, f); got != want {
			t.Errorf("appendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

// TestAppendJSONMatchesEncodingJSON serves the same store twice, once with
// the append writers (the default) and once with encoding/json, and
// compares every page of every list and every object they name byte for
// byte, on the test council (with awkward strings) and the demo city.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	fillData := func(t *testing.T) func(db *sqlstore.DB) {
		return func(db *sqlstore.DB) {
			ds := locationData()
			for i, p := range ds.Papers {
				p.Name = jsonStrings[(i+2)%len(jsonStrings)]
			}
			for i, it := range ds.AgendaItems {
				it.Name = jsonStrings[(i+5)%len(jsonStrings)]
			}
			for i, f := range ds.Files {
				f.Name = jsonStrings[(i+1)%len(jsonStrings)]
			}
			if err := db.Load(ratsnetz.SystemContext(t.Context()), ds); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		fill    func(t *testing.T) func(db *sqlstore.DB)
		params  []string
		objects bool
	}{
		{"data", fillData, []string{"", "limit=3", "limit=2&omit_internal=true", "modified_since=2020-01-01T00:00:00%2B01:00"}, true},
		{"demo", fillDemo, []string{"", "limit=37&omit_internal=true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "demo" {
				t.Skip("walks every list of the demo city")
			}
			appended := MustOpenEnvWith(t, tc.fill(t))
			mux := http.NewServeMux()
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			s := oparl.NewServer(oparl.Config{
				Store: appended.db, BaseURL: srv.URL,
				System: ratsnetz.System{
					Name:    "Ratsnetz Test",
					Vendor:  "https://github.com/ratsnetz/ratsnetz",
					Product: "https://github.com/ratsnetz/ratsnetz",
					License: "https://creativecommons.org/licenses/by/4.0/",
				},
			})
			oparl.SetReflectJSON(s, true)
			mux.Handle("/oparl/", s.Handler())
			reflected := &env{db: appended.db, srv: srv, base: srv.URL + "/oparl/v1.1"}
			compareLists(t, appended, reflected, tc.params)
			if !tc.objects {
				return
			}
			// Every object standalone, the system and a body.
			n := 0
			for _, body := range appended.walk(t, appended.base+"/body") {
				bodyPath := strings.TrimPrefix(body["id"].(string), appended.base)
				for _, l := range []string{"organization", "person", "meeting", "paper", "agendaitem", "consultation",
					"file", "location", "legislativeterm", "membership"} {
					for _, o := range appended.walk(t, appended.base+bodyPath+"/"+l) {
						p := strings.TrimPrefix(o["id"].(string), appended.base)
						_, a := appended.get(t, appended.base+p)
						_, b := reflected.get(t, reflected.base+p)
						a = bytes.ReplaceAll(a, []byte(appended.srv.URL), []byte("BASE"))
						b = bytes.ReplaceAll(b, []byte(reflected.srv.URL), []byte("BASE"))
						if !bytes.Equal(a, b) {
							t.Errorf("GET %s differs:\nappended:  %s\nreflected: %s", p, a, b)
						}
						n++
					}
				}
			}
			if n < 20 {
				t.Fatalf("compared only %d objects", n)
			}
		})
	}
}
