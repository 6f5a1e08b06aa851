package web

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

func (s *Server) handleFileInline(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, false)
}

func (s *Server) handleFileDownload(w http.ResponseWriter, r *http.Request) {
	s.serveFile(w, r, true)
}

// serveFile sends a file's content from the blob store with range, ETag and
// Last-Modified support. Content that a browser could run (HTML, SVG, …) is
// never shown inline, and downloads are sandboxed.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, attachment bool) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	f, err := s.store.FindFileByID(ctx, id)
	if err == nil && f.Deleted {
		err = errDeleted
	}
	if err != nil {
		s.error(w, r, fmt.Errorf("find file %d: %w", id, err))
		return
	}
	if f.BlobKey == "" {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "file %d has no content", id))
		return
	}
	if !f.Public {
		s.recordAccess(r, "file", f.ID, r.Method+" "+r.URL.Path)
	}
	b, err := s.blobs.Open(ctx, f.BlobKey)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND || errors.Is(err, fs.ErrNotExist) {
		s.logger.WarnContext(ctx, "file content missing", "file", id, "key", f.BlobKey)
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "content of file %d missing", id))
		return
	} else if err != nil {
		s.error(w, r, fmt.Errorf("open content of file %d: %w", id, err))
		return
	}
	defer b.Close()
	info := b.Info()

	ctype := contentType(f.MimeType)
	inline := !attachment && inlineSafe(ctype)
	h := w.Header()
	h.Set("Content-Type", ctype)
	if sum := firstNonEmpty(info.SHA256, f.SHA256); sum != "" {
		h.Set("ETag", `"`+sum+`"`)
	}
	if !f.Public || h.Get("Cache-Control") != "" {
		// Logged-in responses (and anything non-public) stay private.
		h.Set("Cache-Control", "private, no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	h.Set("Content-Disposition", contentDisposition(disposition, downloadName(f, ctype)))
	if inline && ctype == "application/pdf" {
		// Browsers show PDFs with a built-in viewer (a plugin), which both
		// "sandbox" and object-src 'none' would block.
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	} else {
		// No script, no plugins, no same-origin access.
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	}
	modTime := info.ModTime
	if modTime.IsZero() {
		modTime = f.Modified
	}
	http.ServeContent(w, r, "", modTime.Truncate(time.Second), b)
}

// contentType normalizes a stored MIME type; unparsable ones become
// application/octet-stream.
func contentType(s string) string {
	mt, params, err := mime.ParseMediaType(s)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	if cs, ok := params["charset"]; ok {
		return mime.FormatMediaType(mt, map[string]string{"charset": cs})
	}
	return mt
}

// inlineSafe reports whether a browser may show content of ctype on our
// origin without running anything.
func inlineSafe(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	switch mt {
	case "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain":
		return true
	}
	return false
}

// downloadName is the file name offered to the browser, without any path.
func downloadName(f *ratsnetz.File, ctype string) string {
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(f.FileName, `\`, "/")))
	if name == "" || name == "." || name == "/" {
		name = strings.TrimSpace(f.Name)
		if exts, _ := mime.ExtensionsByType(ctype); name != "" && len(exts) > 0 && !strings.Contains(name, ".") {
			name += exts[0]
		}
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name)
	if name == "" {
		name = fmt.Sprintf("datei-%d", f.ID)
	}
	return name
}

// contentDisposition builds the header after RFC 6266 with an ASCII fallback
// name and the UTF-8 name after RFC 5987.
func contentDisposition(kind, name string) string {
	var fallback strings.Builder
	ascii := true
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r == '%':
			fallback.WriteByte('_')
			ascii = false
		case r >= 0x20 && r < 0x7f:
			fallback.WriteRune(r)
		default:
			ascii = false
			switch r {
			case 'ä':
				fallback.WriteString("ae")
			case 'ö':
				fallback.WriteString("oe")
			case 'ü':
				fallback.WriteString("ue")
			case 'Ä':
				fallback.WriteString("Ae")
			case 'Ö':
				fallback.WriteString("Oe")
			case 'Ü':
				fallback.WriteString("Ue")
			case 'ß':
				fallback.WriteString("ss")
			default:
				fallback.WriteByte('_')
			}
		}
	}
	out := kind + `; filename="` + fallback.String() + `"`
	if !ascii {
		out += "; filename*=UTF-8''" + rfc5987Escape(name)
	}
	return out
}

func rfc5987Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
