package oparl

import (
	"context"
	"fmt"

	"github.com/ratsnetz/ratsnetz"
)

// Stored documents: a read model of the rendered public JSON of every
// meeting (with its embedded agenda items, files and location) and every
// paper (with its consultations, files and locations) — the two kinds whose
// list pages load thousands of embedded rows. A list page or object then
// concatenates stored fragments instead of rendering them.
//
// Output is always what the live render gives: a store returns a set's
// documents only while the data version (bumped by every write of council
// data) equals the version the set was completed at, in the same statement
// (sqlstore/oparl_docs.go). Anything missing — the set stale after a write,
// an object without a document, a document whose id or times do not match
// the object the list query returned — is rendered live. The list query
// still decides which objects a page holds (visibility, keyset, filters);
// a document only replaces the rendering of an object that query returned.
//
// A set is keyed by kind, docFormat, the program build (Config.Build) and
// the base URL, so a changed binary or RATSNETZ_BASE_URL never uses
// documents another one rendered. BuildDocs renders the sets again after
// every data change (app/oparl_docs.go runs it in the background, `ratsnetz
// oparl docs` by hand).

// docFormat is part of every set key; a change of how a stored kind is
// rendered in a build without Config.Build set (tests) needs a new value.
const docFormat = "2"

// docKinds are the kinds with stored documents.
var docKinds = []string{kindMeeting, kindPaper}

// DocStore is optionally implemented by a Store that keeps stored
// documents (sqlstore does; see sqlstore/oparl_docs.go for the contract).
type DocStore interface {
	// OParlDocState returns the data version the set key was completed at
	// (0: never, or a pass is running) and the current data version.
	OParlDocState(ctx context.Context, key string) (built, current int64, err error)
	// BeginOParlDocs starts a pass for data version pass; the set is not
	// served until FinishOParlDocs.
	BeginOParlDocs(ctx context.Context, key string, pass int64) error
	// PutOParlDocs stores documents of the pass; false when another pass
	// has begun since (nothing stored).
	PutOParlDocs(ctx context.Context, key string, pass int64, docs map[int64][]byte) (bool, error)
	// FinishOParlDocs drops the documents the pass did not write and serves
	// the set while the data version equals pass; false when another pass
	// has begun since.
	FinishOParlDocs(ctx context.Context, key string, pass int64) (bool, error)
	// FindOParlDocs returns the documents of ids in the set key, or none
	// when the set is not complete at the current data version.
	FindOParlDocs(ctx context.Context, key string, ids []int64) (map[int64][]byte, error)
}

// RowListStore is optionally implemented by a ListStore whose meeting and
// paper list queries can leave out the reference lists (organizations,
// participants, files, paper references): a page served from stored
// documents needs only the rows; the references are loaded for the objects
// rendered live (sqlstore does).
type RowListStore interface {
	// FindOParlMeetingRows is FindOParlMeetings without the reference
	// lists unless complete.
	FindOParlMeetingRows(ctx context.Context, f ratsnetz.MeetingFilter) (ms []*ratsnetz.Meeting, complete bool, err error)
	// FillOParlMeetingRefs adds the reference lists to such rows.
	FillOParlMeetingRefs(ctx context.Context, ms []*ratsnetz.Meeting) error
	// FindOParlPaperRows is FindOParlPapers without the reference lists
	// unless complete.
	FindOParlPaperRows(ctx context.Context, f ratsnetz.PaperFilter) (ps []*ratsnetz.Paper, complete bool, err error)
	// FillOParlPaperRefs adds the reference lists to such rows.
	FillOParlPaperRefs(ctx context.Context, ps []*ratsnetz.Paper) error
}

// rowStore returns the store as a RowListStore when a list page of rd may
// be served from stored documents.
func (r *renderer) rowStore() (RowListStore, bool) {
	if r.s.docs == nil || r.live || r.omitInternal {
		return nil, false
	}
	rs, ok := r.s.store.(RowListStore)
	return rs, ok
}

// fillShallow loads the reference lists of list rows about to be rendered
// live (renderer.shallow).
func fillShallow[T any](ctx context.Context, r *renderer, items []T, meta func(T) ratsnetz.Meta, fill func(context.Context, []T) error) error {
	if !r.shallow {
		return nil
	}
	var live []T
	for _, it := range items {
		if !meta(it).Deleted {
			live = append(live, it)
		}
	}
	if err := fill(ctx, live); err != nil {
		return wrap(err, "find references of %d objects", len(live))
	}
	return nil
}

