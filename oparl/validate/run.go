// Package validate checks an OParl 1.1 API: it walks System → bodies → every
// external list (following `next`), fetches linked objects and reports
// findings with stable check ids against the official schema files and the
// rules of the specification text.
//
// Check ids, by group:
//
//	transport  http.status http.request http.retry http.cors http.content_type http.charset
//	           http.etag http.last_modified http.conditional http.not_found http.error_object
//	           http.https http.canonical
//	JSON       json.invalid json.bom json.null json.shape
//	schema     schema.type schema.required.missing schema.required.empty schema.property.unknown
//	object     object.id.missing object.id.mismatch object.type.missing object.type.unknown
//	           object.type.version object.type.unexpected object.created.missing
//	           object.modified.missing object.required.missing object.modified.before_created
//	           object.start_after_end
//	values     datetime.format date.format url.format value.empty_string value.empty_array
//	types      system.oparl_version body.ags body.rgs body.system license.missing
//	           agendaitem.order person.location_object file.mime_type file.size.zero
//	           geojson.feature geojson.geometry geojson.coordinates geojson.swapped geojson.outside
//	embedding  embedded.deleted embedded.backref embedded.mismatch embedded.modified.newer
//	lists      list.shape list.item list.duplicate list.next.loop list.next.type
//	           list.elements_per_page list.tombstone.unfiltered list.filter.lost
//	           list.filter.violated list.omit_internal list.order.unstable
//	graph      link.unresolved link.type link.external graph.not_in_list graph.backref
//	files      file.access_url.status file.access_url.disposition file.download_url.status
//	           file.download_url.disposition file.download_url.missing
//
// The walk keeps every object it met in memory (for the graph checks);
// MaxObjects bounds it.
package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a validation run.
type Options struct {
	// URL is the entry point: normally the System; a list page or any single
	// object is validated on its own (with the objects it links).
	URL    string
	Client *http.Client // http.DefaultClient if nil
	// MaxObjects bounds the distinct objects checked (and requests made);
	// 0 means 50 000.
	MaxObjects int
	// Concurrency is the number of parallel requests; 0 means 4.
	Concurrency int
	// Delay is a pause after each request of a worker (politeness).
	Delay time.Duration
	// Retries of a request that failed with a network error or HTTP 5xx;
	// 0 means 2, negative none. RetryWait is the pause before a retry
	// (0 means 2 s).
	Retries   int
	RetryWait time.Duration
	// SchemaDir reads the OParl schema files from a directory instead of the
	// embedded copies.
	SchemaDir string
	// FileChecks is how many files get their accessUrl and downloadUrl
	// fetched; 0 means 10, negative none.
	FileChecks int
	// AllowOtherHosts lets the walk follow links to other hosts.
	AllowOtherHosts bool
	UserAgent       string
	Logger          *slog.Logger
}

// Run validates the API at opts.URL. The error is for a run that could not
// start (bad options, unreadable schemas, cancelled context); everything the
// server does wrong is a finding in the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	entry, err := url.Parse(opts.URL)
	if err != nil || (entry.Scheme != "http" && entry.Scheme != "https") || entry.Host == "" {
		return nil, fmt.Errorf("validate: %q is not an absolute http(s) URL", opts.URL)
	}
	sch, err := loadSchemas(opts.SchemaDir)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = 50000
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = 2 * time.Second
	}
	if opts.FileChecks == 0 {
		opts.FileChecks = 10
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "ratsnetz-oparl-validator/1"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	v := &validator{
		opts:     opts,
		host:     entry.Host,
		sem:      make(chan struct{}, opts.Concurrency),
		report:   &Report{URL: opts.URL, Started: time.Now()},
		dedupe:   map[string]bool{},
		objects:  map[string]*objState{},
		listed:   map[string]map[string]bool{},
		complete: map[string]bool{},
		walked:   map[string]bool{},
		hosts:    map[string]bool{},
	}
	v.checker = &objectChecker{schemas: sch, out: v, onObject: v.noteObject, onRef: v.noteRef}
	v.run(ctx)
	v.report.Finished = time.Now()
	v.report.Objects = len(v.objects)
	v.report.sortFindings()
	if err := ctx.Err(); err != nil {
		return v.report, fmt.Errorf("validate: %w", err)
	}
	return v.report, nil
}

