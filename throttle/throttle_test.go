package throttle_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ratsnetz/ratsnetz/throttle"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

var policy = throttle.Policy{Free: 3, Base: time.Minute, Max: 8 * time.Minute, Forget: time.Hour}

func TestExponentialLockoutCapped(t *testing.T) {
	c := newClock()
	l := throttle.New(policy, c.now)
	var got []time.Duration
	for range 9 {
		if wait, ok := l.Check("acct:1"); !ok {
			c.add(wait) // the attacker waits out the lockout, then tries again
		}
		got = append(got, l.Fail("acct:1"))
	}
	m := time.Minute
	want := []time.Duration{0, 0, 0, m, 2 * m, 4 * m, 8 * m, 8 * m, 8 * m}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lockouts (-want +got):\n%s", diff)
	}
}

func TestLockoutExpiresAndIsNotExtended(t *testing.T) {
	c := newClock()
	l := throttle.New(policy, c.now)
	for range 4 {
		l.Fail("acct:1")
	}
	wait, ok := l.Check("acct:1")
	if ok || wait != time.Minute {
		t.Fatalf("Check after 4 failures = %v, %v; want 1m, false", wait, ok)
	}
	// Hammering during the lockout neither counts nor extends it.
	c.add(30 * time.Second)
	for range 100 {
		l.Fail("acct:1")
	}
	if wait, ok := l.Check("acct:1"); ok || wait != 30*time.Second {
		t.Errorf("Check during lockout = %v, %v; want 30s, false", wait, ok)
	}
	c.add(30 * time.Second)
	if _, ok := l.Check("acct:1"); !ok {
		t.Error("lockout did not expire")
	}
	// The next failure locks 2 min, not 2^100.
	if d := l.Fail("acct:1"); d != 2*time.Minute {
		t.Errorf("next lockout %v, want 2m", d)
	}
}

func TestKeysIndependentAndSuccessResets(t *testing.T) {
	c := newClock()
	l := throttle.New(policy, c.now)
	for range 4 {
		l.Fail("acct:1")
	}
	if _, ok := l.Check("acct:2"); !ok {
		t.Error("another account is locked too")
	}
	c.add(time.Minute)
	l.Succeed("acct:1")
	for range 3 {
		if d := l.Fail("acct:1"); d != 0 {
			t.Fatalf("failure after success locked for %v", d)
		}
	}
}

func TestForget(t *testing.T) {
	c := newClock()
	l := throttle.New(policy, c.now)
	l.Fail("ip:192.0.2.1")
	l.Fail("ip:192.0.2.1")
	l.Fail("ip:192.0.2.1")
	c.add(time.Hour)
	if d := l.Fail("ip:192.0.2.1"); d != 0 {
		t.Errorf("failures not forgotten after an hour: locked %v", d)
	}
	c.add(2 * time.Hour)
	l.Check("ip:192.0.2.1")
	if n := l.Len(); n != 0 {
		t.Errorf("Len = %d after forgetting, want 0", n)
	}
}

func TestConcurrent(t *testing.T) {
	c := newClock()
	l := throttle.New(throttle.Policy{Free: 1000, Base: time.Second, Max: time.Minute, Forget: time.Hour}, c.now)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				l.Fail(fmt.Sprintf("k%d", j%4))
				l.Check(fmt.Sprintf("k%d", i%4))
			}
		}()
	}
	wg.Wait()
	// 800 failures over 4 keys: 200 each, all within the free budget.
	for k := range 4 {
		if _, ok := l.Check(fmt.Sprintf("k%d", k)); !ok {
			t.Errorf("k%d locked", k)
		}
	}
	if d := l.Fail("k0"); d != 0 {
		t.Errorf("k0 locked at failure 801: %v", d)
	}
}
