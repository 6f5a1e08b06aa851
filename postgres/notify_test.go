package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore"
)

// TestListenWakesOnCommit: a committed live event notifies every listener
// with the meeting ID; a rolled-back one notifies nobody.
func TestListenWakesOnCommit(t *testing.T) {
	db := pgtest.MustOpenMigrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		postgres.Listen(ctx, pgtest.DSN(t), sqlstore.LiveNotifyChannel, nil, func(p string) { got <- p })
	}()
	defer func() { cancel(); wg.Wait() }()
	wait := func(want string) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case p := <-got:
				if p == want {
					return
				}
			case <-deadline:
				t.Fatalf("no notification %q", want)
			}
		}
	}
	wait("") // connected
	sys := ratsnetz.SystemContext(context.Background())
	if err := db.Load(sys, &ratsnetz.Dataset{Bodies: []*ratsnetz.Body{{Meta: ratsnetz.Meta{ID: 1}, Name: "B"}},
		Meetings: []*ratsnetz.Meeting{{Meta: ratsnetz.Meta{ID: 77}, BodyID: 1, Name: "S", Public: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartLiveMeeting(sys, 77); err != nil {
		t.Fatal(err)
	}
	wait("77")
}
