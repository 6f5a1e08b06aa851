package oparl_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl/validate"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

func mustOpenDemo(t *testing.T) (*env, demo.Summary) {
	t.Helper()
	var sum demo.Summary
	e := MustOpenEnvWith(t, func(db *sqlstore.DB) {
		blobs, err := disk.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		sum, err = demo.Load(ratsnetz.SystemContext(context.Background()), db, blobs, demo.Options{Scale: demo.ScaleSmall})
		if err != nil {
			t.Fatal(err)
		}
	})
	return e, sum
}

// TestDemoConfidential fetches every list (with and without
// modified_since and omit_internal) and every object of the demo city: the
// canary of non-public data appears nowhere, the known non-public objects
// answer 404.
func TestDemoConfidential(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches every object of the demo city")
	}
	e, sum := mustOpenDemo(t)
	bodies := e.walk(t, e.base+"/body")
	if len(bodies) < 2 {
		t.Fatalf("%d bodies", len(bodies))
	}
	lists := []string{"organization", "person", "meeting", "paper", "agendaItem", "consultation", "file",
		"locationList", "legislativeTermList", "membership"}
	objects := map[string]bool{}
	scan := func(u string) {
		t.Helper()
		resp, b := e.get(t, u)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
		if bytes.Contains(b, []byte(demo.Canary)) {
			t.Errorf("GET %s: non-public content (canary) in the answer", u)
		}
	}
	for _, b := range bodies {
		for _, l := range lists {
			for _, q := range []string{"", "?modified_since=2000-01-01T00:00:00%2B01:00", "?omit_internal=true"} {
				u := b[l].(string) + q
				for next := u; next != ""; {
					page := e.getJSON(t, next, http.StatusOK)
					scan(next)
					for _, it := range page["data"].([]any) {
						objects[it.(map[string]any)["id"].(string)] = true
					}
					next, _ = page["links"].(map[string]any)["next"].(string)
				}
			}
		}
	}
	if len(objects) < sum.Objects()/2 {
		t.Errorf("only %d of %d objects listed", len(objects), sum.Objects())
	}
	for id := range objects {
		scan(id)
		if strings.Contains(id, "/organization/") {
			scan(id + "/meeting")
			scan(id + "/consultation")
		}
	}
	k := sum.Known
	for _, path := range []string{
		"/paper/" + itoa(demo.NonPublicPaperID),
		"/file/" + itoa(demo.NonPublicFileID),
		"/file/" + itoa(demo.NonPublicMainFileID),
		"/agendaitem/" + itoa(k.NonPublicAgendaItemID),
		"/meeting/" + itoa(k.NonPublicMeetingID),
	} {
		resp, b := e.get(t, e.base+path)
		if resp.StatusCode != http.StatusNotFound || bytes.Contains(b, []byte(demo.Canary)) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		if objects[e.base+path] {
			t.Errorf("%s is listed", path)
		}
	}
}

// TestDemoValidates: our validator finds no error in the demo city.
func TestDemoValidates(t *testing.T) {
	e, _ := mustOpenDemo(t)
	rep, err := validate.Run(context.Background(), validate.Options{URL: e.base + "/system", Client: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors() > 0 || testing.Verbose() {
		rep.Write(os.Stderr)
	}
	if rep.Errors() > 0 {
		t.Errorf("%d errors", rep.Errors())
	}
	if rep.Truncated {
		t.Errorf("walk truncated")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
