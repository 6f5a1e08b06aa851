package oparl

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"time"
)

// Stored documents are kept compressed, as raw deflate fragments that a
// gzip response can contain as they are: each fragment is the output of a
// fresh compressor (no reference to data before it) ended with a sync
// flush (byte-aligned, not final). A response is a gzip header, the live
// parts of the page compressed on the spot (or as stored blocks when
// short), the fragments in between, a final empty block and the trailer,
// whose CRC-32 is combined from the parts' CRCs and lengths. A meeting list
// page (~1.1 MB of JSON) so costs neither compressing 1.1 MB per request
// nor reading it from the database; clients that do not accept gzip get
// the same bytes inflated.
//
// Each document is stored twice compressed. Alone, a fragment cannot refer
// to anything before it, which makes a page of 100 papers ~4× larger than
// the page compressed whole (every document repeats the keys, types and
// URL prefixes of its neighbours). So a second fragment is compressed with
// the preceding document of its list (in the builder's keyset order) and a
// comma as preset dictionary: when the page has exactly that document and
// a comma before it — both bytes the decoder has just produced — the
// chained fragment is used, else the lone one.
//
// Blob layout (encodeDoc): docMagic, then uvarints id, created, modified
// (Unix seconds, zigzag), uncompressed length, then the CRC-32 (IEEE,
// little endian) and the first 16 bytes of the SHA-256 of the uncompressed
// JSON, then the uvarint predecessor id (0: none) and, if any, the first 8
// bytes of the SHA-256 of its JSON, the uvarint length of the lone
// fragment, the lone fragment, and the chained fragment (the rest).

// docMagic starts every stored blob of this layout (docFormat "2").
const docMagic = 0xD2

// docLevel is the compression level of stored fragments: they are
// compressed once per build and read on every page.
const docLevel = flate.DefaultCompression

// storedDoc is a decoded blob: one object's JSON as a deflate fragment.
type storedDoc struct {
	id                int64
	created, modified int64 // Unix seconds
	n                 int64 // uncompressed length
	crc               uint32
	sum               [16]byte // SHA-256 prefix of the JSON (ETag input)
	z                 []byte   // deflate fragment, sync-flushed
	// pred is the document whose JSON and a comma zc was compressed
	// against (0: none, zc empty); predSum the first 8 bytes of that
	// JSON's SHA-256 (its sum), so zc follows only those very bytes.
	pred    int64
	predSum [8]byte
	zc      []byte
}

// docWriter compresses documents at build time.
type docWriter struct {
	fw         *flate.Writer
	lone, pair bytes.Buffer
	// lastID and last are the document whose lone fragment fw wrote last
	// (into lone, from a Reset): fw's window then holds exactly that
	// JSON, so the next document's chained fragment continues from there
	// instead of compressing the JSON again as a dictionary.
	lastID int64
	last   []byte
}

// fragment compresses json with a fresh compressor into buf, after
// compressing dict (if any) into the part of buf it then drops — what
// flate.NewWriterDict does, without a new writer (~1 MB) per document:
// the sync flush ends dict's blocks, and the window keeps dict.
func (w *docWriter) fragment(buf *bytes.Buffer, json, dict []byte) ([]byte, error) {
	buf.Reset()
	if w.fw == nil {
		fw, err := flate.NewWriter(buf, docLevel)
		if err != nil {
			return nil, err
		}
		w.fw = fw
	} else {
		w.fw.Reset(buf)
	}
	if len(dict) > 0 {
		if _, err := w.fw.Write(dict); err != nil {
			return nil, err
		}
		if err := w.fw.Flush(); err != nil {
			return nil, err
		}
	}
	mark := buf.Len()
	if _, err := w.fw.Write(json); err != nil {
		return nil, err
	}
	if err := w.fw.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes()[mark:], nil
}

// continueWith returns the chained fragment of json after w.last: a comma
// and a flush (their output dropped), then json, flushed. It copies, as
// the next lone fragment reuses the buffer.
func (w *docWriter) continueWith(json []byte) ([]byte, error) {
	if _, err := w.fw.Write([]byte{','}); err != nil {
		return nil, err
	}
	if err := w.fw.Flush(); err != nil {
		return nil, err
	}
	mark := w.lone.Len()
	if _, err := w.fw.Write(json); err != nil {
		return nil, err
	}
	if err := w.fw.Flush(); err != nil {
		return nil, err
	}
	return bytes.Clone(w.lone.Bytes()[mark:]), nil
}

// encodeDoc returns the blob of json, the document of object id with
// created/modified; predJSON is the document before it in its list (pred,
// 0: none).
func (w *docWriter) encodeDoc(id int64, created, modified time.Time, json []byte, pred int64, predJSON []byte) ([]byte, error) {
	var pair []byte
	var err error
	if pred != 0 {
		if w.fw != nil && w.last != nil && w.lastID == pred && bytes.Equal(w.last, predJSON) {
			pair, err = w.continueWith(json)
		} else {
			dict := make([]byte, 0, len(predJSON)+1)
			pair, err = w.fragment(&w.pair, json, append(append(dict, predJSON...), ','))
		}
		if err != nil {
			w.last = nil
			return nil, err
		}
	}
	lone, err := w.fragment(&w.lone, json, nil)
	if err != nil {
		w.last = nil
		return nil, err
	}
	w.lastID, w.last = id, json
	sum := sha256.Sum256(json)
	out := make([]byte, 0, 64+len(lone)+len(pair))
	out = append(out, docMagic)
	out = binary.AppendUvarint(out, uint64(id))
	out = binary.AppendUvarint(out, zigzag(created.Unix()))
	out = binary.AppendUvarint(out, zigzag(modified.Unix()))
	out = binary.AppendUvarint(out, uint64(len(json)))
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(json))
	out = append(out, sum[:16]...)
	out = binary.AppendUvarint(out, uint64(pred))
	if pred != 0 {
		ps := sha256.Sum256(predJSON)
		out = append(out, ps[:8]...)
	}
	out = binary.AppendUvarint(out, uint64(len(lone)))
	out = append(out, lone...)
	return append(out, pair...), nil
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

var errBadDoc = errors.New("oparl: stored document not in the compressed layout")

// decodeDoc parses a blob (the fragment is not inflated here).
func decodeDoc(b []byte) (*storedDoc, error) {
	if len(b) == 0 || b[0] != docMagic {
		return nil, errBadDoc
	}
	b = b[1:]
	var v [4]uint64
	for i := range v {
		x, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errBadDoc
		}
		v[i], b = x, b[k:]
	}
	if len(b) < 4+16 || v[3] > 1<<31 {
		return nil, errBadDoc
	}
	d := &storedDoc{id: int64(v[0]), created: unzigzag(v[1]), modified: unzigzag(v[2]), n: int64(v[3]),
		crc: binary.LittleEndian.Uint32(b)}
	copy(d.sum[:], b[4:20])
	b = b[20:]
	pred, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errBadDoc
	}
	b = b[k:]
	if pred != 0 {
		if len(b) < 8 {
			return nil, errBadDoc
		}
		copy(d.predSum[:], b)
		b = b[8:]
	}
	lone, k := binary.Uvarint(b)
	if k <= 0 || lone > uint64(len(b)-k) || lone < 5 {
		return nil, errBadDoc
	}
	b = b[k:]
	d.z, d.pred, d.zc = b[:lone], int64(pred), b[lone:]
	if (d.pred == 0) != (len(d.zc) == 0) {
		return nil, errBadDoc
	}
	return d, nil
}

// matches reports whether d is the document of the list row m.
func (d *storedDoc) matches(m metaTimes) bool {
	return d.id == m.id && d.created == m.created && d.modified == m.modified
}

// follows reports whether d's chained fragment was compressed against p's
// JSON.
func (d *storedDoc) follows(p *storedDoc) bool {
	return d.pred != 0 && d.pred == p.id && [8]byte(p.sum[:8]) == d.predSum
}

// metaTimes are the identity fields a stored document must agree on with
// the row the list query returned (dateTime renders whole seconds, so
// equal seconds mean equal "created"/"modified" members).
type metaTimes struct{ id, created, modified int64 }

// appendInflated appends d's JSON to dst, inflating with fr (a reader of
// flate.NewReader; nil: a new one).
func (d *storedDoc) appendInflated(dst []byte, fr io.ReadCloser) ([]byte, error) {
	if fr == nil {
		fr = flate.NewReader(bytes.NewReader(d.z))
	} else if err := fr.(flate.Resetter).Reset(bytes.NewReader(d.z), nil); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, make([]byte, d.n)...)[:start]
	// A sync-flushed fragment has no final block: read exactly n bytes.
	k, err := io.ReadFull(fr, dst[start:start+int(d.n)])
	dst = dst[:start+k]
	if err != nil {
		return dst, err
	}
	if crc32.ChecksumIEEE(dst[start:]) != d.crc {
		return dst, errors.New("oparl: stored document fails its checksum")
	}
	return dst, nil
}

