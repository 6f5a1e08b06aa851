package oparl

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestCRC32Combine: the combined CRC of two parts is the CRC of their
// concatenation, for empty parts and lengths around the bit boundaries.
func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, la := range []int{0, 1, 7, 100, 4096} {
		for _, lb := range []int{0, 1, 3, 8, 255, 65537, 1 << 20} {
			a, b := make([]byte, la), make([]byte, lb)
			for i := range a {
				a[i] = byte(rng.Uint32())
			}
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
			if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(lb)); got != want {
				t.Errorf("combine(%d, %d bytes) = %08x, want %08x", la, lb, got, want)
			}
		}
	}
}

// TestDocBody: a body of live parts and stored documents is one valid gzip
// member (checked by compress/gzip, CRC and length included) whose content
// is the concatenation; the identity body is the same bytes; the ETag moves
// with every part.
func TestDocBody(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	var dw docWriter
	doc := func(id int64, s string, pred int64, predJSON string) *storedDoc {
		t.Helper()
		blob, err := dw.encodeDoc(id, t0, t0.Add(time.Hour), []byte(s), pred, []byte(predJSON))
		if err != nil {
			t.Fatal(err)
		}
		d, err := decodeDoc(blob)
		if err != nil {
			t.Fatal(err)
		}
		if !d.matches(metaTimes{id: id, created: t0.Unix(), modified: t0.Add(time.Hour).Unix()}) ||
			d.matches(metaTimes{id: id, created: t0.Unix(), modified: t0.Unix()}) {
			t.Fatalf("doc %d: identity check wrong", id)
		}
		return d
	}
	big := strings.Repeat(`{"id":"https://ris.example/oparl/v1.1/meeting/1","name":"Ratssitzung ä€😀"},`, 3000)
	p1 := `{"id":"https://ris.example/oparl/v1.1/paper/1","type":"https://schema.oparl.org/1.1/Paper","name":"Radweg"}`
	p2 := `{"id":"https://ris.example/oparl/v1.1/paper/2","type":"https://schema.oparl.org/1.1/Paper","name":"Radwege"}`
	docs := []*storedDoc{doc(1, `{"id":1}`, 0, ""), doc(2, big, 0, ""), doc(3, "x", 0, ""), doc(4, big[:70000], 0, "")}
	// Chained: c2 was compressed against c1's JSON and a comma; c2x against
	// another JSON of the same object ID as c1.
	c1, c2 := doc(11, p1, 0, ""), doc(12, p2, 11, p1)
	c2x := doc(12, p2, 11, strings.Replace(p1, "Radweg", "Fußweg", 1))
	// c2 compressed with c1's JSON as a dictionary (a writer that did not
	// just write c1); above it continued from c1's lone fragment.
	var fresh docWriter
	blob, err := fresh.encodeDoc(12, t0, t0.Add(time.Hour), []byte(p2), 11, []byte(p1))
	if err != nil {
		t.Fatal(err)
	}
	c2d, err := decodeDoc(blob)
	if err != nil || !c2d.follows(c1) {
		t.Fatalf("c2 with a dictionary: %v", err)
	}
	if !c2.follows(c1) || c2x.follows(c1) || c1.follows(c2) || len(c2.zc) >= len(c2.z) {
		t.Fatalf("chained fragments: follows %v/%v/%v, %d bytes chained vs %d alone",
			c2.follows(c1), c2x.follows(c1), c1.follows(c2), len(c2.zc), len(c2.z))
	}
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	cases := []struct {
		live    string
		at      []int // offsets of ds[0..] in live
		ds      []*storedDoc
		chained bool // c2's chained fragment is to be used
	}{
		{"\n", []int{0}, docs[:1], false},                                                              // a standalone object
		{`{"data":[,,,],"links":{}}` + "\n", []int{9, 10, 11, 12}, docs, false},                        // separators: stored blocks
		{"", []int{0, 0, 0, 0}, docs, false},                                                           // documents only
		{strings.Repeat("L", 100) + strings.Repeat("M", 70000), []int{0, 50, 100, 70100}, docs, false}, // long live parts
		{`{"data":[,]}`, []int{9, 10}, []*storedDoc{c1, c2}, true},
		{`{"data":[,]}`, []int{9, 10}, []*storedDoc{c1, c2d}, true},
		{`{"data":[,,]}`, []int{9, 10, 11}, []*storedDoc{c1, docs[2], c2}, false}, // another document before c2
		{`{"data":[, ]}`, []int{9, 11}, []*storedDoc{c1, c2}, false},              // not just a comma between
		{`{"data":[,]}`, []int{9, 10}, []*storedDoc{c1, c2x}, false},              // same ID, other JSON
		{`{"data":[,]}`, []int{9, 10}, []*storedDoc{c2, c1}, false},
	}
	for i, c := range cases {
		b := docBody{live: []byte(c.live)}
		var want []byte
		prev := 0
		for j, at := range c.at {
			b.docs = append(b.docs, docAt{at: at, doc: c.ds[j]})
			want = append(want, c.live[prev:at]...)
			raw, err := c.ds[j].appendInflated(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, raw...)
			prev = at
		}
		want = append(want, c.live[prev:]...)
		if b.size() != int64(len(want)) {
			t.Errorf("case %d: size %d, want %d", i, b.size(), len(want))
		}
		var z bytes.Buffer
		if err := b.writeGzip(&z, fw); err != nil {
			t.Fatal(err)
		}
		last := c.ds[len(c.ds)-1]
		if got := len(last.zc) > 0 && bytes.Contains(z.Bytes(), last.zc); got != c.chained {
			t.Errorf("case %d: chained fragment used %v, want %v", i, got, c.chained)
		}
		zr, err := gzip.NewReader(&z)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("case %d: gzip body: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("case %d: gzip body differs (%d vs %d bytes)", i, len(got), len(want))
		}
		if rest, _ := io.ReadAll(&z); len(rest) != 0 {
			t.Errorf("case %d: %d bytes after the gzip member", i, len(rest))
		}
		id, err := b.appendIdentity(nil, flate.NewReader(bytes.NewReader(nil)))
		if err != nil || !bytes.Equal(id, want) {
			t.Errorf("case %d: identity body differs (%v)", i, err)
		}
	}
	// The ETag changes with a document, with a live byte, and with where a
	// document stands.
	base := docBody{live: []byte("[,]"), docs: []docAt{{1, docs[0]}, {2, docs[2]}}}
	other := []docBody{
		{live: []byte("[,]"), docs: []docAt{{1, docs[0]}, {2, docs[1]}}},
		{live: []byte("[;]"), docs: []docAt{{1, docs[0]}, {2, docs[2]}}},
		{live: []byte("[,]"), docs: []docAt{{1, docs[0]}, {1, docs[2]}}},
	}
	for i, o := range other {
		if o.etag() == base.etag() {
			t.Errorf("ETag of variant %d equals the base's", i)
		}
	}
	if base.etag() != (&docBody{live: []byte("[,]"), docs: []docAt{{1, docs[0]}, {2, docs[2]}}}).etag() {
		t.Error("ETag not stable")
	}
	// A blob of another layout (docFormat 1: plain JSON) or cut short is
	// not used.
	for _, b := range [][]byte{[]byte(`{"id":"x"}`), {docMagic, 1}, nil} {
		if _, err := decodeDoc(b); err == nil {
			t.Errorf("decodeDoc(%q) accepted", b)
		}
	}
}