// docKey is the key of the document set of kind for this server.
func (s *Server) docKey(kind string) string {
	return kind + " " + docFormat + " " + s.build + " " + s.portal
}

// docOf decodes the stored blob of the object m: nil unless it is in the
// compressed layout (deflate.go) and its id and created/modified are those
// of the row the list query returned.
func docOf(m ratsnetz.Meta, blob []byte) *storedDoc {
	d, err := decodeDoc(blob)
	if err != nil || !d.matches(metaTimes{id: m.ID, created: m.Created.Unix(), modified: m.Modified.Unix()}) {
		return nil
	}
	return d
}

// withDocs renders items like live, taking the stored document of each
// object that has a valid one. live must return one value per item in
// order (the meeting and paper renderers do).
func withDocs[T any](ctx context.Context, r *renderer, kind string, items []T,
	meta func(T) ratsnetz.Meta, live func(context.Context, []T) ([]any, error),
) ([]any, error) {
	ds := r.s.docs
	if ds == nil || r.live || r.omitInternal {
		return live(ctx, items)
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if m := meta(it); !m.Deleted {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return live(ctx, items)
	}
	docs, err := ds.FindOParlDocs(ctx, r.s.docKey(kind), ids)
	if err != nil {
		// The live render is always right; a broken read model only costs time.
		r.s.logger.Warn("oparl: stored documents not readable, rendering live", "kind", kind, "err", err)
		return live(ctx, items)
	}
	out := make([]any, len(items))
	var rest []T
	var restAt []int
	for i, it := range items {
		m := meta(it)
		if b := docs[m.ID]; b != nil && !m.Deleted {
			if d := docOf(m, b); d != nil {
				out[i] = d
				continue
			}
		}
		rest = append(rest, it)
		restAt = append(restAt, i)
	}
	if len(rest) == 0 {
		return out, nil
	}
	v, err := live(ctx, rest)
	if err != nil {
		return nil, err
	}
	if len(v) != len(rest) {
		return live(ctx, items)
	}
	for j, x := range v {
		out[restAt[j]] = x
	}
	return out, nil
}

// BuildStats reports one BuildDocs call.
type BuildStats struct {
	// Kinds are the kinds rendered again (empty: everything was current).
	Kinds []string
	// Objects counts the documents written, JSONBytes their JSON and
	// Bytes what is stored (compressed, deflate.go).
	Objects, JSONBytes, Bytes int64
	// Superseded is set when another pass took over a set (another
	// instance or the rebuild command); its documents are that pass's.
	Superseded bool
}

// docPage is how many objects BuildDocs renders and stores at a time.
const docPage = 100

// BuildDocs brings the stored documents up to date: every kind whose set
// is not complete at the current data version is rendered again, object by
// object as the anonymous public sees it. Without a DocStore or a build
// identity (Config.Build) it does nothing. Safe to run beside serving and
// beside other builders (see DocStore).
func (s *Server) BuildDocs(ctx context.Context) (BuildStats, error) {
	var st BuildStats
	if s.docs == nil {
		return st, nil
	}
	ctx = ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{}) // the public, always
	for _, kind := range docKinds {
		key := s.docKey(kind)
		built, current, err := s.docs.OParlDocState(ctx, key)
		if err != nil {
			return st, err
		}
		if built == current && built != 0 {
			continue
		}
		st.Kinds = append(st.Kinds, kind)
		// current was read before anything is rendered: the documents
		// show this version's data or a later one, and are served only
		// while the data version still equals it.
		if err := s.docs.BeginOParlDocs(ctx, key, current); err != nil {
			return st, err
		}
		ok, err := s.buildKind(ctx, kind, key, current, &st)
		if err != nil {
			return st, err
		}
		if ok {
			ok, err = s.docs.FinishOParlDocs(ctx, key, current)
			if err != nil {
				return st, err
			}
		}
		if !ok {
			st.Superseded = true
		}
	}
	return st, nil
}

