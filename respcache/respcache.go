// Package respcache is an HTTP middleware that caches complete GET/HEAD
// responses for viewers who see only public data, keyed by the store's data
// version (ratsnetz.Versioner) so that every write invalidates at once.
//
// Rules:
//   - Only GET and HEAD of requests the Policy's Public func accepts (default:
//     no Authorization header and no cookie other than the language cookie)
//     and that its Skip func does not exclude (streamed downloads, health).
//     HEAD is rendered as GET and shares the GET entry.
//   - Only status 200 responses without Set-Cookie and without
//     Cache-Control private or no-store are stored; bodies larger than
//     Config.MaxEntryBytes are streamed through and not stored.
//   - Key: data version, the wrapped handler, host, path and raw query, the
//     Policy's variant inputs (default: language cookie and Accept-Language)
//     and whether the client accepts gzip (handlers such as OParl compress).
//   - The data version is read from the store once per request, never cached
//     in the process: a write (say, a paper de-published through Load) makes
//     every older entry unreachable for the next request, also when another
//     instance sharing the database made it. Old entries are evicted by the
//     LRU (bounded by Config.MaxBytes). The version is read before the
//     handler renders, so an entry never holds data older than its version.
//   - Concurrent misses of one key render once (singleflight); the others
//     wait and are served the stored entry, or render themselves when the
//     response turned out not storable.
//   - Stored responses keep their headers (Content-Type, ETag, Last-Modified,
//     security headers, …). Entries without an ETag get a weak one from the
//     body hash; If-None-Match (then If-Modified-Since) is answered 304 from
//     the entry. The handler always renders without the request's
//     conditional headers, so what it stores is the full 200.
package respcache

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Config.
//
// 48 MB holds about 10 000 portal pages. It was 64 MB until the uncached page
// bench on the large dataset (a different page per request, so the cache stays
// full and churns) peaked at 302 MB RSS on SQLite — over issue 3's 300 MB —
// because the heap grows to twice its live part between collections.
const (
	DefaultMaxBytes      = 48 << 20
	DefaultMaxEntryBytes = 1 << 20
)

// LangCookie is the portal's language cookie: the only cookie the default
// Public predicate tolerates, and part of the default variant.
const LangCookie = "lang"

// Config configures a Cache.
type Config struct {
	// Version returns the current data version (e.g. (*sqlstore.DB).DataVersion).
	// Required.
	Version func(ctx context.Context) (int64, error)
	// MaxBytes bounds the memory of all entries (default 48 MB).
	MaxBytes int64
	// MaxEntryBytes is the largest body stored (default 1 MB).
	MaxEntryBytes int64
	// Logger logs version read errors (default: discard).
	Logger *slog.Logger
}

// Policy says which requests of one wrapped handler may be cached and what
// besides the URL their response depends on.
type Policy struct {
	// Public reports whether r comes from a viewer who sees only public data.
	// Default: DefaultPublic.
	Public func(r *http.Request) bool
	// Skip, if set, reports requests that bypass the cache (streamed files,
	// health checks).
	Skip func(r *http.Request) bool
	// Variant returns the request inputs other than method, host, URL and
	// Accept-Encoding that the response depends on. Default: LanguageVariant.
	Variant func(r *http.Request) string
}

// DefaultPublic accepts requests without Authorization header and without
// any cookie other than the language cookie: a session cookie of any name
// disables caching.
func DefaultPublic(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	for _, line := range r.Header["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
			if name != "" && name != LangCookie {
				return false
			}
		}
	}
	return true
}

// WithoutCookies returns a Public predicate for a portal whose only way to
// log in is a session cookie: it accepts requests without Authorization
// header and without any of the named cookies (the session cookie's names).
// Other cookies — the language, the anonymous CSRF cookie a visitor gets
// when opening a form, a remembered device — do not let a viewer see more,
// so their requests share the cached pages. The handler must still mark
// every response to a session request private (the portal does), which
// keeps such responses out of the cache even if a predicate let one in.
func WithoutCookies(names ...string) func(r *http.Request) bool {
	return func(r *http.Request) bool {
		if r.Header.Get("Authorization") != "" {
			return false
		}
		for _, line := range r.Header["Cookie"] {
			for part := range strings.SplitSeq(line, ";") {
				name, _, _ := strings.Cut(strings.TrimSpace(part), "=")
				for _, n := range names {
					if name == n {
						return false
					}
				}
			}
		}
		return true
	}
}

// NoAuthorization accepts requests without Authorization header, whatever
// their cookies: for handlers that ignore sessions (OParl).
func NoAuthorization(r *http.Request) bool { return r.Header.Get("Authorization") == "" }

// LanguageVariant is the language negotiation input of the portal: the
// language cookie and Accept-Language (the ?lang= query is in the URL).
func LanguageVariant(r *http.Request) string {
	lang := ""
	if c, err := r.Cookie(LangCookie); err == nil {
		lang = c.Value
	}
	return lang + "\x00" + r.Header.Get("Accept-Language")
}

