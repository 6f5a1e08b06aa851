package importer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/oparl"
	"github.com/ratsnetz/ratsnetz/oparl/importer"
)

// TestPageSize: with PageSize the importer asks for big pages (fewer
// requests) and imports the same; a server that rejects `limit` with 400 is
// asked without it and the import is complete all the same.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	src := MustOpenDB(t)
	if _, err := demo.Load(ratsnetz.SystemContext(ctx), src, newMemBlobs(), demo.Options{Scale: demo.ScaleSmall}); err != nil {
		t.Fatal(err)
	}
	var rejectLimit atomic.Bool
	var withLimit atomic.Int64
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	api := oparl.NewServer(oparl.Config{Store: src, BaseURL: srv.URL}).Handler()
	mux.Handle("/oparl/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("limit") {
			withLimit.Add(1)
			if rejectLimit.Load() {
				http.Error(w, "unknown parameter limit", http.StatusBadRequest)
				return
			}
		}
		api.ServeHTTP(w, r)
	}))
	run := func(pageSize int) (*importer.Report, map[string]any) {
		t.Helper()
		dst := MustOpenDB(t)
		rep, err := importer.Run(ctx, importer.Options{URL: srv.URL + oparl.Prefix + "/system", Store: visChecked(t, dst),
			Client: srv.Client(), Backoff: time.Millisecond, PageSize: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Issues) != 0 {
			t.Errorf("page size %d: issues %v", pageSize, rep.Issues)
		}
		return rep, snapshot(t, dst)
	}
	plain, want := run(0)
	if withLimit.Load() != 0 {
		t.Errorf("PageSize 0 sent limit %d times", withLimit.Load())
	}
	big, got := run(1000)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("import with limit=1000 differs (-default +limit):\n%s", diff)
	}
	if big.Requests >= plain.Requests {
		t.Errorf("limit=1000 took %d requests, default pages %d", big.Requests, plain.Requests)
	}
	rejectLimit.Store(true)
	withLimit.Store(0)
	_, got = run(1000)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("import from a server rejecting limit differs (-default +rejected):\n%s", diff)
	}
	// Lists of one phase start together: each may probe once before the
	// first 400 arrives; none asks with limit after it.
	if n := withLimit.Load(); n < 1 || n > 5 {
		t.Errorf("asked %d times with limit, want 1–5 probes", n)
	}
}
