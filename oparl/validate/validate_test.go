package validate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz/oparl/validate"
)

// fakeAPI serves canned documents by path and query; {{base}} in a body
// becomes the server's URL.
type fakeAPI struct {
	mu   sync.Mutex
	docs map[string]fakeDoc
	srv  *httptest.Server
}

type fakeDoc struct {
	status int
	body   string
	header map[string]string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{docs: map[string]fakeDoc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		f.mu.Lock()
		d, ok := f.docs[key]
		if !ok {
			// Like many real servers, ignore filters it does not know.
			q := r.URL.Query()
			for _, p := range []string{"modified_since", "created_until", "omit_internal"} {
				q.Del(p)
			}
			key = r.URL.Path
			if len(q) > 0 {
				key += "?" + q.Encode()
			}
			d, ok = f.docs[key]
		}
		f.mu.Unlock()
		if !ok {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"type":"https://schema.oparl.org/1.1/Error","message":"nicht gefunden"}`)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		for k, v := range d.header {
			if v == "" {
				w.Header().Del(k)
			} else {
				w.Header().Set(k, v)
			}
		}
		if d.status != 0 {
			w.WriteHeader(d.status)
		}
		fmt.Fprint(w, strings.ReplaceAll(d.body, "{{base}}", f.srv.URL))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) put(key string, body string) { f.putDoc(key, fakeDoc{body: body}) }

func (f *fakeAPI) putDoc(key string, d fakeDoc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs[key] = d
}

// putObject serves obj at the path of its id (with {{base}} as host).
func (f *fakeAPI) putObject(t *testing.T, obj map[string]any) {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	f.put(strings.TrimPrefix(obj["id"].(string), "{{base}}"), string(b))
}

func run(t *testing.T, u string, opts validate.Options) *validate.Report {
	t.Helper()
	opts.URL = u
	if opts.RetryWait == 0 {
		opts.RetryWait = time.Millisecond
	}
	rep, err := validate.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		rep.Write(os.Stderr)
	}
	return rep
}

func checks(rep *validate.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		if !slices.Contains(out, f.Check) {
			out = append(out, f.Check)
		}
	}
	slices.Sort(out)
	return out
}

func wantChecks(t *testing.T, rep *validate.Report, want ...string) {
	t.Helper()
	for _, c := range want {
		if !rep.Has(c) {
			t.Errorf("finding %s missing; got %v", c, checks(rep))
		}
	}
}

// realdata is where the recorded vendor responses live.
func realdata(t *testing.T) string {
	dir := os.Getenv("RATSNETZ_OPARL_REALDATA")
	if dir == "" {
		dir = "/work/shared/oparl/realdata"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real OParl samples not available at %s (set RATSNETZ_OPARL_REALDATA)", dir)
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOfficialExamples: the spec's own examples have known defects
// (REFERENCE/README) and nothing else.
func TestOfficialExamples(t *testing.T) {
	dir := os.Getenv("RATSNETZ_OPARL_EXAMPLES")
	if dir == "" {
		dir = "/work/shared/oparl/examples/1.1"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("examples not available at %s", dir)
	}
	for name, want := range map[string][]string{
		"Body-01.json":         {"embedded.backref", "geojson.swapped", "object.required.missing", "body.system", "object.id.mismatch"},
		"File-01.json":         {"object.id.mismatch"},
		"Location-01.json":     {"geojson.swapped", "object.id.mismatch"},
		"Meeting-01.json":      {"geojson.swapped", "embedded.backref", "object.id.mismatch", "schema.required.missing"},
		"Organization-01.json": {"geojson.swapped", "object.id.mismatch"},
		"Paper-01.json":        {"geojson.feature", "object.id.mismatch"},
		"Person-01.json":       {"object.id.mismatch"},
		"System-01.json":       {"object.id.mismatch"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.put("/x", readFile(t, filepath.Join(dir, name)))
			rep := run(t, f.srv.URL+"/x", validate.Options{FileChecks: -1})
			var got []string
			for _, c := range checks(rep) {
				// Links of the examples point to oparl.example.org (not
				// followed) and the probes of a System find our fake's
				// missing ETag: not defects of the documents.
				if !strings.HasPrefix(c, "link.") && !strings.HasPrefix(c, "http.") {
					got = append(got, c)
				}
			}
			slices.Sort(want)
			if name == "Body-01.json" {
				// body.system is only checked during a walk.
				want = slices.DeleteFunc(want, func(s string) bool { return s == "body.system" })
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBonnALLRIS4(t *testing.T) {
	dir := filepath.Join(realdata(t), "bonn-ccegov-allris4-1.1")
	host := "https://www.bonn.sitzung-online.de"
	f := newFakeAPI(t)
	for _, name := range []string{"cc-egov-colon-before.json", "meeting-664-auxiliaryFile-as-object.json"} {
		body := strings.ReplaceAll(readFile(t, filepath.Join(dir, name)), host, "{{base}}")
		var obj map[string]any
		if err := json.Unmarshal([]byte(body), &obj); err != nil {
			t.Fatal(err)
		}
		f.put(strings.TrimPrefix(obj["id"].(string), "{{base}}"), body)
	}
	rep := run(t, f.srv.URL+"/public/oparl/bodies?id=1", validate.Options{FileChecks: -1})
	// +01::00 offsets, date-times where dates belong, lists answering 404.
	wantChecks(t, rep, "datetime.format", "date.format", "http.status", "link.unresolved")
	rep = run(t, f.srv.URL+"/public/oparl/meetings?id=664", validate.Options{})
	// auxiliaryFile as object, mimeType "docx", size 0, downloadUrl "",
	// date-time in File.date, order 100001.
	wantChecks(t, rep, "schema.type", "file.mime_type", "file.size.zero", "value.empty_string", "date.format",
		"agendaitem.order", "embedded.backref", "file.access_url.status")
	if rep.Errors() == 0 {
		t.Error("no errors reported")
	}
}

func TestKrefeldSternberg(t *testing.T) {
	dir := filepath.Join(realdata(t), "krefeld-sternberg-sdnetrim-1.0")
	f := newFakeAPI(t)
	f.put("/system", `{"id":"{{base}}/system","type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":"{{base}}/body",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}`)
	// The body list answered with a single Body.
	f.put("/body", readFile(t, filepath.Join(dir, "body-list-returned-as-single-object.json")))
	rep := run(t, f.srv.URL+"/system", validate.Options{})
	wantChecks(t, rep, "list.shape")

	// A deleted File without type; an empty filtered list as 404/802 and as [].
	f.put("/file/1", strings.ReplaceAll(readFile(t, filepath.Join(dir, "file-deleted-without-type.json")),
		"https://ris.krefeld.de/webservice/oparl/v1.0/body/1/file/2-19309", "{{base}}/file/1"))
	rep = run(t, f.srv.URL+"/file/1", validate.Options{})
	wantChecks(t, rep, "object.type.missing")

	f.putDoc("/list404", fakeDoc{status: 404, body: readFile(t, filepath.Join(dir, "empty-filtered-list-404-error-802.json"))})
	f.put("/listbare", readFile(t, filepath.Join(dir, "empty-filtered-list-as-bare-array.json")))
	rep = run(t, f.srv.URL+"/list404", validate.Options{})
	wantChecks(t, rep, "http.status")
	rep = run(t, f.srv.URL+"/listbare", validate.Options{})
	wantChecks(t, rep, "json.shape")
}

func TestBraunschweigBrokenJSON(t *testing.T) {
	dir := filepath.Join(realdata(t), "braunschweig-ccegov-allris-1.0")
	f := newFakeAPI(t)
	f.put("/paper", readFile(t, filepath.Join(dir, "broken_json.broken_json")))
	rep := run(t, f.srv.URL+"/paper", validate.Options{})
	wantChecks(t, rep, "json.invalid")
}

// TestKarlsruheSessionNet serves the recorded Karlsruhe objects behind a
// System and Body of ours and walks them completely.
func TestKarlsruheSessionNet(t *testing.T) {
	dir := filepath.Join(realdata(t), "karlsruhe-somacos-sessionnet-1.1")
	const host = "https://web1.karlsruhe.de"
	f := newFakeAPI(t)
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(strings.ReplaceAll(s, host, "{{base}}")), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	lists := map[string][]any{}
	addAll := func(list string, objs []any) {
		for _, o := range objs {
			m := o.(map[string]any)
			f.putObject(t, m)
			lists[list] = append(lists[list], m)
			// Embedded objects are served standalone as well.
			for _, v := range m {
				var emb []any
				switch x := v.(type) {
				case map[string]any:
					emb = []any{x}
				case []any:
					emb = x
				}
				for _, e := range emb {
					if em, ok := e.(map[string]any); ok {
						if id, ok := em["id"].(string); ok && strings.HasPrefix(id, "{{base}}") {
							f.putObject(t, em)
						}
					}
				}
			}
		}
	}
	for _, sub := range []string{"meetings", "papers"} {
		names, _ := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		var objs []any
		for _, n := range names {
			objs = append(objs, decode(readFile(t, n)))
		}
		addAll(sub, objs)
	}
	addAll("organizations", decode(readFile(t, filepath.Join(dir, "organizations.json"))).([]any))
	addAll("consultations", decode(readFile(t, filepath.Join(dir, "consultations.json"))).([]any))
	for _, l := range []string{"persons", "agendaitems", "files", "locations", "legislativeterms", "memberships"} {
		lists[l] = nil
	}
	// Lists of 50 per page, ordered by id, as SessionNet pages them.
	for name, objs := range lists {
		slices.SortFunc(objs, func(a, b any) int {
			return strings.Compare(a.(map[string]any)["id"].(string), b.(map[string]any)["id"].(string))
		})
		base := "/oparl/bodies/0001/" + name
		for page := 0; page == 0 || page*50 < len(objs); page++ {
			end := min(len(objs), (page+1)*50)
			data := objs[page*50 : end]
			if data == nil {
				data = []any{}
			}
			links := map[string]any{}
			if end < len(objs) {
				links["next"] = fmt.Sprintf("{{base}}%s?page=%d", base, page+2)
			}
			b, _ := json.Marshal(map[string]any{"data": data, "pagination": map[string]any{"elementsPerPage": 50}, "links": links})
			key := base
			if page > 0 {
				key = fmt.Sprintf("%s?page=%d", base, page+1)
			}
			f.put(key, string(b))
		}
	}
	f.put("/oparl/system", `{"id":"{{base}}/oparl/system","type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":"{{base}}/oparl/bodies","license":"https://www.govdata.de/dl-de/by-2-0",
		"created":"2020-01-01T00:00:00+01:00","modified":"2020-01-01T00:00:00+01:00"}`)
	body := `{"id":"{{base}}/oparl/bodies/0001","type":"https://schema.oparl.org/1.1/Body","system":"{{base}}/oparl/system",
		"name":"Stadt Karlsruhe","legislativeTerm":[],
		"organization":"{{base}}/oparl/bodies/0001/organizations","person":"{{base}}/oparl/bodies/0001/persons",
		"meeting":"{{base}}/oparl/bodies/0001/meetings","paper":"{{base}}/oparl/bodies/0001/papers",
		"agendaItem":"{{base}}/oparl/bodies/0001/agendaitems","consultation":"{{base}}/oparl/bodies/0001/consultations",
		"file":"{{base}}/oparl/bodies/0001/files","locationList":"{{base}}/oparl/bodies/0001/locations",
		"legislativeTermList":"{{base}}/oparl/bodies/0001/legislativeterms","membership":"{{base}}/oparl/bodies/0001/memberships",
		"created":"2020-01-01T00:00:00+01:00","modified":"2020-01-01T00:00:00+01:00"}`
	f.put("/oparl/bodies/0001", body)
	f.put("/oparl/bodies", `{"data":[`+body+`],"pagination":{},"links":{}}`)

	rep := run(t, f.srv.URL+"/oparl/system", validate.Options{FileChecks: -1})
	// SessionNet numbers agenda items from 1, lists deleted papers (with
	// empty strings) without modified_since and ignores the filters.
	wantChecks(t, rep, "agendaitem.order", "list.tombstone.unfiltered", "value.empty_string", "list.filter.violated")
	if rep.Objects < 500 {
		t.Errorf("only %d objects checked", rep.Objects)
	}
}

// TestDefects serves a small API with one defect of each kind.
func TestDefects(t *testing.T) {
	f := newFakeAPI(t)
	f.put("/system", `{"id":"{{base}}/system","type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":"{{base}}/bodies",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00Z"}`)
	// The same System under a non-canonical spelling, without redirect.
	f.put("/system/", `{"id":"{{base}}/system","type":"https://schema.oparl.org/1.1/System",
		"oparlVersion":"https://schema.oparl.org/1.1/","body":"{{base}}/bodies",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00Z"}`)
	body := `{"id":"{{base}}/body/1","type":"https://schema.oparl.org/1.1/Body","name":"Stadt",
		"legislativeTerm":[],"organization":"{{base}}/orgs","person":"{{base}}/persons","meeting":"{{base}}/meetings",
		"paper":"{{base}}/papers","agendaItem":"{{base}}/items","consultation":"{{base}}/cons","file":"{{base}}/files",
		"locationList":"{{base}}/locs","legislativeTermList":"{{base}}/terms","membership":"{{base}}/mems",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}`
	f.put("/bodies", `{"data":[`+body+`],"pagination":{},"links":{}}`)
	f.put("/body/1", body)
	empty := `{"data":[],"pagination":{},"links":{}}`
	for _, l := range []string{"/persons", "/items", "/cons", "/files", "/locs", "/terms", "/mems"} {
		f.put(l, empty)
	}
	// A next loop.
	f.put("/orgs", `{"data":[{"id":"{{base}}/org/1","type":"https://schema.oparl.org/1.1/Organization",
		"name":"Rat","shortName":"","created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00.123+01:00",
		"meeting":"{{base}}/org/1/meetings","post":[]}],
		"pagination":{},"links":{"next":"{{base}}/orgs?page=2"}}`)
	f.put("/orgs?page=2", `{"data":[],"pagination":{},"links":{"next":"{{base}}/orgs"}}`)
	f.put("/org/2", `{"id":"{{base}}/org/two","type":"https://schema.oparl.org/1.1/Organization","name":"Rat",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}`)
	// Meetings: a tombstone without modified_since, a null, a wrong order,
	// swapped coordinates, and an agenda item without created.
	f.put("/meetings", `{"data":[
		{"id":"{{base}}/m/1","type":"https://schema.oparl.org/1.1/Meeting","name":null,"start":"2019-02-01T18:00:00",
		 "created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00",
		 "location":{"id":"{{base}}/loc/1","type":"https://schema.oparl.org/1.1/Location","created":"2019-01-01T00:00:00+01:00",
		   "modified":"2019-01-01T00:00:00+01:00","geojson":{"type":"Feature","geometry":{"type":"Point","coordinates":[50.7,7.1]}}},
		 "organization":["{{base}}/org/1","{{base}}/org/2","{{base}}/org/404"],
		 "agendaItem":[{"id":"{{base}}/ai/1","type":"https://schema.oparl.org/1.1/AgendaItem","order":1,"modified":"2019-01-01T00:00:00+01:00"}]},
		{"id":"{{base}}/m/2","type":"https://schema.oparl.org/1.1/Meeting","deleted":true,
		 "created":"2019-01-01T00:00:00+01:00","modified":"2019-01-02T00:00:00+01:00"}],
		"pagination":{},"links":{}}`)
	// Papers: filters dropped from the links, and the filter ignored.
	paper := `{"id":"{{base}}/p/1","type":"https://schema.oparl.org/1.1/Paper","name":"Antrag","date":"2019-01-01T00:00:00+01:00",
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}`
	paper2 := strings.ReplaceAll(strings.ReplaceAll(paper, "/p/1", "/p/2"), "2019-01-01T00:00:00+01:00\"}", "2019-03-01T00:00:00+01:00\"}")
	f.put("/papers", `{"data":[`+paper+`],"pagination":{},"links":{"next":"{{base}}/papers?page=2"}}`)
	f.put("/papers?page=2", `{"data":[`+paper2+`],"pagination":{},"links":{}}`)
	f.put("/papers?modified_since=2019-03-01T00%3A00%3A00%2B01%3A00", `{"data":[`+paper+`],"pagination":{},"links":{"next":"{{base}}/papers?page=2"}}`)
	// Wrong transport headers on a linked object.
	f.putDoc("/ai/1", fakeDoc{body: `{"id":"{{base}}/ai/1","type":"https://schema.oparl.org/1.1/AgendaItem","order":0,
		"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}`,
		header: map[string]string{"Access-Control-Allow-Origin": "", "Content-Type": "text/html"}})

	rep := run(t, f.srv.URL+"/system", validate.Options{})
	wantChecks(t, rep,
		"datetime.format",           // Z, fractions, no offset
		"date.format",               // date-time in Paper.date
		"value.empty_string",        // shortName ""
		"value.empty_array",         // post []
		"json.null",                 // name null
		"list.next.loop",            // orgs page 2 → page 1
		"object.id.mismatch",        // org/2 says org/two
		"list.tombstone.unfiltered", // m/2
		"agendaitem.order",          // order 1 at position 0
		"object.created.missing",    // embedded agenda item
		"geojson.swapped",           // [lat, lon]
		"link.unresolved",           // org/404
		"list.filter.lost",          // papers?modified_since links
		"list.filter.violated",      // p/1 older than modified_since
		"http.cors",                 // ai/1
		"http.content_type",         // ai/1
		"http.etag",                 // fake has no ETag
		"http.canonical",            // /system/ answers 200
		"http.https",                // plain http
	)
	for _, f := range rep.Findings {
		if f.Check == "" || f.URL == "" || f.Message == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	var buf strings.Builder
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back validate.Report
	if err := json.Unmarshal([]byte(buf.String()), &back); err != nil || len(back.Findings) != len(rep.Findings) {
		t.Errorf("JSON round trip: %v, %d findings", err, len(back.Findings))
	}
}

// TestMaxObjects stops a walk early and says so.
func TestMaxObjects(t *testing.T) {
	f := newFakeAPI(t)
	for i := 0; i < 20; i++ {
		next := ""
		if i < 19 {
			next = fmt.Sprintf(`"next":"{{base}}/list?page=%d"`, i+1)
		}
		key := "/list"
		if i > 0 {
			key = fmt.Sprintf("/list?page=%d", i)
		}
		f.put(key, fmt.Sprintf(`{"data":[{"id":"{{base}}/p/%d","type":"https://schema.oparl.org/1.1/Paper",
			"created":"2019-01-01T00:00:00+01:00","modified":"2019-01-01T00:00:00+01:00"}],"pagination":{},"links":{%s}}`, i, next))
	}
	rep := run(t, f.srv.URL+"/list", validate.Options{MaxObjects: 5})
	if !rep.Truncated || rep.Requests > 6 {
		t.Errorf("truncated %v after %d requests", rep.Truncated, rep.Requests)
	}
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
