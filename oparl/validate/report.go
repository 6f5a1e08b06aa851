package validate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"
)

// Severity of a finding.
type Severity string

// Severities, from worst.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Finding is one problem found. Check is a stable identifier such as
// "object.created.missing", "datetime.format" or "list.next.loop".
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	URL      string   `json:"url"`
	// Path locates the value inside the document, e.g. "agendaItem[2].created".
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Report is the result of a validation run.
type Report struct {
	URL      string    `json:"url"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Requests counts HTTP requests made, Objects the distinct objects checked
	// (embedded ones included), Lists the list walks.
	Requests int `json:"requests"`
	Objects  int `json:"objects"`
	Lists    int `json:"lists"`
	// Truncated is set when MaxObjects stopped the walk early.
	Truncated bool      `json:"truncated"`
	Findings  []Finding `json:"findings"`
}

// Errors returns the number of findings with severity error.
func (r *Report) Errors() int { return r.count(SeverityError) }

// Warnings returns the number of findings with severity warning.
func (r *Report) Warnings() int { return r.count(SeverityWarning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Has reports whether a finding with check id exists.
func (r *Report) Has(check string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Check == check })
}

// sortFindings orders findings by severity, check, URL and path.
func (r *Report) sortFindings() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if c := cmp.Compare(a.Severity.rank(), b.Severity.rank()); c != 0 {
			return c < 0
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		if a.URL != b.URL {
			return a.URL < b.URL
		}
		return a.Path < b.Path
	})
}

// maxPerCheck limits how many findings of one check the text report lists.
const maxPerCheck = 20

// Write writes a human-readable report: a summary, then the findings grouped
// by check (at most 20 listed per check).
func (r *Report) Write(w io.Writer) error {
	p := &errWriter{w: w}
	p.printf("OParl validation of %s\n", r.URL)
	p.printf("%d requests, %d objects, %d lists, %s\n", r.Requests, r.Objects, r.Lists, r.Finished.Sub(r.Started).Round(time.Millisecond))
	if r.Truncated {
		p.printf("stopped early: object limit reached\n")
	}
	p.printf("%d errors, %d warnings, %d infos\n", r.Errors(), r.Warnings(), r.count(SeverityInfo))
	var last string
	shown := 0
	counts := map[string]int{}
	for _, f := range r.Findings {
		counts[f.Check]++
	}
	for _, f := range r.Findings {
		if f.Check != last {
			last, shown = f.Check, 0
			p.printf("\n%s %s (%d)\n", f.Severity, f.Check, counts[f.Check])
		}
		shown++
		if shown > maxPerCheck {
			if shown == maxPerCheck+1 {
				p.printf("  … %d more\n", counts[f.Check]-maxPerCheck)
			}
			continue
		}
		loc := f.URL
		if f.Path != "" {
			loc += " " + f.Path
		}
		p.printf("  %s: %s\n", loc, f.Message)
	}
	return p.err
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