type validator struct {
	opts    Options
	host    string
	checker *objectChecker
	sem     chan struct{}

	mu        sync.Mutex
	report    *Report
	dedupe    map[string]bool
	objects   map[string]*objState
	refs      []foundRef
	listed    map[string]map[string]bool // type → ids met in external lists
	complete  map[string]bool            // type → every list of it walked to the end
	walked    map[string]bool            // list URLs walked
	hosts     map[string]bool            // other hosts reported
	files     []map[string]any
	truncated bool
}

// objState is what the walk learnt about one object id.
type objState struct {
	typ        string
	standalone map[string]any // the object as a list entry or fetched itself
	doc        string
	deleted    bool
	embeds     []foundObject
	fetching   bool
}

func (v *validator) add(f Finding) {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := f.Check + "\x00" + f.URL + "\x00" + f.Path
	if v.dedupe[key] {
		return
	}
	v.dedupe[key] = true
	v.report.Findings = append(v.report.Findings, f)
}

func (v *validator) finding(check string, sev Severity, u, format string, args ...any) {
	v.add(Finding{Check: check, Severity: sev, URL: u, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) noteObject(o foundObject) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.objects[o.ID]
	if st == nil {
		st = &objState{typ: o.Type}
		v.objects[o.ID] = st
	}
	deleted, _ := o.Raw["deleted"].(bool)
	if o.Type == "File" && !deleted && st.standalone == nil && len(st.embeds) == 0 {
		v.files = append(v.files, o.Raw) // first sighting
	}
	if o.ParentID != "" {
		st.embeds = append(st.embeds, o)
		return
	}
	if st.standalone == nil {
		st.standalone, st.doc, st.deleted = o.Raw, o.Doc, deleted
	}
}

func (v *validator) noteRef(r foundRef) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.refs = append(v.refs, r)
}

// budget reports whether another object may be checked.
func (v *validator) budget() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.objects) >= v.opts.MaxObjects || v.report.Requests >= v.opts.MaxObjects {
		if !v.truncated {
			v.truncated = true
			v.report.Truncated = true
		}
		return false
	}
	return true
}

// ---- HTTP ------------------------------------------------------------------

// doc is a fetched JSON document.
type doc struct {
	url    string // the URL asked for
	final  string // after redirects
	status int
	header http.Header
	value  any
	ok     bool // 200 and valid JSON
}

// fetch GETs u with retries and runs the transport checks.
func (v *validator) fetch(ctx context.Context, u string, hdr http.Header) *doc {
	d := &doc{url: u, final: u}
	pu, err := url.Parse(u)
	if err != nil {
		v.finding("url.format", SeverityError, u, "cannot parse URL: %v", err)
		return d
	}
	if pu.Host != v.host && !v.opts.AllowOtherHosts {
		v.mu.Lock()
		seen := v.hosts[pu.Host]
		v.hosts[pu.Host] = true
		v.mu.Unlock()
		if !seen {
			v.finding("link.external", SeverityInfo, u, "links to host %s are not followed", pu.Host)
		}
		return d
	}
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return d
	}
	defer func() { <-v.sem }()
	var resp *http.Response
	var body []byte
	for attempt := 0; ; attempt++ {
		resp, body, err = v.get(ctx, u, hdr)
		retry := err != nil || (resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented)
		if !retry || attempt >= v.opts.Retries || ctx.Err() != nil {
			break
		}
		v.finding("http.retry", SeverityInfo, u, "request failed (%s), retrying", describe(resp, err))
		select {
		case <-time.After(v.opts.RetryWait):
		case <-ctx.Done():
			return d
		}
	}
	if v.opts.Delay > 0 {
		select {
		case <-time.After(v.opts.Delay):
		case <-ctx.Done():
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			v.finding("http.request", SeverityError, u, "request failed: %v", err)
		}
		return d
	}
	d.status, d.header, d.final = resp.StatusCode, resp.Header, resp.Request.URL.String()
	if hdr.Get("If-None-Match") != "" && resp.StatusCode == http.StatusNotModified {
		return d
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		v.finding("http.cors", SeverityError, u, "Access-Control-Allow-Origin: * missing (got %q)", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if resp.StatusCode != http.StatusOK {
		// The caller reports the status in its own terms (list, link).
		return d
	}
	ct := resp.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	if mt != "application/json" {
		v.finding("http.content_type", SeverityError, u, "Content-Type %q, expected application/json", ct)
	} else if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
		v.finding("http.charset", SeverityError, u, "charset %q, OParl is UTF-8", cs)
	}
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		v.finding("json.bom", SeverityError, u, "body starts with a byte order mark")
		body = body[3:]
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		v.finding("json.invalid", SeverityError, u, "invalid JSON: %v", err)
		return d
	}
	if dec.More() {
		v.finding("json.invalid", SeverityError, u, "trailing data after the JSON value")
	}
	d.value = val
	d.ok = resp.StatusCode == http.StatusOK
	return d
}

