package importer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

const realdata = "/work/shared/oparl/realdata"

// MustOpenDB opens a migrated SQLite store in a temp dir.
func MustOpenDB(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// visChecked wraps db so that every Load and LoadImport is followed by a
// check of files.visible_public against the public's full file rule for
// every file: loads skip the row triggers and recompute the flag
// set-based (migration 0025), and every import of these tests must leave
// it exact (new objects, incremental runs, tombstones, de-publication).
func visChecked(tb testing.TB, db *sqlstore.DB) *visCheckedStore {
	return &visCheckedStore{DB: db, tb: tb}
}

type visCheckedStore struct {
	*sqlstore.DB
	tb testing.TB
}

func (s *visCheckedStore) Load(ctx context.Context, ds *ratsnetz.Dataset) error {
	if err := s.DB.Load(ctx, ds); err != nil {
		return err
	}
	checkVisibilityFlags(s.tb, s.DB, "after Load")
	return nil
}

func (s *visCheckedStore) LoadImport(ctx context.Context, ds *ratsnetz.Dataset, state map[string]string) error {
	if err := s.DB.LoadImport(ctx, ds, state); err != nil {
		return err
	}
	checkVisibilityFlags(s.tb, s.DB, "after LoadImport")
	return nil
}

// checkVisibilityFlags reports every file whose stored visible_public
// differs from the public's rule (Errorf: it may run in the importer's
// goroutines).
func checkVisibilityFlags(tb testing.TB, db *sqlstore.DB, what string) {
	ids, err := db.VisibilityFlagMismatches(context.Background())
	if err != nil {
		tb.Errorf("%s: %v", what, err)
	} else if len(ids) > 0 {
		tb.Errorf("%s: files.visible_public differs from the public's file rule for files %v", what, ids)
	}
}

// endpoint is a fake OParl server built around recorded responses. Object
// ids in the samples are rewritten to point at it.
type endpoint struct {
	tb  testing.TB
	srv *httptest.Server
	// hosts are replaced by the server URL in every sample read.
	hosts []string

	mu sync.Mutex
	// objects by URL path; lists filter them by type.
	objects map[string]map[string]any
	// order keeps the insertion order of objects (list order).
	order  []string
	static map[string]staticResp
	lists  map[string]listSpec
	// fail500 answers the next n requests of a path with HTTP 500.
	fail500 map[string]int
	// rejectEncoded answers 400 to list requests with URL-encoded filters.
	rejectEncoded bool
	hits          map[string]int
	// onRequest, if set, runs before each request is answered.
	onRequest func(r *http.Request)
	pageSize  int
	files     map[string][]byte
	// filePrefix serves "%PDF-1.4 <path>" for every path below it.
	filePrefix string
}

type staticResp struct {
	status int
	body   []byte
}

type listSpec struct {
	types []string // short type names the list holds
	// includeDeletedUnfiltered also lists tombstones without modified_since
	// (what Sternberg and SessionNet do).
	includeDeletedUnfiltered bool
	// empty404 answers an empty filtered result with 404 + error 802.
	empty404 bool
	// bareEmpty answers an empty filtered result with [].
	bareEmpty bool
}

func newEndpoint(tb testing.TB, hosts ...string) *endpoint {
	e := &endpoint{
		tb: tb, hosts: hosts,
		objects: map[string]map[string]any{}, static: map[string]staticResp{}, lists: map[string]listSpec{},
		fail500: map[string]int{}, hits: map[string]int{}, pageSize: 50, files: map[string][]byte{},
	}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	tb.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) url(path string) string { return e.srv.URL + path }

func (e *endpoint) rewrite(b []byte) []byte {
	for _, h := range e.hosts {
		b = bytes.ReplaceAll(b, []byte(h), []byte(e.srv.URL))
	}
	return b
}

func (e *endpoint) read(rel string) []byte {
	e.tb.Helper()
	b, err := os.ReadFile(filepath.Join(realdata, rel))
	if err != nil {
		e.tb.Fatal(err)
	}
	return e.rewrite(b)
}

// addObjects adds one object or an array of objects (JSON) by their ids.
func (e *endpoint) addObjects(b []byte) {
	e.tb.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		e.tb.Fatalf("sample: %v", err)
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, x := range list {
		m := x.(map[string]any)
		p := e.path(m["id"].(string))
		if _, dup := e.objects[p]; !dup {
			e.order = append(e.order, p)
		}
		e.objects[p] = m
	}
}

func (e *endpoint) path(id string) string {
	u, err := url.Parse(id)
	if err != nil {
		e.tb.Fatal(err)
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// setObject replaces (or adds) an object.
func (e *endpoint) setObject(m map[string]any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.path(m["id"].(string))
	if _, ok := e.objects[p]; !ok {
		e.order = append(e.order, p)
	}
	e.objects[p] = m
}

func (e *endpoint) object(id string) map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.objects[e.path(id)]
}

func (e *endpoint) json(path string, status int, body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.static[path] = staticResp{status: status, body: body}
}

func (e *endpoint) list(path string, spec listSpec) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lists[path] = spec
}

func (e *endpoint) hitCount(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[path]
}

func typeName(m map[string]any) string {
	t, _ := m["type"].(string)
	return t[strings.LastIndex(t, "/")+1:]
}

// parseSince reads modified_since leniently: encoded or not, "+" decoded to a space.
func parseSince(raw string) (time.Time, bool, error) {
	i := strings.Index(raw, "modified_since=")
	if i < 0 {
		return time.Time{}, false, nil
	}
	v := raw[i+len("modified_since="):]
	if j := strings.Index(v, "&"); j >= 0 {
		v = v[:j]
	}
	encoded := strings.Contains(v, "%")
	if s, err := url.QueryUnescape(v); err == nil && encoded {
		v = s
	}
	v = strings.ReplaceAll(v, " ", "+")
	t, err := time.Parse(time.RFC3339, v)
	return t, encoded, err
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	if e.onRequest != nil {
		e.onRequest(r)
	}
	key := r.URL.Path
	if r.URL.RawQuery != "" && !strings.Contains(r.URL.RawQuery, "modified_since") && !strings.Contains(r.URL.RawQuery, "page=") {
		key += "?" + r.URL.RawQuery
	}
	e.mu.Lock()
	e.hits[key]++
	if e.fail500[key] > 0 {
		e.fail500[key]--
		e.mu.Unlock()
		http.Error(w, `{"type":"https://schema.oparl.org/1.1/Error","message":"Interner Fehler"}`, http.StatusInternalServerError)
		return
	}
	st, isStatic := e.static[key]
	spec, isList := e.lists[r.URL.Path]
	isList = isList && r.URL.Query().Get("id") == ""
	obj, isObj := e.objects[key]
	content, isFile := e.files[r.URL.Path]
	if !isFile && e.filePrefix != "" && strings.HasPrefix(r.URL.Path, e.filePrefix) {
		content, isFile = []byte("%PDF-1.4 "+r.URL.Path), true
	}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case isStatic:
		w.WriteHeader(st.status)
		w.Write(st.body)
	case isList:
		e.serveList(w, r, spec)
	case isObj:
		json.NewEncoder(w).Encode(obj)
	case isFile:
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(content)
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"type":"https://schema.oparl.org/1.1/Error","message":"Nicht gefunden"}`))
	}
}

func (e *endpoint) serveList(w http.ResponseWriter, r *http.Request, spec listSpec) {
	since, encoded, err := parseSince(r.URL.RawQuery)
	if err != nil {
		http.Error(w, `{"message":"bad modified_since"}`, http.StatusBadRequest)
		return
	}
	if encoded && e.rejectEncoded {
		http.Error(w, `{"message":"Ungültiger Parameter"}`, http.StatusBadRequest)
		return
	}
	filtered := !since.IsZero()
	e.mu.Lock()
	var items []map[string]any
	for _, p := range e.order {
		o := e.objects[p]
		t := typeName(o)
		match := false
		for _, want := range spec.types {
			if t == want || (t == "" && o["deleted"] == true && want == spec.types[0]) {
				match = true
			}
		}
		if !match {
			continue
		}
		deleted, _ := o["deleted"].(bool)
		if filtered {
			mod, err := time.Parse(time.RFC3339, o["modified"].(string))
			if err != nil || mod.Before(since) {
				continue
			}
		} else if deleted && !spec.includeDeletedUnfiltered {
			continue
		}
		items = append(items, o)
	}
	e.mu.Unlock()
	if filtered && len(items) == 0 {
		switch {
		case spec.empty404:
			w.WriteHeader(http.StatusNotFound)
			w.Write(e.read("krefeld-sternberg-sdnetrim-1.0/empty-filtered-list-404-error-802.json"))
			return
		case spec.bareEmpty:
			w.Write(e.read("krefeld-sternberg-sdnetrim-1.0/empty-filtered-list-as-bare-array.json"))
			return
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	from := (page - 1) * e.pageSize
	to := min(from+e.pageSize, len(items))
	from = min(from, to)
	links := map[string]any{}
	if to < len(items) {
		q := r.URL.RawQuery
		if strings.Contains(q, "page=") {
			q = q[:strings.Index(q, "page=")]
			q = strings.TrimSuffix(q, "&")
		}
		next := e.srv.URL + r.URL.Path + "?"
		if q != "" {
			next += q + "&"
		}
		links["next"] = next + "page=" + strconv.Itoa(page+1)
	}
	json.NewEncoder(w).Encode(map[string]any{
		"data":       items[from:to],
		"pagination": map[string]any{"totalElements": len(items), "elementsPerPage": e.pageSize, "currentPage": page},
		"links":      links,
	})
}

// snapshot reads everything the store holds (system viewer, tombstones
// included) with every local ID replaced by the external id of its object,
// so that stores with different IDs compare equal.
func snapshot(tb testing.TB, db ratsnetz.Store) map[string]any {
	tb.Helper()
	return snapshotAs(tb, db, ratsnetz.SystemContext(context.Background()), true)
}

// snapshotAs is snapshot as the viewer in ctx sees it.
func snapshotAs(tb testing.TB, db ratsnetz.Store, ctx context.Context, withDeleted bool) map[string]any {
	tb.Helper()
	lo := func(after int64) ratsnetz.ListOptions {
		return ratsnetz.ListOptions{Limit: 1000, After: after, WithDeleted: withDeleted}
	}
	raw := map[string][]any{}
	collect := func(kind string, fetch func(after int64) ([]any, int64, error)) {
		after := int64(-1)
		for {
			xs, last, err := fetch(after)
			if err != nil {
				tb.Fatalf("snapshot %s: %v", kind, err)
			}
			raw[kind] = append(raw[kind], xs...)
			if len(xs) < 1000 {
				return
			}
			after = last
		}
	}
	page := func(n int, last func(int) int64, get func(int) any) ([]any, int64) {
		out := make([]any, n)
		var l int64
		for i := 0; i < n; i++ {
			out[i] = get(i)
			l = last(i)
		}
		return out, l
	}
	collect(ratsnetz.KindBody, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindLegislativeTerm, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindLegislativeTerms(ctx, ratsnetz.LegislativeTermFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindLocation, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindLocations(ctx, ratsnetz.LocationFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindOrganization, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindOrganizations(ctx, ratsnetz.OrganizationFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindPerson, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindPersons(ctx, ratsnetz.PersonFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindMembership, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindMemberships(ctx, ratsnetz.MembershipFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindMeeting, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindMeetings(ctx, ratsnetz.MeetingFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindAgendaItem, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindPaper, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindPapers(ctx, ratsnetz.PaperFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindConsultation, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindConsultations(ctx, ratsnetz.ConsultationFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})
	collect(ratsnetz.KindFile, func(a int64) ([]any, int64, error) {
		xs, _, err := db.FindFiles(ctx, ratsnetz.FileFilter{ListOptions: lo(a)})
		o, l := page(len(xs), func(i int) int64 { return xs[i].ID }, func(i int) any { return xs[i] })
		return o, l, err
	})

	// Generic form: JSON maps.
	ext := map[string]map[int64]string{}
	maps := map[string][]map[string]any{}
	for kind, xs := range raw {
		ext[kind] = map[int64]string{}
		for _, x := range xs {
			b, err := json.Marshal(x)
			if err != nil {
				tb.Fatal(err)
			}
			var m map[string]any
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			if err := d.Decode(&m); err != nil {
				tb.Fatal(err)
			}
			id, _ := m["ID"].(json.Number).Int64()
			e, _ := m["ExternalID"].(string)
			if e == "" {
				e = fmt.Sprintf("local:%d", id)
			}
			ext[kind][id] = e
			m["ID"] = e
			maps[kind] = append(maps[kind], m)
		}
	}
	name := func(kind string, v any) any {
		n, ok := v.(json.Number)
		if !ok {
			return v
		}
		id, _ := n.Int64()
		if id == 0 {
			return ""
		}
		if e, ok := ext[kind][id]; ok {
			return e
		}
		// A reference to an object never loaded: name it by its external id.
		if sdb, ok := db.(*sqlstore.DB); ok {
			var e string
			q := `SELECT external_id FROM import_external_ids WHERE kind = ? AND id = ?`
			if sdb.Dialect().Numbered {
				q = `SELECT external_id FROM import_external_ids WHERE kind = $1 AND id = $2`
			}
			if err := sdb.ReadDB().QueryRow(q, kind, id).Scan(&e); err == nil {
				return "unloaded " + e
			}
		}
		return fmt.Sprintf("dangling %s:%d", kind, id)
	}
	var convert func(m map[string]any)
	convert = func(m map[string]any) {
		for k, v := range m {
			if nested, ok := v.(map[string]any); ok {
				convert(nested)
				continue
			}
			fk, ok := fieldKind(k)
			if !ok {
				if list, isList := v.([]any); isList {
					for _, x := range list {
						if nested, ok := x.(map[string]any); ok {
							convert(nested)
						}
					}
				}
				continue
			}
			if list, isList := v.([]any); isList {
				var names []string
				for _, x := range list {
					names = append(names, fmt.Sprint(name(fk, x)))
				}
				if strings.HasSuffix(k, "PaperIDs") && k != "RelatedPaperIDs" || k == "MeetingIDs" || k == "AgendaItemIDs" {
					sort.Strings(names)
				}
				m[k] = names
			} else {
				m[k] = name(fk, v)
			}
		}
	}
	out := map[string]any{}
	for kind, ms := range maps {
		for _, m := range ms {
			convert(m)
			out[kind+" "+fmt.Sprint(m["ID"])] = m
		}
	}
	return out
}

// fieldKind tells which kind an ID field of a domain struct points to.
func fieldKind(field string) (string, bool) {
	if !strings.HasSuffix(field, "ID") && !strings.HasSuffix(field, "IDs") {
		return "", false
	}
	switch {
	case field == "ID":
		return "self", false
	case field == "AccountID":
		return "", false
	case strings.Contains(field, "Body"):
		return ratsnetz.KindBody, true
	case strings.Contains(field, "File"):
		return ratsnetz.KindFile, true
	case strings.Contains(field, "Location"):
		return ratsnetz.KindLocation, true
	case strings.Contains(field, "Paper"):
		return ratsnetz.KindPaper, true
	case strings.Contains(field, "Meeting"):
		return ratsnetz.KindMeeting, true
	case strings.Contains(field, "AgendaItem"):
		return ratsnetz.KindAgendaItem, true
	case strings.Contains(field, "Consultation"):
		return ratsnetz.KindConsultation, true
	case strings.Contains(field, "Person"), field == "ParticipantIDs":
		return ratsnetz.KindPerson, true
	case strings.Contains(field, "Organization"), field == "SubOrganizationOfID", field == "OnBehalfOfID", field == "UnderDirectionOfIDs":
		return ratsnetz.KindOrganization, true
	}
	return "", false
}

// memBlobs is an in-memory BlobStore (the disk store syncs every file, which
// makes tests with hundreds of files slow on shared machines).
type memBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemBlobs() *memBlobs { return &memBlobs{m: map[string][]byte{}} }

func (s *memBlobs) Put(ctx context.Context, key string, r io.Reader) (ratsnetz.BlobInfo, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return ratsnetz.BlobInfo{}, err
	}
	s.mu.Lock()
	s.m[key] = b
	s.mu.Unlock()
	return blobInfo(key, b), nil
}

func blobInfo(key string, b []byte) ratsnetz.BlobInfo {
	s256 := sha256.Sum256(b)
	s512 := sha512.Sum512(b)
	return ratsnetz.BlobInfo{Key: key, Size: int64(len(b)), SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:])}
}

type memBlob struct {
	*bytes.Reader
	info ratsnetz.BlobInfo
}

func (b memBlob) Close() error            { return nil }
func (b memBlob) Info() ratsnetz.BlobInfo { return b.info }

func (s *memBlobs) Open(ctx context.Context, key string) (ratsnetz.Blob, error) {
	s.mu.Lock()
	b, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Datei nicht gefunden.")
	}
	return memBlob{Reader: bytes.NewReader(b), info: blobInfo(key, b)}, nil
}

func (s *memBlobs) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}
