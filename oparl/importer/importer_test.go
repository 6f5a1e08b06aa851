package importer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

const (
	karlsruheHost = "https://web1.karlsruhe.de"
	karlsruheBase = "/oparl/bodies/0001"
)

// clock is an injected, manually advanced clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// karlsruhe serves the recorded SessionNet data of Karlsruhe behind a
// synthetic System, Body and paginated lists (50 per page).
func karlsruhe(tb testing.TB) *endpoint { return karlsruheN(tb, 0) }

// karlsruheN serves the first n meetings and 5n papers (all with n = 0),
// the consultations of those papers and all organizations: a smaller city
// for the tests that import several times.
func karlsruheN(tb testing.TB, n int) *endpoint {
	tb.Helper()
	e := newEndpoint(tb, karlsruheHost)
	dir := "karlsruhe-somacos-sessionnet-1.1"
	e.addObjects(e.read(dir + "/organizations.json"))
	papers := map[string]bool{}
	for _, sub := range []string{"meetings", "papers"} {
		names, err := filepath.Glob(filepath.Join(realdata, dir, sub, "*.json"))
		if err != nil || len(names) == 0 {
			tb.Fatalf("samples %s: %v", sub, err)
		}
		for i, name := range names {
			base := filepath.Base(name)
			limit := n
			if sub == "papers" {
				limit = 5 * n
			}
			// The papers the incremental test changes are always there.
			if n > 0 && i >= limit && base != "46037.json" && base != "54145.json" {
				continue
			}
			if sub == "papers" {
				papers[e.url(karlsruheBase+"/papers/vo/"+strings.TrimSuffix(base, ".json"))] = true
			}
			e.addObjects(e.read(filepath.Join(dir, sub, base)))
		}
	}
	var cons []map[string]any
	if err := json.Unmarshal(e.read(dir+"/consultations.json"), &cons); err != nil {
		tb.Fatal(err)
	}
	for _, c := range cons {
		if p, _ := c["paper"].(string); n == 0 || papers[p] {
			e.setObject(c)
		}
	}
	u := e.url
	e.json("/oparl/system", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":%q,"name":"Testsystem Karlsruhe","vendor":"https://www.somacos.de"}`,
		u("/oparl/system"), u("/oparl/bodies"))))
	e.setObject(map[string]any{
		"id": u(karlsruheBase), "type": "https://schema.oparl.org/1.1/Body", "name": "Stadt Karlsruhe",
		"shortName": "Karlsruhe", "ags": "8212000", "legislativeTerm": []any{},
		"organization": u(karlsruheBase + "/organizations"), "person": u(karlsruheBase + "/people"),
		"meeting": u(karlsruheBase + "/meetings"), "paper": u(karlsruheBase + "/papers"),
		"consultation": u(karlsruheBase + "/consultations"),
		"location": map[string]any{
			"id": u(karlsruheBase + "/locations/body"), "type": "https://schema.oparl.org/1.1/Location",
			"description": "Rathaus am Marktplatz",
			// [lat, lon] as in Sternberg bodies and the spec's own examples.
			"geojson": map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []any{49.0093, 8.4037}}},
		},
		"created": "2020-01-01T00:00:00+01:00", "modified": "2020-01-01T00:00:00+01:00",
	})
	e.list("/oparl/bodies", listSpec{types: []string{"Body"}})
	e.list(karlsruheBase+"/organizations", listSpec{types: []string{"Organization"}})
	e.list(karlsruheBase+"/people", listSpec{types: []string{"Person"}})
	e.list(karlsruheBase+"/meetings", listSpec{types: []string{"Meeting"}})
	e.list(karlsruheBase+"/papers", listSpec{types: []string{"Paper"}, includeDeletedUnfiltered: true})
	e.list(karlsruheBase+"/consultations", listSpec{types: []string{"Consultation"}})
	e.filePrefix = karlsruheBase + "/downloadfiles/"
	return e
}

func runImport(tb testing.TB, ctx context.Context, e *endpoint, db *sqlstore.DB, mod func(*importer.Options)) (*importer.Report, error) {
	tb.Helper()
	opts := importer.Options{
		URL: e.url("/oparl/system"), Store: visChecked(tb, db), Client: e.srv.Client(),
		Backoff: time.Millisecond, Now: func() time.Time { return time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC) },
	}
	if mod != nil {
		mod(&opts)
	}
	return importer.Run(ctx, opts)
}