func describe(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// maxBody bounds a response read into memory.
const maxBody = 64 << 20

func (v *validator) get(ctx context.Context, u string, hdr http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", v.opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	v.mu.Lock()
	v.report.Requests++
	v.mu.Unlock()
	resp, err := v.opts.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("read body: %w", err)
	}
	return resp, body, nil
}

// ---- walk ------------------------------------------------------------------

func (v *validator) run(ctx context.Context) {
	d := v.fetch(ctx, v.opts.URL, nil)
	if d.status != 0 && d.status != http.StatusOK {
		v.finding("http.status", SeverityError, d.url, "the entry point answered HTTP %d", d.status)
	}
	if d.value == nil {
		return
	}
	obj, ok := d.value.(map[string]any)
	if !ok {
		v.finding("json.shape", SeverityError, d.url, "expected a JSON object, got %s", jsonKind(d.value))
		return
	}
	if _, isList := obj["data"]; isList {
		v.walkList(ctx, v.opts.URL, "", listFilter{})
		v.resolveRefs(ctx)
		v.graphChecks()
		return
	}
	typ := v.checkStandalone(d, obj, "")
	switch typ {
	case "System":
		v.transportProbes(ctx, d)
		v.walkSystem(ctx, d.url, obj)
	case "Body":
		var wg sync.WaitGroup
		v.walkBody(ctx, obj, &wg)
		wg.Wait()
	}
	v.resolveRefs(ctx)
	v.checkFiles(ctx)
	v.graphChecks()
}

// checkStandalone checks a fetched object document and its id.
func (v *validator) checkStandalone(d *doc, obj map[string]any, want string) string {
	typ := v.checker.check(d.url, "", obj, want, nil)
	if id, _ := obj["id"].(string); id != "" && id != d.url {
		v.finding("object.id.mismatch", SeverityError, d.url, "id %q differs from the URL the object was fetched from", id)
	}
	return typ
}

// transportProbes checks conditional GET, caching headers and the error
// answer for an unknown URL.
func (v *validator) transportProbes(ctx context.Context, d *doc) {
	etag := d.header.Get("ETag")
	if etag == "" {
		v.finding("http.etag", SeverityInfo, d.url, "no ETag header (conditional GET not possible)")
	} else {
		c := v.fetch(ctx, d.url, http.Header{"If-None-Match": {etag}})
		if c.status != http.StatusNotModified {
			v.finding("http.conditional", SeverityInfo, d.url, "If-None-Match with the current ETag answered HTTP %d, expected 304", c.status)
		}
	}
	if d.header.Get("Last-Modified") == "" {
		v.finding("http.last_modified", SeverityInfo, d.url, "no Last-Modified header")
	}
	u, err := url.Parse(d.url)
	if err != nil {
		return
	}
	if u.Scheme != "https" {
		v.finding("http.https", SeverityInfo, d.url, "the API is served over http; https is recommended")
	}
	// A non-canonical spelling should redirect (301) to the canonical URL.
	if !strings.HasSuffix(u.Path, "/") && u.RawQuery == "" {
		alt := *u
		alt.Path += "/"
		// The client follows redirects: 200 at the same URL means none.
		if resp, _, err := v.getProbe(ctx, alt.String()); err == nil && resp.StatusCode == http.StatusOK && resp.Request.URL.String() == alt.String() {
			v.finding("http.canonical", SeverityInfo, alt.String(), "a non-canonical spelling answered 200; it should redirect (301) to %s", d.url)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/oparl-validator-does-not-exist"
	u.RawQuery = ""
	probe := u.String()
	resp, body, err := v.getProbe(ctx, probe)
	if err != nil {
		return
	}
	if resp.StatusCode != http.StatusNotFound {
		v.finding("http.not_found", SeverityWarning, probe, "an unknown URL answered HTTP %d, expected 404", resp.StatusCode)
		return
	}
	var e struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &e) != nil || !strings.HasSuffix(e.Type, "/Error") {
		v.finding("http.error_object", SeverityInfo, probe, "the 404 answer is no OParl Error object")
	}
}

func (v *validator) getProbe(ctx context.Context, u string) (*http.Response, []byte, error) {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-v.sem }()
	return v.get(ctx, u, nil)
}

