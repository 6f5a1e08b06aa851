package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// TestRefDataExpires: a new committee shows up once the reference data is
// older than refTTL, not before.
func TestRefDataExpires(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	if err := store.Load(ctx, testDataset(nil)); err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	s := NewServer(Config{Store: store, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return time.Unix(0, now.Load()).UTC() }})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	_, body := get(t, srv.Client(), srv.URL+"/sitzungen")
	if strings.Contains(body, "Neuer Beirat") {
		t.Fatalf("committee before it exists")
	}
	newOrg := &ratsnetz.Organization{Meta: ratsnetz.Meta{ID: 30, Created: testNow, Modified: testNow}, BodyID: 1,
		Name: "Neuer Beirat", OrganizationType: ratsnetz.OrgTypeGremium}
	if err := store.Load(ctx, &ratsnetz.Dataset{Organizations: []*ratsnetz.Organization{newOrg}}); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, srv.Client(), srv.URL+"/sitzungen?gremium=30"); resp.StatusCode != 400 || strings.Contains(body, "Neuer Beirat") {
		t.Errorf("within the TTL: status %d, want the cached answer 400", resp.StatusCode)
	}
	now.Add(int64(refTTL + time.Second))
	resp, body := get(t, srv.Client(), srv.URL+"/sitzungen?gremium=30")
	if resp.StatusCode != 200 || !strings.Contains(body, `<option value="30" selected>Neuer Beirat</option>`) {
		t.Errorf("after the TTL: status %d, new committee missing", resp.StatusCode)
	}
}

// TestRefDataOnlyForThePublic: any viewer other than the anonymous public
// bypasses the shared snapshot.
func TestRefDataOnlyForThePublic(t *testing.T) {
	s := NewServer(Config{Store: mustOpenStore(t)})
	ctx := context.Background()
	for _, v := range []ratsnetz.Viewer{{System: true}, {AccountID: 7, PersonID: 3}} {
		d, err := s.refData(ratsnetz.NewContextWithViewer(ctx, v))
		if err != nil || d != nil {
			t.Errorf("viewer %+v: got a shared snapshot (%v, %v)", v, d, err)
		}
	}
	if d, err := s.refData(ctx); err != nil || d == nil {
		t.Errorf("public viewer: no snapshot (%v)", err)
	}
}