func mustImport(tb testing.TB, e *endpoint, db *sqlstore.DB, mod func(*importer.Options)) *importer.Report {
	tb.Helper()
	rep, err := runImport(tb, context.Background(), e, db, mod)
	if err != nil {
		var buf bytes.Buffer
		if rep != nil {
			rep.Write(&buf)
		}
		tb.Fatalf("import: %v\n%s", err, buf.String())
	}
	return rep
}

func sys() context.Context { return ratsnetz.SystemContext(context.Background()) }

// localID returns the local ID of an imported object by its OParl id.
func localID(tb testing.TB, db *sqlstore.DB, kind, ext string) int64 {
	tb.Helper()
	ids, err := db.ResolveExternalIDs(sys(), kind, []string{ext})
	if err != nil {
		tb.Fatal(err)
	}
	return ids[ext]
}

func TestImportKarlsruhe(t *testing.T) {
	e := karlsruhe(t)
	db := MustOpenDB(t)
	blobs := newMemBlobs()
	var progress bytes.Buffer
	rep := mustImport(t, e, db, func(o *importer.Options) {
		o.Blobs, o.FetchFiles, o.Progress = blobs, true, &progress
	})

	wantObjects := map[string]int{
		ratsnetz.KindBody: 1, ratsnetz.KindOrganization: 97, ratsnetz.KindMeeting: 31,
		ratsnetz.KindPaper: 215, ratsnetz.KindAgendaItem: 273, ratsnetz.KindConsultation: 536,
		ratsnetz.KindFile: 654, ratsnetz.KindLocation: 49,
	}
	if diff := cmp.Diff(wantObjects, rep.Objects); diff != "" {
		t.Errorf("objects per kind (-want +got):\n%s", diff)
	}
	if got := rep.Deleted[ratsnetz.KindPaper]; got != 15 {
		t.Errorf("deleted papers = %d, want 15", got)
	}
	if rep.Files != 654 {
		t.Errorf("files fetched = %d, want 654", rep.Files)
	}
	for q, want := range map[string]int{
		// every meeting numbers its agenda from 1
		importer.QuirkAgendaOrder:         29,
		importer.QuirkTombstoneUnfiltered: 15,
		// consultations point at 166 meetings, 311 agenda items and 257 papers outside the sample
		importer.QuirkLinkedObjectMissing: 166 + 311 + 257,
		importer.QuirkSwappedCoordinates:  1,
		importer.QuirkNormalizedValue:     1, // 7-digit ags
	} {
		if got := rep.Quirks[q]; got != want {
			t.Errorf("quirk %s = %d, want %d", q, got, want)
		}
	}
	if !strings.Contains(progress.String(), "Import:") {
		t.Errorf("no progress output: %q", progress.String())
	}
	var summary bytes.Buffer
	if err := rep.Write(&summary); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sitzungen", "31", "linked-object-missing", "agenda-order-normalized", "/meetings/10747"} {
		if !strings.Contains(summary.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.String())
		}
	}

	// Field by field: one paper with files and its Beratungsfolge.
	ctx := sys()
	pid := localID(t, db, ratsnetz.KindPaper, e.url(karlsruheBase+"/papers/vo/46037"))
	p, err := db.FindPaperByID(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Reference != "2021/1342" || p.PaperType != "Beschlussvorlage" || !p.Public ||
		p.Date != time.Date(2021, 11, 8, 0, 0, 0, 0, time.UTC) || len(p.AuxiliaryFileIDs) != 4 ||
		len(p.SuperordinatedPaperIDs) != 1 || len(p.UnderDirectionOfIDs) != 1 ||
		p.ExternalID != e.url(karlsruheBase+"/papers/vo/46037") {
		t.Errorf("paper 46037 = %+v", p)
	}
	if want := time.Date(2025, 3, 3, 13, 30, 52, 0, time.UTC); !p.Modified.Equal(want) {
		t.Errorf("paper modified = %v, want %v", p.Modified, want)
	}
	cs, _, err := db.FindConsultations(ctx, ratsnetz.ConsultationFilter{PaperID: pid})
	if err != nil || len(cs) != 1 || cs[0].Role != "Entscheidung" || !cs[0].Authoritative || len(cs[0].OrganizationIDs) != 1 {
		t.Errorf("consultations of 46037 = %+v, %v", cs, err)
	}
	f, err := db.FindFileByID(ctx, p.AuxiliaryFileIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4 " + karlsruheBase + "/downloadfiles/a/00633328.pdf")
	sum := sha256.Sum256(content)
	if f.Name != "Hebesatzsatzung" || f.MimeType != "application/pdf" || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(content)) || f.BlobKey == "" {
		t.Errorf("file = %+v", f)
	}
	b, err := blobs.Open(ctx, f.BlobKey)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(b)
	b.Close()
	if !bytes.Equal(got, content) {
		t.Errorf("blob = %q, want %q", got, content)
	}

	// Agenda of meeting 10442: order normalized to 0…7, TOP 2 treats paper 54489.
	mid := localID(t, db, ratsnetz.KindMeeting, e.url(karlsruheBase+"/meetings/10442"))
	items, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: mid})
	if err != nil || len(items) != 8 {
		t.Fatalf("agenda = %d items, %v", len(items), err)
	}
	for i, it := range items {
		if it.Order != i || it.Number != fmt.Sprint(i+1) {
			t.Errorf("item %d: order %d number %q", i, it.Order, it.Number)
		}
	}
	if want := localID(t, db, ratsnetz.KindPaper, e.url(karlsruheBase+"/papers/vo/54489")); items[1].PaperID != want || want == 0 {
		t.Errorf("TOP 2 paper = %d, want %d", items[1].PaperID, want)
	}
	if items[1].Result != "mehrheitlich beschlossen" {
		t.Errorf("TOP 2 result = %q", items[1].Result)
	}
	m, err := db.FindMeetingByID(ctx, mid)
	if err != nil {
		t.Fatal(err)
	}
	if m.InvitationFileID == 0 || len(m.AuxiliaryFileIDs) != 1 || m.LocationID == 0 || len(m.OrganizationIDs) != 1 ||
		!m.Start.Equal(time.Date(2026, 6, 17, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("meeting 10442 = %+v", m)
	}
	// The body location came as [lat, lon] and is swapped.
	bodies, _, _ := db.FindBodies(ctx, ratsnetz.BodyFilter{})
	if len(bodies) != 1 || bodies[0].AGS != "08212000" {
		t.Fatalf("bodies = %+v", bodies)
	}
	loc, err := db.FindLocationByID(ctx, bodies[0].LocationID)
	if err != nil || !loc.HasGeo || loc.Lat != 49.0093 || loc.Lon != 8.4037 {
		t.Errorf("body location = %+v, %v", loc, err)
	}
	// Tombstones: deleted papers are stored as deleted.
	dp, err := db.FindPaperByID(ctx, localID(t, db, ratsnetz.KindPaper, e.url(karlsruheBase+"/papers/vo/51550")))
	if err != nil || !dp.Deleted {
		t.Errorf("deleted paper = %+v, %v", dp, err)
	}

	// Imported data is public: the anonymous public sees the paper.
	if _, err := db.FindPaperByID(context.Background(), pid); err != nil {
		t.Errorf("public view of imported paper: %v", err)
	}

	// Idempotent: a second run asks only for changes, finds none and
	// changes nothing; linked objects known to be missing are not asked again.
	before := snapshot(t, db)
	missingHits := e.hitCount(karlsruheBase + "/meetings/10747")
	rep2 := mustImport(t, e, db, func(o *importer.Options) {
		o.Blobs, o.FetchFiles = blobs, true
		o.Now = func() time.Time { return time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC) }
	})
	if rep2.Total() != 0 || rep2.Files != 0 {
		t.Errorf("second run loaded %d objects, %d files: %v", rep2.Total(), rep2.Files, rep2.Objects)
	}
	if got := e.hitCount(karlsruheBase + "/meetings/10747"); got != missingHits {
		t.Errorf("missing meeting asked again: %d → %d", missingHits, got)
	}
	if diff := cmp.Diff(before, snapshot(t, db)); diff != "" {
		t.Errorf("second run changed data (-before +after):\n%s", diff)
	}
	// A full re-crawl reloads everything and still changes nothing
	// (file contents are kept, not fetched again).
	rep3 := mustImport(t, e, db, func(o *importer.Options) {
		o.Blobs, o.FetchFiles, o.Full = blobs, true, true
	})
	if rep3.Total() == 0 || rep3.Files != 0 {
		t.Errorf("full run: %d objects, %d files", rep3.Total(), rep3.Files)
	}
	if diff := cmp.Diff(before, snapshot(t, db)); diff != "" {
		t.Errorf("full re-run changed data (-before +after):\n%s", diff)
	}
}