func (v *validator) walkSystem(ctx context.Context, sysURL string, sys map[string]any) {
	bodyList, _ := sys["body"].(string)
	if bodyList == "" {
		return
	}
	sysLicense, _ := sys["license"].(string)
	bodies := v.walkList(ctx, bodyList, "Body", listFilter{})
	v.markComplete("Body", bodies.complete)
	var wg sync.WaitGroup
	for _, b := range bodies.items {
		if del, _ := b["deleted"].(bool); del {
			continue
		}
		bodyID, _ := b["id"].(string)
		if lic, _ := b["license"].(string); lic == "" && sysLicense == "" {
			v.finding("license.missing", SeverityWarning, bodyID, "neither System nor Body state a license")
		}
		if s, _ := b["system"].(string); s != "" && s != sysURL {
			v.finding("body.system", SeverityWarning, bodyID, "Body.system %q is not the System %q", s, sysURL)
		}
		v.walkBody(ctx, b, &wg)
	}
	wg.Wait()
}

// walkBody walks the ten external lists of body b, each in a goroutine
// added to wg.
func (v *validator) walkBody(ctx context.Context, b map[string]any, wg *sync.WaitGroup) {
	for _, l := range bodyLists {
		listURL, _ := b[l.Prop].(string)
		if listURL == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := v.walkList(ctx, listURL, l.Type, listFilter{})
			v.markComplete(l.Type, res.complete)
			v.probeFilters(ctx, listURL, l.Type, res)
			if l.Type == "Organization" {
				v.walkOrganizationLists(ctx, res.items)
			}
		}()
	}
}

func (v *validator) markComplete(typ string, complete bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	prev, seen := v.complete[typ]
	v.complete[typ] = complete && (!seen || prev)
}

// walkOrganizationLists walks Organization.meeting and .consultation.
func (v *validator) walkOrganizationLists(ctx context.Context, orgs []map[string]any) {
	for _, o := range orgs {
		for _, l := range []struct{ prop, typ string }{{"meeting", "Meeting"}, {"consultation", "Consultation"}} {
			if u, _ := o[l.prop].(string); u != "" {
				if !v.budget() {
					return
				}
				v.walkList(ctx, u, l.typ, listFilter{})
			}
		}
	}
}

// listFilter are the filters a walk applied; every item and link must honour them.
type listFilter struct {
	modifiedSince, createdUntil time.Time
	omitInternal                bool
}

func (f listFilter) active() bool {
	return !f.modifiedSince.IsZero() || !f.createdUntil.IsZero() || f.omitInternal
}

type walkResult struct {
	items     []map[string]any
	firstPage []string // ids of the first page, in order
	complete  bool
	tombs     int
}

// maxFilteredPages bounds the pages read of a filter probe.
const maxFilteredPages = 3

