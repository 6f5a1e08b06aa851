package oparl_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
)

var (
	reDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$`)
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// dateTimeProps and dateProps are the properties with date(-time) values.
var (
	dateTimeProps = map[string]bool{"created": true, "modified": true, "start": true, "end": true,
		"licenseValidSince": true, "oparlSince": true}
	dateProps = map[string]bool{"date": true, "startDate": true, "endDate": true}
)

// checkValues walks a decoded document: no nulls, no empty strings, no empty
// arrays (but Body.legislativeTerm and list data), strict date formats.
func checkValues(t *testing.T, where, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil:
		t.Errorf("%s %s: null", where, path)
	case string:
		if x == "" {
			t.Errorf("%s %s: empty string", where, path)
		}
		key := path[strings.LastIndex(path, ".")+1:]
		if dateTimeProps[key] && !reDateTime.MatchString(x) {
			t.Errorf("%s %s: %q is no strict Europe/Berlin date-time", where, path, x)
		}
		if dateProps[key] && !reDate.MatchString(x) {
			t.Errorf("%s %s: %q is no date", where, path, x)
		}
	case []any:
		if len(x) == 0 && !strings.HasSuffix(path, "legislativeTerm") && path != ".data" {
			t.Errorf("%s %s: empty array", where, path)
		}
		for i, e := range x {
			checkValues(t, where, fmt.Sprintf("%s[%d]", path, i), e)
		}
	case map[string]any:
		for k, e := range x {
			if k == "geojson" || k == "ratsnetz:vote" {
				continue
			}
			checkValues(t, where, path+"."+k, e)
		}
	}
}

func TestSystem(t *testing.T) {
	e := MustOpenEnv(t, nil)
	resp, b := e.get(t, e.base+"/system")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("CORS header %q", got)
	}
	var sys map[string]any
	if err := json.Unmarshal(b, &sys); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id":           e.base + "/system",
		"type":         "https://schema.oparl.org/1.1/System",
		"oparlVersion": "https://schema.oparl.org/1.1/",
		"body":         e.base + "/body",
		"name":         "Ratsnetz Test",
		"vendor":       "https://github.com/ratsnetz/ratsnetz",
		"product":      "https://github.com/ratsnetz/ratsnetz",
		"license":      "https://creativecommons.org/licenses/by/4.0/",
		"website":      e.srv.URL + "/",
		"created":      "2024-03-01T10:00:00+01:00",
		"modified":     "2024-03-01T11:00:00+01:00",
	}
	if diff := cmp.Diff(want, sys); diff != "" {
		t.Errorf("system (-want +got):\n%s", diff)
	}
}

func TestBody(t *testing.T) {
	e := MustOpenEnv(t, nil)
	bodies := e.walk(t, e.base+"/body")
	if len(bodies) != 1 {
		t.Fatalf("%d bodies", len(bodies))
	}
	b := bodies[0]
	id := e.base + "/body/1"
	for k, want := range map[string]string{
		"id": id, "type": "https://schema.oparl.org/1.1/Body", "system": e.base + "/system",
		"organization": id + "/organization", "person": id + "/person", "meeting": id + "/meeting",
		"paper": id + "/paper", "agendaItem": id + "/agendaitem", "consultation": id + "/consultation",
		"file": id + "/file", "locationList": id + "/location", "legislativeTermList": id + "/legislativeterm",
		"membership": id + "/membership", "ags": "05315000", "created": "2024-03-01T10:00:00+01:00",
	} {
		if b[k] != want {
			t.Errorf("body.%s = %v, want %v", k, b[k], want)
		}
	}
	terms := b["legislativeTerm"].([]any)
	if len(terms) != 1 {
		t.Fatalf("legislativeTerm %v", terms)
	}
	term := terms[0].(map[string]any)
	if _, ok := term["body"]; ok {
		t.Errorf("embedded term carries back-reference body")
	}
	if term["startDate"] != "2020-11-01" || term["endDate"] != "2025-10-31" {
		t.Errorf("term dates %v %v", term["startDate"], term["endDate"])
	}
	standalone := e.getJSON(t, term["id"].(string), http.StatusOK)
	if standalone["body"] != id {
		t.Errorf("standalone term body = %v", standalone["body"])
	}
	loc := b["location"].(map[string]any)
	geo := loc["geojson"].(map[string]any)
	if geo["type"] != "Feature" {
		t.Errorf("geojson %v", geo)
	}
	coords := geo["geometry"].(map[string]any)["coordinates"].([]any)
	if coords[0].(float64) != 7.1002 || coords[1].(float64) != 50.7353 {
		t.Errorf("coordinates %v, want [lon, lat]", coords)
	}
	// With omit_internal the embedded terms go, the required array stays.
	omitted := e.walk(t, e.base+"/body?omit_internal=true")
	if got := omitted[0]["legislativeTerm"]; !cmp.Equal(got, []any{}) {
		t.Errorf("omit_internal legislativeTerm = %v", got)
	}
}

// TestEverything walks every list and fetches every object: valid shapes,
// strict formats and no trace of non-public data anywhere.
func TestEverything(t *testing.T) {
	e := MustOpenEnv(t, nil)
	var docs []string // every URL fetched
	lists := []string{"organization", "person", "meeting", "paper", "agendaitem", "consultation", "file",
		"location", "legislativeterm", "membership"}
	objects := map[string]map[string]any{}
	for _, l := range lists {
		for _, it := range e.walk(t, e.base+"/body/1/"+l) {
			objects[it["id"].(string)] = it
		}
		docs = append(docs, e.base+"/body/1/"+l)
	}
	for _, o := range []string{"1", "2", "3"} {
		docs = append(docs, e.base+"/organization/"+o+"/meeting", e.base+"/organization/"+o+"/consultation")
	}
	docs = append(docs, e.base+"/system", e.base+"/body")
	for id := range objects {
		docs = append(docs, id)
	}
	for _, u := range docs {
		for _, q := range []string{"", "?modified_since=2000-01-01T00:00:00%2B01:00", "?omit_internal=true"} {
			resp, b := e.get(t, u+q)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s%s: %d", u, q, resp.StatusCode)
				continue
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("GET %s%s: non-public content in %s", u, q, b)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			checkValues(t, u+q, "", v)
		}
	}
	// What the public may see, and nothing else.
	var got []string
	for id := range objects {
		got = append(got, strings.TrimPrefix(id, e.base+"/"))
	}
	want := []string{
		"agendaitem/1", "agendaitem/3", "consultation/1", "consultation/3",
		"file/1", "file/2", "file/3", "file/5",
		"legislativeterm/1", "location/1", "location/2",
		"meeting/1", "membership/1", "membership/2", "membership/3", "membership/4",
		"organization/1", "organization/2", "organization/3", "paper/1", "paper/3",
		"person/1", "person/2", "person/3",
	}
	if diff := cmp.Diff(want, got, sortStrings); diff != "" {
		t.Errorf("listed objects (-want +got):\n%s", diff)
	}
	for _, hidden := range []string{"meeting/2", "paper/2", "agendaitem/2", "agendaitem/4", "file/4", "file/6", "consultation/2"} {
		resp, b := e.get(t, e.base+"/"+hidden)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404: %s", hidden, resp.StatusCode, b)
		}
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestMeetingEmbedsPublicAgendaOnly(t *testing.T) {
	e := MustOpenEnv(t, nil)
	m := e.getJSON(t, e.base+"/meeting/1", http.StatusOK)
	items := m["agendaItem"].([]any)
	var got []string
	for i, it := range items {
		ai := it.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v", ai["order"], ai["number"], ai["id"]))
		if _, ok := ai["meeting"]; ok {
			t.Errorf("embedded agenda item carries back-reference meeting")
		}
		// The standalone item has the same order and points back.
		s := e.getJSON(t, ai["id"].(string), http.StatusOK)
		if s["order"] != float64(i) || s["meeting"] != m["id"] {
			t.Errorf("standalone %v: order %v meeting %v", ai["id"], s["order"], s["meeting"])
		}
	}
	want := []string{
		fmt.Sprintf("0 Ö 1 %s/agendaitem/1", e.base),
		fmt.Sprintf("1 Ö 3 %s/agendaitem/3", e.base),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("agenda (-want +got):\n%s", diff)
	}
	inv := m["invitation"].(map[string]any)
	if inv["accessUrl"] != e.srv.URL+"/dateien/1" || inv["downloadUrl"] != e.srv.URL+"/dateien/1/download" {
		t.Errorf("invitation urls %v %v", inv["accessUrl"], inv["downloadUrl"])
	}
	if m["web"] != e.srv.URL+"/sitzungen/1" {
		t.Errorf("web %v", m["web"])
	}
	top := items[1].(map[string]any)
	if top["web"] != e.srv.URL+"/sitzungen/1/top/3" || top["consultation"] != e.base+"/consultation/1" {
		t.Errorf("agenda item links %v %v", top["web"], top["consultation"])
	}
	// The paper's consultation in the non-public meeting keeps no link to it.
	p := e.getJSON(t, e.base+"/paper/1", http.StatusOK)
	for _, c := range p["consultation"].([]any) {
		cm := c.(map[string]any)
		if cm["id"] == e.base+"/consultation/3" {
			if _, ok := cm["meeting"]; ok {
				t.Errorf("consultation 3 links the non-public meeting: %v", cm)
			}
			if _, ok := cm["agendaItem"]; ok {
				t.Errorf("consultation 3 links the non-public agenda item: %v", cm)
			}
		}
	}
}

func TestPaginationStableWhileInserting(t *testing.T) {
	e := MustOpenEnv(t, nil)
	ds := &ratsnetz.Dataset{}
	for i := int64(10); i < 40; i += 2 {
		ds.Papers = append(ds.Papers, &ratsnetz.Paper{Meta: meta(i, 0, 0), BodyID: 1, Name: fmt.Sprintf("Vorlage %d", i), Public: true})
	}
	e.load(t, ds)
	u := e.base + "/body/1/paper?limit=4"
	var got []string
	inserted := int64(41)
	for page := 0; u != ""; page++ {
		p := e.getJSON(t, u, http.StatusOK)
		data := p["data"].([]any)
		if n := len(data); n > 4 {
			t.Fatalf("page of %d", n)
		}
		if p["pagination"].(map[string]any)["elementsPerPage"] != float64(4) {
			t.Errorf("pagination %v", p["pagination"])
		}
		for _, it := range data {
			got = append(got, strings.TrimPrefix(it.(map[string]any)["id"].(string), e.base+"/paper/"))
		}
		links := p["links"].(map[string]any)
		next, _ := links["next"].(string)
		if next != "" && !strings.HasPrefix(next, e.base+"/body/1/paper?limit=4&after=") {
			t.Errorf("next %q", next)
		}
		// Insert before and after the cursor while walking: new low IDs
		// are not seen, nothing is repeated or skipped.
		e.load(t, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{
			{Meta: meta(inserted, 0, 0), BodyID: 1, Name: "neu", Public: true},
			{Meta: meta(11+int64(page)*2, 0, 0), BodyID: 1, Name: "dazwischen", Public: true},
		}})
		inserted++
		u = next
	}
	// Papers inserted ahead of the cursor (IDs 41…) show up at the end;
	// those inserted behind it do not. Every original one exactly once.
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range []string{"1", "3", "10", "12", "20", "38"} {
		if seen[id] != 1 {
			t.Errorf("paper %s seen %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("paper %s seen %d times", id, n)
		}
	}
	for i := 1; i < len(got); i++ {
		var a, b int
		fmt.Sscan(got[i-1], &a)
		fmt.Sscan(got[i], &b)
		if a >= b {
			t.Errorf("order not by id: %v", got)
			break
		}
	}
}

func TestLimits(t *testing.T) {
	e := MustOpenEnv(t, nil)
	for _, tc := range []struct {
		q     string
		per   float64
		count int
	}{
		{"", 100, 24},
		{"?limit=1", 1, 1},
		{"?limit=5000", 1000, 24},
	} {
		p := e.getJSON(t, e.base+"/body/1/membership"+tc.q, http.StatusOK)
		if got := p["pagination"].(map[string]any)["elementsPerPage"]; got != tc.per {
			t.Errorf("%s: elementsPerPage %v, want %v", tc.q, got, tc.per)
		}
	}
	p := e.getJSON(t, e.base+"/body/1/membership?limit=5000", http.StatusOK)
	if self := p["links"].(map[string]any)["self"]; self != e.base+"/body/1/membership?limit=1000" {
		t.Errorf("self %v", self)
	}
}

func TestFilters(t *testing.T) {
	e := MustOpenEnv(t, nil)
	// Meeting 1 was modified at t0+2h = 11:00+01:00; the others at t0.
	canonical := "modified_since=2024-03-01T10%3A30%3A00%2B01%3A00"
	for _, raw := range []string{
		"modified_since=2024-03-01T10%3A30%3A00%2B01%3A00", // encoded
		"modified_since=2024-03-01T10:30:00+01:00",         // unencoded: '+' arrives as space
		"modified_since=2024-03-01T10:30:00%2B01:00",
		"modified_since=2024-03-01T09:30:00Z",                      // Z
		"modified_since=2024-03-01T09:30:00.000000Z",               // fractions
		"modified_since=2024-03-01T10%253A30%253A00%252B01%253A00", // encoded twice
	} {
		p := e.getJSON(t, e.base+"/body/1/meeting?"+raw, http.StatusOK)
		data := p["data"].([]any)
		if len(data) != 1 || data[0].(map[string]any)["id"] != e.base+"/meeting/1" {
			t.Errorf("%s: data %v", raw, data)
		}
		self := p["links"].(map[string]any)["self"]
		if self != e.base+"/body/1/meeting?"+canonical {
			t.Errorf("%s: self %v", raw, self)
		}
	}
	// All filters together, in canonical order in every link.
	p := e.getJSON(t, e.base+"/body/1/paper?limit=1&omit_internal=true&modified_until=2030-01-01T00:00:00%2B01:00&created_since=2024-03-01T10:00:00%2B01:00&created_until=2030-01-01T00:00:00%2B01:00&modified_since=2024-01-01T00:00:00%2B01:00", http.StatusOK)
	wantQ := "created_since=2024-03-01T10%3A00%3A00%2B01%3A00&created_until=2030-01-01T00%3A00%3A00%2B01%3A00&modified_since=2024-01-01T00%3A00%3A00%2B01%3A00&modified_until=2030-01-01T00%3A00%3A00%2B01%3A00&omit_internal=true&limit=1"
	links := p["links"].(map[string]any)
	if links["first"] != e.base+"/body/1/paper?"+wantQ {
		t.Errorf("first %v", links["first"])
	}
	if links["next"] != e.base+"/body/1/paper?"+wantQ+"&after=1" {
		t.Errorf("next %v", links["next"])
	}
	// created_until excludes later objects.
	p = e.getJSON(t, e.base+"/body/1/paper?created_until=2024-02-01T00:00:00%2B01:00", http.StatusOK)
	if n := len(p["data"].([]any)); n != 0 {
		t.Errorf("created_until: %d papers", n)
	}
}

func TestBadInput(t *testing.T) {
	e := MustOpenEnv(t, nil)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/body/1/paper?modified_since=gestern", http.StatusBadRequest},
		{"/body/1/paper?created_since=2024-13-01T00:00:00%2B01:00", http.StatusBadRequest},
		{"/body/1/paper?limit=0", http.StatusBadRequest},
		{"/body/1/paper?limit=zehn", http.StatusBadRequest},
		{"/body/1/paper?omit_internal=vielleicht", http.StatusBadRequest},
		{"/body/1/paper?after=-3", http.StatusBadRequest},
		{"/body/1/paper?created_since=2025-01-01T00:00:00%2B01:00&created_until=2024-01-01T00:00:00%2B01:00", http.StatusBadRequest},
		{"/paper/999", http.StatusNotFound},
		{"/paper/abc", http.StatusNotFound},
		{"/paper/-1", http.StatusNotFound},
		{"/body/9/paper", http.StatusNotFound},
		{"/body/1/nonsense", http.StatusNotFound},
		{"/organization/99/meeting", http.StatusNotFound},
		{"/vorlage/1", http.StatusNotFound},
		{"/nichts", http.StatusNotFound},
	} {
		resp, b := e.get(t, e.base+tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
			continue
		}
		var eo map[string]any
		if err := json.Unmarshal(b, &eo); err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if eo["type"] != "https://schema.oparl.org/1.1/Error" || eo["message"] == "" {
			t.Errorf("%s: error object %v", tc.path, eo)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS on error", tc.path)
		}
	}
	resp, _ := e.get(t, e.base+"/")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/oparl/v1.1/system" {
		t.Errorf("API root: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Non-canonical spellings redirect permanently.
	for path, want := range map[string]string{
		"/paper/01":       "/oparl/v1.1/paper/1",
		"/body/001/paper": "/oparl/v1.1/body/1/paper",
		"/paper/1/":       "/oparl/v1.1/paper/1",
	} {
		resp, _ := e.get(t, e.base+path)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want 301 %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/system", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestTombstones(t *testing.T) {
	e := MustOpenEnv(t, nil)
	// Paper 3 is de-published and paper 1's main file deleted, a day later.
	depublished := t0.Add(48 * time.Hour)
	e.clock.Set(depublished)
	ds := testData()
	p3 := ds.Papers[2]
	p3.Public = false
	p3.Name = "Anfrage " + secret
	p3.Modified = depublished
	ds.Papers = []*ratsnetz.Paper{p3}
	f3 := testData().Files[2]
	f3.Deleted = true
	f3.Modified = depublished
	e.load(t, &ratsnetz.Dataset{Papers: ds.Papers, Files: []*ratsnetz.File{f3}})

	plain := ids(e.walk(t, e.base+"/body/1/paper"))
	if diff := cmp.Diff([]string{e.base + "/paper/1"}, plain); diff != "" {
		t.Errorf("papers without modified_since (-want +got):\n%s", diff)
	}
	since := e.walk(t, e.base+"/body/1/paper?modified_since=2024-03-02T00:00:00%2B01:00")
	wantTomb := map[string]any{
		"id":       e.base + "/paper/3",
		"type":     "https://schema.oparl.org/1.1/Paper",
		"created":  "2024-03-01T10:00:00+01:00",
		"modified": "2024-03-03T10:00:00+01:00",
		"deleted":  true,
	}
	// Paper 1 lost its embedded main file, so it counts as modified too.
	if got := ids(since); !cmp.Equal(got, []string{e.base + "/paper/1", e.base + "/paper/3"}) {
		t.Fatalf("modified_since: %v", got)
	}
	if since[0]["modified"] != "2024-03-03T10:00:00+01:00" || since[0]["mainFile"] != nil {
		t.Errorf("paper 1 after its main file was deleted: modified %v, mainFile %v", since[0]["modified"], since[0]["mainFile"])
	}
	if diff := cmp.Diff(wantTomb, since[1]); diff != "" {
		t.Errorf("tombstone in list (-want +got):\n%s", diff)
	}
	got := e.getJSON(t, e.base+"/paper/3", http.StatusOK)
	if diff := cmp.Diff(wantTomb, got); diff != "" {
		t.Errorf("standalone tombstone (-want +got):\n%s", diff)
	}
	f := e.getJSON(t, e.base+"/file/3", http.StatusOK)
	if f["deleted"] != true || f["accessUrl"] != nil {
		t.Errorf("deleted file: %v", f)
	}
	// Deleted objects are never embedded.
	p1 := e.getJSON(t, e.base+"/paper/1", http.StatusOK)
	if _, ok := p1["mainFile"]; ok {
		t.Errorf("paper 1 still embeds its deleted main file")
	}
	if files := ids(e.walk(t, e.base+"/body/1/file")); strings.Contains(strings.Join(files, " "), "/file/3") {
		t.Errorf("deleted file listed without modified_since: %v", files)
	}
}

func TestConditionalGETAndGzip(t *testing.T) {
	e := MustOpenEnv(t, nil)
	for _, u := range []string{e.base + "/system", e.base + "/meeting/1", e.base + "/body/1/paper"} {
		resp, b := e.get(t, u, "Accept-Encoding", "gzip")
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" {
			t.Fatalf("%s: no ETag", u)
		}
		if isList := strings.Contains(u, "/body/"); isList != (lm == "") {
			t.Fatalf("%s: Last-Modified %q (lists have none, objects have one)", u, lm)
		}
		if len(b) >= 1024 && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d bytes not gzipped", u, len(b))
		}
		conds := [][]string{{"If-None-Match", etag}}
		if lm != "" {
			conds = append(conds, []string{"If-Modified-Since", lm})
		}
		for _, hdr := range conds {
			r2, body := e.get(t, u, hdr...)
			if r2.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s with %s: %d", u, hdr[0], r2.StatusCode)
			}
		}
		r3, _ := e.get(t, u, "If-None-Match", `W/"other"`)
		if r3.StatusCode != http.StatusOK {
			t.Errorf("%s with other ETag: %d", u, r3.StatusCode)
		}
		r4, _ := e.get(t, u, "If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")
		if r4.StatusCode != http.StatusOK {
			t.Errorf("%s modified since long ago: %d", u, r4.StatusCode)
		}
	}
	// A change gives a new ETag.
	resp, _ := e.get(t, e.base+"/paper/1")
	old := resp.Header.Get("ETag")
	p := testData().Papers[0]
	p.Name = "Radweg Hauptstraße (geändert)"
	p.Modified = t0.Add(72 * time.Hour)
	e.load(t, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{p}})
	r2, _ := e.get(t, e.base+"/paper/1", "If-None-Match", old)
	if r2.StatusCode != http.StatusOK || r2.Header.Get("ETag") == old {
		t.Errorf("after change: %d, ETag %q (old %q)", r2.StatusCode, r2.Header.Get("ETag"), old)
	}
	// CORS preflight.
	req, _ := http.NewRequest(http.MethodOptions, e.base+"/system", nil)
	req.Header.Set("Origin", "https://example.org")
	req.Header.Set("Access-Control-Request-Method", "GET")
	r5, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r5.Body.Close()
	if r5.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r5.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight headers %v", r5.Header)
	}
}

// TestPublicEvenWithSession: OParl answers as the public, whatever viewer a
// portal middleware put into the request context.
func TestPublicEvenWithSession(t *testing.T) {
	e := MustOpenEnv(t, nil)
	for _, u := range []string{e.base + "/body/1/paper", e.base + "/paper/2", e.base + "/meeting/1"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, u, nil)
		req = req.WithContext(ratsnetz.SystemContext(req.Context()))
		e.srv.Config.Handler.ServeHTTP(rec, req)
		if bytes.Contains(rec.Body.Bytes(), []byte(secret)) {
			t.Errorf("%s: system viewer in the context leaked non-public data: %s", u, rec.Body.Bytes())
		}
	}
}

func TestDepublishedMeeting(t *testing.T) {
	e := MustOpenEnv(t, nil)
	later := t0.Add(72 * time.Hour)
	e.clock.Set(later)
	m := testData().Meetings[0]
	m.Public = false
	m.Modified = later
	e.load(t, &ratsnetz.Dataset{Meetings: []*ratsnetz.Meeting{m}})

	got := e.getJSON(t, e.base+"/meeting/1", http.StatusOK)
	if got["deleted"] != true || len(got) != 5 {
		t.Errorf("de-published meeting: %v", got)
	}
	if items := e.walk(t, e.base+"/body/1/agendaitem"); len(items) != 0 {
		t.Errorf("agenda items of a de-published meeting listed: %v", ids(items))
	}
	since := e.walk(t, e.base+"/body/1/agendaitem?modified_since=2024-03-02T00:00:00%2B01:00")
	for _, it := range since {
		if it["deleted"] != true || len(it) != 5 {
			t.Errorf("not a tombstone: %v", it)
		}
	}
	// Only the items the public could once read become tombstones; the
	// never-public item 2 stays unknown (its id and times would leak).
	if got := fmt.Sprint(lastSegments(ids(since))); got != "[1 3]" {
		t.Errorf("tombstones of the de-published meeting = %s, want [1 3]", got)
	}
	for _, u := range []string{"/meeting/1", "/body/1/meeting?modified_since=2024-03-02T00:00:00%2B01:00",
		"/body/1/agendaitem?modified_since=2024-03-02T00:00:00%2B01:00", "/agendaitem/3", "/file/1"} {
		_, b := e.get(t, e.base+u)
		if bytes.Contains(b, []byte("Radweg")) || bytes.Contains(b, []byte("Eröffnung")) || bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s: content of the de-published meeting: %s", u, b)
		}
	}
}

// An agenda item made non-public in a meeting that stays public becomes a
// tombstone; a never-public item that is removed leaves no trace.
func TestDepublishedAgendaItem(t *testing.T) {
	e := MustOpenEnv(t, nil)
	later := t0.Add(72 * time.Hour)
	e.clock.Set(later)
	d := testData()
	pub, hidden := d.AgendaItems[0], d.AgendaItems[1]
	pub.Public, pub.Modified = false, later
	hidden.Deleted, hidden.Modified = true, later
	e.load(t, &ratsnetz.Dataset{AgendaItems: []*ratsnetz.AgendaItem{pub, hidden}})

	since := e.walk(t, e.base+"/body/1/agendaitem?modified_since=2024-03-02T00:00:00%2B01:00")
	if got := fmt.Sprint(lastSegments(ids(since))); got != "[1]" {
		t.Fatalf("changed agenda items = %s, want the tombstone of 1 only", got)
	}
	if since[0]["deleted"] != true || len(since[0]) != 5 {
		t.Errorf("de-published agenda item is not a tombstone: %v", since[0])
	}
	for _, it := range e.walk(t, e.base+"/body/1/agendaitem") {
		if id := fmt.Sprint(it["id"]); strings.HasSuffix(id, "/agendaitem/1") || strings.HasSuffix(id, "/agendaitem/2") {
			t.Errorf("listed without modified_since: %v", it)
		}
	}
	m := e.getJSON(t, e.base+"/meeting/1", http.StatusOK)
	if b, _ := json.Marshal(m); bytes.Contains(b, []byte("Eröffnung")) || bytes.Contains(b, []byte(secret)) {
		t.Errorf("meeting still embeds the hidden items: %s", b)
	}
}

// lastSegments turns object URLs into their last path segment (the number).
func lastSegments(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = u[strings.LastIndex(u, "/")+1:]
	}
	return out
}