// NoVariant is the Variant of handlers whose responses depend on the URL alone.
func NoVariant(*http.Request) string { return "" }

// Stats are counters of a Cache.
type Stats struct {
	Hits, Misses, Stores, Evictions int64
	Entries                         int
	Bytes                           int64
}

// Cache is a bounded LRU of complete responses shared by the handlers it
// wraps. Safe for concurrent use.
type Cache struct {
	version  func(ctx context.Context) (int64, error)
	maxBytes int64
	maxEntry int64
	logger   *slog.Logger

	mu       sync.Mutex
	ll       list.List // of *entry, most recently used first
	entries  map[string]*list.Element
	bytes    int64
	inflight map[string]*call
	wraps    int
	bufs     sync.Pool // of *bytes.Buffer, render buffers

	hits, misses, stores, evictions atomic.Int64
	waiting                         atomic.Int64 // requests waiting for another's render (tests)
}

// New returns a Cache.
func New(cfg Config) *Cache {
	if cfg.Version == nil {
		panic("respcache: Config.Version is required")
	}
	c := &Cache{
		version:  cfg.Version,
		maxBytes: cfg.MaxBytes,
		maxEntry: cfg.MaxEntryBytes,
		logger:   cfg.Logger,
		entries:  map[string]*list.Element{},
		inflight: map[string]*call{},
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if c.maxEntry <= 0 {
		c.maxEntry = DefaultMaxEntryBytes
	}
	c.maxEntry = min(c.maxEntry, c.maxBytes)
	c.bufs.New = func() any { return new(bytes.Buffer) }
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	n, b := c.ll.Len(), c.bytes
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(),
		Evictions: c.evictions.Load(), Entries: n, Bytes: b}
}

type entry struct {
	key    string
	header http.Header
	body   []byte
	etag   string
	mod    time.Time // Last-Modified, zero if none
	size   int64
}

type call struct {
	done chan struct{}
	e    *entry // nil: not stored
}

// Wrap returns h behind the cache with policy p.
func (c *Cache) Wrap(h http.Handler, p Policy) http.Handler {
	if p.Public == nil {
		p.Public = DefaultPublic
	}
	if p.Variant == nil {
		p.Variant = LanguageVariant
	}
	c.mu.Lock()
	c.wraps++
	id := strconv.Itoa(c.wraps)
	c.mu.Unlock()
	return &handler{c: c, h: h, p: p, id: id}
}

type handler struct {
	c  *Cache
	h  http.Handler
	p  Policy
	id string
}

func (hd *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := hd.c
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) ||
		(hd.p.Skip != nil && hd.p.Skip(r)) || !hd.p.Public(r) {
		hd.h.ServeHTTP(w, r)
		return
	}
	v, err := c.version(r.Context())
	if err != nil {
		if r.Context().Err() != nil {
			return // the client is gone
		}
		c.logger.WarnContext(r.Context(), "respcache: read data version; not caching", "err", err)
		hd.h.ServeHTTP(w, r)
		return
	}
	key := hd.key(v, r)

	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.ll.MoveToFront(el)
		e := el.Value.(*entry)
		c.mu.Unlock()
		c.hits.Add(1)
		serve(w, r, e, "HIT")
		return
	}
	if cl, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		c.waiting.Add(1)
		defer c.waiting.Add(-1)
		select {
		case <-cl.done:
		case <-r.Context().Done():
			return
		}
		if cl.e != nil {
			c.hits.Add(1)
			serve(w, r, cl.e, "HIT")
			return
		}
		// Not storable: render for this request alone.
		c.misses.Add(1)
		hd.h.ServeHTTP(w, r)
		return
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.mu.Unlock()
	c.misses.Add(1)
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		c.mu.Unlock()
		close(cl.done)
	}()
	cl.e = hd.render(w, r, key)
}

// key builds the cache key of r under data version v.
func (hd *handler) key(v int64, r *http.Request) string {
	gz := "-"
	if acceptsGzip(r) {
		gz = "gzip"
	}
	var b strings.Builder
	b.Grow(64 + len(r.URL.Path) + len(r.URL.RawQuery))
	b.WriteString(strconv.FormatInt(v, 10))
	for _, s := range []string{hd.id, r.Host, r.URL.EscapedPath(), r.URL.RawQuery, gz, hd.p.Variant(r)} {
		b.WriteByte(0)
		b.WriteString(s)
	}
	return b.String()
}