// walkList follows a list from listURL to its end (or, filtered, a few
// pages), checking every page and entry.
func (v *validator) walkList(ctx context.Context, listURL, itemType string, f listFilter) walkResult {
	var res walkResult
	v.mu.Lock()
	v.report.Lists++
	v.mu.Unlock()
	visited := map[string]bool{}
	ids := map[string]bool{}
	perPage := -1
	next := listURL
	for page := 0; next != ""; page++ {
		if f.active() && page >= maxFilteredPages {
			return res
		}
		if visited[next] {
			v.finding("list.next.loop", SeverityError, next, "links.next points back to a page already visited (%s)", listURL)
			return res
		}
		visited[next] = true
		if !v.budget() || ctx.Err() != nil {
			return res
		}
		d := v.fetch(ctx, next, nil)
		if d.status != 0 && d.status != http.StatusOK {
			v.finding("http.status", SeverityError, next, "list page answered HTTP %d (an empty result is an empty list, not an error)", d.status)
		}
		if !d.ok {
			return res
		}
		pageObj, ok := d.value.(map[string]any)
		if !ok {
			v.finding("list.shape", SeverityError, next, "a list page must be an object with data, pagination and links; got %s", jsonKind(d.value))
			return res
		}
		if _, isList := pageObj["data"]; !isList {
			if _, hasType := pageObj["type"]; hasType {
				v.finding("list.shape", SeverityError, next, "the list URL answered a single object instead of a list page")
				return res
			}
		}
		data, ok := pageObj["data"].([]any)
		if !ok {
			v.finding("list.shape", SeverityError, next, "data missing or not an array")
			return res
		}
		pag, ok := pageObj["pagination"].(map[string]any)
		if !ok {
			v.finding("list.shape", SeverityError, next, "pagination missing or not an object")
		}
		links, ok := pageObj["links"].(map[string]any)
		if !ok {
			v.finding("list.shape", SeverityError, next, "links missing or not an object")
		}
		if n, ok := pag["elementsPerPage"].(json.Number); ok && links["next"] != nil {
			if perPage >= 0 && string(n) != fmt.Sprint(perPage) {
				v.finding("list.elements_per_page", SeverityWarning, next, "elementsPerPage changed from %d to %s", perPage, n)
			}
			fmt.Sscan(string(n), &perPage)
		}
		for i, it := range data {
			path := fmt.Sprintf("data[%d]", i)
			obj, ok := it.(map[string]any)
			if !ok {
				v.add(Finding{Check: "list.item", Severity: SeverityError, URL: next, Path: path, Message: "list entry is not an object"})
				continue
			}
			id, _ := obj["id"].(string)
			if ids[id] && id != "" {
				v.add(Finding{Check: "list.duplicate", Severity: SeverityWarning, URL: next, Path: path, Message: fmt.Sprintf("%s appears twice in one walk", id)})
			}
			ids[id] = true
			if page == 0 {
				res.firstPage = append(res.firstPage, id)
			}
			v.checkListItem(next, path, obj, itemType, f)
			if del, _ := obj["deleted"].(bool); del {
				res.tombs++
			}
			res.items = append(res.items, obj)
		}
		var nu string
		if links != nil {
			if raw, present := links["next"]; present {
				s, ok := raw.(string)
				if !ok || s == "" {
					v.finding("list.next.type", SeverityError, next, "links.next must be a URL string")
				} else {
					nu = s
				}
			}
			if f.active() {
				for _, k := range []string{"first", "self", "next", "prev", "last"} {
					if s, ok := links[k].(string); ok {
						v.checkFilterKept(next, k, s, f)
					}
				}
			}
		}
		next = nu
	}
	res.complete = true
	if itemType != "" && !f.active() {
		v.mu.Lock()
		m := v.listed[itemType]
		if m == nil {
			m = map[string]bool{}
			v.listed[itemType] = m
		}
		for id := range ids {
			m[id] = true
		}
		v.mu.Unlock()
	}
	return res
}

// checkListItem checks one entry of a list page.
func (v *validator) checkListItem(page, path string, obj map[string]any, itemType string, f listFilter) {
	id, _ := obj["id"].(string)
	v.mu.Lock()
	st := v.objects[id]
	known := st != nil && st.standalone != nil
	v.mu.Unlock()
	deleted, _ := obj["deleted"].(bool)
	if deleted && f.modifiedSince.IsZero() {
		v.add(Finding{Check: "list.tombstone.unfiltered", Severity: SeverityError, URL: page, Path: path,
			Message: fmt.Sprintf("deleted object %s listed without modified_since", id)})
	}
	if !known || f.active() {
		// Filtered probes re-read known objects: check them again only for
		// the filter, not for the same findings twice.
		if !known {
			v.checker.check(page, path, obj, itemType, nil)
		}
	}
	if !f.modifiedSince.IsZero() {
		if m, err := parseLenient(str(obj, "modified")); err == nil && m.Before(f.modifiedSince) {
			v.add(Finding{Check: "list.filter.violated", Severity: SeverityError, URL: page, Path: path,
				Message: fmt.Sprintf("modified %s is before modified_since", str(obj, "modified"))})
		}
	}
	if !f.createdUntil.IsZero() && !deleted {
		if c, err := parseLenient(str(obj, "created")); err == nil && c.After(f.createdUntil) {
			v.add(Finding{Check: "list.filter.violated", Severity: SeverityError, URL: page, Path: path,
				Message: fmt.Sprintf("created %s is after created_until", str(obj, "created"))})
		}
	}
	if f.omitInternal && !deleted {
		for _, p := range omitInternalProps[itemType] {
			if a, ok := obj[p].([]any); ok && len(a) > 0 {
				v.add(Finding{Check: "list.omit_internal", Severity: SeverityInfo, URL: page, Path: join(path, p),
					Message: "omit_internal=true should leave out " + p})
			}
		}
	}
}

