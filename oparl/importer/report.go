package importer

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Quirks: the kinds of deviations from OParl the importer tolerates. Each is
// counted in Report.Quirks and listed (up to maxIssuesPerQuirk examples) in
// Report.Issues.
const (
	QuirkTombstoneWithoutType = "tombstone-without-type"  // deleted object without "type"
	QuirkTombstoneUnfiltered  = "tombstone-unfiltered"    // deleted object in a list without modified_since
	QuirkMissingType          = "missing-type"            // object without "type" (type taken from context)
	QuirkMissingRequired      = "missing-required"        // a required property is absent
	QuirkObjectForArray       = "object-instead-of-array" // single object or string where an array belongs
	QuirkArrayForObject       = "array-instead-of-object" // array where one object belongs
	QuirkObjectForURL         = "object-instead-of-url"   // embedded object where a URL belongs
	QuirkInvalidJSONRepaired  = "invalid-json-repaired"   // control characters escaped, parse retried
	QuirkInvalidJSON          = "invalid-json"            // unreadable response, skipped
	QuirkBrokenOffset         = "broken-offset"           // "+01::00" and similar repaired
	QuirkDateTimeAsDate       = "datetime-as-date"        // date-time where a date belongs
	QuirkLenientDateTime      = "lenient-datetime"        // date-time without offset, with fraction or "Z"
	QuirkInvalidValue         = "invalid-value"           // value of wrong type or unparsable, dropped
	QuirkPlaceholder          = "placeholder"             // "N/A", "", " ", size 0 and similar junk
	QuirkSwappedCoordinates   = "swapped-coordinates"     // GeoJSON [lat, lon] swapped to [lon, lat]
	QuirkNormalizedValue      = "normalized-value"        // mimeType "pdf", 7/9-digit ags and similar fixed
	QuirkAgendaOrder          = "agenda-order-normalized" // order starting at 1, 100001, … renumbered 0…n-1
	QuirkLinkedObjectMissing  = "linked-object-missing"   // referenced object answers 404
	QuirkEmptyList404         = "empty-list-404"          // empty filtered list answered with 404
	QuirkBareArrayList        = "bare-array-list"         // list answered as a bare JSON array
	QuirkListSingleObject     = "list-single-object"      // list answered with one object
	QuirkPaginationLoop       = "pagination-loop"         // links.next points to a visited page
	QuirkHTTPRetry            = "http-retry"              // request retried after 5xx or transport error
	QuirkUnencodedQuery       = "unencoded-query"         // encoded query value rejected, sent unencoded
	QuirkRequestFailed        = "request-failed"          // request failed for good; its data skipped
	QuirkInvalidObject        = "invalid-object"          // list entry that is no object or has no id, skipped
	QuirkUnknownType          = "unknown-type"            // object of a type the importer ignores
	QuirkVanished             = "vanished-embedded"       // embedded object silently dropped by its parent (1.0 style), tombstoned
	QuirkIDMismatch           = "id-mismatch"             // object fetched from a URL names another id
	QuirkFileFetchFailed      = "file-fetch-failed"       // file content could not be fetched
	maxIssuesPerQuirk         = 50
	maxSkippedPerQuirk        = 1000
	progressInterval          = 2 * time.Second
)

// Issue is one reported problem: what, where, why.
type Issue struct {
	Quirk string
	// URL is where it was found: an object id or a page URL.
	URL string
	// Field is the property concerned, if any.
	Field   string
	Message string
	// Skipped tells that data was left out because of it.
	Skipped bool
}

