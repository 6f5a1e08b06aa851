package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"
)

// maxUploadBody bounds the body of an attachment upload: the file plus the
// form's other fields and the multipart framing.
const maxUploadBody = maxUpload + 1<<20

// maxUploadMemory is how much of a multipart form is held in memory; the
// rest of a file waits in a temporary file until the request ends.
const maxUploadMemory = 8 << 20

// bodyLimit is the largest body a post to r's path may send: attachment
// uploads up to maxUploadBody, every other form maxFormBytes.
func bodyLimit(r *http.Request) int64 {
	if isUploadPath(r.URL.Path) {
		return maxUploadBody
	}
	return maxFormBytes
}

// isUploadPath reports whether p is /sitzungsdienst/vorlagen/{id}/anlagen.
func isUploadPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/sitzungsdienst/vorlagen/")
	if !ok {
		return false
	}
	id, tail, ok := strings.Cut(rest, "/")
	return ok && tail == "anlagen" && id != "" && strings.Trim(id, "0123456789") == ""
}

// withBodyLimit bounds the body of every post before anything reads it and
// parses form bodies right here, before the CSRF check looks for its token:
// an oversized post gets a clear 413 page (in the reader's language)
// instead of failing the CSRF check for want of the token it could not
// read, and the multipart parse of an upload never reads more than the
// limit. (withSession's own 64 KiB bound then meets an already parsed
// form.)
func (s *Server) withBodyLimit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			s.tooLarge(w, r, limit)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var err error
		switch ct {
		case "application/x-www-form-urlencoded":
			err = r.ParseForm()
		case "multipart/form-data":
			err = r.ParseMultipartForm(maxUploadMemory)
			if r.MultipartForm != nil {
				// The server removes the temporary files of the request it
				// created; this may be a copy (r.WithContext upstream).
				defer r.MultipartForm.RemoveAll()
			}
		}
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			s.tooLarge(w, r, limit)
			return
		}
		// Other parse errors are the handler's (and the CSRF check's) to
		// report, as before.
		h.ServeHTTP(w, r)
	})
}

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	c := s.catalogs[langFromContext(r.Context())]
	w.Header().Set("Connection", "close") // do not read the rest of a huge body
	text := c.T("office.tooLarge.form")
	if limit > maxFormBytes {
		text = c.T("office.tooLarge.upload", maxUpload>>20)
	}
	s.renderMessage(w, r, http.StatusRequestEntityTooLarge, c.T("office.tooLarge.title"), text)
}