func str(obj map[string]any, k string) string { s, _ := obj[k].(string); return s }

// checkFilterKept checks that link carries the filters of the walk.
func (v *validator) checkFilterKept(page, name, link string, f listFilter) {
	u, err := url.Parse(link)
	if err != nil {
		v.finding("url.format", SeverityError, page, "links.%s %q is no URL", name, link)
		return
	}
	q := u.Query()
	same := func(param string, want time.Time) bool {
		vals := q[param]
		if len(vals) == 0 {
			return false
		}
		t, err := parseLenient(strings.ReplaceAll(vals[0], " ", "+"))
		return err == nil && t.Equal(want)
	}
	if !f.modifiedSince.IsZero() && !same("modified_since", f.modifiedSince) {
		v.finding("list.filter.lost", SeverityError, page, "links.%s does not keep modified_since: %s", name, link)
	}
	if !f.createdUntil.IsZero() && !same("created_until", f.createdUntil) {
		v.finding("list.filter.lost", SeverityError, page, "links.%s does not keep created_until: %s", name, link)
	}
	if f.omitInternal && q.Get("omit_internal") != "true" {
		v.finding("list.filter.lost", SeverityError, page, "links.%s does not keep omit_internal: %s", name, link)
	}
}

// probeFilters re-reads a walked list with filters: modified_since (with
// tombstones), created_until, omit_internal, and its first page again for a
// stable order.
func (v *validator) probeFilters(ctx context.Context, listURL, itemType string, full walkResult) {
	if len(full.items) == 0 || !v.budget() {
		return
	}
	// A time from the middle of the data gives a non-trivial result.
	var times []time.Time
	for _, it := range full.items {
		if t, err := parseLenient(str(it, "modified")); err == nil {
			times = append(times, t)
		}
	}
	if len(times) == 0 {
		return
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	t := times[len(times)/2].Truncate(time.Second)
	with := func(params map[string]string) string {
		u, err := url.Parse(listURL)
		if err != nil {
			return listURL
		}
		q := u.Query()
		for k, val := range params {
			q.Set(k, val)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	ts := t.Format("2006-01-02T15:04:05-07:00")
	v.walkList(ctx, with(map[string]string{"modified_since": ts}), itemType, listFilter{modifiedSince: t})
	v.walkList(ctx, with(map[string]string{"created_until": ts}), itemType, listFilter{createdUntil: t})
	if _, ok := omitInternalProps[itemType]; ok {
		v.walkList(ctx, with(map[string]string{"omit_internal": "true"}), itemType, listFilter{omitInternal: true})
	}
	again := v.fetch(ctx, listURL, nil)
	if page, ok := again.value.(map[string]any); ok {
		data, _ := page["data"].([]any)
		var ids []string
		for _, it := range data {
			if m, ok := it.(map[string]any); ok {
				ids = append(ids, str(m, "id"))
			}
		}
		if !slices.Equal(ids, full.firstPage) {
			v.finding("list.order.unstable", SeverityWarning, listURL, "the first page lists other objects or another order when read again")
		}
	}
}

// resolveRefs fetches every referenced object not met standalone yet, and
// every embedded object, to check that it resolves to the expected type.
func (v *validator) resolveRefs(ctx context.Context) {
	for round := 0; round < 3; round++ {
		type want struct {
			url, typ, from string
		}
		var todo []want
		var mismatches []Finding
		v.mu.Lock()
		queued := map[string]bool{}
		for _, r := range v.refs {
			if r.Type == "" || queued[r.URL] {
				continue
			}
			if st := v.objects[r.URL]; st != nil && (st.standalone != nil || st.fetching) {
				if st.standalone != nil && st.typ != r.Type && st.typ != "" {
					mismatches = append(mismatches, Finding{Check: "link.type", Severity: SeverityError, URL: r.Doc, Path: r.Path,
						Message: fmt.Sprintf("%s points to a %s, expected %s", r.URL, st.typ, r.Type)})
				}
				continue
			}
			queued[r.URL] = true
			todo = append(todo, want{r.URL, r.Type, r.Doc + " " + r.Path})
		}
		for id, st := range v.objects {
			if st.standalone == nil && !st.fetching && len(st.embeds) > 0 && !queued[id] {
				queued[id] = true
				todo = append(todo, want{id, st.typ, st.embeds[0].Doc + " " + st.embeds[0].Path})
			}
		}
		for _, w := range todo {
			if st := v.objects[w.url]; st != nil {
				st.fetching = true
			} else {
				v.objects[w.url] = &objState{typ: w.typ, fetching: true}
			}
		}
		v.mu.Unlock()
		for _, f := range mismatches {
			v.add(f)
		}
		if len(todo) == 0 {
			return
		}
		var wg sync.WaitGroup
		// Bound the goroutines waiting for a request slot.
		workers := make(chan struct{}, 2*v.opts.Concurrency)
		for _, w := range todo {
			if !v.budget() || ctx.Err() != nil {
				break
			}
			workers <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-workers; wg.Done() }()
				d := v.fetch(ctx, w.url, nil)
				if d.status == 0 && d.value == nil {
					return // not fetched (other host, cancelled)
				}
				if !d.ok {
					v.finding("link.unresolved", SeverityError, w.url, "linked from %s; the object cannot be fetched (HTTP %d)", w.from, d.status)
					return
				}
				obj, ok := d.value.(map[string]any)
				if !ok {
					v.finding("json.shape", SeverityError, w.url, "expected an object, got %s", jsonKind(d.value))
					return
				}
				v.checkStandalone(d, obj, w.typ)
			}()
		}
		wg.Wait()
	}
}

// checkFiles fetches accessUrl and downloadUrl of some files.
func (v *validator) checkFiles(ctx context.Context) {
	if v.opts.FileChecks < 0 {
		return
	}
	v.mu.Lock()
	files := v.files[:min(len(v.files), v.opts.FileChecks)]
	v.mu.Unlock()
	for _, f := range files {
		id := str(f, "id")
		if u := str(f, "accessUrl"); u != "" {
			if cd, status, ok := v.head(ctx, u); ok {
				if status != http.StatusOK {
					v.finding("file.access_url.status", SeverityError, id, "accessUrl %s answered HTTP %d", u, status)
				} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(cd)), "attachment") {
					v.finding("file.access_url.disposition", SeverityError, id, "accessUrl must not send Content-Disposition: attachment")
				}
			}
		}
		if u := str(f, "downloadUrl"); u != "" {
			if cd, status, ok := v.head(ctx, u); ok {
				if status != http.StatusOK {
					v.finding("file.download_url.status", SeverityError, id, "downloadUrl %s answered HTTP %d", u, status)
				} else if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(cd)), "attachment") {
					v.finding("file.download_url.disposition", SeverityWarning, id, "downloadUrl should send Content-Disposition: attachment")
				}
			}
		} else {
			v.finding("file.download_url.missing", SeverityInfo, id, "no downloadUrl")
		}
	}
}