func TestIncremental(t *testing.T) {
	e := karlsruheN(t, 8)
	e.rejectEncoded = true // SessionNet rejects URL-encoded filter values
	e.lists[karlsruheBase+"/people"] = listSpec{types: []string{"Person"}, empty404: true}
	e.lists[karlsruheBase+"/organizations"] = listSpec{types: []string{"Organization"}, bareEmpty: true}
	db := MustOpenDB(t)
	t1 := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	mustImport(t, e, db, func(o *importer.Options) { o.Now = func() time.Time { return t1 } })

	changed := e.url(karlsruheBase + "/papers/vo/46037")
	gone := e.url(karlsruheBase + "/papers/vo/54145")
	p := e.object(changed)
	p2 := map[string]any{}
	for k, v := range p {
		p2[k] = v
	}
	p2["name"] = "Hebesatzsatzung (geändert)"
	p2["modified"] = "2026-09-01T15:00:00+02:00"
	e.setObject(p2)
	e.setObject(map[string]any{
		"id": gone, "type": "https://schema.oparl.org/1.1/Paper", "deleted": true,
		"created": "2025-01-01T10:00:00+01:00", "modified": "2026-09-01T16:00:00+02:00",
	})
	// OParl 1.0 style: an agenda item silently dropped from its meeting.
	mtg := e.object(e.url(karlsruheBase + "/meetings/10442"))
	m2 := map[string]any{}
	for k, v := range mtg {
		m2[k] = v
	}
	items := mtg["agendaItem"].([]any)
	m2["agendaItem"] = items[:len(items)-1]
	m2["modified"] = "2026-09-01T17:00:00+02:00"
	e.setObject(m2)
	before := snapshot(t, db)

	t2 := time.Date(2026, 9, 2, 12, 0, 0, 0, time.UTC)
	rep := mustImport(t, e, db, func(o *importer.Options) { o.Now = func() time.Time { return t2 } })
	if diff := cmp.Diff(map[string]int{ratsnetz.KindPaper: 2, ratsnetz.KindConsultation: 1, ratsnetz.KindFile: 6,
		ratsnetz.KindMeeting: 1, ratsnetz.KindAgendaItem: 8, ratsnetz.KindLocation: 1}, rep.Objects); diff != "" {
		t.Errorf("incremental objects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{ratsnetz.KindPaper: 1, ratsnetz.KindAgendaItem: 1}, rep.Deleted); diff != "" {
		t.Errorf("tombstones (-want +got):\n%s", diff)
	}
	if rep.Quirks[importer.QuirkVanished] != 1 {
		t.Errorf("vanished agenda item not reported: %v", rep.Quirks)
	}
	for _, q := range []string{importer.QuirkUnencodedQuery, importer.QuirkEmptyList404, importer.QuirkBareArrayList} {
		if rep.Quirks[q] == 0 {
			t.Errorf("quirk %s not reported: %v", q, rep.Quirks)
		}
	}
	after := snapshot(t, db)
	ctx := sys()
	got, err := db.FindPaperByID(ctx, localID(t, db, ratsnetz.KindPaper, changed))
	if err != nil || got.Name != "Hebesatzsatzung (geändert)" {
		t.Errorf("updated paper = %+v, %v", got, err)
	}
	del, err := db.FindPaperByID(ctx, localID(t, db, ratsnetz.KindPaper, gone))
	if err != nil || !del.Deleted {
		t.Errorf("tombstone = %+v, %v", del, err)
	}
	// Nothing else changed but the files of the deleted paper, which lost
	// their owner.
	var changedKeys []string
	for k, v := range after {
		if !cmp.Equal(before[k], v) {
			changedKeys = append(changedKeys, strings.ReplaceAll(k, e.srv.URL+karlsruheBase, ""))
		}
	}
	sort.Strings(changedKeys)
	wantChanged := []string{"agenda_item /agendaitems/101246", "file /files/675769", "file /files/676748", "file /files/677057",
		"meeting /meetings/10442", "paper /papers/vo/46037", "paper /papers/vo/54145"}
	if diff := cmp.Diff(wantChanged, changedKeys); diff != "" || len(after) != len(before) {
		t.Errorf("changed objects (-want +got):\n%s\n%d → %d objects", diff, len(before), len(after))
	}
	// The public no longer sees the deleted paper in lists.
	papers, _, err := db.FindPapers(context.Background(), ratsnetz.PaperFilter{Reference: "2025/0000"})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range papers {
		if x.ExternalID == gone {
			t.Errorf("deleted paper listed: %+v", x)
		}
	}
}

func TestResumeAfterInterruption(t *testing.T) {
	ref := MustOpenDB(t)
	refEndpoint := karlsruheN(t, 8)
	mustImport(t, refEndpoint, ref, nil)
	want := strip(snapshot(t, ref), refEndpoint.srv.URL).(map[string]any)

	e := karlsruheN(t, 8)
	e.pageSize = 10
	db := MustOpenDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupted when the paper list's third page is asked for: the next
	// page is fetched while one is stored, so by then its first page is
	// stored and the resumed run must not ask for it again. (Counting pages
	// of all lists made it depend on which list the concurrent walk reached.)
	var paperPages, firstPaperPages atomic.Int64
	e.onRequest = func(r *http.Request) {
		if r.URL.Path != karlsruheBase+"/papers" {
			return
		}
		if !strings.Contains(r.URL.RawQuery, "page=") {
			firstPaperPages.Add(1)
		} else if paperPages.Add(1) == 2 {
			cancel()
		}
	}
	_, err := runImport(t, ctx, e, db, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v", err)
	}
	partial := snapshot(t, db)
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Fatalf("interrupted run stored %d of %d objects", len(partial), len(want))
	}
	firstPages := firstPaperPages.Load()
	rep := mustImport(t, e, db, nil)
	if rep.Total() >= len(want) {
		t.Errorf("resumed run loaded %d objects, not less than all %d: did not resume", rep.Total(), len(want))
	}
	if firstPaperPages.Load() != firstPages {
		t.Errorf("resumed run restarted the paper list from its first page")
	}
	if diff := cmp.Diff(any(want), strip(snapshot(t, db), e.srv.URL)); diff != "" {
		t.Errorf("interrupted+resumed import differs from a straight one (-want +got):\n%s", diff)
	}
}

