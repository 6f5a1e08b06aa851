package importer

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stdDecode is what decodeValue must agree with: encoding/json with
// UseNumber and nothing after the value.
func stdDecode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return v, nil
}

var jsonCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `12`, `-1.5e+10`, `1E3`, `0.25`, `"x"`,
	` { "a" : [ 1 , 2 , { } , [ ] , null , true , "s" ] } `,
	`{"data":[{"id":"https://x/1","type":"https://schema.oparl.org/1.1/Paper","name":"Vorlage \u00fcber Stra\u00dfen","n":3},{"id":"https://x/2","name":"Straße – Ä"}],"links":{"next":"https://x?page=2"}}`,
	`{"a":1,"a":2}`,
	`"esc \" \\ \/ \b \f \n \r \t"`,
	`"\ud83d\ude00 pair"`, `"\ud83d lone high"`, `"\ude00 lone low"`, `"\ud83d\u0041 high then A"`,
	`"\u00e4\u20ac"`,
	"\"bad utf8 \xff\xfe end\"", "\"truncated \xe2\x82 rune\"", "{\"k\xff\":1}",
	`{"nested":{"deeper":{"deepest":[[[1]]]}}}`,
	// Invalid input: every one is an error for both.
	``, ` `, `{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{1:2}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `tru`, `nul`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`,
	"\"ctl \x01 char\"", `{} {}`, `[] x`, `"a" "b"`, `NaN`, `Infinity`,
	`"\ud83d\u12"`,
}

func TestDecodeValueMatchesEncodingJSON(t *testing.T) {
	for _, in := range jsonCases {
		want, wantErr := stdDecode([]byte(in))
		got, gotErr := decodeValue([]byte(in))
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%q: error %v, encoding/json %v", in, gotErr, wantErr)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-encoding/json +decodeValue):\n%s", in, diff)
		}
	}
}

func FuzzDecodeValue(f *testing.F) {
	for _, in := range jsonCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want, wantErr := stdDecode(in)
		got, gotErr := decodeValue(in)
		if (wantErr != nil) != (gotErr != nil) {
			t.Fatalf("%q: error %v, encoding/json %v", in, gotErr, wantErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%q (-encoding/json +decodeValue):\n%s", in, diff)
		}
	})
}

// BenchmarkDecode compares decodeValue with encoding/json on a saved list
// page: RATSNETZ_IMPORT_BENCH_PAGE=file.json.
func BenchmarkDecode(b *testing.B) {
	path := os.Getenv("RATSNETZ_IMPORT_BENCH_PAGE")
	if path == "" {
		b.Skip("set RATSNETZ_IMPORT_BENCH_PAGE to a saved OParl list page")
	}
	page, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for name, dec := range map[string]func([]byte) (any, error){"encoding-json": stdDecode, "decodeValue": decodeValue} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dec(page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
