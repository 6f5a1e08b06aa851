// Package importer imports a municipality's council data from any OParl
// 1.0/1.1 endpoint into a Ratsnetz store: the full history on the first run,
// then incrementally (modified_since per list), idempotently and resumably.
//
// Real OParl servers deviate from the standard in many ways; the importer
// tolerates every deviation it knows, repairs what it can, skips what it
// cannot read, and lists all of it in the Report.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Store is what the importer needs from storage: loading datasets, the
// external-ID mapping with progress state, and two lookups of earlier
// imports. *sqlstore.DB implements it.
type Store interface {
	ratsnetz.Loader
	ratsnetz.ExternalIDStore
	FindConsultations(ctx context.Context, f ratsnetz.ConsultationFilter) ([]*ratsnetz.Consultation, int, error)
	FindFiles(ctx context.Context, f ratsnetz.FileFilter) ([]*ratsnetz.File, int, error)
}

// Options configure a run.
type Options struct {
	// URL is the OParl System (entry point), e.g. https://ris.example.de/oparl/v1.1/system.
	URL   string
	Store Store
	// Blobs receives file contents when FetchFiles is set.
	Blobs  ratsnetz.BlobStore
	Client *http.Client
	// Concurrency bounds the requests in flight (default 4).
	Concurrency int
	// Bodies limits the import to these body ids (OParl URLs); empty = all.
	Bodies []string
	// FetchFiles downloads file contents into Blobs.
	FetchFiles bool
	// PageSize, when > 0, asks for pages of this many objects (the OParl
	// `limit` parameter) instead of the server's default (often 20–100):
	// fewer requests and store transactions. A server that rejects the
	// parameter (4xx on a first page) is asked again without it, for the
	// rest of the run.
	PageSize int
	// Full ignores the last run's times and walks every list completely
	// (a periodic full re-crawl catches changes servers forgot to date).
	Full bool
	// Progress, when set, receives a status line every few seconds.
	Progress io.Writer
	Logger   *slog.Logger
	Now      func() time.Time
	// Retries per request after a 5xx or transport error (default 4), with
	// exponential backoff starting at Backoff (default 2s).
	Retries   int
	Backoff   time.Duration
	UserAgent string
}

// Run imports from opts.URL. The report is returned even when err is set;
// err is only set for what stops the whole run (no System, store failure,
// cancelled context). An interrupted run continues where it stopped when
// started again.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.URL == "" {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Keine OParl-URL angegeben.")
	}
	if opts.Store == nil {
		return nil, errors.New("importer: no store")
	}
	if opts.FetchFiles && opts.Blobs == nil {
		return nil, errors.New("importer: FetchFiles needs a blob store")
	}
	if opts.Client == nil {
		// Generous: the timeout covers whole file downloads.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = max(opts.Concurrency, 4)
		opts.Client = &http.Client{Timeout: 10 * time.Minute, Transport: tr}
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retries == 0 {
		opts.Retries = 4
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Ratsnetz-OParl-Importer/1.0"
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	rep := newReporter(opts.URL, opts.Logger, opts.Progress, opts.Now)
	r := &run{
		opts:      opts,
		store:     opts.Store,
		rep:       rep,
		loc:       loc,
		consPaper: map[loadedKey]int64{},
		loadedSet: map[loadedKey]struct{}{},
		tried:     map[string]bool{},
		f: &fetcher{
			client: opts.Client, sem: make(chan struct{}, opts.Concurrency),
			retries: opts.Retries, backoff: opts.Backoff, userAgent: opts.UserAgent, rep: rep,
		},
	}
	err = r.run(ratsnetz.SystemContext(ctx))
	rep.printProgress(true)
	out := rep.report()
	out.Requests = r.f.requests.Load()
	opts.Logger.Info("oparl import finished", "url", opts.URL, "objects", out.Total(), "skipped", out.Skipped,
		"requests", out.Requests, "retries", out.Retries, "duration", out.Finished.Sub(out.Started), "error", err)
	return out, err
}

// run is the state of one import run.
type run struct {
	opts  Options
	store Store
	f     *fetcher
	rep   *reporter
	loc   *time.Location

	// resolveMu serializes ID allocation.
	resolveMu sync.Mutex

	mu          sync.Mutex
	consPaper   map[loadedKey]int64    // consultation (hashed) → ID of its paper, seen this run
	loadedSet   map[loadedKey]struct{} // kind and external id loaded this run
	tried       map[string]bool        // pending external ids fetched this run
	offset      int64                  // learned AgendaItem.order offset
	offsetDirty bool
	defaultBody string
	// limitOK: the server answered a page with limit; noLimit: it
	// rejected limit (see Options.PageSize).
	limitOK, noLimit atomic.Bool
}

func (r *run) stateKey(parts ...string) string {
	return "oparl:" + strings.Join(parts, ":")
}

func (r *run) run(ctx context.Context) error {
	offKey := r.stateKey("agenda-order-offset", r.opts.URL)
	if s, err := r.store.ImportState(ctx, offKey); err != nil {
		return fmt.Errorf("read import state: %w", err)
	} else if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		r.offset = n
	}

	b, err := r.f.getJSON(ctx, r.opts.URL)
	if err != nil {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "OParl-System %s nicht erreichbar: %v", r.opts.URL, err)
	}
	v, sanitized, err := parseJSON(b)
	if err != nil {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "OParl-System %s liefert kein JSON: %v", r.opts.URL, err)
	}
	base := &obj{where: r.opts.URL, report: r.rep.issue, loc: r.loc}
	if sanitized {
		base.quirk(QuirkInvalidJSONRepaired, "", "Steuerzeichen in JSON maskiert")
	}
	sys := base.wrap(v)
	if sys == nil {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "OParl-System %s liefert kein Objekt.", r.opts.URL)
	}
	if t := sys.typeName(); t != "System" {
		sys.quirk(QuirkMissingType, "type", "Einstiegspunkt hat type %q statt System", t)
	}
	r.rep.mu.Lock()
	r.rep.r.SystemName = sys.str("name")
	r.rep.r.OparlVersion = sys.str("oparlVersion")
	r.rep.r.Vendor = sys.str("vendor")
	r.rep.r.Product = sys.str("product")
	r.rep.mu.Unlock()
	bodyList := sys.str("body")
	if bodyList == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "OParl-System %s nennt keine Körperschaftsliste (body).", r.opts.URL)
	}

	bodies, err := r.walkBodies(ctx, bodyList)
	if err != nil {
		return err
	}
	for _, body := range bodies {
		if err := r.importBody(ctx, body); err != nil {
			return err
		}
		if err := r.saveOffset(ctx, offKey); err != nil {
			return err
		}
	}
	if err := r.missingPass(ctx); err != nil {
		return err
	}
	return r.saveOffset(ctx, offKey)
}