// buildKind renders every public object of kind, body by body in keyset
// pages, and stores the documents; false when another pass took the set.
func (s *Server) buildKind(ctx context.Context, kind, key string, pass int64, st *BuildStats) (bool, error) {
	bodies, err := scanAll(ctx, func(ctx context.Context, o ratsnetz.ListOptions) ([]*ratsnetz.Body, error) {
		v, _, err := s.store.FindBodies(ctx, ratsnetz.BodyFilter{ListOptions: o})
		return v, err
	})
	if err != nil {
		return false, wrap(err, "find bodies")
	}
	rd := &renderer{s: s, live: true}
	var dw docWriter
	metas := make(map[int64]ratsnetz.Meta, docPage)
	for _, b := range bodies {
		after := int64(-1)
		// The document before the next one in the list (deflate.go: the
		// chained fragment is compressed against it and a comma).
		var predID int64
		var pred []byte
		for {
			if err := ctx.Err(); err != nil {
				return false, err
			}
			o := ratsnetz.ListOptions{After: after, Limit: docPage}
			var data []any
			var last int64
			var n int
			switch kind {
			case kindMeeting:
				ms, err := s.findMeetings(ctx, ratsnetz.MeetingFilter{BodyID: b.ID, ListOptions: o})
				if err != nil {
					return false, wrap(err, "find meetings of body %d", b.ID)
				}
				if n = len(ms); n > 0 {
					last = ms[n-1].ID
				}
				for _, m := range ms {
					metas[m.ID] = m.Meta
				}
				data, err = rd.meetingsLive(ctx, ms)
				if err != nil {
					return false, err
				}
			case kindPaper:
				ps, err := s.findPapers(ctx, ratsnetz.PaperFilter{BodyID: b.ID, ListOptions: o})
				if err != nil {
					return false, wrap(err, "find papers of body %d", b.ID)
				}
				if n = len(ps); n > 0 {
					last = ps[n-1].ID
				}
				for _, p := range ps {
					metas[p.ID] = p.Meta
				}
				data, err = rd.papersLive(ctx, ps)
				if err != nil {
					return false, err
				}
			default:
				return false, fmt.Errorf("oparl: no stored documents for %s", kind)
			}
			docs := make(map[int64][]byte, len(data))
			for _, v := range data {
				var id string
				switch j := v.(type) {
				case *jsonMeeting:
					id = j.ID
				case *jsonPaper:
					id = j.ID
				default: // tombstones are not stored
					predID = 0
					continue
				}
				objID, ok := s.idOf(kind, id)
				m, known := metas[objID]
				if !ok || !known {
					predID = 0
					continue
				}
				raw := appendJSON(nil, v)
				doc, err := dw.encodeDoc(objID, m.Created, m.Modified, raw, predID, pred)
				if err != nil {
					return false, fmt.Errorf("oparl: compress %s %d: %w", kind, objID, err)
				}
				predID, pred = objID, raw
				docs[objID] = doc
				st.Objects++
				st.JSONBytes += int64(len(raw))
				st.Bytes += int64(len(doc))
			}
			clear(metas)
			if len(docs) > 0 {
				ok, err := s.docs.PutOParlDocs(ctx, key, pass, docs)
				if err != nil || !ok {
					return false, err
				}
			}
			if n < docPage {
				break
			}
			after = last
		}
	}
	return true, nil
}

// idOf parses the object ID out of a canonical URL of kind.
func (s *Server) idOf(kind, u string) (int64, bool) {
	prefix := s.base + "/" + kind + "/"
	if len(u) <= len(prefix) || u[:len(prefix)] != prefix {
		return 0, false
	}
	var id int64
	for _, c := range u[len(prefix):] {
		if c < '0' || c > '9' {
			return 0, false
		}
		id = id*10 + int64(c-'0')
	}
	return id, id > 0
}

// findMeetings is the meeting list query (ListStore when the store has it).
func (s *Server) findMeetings(ctx context.Context, f ratsnetz.MeetingFilter) ([]*ratsnetz.Meeting, error) {
	if l, ok := s.store.(ListStore); ok {
		return l.FindOParlMeetings(ctx, f)
	}
	v, _, err := s.store.FindMeetings(ctx, f)
	return v, err
}

// findPapers is the paper list query (ListStore when the store has it).
func (s *Server) findPapers(ctx context.Context, f ratsnetz.PaperFilter) ([]*ratsnetz.Paper, error) {
	if l, ok := s.store.(ListStore); ok {
		return l.FindOParlPapers(ctx, f)
	}
	v, _, err := s.store.FindPapers(ctx, f)
	return v, err
}