func TestRetryAfter500(t *testing.T) {
	e := karlsruheN(t, 8)
	e.fail500["/oparl/system"] = 2
	e.fail500[karlsruheBase+"/meetings"] = 1
	db := MustOpenDB(t)
	rep := mustImport(t, e, db, nil)
	if rep.Retries != 3 || rep.Quirks[importer.QuirkHTTPRetry] != 3 {
		t.Errorf("retries = %d, quirk count %d, want 3", rep.Retries, rep.Quirks[importer.QuirkHTTPRetry])
	}
	if rep.Objects[ratsnetz.KindMeeting] != 8 {
		t.Errorf("meetings = %d, want 8", rep.Objects[ratsnetz.KindMeeting])
	}

	// A server that keeps failing: bounded retries, the list is skipped and
	// reported, the rest imported; the next run tries the list again.
	e2 := bonn(t, "cc-egov-colon-after.json")
	e2.fail500["/public/oparl/meetings?body=1"] = 100
	db2 := MustOpenDB(t)
	withBonn := func(o *importer.Options) { o.URL, o.Retries = e2.url("/public/oparl/system"), 2 }
	rep2 := mustImport(t, e2, db2, withBonn)
	if got := e2.hitCount("/public/oparl/meetings?body=1"); got != 3 {
		t.Errorf("failing list asked %d times, want 3", got)
	}
	if rep2.Quirks[importer.QuirkRequestFailed] != 1 || rep2.Objects[ratsnetz.KindMeeting] != 0 || rep2.Objects[ratsnetz.KindBody] != 1 {
		t.Errorf("report: quirks %v objects %v", rep2.Quirks, rep2.Objects)
	}
	e2.fail500["/public/oparl/meetings?body=1"] = 0
	rep3 := mustImport(t, e2, db2, withBonn)
	if rep3.Objects[ratsnetz.KindMeeting] != 1 {
		t.Errorf("next run: objects %v", rep3.Objects)
	}
}

