package importer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestRoundTrip serves the demo city with our own OParl server, imports it
// into a fresh store and compares both field by field, as the public sees
// them.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := MustOpenDB(t)
	srcBlobs := newMemBlobs()
	// The demo city has non-public objects: its loads check the flags too.
	if _, err := demo.Load(ratsnetz.SystemContext(ctx), visChecked(t, src), srcBlobs, demo.Options{Scale: demo.ScaleSmall}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.Handle("/oparl/", oparl.NewServer(oparl.Config{Store: src, BaseURL: srv.URL,
		System: ratsnetz.System{Name: "Ratsnetz Demo"}}).Handler())
	// Stand-in for the portal's file contents, as the public may fetch them.
	serveFile := func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f, err := src.FindFileByID(r.Context(), id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		b, err := srcBlobs.Open(r.Context(), f.BlobKey)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer b.Close()
		io.Copy(w, b)
	}
	mux.HandleFunc("/dateien/{id}", serveFile)
	mux.HandleFunc("/dateien/{id}/download", serveFile)

	dst := MustOpenDB(t)
	dstBlobs := newMemBlobs()
	counted := &fileCountingStore{DB: dst, tb: t, loads: map[string]int{}}
	rep, err := importer.Run(ctx, importer.Options{
		URL: srv.URL + oparl.Prefix + "/system", Store: counted, Blobs: dstBlobs, FetchFiles: true,
		Client: srv.Client(), Backoff: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var summary strings.Builder
	rep.Write(&summary)
	t.Log(summary.String())
	if len(rep.Quirks) != 0 {
		t.Errorf("our own server shows quirks: %v\n%v", rep.Quirks, rep.Issues)
	}

	// What the public sees of the source, and everything of the import.
	want := normalizeRoundTrip(snapshotAs(t, src, ctx, false), "")
	got := normalizeRoundTrip(snapshotAs(t, dst, ratsnetz.SystemContext(ctx), false), srv.URL)
	if len(want) < 100 {
		t.Fatalf("only %d public objects in the demo", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip differs (-source +imported):\n%s", diff)
	}
	// Nothing non-public crossed over: the canary of the demo's non-public
	// titles, texts and files is nowhere in the imported data.
	if b, _ := json.Marshal(got); strings.Contains(string(b), demo.Canary) {
		t.Errorf("imported data contains non-public content (canary %q)", demo.Canary)
	}
	if b, _ := json.Marshal(want); len(b) < 1000 {
		t.Errorf("public snapshot suspiciously small")
	}
	// Each file was written once: from the file list (with its text), not
	// again from the meetings, agenda items and papers that embed it.
	if len(counted.loads) < 10 {
		t.Errorf("only %d files loaded", len(counted.loads))
	}
	for ext, n := range counted.loads {
		if n != 1 {
			t.Errorf("file %s written %d times", ext, n)
		}
	}
}

// fileCountingStore counts how often each file (by external id) is
// written through LoadImport.
type fileCountingStore struct {
	*sqlstore.DB
	tb    testing.TB
	mu    sync.Mutex
	loads map[string]int
}

func (s *fileCountingStore) LoadImport(ctx context.Context, ds *ratsnetz.Dataset, state map[string]string) error {
	if ds != nil {
		s.mu.Lock()
		for _, f := range ds.Files {
			s.loads[f.ExternalID]++
		}
		s.mu.Unlock()
	}
	if err := s.DB.LoadImport(ctx, ds, state); err != nil {
		return err
	}
	checkVisibilityFlags(s.tb, s.DB, "after LoadImport")
	return nil
}

// roundTripLost lists what OParl does not carry (or Ratsnetz does not
// export): those fields are left out of the comparison.
var roundTripLost = map[string][]string{
	"*":                          {"ExternalID", "BlobKey"},
	ratsnetz.KindOrganization:    {"Confidential", "InvitationDays"},
	ratsnetz.KindAgendaItem:      {"MinutesText", "Urgent", "Addendum", "Redacted"},
	ratsnetz.KindPaper:           {"Sections", "ResponsiblePersonID"},
	ratsnetz.KindConsultation:    {"Date"},
	ratsnetz.KindLocation:        {"BodyID"},
	ratsnetz.KindLegislativeTerm: {},
}

var oparlURL = regexp.MustCompile(`^https?://[^/]+/oparl/v1\.1/[a-zA-Z]+/(\d+)$`)

// normalizeRoundTrip names objects by their source ID ("local:N"), drops the
// fields OParl does not carry, leaves out redacted agenda items (OParl omits
// non-public ones) and turns agenda order into the rank within the meeting.
func normalizeRoundTrip(snap map[string]any, base string) map[string]any {
	var conv func(v any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case string:
			if m := oparlURL.FindStringSubmatch(x); m != nil {
				return "local:" + m[1]
			}
			return x
		case []string:
			out := make([]string, len(x))
			for i, y := range x {
				out[i] = conv(y).(string)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, y := range x {
				out[i] = conv(y)
			}
			return out
		case map[string]any:
			out := map[string]any{}
			for k, y := range x {
				out[k] = conv(y)
			}
			return out
		}
		return v
	}
	out := map[string]any{}
	type item struct {
		key   string
		order float64
	}
	byMeeting := map[string][]item{}
	for key, v := range snap {
		m := conv(v).(map[string]any)
		var kind, ext string
		fmt.Sscanf(key, "%s %s", &kind, &ext)
		ext = conv(ext).(string)
		if kind == ratsnetz.KindAgendaItem && m["Redacted"] == true {
			continue
		}
		for _, f := range append(roundTripLost["*"], roundTripLost[kind]...) {
			delete(m, f)
		}
		k := kind + " " + ext
		out[k] = m
		if kind == ratsnetz.KindAgendaItem {
			o, _ := strconv.ParseFloat(fmt.Sprint(m["Order"]), 64)
			byMeeting[fmt.Sprint(m["MeetingID"])] = append(byMeeting[fmt.Sprint(m["MeetingID"])], item{k, o})
		}
	}
	for _, items := range byMeeting {
		sort.Slice(items, func(i, j int) bool { return items[i].order < items[j].order })
		for rank, it := range items {
			out[it.key].(map[string]any)["Order"] = rank
		}
	}
	return out
}