// render runs the handler for r as an unconditional GET, answers w and
// stores the response if it may be stored; it returns the stored entry.
func (hd *handler) render(w http.ResponseWriter, r *http.Request, key string) *entry {
	rr := r.Clone(r.Context())
	rr.Method = http.MethodGet
	for _, h := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		rr.Header.Del(h)
	}
	buf := hd.c.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= int(hd.c.maxEntry) {
			hd.c.bufs.Put(buf)
		}
	}()
	rec := &recorder{w: w, header: http.Header{}, buf: buf, limit: int(hd.c.maxEntry)}
	hd.h.ServeHTTP(rec, rr)
	if rec.passthrough {
		return nil
	}
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.status != http.StatusOK || !storable(rec.header) || r.Context().Err() != nil {
		copyHeader(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		if r.Method != http.MethodHead {
			w.Write(rec.buf.Bytes())
		}
		return nil
	}
	// An exact copy: the entry must not pin the buffer's spare capacity.
	e := newEntry(key, rec.header, bytes.Clone(rec.buf.Bytes()))
	hd.c.add(e)
	serve(w, r, e, "MISS")
	return e
}

// storable reports whether a 200 response with header h may be shared.
func storable(h http.Header) bool {
	if len(h["Set-Cookie"]) > 0 {
		return false
	}
	for _, v := range h["Cache-Control"] {
		for d := range strings.SplitSeq(strings.ToLower(v), ",") {
			d, _, _ = strings.Cut(strings.TrimSpace(d), "=")
			if d == "private" || d == "no-store" {
				return false
			}
		}
	}
	for _, v := range h["Vary"] {
		if strings.TrimSpace(v) == "*" {
			return false
		}
	}
	return true
}

func newEntry(key string, h http.Header, body []byte) *entry {
	h = h.Clone()
	h.Del("Date")
	h.Del("X-Cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	e := &entry{key: key, header: h, body: body, etag: h.Get("ETag")}
	if e.etag == "" {
		sum := sha256.Sum256(body)
		e.etag = `W/"` + hex.EncodeToString(sum[:12]) + `"`
		h.Set("ETag", e.etag)
	}
	if lm := h.Get("Last-Modified"); lm != "" {
		e.mod, _ = http.ParseTime(lm)
	}
	e.size = int64(len(body)) + int64(len(key)) + 256
	for k, vs := range h {
		e.size += int64(len(k))
		for _, v := range vs {
			e.size += int64(len(v)) + 16
		}
	}
	return e
}

// add stores e, evicting least recently used entries beyond the bound.
func (c *Cache) add(e *entry) {
	if int64(len(e.body)) > c.maxEntry || e.size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		old := el.Value.(*entry)
		c.bytes -= old.size
		c.ll.Remove(el)
		delete(c.entries, e.key)
	}
	c.entries[e.key] = c.ll.PushFront(e)
	c.bytes += e.size
	c.stores.Add(1)
	for c.bytes > c.maxBytes && c.ll.Len() > 0 {
		el := c.ll.Back()
		old := el.Value.(*entry)
		c.ll.Remove(el)
		delete(c.entries, old.key)
		c.bytes -= old.size
		c.evictions.Add(1)
	}
}

// serve answers r from e: 304 when a condition matches, headers only for HEAD.
func serve(w http.ResponseWriter, r *http.Request, e *entry, state string) {
	h := w.Header()
	copyHeader(h, e.header)
	h.Set("X-Cache", state)
	if notModified(r, e) {
		h.Del("Content-Length")
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(e.body)
	}
}

// copyHeader sets dst's values of every key of src. The slices are shared
// with capacity cut to length, so appending to them copies.
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = vs[:len(vs):len(vs)]
	}
}

// notModified evaluates If-None-Match (weak comparison), else
// If-Modified-Since (RFC 9110 §13.2.2).
func notModified(r *http.Request, e *entry) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(e.etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !e.mod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !e.mod.After(t)
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, line := range r.Header["Accept-Encoding"] {
		for part := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				params = strings.ReplaceAll(params, " ", "")
				return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
			}
		}
	}
	return false
}

// recorder buffers a response up to limit bytes; beyond that, or when the
// handler flushes, it writes through to w and the response is not stored.
type recorder struct {
	w           http.ResponseWriter
	header      http.Header
	status      int
	wroteHeader bool
	buf         *bytes.Buffer
	limit       int
	passthrough bool
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(code int) {
	if rec.wroteHeader || code < 200 {
		return // informational responses are not recorded
	}
	rec.wroteHeader, rec.status = true, code
}

func (rec *recorder) Write(p []byte) (int, error) {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.passthrough && rec.buf.Len()+len(p) > rec.limit {
		rec.startPassthrough()
	}
	if rec.passthrough {
		return rec.w.Write(p)
	}
	return rec.buf.Write(p)
}

func (rec *recorder) startPassthrough() {
	rec.passthrough = true
	copyHeader(rec.w.Header(), rec.header)
	rec.w.WriteHeader(rec.status)
	if rec.buf.Len() > 0 {
		rec.w.Write(rec.buf.Bytes())
	}
	rec.buf.Reset()
}

// FlushError makes the response streaming: written through, not stored.
func (rec *recorder) FlushError() error {
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.passthrough {
		rec.startPassthrough()
	}
	return http.NewResponseController(rec.w).Flush()
}

// Flush implements http.Flusher.
func (rec *recorder) Flush() { _ = rec.FlushError() }

// Unwrap lets http.ResponseController reach w for deadlines.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }
