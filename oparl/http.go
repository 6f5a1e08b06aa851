package oparl

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// gzipMinSize is the body size below which compression does not pay.
const gzipMinSize = 1024

func (s *Server) getBuffer() *bytes.Buffer {
	if b, ok := s.bufPool.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (s *Server) putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // don't keep huge buffers around
		s.bufPool.Put(b)
	}
}

// writeJSON encodes resp and writes it with ETag, Last-Modified, conditional
// GET and, when accepted, gzip.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, resp *response) {
	buf := s.getBuffer()
	defer s.putBuffer(buf)
	var docs []docAt
	if s.reflectJSON {
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false) // OParl forbids HTML escaping
		if err := enc.Encode(resp.value); err != nil {
			s.logger.Error("oparl: encode response", "url", r.URL.String(), "err", err)
			s.writeError(w, r, http.StatusInternalServerError, "Interner Fehler.", "")
			return
		}
	} else {
		// The same bytes as the Encoder above, without reflection; stored
		// documents stay compressed until the body is written (deflate.go).
		b := buf.AvailableBuffer()
		switch v := resp.value.(type) {
		case *jsonList:
			b = appendListDocs(b, v, &docs)
		case *storedDoc:
			docs = append(docs, docAt{at: 0, doc: v})
		default:
			b = appendJSON(b, v)
		}
		buf.Write(append(b, '\n'))
	}
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	body := docBody{live: buf.Bytes(), docs: docs}
	var etag string
	if len(docs) > 0 {
		etag = body.etag()
	} else {
		sum := sha256.Sum256(buf.Bytes())
		// Weak: the same document is served gzipped or not.
		etag = `W/"` + hex.EncodeToString(sum[:12]) + `"`
	}

	hdr := w.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("Cache-Control", "public, no-cache")
	if status == http.StatusOK {
		hdr.Set("ETag", etag)
		if !resp.modified.IsZero() {
			hdr.Set("Last-Modified", resp.modified.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, resp.modified) {
			hdr.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if len(docs) == 0 {
		s.writeBody(w, r, status, buf.Bytes())
		return
	}
	s.writeDocBody(w, r, status, &body)
}

// writeDocBody writes a body with stored documents: as gzip from their
// compressed fragments when the client accepts it, else inflated.
func (s *Server) writeDocBody(w http.ResponseWriter, r *http.Request, status int, body *docBody) {
	out := s.getBuffer()
	defer s.putBuffer(out)
	hdr := w.Header()
	if body.size() >= gzipMinSize && acceptsGzip(r) {
		fw, ok := s.flPool.Get().(*flate.Writer)
		if !ok {
			fw, _ = flate.NewWriter(out, flate.BestSpeed)
		}
		if err := body.writeGzip(out, fw); err != nil {
			s.logger.Error("oparl: compress response", "url", r.URL.String(), "err", err)
			s.writeError(w, r, http.StatusInternalServerError, "Interner Fehler.", "")
			return
		}
		s.flPool.Put(fw)
		hdr.Set("Content-Encoding", "gzip")
	} else {
		fr, ok := s.inflPool.Get().(io.ReadCloser)
		if !ok {
			fr = flate.NewReader(bytes.NewReader(nil))
		}
		b, err := body.appendIdentity(out.AvailableBuffer(), fr)
		s.inflPool.Put(fr)
		if err != nil {
			s.logger.Error("oparl: stored document not readable", "url", r.URL.String(), "err", err)
			s.writeError(w, r, http.StatusInternalServerError, "Interner Fehler.", "")
			return
		}
		out.Write(b)
	}
	send(w, r, status, out.Bytes())
}

// writeBody writes body, gzipped when the client accepts it.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	hdr := w.Header()
	if len(body) >= gzipMinSize && acceptsGzip(r) {
		zbuf := s.getBuffer()
		defer s.putBuffer(zbuf)
		zw, ok := s.gzPool.Get().(*gzip.Writer)
		if ok {
			zw.Reset(zbuf)
		} else {
			zw, _ = gzip.NewWriterLevel(zbuf, gzip.BestSpeed)
		}
		_, _ = zw.Write(body)
		if err := zw.Close(); err == nil {
			s.gzPool.Put(zw)
			hdr.Set("Content-Encoding", "gzip")
			body = zbuf.Bytes()
		}
	}
	send(w, r, status, body)
}

// send writes status and the finished body (already encoded as the headers
// say) with its length; a HEAD request gets the headers only.
func send(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// writeError writes an OParl Error object with status.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, message, debug string) {
	b, _ := json.Marshal(jsonError{Type: TypeError, Message: message, Debug: debug})
	b = append(b, '\n')
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Del("ETag")
	hdr.Del("Last-Modified")
	s.writeBody(w, r, status, b)
}

// notModified evaluates If-None-Match, then If-Modified-Since (RFC 9110 §13.2.2).
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		if err == nil && !modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			params = strings.ReplaceAll(params, " ", "")
			return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
		}
	}
	return false
}
