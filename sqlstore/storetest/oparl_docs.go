package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// testOParlDocs: stored OParl documents (sqlstore/oparl_docs.go) are
// returned only while their set is complete at the current data version;
// a pass owns its set until the next pass begins (a superseded pass stores
// nothing and cannot complete the set); finishing drops documents the pass
// did not write; sets of different keys are independent.
func testOParlDocs(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	MustLoad(t, db, Fixture())
	const key, other = "meeting 1 build https://a.example", "meeting 1 build https://b.example"
	find := func(key string, ids ...int64) map[int64][]byte {
		t.Helper()
		docs, err := db.FindOParlDocs(ctx, key, ids)
		if err != nil {
			t.Fatal(err)
		}
		return docs
	}
	state := func(key string) (int64, int64) {
		t.Helper()
		built, current, err := db.OParlDocState(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return built, current
	}
	put := func(key string, pass int64, docs map[int64][]byte) bool {
		t.Helper()
		ok, err := db.PutOParlDocs(ctx, key, pass, docs)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	finish := func(key string, pass int64) bool {
		t.Helper()
		ok, err := db.FinishOParlDocs(ctx, key, pass)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	begin := func(key string, pass int64) {
		t.Helper()
		if err := db.BeginOParlDocs(ctx, key, pass); err != nil {
			t.Fatal(err)
		}
	}

	if built, _ := state(key); built != 0 {
		t.Fatalf("unknown set built at %d", built)
	}
	_, v := state(key)
	begin(key, v)
	if !put(key, v, map[int64][]byte{1: []byte(`{"a":1}`), 2: []byte(`{"b":2}`)}) {
		t.Fatal("put of the owning pass refused")
	}
	if got := find(key, 1, 2); len(got) != 0 {
		t.Fatalf("documents of an unfinished pass served: %s", showDocs(got))
	}
	if !finish(key, v) {
		t.Fatal("finish of the owning pass refused")
	}
	if got := find(key, 1, 2, 3); string(got[1]) != `{"a":1}` || string(got[2]) != `{"b":2}` || len(got) != 2 {
		t.Fatalf("finished set: %s", showDocs(got))
	}
	if got := find(other, 1); len(got) != 0 {
		t.Fatalf("another key's documents: %s", showDocs(got))
	}
	if built, current := state(key); built != v || current != v {
		t.Fatalf("state = %d, %d; want %d, %d", built, current, v, v)
	}

	// A write of council data makes the set stale at once.
	ds := Fixture()
	ds.Papers[0].Name = "umbenannt"
	MustLoad(t, db, ds)
	if got := find(key, 1, 2); len(got) != 0 {
		t.Fatalf("stale documents served after a write: %s", showDocs(got))
	}
	built, v2 := state(key)
	if built != v || v2 <= v {
		t.Fatalf("state after a write = %d, %d", built, v2)
	}

	// Pass A begins, pass B begins: A can neither store nor finish.
	begin(key, v2)
	begin(key, v2+1) // B (e.g. another instance that read a later version)
	if put(key, v2, map[int64][]byte{3: []byte(`{"old":3}`)}) {
		t.Error("superseded pass stored documents")
	}
	if finish(key, v2) {
		t.Error("superseded pass finished the set")
	}
	// A new pass at the current version writes only document 2: finishing
	// drops 1, left from the first pass.
	begin(key, v2)
	if !put(key, v2, map[int64][]byte{2: []byte(`{"b":3}`)}) || !finish(key, v2) {
		t.Fatal("pass at the current version refused")
	}
	if got := find(key, 1, 2, 3); len(got) != 1 || string(got[2]) != `{"b":3}` {
		t.Fatalf("after the second pass: %s", showDocs(got))
	}
	// A set under another key (an earlier build) that nobody completes
	// any more is dropped by a later finish once it is stale and was last
	// completed AbandonedOParlDocs ago — not before, and not while current.
	const old = "meeting 0 oldbuild https://a.example"
	clock := time.Now().UTC()
	db.Now = func() time.Time { return clock }
	t.Cleanup(func() { db.Now = time.Now })
	_, v3 := state(old)
	begin(old, v3)
	if !put(old, v3, map[int64][]byte{7: []byte(`{"old":7}`)}) || !finish(old, v3) {
		t.Fatal("pass of the old build refused")
	}
	clock = clock.Add(sqlstore.AbandonedOParlDocs + time.Hour)
	begin(key, v3)
	if !put(key, v3, map[int64][]byte{2: []byte(`{"b":4}`)}) || !finish(key, v3) {
		t.Fatal("pass at the current version refused")
	}
	if got := find(old, 7); len(got) != 1 {
		t.Fatalf("a current set of another key was dropped: %s", showDocs(got))
	}
	ds.Papers[0].Name = "noch einmal umbenannt"
	MustLoad(t, db, ds)
	_, v4 := state(key)
	clock = clock.Add(time.Minute)
	begin(key, v4)
	if !put(key, v4, map[int64][]byte{2: []byte(`{"b":5}`)}) || !finish(key, v4) {
		t.Fatal("pass after the write refused")
	}
	if built, _ := state(old); built != 0 {
		t.Fatalf("abandoned stale set kept (built at %d)", built)
	}
	var left int
	if err := db.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM oparl_docs WHERE id = 7`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d documents of the abandoned set left", left)
	}

	// Reads of the public or of anyone else never bump the version.
	if _, _, err := db.FindPapers(ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{}), ratsnetz.PaperFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := find(key, 2); len(got) != 1 {
		t.Fatalf("documents gone after a read: %s", showDocs(got))
	}
}

// showDocs formats documents by ID for a failure message.
func showDocs(docs map[int64][]byte) string {
	ids := make([]int64, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%d=%s ", id, docs[id])
	}
	return "[" + strings.TrimSpace(b.String()) + "]"
}