func (r *run) saveOffset(ctx context.Context, key string) error {
	r.mu.Lock()
	dirty, off := r.offsetDirty, r.offset
	r.offsetDirty = false
	r.mu.Unlock()
	if !dirty {
		return nil
	}
	if err := r.store.SetImportState(ctx, key, strconv.FormatInt(off, 10)); err != nil {
		return fmt.Errorf("save import state: %w", err)
	}
	return nil
}

// walkBodies reads the body list completely, loads the bodies and returns
// those to import.
func (r *run) walkBodies(ctx context.Context, listURL string) ([]*obj, error) {
	var all []*obj
	visited := map[string]bool{}
	for next := listURL; next != ""; {
		if visited[next] {
			r.rep.issue(Issue{Quirk: QuirkPaginationLoop, URL: next, Message: "links.next zeigt auf eine schon gelesene Seite"})
			break
		}
		visited[next] = true
		items, n, err := r.fetchPage(ctx, next, false)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if len(all) == 0 {
				return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Körperschaftsliste %s nicht lesbar: %v", next, err)
			}
			r.rep.issue(Issue{Quirk: QuirkRequestFailed, URL: next, Message: err.Error(), Skipped: true})
			break
		}
		all = append(all, items...)
		next = n
	}
	var chosen []*obj
	for _, b := range all {
		if len(r.opts.Bodies) > 0 && !contains(r.opts.Bodies, b.id) {
			continue
		}
		chosen = append(chosen, b)
	}
	if len(r.opts.Bodies) > 0 && len(chosen) == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Keine der gewünschten Körperschaften gefunden.")
	}
	// Body lists have no modified_since: unchanged bodies are recognised by
	// a hash of their JSON and not loaded again.
	var changed []*obj
	hashes := map[string]string{}
	for _, b := range chosen {
		raw, err := json.Marshal(b.m)
		if err != nil {
			return nil, fmt.Errorf("hash body: %w", err)
		}
		sum := sha256.Sum256(raw)
		h := hex.EncodeToString(sum[:])
		old, err := r.store.ImportState(ctx, r.stateKey("body-hash", b.id))
		if err != nil {
			return nil, fmt.Errorf("read import state: %w", err)
		}
		if old == h && !r.opts.Full {
			continue
		}
		hashes[b.id] = h
		changed = append(changed, b)
	}
	if err := r.importObjects(ctx, "", ratsnetz.KindBody, changed, false, nil, nil); err != nil {
		return nil, err
	}
	for id, h := range hashes {
		if err := r.setState(ctx, r.stateKey("body-hash", id), h); err != nil {
			return nil, err
		}
	}
	var out []*obj
	for _, b := range chosen {
		if b.deleted() {
			continue
		}
		out = append(out, b)
		if r.defaultBody == "" {
			r.defaultBody = b.id
		}
	}
	r.rep.mu.Lock()
	r.rep.r.Bodies = len(out)
	r.rep.mu.Unlock()
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listKinds maps Body properties to the kind their list holds.
var listKinds = map[string]string{
	"organization":        ratsnetz.KindOrganization,
	"person":              ratsnetz.KindPerson,
	"meeting":             ratsnetz.KindMeeting,
	"paper":               ratsnetz.KindPaper,
	"agendaItem":          ratsnetz.KindAgendaItem,
	"consultation":        ratsnetz.KindConsultation,
	"file":                ratsnetz.KindFile,
	"membership":          ratsnetz.KindMembership,
	"legislativeTermList": ratsnetz.KindLegislativeTerm,
	"locationList":        ratsnetz.KindLocation,
}

// phases order the lists so that what later lists refer to is there first:
// consultations of papers before the agenda items that treat them, embedded
// copies before the 1.1 standalone lists (which then only add what is new).
// Files go the other way: the file list comes first, because it carries
// the long text that embedded copies leave out, and an embedded file
// already loaded from the list in this run is not written again (a full
// import would otherwise write every file twice). Files the list leaves
// out are written from their embedded copies.
var phases = [][]string{
	{"file", "legislativeTermList", "locationList"},
	{"organization", "person", "paper"},
	{"membership", "consultation", "meeting"},
	{"agendaItem"},
}

