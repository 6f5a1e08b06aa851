package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/blob/disk"
	"github.com/ratsnetz/ratsnetz/demo"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/sqlite"
)

func TestLoadAccounts(t *testing.T) {
	ctx := ratsnetz.SystemContext(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	blobs, err := disk.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db, blobs, demo.Options{Scale: "small", Now: now}); err != nil {
		t.Fatal(err)
	}
	if err := password.Check(demo.DemoPassword); err != nil {
		t.Fatalf("demo password fails the policy: %v", err)
	}
	fast := password.Hasher{Params: password.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}}
	list, err := demo.LoadAccounts(ctx, db, fast, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadAccounts(ctx, db, fast, now); err != nil {
		t.Fatalf("second run (idempotent): %v", err)
	}
	accs, _, err := db.FindAccounts(ctx, ratsnetz.AccountFilter{ListOptions: ratsnetz.ListOptions{Limit: 100}})
	if err != nil || len(accs) != len(list) {
		t.Fatalf("%d accounts, want %d (%v)", len(accs), len(list), err)
	}
	for _, d := range list {
		a, err := db.FindAccountByLogin(ctx, d.Email)
		if err != nil {
			t.Fatal(err)
		}
		ok, _, _ := fast.Verify(a.PasswordHash, demo.DemoPassword)
		if !ok || !a.Active || a.RequiresTOTP() != a.TOTPEnabled {
			t.Errorf("%s: password ok %v, active %v, TOTP required %v enabled %v", d.Email, ok, a.Active, a.RequiresTOTP(), a.TOTPEnabled)
		}
		if d.Role == ratsnetz.RoleKindMandateHolder && a.PersonID == 0 {
			t.Errorf("%s: no person", d.Email)
		}
	}
}