// MarshalJSON is the document itself (for encoding/json, used by tests
// that compare the append writers with it).
func (d *storedDoc) MarshalJSON() ([]byte, error) { return d.appendInflated(nil, nil) }

// docBody is a response body made of live bytes with stored documents
// inserted at offsets.
type docBody struct {
	live []byte
	docs []docAt
}

type docAt struct {
	at  int // offset in live before which the document stands
	doc *storedDoc
}

// size is the length of the uncompressed body.
func (b *docBody) size() int64 {
	n := int64(len(b.live))
	for _, d := range b.docs {
		n += d.doc.n
	}
	return n
}

// etag is a weak tag of the body's content: a hash of the live bytes with
// each document's SHA-256 prefix in its place, after a byte (0xFF) that
// UTF-8 JSON never contains — so different bodies get different tags.
func (b *docBody) etag() string {
	h := sha256.New()
	prev := 0
	for _, d := range b.docs {
		h.Write(b.live[prev:d.at])
		h.Write([]byte{0xFF})
		h.Write(d.doc.sum[:])
		prev = d.at
	}
	h.Write(b.live[prev:])
	sum := h.Sum(nil)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// appendIdentity appends the uncompressed body (fr as for appendInflated).
func (b *docBody) appendIdentity(dst []byte, fr io.ReadCloser) ([]byte, error) {
	prev := 0
	for _, d := range b.docs {
		dst = append(dst, b.live[prev:d.at]...)
		var err error
		if dst, err = d.doc.appendInflated(dst, fr); err != nil {
			return dst, err
		}
		prev = d.at
	}
	return append(dst, b.live[prev:]...), nil
}

// storedMax is the longest live part written as stored (uncompressed)
// deflate blocks: separators between documents are a byte or two, where a
// compressor's block would cost more than it saves.
const storedMax = 64

// writeGzip writes the body as one gzip member to dst; fw compresses the
// live parts (it is Reset for each, so no part refers to bytes before it).
func (b *docBody) writeGzip(dst *bytes.Buffer, fw *flate.Writer) error {
	// Header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
	dst.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	var crc uint32
	live := func(p []byte) error {
		if len(p) == 0 {
			return nil
		}
		crc = crc32.Update(crc, crc32.IEEETable, p)
		if len(p) <= storedMax {
			// Not final, type 00 (the 3 header bits, padded to a byte),
			// LEN, NLEN, the bytes.
			dst.Write([]byte{0, byte(len(p)), byte(len(p) >> 8), ^byte(len(p)), ^byte(len(p) >> 8)})
			dst.Write(p)
			return nil
		}
		fw.Reset(dst)
		if _, err := fw.Write(p); err != nil {
			return err
		}
		return fw.Flush()
	}
	prev := 0
	for i, d := range b.docs {
		if err := live(b.live[prev:d.at]); err != nil {
			return err
		}
		if i > 0 && d.doc.follows(b.docs[i-1].doc) && d.at == prev+1 && b.live[prev] == ',' {
			// The decoder has just produced the predecessor's JSON and a
			// comma: the dictionary of the chained fragment.
			dst.Write(d.doc.zc)
		} else {
			dst.Write(d.doc.z)
		}
		crc = crc32Combine(crc, d.doc.crc, d.doc.n)
		prev = d.at
	}
	if err := live(b.live[prev:]); err != nil {
		return err
	}
	// Final empty block with fixed codes (BFINAL 1, BTYPE 01, end-of-block),
	// then the trailer: CRC-32 and length mod 2^32.
	dst.Write([]byte{0x03, 0x00})
	var tr [8]byte
	binary.LittleEndian.PutUint32(tr[:4], crc)
	binary.LittleEndian.PutUint32(tr[4:], uint32(b.size()))
	dst.Write(tr[:])
	return nil
}

// crc32Combine returns the CRC-32 (IEEE) of A‖B from crcA, crcB and the
// length of B (zlib's crc32_combine: crcA times x^(8·lenB) modulo the
// polynomial, plus crcB).
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	return multModP(x2nModP(lenB, 3), crcA) ^ crcB
}

// crcPoly is the reflected IEEE polynomial.
const crcPoly = 0xedb88320

// multModP multiplies a and b modulo the CRC polynomial (reflected bit
// order: bit 31 is x^0).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < 32; k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// x2nModP returns x^(n·2^k) modulo the polynomial.
func x2nModP(n int64, k int) uint32 {
	p := uint32(1) << 31 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}