// bonn serves the ALLRIS 4 samples: the Body with "+01::00" offsets and
// date-times as dates, and the meeting whose auxiliaryFile is an object.
func bonn(tb testing.TB, bodyFile string) *endpoint {
	e := newEndpoint(tb, "https://www.bonn.sitzung-online.de")
	dir := "bonn-ccegov-allris4-1.1/"
	u := e.url
	e.json("/public/oparl/system", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":%q}`, u("/public/oparl/system"), u("/public/oparl/bodies"))))
	body := e.read(dir + bodyFile)
	e.json("/public/oparl/bodies", 200, []byte(`{"data":[`+string(body)+`],"pagination":{},"links":{}}`))
	e.addObjects(e.read(dir + "meeting-664-auxiliaryFile-as-object.json"))
	e.list("/public/oparl/meetings", listSpec{types: []string{"Meeting"}})
	for _, l := range []string{"organizations", "persons", "papers", "agendaItems", "consultations", "files", "locations", "legislativeTerms", "memberships"} {
		e.list("/public/oparl/"+l, listSpec{types: []string{"None"}})
	}
	return e
}

func TestQuirksBonn(t *testing.T) {
	e := bonn(t, "cc-egov-colon-before.json")
	db := MustOpenDB(t)
	rep := mustImport(t, e, db, func(o *importer.Options) { o.URL = e.url("/public/oparl/system") })
	for _, q := range []string{
		importer.QuirkBrokenOffset, importer.QuirkDateTimeAsDate, importer.QuirkObjectForArray,
		importer.QuirkAgendaOrder, importer.QuirkNormalizedValue, importer.QuirkPlaceholder,
	} {
		if rep.Quirks[q] == 0 {
			t.Errorf("quirk %s not reported: %v", q, rep.Quirks)
		}
	}
	ctx := sys()
	mid := localID(t, db, ratsnetz.KindMeeting, e.url("/public/oparl/meetings")+"?id=664")
	m, err := db.FindMeetingByID(ctx, mid)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.AuxiliaryFileIDs) != 1 || m.InvitationFileID == 0 {
		t.Fatalf("meeting 664 = %+v", m)
	}
	inv, err := db.FindFileByID(ctx, m.InvitationFileID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.MimeType != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" || inv.Size != 0 ||
		inv.Date != time.Date(2021, 4, 27, 0, 0, 0, 0, time.UTC) {
		t.Errorf("invitation = %+v", inv)
	}
	items, _, err := db.FindAgendaItems(ctx, ratsnetz.AgendaItemFilter{MeetingID: mid})
	if err != nil || len(items) != 1 || items[0].Order != 0 {
		t.Errorf("agenda = %+v, %v", items, err)
	}

	// The repaired version of the same Body gives the same objects.
	e2 := bonn(t, "cc-egov-colon-after.json")
	db2 := MustOpenDB(t)
	rep2 := mustImport(t, e2, db2, func(o *importer.Options) { o.URL = e2.url("/public/oparl/system") })
	if rep2.Quirks[importer.QuirkBrokenOffset] != 0 {
		t.Errorf("repaired body reports broken offsets")
	}
	norm := func(s map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range s {
			if strings.HasPrefix(k, ratsnetz.KindBody) || strings.HasPrefix(k, ratsnetz.KindLegislativeTerm) || strings.HasPrefix(k, ratsnetz.KindLocation) {
				out[strings.ReplaceAll(k, e2.srv.URL, "")] = v
			}
		}
		return out
	}
	a, b := norm(snapshot(t, db)), norm(snapshot(t, db2))
	if len(a) != 4 {
		t.Errorf("body objects = %d, want 4 (body, 2 terms, location)", len(a))
	}
	if diff := cmp.Diff(strip(b, e2.srv.URL), strip(a, e.srv.URL)); diff != "" {
		t.Errorf("broken and repaired body differ (-repaired +broken):\n%s", diff)
	}
	terms, _, _ := db.FindLegislativeTerms(ctx, ratsnetz.LegislativeTermFilter{})
	if len(terms) != 2 || terms[0].StartDate != time.Date(1971, 5, 4, 0, 0, 0, 0, time.UTC) {
		t.Errorf("terms = %+v", terms)
	}
}

// strip removes the server URL from every string, so that data served by
// two test servers compares equal.
func strip(v any, base string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, y := range x {
			out[strings.ReplaceAll(k, base, "")] = strip(y, base)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = strip(y, base)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, y := range x {
			out[i] = strings.ReplaceAll(y, base, "")
		}
		return out
	case string:
		return strings.ReplaceAll(x, base, "")
	}
	return v
}

// krefeld serves the Sternberg samples: the body list answered with a single
// Body, a deleted File without type, empty filtered lists as 404/802 or [].
func TestQuirksKrefeld(t *testing.T) {
	e := newEndpoint(t, "https://ris.krefeld.de")
	dir := "krefeld-sternberg-sdnetrim-1.0/"
	base := "/webservice/oparl/v1.0"
	u := e.url
	e.json(base+"/system", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.0/System",
		"oparlVersion":"https://schema.oparl.org/1.0/","body":%q}`, u(base+"/system"), u(base+"/body"))))
	e.json(base+"/body", 200, e.read(dir+"body-list-returned-as-single-object.json"))
	e.addObjects(e.read(dir + "file-deleted-without-type.json"))
	e.list(base+"/body/1/organization", listSpec{types: []string{"Organization"}, bareEmpty: true})
	e.list(base+"/body/1/person", listSpec{types: []string{"Person"}, empty404: true})
	e.list(base+"/body/1/meeting", listSpec{types: []string{"Meeting"}})
	// Sternberg puts tombstones (without type) into unfiltered lists.
	e.list(base+"/body/1/paper", listSpec{types: []string{"File"}, includeDeletedUnfiltered: true})
	db := MustOpenDB(t)
	rep := mustImport(t, e, db, func(o *importer.Options) { o.URL = u(base + "/system") })
	for _, q := range []string{
		importer.QuirkListSingleObject, importer.QuirkTombstoneWithoutType, importer.QuirkMissingRequired,
		importer.QuirkNormalizedValue, importer.QuirkTombstoneUnfiltered,
	} {
		if rep.Quirks[q] == 0 {
			t.Errorf("quirk %s not reported: %v", q, rep.Quirks)
		}
	}
	ctx := sys()
	bodies, _, _ := db.FindBodies(ctx, ratsnetz.BodyFilter{})
	if len(bodies) != 1 || bodies[0].Name != "Stadt Krefeld" || bodies[0].AGS != "05114000" || bodies[0].RGS != "051140000000" {
		t.Errorf("bodies = %+v", bodies)
	}
	// The typeless tombstone in the paper list counts as a paper (the list's kind).
	if rep.Deleted[ratsnetz.KindPaper] != 1 {
		t.Errorf("deleted = %v", rep.Deleted)
	}
	// Second run: filtered lists come back as [] and 404 + error 802.
	rep2 := mustImport(t, e, db, func(o *importer.Options) {
		o.URL = u(base + "/system")
		o.Now = func() time.Time { return time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) }
	})
	if rep2.Quirks[importer.QuirkEmptyList404] != 1 || rep2.Quirks[importer.QuirkBareArrayList] != 1 || rep2.Quirks[importer.QuirkRequestFailed] != 0 {
		t.Errorf("second run quirks = %v", rep2.Quirks)
	}
}

func TestBrokenJSON(t *testing.T) {
	e := newEndpoint(t, "https://ratsinfo.braunschweig.de")
	base := "/bi/oparl/1.0"
	u := e.url
	e.json(base+"/system.asp", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.0/System",
		"oparlVersion":"https://schema.oparl.org/1.0/","body":%q}`, u(base+"/system.asp"), u(base+"/bodies.asp"))))
	e.json(base+"/bodies.asp", 200, []byte(fmt.Sprintf(`{"data":[{"id":%q,"type":"https://schema.oparl.org/1.0/Body","name":"Stadt Braunschweig",
		"paper":%q,"organization":%q,"person":%q,"meeting":%q,"legislativeTerm":[]}],"pagination":{},"links":{}}`,
		u(base+"/bodies.asp?id=1"), u(base+"/papers.asp"), u(base+"/o.asp"), u(base+"/p.asp"), u(base+"/m.asp"))))
	paper := e.read("braunschweig-ccegov-allris-1.0/broken_json.broken_json")
	e.json(base+"/papers.asp", 200, []byte(`{"data":[`+string(paper)+`,{"no":"id"},"junk"],"pagination":{},"links":{}}`))
	e.json(base+"/o.asp", 200, []byte(`{"data":[],"pagination":{},"links":{}}`))
	e.json(base+"/p.asp", 200, []byte(`{"data":[],"pagination":{},"links":{}}`))
	e.json(base+"/m.asp", 200, []byte(`{"data":[], "pagination":{}, "links":{"next":"`+u(base+"/m2.asp")+`"}}`))
	e.json(base+"/m2.asp", 200, []byte(`{"data":[`+"\x01"+`, "pagination":{}`)) // unreadable even after repair
	db := MustOpenDB(t)
	rep := mustImport(t, e, db, func(o *importer.Options) { o.URL = u(base + "/system.asp") })
	if rep.Quirks[importer.QuirkInvalidJSONRepaired] != 1 || rep.Quirks[importer.QuirkInvalidObject] != 2 || rep.Quirks[importer.QuirkInvalidJSON] != 1 {
		t.Errorf("quirks = %v", rep.Quirks)
	}
	if rep.Skipped != 3 {
		t.Errorf("skipped = %d, want 3 (two list entries, one page)", rep.Skipped)
	}
	p, err := db.FindPaperByID(sys(), localID(t, db, ratsnetz.KindPaper, u(base+"/papers.asp?id=1664")))
	if err != nil {
		t.Fatal(err)
	}
	if p.Reference != "1664/99" || !strings.HasPrefix(p.Name, "Volkshochschule Braunschweig e. V.\r\nUmwandlung") {
		t.Errorf("paper = %q %q", p.Reference, p.Name)
	}
}