// embeddedIn names, for a list whose objects OParl 1.1 embeds completely in
// the objects of another list of the same body, that list: every agenda
// item in its meeting (Meeting.agendaItem), every consultation in its paper
// (Paper.consultation). Files are not here: the file list carries the long
// text embedded copies leave out.
var embeddedIn = map[string]string{
	"agendaItem":   "meeting",
	"consultation": "paper",
}

func (r *run) importBody(ctx context.Context, body *obj) error {
	for _, p := range []string{"organization", "person", "meeting", "paper"} {
		if _, ok := body.m[p].(string); !ok {
			body.quirk(QuirkMissingRequired, p, "Liste fehlt, nicht importiert")
		}
	}
	// complete holds, per list walked completely and unfiltered in this
	// run without anything skipped, the time its walk began.
	var completeMu sync.Mutex
	complete := map[string]string{}
	for _, phase := range phases {
		var wg sync.WaitGroup
		errs := make([]error, len(phase))
		for i, prop := range phase {
			u, _ := body.m[prop].(string)
			if strings.TrimSpace(u) == "" {
				continue
			}
			completeMu.Lock()
			parentStart := complete[embeddedIn[prop]]
			completeMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				start, err := r.walkList(ctx, body.id, strings.TrimSpace(u), listKinds[prop], parentStart)
				errs[i] = err
				if start != "" {
					completeMu.Lock()
					complete[prop] = start
					completeMu.Unlock()
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

const stateTime = "2006-01-02T15:04:05-07:00"

// page is a fetched list page.
type page struct {
	items []*obj
	next  string
	err   error
	// ids are the page's external ids resolved ahead (nil if not).
	ids map[string]map[string]int64
}

// walkList walks one list page by page. Progress is stored with every page
// (in the page's load transaction): the next page to read and the time the
// walk began; when the walk ends, that time becomes the list's
// modified_since for the next run. While a page is loaded, the next one is
// already fetched.
//
// complete is the start time of the walk when it read the whole list
// unfiltered from its first page with nothing skipped, else "". parentStart
// is that time of the list embedding this one's objects (see embeddedIn),
// if it was complete: when then every object of the first page was loaded
// already, the rest of the list is not read, and the list's next run asks
// for changes since the parent's walk began.
func (r *run) walkList(ctx context.Context, bodyExt, listURL, kind, parentStart string) (complete string, err error) {
	keyNext := r.stateKey("next", listURL)
	keyStart := r.stateKey("start", listURL)
	keySince := r.stateKey("since", listURL)
	next, err := r.store.ImportState(ctx, keyNext)
	if err != nil {
		return "", fmt.Errorf("read import state: %w", err)
	}
	var start, since string
	var filtered, built, resumed bool
	if next != "" && !r.opts.Full {
		resumed = true
		start, err = r.store.ImportState(ctx, keyStart)
		if err != nil {
			return "", fmt.Errorf("read import state: %w", err)
		}
		filtered = strings.Contains(next, "modified_since")
		r.opts.Logger.Info("oparl import resumes list", "list", listURL, "page", next)
	} else {
		start = r.opts.Now().In(r.loc).Format(stateTime)
		since, err = r.store.ImportState(ctx, keySince)
		if err != nil {
			return "", fmt.Errorf("read import state: %w", err)
		}
		next = listURL
		if since != "" && !r.opts.Full {
			next = withQuery(listURL, "modified_since", since, r.f.unencoded.Load())
			filtered, built = true, true
		}
		if sized := r.sized(next, kind); sized != next {
			next = r.firstPage(ctx, next, sized)
		}
		if err := r.saveState(ctx, map[string]string{keyStart: start, keyNext: next}); err != nil {
			return "", err
		}
	}
	clean := !resumed && !filtered
	skippedBefore := r.skipped()

	// The page fetched ahead; on return it is cancelled and waited for.
	pctx, cancel := context.WithCancel(ctx)
	var ahead chan page
	defer func() {
		cancel()
		if ahead != nil {
			<-ahead
		}
	}()

	visited := map[string]bool{}
	first := true
	for next != "" {
		if visited[next] {
			r.rep.issue(Issue{Quirk: QuirkPaginationLoop, URL: next, Message: "links.next zeigt auf eine schon gelesene Seite"})
			clean = false
			break
		}
		visited[next] = true
		var items []*obj
		var n string
		var pre map[string]map[string]int64
		if ahead != nil {
			p := <-ahead
			ahead = nil
			items, n, err, pre = p.items, p.next, p.err, p.ids
		} else {
			items, n, err = r.fetchPage(ctx, next, filtered)
		}
		if err != nil && built && ctx.Err() == nil && strings.Contains(next, "%") && !isNotFound(err) && httpStatus(err) != 0 {
			// Some servers (SessionNet) reject URL-encoded filter values.
			if raw := r.sized(withQuery(listURL, "modified_since", since, true), kind); raw != next {
				items2, n2, err2 := r.fetchPage(ctx, raw, filtered)
				if err2 == nil {
					r.rep.issue(Issue{Quirk: QuirkUnencodedQuery, URL: next, Message: fmt.Sprintf("kodierter Filterwert abgelehnt (%v), unkodiert wiederholt", err)})
					r.f.unencoded.Store(true)
					items, n, err = items2, n2, nil
				}
			}
		}
		built = false
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			// The list stays at this page: the next run tries it again.
			if errors.As(err, new(reportedError)) {
				return "", nil
			}
			r.rep.issue(Issue{Quirk: QuirkRequestFailed, URL: next, Message: fmt.Sprintf("Listenseite nicht lesbar, Rest der Liste übersprungen: %v", err), Skipped: true})
			return "", nil
		}
		if first && clean && parentStart != "" && n != "" && r.allLoaded(kind, items) {
			r.opts.Logger.Info("oparl import: list not walked, its objects came embedded", "list", listURL, "parent walk began", parentStart)
			r.rep.mu.Lock()
			r.rep.r.EmbeddedLists = append(r.rep.r.EmbeddedLists, listURL)
			r.rep.mu.Unlock()
			return "", r.saveState(ctx, map[string]string{keyNext: "", keyStart: "", keySince: parentStart})
		}
		first = false
		if n != "" && visited[n] {
			r.rep.issue(Issue{Quirk: QuirkPaginationLoop, URL: n, Message: "links.next zeigt auf eine schon gelesene Seite"})
			clean = false
			n = ""
		}
		if n != "" {
			ahead = make(chan page, 1)
			go func(u string, c chan<- page) {
				items, n, err := r.fetchPage(pctx, u, filtered)
				p := page{items: items, next: n, err: err}
				if err == nil {
					p.ids = r.preResolve(pctx, bodyExt, kind, items, filtered)
				}
				c <- p
			}(n, ahead)
		}
		state := map[string]string{keyNext: n}
		if n == "" {
			state[keySince], state[keyStart] = start, ""
		}
		if err := r.importObjects(ctx, bodyExt, kind, items, filtered, state, pre); err != nil {
			return "", err
		}
		next = n
	}
	if next != "" {
		// Left by a pagination loop: the walk ends here.
		if err := r.saveState(ctx, map[string]string{keyNext: "", keySince: start, keyStart: ""}); err != nil {
			return "", err
		}
	}
	if clean && r.skipped() == skippedBefore {
		return start, nil
	}
	return "", nil
}

// allLoaded reports whether items is not empty and each of them was
// loaded in this run already.
func (r *run) allLoaded(listKind string, items []*obj) bool {
	if len(items) == 0 {
		return false
	}
	for _, o := range items {
		kind := typeKinds[o.typeName()]
		if kind == "" {
			kind = listKind
		}
		if !r.wasLoaded(kind, o.id) {
			return false
		}
	}
	return true
}

func (r *run) skipped() int {
	r.rep.mu.Lock()
	defer r.rep.mu.Unlock()
	return r.rep.r.Skipped
}

// maxMeetingPage bounds the pages of meeting lists: a meeting embeds its
// agenda items with their files (about twenty each), so a page of 1000
// meetings is tens of megabytes of JSON; two pages are in memory at once.
const maxMeetingPage = 100

// sized adds the page size (limit) to the first page URL u of a list of kind.
func (r *run) sized(u, kind string) string {
	if r.opts.PageSize <= 0 || r.noLimit.Load() || strings.Contains(u, "limit=") {
		return u
	}
	size := r.opts.PageSize
	if kind == ratsnetz.KindMeeting {
		size = min(size, maxMeetingPage)
	}
	return withQuery(u, "limit", strconv.Itoa(size), true)
}

// firstPage returns sized, the first page with the limit parameter, unless
// the server rejects it with a client error: then the limit is dropped for
// the rest of the run and plain returned. The probe's answer is discarded
// (one extra request per list at most).
func (r *run) firstPage(ctx context.Context, plain, sized string) string {
	if r.limitOK.Load() {
		return sized
	}
	_, err := r.f.getJSON(ctx, sized)
	if st := httpStatus(err); st >= 400 && st < 500 && st != http.StatusNotFound {
		if r.noLimit.CompareAndSwap(false, true) {
			r.opts.Logger.Info("oparl import: server rejects limit, using its page size", "url", sized, "status", st)
		}
		return plain
	}
	if err == nil {
		r.limitOK.Store(true)
	}
	return sized
}

// reportedError is an error already listed in the report.
type reportedError struct{ error }

func (e reportedError) Unwrap() error { return e.error }

// saveState stores several import state keys at once.
func (r *run) saveState(ctx context.Context, state map[string]string) error {
	if len(state) == 0 {
		return nil
	}
	if bs, ok := r.store.(batchStore); ok {
		if err := bs.LoadImport(ctx, nil, state); err != nil {
			return fmt.Errorf("save import state: %w", err)
		}
		return nil
	}
	for _, k := range sortedKeys(state) {
		if err := r.setState(ctx, k, state[k]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *run) setState(ctx context.Context, key, value string) error {
	if err := r.store.SetImportState(ctx, key, value); err != nil {
		return fmt.Errorf("save import state %s: %w", key, err)
	}
	return nil
}

// fetchPage reads one list page in any of the shapes servers use.
func (r *run) fetchPage(ctx context.Context, u string, filtered bool) (items []*obj, next string, err error) {
	b, err := r.f.getJSON(ctx, u)
	if err != nil {
		if filtered && isNotFound(err) {
			r.rep.issue(Issue{Quirk: QuirkEmptyList404, URL: u, Message: "leere gefilterte Liste als HTTP 404 beantwortet"})
			return nil, "", nil
		}
		return nil, "", err
	}
	base := &obj{where: u, report: r.rep.issue, loc: r.loc}
	v, sanitized, err := parseJSON(b)
	if err != nil {
		r.rep.issue(Issue{Quirk: QuirkInvalidJSON, URL: u, Message: err.Error(), Skipped: true})
		return nil, "", reportedError{fmt.Errorf("parse %s: %w", u, err)}
	}
	if sanitized {
		base.quirk(QuirkInvalidJSONRepaired, "", "Steuerzeichen in JSON maskiert")
	}
	var raw []any
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			base.quirk(QuirkBareArrayList, "", "leere Liste als bloßes [] statt Listenobjekt")
		} else {
			base.quirk(QuirkBareArrayList, "", "Liste als bloßes Array statt Listenobjekt")
		}
		raw = x
	case map[string]any:
		if data, ok := x["data"]; ok {
			switch d := data.(type) {
			case []any:
				raw = d
			case map[string]any:
				base.quirk(QuirkObjectForArray, "data", "einzelnes Objekt statt Liste")
				raw = []any{d}
			case nil:
			default:
				base.quirk(QuirkInvalidValue, "data", "unerwarteter JSON-Typ %T", d)
			}
			links, _ := x["links"].(map[string]any)
			next, _ = links["next"].(string)
			if _, ok := x["links"]; !ok {
				base.quirk(QuirkMissingRequired, "links", "Listenseite ohne links")
			}
		} else if _, ok := x["id"]; ok {
			base.quirk(QuirkListSingleObject, "", "Liste als einzelnes Objekt beantwortet")
			raw = []any{x}
		} else {
			r.rep.issue(Issue{Quirk: QuirkInvalidJSON, URL: u, Message: "weder Liste noch Objekt", Skipped: true})
			return nil, "", reportedError{fmt.Errorf("parse %s: not an OParl list", u)}
		}
	default:
		r.rep.issue(Issue{Quirk: QuirkInvalidJSON, URL: u, Message: "weder Liste noch Objekt", Skipped: true})
		return nil, "", reportedError{fmt.Errorf("parse %s: not an OParl list", u)}
	}
	for _, e := range raw {
		o := base.wrap(e)
		if o == nil || o.id == "" {
			base.quirk(QuirkInvalidObject, "data", "Listeneintrag ohne Objekt oder id, übersprungen")
			continue
		}
		items = append(items, o)
	}
	if next = strings.TrimSpace(next); next != "" {
		if bu, err := url.Parse(u); err == nil {
			if nu, err := bu.Parse(next); err == nil {
				next = nu.String()
			}
		}
	}
	return items, next, nil
}

// embeddable kinds come both embedded and (1.1) in lists of their own.
var embeddable = map[string]bool{
	ratsnetz.KindAgendaItem: true, ratsnetz.KindConsultation: true, ratsnetz.KindMembership: true,
	ratsnetz.KindFile: true, ratsnetz.KindLocation: true, ratsnetz.KindLegislativeTerm: true,
}

// preResolve resolves the external ids of a list page fetched ahead, while
// the page before it is still being loaded: the store allocates and looks
// up IDs (on PostgreSQL in a second backend) at the same time as it writes
// the page before. It gathers the ids of every object on the page (a
// superset of what importObjects will map; IDs depend on nothing but the
// external ids, and those of objects loaded already exist) and changes no
// run state. importObjects resolves whatever is still missing. nil when
// there is nothing to gain or the store failed (importObjects then
// resolves, and reports the failure).
func (r *run) preResolve(ctx context.Context, bodyExt, listKind string, objs []*obj, filtered bool) map[string]map[string]int64 {
	if len(objs) == 0 {
		return nil
	}
	if _, ok := r.store.(batchStore); !ok {
		return nil
	}
	c := r.collectIDs(bodyExt, listKind, objs, filtered, true)
	ids, err := r.resolve(ctx, c.want)
	if err != nil {
		return nil
	}
	return ids
}

// collectIDs runs objs through a collecting mapper (copies of them, ids
// only, nothing reported): what it gathers (want, lookupCons) is what the
// page needs resolved. ahead marks the pass run ahead of its page's turn.
func (r *run) collectIDs(bodyExt, listKind string, objs []*obj, filtered, ahead bool) *mapper {
	c := newMapper(r, bodyExt, filtered, true)
	c.ahead = ahead
	for _, o := range objs {
		q := *o
		q.report, q.idsOnly = nil, true
		c.top(&q, listKind)
	}
	return c
}

// resolveRest resolves the ids of want that pre (resolved ahead) lacks and
// returns all of them.
func (r *run) resolveRest(ctx context.Context, want map[string]map[string]struct{}, pre map[string]map[string]int64) (map[string]map[string]int64, error) {
	if pre == nil {
		return r.resolve(ctx, want)
	}
	rest := map[string]map[string]struct{}{}
	for kind, set := range want {
		for e := range set {
			if _, ok := pre[kind][e]; !ok {
				if rest[kind] == nil {
					rest[kind] = map[string]struct{}{}
				}
				rest[kind][e] = struct{}{}
			}
		}
	}
	if len(rest) == 0 {
		return pre, nil
	}
	more, err := r.resolve(ctx, rest)
	if err != nil {
		return nil, err
	}
	for kind, ids := range more {
		if pre[kind] == nil {
			pre[kind] = map[string]int64{}
		}
		for e, id := range ids {
			pre[kind][e] = id
		}
	}
	return pre, nil
}

// importObjects maps objs (found in a list of listKind) to one dataset,
// fetches file contents, loads the dataset and records what was loaded.
//
// state (import state keys, may be nil) is stored with the objects, in
// the same transaction where the store can. pre, if not nil, holds IDs
// resolved ahead (preResolve).
func (r *run) importObjects(ctx context.Context, bodyExt, listKind string, objs []*obj, filtered bool, state map[string]string, pre map[string]map[string]int64) error {
	var todo []*obj
	for _, o := range objs {
		kind := typeKinds[o.typeName()]
		if kind == "" {
			kind = listKind
		}
		// An agenda item or consultation loaded this run from its parent's
		// embedded copy (which gives its position) needs no second load from
		// its own list.
		if (kind == ratsnetz.KindAgendaItem || kind == ratsnetz.KindConsultation) && r.wasLoaded(kind, o.id) {
			continue
		}
		todo = append(todo, o)
	}
	if len(todo) == 0 {
		return r.saveState(ctx, state)
	}
	c := r.collectIDs(bodyExt, listKind, todo, filtered, false)
	ids, err := r.resolveRest(ctx, c.want, pre)
	if err != nil {
		return err
	}
	m := newMapper(r, bodyExt, filtered, false)
	m.ids = ids
	if m.stored, err = r.storedConsultations(ctx, c.lookupCons, ids[ratsnetz.KindConsultation]); err != nil {
		return err
	}
	for _, o := range todo {
		m.top(o, listKind)
	}
	if err := r.vanished(ctx, m); err != nil {
		return err
	}
	if err := r.fetchFiles(ctx, m.files); err != nil {
		return err
	}
	if bs, ok := r.store.(batchStore); ok {
		if err := bs.LoadImport(ctx, &m.ds, state); err != nil {
			return fmt.Errorf("load objects from %s: %w", todo[0].where, err)
		}
	} else {
		if err := r.store.Load(ctx, &m.ds); err != nil {
			return fmt.Errorf("load objects from %s: %w", todo[0].where, err)
		}
		if err := r.saveState(ctx, state); err != nil {
			return err
		}
	}
	counts := map[string]int{}
	for kind, set := range m.defined {
		exts := make([]string, 0, len(set))
		for e := range set {
			exts = append(exts, e)
		}
		sort.Strings(exts)
		counts[kind] = r.markLoaded(kind, exts)
	}
	r.mu.Lock()
	for cons, paper := range m.consPaper {
		if id := m.ids[ratsnetz.KindPaper][paper]; id != 0 {
			r.consPaper[keyOf(ratsnetz.KindConsultation, cons)] = id
		}
	}
	r.mu.Unlock()
	r.rep.loadedObjects(counts, m.deleted)
	return nil
}

const resolveBatch = 500

// batchStore is the optional part of a Store that saves round trips:
// *sqlstore.DB resolves a page's external ids of every kind in one
// transaction and loads a page together with the walk's progress.
type batchStore interface {
	ResolveExternalIDsBatch(ctx context.Context, want map[string][]string) (map[string]map[string]int64, error)
	LoadImport(ctx context.Context, ds *ratsnetz.Dataset, state map[string]string) error
	// ImportedFiles reads what a new copy of a file keeps from the stored
	// one (blob, checksums, size; text for textIDs).
	ImportedFiles(ctx context.Context, ids, textIDs []int64) (map[int64]*ratsnetz.File, error)
}

// childFinder reads the stored children of parents (sqlstore has it).
type childFinder interface {
	FindAgendaItemsByMeetingIDs(ctx context.Context, meetingIDs []int64) ([]*ratsnetz.AgendaItem, error)
	FindConsultationsByPaperIDs(ctx context.Context, paperIDs []int64) ([]*ratsnetz.Consultation, error)
	FindMembershipsByPersonIDs(ctx context.Context, personIDs []int64) ([]*ratsnetz.Membership, error)
}

func keys(sets map[int64]*childSet) []int64 {
	out := make([]int64, 0, len(sets))
	for id := range sets {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// vanished turns imported agenda items, consultations and memberships that
// their parent no longer embeds into tombstones: OParl 1.0 let them vanish
// silently (only the parent's modified changes).
func (r *run) vanished(ctx context.Context, m *mapper) error {
	cf, ok := r.store.(childFinder)
	if !ok {
		return nil
	}
	gone := func(kind string, sets map[int64]*childSet, parent int64, meta ratsnetz.Meta) (ratsnetz.Meta, bool) {
		cs := sets[parent]
		if cs == nil || cs.ids[meta.ID] || meta.Deleted || meta.ExternalID == "" || m.defined[kind][meta.ExternalID] {
			return meta, false
		}
		r.rep.issue(Issue{Quirk: QuirkVanished, URL: meta.ExternalID, Message: fmt.Sprintf("nicht mehr eingebettet (%s), als gelöscht übernommen", kindNamesDE[kind])})
		m.deleted[kind]++
		m.define(kind, meta.ExternalID)
		return ratsnetz.Meta{ID: meta.ID, ExternalID: meta.ExternalID, Created: meta.Created, Modified: cs.modified, Deleted: true}, true
	}
	for ids := keys(m.agendaOf); len(ids) > 0; ids = ids[min(resolveBatch, len(ids)):] {
		items, err := cf.FindAgendaItemsByMeetingIDs(ctx, ids[:min(resolveBatch, len(ids))])
		if err != nil {
			return fmt.Errorf("read stored agenda items: %w", err)
		}
		for _, it := range items {
			if mt, ok := gone(ratsnetz.KindAgendaItem, m.agendaOf, it.MeetingID, it.Meta); ok {
				m.ds.AgendaItems = append(m.ds.AgendaItems, &ratsnetz.AgendaItem{Meta: mt, MeetingID: it.MeetingID, Order: it.Order, Public: true})
			}
		}
	}
	for ids := keys(m.consultationsOf); len(ids) > 0; ids = ids[min(resolveBatch, len(ids)):] {
		cs, err := cf.FindConsultationsByPaperIDs(ctx, ids[:min(resolveBatch, len(ids))])
		if err != nil {
			return fmt.Errorf("read stored consultations: %w", err)
		}
		for _, c := range cs {
			if mt, ok := gone(ratsnetz.KindConsultation, m.consultationsOf, c.PaperID, c.Meta); ok {
				m.ds.Consultations = append(m.ds.Consultations, &ratsnetz.Consultation{Meta: mt, PaperID: c.PaperID, Position: c.Position})
			}
		}
	}
	for ids := keys(m.membershipsOf); len(ids) > 0; ids = ids[min(resolveBatch, len(ids)):] {
		ms, err := cf.FindMembershipsByPersonIDs(ctx, ids[:min(resolveBatch, len(ids))])
		if err != nil {
			return fmt.Errorf("read stored memberships: %w", err)
		}
		for _, x := range ms {
			if mt, ok := gone(ratsnetz.KindMembership, m.membershipsOf, x.PersonID, x.Meta); ok {
				m.ds.Memberships = append(m.ds.Memberships, &ratsnetz.Membership{Meta: mt, PersonID: x.PersonID, OrganizationID: x.OrganizationID})
			}
		}
	}
	return nil
}

// storedConsultations reads the consultations named in want as stored by
// earlier runs.
func (r *run) storedConsultations(ctx context.Context, want map[string]struct{}, ids map[string]int64) (map[int64]*ratsnetz.Consultation, error) {
	out := map[int64]*ratsnetz.Consultation{}
	var list []int64
	for e := range want {
		if id := ids[e]; id != 0 {
			list = append(list, id)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	for i := 0; i < len(list); i += resolveBatch {
		j := min(i+resolveBatch, len(list))
		cs, _, err := r.store.FindConsultations(ctx, ratsnetz.ConsultationFilter{IDs: list[i:j],
			ListOptions: ratsnetz.ListOptions{Limit: j - i, WithDeleted: true}})
		if err != nil {
			return nil, fmt.Errorf("read stored consultations: %w", err)
		}
		for _, c := range cs {
			out[c.ID] = c
		}
	}
	return out, nil
}

// resolve allocates or looks up the local IDs of every collected external id.
func (r *run) resolve(ctx context.Context, want map[string]map[string]struct{}) (map[string]map[string]int64, error) {
	r.resolveMu.Lock()
	defer r.resolveMu.Unlock()
	if bs, ok := r.store.(batchStore); ok {
		all := make(map[string][]string, len(want))
		for kind, set := range want {
			exts := make([]string, 0, len(set))
			for e := range set {
				exts = append(exts, e)
			}
			sort.Strings(exts)
			all[kind] = exts
		}
		out, err := bs.ResolveExternalIDsBatch(ctx, all)
		if err != nil {
			return nil, fmt.Errorf("resolve ids: %w", err)
		}
		return out, nil
	}
	out := map[string]map[string]int64{}
	for kind, set := range want {
		exts := make([]string, 0, len(set))
		for e := range set {
			exts = append(exts, e)
		}
		sort.Strings(exts)
		out[kind] = map[string]int64{}
		for i := 0; i < len(exts); i += resolveBatch {
			j := min(i+resolveBatch, len(exts))
			ids, err := r.store.ResolveExternalIDs(ctx, kind, exts[i:j])
			if err != nil {
				return nil, fmt.Errorf("resolve %s ids: %w", kind, err)
			}
			for e, id := range ids {
				out[kind][e] = id
			}
		}
	}
	return out, nil
}

// loadedKey is the 128-bit FNV-1a hash of kind and external id: a large
// import remembers about a million embedded objects, and 16 bytes per entry
// instead of the URL keeps that set small (a collision, at odds of about
// 1e-26 per pair, would only skip reloading one object from its own list).
type loadedKey [16]byte

func keyOf(kind, ext string) loadedKey {
	h := fnv.New128a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(ext))
	var k loadedKey
	h.Sum(k[:0])
	return k
}

func (r *run) wasLoaded(kind, ext string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.loadedSet[keyOf(kind, ext)]
	return ok
}

// markLoaded records embeddable objects loaded this run and returns how
// many of exts are new in this run (embedded objects recur on many pages).
func (r *run) markLoaded(kind string, exts []string) int {
	if !embeddable[kind] {
		return len(exts)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range exts {
		k := keyOf(kind, e)
		if _, ok := r.loadedSet[k]; !ok {
			r.loadedSet[k] = struct{}{}
			n++
		}
	}
	return n
}

// paperOfConsultation returns the ID of the paper of a consultation seen
// this run, 0 if none was.
func (r *run) paperOfConsultation(consExt string) int64 {
	k := keyOf(ratsnetz.KindConsultation, consExt)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.consPaper[k]
}

func (r *run) orderOffset() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.offset
}

func (r *run) learnOrderOffset(first int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.offset == 0 || first < r.offset {
		r.offset = first
		r.offsetDirty = true
	}
}

// fetchFiles keeps the content of files stored earlier and, with
// FetchFiles, downloads new or changed contents into the blob store.
func (r *run) fetchFiles(ctx context.Context, tasks []fileTask) error {
	if len(tasks) == 0 {
		return nil
	}
	stored := map[int64]*ratsnetz.File{}
	bs, lean := r.store.(batchStore)
	if lean {
		ids := make([]int64, 0, len(tasks))
		var textIDs []int64
		for _, t := range tasks {
			ids = append(ids, t.file.ID)
			if !t.hasText {
				textIDs = append(textIDs, t.file.ID)
			}
		}
		var err error
		if stored, err = bs.ImportedFiles(ctx, ids, textIDs); err != nil {
			return fmt.Errorf("read stored files: %w", err)
		}
	}
	for i := 0; i < len(tasks) && !lean; i += 500 {
		j := min(i+500, len(tasks))
		ids := make([]int64, 0, j-i)
		for _, t := range tasks[i:j] {
			ids = append(ids, t.file.ID)
		}
		fs, _, err := r.store.FindFiles(ctx, ratsnetz.FileFilter{IDs: ids, ListOptions: ratsnetz.ListOptions{Limit: len(ids), WithDeleted: true}})
		if err != nil {
			return fmt.Errorf("read stored files: %w", err)
		}
		for _, f := range fs {
			stored[f.ID] = f
		}
	}
	sem := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	for _, t := range tasks {
		f := t.file
		old, ok := stored[f.ID]
		if ok && !t.hasText && f.Text == "" {
			// Servers leave the long text out of embedded copies.
			f.Text = old.Text
		}
		if t.url == "" {
			continue
		}
		if ok && old.BlobKey != "" && (!r.opts.FetchFiles || (old.Modified.Equal(f.Modified) && old.SHA256 != "")) {
			f.BlobKey, f.SHA256 = old.BlobKey, old.SHA256
			if f.SHA512 == "" {
				f.SHA512 = old.SHA512
			}
			if old.Size > 0 {
				f.Size = old.Size
			}
			continue
		}
		if !r.opts.FetchFiles {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			key := fmt.Sprintf("oparl/file/%d", f.ID)
			var info ratsnetz.BlobInfo
			err := r.f.do(ctx, t.url, func(resp *http.Response) error {
				var err error
				info, err = r.opts.Blobs.Put(ctx, key, resp.Body)
				return err
			})
			if err != nil {
				if ctx.Err() == nil {
					r.rep.issue(Issue{Quirk: QuirkFileFetchFailed, URL: f.ExternalID, Field: "accessUrl", Message: fmt.Sprintf("%s: %v", t.url, err)})
				}
				return
			}
			f.BlobKey, f.SHA256, f.Size = key, info.SHA256, info.Size
			if f.SHA512 == "" {
				f.SHA512 = info.SHA512
			}
			r.rep.file(info.Size)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// missingPass fetches objects that were referenced but never loaded (objects
// missing from every list, or lists not walked), each on its own; 404s are
// recorded so that later runs do not ask again.
func (r *run) missingPass(ctx context.Context) error {
	for round := 0; round < 3; round++ {
		progressed := false
		for _, kind := range kindOrder {
			pending, err := r.store.PendingExternalIDs(ctx, kind)
			if err != nil {
				return fmt.Errorf("read pending ids: %w", err)
			}
			var todo []string
			r.mu.Lock()
			for _, e := range pending {
				k := kind + "\x00" + e
				if r.tried[k] || !(strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://")) {
					continue
				}
				r.tried[k] = true
				todo = append(todo, e)
			}
			r.mu.Unlock()
			if len(todo) == 0 {
				continue
			}
			progressed = true
			if err := r.fetchSingles(ctx, kind, todo); err != nil {
				return err
			}
		}
		if !progressed {
			break
		}
	}
	return nil
}

func (r *run) fetchSingles(ctx context.Context, kind string, exts []string) error {
	type result struct {
		o       *obj
		missing bool
	}
	results := make([]result, len(exts))
	sem := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	for i, e := range exts {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b, err := r.f.getJSON(ctx, e)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				if isNotFound(err) {
					results[i].missing = true
					r.rep.issue(Issue{Quirk: QuirkLinkedObjectMissing, URL: e, Message: fmt.Sprintf("verlinktes Objekt (%s) nicht abrufbar: HTTP %d", kindNamesDE[kind], httpStatus(err)), Skipped: true})
					return
				}
				r.rep.issue(Issue{Quirk: QuirkRequestFailed, URL: e, Message: err.Error(), Skipped: true})
				return
			}
			base := &obj{where: e, report: r.rep.issue, loc: r.loc}
			v, sanitized, err := parseJSON(b)
			if err != nil {
				r.rep.issue(Issue{Quirk: QuirkInvalidJSON, URL: e, Message: err.Error(), Skipped: true})
				return
			}
			if sanitized {
				base.quirk(QuirkInvalidJSONRepaired, "", "Steuerzeichen in JSON maskiert")
			}
			o := base.wrap(v)
			if o == nil || o.id == "" {
				r.rep.issue(Issue{Quirk: QuirkInvalidObject, URL: e, Message: "kein Objekt mit id", Skipped: true})
				return
			}
			results[i].o = o
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var objs []*obj
	var missing []string
	for i, res := range results {
		if res.o != nil && res.o.id != exts[i] {
			// The object names another id than the URL it came from: it is
			// imported under its own id; the URL is not asked again.
			res.o.quirk(QuirkIDMismatch, "id", "abgerufen als %s", exts[i])
			res.missing = true
		}
		if res.missing {
			missing = append(missing, exts[i])
		}
		if res.o != nil {
			objs = append(objs, res.o)
		}
	}
	if len(missing) > 0 {
		if err := r.store.SetExternalIDState(ctx, kind, missing, ratsnetz.ExternalMissing); err != nil {
			return fmt.Errorf("record missing objects: %w", err)
		}
	}
	for i := 0; i < len(objs); i += 100 {
		j := min(i+100, len(objs))
		if err := r.importObjects(ctx, r.defaultBody, kind, objs[i:j], true, nil, nil); err != nil {
			return err
		}
	}
	return nil
}