// head GETs u (the content is discarded) and returns its disposition.
func (v *validator) head(ctx context.Context, u string) (disposition string, status int, ok bool) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Host != v.host && !v.opts.AllowOtherHosts) {
		return "", 0, false
	}
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return "", 0, false
	}
	defer func() { <-v.sem }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, false
	}
	req.Header.Set("User-Agent", v.opts.UserAgent)
	v.mu.Lock()
	v.report.Requests++
	v.mu.Unlock()
	resp, err := v.opts.Client.Do(req)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			v.finding("http.request", SeverityError, u, "request failed: %v", err)
		}
		return "", 0, false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.Header.Get("Content-Disposition"), resp.StatusCode, true
}

// backRefOf names the property of a standalone child that points back to a
// parent of type parentType in which it is embedded.
func backRefOf(childType, parentType string) string {
	switch childType + "<" + parentType {
	case "AgendaItem<Meeting":
		return "meeting"
	case "Consultation<Paper":
		return "paper"
	case "Membership<Person":
		return "person"
	case "LegislativeTerm<Body":
		return "body"
	case "File<Meeting":
		return "meeting"
	case "File<AgendaItem":
		return "agendaItem"
	case "File<Paper":
		return "paper"
	case "Location<Body":
		return "bodies"
	case "Location<Organization":
		return "organizations"
	case "Location<Person":
		return "persons"
	case "Location<Meeting":
		return "meetings"
	case "Location<Paper":
		return "papers"
	}
	return ""
}