func TestBadEntryPoint(t *testing.T) {
	e := newEndpoint(t)
	e.json("/system", 200, []byte(`{"type":"https://schema.oparl.org/1.1/System"}`))
	db := MustOpenDB(t)
	k := karlsruheN(t, 1)
	if _, err := runImport(t, context.Background(), k, db, func(o *importer.Options) { o.Bodies = []string{"https://example.org/body/9"} }); ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
		t.Errorf("unknown body: err = %v, want EINVALID", err)
	}
	if rep := mustImport(t, k, db, func(o *importer.Options) { o.Bodies = []string{k.url(karlsruheBase)} }); rep.Objects[ratsnetz.KindMeeting] != 1 {
		t.Errorf("chosen body: %v", rep.Objects)
	}
	for _, u := range []string{e.url("/nothing"), e.url("/system")} {
		_, err := importer.Run(context.Background(), importer.Options{URL: u, Store: db, Client: e.srv.Client(), Backoff: time.Millisecond})
		if ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", u, err)
		}
	}
}

// TestPaginationLoop: a next link back to a page already read ends the walk
// (reported) instead of looping forever; an object missing from every list
// but referenced is fetched on its own.
func TestPaginationLoop(t *testing.T) {
	e := newEndpoint(t)
	u := e.url
	e.json("/system", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.1/System","oparlVersion":"https://schema.oparl.org/1.1/","body":%q}`, u("/system"), u("/bodies"))))
	e.json("/bodies", 200, []byte(fmt.Sprintf(`{"data":[{"id":%q,"type":"https://schema.oparl.org/1.1/Body","name":"Gemeinde Schleife",
		"organization":%q,"person":%q,"meeting":%q,"paper":%q,"legislativeTerm":[],"created":"2024-01-01T00:00:00+01:00","modified":"2024-01-01T00:00:00+01:00"}],
		"pagination":{},"links":{}}`, u("/body/1"), u("/orgs"), u("/persons"), u("/meetings"), u("/papers"))))
	e.json("/orgs", 200, []byte(fmt.Sprintf(`{"data":[{"id":%q,"type":"https://schema.oparl.org/1.1/Organization","name":"Rat","subOrganizationOf":%q,
		"created":"2024-01-01T00:00:00+01:00","modified":"2024-01-01T00:00:00+01:00"}],"pagination":{},"links":{"next":%q}}`, u("/org/1"), u("/org/2"), u("/orgs2"))))
	e.json("/orgs2", 200, []byte(fmt.Sprintf(`{"data":[],"pagination":{},"links":{"next":%q}}`, u("/orgs"))))
	e.json("/org/2", 200, []byte(fmt.Sprintf(`{"id":%q,"type":"https://schema.oparl.org/1.1/Organization","name":"Kreistag",
		"created":"2024-01-01T00:00:00+01:00","modified":"2024-01-01T00:00:00+01:00"}`, u("/org/2"))))
	for _, l := range []string{"/persons", "/meetings", "/papers"} {
		e.json(l, 200, []byte(`{"data":[],"pagination":{},"links":{}}`))
	}
	db := MustOpenDB(t)
	rep := mustImport(t, e, db, func(o *importer.Options) { o.URL = u("/system") })
	if rep.Quirks[importer.QuirkPaginationLoop] != 1 || rep.Objects[ratsnetz.KindOrganization] != 2 {
		t.Errorf("quirks %v objects %v", rep.Quirks, rep.Objects)
	}
	org, err := db.FindOrganizationByID(sys(), localID(t, db, ratsnetz.KindOrganization, u("/org/1")))
	if err != nil || org.SubOrganizationOfID != localID(t, db, ratsnetz.KindOrganization, u("/org/2")) {
		t.Errorf("organization = %+v, %v", org, err)
	}
}
