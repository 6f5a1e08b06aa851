package respcache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/respcache"
	"github.com/ratsnetz/ratsnetz/sqlite"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestDepublishedNeverServedFromCache renders a paper page and the paper
// list as the public through the cache, de-publishes the paper through
// Load, and checks that the next requests do not get the cached pages.
func TestDepublishedNeverServedFromCache(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.MustLoad(t, db, storetest.Fixture())

	// A portal stand-in: the store decides visibility from the request's
	// (zero, public) viewer, as in web/.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /vorlagen/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		p, err := db.FindPaperByID(r.Context(), id)
		if err != nil {
			http.Error(w, "nicht gefunden", http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "<h1>%s</h1>", p.Name)
	})
	mux.HandleFunc("GET /vorlagen", func(w http.ResponseWriter, r *http.Request) {
		ps, _, err := db.FindPapers(r.Context(), ratsnetz.PaperFilter{})
		if err != nil {
			http.Error(w, "Fehler", http.StatusInternalServerError)
			return
		}
		for _, p := range ps {
			fmt.Fprintf(w, "<li>%s</li>", p.Name)
		}
	})
	c := respcache.New(respcache.Config{Version: db.DataVersion})
	srv := httptest.NewServer(c.Wrap(mux, respcache.Policy{}))
	t.Cleanup(srv.Close)

	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("X-Cache")
	}

	paper := storetest.Fixture().Papers[0]
	page := "/vorlagen/" + strconv.FormatInt(paper.ID, 10)
	for _, path := range []string{page, "/vorlagen"} {
		get(path)
		if status, body, state := get(path); status != 200 || state != "HIT" || !strings.Contains(body, paper.Name) {
			t.Fatalf("%s before: %d %s %q", path, status, state, body)
		}
	}

	paper.Public = false
	storetest.MustLoad(t, db, &ratsnetz.Dataset{Papers: []*ratsnetz.Paper{paper}})

	if status, body, state := get(page); status != http.StatusNotFound || state == "HIT" || strings.Contains(body, paper.Name) {
		t.Errorf("paper page after de-publication: %d %s %q", status, state, body)
	}
	if _, body, state := get("/vorlagen"); state == "HIT" || strings.Contains(body, paper.Name) {
		t.Errorf("paper list after de-publication: %s %q", state, body)
	}
}