// graphChecks compares what the walk collected: objects missing from their
// lists, back-references, embedded copies against standalone objects.
func (v *validator) graphChecks() {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []Finding
	for id, st := range v.objects {
		if st.typ == "" || st.typ == "System" {
			continue
		}
		if v.complete[st.typ] && !st.deleted && v.listed[st.typ] != nil && !v.listed[st.typ][id] && (st.standalone != nil || len(st.embeds) > 0) {
			out = append(out, Finding{Check: "graph.not_in_list", Severity: SeverityWarning, URL: id,
				Message: fmt.Sprintf("this %s appears in no external list of its type", st.typ)})
		}
		if st.standalone == nil {
			continue
		}
		for _, e := range st.embeds {
			if br := backRefOf(st.typ, e.ParentType); br != "" && !refersTo(st.standalone[br], e.ParentID) {
				out = append(out, Finding{Check: "graph.backref", Severity: SeverityWarning, URL: id,
					Message: fmt.Sprintf("embedded in %s (%s) but its %s does not point there", e.ParentID, e.ParentProp, br)})
			}
			if diff := embeddedDiff(st.typ, e.Raw, st.standalone); diff != "" {
				out = append(out, Finding{Check: "embedded.mismatch", Severity: SeverityWarning, URL: e.Doc, Path: e.Path,
					Message: fmt.Sprintf("embedded copy of %s differs from the object itself in %s", id, diff)})
			}
			if pst := v.objects[e.ParentID]; pst != nil && pst.standalone != nil {
				pm, e1 := parseLenient(str(pst.standalone, "modified"))
				cm, e2 := parseLenient(str(e.Raw, "modified"))
				if e1 == nil && e2 == nil && cm.After(pm) {
					out = append(out, Finding{Check: "embedded.modified.newer", Severity: SeverityInfo, URL: e.ParentID,
						Message: fmt.Sprintf("embedded %s was modified after its parent: parent modified not bumped", id)})
				}
			}
		}
		// A single-valued back-reference must be matched by the parent.
		for _, pt := range []string{"Meeting", "Paper", "Person"} {
			br := backRefOf(st.typ, pt)
			parentID, _ := st.standalone[br].(string)
			if br == "" || parentID == "" || st.deleted {
				continue
			}
			pst := v.objects[parentID]
			if pst == nil || pst.standalone == nil || pst.deleted {
				continue
			}
			prop := map[string]string{"AgendaItem": "agendaItem", "Consultation": "consultation", "Membership": "membership"}[st.typ]
			if _, embedsAny := pst.standalone[prop]; embedsAny && !embeds(pst.standalone[prop], id) {
				out = append(out, Finding{Check: "graph.backref", Severity: SeverityWarning, URL: id,
					Message: fmt.Sprintf("%s points to %s, which does not embed it in %s", br, parentID, prop)})
			}
		}
	}
	for _, f := range out {
		key := f.Check + "\x00" + f.URL + "\x00" + f.Path
		if !v.dedupe[key] {
			v.dedupe[key] = true
			v.report.Findings = append(v.report.Findings, f)
		}
	}
}

func refersTo(v any, id string) bool {
	switch x := v.(type) {
	case string:
		return x == id
	case []any:
		for _, e := range x {
			if e == id {
				return true
			}
		}
	}
	return false
}

func embeds(v any, id string) bool {
	arr, _ := v.([]any)
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok && m["id"] == id {
			return true
		}
	}
	return false
}

// embeddedDiff names the first property where the embedded copy differs
// from the standalone object ("" if none). Back-references and nested
// objects are skipped.
func embeddedDiff(typ string, emb, std map[string]any) string {
	keys := make([]string, 0, len(emb))
	for k := range emb {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if isBackRef(typ, k) {
			continue
		}
		ev := emb[k]
		switch ev.(type) {
		case map[string]any:
			continue
		case []any:
			if arr := ev.([]any); len(arr) > 0 {
				if _, nested := arr[0].(map[string]any); nested {
					continue
				}
			}
		}
		if !reflect.DeepEqual(ev, std[k]) {
			return k
		}
	}
	return ""
}