// Report is the result of a run.
type Report struct {
	URL          string
	SystemName   string
	OparlVersion string
	Vendor       string
	Product      string
	Started      time.Time
	Finished     time.Time
	Bodies       int
	// Objects counts the objects loaded per kind (ratsnetz.Kind*), tombstones included.
	Objects map[string]int
	// Deleted counts the tombstones among them.
	Deleted map[string]int
	// Skipped counts objects and pages that could not be read at all.
	Skipped   int
	Files     int
	FileBytes int64
	// EmbeddedLists names the lists not walked because a complete walk of
	// their parents' list in the same run had brought every object
	// embedded (Meeting.agendaItem, Paper.consultation).
	EmbeddedLists []string
	Requests      int64
	Retries       int
	// Quirks counts every tolerated deviation per Quirk* kind.
	Quirks map[string]int
	// Issues lists the problems: up to 1000 per quirk kind of what was
	// skipped, up to 50 per kind of what was repaired.
	Issues []Issue
}

// Total returns the number of objects loaded.
func (r *Report) Total() int {
	n := 0
	for _, c := range r.Objects {
		n += c
	}
	return n
}

var kindNamesDE = map[string]string{
	ratsnetz.KindBody:            "Körperschaften",
	ratsnetz.KindLegislativeTerm: "Wahlperioden",
	ratsnetz.KindLocation:        "Orte",
	ratsnetz.KindOrganization:    "Gremien",
	ratsnetz.KindPerson:          "Personen",
	ratsnetz.KindMembership:      "Mitgliedschaften",
	ratsnetz.KindMeeting:         "Sitzungen",
	ratsnetz.KindAgendaItem:      "Tagesordnungspunkte",
	ratsnetz.KindPaper:           "Vorlagen",
	ratsnetz.KindConsultation:    "Beratungen",
	ratsnetz.KindFile:            "Dateien",
}

var kindOrder = []string{
	ratsnetz.KindBody, ratsnetz.KindLegislativeTerm, ratsnetz.KindOrganization, ratsnetz.KindPerson,
	ratsnetz.KindMembership, ratsnetz.KindMeeting, ratsnetz.KindAgendaItem, ratsnetz.KindPaper,
	ratsnetz.KindConsultation, ratsnetz.KindFile, ratsnetz.KindLocation,
}

// Write prints a German summary of the run.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "OParl-Import von %s\n", r.URL)
	var sys []string
	for _, s := range []string{r.SystemName, r.Vendor, r.Product, r.OparlVersion} {
		if s != "" {
			sys = append(sys, s)
		}
	}
	if len(sys) > 0 {
		fmt.Fprintf(&b, "System: %s\n", strings.Join(sys, ", "))
	}
	d := r.Finished.Sub(r.Started)
	fmt.Fprintf(&b, "Dauer: %s, %d Anfragen, %d Wiederholungen\n", d.Round(time.Millisecond), r.Requests, r.Retries)
	fmt.Fprintf(&b, "Körperschaften: %d, Objekte: %d", r.Bodies, r.Total())
	if secs := d.Seconds(); secs > 0 {
		fmt.Fprintf(&b, " (%.1f/s)", float64(r.Total())/secs)
	}
	b.WriteString("\n")
	for _, k := range kindOrder {
		if r.Objects[k] == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %-20s %7d", kindNamesDE[k], r.Objects[k])
		if r.Deleted[k] > 0 {
			fmt.Fprintf(&b, " (davon %d gelöscht)", r.Deleted[k])
		}
		b.WriteString("\n")
	}
	if r.Files > 0 {
		fmt.Fprintf(&b, "Dateiinhalte geladen: %d (%d Bytes)\n", r.Files, r.FileBytes)
	}
	if len(r.EmbeddedLists) > 0 {
		fmt.Fprintf(&b, "Listen nicht gelesen (alle Objekte kamen eingebettet): %s\n", strings.Join(r.EmbeddedLists, ", "))
	}
	fmt.Fprintf(&b, "Übersprungen: %d\n", r.Skipped)
	if len(r.Quirks) > 0 {
		b.WriteString("Abweichungen vom OParl-Standard (toleriert):\n")
		quirks := make([]string, 0, len(r.Quirks))
		for q := range r.Quirks {
			quirks = append(quirks, q)
		}
		sort.Strings(quirks)
		for _, q := range quirks {
			fmt.Fprintf(&b, "  %-26s %7d\n", q, r.Quirks[q])
		}
	}
	if len(r.Issues) > 0 {
		b.WriteString("Einzelheiten (Auswahl: je Art bis zu 50 Reparaturen, bis zu 1000 Auslassungen):\n")
		for _, is := range r.Issues {
			skip := ""
			if is.Skipped {
				skip = " [übersprungen]"
			}
			field := ""
			if is.Field != "" {
				field = " (" + is.Field + ")"
			}
			fmt.Fprintf(&b, "  %s: %s%s: %s%s\n", is.Quirk, is.URL, field, is.Message, skip)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// reporter collects a run's report; safe for concurrent use.
type reporter struct {
	mu        sync.Mutex
	r         Report
	perQuirk  map[string]int
	logger    *slog.Logger
	progress  io.Writer
	now       func() time.Time
	lastPrint time.Time
	loaded    int
}

func newReporter(url string, logger *slog.Logger, progress io.Writer, now func() time.Time) *reporter {
	return &reporter{
		r: Report{
			URL: url, Started: now(),
			Objects: map[string]int{}, Deleted: map[string]int{}, Quirks: map[string]int{},
		},
		perQuirk: map[string]int{},
		logger:   logger,
		progress: progress,
		now:      now,
	}
}

func (rp *reporter) issue(is Issue) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.r.Quirks[is.Quirk]++
	if is.Skipped {
		rp.r.Skipped++
	}
	limit := maxIssuesPerQuirk
	if is.Skipped {
		limit = maxSkippedPerQuirk
	}
	if rp.perQuirk[is.Quirk] < limit {
		rp.perQuirk[is.Quirk]++
		rp.r.Issues = append(rp.r.Issues, is)
	}
	rp.logger.Debug("oparl import quirk", "quirk", is.Quirk, "url", is.URL, "field", is.Field, "message", is.Message, "skipped", is.Skipped)
}

func (rp *reporter) retry(u string, attempt int, err error) {
	rp.mu.Lock()
	rp.r.Retries++
	rp.mu.Unlock()
	rp.issue(Issue{Quirk: QuirkHTTPRetry, URL: u, Message: fmt.Sprintf("Versuch %d: %v", attempt+1, err)})
}

func (rp *reporter) loadedObjects(counts, deleted map[string]int) {
	rp.mu.Lock()
	for k, n := range counts {
		rp.r.Objects[k] += n
		rp.loaded += n
	}
	for k, n := range deleted {
		rp.r.Deleted[k] += n
	}
	rp.mu.Unlock()
	rp.printProgress(false)
}

func (rp *reporter) file(size int64) {
	rp.mu.Lock()
	rp.r.Files++
	rp.r.FileBytes += size
	rp.mu.Unlock()
}

// printProgress writes one status line at most every progressInterval (or
// now, when forced).
func (rp *reporter) printProgress(force bool) {
	if rp.progress == nil {
		return
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	now := rp.now()
	if !force && now.Sub(rp.lastPrint) < progressInterval {
		return
	}
	rp.lastPrint = now
	var parts []string
	for _, k := range kindOrder {
		if n := rp.r.Objects[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", kindNamesDE[k], n))
		}
	}
	rate := 0.0
	if secs := now.Sub(rp.r.Started).Seconds(); secs > 0 {
		rate = float64(rp.loaded) / secs
	}
	problems := 0
	for q, n := range rp.r.Quirks {
		if q != QuirkHTTPRetry {
			problems += n
		}
	}
	fmt.Fprintf(rp.progress, "Import: %d Objekte (%s), %.1f/s, %d Auffälligkeiten, %d übersprungen\n",
		rp.loaded, strings.Join(parts, ", "), rate, problems, rp.r.Skipped)
}

func (rp *reporter) report() *Report {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	r := rp.r
	r.Finished = rp.now()
	r.Objects = copyMap(r.Objects)
	r.Deleted = copyMap(r.Deleted)
	r.Quirks = copyMap(r.Quirks)
	r.Issues = append([]Issue(nil), r.Issues...)
	return &r
}

func copyMap(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
