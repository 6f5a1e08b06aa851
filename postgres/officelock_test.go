package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/postgres"
	"github.com/ratsnetz/ratsnetz/postgres/pgtest"
	"github.com/ratsnetz/ratsnetz/sqlstore/storetest"
)

// TestOfficeWritesWaitForLoad: an office write does not run beside a Load
// (it waits for Load's advisory lock), so the stored file visibility sees
// a de-publication and an import's new file link in order, never neither.
func TestOfficeWritesWaitForLoad(t *testing.T) {
	db := pgtest.MustOpenMigrated(t)
	ctx := context.Background()
	storetest.MustLoad(t, db, storetest.Fixture())
	a := &ratsnetz.Account{Email: "office@x.example", Active: true,
		Roles: []ratsnetz.AccountRole{{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: 1}}}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	office := ratsnetz.NewContextWithViewer(ctx, a.Viewer())

	// A load in progress: a transaction holding Load's lock.
	load, err := db.WriteDB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer load.Rollback()
	if _, err := load.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, postgres.LoadLock); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- db.SetReferenceScheme(office, 1, "RN-{year}-{seq:4}") }()

	// The office write's backend must come to wait for that lock.
	waiting := false
	for range 500 {
		var n int
		if err := db.WriteDB().QueryRowContext(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND classid = $1::oid`, postgres.LoadLock).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			waiting = true
			break
		}
		select {
		case err := <-done:
			t.Fatalf("office write ran beside a load (err %v)", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !waiting {
		t.Fatal("office write never waited for the load's lock")
	}
	if err := load.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("office write after the load: %v", err)
	}
	if got, err := db.ReferenceScheme(office, 1); err != nil || got != "RN-{year}-{seq:4}" {
		t.Fatalf("scheme = %q, %v", got, err)
	}
}
